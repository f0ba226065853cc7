"""Translations: every message id has a Finnish and a Swedish translation, compiled, and used.

A failure here usually means someone added or changed a message: run
`python scripts/update-catalogs`, translate what it lists, run it again (docs/development.md).
"""

from __future__ import annotations

import ast
import json
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from conftest import REPO, build_tree, copy_shipped_workspace, run_kopa

SOURCE = REPO / "kopa_cli"
LOCALE = SOURCE / "locale"
LANGUAGES = ("fi", "sv")
FIX = "run `python scripts/update-catalogs`, translate what it lists, and run it again"


def _extracted() -> dict[str, tuple[str, ...]]:
    """Every message id pybabel extracts from kopa_cli/, as scripts/update-catalogs does: key -> forms."""
    # parse_mapping_cfg is Babel >= 2.14's name; parse_mapping the older one
    parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
    with (REPO / "babel.cfg").open() as config:
        method_map, options_map = parse(config)
    found: dict[str, tuple[str, ...]] = {}
    keywords = {**DEFAULT_KEYWORDS, "N_plural": (1, 2)}  # as scripts/update-catalogs extracts
    for _filename, _line, message, _comments, _context in extract_from_dir(str(SOURCE), method_map, options_map, keywords=keywords):
        forms = tuple(message) if isinstance(message, (tuple, list)) else (message,)
        found[forms[0]] = forms
    return found


EXTRACTED = _extracted()


def _catalog(lang: str):
    with (LOCALE / lang / "LC_MESSAGES" / "kopa.po").open("rb") as file:
        return read_po(file)


def _key(message_id: str | tuple[str, ...] | list[str]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


def _fields(text: str) -> set[str]:
    """The {placeholders} of a str.format template (a ValueError for unbalanced braces)."""
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def test_extraction_finds_the_messages():
    assert len(EXTRACTED) > 100
    assert "Pilot name" in EXTRACTED
    assert EXTRACTED["Checked {n} file"] == ("Checked {n} file", "Checked {n} files")


def _literal_marked_ids() -> Iterator[tuple[str, int, str]]:
    """(file, line, id) of every _("..."), N_("...") and ngettext("...") call, found by Python's own parser."""
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_", "ngettext")
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            ):
                yield path.relative_to(REPO).as_posix(), node.lineno, node.args[0].value


def test_pybabel_sees_every_marked_message():
    # pybabel reads tokens, not syntax: on Python < 3.12 it cannot see _() inside an f-string, so
    # such a message is never translated. Write `title = _("...")` and use `{title}` instead.
    unseen = [f"{path}:{line}: {message!r}" for path, line, message in _literal_marked_ids() if message not in EXTRACTED]
    assert not unseen, "pybabel does not extract these message ids (inside an f-string?):\n" + "\n".join(unseen)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_id_has_a_translation(lang):
    catalog = _catalog(lang)
    problems = []
    for key, forms in EXTRACTED.items():
        message = catalog.get(key)
        if message is None:
            problems.append(f"missing: {key!r}")
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy (check it, then delete the '#, fuzzy' line): {key!r}")
        elif not all(strings):
            problems.append(f"not translated: {key!r}")
        if len(forms) > 1 and isinstance(message.id, str):
            problems.append(f"needs plural forms (msgid_plural): {key!r}")
    assert not problems, f"kopa_cli/locale/{lang}/LC_MESSAGES/kopa.po is out of date; {FIX}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    wrong = []
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        expected = set().union(*(_fields(i) for i in ids))
        for text in strings:
            if not text:
                continue
            try:
                got = _fields(text)
            except ValueError as error:
                wrong.append(f"{_key(message.id)!r}: {text!r} is not a valid format string ({error})")
                continue
            if got != expected:
                wrong.append(f"{_key(message.id)!r}: {text!r} has {sorted(got)}, the id has {sorted(expected)}")
    assert not wrong, f"placeholders differ in kopa_cli/locale/{lang}/LC_MESSAGES/kopa.po:\n" + "\n".join(wrong)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_plural_rule_is_the_languages_own(lang):
    assert _catalog(lang).plural_forms == "nplurals=2; plural=(n != 1);"


