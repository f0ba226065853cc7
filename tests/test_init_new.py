"""kopa init, kopa new and the template environment, through the real CLI on real files."""

from __future__ import annotations

import json
import os
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import build_tree, copy_shipped_workspace, run_kopa
from kopa_cli import __version__
from kopa_cli.render import templating
from kopa_cli.core.i18n import set_language
from kopa_cli.load.yamlparse import parse_yaml


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its content: to show that a refused command changed nothing."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _report(root: Path) -> dict:
    result = run_kopa("validate", "--format", "json", "--no-cache", workspace=root)
    return json.loads(result.stdout)


def _codes(report: dict, path: str) -> list[tuple[str, str]]:
    return [(d["code"], d["message"]) for d in report["diagnostics"] if d["path"] == path]


@pytest.fixture
def finnish():
    """For calling the template module directly: the language a CLI run would have chosen."""
    set_language("fi")
    yield
    set_language(None)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    assert run_kopa("init", str(root)).exit_code == 0
    return root


# kopa init


def test_init_creates_a_workspace_that_validates(tmp_path):
    root = tmp_path / "uusi"
    result = run_kopa("init", str(root))
    assert result.exit_code == 0
    assert sorted(_tree(root)) == [
        ".gitignore",  # out/ and the ledger's lock files
        "records/applications/.gitkeep",
        "records/call.yaml",
        "records/organizations/.gitkeep",
        "records/pilots/.gitkeep",
        "schemas/application.schema.json",  # for editors (tests/test_schema_command.py)
        "schemas/call.schema.json",
        "schemas/invoice.schema.json",
        "schemas/organization.schema.json",
        "schemas/pilot.schema.json",
        "schemas/statistics.schema.json",
    ]
    assert "records/call.yaml" in result.stdout
    assert "kopa new organization" in result.stdout  # the next step
    assert (root / ".gitignore").read_text(encoding="utf-8").splitlines()[1:4:2] == ["out/", "records/invoices/.*.lock"]
    checked = run_kopa("validate", "--format", "json", workspace=root)
    assert checked.exit_code == 0  # valid; but not ready to invoice, which --strict refuses:
    report = json.loads(checked.stdout)
    assert report["errors"] == 0
    # a warning (KOPA609) for each invented value the template marks KORVAA, on its line or,
    # for a mapping (address:), on its first line below
    lines = (root / "records" / "call.yaml").read_text(encoding="utf-8").splitlines()
    marked = [number for number, line in enumerate(lines, 1) if "KORVAA" in line.split("#", 1)[-1] and not line.lstrip().startswith("#")]
    warned = [d["line"] for d in report["diagnostics"]]
    assert {d["code"] for d in report["diagnostics"]} == {"KOPA609"}
    assert len(warned) == len(marked) and all(w in (m, m + 1) for w, m in zip(warned, marked))
    assert run_kopa("validate", "--strict", workspace=root).exit_code == 1


