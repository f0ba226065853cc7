"""Messages that lead to the fix (issue 6, §6 and §10): the examples of the issue on a copy of
the shipped records, each with the one message it must give, word for word, in Finnish (the
default), and some in Swedish and English."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import build_tree, run_kopa
from kopa_cli.core.spelling import fold_id, meant_id

LUKIOT_APP = "records/applications/kainuu-lukiot.md"
LUKIOT_PILOT = "records/pilots/kainuu-lukiot.yaml"
KAJAANI = "records/organizations/kajaani.yaml"


def edit(workspace: Path, path: str, old: str, new: str) -> None:
    file = workspace / path
    text = file.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not once in {path}"
    file.write_text(text.replace(old, new), encoding="utf-8")


def problems(workspace: Path, *options: str) -> list[tuple[str, int, int, str, str]]:
    result = run_kopa(*options, "validate", "--format", "json", "--no-cache", workspace=workspace)
    assert result.exit_code in (0, 1)
    return [(d["path"], d["line"], d["column"], d["code"], d["message"]) for d in json.loads(result.stdout)["diagnostics"]]


# (file, old, new) -> the one problem, as (path, line, column, code, Finnish message)
ONE_MESSAGE = [
    pytest.param(
        KAJAANI, 'postcode: "87100"', "postcode: 87100",
        (KAJAANI, 7, 43, "KOPA216", 'kenttä postinumero (address → postcode) pitää kirjoittaa lainausmerkkeihin: "87100" (ilman niitä 87100 ei ole tekstiä vaan luku)'),
        id="postcode",
    ),
    pytest.param(
        KAJAANI, 'municipality_code: "205"', "municipality_code: 020",
        (KAJAANI, 4, 20, "KOPA216", 'kenttä kuntakoodi (municipality_code) pitää kirjoittaa lainausmerkkeihin: "020" (ilman niitä 020 ei ole tekstiä vaan luku)'),
        id="municipality-code-as-written",
    ),
    pytest.param(
        LUKIOT_APP, 'phone: "+358 40 123 4567"', "phone: 0401234567",
        (LUKIOT_APP, 13, 12, "KOPA216", 'kenttä puhelinnumero (responsible → person → phone) pitää kirjoittaa lainausmerkkeihin: "0401234567" (ilman niitä 0401234567 ei ole tekstiä vaan luku)'),
        id="phone",
    ),
    pytest.param(
        LUKIOT_APP, "submitted: 2019-12-10", 'submitted: "2019-12-10"',
        (LUKIOT_APP, 5, 12, "KOPA217", 'kenttä jättöpäivä (submitted) on kirjoitettu lainausmerkkeihin ("2019-12-10"), joten se luetaan tekstiksi; poista lainausmerkit: 2019-12-10'),
        id="quoted-date",
    ),
    pytest.param(
        "records/pilots/ylakainuu-kylakoulut.yaml", "population_year: 2019", 'population_year: "2019"',
        ("records/pilots/ylakainuu-kylakoulut.yaml", 9, 18, "KOPA217", 'kenttä asukasluvun vuosi (population_year) on kirjoitettu lainausmerkkeihin ("2019"), joten se luetaan tekstiksi; poista lainausmerkit: 2019'),
        id="quoted-population-year-without-a-false-missing",
    ),
    pytest.param(
        "records/call.yaml", "  years: [2020, 2021]", "  years: []",
        ("records/call.yaml", 30, 10, "KOPA210", "kenttä maksuvuodet (fee → years) on tyhjä"),
        id="empty-call-years-said-once",
    ),
    pytest.param(
        LUKIOT_PILOT, "  - org: kuhmo\n    approval: {date: 2020-02-03, body: Kaupunginhallitus, reference: \"§ 31\"}",
        "  - org: kuhmo\n    approval: {date: 2020-02-03, reference: \"§ 31\"}",
        (LUKIOT_PILOT, 17, 15, "KOPA202", "kenttä toimielin (3. jäsen 'kuhmo' → approval → body) puuttuu"),
        id="member-counted-from-one-and-named",
    ),
    pytest.param(
        "records/call.yaml", '  3: "Vastataan työelämän osaamistarpeisiin joustavilla koulutusratkaisuilla ja yhteistyömuodoilla"', "  3: 5",
        ("records/call.yaml", 24, 6, "KOPA216", 'kenttä projektin tavoitteet (goals → 3) pitää kirjoittaa lainausmerkkeihin: "5" (ilman niitä 5 ei ole tekstiä vaan luku)'),
        id="numbered-goal-shown-as-written-not-as-a-list-item",
    ),
]


@pytest.mark.parametrize(("path", "old", "new", "expected"), ONE_MESSAGE)
def test_one_message_that_says_what_is_wrong(shipped: Path, path: str, old: str, new: str, expected: tuple) -> None:
    edit(shipped, path, old, new)
    assert problems(shipped) == [expected]


def test_negative_money_is_said_to_be_negative_once(shipped: Path) -> None:
    edit(shipped, "records/call.yaml", 'annual: "5000.00"', 'annual: "-5000.00"')
    [(path, line, column, code, message)] = problems(shipped)
    assert (path, line, column, code) == ("records/call.yaml", 28, 11, "KOPA212")  # the bound: the fee is above zero
    assert message.startswith("kentän vuosimaksu (fee → annual) pitää olla nollaa suurempi, nyt se on '-5000.00'")
    assert "lainausmerk" not in message


def test_a_year_key_is_named_as_written_not_as_a_list_item(shipped: Path) -> None:
    edit(shipped, "records/organizations/puolanka.yaml", "population: {2019: 2528}", "population: {2019: -2528}")
    [(path, line, column, code, message)] = problems(shipped)
    assert (path, line, column, code) == ("records/organizations/puolanka.yaml", 10, 20, "KOPA213")
    assert message.startswith("kentässä asukasluku (population → 2019) on -2528;")


PUOLANKA = "records/organizations/puolanka.yaml"
CALL = "records/call.yaml"


def test_a_key_out_of_range_is_named_as_a_key_not_as_its_value(shipped: Path) -> None:
    edit(shipped, PUOLANKA, "population: {2019: 2528}", "population: {99999999999999999999999: 5, -3: 4}")
    edit(shipped, CALL, "  1: ", "  0: ")
    edit(shipped, CALL, '"2013-01-01": "24"', '"2013-13-01": "24"')
    found = [p for p in problems(shipped) if p[3] != "KOPA305"]  # applications that pick goal 1
    assert found == [
        (CALL, 22, 3, "KOPA213", "kentässä tavoitteen numero (goals) on 0; sallittu vaihteluväli on 1–99"),
        (CALL, 34, 5, "KOPA204", "kentän alv-kannan alkamispäivä (fee → vat) pitää olla päivämäärä muodossa VVVV-KK-PP, esimerkiksi 2019-12-13, ei '2013-13-01': kuukautta 13 ei ole"),
        (PUOLANKA, 10, 14, "KOPA213", "kentässä asukasluvun vuosi (population) on 99999999999999999999999; sallittu vaihteluväli on 1\xa0000–9\xa0999"),
        (PUOLANKA, 10, 42, "KOPA213", "kentässä asukasluvun vuosi (population) on -3; sallittu vaihteluväli on 1\xa0000–9\xa0999"),
    ]


def test_a_key_of_the_wrong_type_is_shown_as_written(shipped: Path) -> None:
    edit(shipped, PUOLANKA, "population: {2019: 2528}", "population: {2019.5: 3, null: 2}")
    edit(shipped, CALL, "  2: ", "  five: ")
    found = [p for p in problems(shipped, "--lang", "en") if p[3] != "KOPA305"]  # applications that pick goal 2
    assert found == [
        (CALL, 23, 3, "KOPA203", "goal number (goals) must be a whole number, not 'five'"),
        (PUOLANKA, 10, 14, "KOPA203", "year of a population figure (population) must be a whole number, not 2019.5"),
        (PUOLANKA, 10, 25, "KOPA203", "year of a population figure (population) must be a whole number, not empty"),
    ]


def test_a_population_of_zero_is_not_a_missing_population(shipped: Path) -> None:
    edit(shipped, "records/organizations/puolanka.yaml", "population: {2019: 2528}", "population: {2019: 0}")
    # a figure; only a total of 0 is an error (KOPA512). The imported statistics say otherwise:
    assert problems(shipped) == [
        ("records/organizations/puolanka.yaml", 10, 20, "KOPA803", "asukasluku 31.12.2019 on tässä 0, mutta tilastossa records/statistics/vaesto-2019.yaml (taulukko 11re) se on 2\xa0528"),
    ]


def test_unquoted_decimal_weight_is_not_also_missing(shipped: Path) -> None:
    pilot = "records/pilots/sydosterbotten-utbildning.yaml"
    text = (shipped / pilot).read_text(encoding="utf-8")
    weight = next(line for line in text.splitlines() if "weight:" in line)
    edit(shipped, pilot, weight, weight.split("weight:")[0] + "weight: 1.5")
    [(path, _line, _column, code, message)] = problems(shipped, "--lang", "en")
    assert (path, code) == (pilot, "KOPA216")
    assert message.startswith("weight (member 1 '") and message.endswith('must be written in quotes: "1.5" (without them, 1.5 is not text but a floating-point number, which is not exact)')


def test_status_with_its_meaning(shipped: Path) -> None:
    edit(shipped, LUKIOT_APP, "status: selected", "status: submitted")
    assert problems(shipped) == [
        (LUKIOT_PILOT, 3, 14, "KOPA404", "pilotti perustuu hakemukseen 'kainuu-lukiot', jonka tila on 'submitted' (jätetty); tilan pitää olla 'selected' (valittu)"),
    ]
    assert problems(shipped, "--lang", "sv")[0][4] == (
        "piloten bygger på ansökan 'kainuu-lukiot', vars status är 'submitted' (inlämnad); statusen ska vara 'selected' (vald)"
    )


def test_colon_in_an_unquoted_name_is_the_one_cause(shipped: Path) -> None:
    edit(shipped, LUKIOT_APP, "name: Kainuun lukioverkko – lukiokoulutus palveluna koko maakunnassa", "name: Kainuun lukioverkko: lukiokoulutus palveluna")
    assert problems(shipped) == [
        (LUKIOT_APP, 3, 26, "KOPA218", "teksti, jossa on kaksoispiste ja välilyönti (': '), pitää kirjoittaa lainausmerkkeihin: name: \"Kainuun lukioverkko: lukiokoulutus palveluna\""),
        (LUKIOT_PILOT, 3, 14, "KOPA412", f"'kainuu-lukiot' on tiedostossa {LUKIOT_APP}, jota ei voitu lukea; korjaa ensin tiedostoa koskeva virhe"),
    ]


def test_no_break_space_after_a_key_is_named(shipped: Path) -> None:
    edit(shipped, KAJAANI, "name: Kajaanin kaupunki", "name:\u00a0Kajaanin kaupunki")
    found = problems(shipped)
    # the cause first, before the files it breaks (applications/ would sort before organizations/)
    assert found[0] == (KAJAANI, 2, 6, "KOPA219", "tässä on näkymätön merkki, sitova välilyönti (U+00A0), joka rikkoo tiedoston rakenteen; korvaa se tavallisella välilyönnillä tai poista se")
    others = [p for p in found if p[0] != KAJAANI]
    assert others and {code for *_, code, _ in others} == {"KOPA412"}  # no "no organisation 'kajaani'"
    assert all(KAJAANI in message and "suggest" not in message for *_, message in others)


@pytest.mark.parametrize(("renamed", "org"), [("Kajaani.yaml", "kajaani"), ("narpes.yml", "narpes")])
def test_a_misnamed_file_is_named_in_every_reference(shipped: Path, renamed: str, org: str) -> None:
    folder = shipped / "records" / "organizations"
    (folder / f"{org}.yaml").rename(folder / renamed)
    found = problems(shipped, "--lang", "en")
    name_problem = [p for p in found if p[3] == "KOPA117"]
    assert [p[4].rsplit(" (", 1)[-1] for p in name_problem] == [f"did you mean '{org}.yaml'?)"]
    references = [p for p in found if p[3] != "KOPA117"]
    assert references and all(p[3] == "KOPA412" for p in references)
    assert all(f"records/organizations/{renamed}, whose name is not a valid record file name" in p[4] for p in references)


def test_ids_with_capitals_or_nordic_letters_get_the_id_meant(shipped: Path) -> None:
    edit(shipped, LUKIOT_APP, "members: [kajaani, sotkamo, kuhmo,", "members: [kajaani, sotkamo, Kuhmo,")
    edit(shipped, "records/pilots/sydosterbotten-utbildning.yaml", "- org: narpes", "- org: närpes")
    found = problems(shipped, "--lang", "en")
    assert [(p[0], p[3], p[4].rsplit(" (", 1)[-1]) for p in found] == [
        (LUKIOT_APP, "KOPA207", "did you mean 'kuhmo'?)"),
        ("records/pilots/sydosterbotten-utbildning.yaml", "KOPA207", "did you mean 'narpes'?)"),
    ]  # and no "the responsible 'narpes' is not a member": the refused id may be it


def test_new_suggests_the_id_and_accepts_the_british_spelling(tmp_path: Path) -> None:
    root = build_tree(tmp_path, {})
    assert run_kopa("init", str(root)).exit_code == 0
    refused = run_kopa("new", "organisation", "kaskö", workspace=root)
    assert refused.exit_code == 2 and "(tarkoititko 'kasko'?)" in refused.stderr
    assert run_kopa("new", "organisation", "kasko", workspace=root).exit_code == 0
    assert (root / "records" / "organizations" / "kasko.yaml").is_file()


def test_a_new_organisation_without_billing_address_is_warned(tmp_path: Path) -> None:
    root = build_tree(tmp_path, {})
    run_kopa("init", str(root))
    run_kopa("new", "organization", "kajaani", workspace=root)
    codes = {(p[0], p[3]) for p in problems(root)}
    assert ("records/organizations/kajaani.yaml", "KOPA610") in codes


@pytest.mark.parametrize(
    ("text", "folded", "meant"),
    [("Kuhmo", "kuhmo", "kuhmo"), ("närpes", "narpes", "narpes"), ("kaskö", "kasko", "kasko"), ("Kristinestad", "kristinestad", "kristinestad"),
     ("Ålands lyceum", "alands-lyceum", "alands-lyceum"), ("Kajaani.yaml", "kajaani.yaml", ""), ("kuhmo", "kuhmo", ""), ("Café_Ø", "cafe-o", "cafe-o")],
)
def test_ids_fold_as_people_mean_them(text: str, folded: str, meant: str) -> None:
    assert fold_id(text) == folded
    assert meant_id(text) == meant


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name:\u00a0Kajaani\ntype: municipality\n", (1, 6, "KOPA219")),  # after a key's colon
        ("a:\n  b: 1\n \u00a0c: 2\n", (3, 2, "KOPA219")),  # in the indentation
        ("  \u00a0name: x\ntype: y\n", (2, 1, "KOPA104")),  # a space there would not mend it: not the cause
        # valid text at the start of a literal block's line: the unclosed bracket is the error
        ("name: x\ngoal: |\n  first\n  \u00a0second\nx: [1, 2\n", (6, 1, "KOPA104")),
        ("name: x\ngoal: |\n  \u00a0first\n  second\nx: [1, 2\n", (6, 1, "KOPA104")),
        ("- org: x\n-\u00a0org: y\n", (2, 2, "KOPA219")),  # after a list dash
        ("name: Foo:\u00a0Bar\ntype: [\n", (3, 1, "KOPA104")),  # inside text it is only text
        ("name: a: b\n", (1, 8, "KOPA218")),
        ('name: "a: b" c: d\n', (1, 14, "KOPA104")),  # quoted already: no quoting advice
    ],
)
def test_a_syntax_error_is_blamed_on_its_usual_cause_only_where_it_is_one(text: str, expected: tuple[int, int, str]) -> None:
    from kopa_cli.load.workspace import parse_record

    record, found = parse_record("organizations", "records/organizations/x.yaml", text.encode())
    assert record is None and [(d.line, d.column, d.code) for d in found] == [expected]


# A refused value is reported once, where it is written, quoted as written, and causes nothing else.
AS_WRITTEN = [
    (KAJAANI, "population: {2019: 36709}", "population: {2019: 1e3}", (KAJAANI, 10, 20, "KOPA203"), "pitää olla kokonaisluku, nyt se on 1e3"),
    ("records/call.yaml", "  years: [2020, 2021]", "  years: [2020, 2021, 2021.0]", ("records/call.yaml", 30, 23, "KOPA203"), "pitää olla kokonaisluku, nyt se on 2021.0"),
    ("records/call.yaml", "  years: [2020, 2021]", "  years: [2020, 2021, .inf]", ("records/call.yaml", 30, 23, "KOPA203"), "pitää olla kokonaisluku, nyt se on .inf"),
    ("records/call.yaml", "  years: [2020, 2021]", "  years: [2020, 2021, 0x7E5]", ("records/call.yaml", 30, 23, "KOPA211"), "'0x7E5'"),
    ("records/call.yaml", "  - perusopetus", '  - "perusopetus\\a"', ("records/call.yaml", 16, 5, "KOPA215"), "U+0007"),
    ("records/applications/paltamo-ristijarvi-ylakoulu.md", "education_forms: [perusopetus]", 'education_forms: ["perusopetus\\n"]',
     ("records/applications/paltamo-ristijarvi-ylakoulu.md", 15, 19, "KOPA215"), "U+000A"),
]


@pytest.mark.parametrize(("path", "old", "new", "where", "said"), AS_WRITTEN)
def test_a_refused_value_is_quoted_as_written_and_causes_nothing_else(shipped: Path, path: str, old: str, new: str, where: tuple, said: str) -> None:
    edit(shipped, path, old, new)
    [(*found, message)] = problems(shipped)
    assert tuple(found) == where and said in message


def test_a_misspelt_required_key_is_said_once_as_unknown_with_the_right_name(shipped: Path) -> None:
    edit(shipped, LUKIOT_APP, "status: selected", "statsu: selected")
    assert [(p[3], p[4]) for p in problems(shipped) if p[0] == LUKIOT_APP] == [
        ("KOPA201", "tuntematon kenttä 'statsu' (tarkoititko 'status'?)"),
    ]


def test_reference_messages_say_what_the_user_sees() -> None:
    from kopa_cli.core import codes
    from kopa_cli.core.diagnostics import diagnostic
    from kopa_cli.core.i18n import set_language

    set_language("en")
    try:
        pilot = diagnostic("p.yaml", (1, 1), codes.APPLICATION_NOT_SELECTED, value="x", status="draft", selected="selected").message
        payer = diagnostic("o.yaml", (1, 1), codes.DUPLICATE_BUSINESS_ID, value="0208585-2", other="records/organizations/kuhmo.yaml").message
    finally:
        set_language(None)
    assert pilot.startswith("the pilot is based on application 'x'")
    assert payer.startswith("the Y-tunnus 0208585-2 also appears in records/organizations/kuhmo.yaml;")


def test_a_value_is_quoted_as_written_without_python_escapes(shipped: Path) -> None:
    edit(shipped, "records/call.yaml", 'annual: "5000.00"', 'annual: "5000\\\\00"')
    [problem] = problems(shipped, "--lang", "en")
    assert problem[3] == "KOPA205" and "is '5000\\00', which is not an amount of money" in problem[4]


@pytest.mark.parametrize(("lang", "said"), [
    ("fi", "kentän jättöpäivä (submitted) pitää olla päivämäärä muodossa VVVV-KK-PP, esimerkiksi 2019-12-13, ei '2020-02-30': "
           "tällaista päivää ei ole, sillä kuussa 2/2020 on 29 päivää"),
    ("sv", ": någon sådan dag finns inte, eftersom månaden 2/2020 har 29 dagar"),
    ("en", "not '2020-02-30': there is no such day, as month 2/2020 has 29 days"),
])
def test_a_day_that_does_not_exist_is_said_not_to_exist(shipped: Path, lang: str, said: str) -> None:
    """The date is written right (YYYY-MM-DD), but February 2020 has 29 days."""
    edit(shipped, "records/applications/kainuu-jatkuva-oppiminen.yaml", "submitted: 2019-12-13", "submitted: 2020-02-30")
    [(path, line, column, code, message)] = [p for p in problems(shipped, "--lang", lang) if p[3] == "KOPA204"]
    assert (path, code) == ("records/applications/kainuu-jatkuva-oppiminen.yaml", "KOPA204")
    assert said in message
