"""The JSON Schema generated from the record definitions: it fits the shipped records,
rejects what kopa rejects, and has every key the validator reads."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any, get_args

import pytest
import ruamel.yaml
from jsonschema import Draft202012Validator

from conftest import SHIPPED_RECORDS
from kopa_cli.load.markdowndoc import parse_markdown_application, split_front_matter
from kopa_cli.core import codes
from kopa_cli.core.origin import Origin
from kopa_cli.core.phrases import Field
from kopa_cli.load.kinds import BY_NAME
from kopa_cli.load.schema import json_schema
from kopa_cli.load.structure import _Structurer, record_fields
from kopa_cli.load.workspace import parse_record

KINDS = tuple(BY_NAME)


def load_like_check_jsonschema(text: str) -> Any:
    """Read YAML as check-jsonschema does (its parsers/yaml.py): safe loader, timestamps
    kept as their text, mapping keys turned into strings."""
    yaml = ruamel.yaml.YAML(typ="safe", pure=True)

    class Constructor(ruamel.yaml.SafeConstructor):
        pass

    yaml.Constructor = Constructor
    constructors = yaml.constructor.yaml_constructors
    constructors["tag:yaml.org,2002:timestamp"] = constructors["tag:yaml.org,2002:str"]
    return _keys_as_text(yaml.load(text))


def _keys_as_text(data: Any) -> Any:
    if isinstance(data, dict):
        return {str(k): _keys_as_text(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_keys_as_text(item) for item in data]
    return data


def _as_json(data: Any) -> Any:
    """Values kopa parsed, as check-jsonschema would have read them."""
    if isinstance(data, dict):
        return {str(k): _as_json(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_as_json(item) for item in data]
    return data.isoformat() if isinstance(data, date) else data


def validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(json_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(kind: str, data: Any) -> set[tuple[str, str]]:
    return {(error.json_path, error.validator) for error in validator(kind).iter_errors(data)}


@pytest.mark.parametrize("kind", KINDS)
def test_the_schema_is_valid_draft_2020_12_and_plain_json(kind: str) -> None:
    schema = json_schema(kind)
    Draft202012Validator.check_schema(schema)
    assert json.loads(json.dumps(schema)) == schema
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _shipped_yaml() -> list[tuple[str, Path]]:
    files = [("call", SHIPPED_RECORDS / "call.yaml")]
    for folder in ("organizations", "applications", "pilots", "statistics"):
        files += [(folder, path) for path in sorted((SHIPPED_RECORDS / folder).glob("*.yaml"))]
    return files


@pytest.mark.parametrize(("kind", "path"), _shipped_yaml(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_every_shipped_yaml_record_fits_its_schema(kind: str, path: Path) -> None:
    data = load_like_check_jsonschema(path.read_text(encoding="utf-8"))
    assert schema_errors(kind, data) == set()


def test_the_shipped_records_include_every_kind_people_write_in_yaml() -> None:
    # The invoice ledger is written by `kopa invoice` (its schema is held against what it writes);
    # the shipped statistics were written by `kopa stats import` (issue 8 asks for one such file)
    people_write = {name for name in KINDS if BY_NAME[name].written_by is None}
    assert {kind for kind, _ in _shipped_yaml()} == people_write | {"statistics"}


@pytest.mark.parametrize("path", sorted((SHIPPED_RECORDS / "applications").glob("*.md")), ids=lambda p: p.name)
def test_a_markdown_application_once_read_fits_the_application_schema(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    front = load_like_check_jsonschema(split_front_matter(text)[0])
    parsed, _, problems = parse_markdown_application(text, path.name)
    assert problems == []
    sections = {name: parsed[name] for name in ("goal", "plan") if name in parsed}
    assert sections, "a Markdown application has its text in sections"
    assert schema_errors("applications", {**front, **_as_json(sections)}) == set()


def _reachable_records() -> list[tuple[str, type]]:
    """Every dataclass a record kind refers to, with the kind whose schema holds it."""
    found: dict[type, str] = {}

    def visit(tp: Any, kind: str) -> None:
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            if tp in found:
                return
            if not getattr(tp, "WHOLE_FILE", None):  # a file that is one list: its schema is an array
                found[tp] = kind
            for _, annotation, _ in record_fields(tp):
                visit(annotation, kind)
        for arg in get_args(tp):
            visit(arg, kind)

    for kind in BY_NAME.values():
        visit(kind.record, kind.name)
    return [(kind, cls) for cls, kind in found.items()]


@pytest.mark.parametrize(("kind", "cls"), _reachable_records(), ids=lambda v: v.__name__ if isinstance(v, type) else v)
def test_every_key_the_validator_reads_is_in_the_schema_and_no_other(kind: str, cls: type) -> None:
    """Held against what the validator does, not against the definitions the schema came
    from: each schema property is a key structure.py accepts, a key beside them is
    unknown to both, and the keys the validator says are missing are the schema's required."""
    schema = json_schema(kind)
    part = schema if BY_NAME[kind].record is cls else schema["$defs"][cls.__name__]
    assert part["additionalProperties"] is False

    def keys_reported(data: dict[str, Any], code: str) -> set[str]:
        structurer = _Structurer(cls, Origin("x.yaml"))  # as structure() reads a record, for any record class
        structurer.record(data, cls, ())
        # a missing key is a Field (core/phrases.py), its name the last step; an unknown one is text
        keys = (dict(p.args)["key"] for p in structurer.diagnostics if p.code == code)
        return {key.steps[-1] if isinstance(key, Field) else key for key in keys}

    assert set(part.get("required", [])) == keys_reported({}, codes.MISSING_KEY.id)
    unknown = keys_reported(dict.fromkeys([*part["properties"], "not_a_key"]), codes.UNKNOWN_KEY.id)
    assert unknown == {"not_a_key"}