def _as_table(catalog, skip_fuzzy: bool) -> dict:
    table = {}
    for message in catalog:
        if not message.id or (skip_fuzzy and message.fuzzy):
            continue
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        if not all(strings):
            continue  # pybabel compile leaves untranslated messages out
        key = tuple(message.id) if isinstance(message.id, (tuple, list)) else message.id
        table[key] = tuple(strings)
    return table


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_compiled_catalog_is_the_current_po_file(lang):
    folder = LOCALE / lang / "LC_MESSAGES"
    with (folder / "kopa.mo").open("rb") as file:
        compiled = read_mo(file)
    assert _as_table(compiled, skip_fuzzy=False) == _as_table(_catalog(lang), skip_fuzzy=True), (
        f"{folder / 'kopa.mo'} is not compiled from the current kopa.po; {FIX}"
    )
    assert compiled.plural_forms == _catalog(lang).plural_forms


# The language of messages, end to end through the real CLI.

NAMELESS_APPLICATION = """\
call: kopa-2020
submitted: 2019-12-01
status: submitted
responsible:
  organization: kajaani
  person: {name: Testi Henkilö}
members: [kajaani, sotkamo]
education_forms: [lukiokoulutus]
goals: [1]
goal: Lukiokurssit yhteisesti.
plan: Kokeillaan yhteisiä kursseja.
"""
FINNISH = "hakemuksesta puuttuu haun edellyttämä kohta 'Pilottikohteen nimi' (name)"
ENGLISH = "the call requires 'Pilot name' (name); it is missing"
SWEDISH = "ansökan saknar punkten 'Pilotens namn' (name), som utlysningen kräver"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    copy_shipped_workspace(tmp_path)
    return build_tree(tmp_path, {"records/applications/nimeton.yaml": NAMELESS_APPLICATION})


def _messages(result) -> list[str]:
    return [d["message"] for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "KOPA301"]


def _set_call_language(root: Path, lang: str) -> None:
    call = root / "records" / "call.yaml"
    text = call.read_text(encoding="utf-8")
    assert "\nlanguage: fi\n" in text
    call.write_text(text.replace("\nlanguage: fi\n", f"\nlanguage: {lang}\n"), encoding="utf-8")


def test_messages_are_finnish_by_default(broken):
    result = run_kopa("validate", "--format", "json", workspace=broken)
    assert result.exit_code == 1
    assert _messages(result) == [FINNISH]


def test_lang_en_gives_english(broken):
    result = run_kopa("--lang", "en", "validate", "--format", "json", workspace=broken)
    assert result.exit_code == 1
    assert _messages(result) == [ENGLISH]


def test_lang_sv_gives_swedish(broken):
    result = run_kopa("--lang", "sv", "validate", "--format", "json", workspace=broken)
    assert _messages(result) == [SWEDISH]


def test_kopa_lang_environment_variable_gives_english(broken):
    result = run_kopa("validate", "--format", "json", workspace=broken, env={"KOPA_LANG": "en"})
    assert _messages(result) == [ENGLISH]


def test_the_calls_language_is_the_default(broken):
    _set_call_language(broken, "en")
    assert _messages(run_kopa("validate", "--format", "json", workspace=broken)) == [ENGLISH]
    # an explicit choice wins over the call's language
    assert _messages(run_kopa("--lang", "fi", "validate", "--format", "json", workspace=broken)) == [FINNISH]
    assert _messages(run_kopa("validate", "--format", "json", workspace=broken, env={"KOPA_LANG": "fi"})) == [FINNISH]


def test_text_report_summary_uses_finnish_plural_forms(broken):
    result = run_kopa("validate", workspace=broken)
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("Tarkistettu ") and last.endswith(": 1 virhe, 0 varoitusta.")


def test_severity_words_speak_the_language_and_github_keeps_its_syntax(broken):
    # `path:line:col: virhe CODE message` for people; GitHub's workflow commands stay `::error`.
    nimeton = str(broken / "records/applications/nimeton.yaml")
    result = run_kopa("validate", nimeton, workspace=broken)
    line = next(line for line in result.stdout.splitlines() if "KOPA301" in line)
    assert f": virhe KOPA301 {FINNISH}" in line
    swedish = run_kopa("--lang", "sv", "validate", nimeton, workspace=broken)
    assert ": fel KOPA301 " in swedish.stdout
    github = run_kopa("validate", "--format", "github", nimeton, workspace=broken)
    assert github.stdout.startswith("::error file=records/applications/nimeton.yaml,")


def test_usage_errors_follow_the_language_too(tmp_path, monkeypatch):
    nowhere = tmp_path / "empty"
    nowhere.mkdir()
    monkeypatch.chdir(nowhere)
    finnish = run_kopa("validate")
    assert finnish.exit_code == 2 and "kopa-työtilaa ei löytynyt" in finnish.stderr
    english = run_kopa("--lang", "en", "validate")
    assert english.exit_code == 2 and "no kopa workspace found" in english.stderr


