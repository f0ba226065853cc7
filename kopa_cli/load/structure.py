"""Turning parsed YAML into typed, frozen records — by the records' own type annotations.

A record kind is a frozen dataclass (see records.py). Its annotations say what each key
holds; ``Annotated`` markers add formats (ids, e-mail, Y-tunnus); field metadata adds the
label and documentation. The same definition drives validation here, the JSON Schema
(schema.py) and, later, formatting and rendering.

A value that does not fit is reported and left ``None``, so one typo never hides the
other problems of a record.
"""

from __future__ import annotations

import dataclasses
import types
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Annotated, Any, Callable, Literal, Union, get_args, get_origin, get_type_hints

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Aside, Code, Diagnostic, Msg, diagnostic, suggest
from kopa_cli.core.i18n import N_
from kopa_cli.core.money import parse_money
from kopa_cli.core.origin import Origin, Path


@dataclass(frozen=True)
class Format:
    """A text format checked by a function, e.g. ids or Y-tunnus."""

    name: str
    check: Callable[[str], bool]
    rule: Code
    pattern: str | None = None  # for the JSON Schema


@dataclass(frozen=True)
class Number:
    """A decimal number written as a quoted string: money ("5000.00"), a VAT rate ("24")."""

    name: str  # "money" | "rate" | "weight" (a whole number is accepted unquoted)


def key(default: Any = None, *, required: bool = False, label: str | None = None, doc: str = "", headings: tuple[str, ...] = ()) -> Any:
    """Declare a record key. A required key's default is None only so a broken record still loads.

    ``headings``: the section headings that hold this key in a Markdown application
    (markdowndoc.py), the first being the one to suggest."""
    metadata = {"label": label, "doc": doc, "required": required, "headings": headings}
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=default.copy, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def internal() -> Any:
    """Set by the loader, not read from the file (the record's id and origin)."""
    return dataclasses.field(default=None, compare=False, repr=False, metadata={"internal": True})


@cache
def record_fields(cls: type) -> tuple[tuple[str, Any, dict[str, Any]], ...]:
    """(name, annotation, metadata) of the keys a record kind reads from its file."""
    hints = get_type_hints(cls, include_extras=True)
    return tuple(
        (f.name, hints[f.name], dict(f.metadata))
        for f in dataclasses.fields(cls)
        if not f.metadata.get("internal")
    )


@cache
def _names(cls: type) -> dict[str, None]:
    """The keys of a record kind, in order (a dict: ordered, and quick to look up)."""
    return dict.fromkeys(name for name, _, _ in record_fields(cls))


def label_of(cls: type, name: str) -> str:
    for field_name, _, metadata in record_fields(cls):
        if field_name == name:
            return metadata.get("label") or name
    return name


