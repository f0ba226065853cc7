"""JSON Schema (draft 2020-12) of each record kind, generated from the record definitions.

The schema is built from the same frozen dataclasses the validator reads (records.py,
through ``structure.record_fields``), so an editor's YAML language server or
check-jsonschema sees the keys, types and formats kopa checks, and the two cannot
drift apart: a new key in records.py is a new property here.

The schema describes a record as check-jsonschema reads a YAML file: a date is the
text of the date (it loads YAML timestamps as strings) and a mapping key is text (it
turns the integer keys of ``goals`` and ``population`` into "1", "2019"). A schema can
decide less than kopa does, so a file the schema accepts may still fail ``kopa
validate``; where they differ:

- check digits (Y-tunnus, IBAN, BIC, e-invoice addresses) and everything that
  compares records with each other or with the call are kopa's alone, and so is the
  64-character limit of ids (a ``Format`` carries a pattern, not a length);
- JSON has no dates, so a quoted "2019-12-13" passes the schema, while kopa wants a
  YAML date; likewise a quoted integer key ("2019":) passes the schema;
- JSON Schema counts 2.0 as an integer; kopa wants 2;
- the bounds of quoted numbers (money, VAT rates) are patterns here, which do not allow
  leading zeros beyond the bound's digits ("0100" passes kopa as a rate of 100).

A Markdown application fits the application schema once its sections are read as the
``goal`` and ``plan`` keys.
"""

from __future__ import annotations

import dataclasses
import types
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

