"""The docs tell the truth: docs/records.md's tables against the record definitions, and links.

Every record kind and every map inside one has a table in docs/records.md whose keys, types
and required-ness are those of its dataclass in kopa_cli/load/records.py; every type named
there is defined in the "Types of values" table, whose accepted and refused examples are read
by the real structuring code. Links in the docs point at files and headings inside the
repository.
"""

from __future__ import annotations

import dataclasses
import html
import re
import types
from datetime import date
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

from kopa_cli.core import codes  # noqa: F401  (registers every code)
from kopa_cli.core.diagnostics import CODES
from kopa_cli.load import formats
from kopa_cli.load import records as r
from kopa_cli.load.kinds import KINDS
from kopa_cli.load.structure import internal, key, record_fields, structure
from kopa_cli.load.yamlparse import parse_yaml

REPO = Path(__file__).resolve().parents[1]
RECORDS_MD = REPO / "docs" / "records.md"
DOCS = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]

# The name a type has in docs/records.md, for every type a record key may hold.
TYPE_NAMES: list[tuple[str, Any]] = [
    ("text", str),
    ("free text", formats.Paragraphs),
    ("integer", int),
    ("year", formats.Year),
    ("population", formats.Population),
    ("date", date),
    ("id", formats.Id),
    ("money", formats.Money),
    ("percentage", formats.Rate),
    ("number", formats.Weight),
    ("character limit", formats.CharacterLimit),
    ("goal number", formats.GoalNumber),
    ("payment term", formats.PaymentTerm),
    ("invoice number", formats.InvoiceNumber),
    ("ledger number", formats.LedgerNumber),
    ("viitenumero", formats.Reference),
    ("positive money", formats.PositiveMoney),
    ("signed money", formats.SignedMoney),
    ("Y-tunnus", formats.BusinessId),
    ("municipality code", formats.MunicipalityCode),
    ("postcode", formats.Postcode),
    ("phone number", formats.Phone),
    ("e-mail address", formats.Email),
    ("IBAN", formats.Iban),
    ("BIC", formats.Bic),
    ("e-invoice address", formats.EInvoiceAddress),
    ("e-invoice operator", formats.EInvoiceOperator),
    ("true or false", bool),
    ("area code", formats.AreaCode),
    ("age", formats.Age),
]
PLURALS = {"id": "ids", "integer": "integers", "year": "years", "date": "dates", "map": "maps"}

# The heading above each record's key table.
TABLES: dict[str, type] = {
    "call.yaml": r.Call,
    "title": r.Localized,
    "fee": r.Fee,
    "organizer": r.Organizer,
    "invoicing": r.Invoicing,
    "organizations/&lt;id&gt;.yaml": r.Organization,
    "address": r.Address,
    "einvoice": r.EInvoice,
    "Application fields": r.Application,
    "responsible": r.Responsible,
    "person": r.Person,
    "pilots/&lt;id&gt;.yaml": r.Pilot,
    "members": r.PilotMember,
    "approval": r.Approval,
    "invoices/&lt;year&gt;.yaml": r.InvoiceEntry,  # the file is the list of entries (Ledger.WHOLE_FILE)
    "buyer": r.Buyer,
    "statistics/&lt;id&gt;.yaml": r.Statistics,
    "areas": r.AreaStatistics,
}


# --- reading Markdown ------------------------------------------------------------------


def _without_code_blocks(text: str) -> list[str]:
    """The lines outside fenced code blocks (their '#' lines are not headings)."""
    lines, fence = [], None
    for line in text.splitlines():
        marker = re.match(r"\s*(`{3,}|~{3,})", line)
        if marker and (fence is None or marker.group(1).startswith(fence)):
            fence = None if fence else marker.group(1)
            continue
        if fence is None:
            lines.append(line)
    return lines


def _cells(line: str) -> list[str]:
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]


def tables_by_heading(text: str) -> dict[str, list[dict[str, str]]]:
    """The first table under each heading, as rows of {column: cell}."""
    found: dict[str, list[dict[str, str]]] = {}
    heading, header = None, None
    for line in _without_code_blocks(text):
        if match := re.match(r"#{1,6} (.*)", line):
            heading, header = match.group(1).strip(), None
        elif line.startswith("|") and heading is not None and (heading not in found or header):
            cells = _cells(line)
            if header is None:
                header = cells
                found[heading] = []
            elif not set("".join(cells)) <= set("-: "):
                found[heading].append(dict(zip(header, cells)))
        else:
            header = None
    return found


def _spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


TABLES_IN_DOC = tables_by_heading(RECORDS_MD.read_text(encoding="utf-8"))


# --- the key tables ----------------------------------------------------------------------