# The member's language in what kopa writes: templates, headings, numbers.

SECTION_LABELS = {
    "fi": ("Alueellinen tavoite tai haaste", "Lyhyt kuvaus, miten kehittämistyö on ajateltu toteuttaa"),
    "sv": ("Regionalt mål eller utmaning", "Kort beskrivning av hur utvecklingsarbetet är tänkt att genomföras"),
    "en": ("Regional goal or challenge", "Short description of how the development work will be done"),
}


def _application_with_headings(goal: str, plan: str) -> str:
    text = (REPO / "records/applications/kainuu-lukiot.md").read_text(encoding="utf-8")
    front, _goal, rest = text.split("\n## ", 2)
    return f"{front}\n## {goal}\n\nTavoite.\n\n## {plan}\n\nToteutus.\n"


def _diagnostics(result, path: str) -> list[tuple[str, str]]:
    return [(d["code"], d["message"]) for d in json.loads(result.stdout)["diagnostics"] if d["path"] == path]


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_new_application_speaks_the_language_in_use(tmp_path, lang):
    copy_shipped_workspace(tmp_path)
    assert run_kopa("--lang", lang, "new", "application", "uusi", workspace=tmp_path).exit_code == 0
    text = (tmp_path / "records/applications/uusi.md").read_text(encoding="utf-8")
    goal, plan = SECTION_LABELS[lang]
    assert text.endswith(f"---\n## {goal}\n\n## {plan}\n")
    numbered = {
        "fi": ("# 1. Pilottikohteen nimi", "# 2. Vastuuorganisaatio ja vastuuhenkilö", "Täytä jokainen kohta"),
        "sv": ("# 1. Pilotens namn", "# 2. Ansvarig organisation och ansvarsperson", "Fyll i varje punkt"),
    }[lang]
    assert all(line in text for line in numbered)
    assert "5\u00a0000 " in text  # the call's max_chars, grouped
    other = "sv" if lang == "fi" else "fi"
    assert not any(label in text for label in SECTION_LABELS[other])
    # kopa reads its own headings back: only the contents are left to write (KOPA2xx, KOPA3xx)
    result = run_kopa("--lang", lang, "validate", "--format", "json", workspace=tmp_path)
    codes = {code for code, _message in _diagnostics(result, "records/applications/uusi.md")}
    assert "KOPA301" in codes and not [code for code in codes if code.startswith("KOPA1")]


def test_the_calls_language_chooses_the_template(tmp_path):
    copy_shipped_workspace(tmp_path)
    _set_call_language(tmp_path, "sv")
    assert run_kopa("new", "pilot", "narpes-ny", workspace=tmp_path).exit_code == 0
    text = (tmp_path / "records/pilots/narpes-ny.yaml").read_text(encoding="utf-8")
    assert text.split("\n", 1)[1].startswith("# Vald pilot.") and "# Ansvarig organisation och ansvarsperson" in text


def test_init_in_swedish_writes_a_swedish_call_that_validates(tmp_path):
    root = tmp_path / "ny"
    assert run_kopa("--lang", "sv", "init", str(root)).exit_code == 0
    text = (root / "records/call.yaml").read_text(encoding="utf-8")
    assert text.split("\n", 1)[1].startswith("# Utlysning: regler, avgift, mål och fakturerare.")
    assert "\nlanguage: sv " in text and "Haku:" not in text
    checked = run_kopa("validate", "--format", "json", workspace=root)
    assert checked.exit_code == 0  # valid, with a warning on each invented value (KOPA609)
    assert {d["code"] for d in json.loads(checked.stdout)["diagnostics"]} == {"KOPA609"}
    # the new call's language is then the default of every command
    assert run_kopa("new", "organization", "narpes", workspace=root).exit_code == 0
    assert "# Organisation: kommun, samkommun eller utbildningsanordnare." in (
        root / "records/organizations/narpes.yaml"
    ).read_text(encoding="utf-8")


def test_a_workspace_template_overrides_per_language(tmp_path):
    copy_shipped_workspace(tmp_path)
    build_tree(tmp_path, {"templates/new/sv/organization.yaml.j2": "# Vår egen mall\nname: x\ntype: municipality\n"})
    assert run_kopa("--lang", "sv", "new", "organization", "egen", workspace=tmp_path).exit_code == 0
    assert (tmp_path / "records/organizations/egen.yaml").read_text(encoding="utf-8").startswith("# Vår egen mall")
    # Finnish (and English, which has no templates of its own) still get kopa's Finnish template
    for lang, record in (("fi", "oma"), ("en", "own")):
        assert run_kopa("--lang", lang, "new", "organization", record, workspace=tmp_path).exit_code == 0
        text = (tmp_path / f"records/organizations/{record}.yaml").read_text(encoding="utf-8")
        assert text.split("\n", 1)[1].startswith("# Organisaatio: kunta, kuntayhtymä tai koulutuksen järjestäjä.")


