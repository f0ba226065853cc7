"""kopa fmt: the canonical layout (docs/records.md), every comment kept, data never changed;
--check and --diff; files kopa cannot read, and the invoice ledger, left byte for byte."""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

from conftest import SHIPPED_RECORDS, build_tree, copy_shipped_workspace, run_kopa
from test_cases import CASES
from kopa_cli.load.kinds import BY_NAME
from kopa_cli.load.markdowndoc import parse_markdown_application
from kopa_cli.load.recordfiles import kind_of
from kopa_cli.load.yamlparse import parse_yaml
from kopa_cli.render.canonical import format_record

MODELINE = "# yaml-language-server: $schema=../../schemas/pilot.schema.json\n"

# A hand-written pilot: keys out of order, comments everywhere (a modeline first, a header,
# above keys and list items, at line ends, inside a block mapping, at the end), non-ASCII.
PILOT = MODELINE + """\
# Keksitty pilotti: kommentteja joka paikassa.

# Jäsenet ja hyväksynnät
members:   # jäsenet järjestyksessä
  # Kajaani ensin
  - approval: {body: Kaupunginhallitus, date: 2020-01-20, reference: '§ 12'}   # pöytäkirja
    # kustannuspaikka
    buyer_reference: Kustannuspaikka 4410
    org: kajaani
  - org: sotkamo
    approval:
      date: 2020-01-27
      body: Sivistyslautakunta   # lautakunta
  - {org: kuhmo, approval: {date: 2020-02-03, body: Kaupunginhallitus, reference: "§ 31"}}
split: equal
application: kainuu-lukiot   # hakemus
years:
  - 2020   # ensimmäinen vuosi
  - 2021
name: 'Kainuun lukioverkko'
# loppukommentti
"""

PILOT_CANONICAL = MODELINE + """\
# Keksitty pilotti: kommentteja joka paikassa.

application: kainuu-lukiot   # hakemus
name: 'Kainuun lukioverkko'
years:
  - 2020   # ensimmäinen vuosi
  - 2021
split: equal
# Jäsenet ja hyväksynnät
members:   # jäsenet järjestyksessä
  # Kajaani ensin
  - org: kajaani
    approval: {date: 2020-01-20, body: Kaupunginhallitus, reference: '§ 12'}   # pöytäkirja
    # kustannuspaikka
    buyer_reference: Kustannuspaikka 4410
  - org: sotkamo
    approval:
      date: 2020-01-27
      body: Sivistyslautakunta   # lautakunta
  - org: kuhmo
    approval: {date: 2020-02-03, body: Kaupunginhallitus, reference: "§ 31"}
# loppukommentti
"""

# Codes quoted, ids and e-mail plain, key order of the definition, population by year.
ORGANIZATION = """\
population: {2019: 36709, 2018: 36900}
billing_email: "laskut@kajaani.example.fi"
einvoice: {operator: '003721291126', address: '003722353886'}
address:
  postcode: '87100'
  street: Kauppakatu 1
  city: Kajaani
business_id: 2235388-6
municipality_code: '205'
type: municipality
name: Kajaanin kaupunki
"""

ORGANIZATION_CANONICAL = """\
name: Kajaanin kaupunki
type: municipality
municipality_code: "205"
business_id: "2235388-6"
address: {street: Kauppakatu 1, postcode: "87100", city: Kajaani}
einvoice: {address: "003722353886", operator: "003721291126"}
billing_email: laskut@kajaani.example.fi
population: {2018: 36900, 2019: 36709}
"""

