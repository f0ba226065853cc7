"""kopa report: golden files of every built-in report on the shipped records, workspace
templates that override or add reports, the sandbox refusing hostile templates, escaping,
PDF through WeasyPrint, and the region table.

Update the golden files after an intended change (then read the diff):

    KOPA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_reports.py
"""

from __future__ import annotations

import base64
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from conftest import REPO, build_tree, require_program, run_kopa
from kopa_cli.core.regions import REGION_NAMES, _table, region_of

GOLDEN = REPO / "tests" / "golden" / "reports"
SHIPPED_PILOTS = ["kainuu-lukiot", "sydosterbotten-utbildning", "ylakainuu-kylakoulut"]

CASES = [
    *[(f"{name}.{fmt}", [name, "--format", fmt]) for name in ("applications", "fees") for fmt in ("md", "html")],
    *[(f"pilot-{pilot}.{fmt}", ["pilot", "--pilot", pilot, "--format", fmt]) for pilot in SHIPPED_PILOTS for fmt in ("md", "html")],
    ("pilot-sydosterbotten-utbildning.sv.md", ["pilot", "--pilot", "sydosterbotten-utbildning", "--lang", "sv"]),
    ("applications.en.md", ["applications", "--lang", "en"]),
]


@pytest.mark.parametrize(("golden", "arguments"), CASES, ids=[case[0] for case in CASES])
def test_golden(shipped: Path, golden: str, arguments: list[str]) -> None:
    result = run_kopa("report", *arguments, workspace=shipped)
    assert result.exit_code == 0
    path = GOLDEN / golden
    if os.environ.get("KOPA_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run KOPA_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_reports.py"
    assert result.stdout == path.read_text(encoding="utf-8"), "the report changed; if intended, update the golden files (module docstring)"


def test_the_html_is_self_contained_and_has_charts_with_text_alternatives(shipped: Path) -> None:
    html = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--format", "html", workspace=shipped).stdout
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "nothing is fetched from the network"
    assert not re.search(r"@import|url\(", html)
    assert "@page { size: A4" in html
    charts = re.findall(r"<svg [^>]*role=\"img\"[^>]*>", html)
    assert len(charts) == 3 and all("aria-labelledby" in chart for chart in charts)  # fee shares, population, age groups
    assert '<title id="population-title">' in html
    assert '<desc id="population-desc">Kajaanin kaupunki: 36\u00a0709; Sotkamon kunta: 10\u00a0336; Kuhmon kaupunki: 8\u00a0190</desc>' in html
    # the same numbers in a table
    assert '<td class="num">36\u00a0709</td>' in html


def test_markdown_has_no_raw_html(shipped: Path) -> None:
    for arguments in (["applications"], ["fees"], ["pilot", "--pilot", "kainuu-lukiot"]):
        text = run_kopa("report", *arguments, workspace=shipped).stdout
        assert not re.search(r"<[a-zA-Z/]", text), arguments


def test_list_shows_builtin_and_workspace_reports(shipped: Path) -> None:
    build_tree(shipped, {
        "templates/reports/fees.md.j2": "{# Our own fee summary #}\n{{ label.total }}: {{ total.gross|money }}\n",
        "templates/reports/summary.md.j2": "{# Applications and fees on one page #}\n{{ applications|length }} / {{ total.net|money }}\n",
        "templates/reports/_part.md.j2": "a part, not a report\n",
    })
    result = run_kopa("report", "--list", workspace=shipped)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == ["applications", "fees", "pilot", "summary"]
    assert re.match(r"fees +\[työtila, md/html\] +Our own fee summary$", lines[1])
    assert re.match(r"applications +\[sisäänrakennettu, md/html\] +", lines[0])
    assert re.match(r"summary +\[työtila, md\] +Applications and fees on one page$", lines[3])


def test_list_outside_a_workspace_shows_the_builtin_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_kopa("report", "--list")
    assert result.exit_code == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["applications", "fees", "pilot"]
    result = run_kopa("report", "fees")
    assert result.exit_code == 2 and "kopa init" in result.stderr


def test_a_workspace_template_overrides_a_builtin_one(shipped: Path) -> None:
    build_tree(shipped, {"templates/reports/fees.md.j2": "{# Our own #}\n{{ label.total }}: {{ total.gross|money }}\n"})
    result = run_kopa("report", "fees", workspace=shipped)
    assert (result.exit_code, result.stdout) == (0, "Yhteensä: 37\u00a0200,04\u00a0€\n")
    # its HTML is still the built-in one
    assert "<!DOCTYPE html>" in run_kopa("report", "fees", "--format", "html", workspace=shipped).stdout


def test_a_new_workspace_report_gets_applications_fees_and_the_pilot(shipped: Path) -> None:
    build_tree(shipped, {"templates/reports/summary.md.j2": (
        "{{ applications|length }} {{ total.net|money }} {{ pilot.name }} {{ members|length }}\n"
    )})
    result = run_kopa("report", "summary", "--pilot", "kainuu-lukiot", workspace=shipped)
    assert (result.exit_code, result.stdout) == (0, "6 30\u00a0000,00\u00a0€ Kainuun lukioverkko 4\n")
    result = run_kopa("report", "summary", "--format", "html", workspace=shipped)
    assert result.exit_code == 2
    assert "kopa: raportilla 'summary' ei ole html-mallipohjaa" in result.stderr


HOSTILE = {
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "internals": "{{ call.__class__.__init__.__globals__ }}",
    "mutating": "{% set _ = call.goals.clear() %}",
    "mutating-list": "{% set _ = applications.append(1) %}",
    "format-escape": "{{ '{0.__class__}'.format(call) }}",
}


@pytest.mark.parametrize("source", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_template_is_refused_with_its_place(shipped: Path, source: str) -> None:
    build_tree(shipped, {"templates/reports/applications.md.j2": "# ok\n\n" + source + "\n"})
    result = run_kopa("report", "applications", workspace=shipped)
    assert result.exit_code == 1
    assert result.stderr.startswith("kopa: templates/reports/applications.md.j2, rivi 3: ")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_misspelt_name_is_a_located_error(shipped: Path) -> None:
    build_tree(shipped, {"templates/reports/fees.md.j2": "{{ total.gross|money }}\n{{ totl }}\n"})
    result = run_kopa("report", "fees", workspace=shipped)
    assert result.exit_code == 1
    assert result.stderr == "kopa: templates/reports/fees.md.j2, rivi 2: 'totl' is undefined; tarkista nimen kirjoitusasu\n"


def test_record_text_is_escaped_in_html_and_markdown(shipped: Path) -> None:
    org = shipped / "records" / "organizations" / "kajaani.yaml"
    org.write_text(org.read_text(encoding="utf-8").replace("name: Kajaanin kaupunki", "name: \"Kajaani <script>alert(1)</script> | x\""), encoding="utf-8")
    html = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--format", "html", workspace=shipped).stdout
    assert "<script" not in html
    assert "Kajaani &lt;script&gt;alert(1)&lt;/script&gt; | x" in html
    markdown = run_kopa("report", "applications", workspace=shipped).stdout
    assert "Kajaani &lt;script>alert(1)&lt;/script> \\| x" in markdown


def test_record_text_is_no_link_or_image_in_markdown(shipped: Path) -> None:
    """On GitHub ``![t](https://...)`` in a name would load an image from the network: it stays text."""
    org = shipped / "records" / "organizations" / "kajaani.yaml"
    hostile = "Kajaani ![t](https://evil.example/t.png) [x](https://evil.example) *y* `z`"
    org.write_text(org.read_text(encoding="utf-8").replace("name: Kajaanin kaupunki", f'name: "{hostile}"'), encoding="utf-8")
    call = shipped / "records" / "call.yaml"
    call.write_text(call.read_text(encoding="utf-8").replace('fi: "Koulutus palveluna', 'fi: "![c](https://evil.example/c.png) Koulutus palveluna'), encoding="utf-8")
    for report in (["applications"], ["fees"], ["pilot", "--pilot", "kainuu-lukiot"]):
        markdown = run_kopa("report", *report, workspace=shipped).stdout
        assert "Kajaani !\\[t\\](https://evil.example/t.png) \\[x\\](https://evil.example) \\*y\\* \\`z\\`" in markdown
        assert "](https" not in markdown.replace("\\](https", "")


def test_the_applications_report_shows_what_does_not_validate(shipped: Path) -> None:
    app = shipped / "records" / "applications" / "kainuu-jatkuva-oppiminen.yaml"
    app.write_text(app.read_text(encoding="utf-8").replace("goals: [3, 5]", "goals: [3, 9]"), encoding="utf-8")
    result = run_kopa("report", "applications", workspace=shipped)
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "`kainuu-jatkuva-oppiminen`" in line and line.startswith("| **"))
    assert row.endswith("| **ei** (1 virhe) |")
    for lang, counted in (("sv", "| **nej** (1 fel) |"), ("en", "| **no** (1 error) |")):
        shown = run_kopa("--lang", lang, "report", "applications", workspace=shipped).stdout
        assert any(line.endswith(counted) for line in shown.splitlines() if "`kainuu-jatkuva-oppiminen`" in line), lang
    app.write_text(app.read_text(encoding="utf-8").replace("goals: [3, 9]", "goals: [8, 9]"), encoding="utf-8")
    for lang, counted in (("fi", "| **ei** (2 virhettä) |"), ("en", "| **no** (2 errors) |")):
        shown = run_kopa("--lang", lang, "report", "applications", workspace=shipped).stdout
        assert any(line.endswith(counted) for line in shown.splitlines() if "`kainuu-jatkuva-oppiminen`" in line), lang
    # the fee reports refuse invalid records, as kopa fees does
    result = run_kopa("report", "fees", workspace=shipped)
    assert result.exit_code == 1 and "kainuu-jatkuva-oppiminen.yaml" in result.stderr


def test_the_applications_report_renders_records_with_errors(shipped: Path) -> None:
    applications = shipped / "records" / "applications"
    for name, old, new in (("kainuu-lukiot.md", "status: selected\n", ""),
                           ("opisto-kylille.md", "submitted: 2019-12-05", "submitted: 5.12.2019")):
        path = applications / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    (applications / "rikki.yaml").write_text("name: [broken\n", encoding="utf-8")
    for output in ("md", "html"):
        result = run_kopa("report", "applications", "--format", output, workspace=shipped)
        assert result.exit_code == 0, output
    markdown = run_kopa("report", "applications", workspace=shipped).stdout
    row = next(line for line in markdown.splitlines() if "(`kainuu-lukiot`)" in line)
    assert row.split(" | ")[1] == "–" and "**ei**" in row
    row = next(line for line in markdown.splitlines() if "(`opisto-kylille`) |" in line)
    assert "**ei**" in row
    assert "`records/applications/rikki.yaml`" in markdown


def test_usage_errors(shipped: Path) -> None:
    result = run_kopa("report", "pilots", workspace=shipped)
    assert (result.exit_code, result.stderr) == (2, "kopa: raporttia 'pilots' ei ole; raportit ovat applications, fees, pilot ('kopa report --list' kuvaa ne)\n")
    result = run_kopa("report", "pilot", workspace=shipped)
    assert result.exit_code == 2 and "kainuu-lukiot, sydosterbotten-utbildning, ylakainuu-kylakoulut" in result.stderr
    result = run_kopa("report", "pilot", "--pilot", "kainuu-lukio", workspace=shipped)
    assert result.exit_code == 2 and "kainuu-lukiot" in result.stderr
    result = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--format", "pdf", workspace=shipped)
    assert result.exit_code == 2 and "--out" in result.stderr


def test_out_writes_the_file_in_the_format_of_its_suffix(shipped: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "fees.html"
    result = run_kopa("report", "fees", "--out", str(out), workspace=shipped)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_pdf_without_weasyprint_says_how_to_get_it(shipped: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint raises ImportError
    out = tmp_path / "pilot.pdf"
    result = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--out", str(out), workspace=shipped)
    assert result.exit_code == 2
    assert result.stderr.startswith("kopa: --format pdf tarvitsee WeasyPrintin")
    assert "pip install 'kopa[pdf]'" in result.stderr
    assert not out.exists()


def require_weasyprint() -> None:
    """Skip where WeasyPrint or Pango is missing, but fail under CI, whose .ci/run installs both."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        if os.environ.get("CI"):
            pytest.fail(f"WeasyPrint cannot be used ({error}); .ci/run installs it")
        pytest.skip(f"WeasyPrint cannot be used: {error}")


def test_pdf_through_weasyprint(shipped: Path, tmp_path: Path) -> None:
    require_weasyprint()
    pdftotext = require_program("pdftotext")
    out = tmp_path / "pilot.pdf"
    result = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--out", str(out), workspace=shipped)
    assert result.exit_code == 0
    assert out.read_bytes().startswith(b"%PDF-")
    text = " ".join(subprocess.run([pdftotext, str(out), "-"], check=True, capture_output=True, text=True).stdout.split())
    assert "Kainuun lukioverkko" in text and "36 709" in text.replace("\u00a0", " ") and "12 400,00 €" in text.replace("\u00a0", " ")



@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_applications_pdf_shows_every_column(shipped: Path, tmp_path: Path, lang: str) -> None:
    """Nine columns do not fit across A4 portrait: the report is printed landscape, not cut."""
    require_weasyprint()
    pdftotext = require_program("pdftotext")
    out = tmp_path / "applications.pdf"
    assert run_kopa("--lang", lang, "report", "applications", "--out", str(out), workspace=shipped).exit_code == 0
    pages = subprocess.run([pdftotext, "-layout", str(out), "-"], check=True, capture_output=True, text=True).stdout
    first, last = {"fi": ("Hakemus", "Kunnossa"), "sv": ("Ansökan", "Godkänd"), "en": ("Application", "Validates")}[lang]
    header = next(line.split() for line in pages.splitlines() if line.split()[:1] == [first])
    assert header[-1] == last, header
    assert re.search(r"2.624 / 5.000", pages)  # a length against the limit, in the last columns

def _png(path: Path) -> Path:
    """A 1x1 PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\xff\0\0")) + chunk(b"IEND", b""))
    return path


def test_a_pdf_loads_nothing_from_outside_the_html(shipped: Path, tmp_path: Path) -> None:
    require_weasyprint()
    from kopa_cli.render.reports import pdf

    image = _png(tmp_path / "secret.png")
    assert b"/Image" in pdf(f'<img src="data:image/png;base64,{base64.b64encode(image.read_bytes()).decode()}">')
    assert b"/Image" not in pdf(f'<img src="{image.as_uri()}">')


def test_regions_of_the_shipped_municipalities() -> None:
    assert len(_table()) == 310
    assert set(_table().values()) == set(REGION_NAMES)
    assert {code: region_of(code).name("fi") for code in ("105", "205", "290", "578", "620", "697", "765", "777")} == dict.fromkeys(
        ("105", "205", "290", "578", "620", "697", "765", "777"), "Kainuu")
    assert [region_of(code).name("sv") for code in ("231", "287", "545")] == ["Österbotten"] * 3
    assert region_of("091").name("en") == "Uusimaa" and region_of("999") is None and region_of(None) is None


def test_the_pilot_report_shows_its_invoices_issued_and_credited(shipped: Path, tmp_path: Path) -> None:
    """Once `kopa invoice` has written the ledger, the starter package lists the pilot's invoices
    and credit notes (and no other pilot's), in Markdown and HTML."""
    git = ["git", "-c", "user.name=kopa", "-c", "user.email=kopa@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=shipped, check=True)
    subprocess.run([*git, "add", "-A"], cwd=shipped, check=True)
    subprocess.run([*git, "commit", "-qm", "records"], cwd=shipped, check=True)
    before = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", workspace=shipped).stdout
    assert "## Laskut" not in before  # no ledger yet
    out = ["--out", str(tmp_path / "invoices")]
    assert run_kopa("invoice", "issue", "--year", "2020", "--date", "2020-03-02", *out, workspace=shipped).exit_code == 0
    assert run_kopa("invoice", "credit", "20200002", "--reason", "<b>väärä</b>", "--date", "2020-03-09", *out, workspace=shipped).exit_code == 0
    markdown = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", workspace=shipped).stdout
    section = markdown[markdown.index("## Laskut"):markdown.index("## Yhteyshenkilöt")].replace("\u00a0", " ")
    assert "| 20200001 | 2.3.2020 | 2020 | Kajaanin kaupunki | 1 666,67 € | 400,00 € | 2 066,67 € | avoin |" in section
    assert "| 20200002 | 2.3.2020 | 2020 | Sotkamon kunta | 1 666,66 € | 400,00 € | 2 066,66 € | hyvitetty |" in section
    assert "| 20200012 | 9.3.2020 | 2020 | Sotkamon kunta | -1 666,66 € | -400,00 € | -2 066,66 € | hyvityslasku → 20200002: &lt;b>väärä&lt;/b> |" in section
    assert "narpes" not in section and "Närpes" not in section  # another pilot's invoices
    html = run_kopa("--lang", "sv", "report", "pilot", "--pilot", "kainuu-lukiot", "--format", "html", workspace=shipped).stdout
    assert "<h2>Fakturor</h2>" in html and "<td>krediterad</td>" in html
    assert "kreditnota → 20200002: &lt;b&gt;väärä&lt;/b&gt;</td>" in html


def test_the_pilot_report_names_a_known_publisher_in_the_report_language(shipped: Path) -> None:
    """The statistics record says "Tilastokeskus"; a Swedish or English report says the
    publisher's name in its language, and a publisher kopa does not know is shown as written."""
    statistics = shipped / "records/statistics/vaesto-2019.yaml"
    assert 'source: "Tilastokeskus"' in statistics.read_text(encoding="utf-8")
    said = {lang: run_kopa("--lang", lang, "report", "pilot", "--pilot", "kainuu-lukiot", workspace=shipped).stdout for lang in ("fi", "sv", "en")}
    assert "Lähde: Tilastokeskus, taulukko 11re" in said["fi"]
    assert "Källa: Statistikcentralen, tabell 11re" in said["sv"]
    assert "Source: Statistics Finland, table 11re" in said["en"]
    assert 'source: "Tilastokeskus"' in statistics.read_text(encoding="utf-8")
    statistics.write_text(statistics.read_text(encoding="utf-8").replace('source: "Tilastokeskus"', 'source: "Kainuun liitto"'), encoding="utf-8")
    assert "Källa: Kainuun liitto, tabell 11re" in run_kopa("--lang", "sv", "report", "pilot", "--pilot", "kainuu-lukiot", workspace=shipped).stdout