def test_labels_and_documentation_become_titles_and_descriptions() -> None:
    schema = json_schema("applications")
    assert schema["properties"]["name"]["title"] == "Pilot name"
    approval = json_schema("pilots")["$defs"]["Approval"]["properties"]["body"]
    assert approval["description"] == "The body that decided, e.g. Kaupunginhallitus."
    assert json_schema("call")["$defs"]["Fee"]["properties"]["currency"]["default"] == "EUR"


# The same text through kopa and through the schema: both accept, or both reject.

CALL = """\
id: kopa-2020
title: {fi: Koulutus palveluna}
deadline: 2019-12-13
education_forms: [lukiokoulutus]
goals: {1: Saatavuus, 2: Palvelu}
fee:
  annual: "5000.00"
  years: [2020, 2021]
  vat: {"2013-01-01": "24"}
organizer:
  name: Suomen Kuntaliitto ry
  business_id: "0926151-4"
  address: {street: Toinen linja 14, postcode: "00530", city: Helsinki}
  iban: "FI2617453000123456"
  bic: NDEAFIHH
"""

ORGANIZATION = """\
name: Kajaanin kaupunki
type: municipality
municipality_code: "205"
business_id: "2235388-6"
address: {street: Kauppakatu 1, postcode: "87100", city: Kajaani}
population: {2019: 36709}
"""

APPLICATION = """\
name: Kainuun lukioverkko
call: kopa-2020
submitted: 2019-12-10
status: selected
responsible:
  organization: kajaani
  person: {name: Tuula Heikkinen, email: tuula@kajaani.example.fi}
members: [kajaani, sotkamo]
goals: [1, 2]
goal: Tavoite.
"""

PILOT = """\
application: kainuu-lukiot
split: weights
members:
  - org: kajaani
    approval: {date: 2020-01-20, body: Kaupunginhallitus}
    weight: 2
  - org: sotkamo
    approval: {date: 2020-01-27, body: Sivistyslautakunta}
    weight: "1.5"
"""

LEDGER = """\
- number: "20200001"
  kind: invoice
  date: 2020-03-02
  due: 2020-03-23
  pilot: kainuu-lukiot
  member: kajaani
  fee_year: 2020
  net: "1666.67"
  vat_rate: "24"
  vat: "400.00"
  total: "2066.67"
  reference: "202000015"
  credits: null
  reason: null
  buyer:
    name: Kajaanin kaupunki
    business_id: "2235388-6"
    address: {street: Kauppakatu 1, postcode: "87100", city: Kajaani}
    einvoice: {address: "003722353886", operator: "003721291126"}
    language: fi
    buyer_reference: Kustannuspaikka 4410
  pilot_name: Kainuun lukioverkko
"""