@pytest.mark.parametrize("written", ["fi", "sv", "en"])
def test_a_section_heading_is_accepted_in_any_language(tmp_path, written):
    copy_shipped_workspace(tmp_path)
    build_tree(tmp_path, {"records/applications/kainuu-lukiot.md": _application_with_headings(*SECTION_LABELS[written])})
    result = run_kopa("validate", "--format", "json", workspace=tmp_path)
    assert _diagnostics(result, "records/applications/kainuu-lukiot.md") == []


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fi", "tuntematon väliotsikko 'Budjetti'; hakemuksen väliotsikot ovat "
               "'Alueellinen tavoite tai haaste' ja 'Lyhyt kuvaus, miten kehittämistyö on ajateltu toteuttaa'"),
        ("sv", "okänd mellanrubrik 'Budjetti'; ansökans mellanrubriker är "
               "'Regionalt mål eller utmaning' och 'Kort beskrivning av hur utvecklingsarbetet är tänkt att genomföras'"),
        ("en", "unknown section heading 'Budjetti'; the sections are "
               "'Regional goal or challenge' and 'Short description of how the development work will be done'"),
    ],
)
def test_an_unknown_heading_lists_the_headings_of_the_language_in_use(tmp_path, lang, message):
    copy_shipped_workspace(tmp_path)
    text = _application_with_headings(*SECTION_LABELS["sv"]) + "\n## Budjetti\n\n5 000 €\n"
    build_tree(tmp_path, {"records/applications/kainuu-lukiot.md": text})
    result = run_kopa("--lang", lang, "validate", "--format", "json", workspace=tmp_path)
    assert _diagnostics(result, "records/applications/kainuu-lukiot.md") == [("KOPA112", message)]


def test_large_numbers_in_messages_are_grouped(tmp_path):
    copy_shipped_workspace(tmp_path)
    size = 1_100_020
    padding = size - len("name: Paltamo\n")
    build_tree(tmp_path, {"records/organizations/paltamo.yaml": "name: Paltamo\n" + "#" * (padding - 1) + "\n"})
    result = run_kopa("validate", "--format", "json", workspace=tmp_path)
    (code, message), = _diagnostics(result, "records/organizations/paltamo.yaml")
    assert (code, message) == ("KOPA102", "tiedoston koko on 1\u00a0100\u00a0020 tavua; tiedosto saa olla enintään 1\u00a0048\u00a0576 tavua")


@pytest.mark.parametrize(
    ("lang", "bounds", "one_decimal", "six_decimals", "one_member"),
    [
        ("fi", "0–999\u00a0999\u00a0999,99", "1 desimaali", "6 desimaalia", "vain 1 jäsen;"),
        ("sv", "0–999\u00a0999\u00a0999,99", "1 decimal", "6 decimaler", "bara 1 medlem;"),
        ("en", "from 0 to 999,999,999.99", "1 decimal", "6 decimals", "only 1 member;"),
    ],
)
def test_numbers_in_messages_are_grouped_and_counted_in_the_language(lang: str, bounds: str, one_decimal: str, six_decimals: str, one_member: str) -> None:
    from decimal import Decimal

    from kopa_cli.core import codes
    from kopa_cli.core.diagnostics import Figure, Plural, diagnostic
    from kopa_cli.core.i18n import N_plural, set_language

    decimals = N_plural("{n} decimal", "{n} decimals")
    set_language(lang)
    try:
        out_of_range = diagnostic("p.yaml", (1, 1), codes.OUT_OF_RANGE, key="annual", value="'-1'", minimum=Figure(0), maximum=Figure(Decimal("999999999.99")))
        assert bounds in out_of_range.message
        for n, words in ((1, one_decimal), (6, six_decimals)):
            assert diagnostic("p.yaml", (1, 1), codes.TOO_MANY_DECIMALS, key="w", value="'1'", places=Plural(decimals, n)).message.endswith(words)
        few = diagnostic("p.yaml", (1, 1), codes.FEW_MEMBERS, members=Plural(N_plural("{n} member", "{n} members"), 1))
        assert few.message.startswith(one_member)
    finally:
        set_language(None)