@cache
def _shape(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    """(origin, arguments) of an annotation, computed once per type: ``X | None`` is
    (Union, (X,)), ``Annotated[str, marker]`` is (Annotated, (str, marker))."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return Union, tuple(arg for arg in get_args(tp) if arg is not type(None))
    if origin is Annotated:
        return Annotated, (tp.__origin__, tp.__metadata__[0])
    return origin, get_args(tp)


class _Structurer:
    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.diagnostics: list[Diagnostic] = []

    def report(self, where: Path, rule: Code, key_position: bool = False, **args: object) -> None:
        position = self.origin.key_at(*where) if key_position else self.origin.at(*where)
        self.diagnostics.append(diagnostic(self.origin.path, position, rule, **args))

    def convert(self, value: Any, tp: Any, where: Path) -> Any:
        origin, args = _shape(tp)
        if origin is Union:
            if value is None:
                return None
            return self.convert(value, args[0], where)
        if value is None:
            self.report(where, codes.EMPTY_VALUE, key=_key_name(where))
            return None
        if origin is Annotated:
            base, marker = args
            if isinstance(marker, Number):
                return self.number(value, marker, where)
            text = self.convert(value, base, where)
            if text is not None and not marker.check(text):
                self.report(where, marker.rule, key=_key_name(where), value=text, expected=Msg(marker.name))
                return None
            return text
        if origin is Literal:
            if value not in args:
                choices = list(args)
                self.report(where, codes.NOT_IN_CHOICES, key=_key_name(where), value=value, choices=choices, hint=suggest(value, choices))
                return None
            return value
        if origin is list:
            if not isinstance(value, list):
                return self.wrong_type(value, N_("a list"), where)
            (item_type,) = args
            return tuple(self.convert(item, item_type, where + (i,)) for i, item in enumerate(value))
        if origin is dict:
            if not isinstance(value, dict):
                return self.wrong_type(value, N_("a mapping of keys and values"), where)
            key_type, value_type = args
            result = {}
            for k, v in value.items():
                converted_key = self.dict_key(k, key_type, where + (k,))
                if converted_key is not None:
                    result[converted_key] = self.convert(v, value_type, where + (k,))
            return result
        if dataclasses.is_dataclass(tp):
            return self.record(value, tp, where)
        return self.scalar(value, tp, where)

    def record(self, value: Any, cls: type, where: Path, **internal: Any) -> Any:
        if not isinstance(value, dict):
            return self.wrong_type(value, N_("a mapping of keys and values"), where)
        fields = record_fields(cls)
        names = _names(cls)
        for k in value:
            if k not in names:
                self.report(where + (k,), codes.UNKNOWN_KEY, key_position=True, key=k, hint=suggest(k, list(names)))
        kwargs = internal
        for name, tp, metadata in fields:
            if name in value:
                converted = self.convert(value[name], tp, where + (name,))
                # A reported optional value falls back to its default (an empty list stays
                # a list), so rules never meet None where a default was promised.
                if converted is not None or metadata.get("required"):
                    kwargs[name] = converted
            elif metadata.get("required"):
                label = Aside(metadata.get("label") or "")
                self.report(where, codes.MISSING_KEY, key=".".join(map(str, where + (name,))), label=label)
        return cls(**kwargs)

    def dict_key(self, key: Any, tp: Any, where: Path) -> Any:
        if tp is date and isinstance(key, str):
            try:
                return date.fromisoformat(key)
            except ValueError:
                self.report(where, codes.NOT_A_DATE, key_position=True, key=_key_name(where[:-1]), value=key)
                return None
        if tp is int and not (isinstance(key, int) and not isinstance(key, bool)):
            self.report(where, codes.WRONG_TYPE, key_position=True, key=key, expected=Msg(N_("a whole number")), found=Msg(N_("text")))
            return None
        return self.convert(key, tp, where)

    def scalar(self, value: Any, tp: type, where: Path) -> Any:
        if tp is date:
            if isinstance(value, date) and not isinstance(value, datetime):
                return value
            self.report(where, codes.NOT_A_DATE, key=_key_name(where), value=value)
            return None
        if tp is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if tp is str and isinstance(value, str):
            return value
        if tp is bool and isinstance(value, bool):
            return value
        expected = {int: N_("a whole number"), str: N_("text"), bool: N_("true or false")}[tp]
        return self.wrong_type(value, expected, where)

    def number(self, value: Any, marker: Number, where: Path) -> Decimal | None:
        key = _key_name(where)
        if marker.name == "weight" and isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, str):
            try:
                if marker.name == "money":
                    return parse_money(value)
                number = Decimal(value)
                if number.is_finite() and number >= 0:
                    return number
            except (ValueError, InvalidOperation):
                pass
        if marker.name == "money":
            self.report(where, codes.NOT_MONEY, key=key, value=_show(value))
        else:
            self.report(where, codes.BAD_FORMAT, key=key, value=value, expected=Msg(_NUMBER_EXPECTED[marker.name]))
        return None

    def wrong_type(self, value: Any, expected: str, where: Path) -> None:
        self.report(where, codes.WRONG_TYPE, key=_key_name(where), expected=Msg(expected), found=Msg(_type_name(value)))
        return None


_NUMBER_EXPECTED = {
    "rate": N_('a percentage as a quoted string, like "24"'),
    "weight": N_("a number greater than zero, like 2 or \"1.5\""),
}


def _key_name(where: Path) -> str:
    return ".".join(str(part) for part in where) or "."


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return N_("true or false")
    if isinstance(value, (int, float)):
        return N_("a number")
    if isinstance(value, datetime):
        return N_("a date and time")
    if isinstance(value, date):
        return N_("a date")
    if isinstance(value, str):
        return N_("text")
    if isinstance(value, list):
        return N_("a list")
    if isinstance(value, dict):
        return N_("a mapping of keys and values")
    return N_("empty")


def structure(cls: type, data: Any, origin: Origin, **internal: Any) -> tuple[Any, list[Diagnostic]]:
    """Build a record of kind ``cls`` from parsed data; (record or None, diagnostics)."""
    structurer = _Structurer(origin)
    if not isinstance(data, dict):
        found = Msg(_type_name(data))
        structurer.diagnostics.append(diagnostic(origin.path, origin.at(), codes.NOT_A_MAPPING, found=found))
        return None, structurer.diagnostics
    return structurer.record(data, cls, (), origin=origin, **internal), structurer.diagnostics