def test_init_shows_the_cd_command_quoted_for_the_shell(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run_kopa("init", "my ä ws")
    assert result.exit_code == 0 and "\n  cd 'my ä ws'\n" in result.stdout
    assert "\n  cd plain\n" in run_kopa("init", "plain").stdout


def test_init_defaults_to_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_kopa("init").exit_code == 0
    assert (tmp_path / "records" / "call.yaml").is_file()


def test_init_skeleton_holds_the_kopa_calls_rules(workspace):
    text = (workspace / "records" / "call.yaml").read_text(encoding="utf-8")
    data, _origin, problems = parse_yaml(text, "records/call.yaml")
    assert problems == []
    assert data["deadline"].isoformat() == "2019-12-13" and data["max_chars"] == 5000
    assert data["required"] == ["name", "responsible", "members", "goal", "goals", "education_forms", "plan"]
    assert data["fee"]["annual"] == "5000.00" and data["fee"]["currency"] == "EUR"
    assert data["fee"]["vat"]["2013-01-01"] == "24" and data["fee"]["vat"]["2024-09-01"] == "25.5"
    assert sorted(data["goals"]) == [1, 2, 3, 4, 5]
    assert "ammatillinen koulutus" in data["education_forms"]
    # the organiser's details are examples, marked so that nobody invoices with them
    for key in ("business_id", "iban", "bic", "address"):
        line = next(line for line in text.splitlines() if line.strip().startswith(f"{key}:"))
        assert "KORVAA" in line, line


def test_init_refuses_an_existing_workspace_and_changes_nothing(workspace):
    call = workspace / "records" / "call.yaml"
    call.write_text(call.read_text(encoding="utf-8") + "# omat muutokset\n", encoding="utf-8")
    before = _tree(workspace)
    result = run_kopa("init", str(workspace))
    assert result.exit_code == 2
    assert "on jo olemassa" in result.stderr and "call.yaml" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(workspace) == before


def test_init_keeps_files_already_in_the_folder(tmp_path):
    build_tree(tmp_path, {"README.md": "oma\n", "records/organizations/.gitkeep": "pidä\n"})
    assert run_kopa("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / "README.md").read_text() == "oma\n"
    assert (tmp_path / "records/organizations/.gitkeep").read_text() == "pidä\n"


def test_init_into_a_file_is_a_clear_error(tmp_path):
    build_tree(tmp_path, {"tiedosto": "x\n"})
    result = run_kopa("init", str(tmp_path / "tiedosto"))
    assert result.exit_code == 2
    assert "ei voi luoda" in result.stderr and "Traceback" not in result.output


def test_version():
    result = run_kopa("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"kopa {__version__}"


# kopa new


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("organization", "records/organizations/kainuun-opisto.yaml"),
        ("application", "records/applications/kainuun-opisto.md"),
        ("pilot", "records/pilots/kainuun-opisto.yaml"),
    ],
)
def test_new_creates_a_readable_record(workspace, kind, path):
    result = run_kopa("new", kind, "kainuun-opisto", workspace=workspace)
    assert result.exit_code == 0
    assert (workspace / path).is_file()
    assert path in result.stdout
    problems = _codes(_report(workspace), path)
    assert problems, "a fresh skeleton must tell what to fill in"
    # it parses: no problem with reading the file, only with what is still to be written
    assert not [code for code, _message in problems if code.startswith("KOPA1")], problems


def test_new_application_asks_for_the_calls_six_contents_in_its_words(workspace):
    assert run_kopa("new", "application", "kainuu-lukiot", workspace=workspace).exit_code == 0
    path = "records/applications/kainuu-lukiot.md"
    text = (workspace / path).read_text(encoding="utf-8")
    for heading in (
        "Pilottikohteen nimi",
        "Vastuuorganisaatio ja vastuuhenkilö",
        "Yhteistyöalue, kunnat ja/tai koulutuksen järjestäjät",
        "Alueellinen tavoite tai haaste ja sen kytkeytyminen projektin tavoitteisiin",
        "Tarkastelussa mukana olevat koulutusmuodot",
        "Lyhyt kuvaus, miten kehittämistyö on ajateltu toteuttaa",
    ):
        assert heading in text
    assert "call: kopa-2020" in text and "13.12.2019" in text
    required = {message.split("(")[1].split(")")[0] for code, message in _codes(_report(workspace), path) if code == "KOPA301"}
    assert required == {"name", "members", "goal", "goals", "education_forms", "plan"}


def test_new_pilot_copies_members_and_responsible_from_its_application(tmp_path):
    root = copy_shipped_workspace(tmp_path)
    (root / "records/pilots/kainuu-lukiot.yaml").unlink()
    assert run_kopa("new", "pilot", "kainuu-lukiot", workspace=root).exit_code == 0
    data, _origin, problems = parse_yaml((root / "records/pilots/kainuu-lukiot.yaml").read_text(encoding="utf-8"), "p.yaml")
    assert problems == []
    assert data["application"] == "kainuu-lukiot"
    assert [m["org"] for m in data["members"]] == ["kajaani", "sotkamo", "kuhmo", "kainuun-ammattiopisto"]
    assert data["responsible"]["organization"] == "kajaani"
    assert data["responsible"]["person"]["name"] == "Tuula Heikkinen"
    # what is left to write is each member's decision
    left = {message for code, message in _codes(_report(root), "records/pilots/kainuu-lukiot.yaml")}
    # named as staff know them, members counted from 1 and named (issue 6, §10)
    members = ["kajaani", "sotkamo", "kuhmo", "kainuun-ammattiopisto"]
    labels = {"date": "päätöksen päivämäärä", "body": "toimielin"}
    assert left == {
        f"kenttä {labels[key]} ({number}. jäsen '{org}' → approval → {key}) on tyhjä"
        for number, org in enumerate(members, 1) for key in ("date", "body")
    }


@pytest.mark.parametrize("bad_id", ["../x", "a/b", "Kajaani", "", "a" * 65, "-x", "x-", "a--b", "a_b", "kajaani.yaml", "ä"])
def test_new_refuses_a_bad_id(workspace, bad_id):
    before = _tree(workspace)
    result = run_kopa("new", "organization", "--", bad_id, workspace=workspace)  # "--": "-x" is no option
    assert result.exit_code == 2
    assert f"'{bad_id}' ei kelpaa tunnisteeksi" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(workspace) == before


def test_new_accepts_an_id_of_64_characters(workspace):
    assert run_kopa("new", "organization", "a" * 64, workspace=workspace).exit_code == 0


def test_new_refuses_a_bad_id_even_outside_a_workspace(tmp_path):
    result = run_kopa("new", "organization", "../x", workspace=tmp_path)
    assert result.exit_code == 2 and "ei kelpaa tunnisteeksi" in result.stderr


def test_new_refuses_an_unknown_kind(workspace):
    assert run_kopa("new", "invoice", "x", workspace=workspace).exit_code == 2


@pytest.mark.parametrize(
    ("kind", "existing"),
    [
        ("organization", "records/organizations/kajaani.yaml"),
        ("application", "records/applications/kajaani.md"),
        ("application", "records/applications/kajaani.yaml"),  # the same id in the other form
        ("pilot", "records/pilots/kajaani.yaml"),
    ],
)
def test_new_never_overwrites(workspace, kind, existing):
    build_tree(workspace, {existing: "# käsin kirjoitettu\nname: Kajaanin kaupunki\n"})
    before = _tree(workspace)
    result = run_kopa("new", kind, "kajaani", workspace=workspace)
    assert result.exit_code == 2
    assert existing in result.stderr and "on jo olemassa" in result.stderr
    assert _tree(workspace) == before


def test_new_never_overwrites_through_a_link(workspace, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("alkuperäinen\n")
    link = workspace / "records/organizations/kajaani.yaml"
    os.symlink(outside, link)
    assert run_kopa("new", "organization", "kajaani", workspace=workspace).exit_code == 2
    assert outside.read_text() == "alkuperäinen\n"


def test_new_leaves_no_temporary_files(workspace):
    assert run_kopa("new", "organization", "kajaani", workspace=workspace).exit_code == 0
    assert sorted(p.name for p in (workspace / "records/organizations").iterdir()) == [".gitkeep", "kajaani.yaml"]


# Templates: workspace overrides, the sandbox, strict names


def test_a_workspace_template_overrides_the_built_in_one(workspace):
    build_tree(workspace, {"templates/new/organization.yaml.j2": (
        "# Oma pohjamme\nname: {{ ('Org ' ~ id) | yaml_str }}\ntype: municipality\n"
    )})
    assert run_kopa("new", "organization", "kajaani", workspace=workspace).exit_code == 0
    assert (workspace / "records/organizations/kajaani.yaml").read_text() == (
        '# Oma pohjamme\nname: "Org kajaani"\ntype: municipality\n'
    )
    # the kinds it does not override still come from kopa
    assert run_kopa("new", "pilot", "kajaani", workspace=workspace).exit_code == 0
    assert "Valittu pilotti" in (workspace / "records/pilots/kajaani.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "unsafe",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ id.__class__.__base__.__subclasses__() }}",
        "{{ call.__init__.__globals__ }}",
        "{{ '{0.__class__}'.format(id) }}",
        "{{ id | attr('__class__') }}",
    ],
)
def test_the_sandbox_refuses_unsafe_template_code(workspace, unsafe):
    build_tree(workspace, {"templates/new/organization.yaml.j2": f"name: x\n{unsafe}\n"})
    before = _tree(workspace)
    result = run_kopa("new", "organization", "kajaani", workspace=workspace)
    assert result.exit_code == 1
    assert "templates/new/organization.yaml.j2, rivi 2: mallipohja yritti jotakin, mikä ei ole sallittua" in result.stderr
    assert "Traceback" not in result.output
    assert _tree(workspace) == before


def test_a_misspelt_name_fails_naming_the_template_and_line(workspace):
    build_tree(workspace, {"templates/new/organization.yaml.j2": "# {{ id }}\nname: x\ntype: {{ tyyppi }}\n"})
    result = run_kopa("--lang", "en", "new", "organization", "kajaani", workspace=workspace)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "kopa: templates/new/organization.yaml.j2, line 3: 'tyyppi' is undefined; check the spelling of the name"
    )
    assert not (workspace / "records/organizations/kajaani.yaml").exists()