STATISTICS = """\
table: "11re"
title: "Väestö iän (1-v.) ja sukupuolen mukaan alueittain, 1972-2019"
source: "Tilastokeskus"
licence: "CC BY 4.0"
population: true
imported: 2026-11-29
areas:
  "205":
    name: "Kajaani"
    total: {2018: 36973, 2019: 36709}
    ages:
      2019: {0: 264, 1: 270, 17: null}
  "SSS": {name: "KOKO MAA", total: {2019: 5525292}}
"""

BASES = {"call": CALL, "organizations": ORGANIZATION, "applications": APPLICATION, "pilots": PILOT, "invoices": LEDGER, "statistics": STATISTICS}


def _kopa_codes(kind: str, text: str) -> set[str]:
    path = "records/call.yaml" if kind == "call" else f"records/{kind}/example.yaml"
    _, problems = parse_record(kind, path, text.encode())
    return {problem.code for problem in problems}


def _edited(kind: str, old: str, new: str) -> str:
    base = BASES[kind]
    assert base.count(old) == 1, f"{old!r} is not once in the {kind} example"
    return base.replace(old, new)


@pytest.mark.parametrize("kind", KINDS)
def test_the_examples_are_valid_for_both(kind: str) -> None:
    assert _kopa_codes(kind, BASES[kind]) == set()
    assert schema_errors(kind, load_like_check_jsonschema(BASES[kind])) == set()


ACCEPTED_BY_BOTH = [
    ("applications", "name: Kainuun lukioverkko\n", "name:\n"),
    ("applications", "goals: [1, 2]\n", "goals: []\n"),
    ("call", '{"2013-01-01": "24"}', '{2013-01-01: "24", 2024-09-01: "25.5"}'),
    ("call", '"5000.00"', '"5000"'),
    ("organizations", "population: {2019: 36709}\n", "population: {}\n"),
    ("pilots", "weight: 2\n", 'weight: "0.5"\n'),
    ("pilots", 'weight: "1.5"', 'weight: "1000000.000000"'),
    ("pilots", 'weight: "1.5"', 'weight: "0.000001"'),
    ("pilots", "split: weights\n", "split:\n"),
    ("pilots", "weight: 2\n", "weight:\n"),
    ("pilots", "{date: 2020-01-20, body: Kaupunginhallitus}", ""),
    ("applications", "  person: {name: Tuula Heikkinen, email: tuula@kajaani.example.fi}\n", "  person:\n    name: Tuula Heikkinen\n    email:\n"),
    ("invoices", 'net: "1666.67"', 'net: "-1666.67"'),
    ("invoices", "  kind: invoice\n", "  kind: credit_note\n"),
    ("invoices", "  credits: null\n", '  credits: "20190001"\n'),
    ("statistics", "2019: 36709}", "2019: null}"),
    ("statistics", '  "205":\n', '  "020":\n'),
]


@pytest.mark.parametrize(("kind", "old", "new"), ACCEPTED_BY_BOTH)
def test_what_kopa_accepts_the_schema_accepts(kind: str, old: str, new: str) -> None:
    text = _edited(kind, old, new)
    assert _kopa_codes(kind, text) == set()
    assert schema_errors(kind, load_like_check_jsonschema(text)) == set()