# A Markdown application with a byte order mark and CRLF line endings, its sections in the
# wrong order and spaced unevenly.
APPLICATION_MD = (
    "\ufeff---\r\n# Hakemus: BOM ja CRLF.\r\nstatus: selected\r\nname: Kyläkoulu – Ylä-Kainuu\r\n"
    "call: kopa-2020\r\nsubmitted: 2019-12-12\r\nmembers: [suomussalmi,   hyrynsalmi]\r\n---\r\n\r\n"
    "## Lyhyt kuvaus, miten kehittämistyö on ajateltu toteuttaa\r\nSuunnitelma: *kaksi* vaihetta.\r\n\r\n\r\n"
    "## Alueellinen tavoite tai haaste\r\n\r\nTavoite ä.\r\n"
)
APPLICATION_MD_CANONICAL = (
    "\ufeff---\r\n# Hakemus: BOM ja CRLF.\r\nname: Kyläkoulu – Ylä-Kainuu\r\ncall: kopa-2020\r\n"
    "submitted: 2019-12-12\r\nstatus: selected\r\nmembers: [suomussalmi, hyrynsalmi]\r\n---\r\n"
    "## Alueellinen tavoite tai haaste\r\n\r\nTavoite ä.\r\n\r\n"
    "## Lyhyt kuvaus, miten kehittämistyö on ajateltu toteuttaa\r\n\r\nSuunnitelma: *kaksi* vaihetta.\r\n"
)


def formatted(path: str, text: str | bytes) -> bytes | None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return format_record(BY_NAME[kind_of(path)].record, path, data).data


@pytest.mark.parametrize(
    ("path", "text", "canonical"),
    [
        ("records/pilots/kainuu-lukiot.yaml", PILOT, PILOT_CANONICAL),
        ("records/organizations/kajaani.yaml", ORGANIZATION, ORGANIZATION_CANONICAL),
        ("records/applications/ylakainuu.md", APPLICATION_MD, APPLICATION_MD_CANONICAL),
    ],
    ids=["pilot-comments-everywhere", "organization-quoting", "markdown-bom-crlf"],
)
def test_canonical_layout_keeps_every_comment(path: str, text: str, canonical: str) -> None:
    assert formatted(path, text) == canonical.encode("utf-8")
    assert formatted(path, canonical) == canonical.encode("utf-8")  # formatting twice = once


def test_a_value_of_the_wrong_type_is_left_as_written() -> None:
    """A bare 5000.00 is a float: quoting it would change what it means (kopa validate reports it)."""
    text = (SHIPPED_RECORDS / "call.yaml").read_text(encoding="utf-8").replace('annual: "5000.00"', "annual: 5000.00")
    assert "annual: 5000.00 " in formatted("records/call.yaml", text).decode("utf-8")


def test_long_lists_and_mappings_are_block_and_mappings_of_a_list_alike() -> None:
    text = (
        "name: Yhteinen kontakti\ncall: kopa-2020\nsubmitted: 2019-12-01\nstatus: submitted\n"
        "education_forms: [varhaiskasvatus, perusopetus, lukiokoulutus, ammatillinen koulutus, vapaa sivistystyö]\n"
        "goals:\n  - 1\n  - 2\n"
    )
    assert formatted("records/applications/x.yaml", text).decode() == (
        "name: Yhteinen kontakti\ncall: kopa-2020\nsubmitted: 2019-12-01\nstatus: submitted\n"
        "education_forms:\n  - varhaiskasvatus\n  - perusopetus\n  - lukiokoulutus\n  - ammatillinen koulutus\n"
        "  - vapaa sivistystyö\ngoals: [1, 2]\n"
    )
    call = (SHIPPED_RECORDS / "call.yaml").read_text(encoding="utf-8")
    # one contact fits on a line, the other does not: both in block style
    assert "    - name: Irmeli Myllymäki\n      title: kehittämispäällikkö\n" in formatted("records/call.yaml", call).decode()


def test_every_case_file_is_formatted_once_or_left_alone() -> None:
    """The validation corpus, hostile input included: each record file is either left alone
    with its problems, or formatted to the same data, and formatting twice changes nothing."""
    seen, done = 0, set()
    # the valid base and the cases of files kopa cannot read or whose shape is wrong (KOPA1xx, 2xx)
    for file in sorted([*CASES.glob("base/records/**/*"), *CASES.glob("bad/kopa[12]*/records/**/*")]):
        relative = "/".join(file.parts[file.parts.index("records"):])
        if file.is_symlink() or not file.is_file() or kind_of(relative) is None:
            continue
        data = file.read_bytes()
        if (relative, data) in done:  # the same file in another case
            continue
        done.add((relative, data))
        result = format_record(BY_NAME[kind_of(relative)].record, relative, data)
        assert not result.broken, file
        if result.data is not None:
            seen += 1
            assert formatted(relative, result.data) == result.data, file
    assert seen > 40


# The command