def test_a_misspelt_attribute_fails_too(workspace):
    build_tree(workspace, {"templates/new/application.md.j2": "---\ncall: {{ call.idd }}\n---\n"})
    result = run_kopa("new", "application", "kajaani", workspace=workspace)
    assert result.exit_code == 1
    assert "templates/new/application.md.j2, rivi 2:" in result.stderr and "idd" in result.stderr


def test_a_template_syntax_error_names_the_line(workspace):
    build_tree(workspace, {"templates/new/organization.yaml.j2": "name: x\n\n{% if %}\n"})
    result = run_kopa("new", "organization", "kajaani", workspace=workspace)
    assert result.exit_code == 1
    assert "templates/new/organization.yaml.j2, rivi 3: mallipohjan syntaksivirhe" in result.stderr


def test_a_template_that_gives_broken_yaml_writes_nothing(workspace):
    build_tree(workspace, {"templates/new/organization.yaml.j2": "name: [x\n"})
    before = _tree(workspace)
    result = run_kopa("new", "organization", "kajaani", workspace=workspace)
    assert result.exit_code == 1
    assert "templates/new/organization.yaml.j2" in result.stderr and "YAML-syntaksivirhe" in result.stderr
    assert _tree(workspace) == before


def test_a_template_may_not_link_out_of_its_folder(workspace, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("salasana\n")
    (workspace / "templates/new").mkdir(parents=True)
    os.symlink(secret, workspace / "templates/new/organization.yaml.j2")
    result = run_kopa("new", "organization", "kajaani", workspace=workspace)
    assert result.exit_code == 1
    assert "mallipohjakansion ulkopuolella" in result.stderr
    assert not (workspace / "records/organizations/kajaani.yaml").exists()


def test_a_workspace_template_for_init_is_used(tmp_path):
    build_tree(tmp_path, {"templates/init/call.yaml.j2": "id: oma-haku\n"})
    assert run_kopa("init", str(tmp_path)).exit_code == 0
    assert (tmp_path / "records/call.yaml").read_text() == "id: oma-haku\n"


# The environment and its filters, on real template files


def test_html_and_xml_are_escaped_yaml_and_markdown_are_not(tmp_path):
    value = "<b>Kajaani & Sotkamo</b>"
    build_tree(tmp_path, {
        "templates/t.html.j2": "{{ v }}", "templates/t.xml.j2": "{{ v }}",
        "templates/t.yaml.j2": "{{ v }}", "templates/t.md.j2": "{{ v }}",
    })
    escaped = "&lt;b&gt;Kajaani &amp; Sotkamo&lt;/b&gt;"
    assert templating.render(tmp_path, "t.html.j2", v=value) == escaped
    assert templating.render(tmp_path, "t.xml.j2", v=value) == escaped
    assert templating.render(tmp_path, "t.yaml.j2", v=value) == value
    assert templating.render(tmp_path, "t.md.j2", v=value) == value


def test_money_date_and_number_filters_follow_the_language(tmp_path):
    from datetime import date

    build_tree(tmp_path, {"templates/t.txt.j2": "{{ a | money }}|{{ d | date }}|{{ n | number }}|{{ r | percent }}\n"})
    context = {"a": Decimal("1666.67"), "d": date(2019, 12, 13), "n": 4812, "r": Decimal("25.5")}
    try:
        set_language("fi")
        assert templating.render(tmp_path, "t.txt.j2", **context) == "1\u00a0666,67\u00a0€|13.12.2019|4\u00a0812|25,5\u00a0%\n"
        set_language("en")
        assert templating.render(tmp_path, "t.txt.j2", **context) == "€1,666.67|2019-12-13|4,812|25.5\u00a0%\n"
    finally:
        set_language(None)


def test_record_values_are_data_never_template_source(tmp_path):
    build_tree(tmp_path, {"templates/t.yaml.j2": "name: {{ v | yaml_str }}\n"})
    out = templating.render(tmp_path, "t.yaml.j2", v="{{ 7 * 7 }}\nevil: true")
    assert out == 'name: "{{ 7 * 7 }}\\nevil: true"\n'
    data, _origin, problems = parse_yaml(out, "t.yaml")
    assert problems == [] and data == {"name": "{{ 7 * 7 }}\nevil: true"}


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_yaml_str_reads_back_as_the_same_text(text):
    data, _origin, problems = parse_yaml(f"key: {templating.yaml_str(text)}  # comment\nother: 1\n", "t.yaml")
    assert problems == []
    # the same text in NFC, as kopa reads every text (a decomposed "ä" is one character)
    assert data == {"key": unicodedata.normalize("NFC", text), "other": 1}


def test_built_in_templates_are_found_from_a_source_checkout():
    assert (templating.builtin_templates() / "new" / "application.md.j2").is_file()


def test_an_include_of_a_missing_template_names_the_including_line(workspace):
    build_tree(workspace, {"templates/new/organization.yaml.j2": "name: x\n{% include 'puuttuva.j2' %}\n"})
    result = run_kopa("--lang", "en", "new", "organization", "kajaani", workspace=workspace)
    assert result.exit_code == 1
    assert "templates/new/organization.yaml.j2, line 2: no template 'puuttuva.j2' in" in result.stderr


def test_money_is_never_formatted_from_a_float(tmp_path, finnish):
    build_tree(tmp_path, {"templates/t.txt.j2": "\n{{ a | money }}\n"})
    assert templating.render(tmp_path, "t.txt.j2", a="5000.00").strip() == "5\u00a0000,00\u00a0€"
    with pytest.raises(templating.TemplateFailed) as failure:
        templating.render(tmp_path, "t.txt.j2", a=0.1)
    assert "templates/t.txt.j2" in failure.value.message and "0.1" in failure.value.message and "5000.00" in failure.value.message
    assert failure.value.kwargs["line"] == 2