from kopa_cli.load.kinds import BY_NAME
from kopa_cli.load.structure import Format, Number, Range, record_fields

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_DIGITS = r"^-?[0-9]+$"
_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# Numbers written as quoted text (structure.Number), as structure reads them with money.py:
# ASCII digits, at most two decimals, no sign; a rate or weight is a plain decimal.
_NUMBER_TEXT = {
    "money": r"^[0-9]{1,9}(\.[0-9]{1,2})?$",  # 0 to money.MONEY_MAXIMUM
    "rate": r"^(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$",  # 0 to 100 percent
    # greater than zero (not all zeros), at most 1000000, with at most six decimals
    "weight": r"^(?!0*(\.0*)?$)([0-9]{1,6}(\.[0-9]{1,6})?|1000000(\.0{1,6})?)$",
}
_NUMBER_DESCRIPTIONS = {
    "money": 'An amount of money as a quoted string, like "5000.00".',
    "rate": 'A percentage as a quoted string, like "24".',
    "weight": 'A number greater than zero and at most 1000000, with at most six decimals, like 2 or "1.5".',
}


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record kind: "call", "organizations", "applications" or "pilots"."""
    record_kind = BY_NAME[kind]
    builder = _SchemaBuilder()
    title = f"KOPA {record_kind.label} ({record_kind.where('.yaml')})"  # the schema reads YAML files
    whole = getattr(record_kind.record, "WHOLE_FILE", None)
    if whole is not None:  # the file is one list (the invoice ledger)
        root = {"type": "array", "items": builder.of(get_type_hints(record_kind.record)[whole]).get("items")}
    else:
        root = {"type": "object", **builder.object_schema(record_kind.record)}
    schema: dict[str, Any] = {"$schema": DIALECT, "title": title, **root}
    if builder.defs:
        schema["$defs"] = dict(sorted(builder.defs.items()))
    return schema


class _SchemaBuilder:
    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def object_schema(self, cls: type) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for name, annotation, metadata in record_fields(cls):
            prop = self.of(annotation)
            if metadata.get("label"):
                prop = {**prop, "title": metadata["label"]}
            described = metadata.get("doc") or metadata.get("label")
            if described:  # the key's own words first, then how its kind of value is written
                prop = {**prop, "description": " ".join(filter(None, (described, prop.get("description"))))}
            default = _json_default(cls, name)
            if default is not None:
                prop = {**prop, "default": default}
            properties[name] = prop
            if metadata.get("required"):
                required.append(name)
        # No "type" here: the referring key says "object" or ["object", "null"], so an
        # optional sub-record needs no anyOf, which would hide the error inside it.
        schema: dict[str, Any] = {"properties": properties}
        if required:
            schema["required"] = required
        schema["additionalProperties"] = False
        return schema

    def of(self, tp: Any) -> dict[str, Any]:
        """The schema of one annotation, as structure._Structurer.convert reads it."""
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            (inner,) = [arg for arg in get_args(tp) if arg is not type(None)]
            return _or_null(self.of(inner))
        if origin is Annotated:
            base, marker = get_args(tp)[:2]
            if isinstance(marker, Number):
                return _number(marker)
            if isinstance(marker, Range):  # a whole number: Number's bounds are in its pattern
                return {**self.of(base), "minimum": marker.minimum, "maximum": marker.maximum}
            if isinstance(marker, Format):
                schema = self.of(base)
                return {**schema, "pattern": marker.pattern} if marker.pattern else schema
            return self.of(base)
        if origin is Literal:
            return {"enum": list(get_args(tp))}
        if origin is list:
            (item,) = get_args(tp)
            return {"type": "array", "items": self.of(item)}
        if origin is dict:
            key, value = get_args(tp)
            return {"type": "object", "propertyNames": _key_schema(key), "additionalProperties": self.of(value)}
        if dataclasses.is_dataclass(tp):
            name = tp.__name__
            if name not in self.defs:
                self.defs[name] = {}  # reserved first, so a definition that refers to itself ends
                self.defs[name] = self.object_schema(tp)
            return {"$ref": f"#/$defs/{name}", "type": "object"}
        if tp is date:
            return {"type": "string", "format": "date", "pattern": _DATE}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer"}
        if tp is str:
            return {"type": "string"}
        raise TypeError(f"no JSON Schema for the record annotation {tp!r}")


def _number(marker: Number) -> dict[str, Any]:
    pattern = _NUMBER_TEXT[marker.name]
    if marker.range.minimum < 0:  # an invoiced amount, negative on a credit note
        pattern = "^-?" + pattern.removeprefix("^")
    schema: dict[str, Any] = {"type": "string", "pattern": pattern}
    if marker.name == "weight":  # a whole number may be written unquoted; "pattern" applies to text only
        bounds = {"exclusiveMinimum": 0, "maximum": marker.range.maximum}
        schema = {"type": ["integer", "string"], **bounds, "pattern": _NUMBER_TEXT[marker.name]}
    return {**schema, "description": _NUMBER_DESCRIPTIONS[marker.name]}


def _key_schema(tp: Any) -> dict[str, Any]:
    # Keys are text in JSON; check-jsonschema turns a YAML integer key into its digits.
    if get_origin(tp) is Annotated:  # a bounded whole number: its digits, within the bounds
        tp, bounds = get_args(tp)[:2]
        if tp is int and isinstance(bounds, Range):
            return {"pattern": _digits_within(bounds)}
    if tp is int:
        return {"pattern": _DIGITS}
    if tp is date:
        return {"format": "date", "pattern": _DATE}
    return {}


def _digits_within(bounds: Range) -> str:
    """A pattern for the digits of the whole numbers from ``bounds.minimum`` to
    ``bounds.maximum``, when those are a power of ten or 1 and all nines (a year 1000–9999:
    ``^[1-9][0-9]{3}$``; a goal number 1–99: ``^[1-9][0-9]?$``); else any whole number."""
    width = len(str(bounds.maximum))
    if bounds.maximum != 10**width - 1 or bounds.minimum not in (1, 10 ** (width - 1)):
        return _DIGITS
    if bounds.minimum == 10 ** (width - 1) and width > 1:  # every number has all the digits
        rest = "[0-9]" if width == 2 else f"[0-9]{{{width - 1}}}"
    else:  # from 1: one digit or more
        rest = "" if width == 1 else "[0-9]?" if width == 2 else f"[0-9]{{0,{width - 1}}}"
    return f"^[1-9]{rest}$"


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``X | None``: the key may be written empty (null)."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def _json_default(cls: type, name: str) -> Any:
    """The key's default when it is plain JSON (editors show it); None otherwise."""
    field = next(f for f in dataclasses.fields(cls) if f.name == name)
    if field.default is not dataclasses.MISSING:
        value = field.default
    elif field.default_factory is not dataclasses.MISSING:
        value = field.default_factory()
    else:
        return None
    if isinstance(value, (str, int, list, dict)) and not isinstance(value, (bool, Decimal)):
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value
    return None