def test_shipped_records_are_canonical(tmp_path: Path) -> None:
    workspace = copy_shipped_workspace(tmp_path)
    result = run_kopa("fmt", "--check", workspace=workspace)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "0/26 asiakirjatiedostoa muutettaisiin vakiomuotoon" in result.stderr  # not the statistics


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    workspace = copy_shipped_workspace(tmp_path)
    return build_tree(workspace, {"records/pilots/kainuu-lukiot.yaml": PILOT, "records/organizations/kajaani.yaml": ORGANIZATION})


def snapshot(workspace: Path) -> dict[str, bytes]:
    return {p.relative_to(workspace).as_posix(): p.read_bytes() for p in sorted(workspace.rglob("*")) if p.is_file()}


def test_check_lists_the_files_that_would_change_and_writes_nothing(messy: Path) -> None:
    before = snapshot(messy)
    result = run_kopa("--lang", "en", "fmt", "--check", workspace=messy)
    assert result.exit_code == 1
    assert result.stdout == "would reformat records/organizations/kajaani.yaml\nwould reformat records/pilots/kainuu-lukiot.yaml\n"
    assert result.stderr == "2 of 26 record files would be reformatted\n"
    assert snapshot(messy) == before
    sv = run_kopa("--lang", "sv", "fmt", "--check", workspace=messy)
    assert sv.stdout.startswith("records/organizations/kajaani.yaml skulle skrivas om i standardformat\n")


def test_diff_shows_the_changes_and_writes_nothing(messy: Path) -> None:
    before = snapshot(messy)
    result = run_kopa("fmt", "--diff", str(messy / "records/organizations"), workspace=messy)
    assert result.exit_code == 0
    old, new = ORGANIZATION.splitlines(keepends=True), ORGANIZATION_CANONICAL.splitlines(keepends=True)
    path = "records/organizations/kajaani.yaml"
    assert result.stdout == "".join(difflib.unified_diff(old, new, f"a/{path}", f"b/{path}"))
    assert result.stdout.startswith(f"--- a/{path}\n+++ b/{path}\n@@ -1,11 +1,8 @@\n-population:")
    assert snapshot(messy) == before


def test_fmt_writes_atomically_and_then_check_passes(messy: Path) -> None:
    result = run_kopa("--lang", "en", "fmt", workspace=messy)
    assert result.exit_code == 0
    assert result.stdout == "reformatted records/organizations/kajaani.yaml\nreformatted records/pilots/kainuu-lukiot.yaml\n"
    assert (messy / "records/pilots/kainuu-lukiot.yaml").read_text(encoding="utf-8") == PILOT_CANONICAL
    assert (messy / "records/organizations/kajaani.yaml").read_text(encoding="utf-8") == ORGANIZATION_CANONICAL
    names = {p.name for p in (messy / "records").rglob("*")}
    assert not [name for name in names if name.startswith(".") or name.endswith(".tmp")]  # no temporary file left
    assert run_kopa("fmt", "--check", workspace=messy).exit_code == 0


def test_paths_limit_the_files(messy: Path) -> None:
    result = run_kopa("--lang", "en", "fmt", str(messy / "records/pilots"), workspace=messy)
    assert result.stdout == "reformatted records/pilots/kainuu-lukiot.yaml\n"
    assert (messy / "records/organizations/kajaani.yaml").read_text(encoding="utf-8") == ORGANIZATION
    missing = run_kopa("fmt", str(messy / "records/nothing"), workspace=messy)
    assert missing.exit_code == 2


def test_a_file_with_a_yaml_error_is_left_untouched_and_reported(messy: Path) -> None:
    broken = "name: Kuhmon kaupunki\ntype: municipality\naddress: {street: Kainuuntie 10, city: Kuhmo\nbusiness_id: 1095096-6\n"
    build_tree(messy, {"records/organizations/kuhmo.yaml": broken})
    validate = run_kopa("--lang", "en", "validate", str(messy / "records/organizations/kuhmo.yaml"), workspace=messy)
    located = [line for line in validate.stdout.splitlines() if line.startswith("records/organizations/kuhmo.yaml:")]
    for options in ((), ("--check",)):
        result = run_kopa("--lang", "en", "fmt", *options, workspace=messy)
        assert result.exit_code == 1
        assert (messy / "records/organizations/kuhmo.yaml").read_bytes() == broken.encode()
        assert located and result.stderr.splitlines()[: len(located)] == located  # as kopa validate says it
        assert "; 1 left as it is: kopa cannot read it (see above)" in result.stderr
    assert (messy / "records/pilots/kainuu-lukiot.yaml").read_text(encoding="utf-8") == PILOT_CANONICAL  # the others done