def doc_type(annotation: Any) -> str:
    """How docs/records.md writes the type of a key declared as ``annotation``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        (inner,) = [arg for arg in args if arg is not type(None)]
        return doc_type(inner)
    for name, known in TYPE_NAMES:
        if annotation == known:
            return name
    if origin is Literal:
        return " | ".join(f"`{choice}`" for choice in args)
    if origin is list:
        item = doc_type(args[0])
        return f"list of {item if get_origin(args[0]) is Literal else PLURALS.get(item, item)}"
    if origin is dict:
        return f"map {doc_type(args[0])} → {doc_type(args[1])}"
    if dataclasses.is_dataclass(annotation):
        return "map"
    raise AssertionError(f"no name in docs/records.md for the type {annotation!r}: add it to TYPE_NAMES and the docs")


def _default(cls: type, name: str) -> str | None:
    """The default as the docs write it (``default `fi` ``), when the default is a value to state."""
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    value = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
    if isinstance(value, list) and value:
        return "default `[" + ", ".join(map(str, value)) + "]`"
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return f"default `{value}`"
    return None


def _nested(cls: type) -> set[type]:
    """The dataclasses a record kind holds, at any depth."""
    found: set[type] = set()
    pending = [cls]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        if not getattr(current, "WHOLE_FILE", None):  # a file that is one list is documented by its item
            found.add(current)
        for _name, annotation, _metadata in record_fields(current):
            stack = [annotation]
            while stack:
                tp = stack.pop()
                if dataclasses.is_dataclass(tp):
                    pending.append(tp)
                stack.extend(arg for arg in get_args(tp) if isinstance(arg, type) or get_args(arg))
    return found


def test_every_record_and_every_map_in_one_has_a_table() -> None:
    documented = set(TABLES.values())
    for kind in KINDS:
        missing = {cls.__name__ for cls in _nested(kind.record)} - {cls.__name__ for cls in documented}
        assert not missing, f"docs/records.md has no key table for {sorted(missing)}: add one and name it in TABLES"
    for heading in TABLES:
        assert heading in TABLES_IN_DOC, f"docs/records.md has no table under the heading {heading!r}"


@pytest.mark.parametrize("heading", TABLES)
def test_a_table_lists_exactly_the_keys_of_its_record(heading: str) -> None:
    cls = TABLES[heading]
    documented = [_spans(row["key"])[0] for row in TABLES_IN_DOC[heading]]
    assert sorted(documented) == sorted(name for name, _, _ in record_fields(cls)), heading
    assert len(set(documented)) == len(documented), f"a key twice under {heading!r}"


@pytest.mark.parametrize("heading", TABLES)
def test_a_table_gives_each_key_its_type_and_whether_it_is_required(heading: str) -> None:
    cls = TABLES[heading]
    hints = get_type_hints(cls, include_extras=True)
    for row in TABLES_IN_DOC[heading]:
        name = _spans(row["key"])[0]
        where = f"{heading}: {name}"
        assert row["type"] == doc_type(hints[name]), where
        required = next(metadata.get("required") for field, _, metadata in record_fields(cls) if field == name)
        cell = row["req."]
        if required:
            assert cell == "yes", f"{where} is required: its req. cell must be 'yes'"
            continue
        assert cell != "yes", f"{where} may be left out: say so, or when it is needed"
        if rule := re.fullmatch(r"yes \((KOPA\d{3})\)", cell):  # required by a rule, not by the reader
            assert rule.group(1) in CODES, where
        if (default := _default(cls, name)) is not None:
            assert default in cell, f"{where}: the req. cell must name its {default}"


# --- the types of values ---------------------------------------------------------------

VALUE_TYPES = {row["type"]: row for row in TABLES_IN_DOC.get("Types of values", [])}


def test_every_type_a_key_can_have_is_defined_once() -> None:
    assert sorted(VALUE_TYPES) == sorted(name for name, _ in TYPE_NAMES)
    assert len(TABLES_IN_DOC.get("Types of values", [])) == len(VALUE_TYPES)


def _problems(annotation: Any, written: str) -> list[str]:
    """The codes kopa reports for ``value: <written>`` where the value is declared ``annotation``."""
    fields = [("value", annotation, key(required=True)), ("origin", Any, internal())]
    probe = dataclasses.make_dataclass("Probe", fields, frozen=True)
    data, origin, problems = parse_yaml(f"value: {written}\n", "records/probe.yaml")
    assert problems == [], written
    _record, diagnostics = structure(probe, data, origin)
    return [d.code for d in diagnostics]


@pytest.mark.parametrize(("name", "annotation"), TYPE_NAMES, ids=[name for name, _ in TYPE_NAMES])
def test_the_examples_of_a_type_are_accepted_and_refused_as_documented(name: str, annotation: Any) -> None:
    row = VALUE_TYPES.get(name, {"accepted": "", "refused": ""})
    accepted, refused = _spans(row["accepted"]), _spans(row["refused"])
    assert accepted and refused, f"give examples of {name}"
    for written in accepted:
        assert _problems(annotation, written) == [], f"{name}: {written} is documented as accepted"
    for written in refused:
        assert len(_problems(annotation, written)) == 1, f"{name}: {written} is documented as refused"


# --- links -------------------------------------------------------------------------------


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = html.unescape(re.sub(r"`([^`]*)`", r"\1", heading)).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for line in _without_code_blocks(path.read_text(encoding="utf-8")):
        if match := re.match(r"#{1,6} (.*)", line):
            slug = _slug(match.group(1).strip())
            anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
            seen[slug] = seen.get(slug, 0) + 1
    return anchors


@pytest.mark.parametrize("doc", DOCS, ids=[doc.name for doc in DOCS])
def test_links_point_at_files_and_headings_inside_the_repository(doc: Path) -> None:
    prose = "\n".join(re.sub(r"`[^`]*`", "", line) for line in _without_code_blocks(doc.read_text(encoding="utf-8")))
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"https?://", target):
            continue
        file, _, anchor = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.is_relative_to(REPO) and path.is_file(), f"{doc.name} links to {target}, not a file in the repository"
        if anchor:
            assert anchor in _anchors(path), f"{doc.name} links to {target}: {path.name} has no such heading"
    # a document named in the text (not as a link) must be one of ours, too
    for named in re.findall(r"[\w./-]*\w\.md\b", re.sub(r"\]\([^)]*\)", "", prose)):
        assert (doc.parent / named).is_file() or (REPO / named).is_file(), f"{doc.name} names {named}, which is not in the repository"