REJECTED_BY_BOTH = [
    ("invoices", 'number: "20200001"', "number: 20200001", {"KOPA216"}, {("$[0].number", "type")}),
    ("invoices", 'number: "20200001"', 'number: "2020-0001"', {"KOPA209"}, {("$[0].number", "pattern")}),
    ("invoices", 'net: "1666.67"', 'net: "--1666.67"', {"KOPA205"}, {("$[0].net", "pattern")}),
    ("invoices", 'net: "1666.67"', 'net: "1666.675"', {"KOPA214"}, {("$[0].net", "pattern")}),
    ("invoices", "  kind: invoice\n", "  kind: refund\n", {"KOPA206"}, {("$[0].kind", "enum")}),
    ("invoices", "  pilot_name: Kainuun lukioverkko\n", "", {"KOPA202"}, {("$[0]", "required")}),
    # (kind, old, new, kopa's code, the schema's (JSON path, keyword))
    ("applications", "status: selected", "stauts: selected", {"KOPA201"}, {("$", "additionalProperties"), ("$", "required")}),
    ("applications", "status: selected", "status: selectd", {"KOPA206"}, {("$.status", "enum")}),
    ("applications", "status: selected", "status:", {"KOPA210"}, {("$.status", "enum")}),
    ("applications", "call: kopa-2020", "call: Kopa_2020", {"KOPA207"}, {("$.call", "pattern")}),
    ("applications", "call: kopa-2020", "call: " + "a" * 65, {"KOPA207"}, {("$.call", "pattern")}),
    ("applications", "members: [kajaani, sotkamo]", "members: kajaani", {"KOPA203"}, {("$.members", "type")}),
    ("applications", "goals: [1, 2]", "goals: [1, two]", {"KOPA203"}, {("$.goals[1]", "type")}),
    ("applications", "submitted: 2019-12-10", "submitted: 10.12.2019", {"KOPA204"}, {("$.submitted", "pattern"), ("$.submitted", "format")}),
    ("applications", "submitted: 2019-12-10", "submitted: 2019-12-10 09:30:00", {"KOPA204"}, {("$.submitted", "pattern"), ("$.submitted", "format")}),
    ("applications", "submitted: 2019-12-10", "submitted: 2019-02-30", {"KOPA204"}, {("$.submitted", "format")}),
    ("applications", "tuula@kajaani.example.fi", "tuula.kajaani.example.fi", {"KOPA208"}, {("$.responsible.person.email", "pattern")}),
    ("applications", "{name: Tuula Heikkinen, ", "{nmae: Tuula Heikkinen, ", {"KOPA201"}, {("$.responsible.person", "additionalProperties"), ("$.responsible.person", "required")}),
    ("call", '"5000.00"', "5000.00", {"KOPA216"}, {("$.fee.annual", "type")}),
    ("call", '"5000.00"', '"5000.001"', {"KOPA214"}, {("$.fee.annual", "pattern")}),
    ("call", '"5000.00"', '"-5000"', {"KOPA212"}, {("$.fee.annual", "pattern")}),
    ("call", '"5000.00"', '"0.00"', {"KOPA212"}, {("$.fee.annual", "pattern")}),
    ("call", '"5000.00"', '"1000000000"', {"KOPA213"}, {("$.fee.annual", "pattern")}),
    ("call", '"24"}', '"1e30"}', {"KOPA209"}, {("$.fee.vat['2013-01-01']", "pattern")}),
    ("call", '"24"}', '"240"}', {"KOPA213"}, {("$.fee.vat['2013-01-01']", "pattern")}),
    ("call", '"24"}', '"24.125"}', {"KOPA214"}, {("$.fee.vat['2013-01-01']", "pattern")}),
    ("call", '"24"}', '"２４"}', {"KOPA209"}, {("$.fee.vat['2013-01-01']", "pattern")}),
    ("call", "years: [2020, 2021]", "years: [0, 2021]", {"KOPA213"}, {("$.fee.years[0]", "minimum")}),
    ("call", '"5000.00"', '"5 000,00"', {"KOPA205"}, {("$.fee.annual", "pattern")}),
    ("call", '"2013-01-01"', '"2013-13-01"', {"KOPA204"}, {("$.fee.vat", "format")}),
    ("call", '"24"}', "24}", {"KOPA216"}, {("$.fee.vat['2013-01-01']", "type")}),
    ("call", "{1: Saatavuus, ", "{one: Saatavuus, ", {"KOPA203"}, {("$.goals", "pattern")}),
    ("call", "{1: Saatavuus, ", "{0: Saatavuus, ", {"KOPA213"}, {("$.goals", "pattern")}),
    ("call", "{1: Saatavuus, ", "{100: Saatavuus, ", {"KOPA213"}, {("$.goals", "pattern")}),
    ("call", "deadline: 2019-12-13\n", "deadline: 2019-12-13\nmax_chars: '5000'\n", {"KOPA217"}, {("$.max_chars", "type")}),
    ("call", "id: kopa-2020\n", "", {"KOPA202"}, {("$", "required")}),
    ("organizations", 'municipality_code: "205"', "municipality_code: 205", {"KOPA216"}, {("$.municipality_code", "type")}),
    ("organizations", 'postcode: "87100"', 'postcode: "8710"', {"KOPA209"}, {("$.address.postcode", "pattern")}),
    ("organizations", 'postcode: "87100"', "postcode: 87100", {"KOPA216"}, {("$.address.postcode", "type")}),
    ("organizations", "type: municipality", "type: city", {"KOPA206"}, {("$.type", "enum")}),
    ("organizations", "{2019: 36709}", '{2019: "36709"}', {"KOPA217"}, {("$.population['2019']", "type")}),
    ("organizations", "{2019: 36709}", "{vuosi: 36709}", {"KOPA203"}, {("$.population", "pattern")}),
    ("organizations", "{2019: 36709}", "{2019: -2528}", {"KOPA213"}, {("$.population['2019']", "minimum")}),
    ("organizations", "{2019: 36709}", "{2019: 36709, -3: 1}", {"KOPA213"}, {("$.population", "pattern")}),
    ("organizations", "{2019: 36709}", "{2019: 36709, 99999: 1}", {"KOPA213"}, {("$.population", "pattern")}),
    ("organizations", "{2019: 36709}", "{2019: 36709, 0999: 1}", {"KOPA213"}, {("$.population", "pattern")}),
    ("organizations", 'postcode: "87100"', 'postcode: "８７１００"', {"KOPA209"}, {("$.address.postcode", "pattern")}),
    ("pilots", 'weight: "1.5"', 'weight: "-1"', {"KOPA212"}, {("$.members[1].weight", "pattern")}),
    ("pilots", 'weight: "1.5"', 'weight: "0"', {"KOPA212"}, {("$.members[1].weight", "pattern")}),
    ("pilots", 'weight: "1.5"', 'weight: "1e-999999999"', {"KOPA209"}, {("$.members[1].weight", "pattern")}),
    ("pilots", "    weight: 2\n", "    weight: 0\n", {"KOPA212"}, {("$.members[0].weight", "exclusiveMinimum")}),
    ("pilots", 'weight: "1.5"', 'weight: "0.0000001"', {"KOPA213"}, {("$.members[1].weight", "pattern")}),
    ("pilots", 'weight: "1.5"', 'weight: "1.0000001"', {"KOPA214"}, {("$.members[1].weight", "pattern")}),
    ("pilots", 'weight: "1.5"', 'weight: "1000000.5"', {"KOPA213"}, {("$.members[1].weight", "pattern")}),
    ("pilots", "    weight: 2\n", "    weight: 1000001\n", {"KOPA213"}, {("$.members[0].weight", "maximum")}),
    ("call", "deadline: 2019-12-13\n", "deadline: 2019-12-13\nmax_chars: 0\n", {"KOPA213"}, {("$.max_chars", "minimum")}),
    ("call", "bic: NDEAFIHH\n", "bic: NDEAFIHH\ninvoicing: {payment_term_days: -21}\n", {"KOPA213"}, {("$.invoicing.payment_term_days", "minimum")}),
    ("pilots", 'weight: "1.5"', "weight: kaksi", {"KOPA209"}, {("$.members[1].weight", "pattern")}),
    ("pilots", "{date: 2020-01-20, body: Kaupunginhallitus}", "{date: 2020-01-20}", {"KOPA202"}, {("$.members[0].approval", "required")}),
    ("pilots", "    weight: 2\n", "    wieght: 2\n", {"KOPA201"}, {("$.members[0]", "additionalProperties")}),
    ("pilots", "  - org: kajaani\n", "  - org: Kajaani\n", {"KOPA207"}, {("$.members[0].org", "pattern")}),
    ("pilots", "split: weights", "split: weight", {"KOPA206"}, {("$.split", "enum")}),
    ("statistics", '  "205":\n', '  "KU205":\n', {"KOPA209"}, {("$.areas", "pattern")}),
    ("statistics", 'licence: "CC BY 4.0"', 'licence: "CC BY-SA 4.0"', {"KOPA206"}, {("$.licence", "enum")}),
    ("statistics", "2019: 36709}", "2019: -1}", {"KOPA213"}, {("$.areas['205'].total['2019']", "minimum")}),
    ("statistics", "population: true", 'population: "true"', {"KOPA203"}, {("$.population", "type")}),
]


@pytest.mark.parametrize(("kind", "old", "new", "kopa", "schema"), REJECTED_BY_BOTH)
def test_what_kopa_rejects_the_schema_rejects_at_the_same_key(
    kind: str, old: str, new: str, kopa: set[str], schema: set[tuple[str, str]]
) -> None:
    text = _edited(kind, old, new)
    assert _kopa_codes(kind, text) == kopa
    assert schema_errors(kind, load_like_check_jsonschema(text)) == schema