def test_the_invoice_ledger_and_statistics_are_never_touched(messy: Path) -> None:
    ledger = (
        "- {number: '20200001', kind: invoice,   date: 2020-03-02}   # issued\n"
        "-   number: '20200002'\n     kind: invoice\n"
    ).encode()
    build_tree(messy, {"records/invoices/2020.yaml": ledger})
    check = run_kopa("--lang", "en", "fmt", "--check", str(messy / "records/invoices"), workspace=messy)
    assert check.exit_code == 0 and check.stdout == ""
    run_kopa("fmt", workspace=messy)
    run_kopa("fmt", str(messy / "records/invoices/2020.yaml"), workspace=messy)
    assert (messy / "records/invoices/2020.yaml").read_bytes() == ledger
    statistics = messy / "records/statistics/vaesto-2019.yaml"  # laid out by kopa stats import
    assert statistics.read_bytes() == (SHIPPED_RECORDS / "statistics/vaesto-2019.yaml").read_bytes()


def test_a_crlf_file_stays_crlf_and_a_bom_stays(tmp_path: Path) -> None:
    workspace = copy_shipped_workspace(tmp_path)
    path = workspace / "records/organizations/kajaani.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + ORGANIZATION.replace("\n", "\r\n").encode())
    run_kopa("fmt", workspace=workspace)
    assert path.read_bytes() == b"\xef\xbb\xbf" + ORGANIZATION_CANONICAL.replace("\n", "\r\n").encode()


# Generated records: the shipped ones in random layouts


SCRAMBLED = (
    "records/call.yaml",
    "records/organizations/kajaani.yaml",
    "records/pilots/kainuu-lukiot.yaml",
    "records/pilots/sydosterbotten-utbildning.yaml",
    "records/applications/kainuu-jatkuva-oppiminen.yaml",
    "records/applications/kainuu-lukiot.md",
)
INDENTS = [(2, 4, 2), (2, 2, 0), (4, 6, 4), (3, 3, 0)]  # mapping, sequence, offset


def scrambled_value(value, draw):
    """The same data in a random layout: keys shuffled, flow or block style, any quoting."""
    if isinstance(value, CommentedMap):
        keys = draw(st.permutations(list(value)))
        items = [(key, scrambled_value(value.pop(key), draw)) for key in keys]
        for key, item in items:
            value[key] = item
        if not any(isinstance(v, (CommentedMap, CommentedSeq)) or (isinstance(v, str) and "\n" in v) for v in value.values()):
            value.fa.set_flow_style() if draw(st.booleans()) else value.fa.set_block_style()
        return value
    if isinstance(value, CommentedSeq):
        items = [scrambled_value(item, draw) for item in value]
        del value[:]
        value.extend(items)
        if not any(isinstance(v, (CommentedMap, CommentedSeq)) for v in value):
            value.fa.set_flow_style() if draw(st.booleans()) else value.fa.set_block_style()
        return value
    if isinstance(value, str) and "\n" not in value:
        return draw(st.sampled_from([str, DoubleQuotedScalarString, SingleQuotedScalarString]))(value)
    return value


def scrambled_yaml(text: str, draw) -> str:
    yaml = YAML()
    yaml.width = 4096
    yaml.indent(*dict(zip(("mapping", "sequence", "offset"), draw(st.sampled_from(INDENTS)))).values())
    root = scrambled_value(yaml.load(text), draw)
    out = io.StringIO()
    yaml.dump(root, out)
    lines, result, in_block = out.getvalue().split("\n"), [], None
    for number, line in enumerate(lines[:-1]):
        indent = len(line) - len(line.lstrip(" "))
        if in_block is not None and (not line.strip() or indent > in_block):
            result.append(line)  # a line of block text: no comment can go here
            continue
        in_block = indent if line.rstrip().endswith(("|", "|-", ">", ">-")) else None
        if draw(st.integers(0, 4)) == 0:
            result.append(" " * indent + f"# kommentti {number} – ä")
        if in_block is None and draw(st.integers(0, 4)) == 0:
            line += f"   # loppu {number}"
        result.append(line)
    return "\n".join(result) + "\n"


def scrambled(path: str, text: str, draw) -> bytes:
    if path.endswith(".md"):
        _, front, body = text.split("---\n", 2)
        sections = ["## " + section for section in body.split("## ")[1:]]
        if draw(st.booleans()):
            sections.reverse()
        text = "---\n" + scrambled_yaml(front, draw) + "---\n" + "\n".join(sections)
    else:
        text = scrambled_yaml(text, draw)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return (("\ufeff" if draw(st.booleans()) else "") + text).encode("utf-8")


def outputs(workspace: Path) -> tuple[str, str]:
    validate = run_kopa("--lang", "en", "validate", "--no-cache", "--format", "json", workspace=workspace)
    fees = run_kopa("--lang", "en", "fees", "--no-cache", "--format", "json", workspace=workspace)
    return validate.stdout, fees.stdout


@settings(max_examples=6, suppress_health_check=[HealthCheck.too_slow], phases=[Phase.explicit, Phase.reuse, Phase.generate])  # no minutes of shrinking
@given(st.data())
def test_formatting_generated_records_keeps_data_and_results(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    workspace = copy_shipped_workspace(tmp_path_factory.mktemp("generated"))
    shipped = {path: (SHIPPED_RECORDS.parent / path).read_text(encoding="utf-8") for path in SCRAMBLED}
    paths = data.draw(st.lists(st.sampled_from(sorted(shipped)), min_size=1, max_size=3, unique=True))
    build_tree(workspace, {path: scrambled(path, shipped[path], data.draw) for path in paths})
    written = {path: (workspace / path).read_bytes() for path in paths}
    expected = outputs(workspace)

    assert run_kopa("fmt", workspace=workspace).exit_code == 0
    assert outputs(workspace) == expected  # kopa validate and kopa fees: the same results
    for path in paths:
        once = (workspace / path).read_bytes()
        assert formatted(path, once) == once  # formatting twice = formatting once
        text_before, text_after = (data.decode("utf-8-sig").replace("\r\n", "\n") for data in (written[path], once))
        read = parse_markdown_application if path.endswith(".md") else parse_yaml
        assert read(text_after, path)[0] == read(text_before, path)[0]  # the data unchanged
        for number in range(200):  # every comment kept, once
            for comment in (f"# kommentti {number} – ä", f"# loppu {number}"):
                assert text_after.count(comment) == text_before.count(comment)
    assert run_kopa("fmt", "--check", workspace=workspace).exit_code == 0


def test_files_found_canonical_are_not_formatted_again(messy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_kopa("fmt", workspace=messy).exit_code == 0  # remembers every file as canonical

    def fails(*_: object) -> None:
        raise AssertionError("formatted again")

    monkeypatch.setattr("kopa_cli.commands.fmt.format_record", fails)
    assert run_kopa("fmt", "--check", workspace=messy).exit_code == 0
    assert run_kopa("fmt", "--check", "--no-cache", workspace=messy).exit_code == 3  # the bug guard: formatted
    monkeypatch.undo()
    build_tree(messy, {"records/organizations/kajaani.yaml": ORGANIZATION})  # changed: formatted again
    assert run_kopa("fmt", "--check", workspace=messy).exit_code == 1


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_new_records_are_canonical(tmp_path: Path, lang: str) -> None:
    """What kopa init and kopa new write passes kopa fmt --check (the CI template runs it),
    and their commented-out keys keep their indentation."""
    assert run_kopa("--lang", lang, "init", str(tmp_path)).exit_code == 0
    for kind in ("application", "pilot", "organization"):
        assert run_kopa("--lang", lang, "new", kind, "testi", workspace=tmp_path).exit_code == 0
    result = run_kopa("--lang", "en", "fmt", "--check", workspace=tmp_path)
    assert result.exit_code == 0
    assert result.stderr == "0 of 4 record files would be reformatted\n"  # the call and three new records
