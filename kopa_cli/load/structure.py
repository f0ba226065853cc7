"""Turning parsed YAML into typed, frozen records — by the records' own type annotations.

A record kind is a frozen dataclass (see records.py). Its annotations say what each key
holds; ``Annotated`` markers add formats (ids, e-mail, Y-tunnus); field metadata adds the
label and documentation. The same definition drives validation here, the JSON Schema
(schema.py) and, later, formatting and rendering.

A value that does not fit is reported and left ``None``, so one typo never hides the
other problems of a record.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
import types
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Callable, Literal, Union, get_args, get_origin, get_type_hints

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Aside, Code, Diagnostic, Figure, Msg, Phrase, Plural, Suggestion, diagnostic, suggest
from kopa_cli.core.i18n import N_, N_plural
from kopa_cli.core.money import decimal_places, parse_number, to_cents
from kopa_cli.core.origin import Origin, Path
from kopa_cli.core.phrases import Field
from kopa_cli.core.spelling import meant_id
from kopa_cli.load.fieldnames import choice, field, mapping_key


@dataclass(frozen=True)
class Format:
    """A text format checked by a function, e.g. ids or Y-tunnus."""

    name: str
    check: Callable[[str], bool]
    rule: Code
    pattern: str | None = None  # for the JSON Schema


@dataclass(frozen=True)
class Range:
    """The values a number may take, so that no figure that validates can break the fees.

    From ``minimum`` to ``maximum`` inclusive, with at most ``places`` decimals. With
    ``positive``, zero and below are said to be not positive (a weight of 0 would drop a
    member from a split) rather than out of range.
    """

    minimum: int | Decimal
    maximum: int | Decimal
    places: int | None = None
    positive: bool = False


@dataclass(frozen=True)
class Number:
    """A decimal number written as a quoted string: money ("5000.00"), a VAT rate ("24")."""

    name: str  # "money" | "rate" | "weight" (a whole number is accepted unquoted)
    range: Range


@dataclass(frozen=True)
class FreeText:
    """Text of several lines and paragraphs (an application's sections): line breaks and
    tabs are allowed in it. Any other text is a single line, without control characters."""


# Characters that invoices, spreadsheets and e-invoices cannot carry, or that make text read
# otherwise than it is stored: controls (C0, DEL, C1; Unicode category Cc), format characters
# (Cf: soft hyphen, zero-width characters, bidi controls that reorder text as in "Trojan
# source", the byte order mark, tag characters), noncharacters (U+FDD0-U+FDEF and the last two
# code points of each plane) and lone surrogates. Free text may hold tabs and line breaks (LF,
# and the line and paragraph separators U+2028/U+2029, Zl/Zp); no other text may.
# tests/test_formats.py holds this list against unicodedata.
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000))
_NEVER = f"\x7f-\x9f{_FORMAT}{_NONCHARACTERS}\ud800-\udfff"
_CONTROL = re.compile(f"[\x00-\x1f\u2028\u2029{_NEVER}]")
_CONTROL_IN_FREE_TEXT = re.compile(f"[\x00-\x08\x0b-\x1f{_NEVER}]")  # all but tab, LF, LS and PS
_DECIMALS = N_plural("{n} decimal", "{n} decimals")
_CONTROL_NAMES = {"\n": N_("a line break"), "\t": N_("a tab")}


def key(default: Any = None, *, required: bool = False, label: str | None = None, doc: str = "", headings: tuple[str, ...] = ()) -> Any:
    """Declare a record key. A required key's default is None only so a broken record still loads.

    ``headings``: makes the key a section of a Markdown application (markdowndoc.py), headed
    by its label or one of these (message ids: matched in each of kopa's languages)."""
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


def refused(record: Any, *where: str | int) -> bool:
    """Was what was written at ``where`` in ``record`` refused (and reported): the value
    there, something inside it, or a value it is inside? Then it is not also "missing":
    one mistake, one message."""
    size = len(where)
    return any(path[:size] == where or (path and where[: len(path)] == path) for path in record.origin.refused)


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
    def __init__(self, kind: type, origin: Origin) -> None:
        self.kind = kind  # the record class at the root of the file
        self.origin = origin
        self.data: Any = None  # the parsed file, to name the member a field is in
        self.diagnostics: list[Diagnostic] = []

    def field(self, where: Path) -> Field:
        return field(self.kind, where, self.data)

    def report(self, where: Path, rule: Code, key_position: bool = False, refuse: bool = True, **args: object) -> None:
        """A problem at the value (or, with ``key_position``, the key) of ``where``, noted on
        the origin as refused (unless ``refuse`` is false: nothing was written there); a quoted
        ``value`` is shown as the user wrote it (a date with its time, a number's digits)."""
        position = self.origin.key_at(*where) if key_position else self.origin.at(*where)
        if refuse:
            self.origin.refused.add(where)
        if "value" in args and not key_position:
            args["value"] = self.origin.as_written(where, args["value"])
        self.diagnostics.append(diagnostic(self.origin.path, position, rule, **args))

    def convert(self, value: Any, tp: Any, where: Path) -> Any:
        origin, args = _shape(tp)
        if origin is Union:
            if value is None:
                return None
            return self.convert(value, args[0], where)
        if value is None:
            self.report(where, codes.EMPTY_VALUE, key=self.field(where))
            return None
        if origin is Annotated:
            base, marker = args
            if isinstance(marker, Number):
                return self.number(value, marker, where)
            if isinstance(marker, FreeText):
                if isinstance(value, str):
                    return self.text(value, where, _CONTROL_IN_FREE_TEXT)
                return self.convert(value, base, where)  # not text: reported there
            if isinstance(marker, Range):
                number = self.convert(value, base, where)
                return number if number is None else self.bounded(number, value, marker, where)
            text = self.convert(value, base, where)
            if text is None or _CONTROL.search(text):  # a control character is reported already
                return None
            if not marker.check(text):
                hint = Suggestion(meant_id(text) if marker.rule is codes.BAD_ID else "")
                self.report(where, marker.rule, key=self.field(where), value=text, expected=Msg(marker.name), hint=hint)
                return None
            return text
        if origin is Literal:
            if value not in args:
                choices = list(args)
                shown = [choice(c) for c in choices]
                self.report(where, codes.NOT_IN_CHOICES, key=self.field(where), value=choice(value), choices=shown, hint=suggest(value, choices))
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
                hint = suggest(k, list(names))
                self.report(where + (k,), codes.UNKNOWN_KEY, key_position=True, key=k, hint=hint)
                if hint and hint not in value:  # the key meant was written, misspelt: not "missing" too
                    self.origin.refused.add(where + (str(hint),))
        kwargs = internal
        for name, tp, metadata in fields:
            if name in value:
                converted = self.convert(value[name], tp, where + (name,))
                # A reported optional value falls back to its default (an empty list stays
                # a list), so rules never meet None where a default was promised.
                if converted is not None or metadata.get("required"):
                    kwargs[name] = converted
            elif metadata.get("required") and where + (name,) not in self.origin.refused:
                self.report(where, codes.MISSING_KEY, refuse=False, key=self.field(where + (name,)))
        return cls(**kwargs)

    def key_field(self, where: Path) -> Field:
        """The key at the end of ``where``, named for what it stands for (a goal number)."""
        return mapping_key(self.kind, where[:-1], self.data)

    def dict_key(self, key: Any, tp: Any, where: Path) -> Any:
        if tp is date and isinstance(key, str):
            try:
                return date.fromisoformat(key)
            except ValueError:
                self.report(where, codes.NOT_A_DATE, key_position=True, key=self.key_field(where), value=key, reason=_no_such_day(key))
                return None
        base, marker = get_args(tp)[:2] if get_origin(tp) is Annotated else (tp, None)
        if base is int and not (isinstance(key, int) and not isinstance(key, bool)):
            if isinstance(key, str) and _WHOLE_NUMBER.fullmatch(key):  # {"2019": ...}
                self.report(where, codes.NEEDS_NO_QUOTES, key_position=True, key=self.key_field(where), value=key)
            else:  # {2019.5: ...}, {five: ...}, {null: ...}
                self.report(where, codes.WRONG_TYPE, key_position=True, key=self.key_field(where), expected=Msg(N_("a whole number")), found=_found(key))
            return None
        if isinstance(marker, Range):  # a year of a population, a goal's number
            return self.bounded(key, key, marker, where, key_position=True)
        return self.convert(key, tp, where)

    def scalar(self, value: Any, tp: type, where: Path) -> Any:
        if tp is date:
            if isinstance(value, date) and not isinstance(value, datetime):
                return value
            if isinstance(value, str) and _is_iso_date(value):  # "2019-12-10": text, not a date
                self.report(where, codes.NEEDS_NO_QUOTES, key=self.field(where), value=value)
            else:
                self.report(where, codes.NOT_A_DATE, key=self.field(where), value=value, reason=_no_such_day(value))
            return None
        if tp is int and isinstance(value, int) and not isinstance(value, bool):
            return value
        if tp is str and isinstance(value, str):
            return self.text(value, where, _CONTROL)
        if tp is bool and isinstance(value, bool):
            return value
        expected = {int: N_("a whole number"), str: N_("text"), bool: N_("true or false")}[tp]
        return self.wrong_type(value, expected, where)

    def text(self, value: str, where: Path, control: re.Pattern[str]) -> str:
        """``value``, with the first ``control`` character in it reported. The text is kept, so
        that a name with a stray character is not also reported missing; a formatted value
        (an id, a postcode) is dropped by ``convert``."""
        found = control.search(value)
        if found is not None:
            character = found.group()
            name = Aside(_CONTROL_NAMES.get(character) or unicodedata.name(character, ""))  # RIGHT-TO-LEFT OVERRIDE
            self.report(where, codes.CONTROL_CHARACTER, key=self.field(where), character=f"U+{ord(character):04X}", name=name)
        return value

    def number(self, value: Any, marker: Number, where: Path) -> Decimal | None:
        key = self.field(where)
        if marker.name == "weight" and isinstance(value, int) and not isinstance(value, bool):
            return self.bounded(Decimal(value), value, marker.range, where)
        if isinstance(value, (int, float)) and not isinstance(value, bool):  # 5000.00, 24, 1.5
            # quoted, an amount stays the exact decimal written; unquoted, YAML makes it a float
            self.report(where, codes.NEEDS_QUOTES, key=key, value=value, found=Msg(_FLOAT if isinstance(value, float) else N_("a number")))
            return None
        if isinstance(value, str):
            try:
                number = parse_number(value)
            except ValueError:
                number = None
            if number is not None:
                if self.bounded(number, value, marker.range, where) is None:
                    return None
                return to_cents(number) if marker.name == "money" else number  # bounded to two decimals above
        if marker.name == "money":
            self.report(where, codes.NOT_MONEY, key=key, value=_show(value))
        else:
            self.report(where, codes.BAD_FORMAT, key=key, value=value, expected=Msg(_NUMBER_EXPECTED[marker.name]))
        return None

    def bounded(self, number: int | Decimal, value: Any, bounds: Range, where: Path, key_position: bool = False) -> Any:
        """``number`` if it lies in ``bounds``; else reported (as ``value``, as written) and None.
        With ``key_position``, ``number`` is a key of the mapping at ``where[:-1]``."""
        # The key is named only for a report: naming it costs more than the check (a
        # statistics file has some 60 000 bounded keys and figures).
        def key() -> Field:
            return self.key_field(where) if key_position else self.field(where)

        if bounds.positive and number <= 0:
            self.report(where, codes.NOT_POSITIVE, key_position, key=key(), value=_show(value))
            return None
        if number < bounds.minimum or number > bounds.maximum:
            self.report(where, codes.OUT_OF_RANGE, key_position, key=key(), value=_show(value), minimum=Figure(bounds.minimum), maximum=Figure(bounds.maximum))
            return None
        if bounds.places is not None and isinstance(number, Decimal) and decimal_places(number) > bounds.places:
            self.report(where, codes.TOO_MANY_DECIMALS, key_position, key=key(), value=_show(value), places=Plural(_DECIMALS, bounds.places))
            return None
        return number

    def wrong_type(self, value: Any, expected: str, where: Path) -> None:
        key = self.field(where)
        if expected == _TEXT and isinstance(value, (bool, int, float, date)):  # postcode: 87100
            self.report(where, codes.NEEDS_QUOTES, key=key, value=value, found=Msg(_type_name(value)))
        elif expected == _WHOLE and isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value):  # "2019"
            self.report(where, codes.NEEDS_NO_QUOTES, key=key, value=value)
        else:
            self.report(where, codes.WRONG_TYPE, key=key, expected=Msg(expected), found=self.origin.as_written(where, _found(value)))
        return None



_TEXT, _WHOLE = N_("text"), N_("a whole number")
_FLOAT = N_("a floating-point number, which is not exact")
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _no_such_day(value: object) -> Phrase | str:
    """Why a date written as a date, YYYY-MM-DD, is none: "2020-02-30" -> month 2/2020 has
    29 days; "2020-13-01" -> there is no month 13. Empty for anything else."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value, re.ASCII) if isinstance(value, str) else None
    if match is None or _is_iso_date(value):
        return ""
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12:
        return Phrase.of(N_(": there is no month {month}"), month=match[2])
    days = calendar.monthrange(year, month)[1]
    if 1 <= int(match[3]) <= days:
        return ""  # the year 0000
    return Phrase.of(N_(": there is no such day, as month {month} has {days} days"), month=f"{month}/{year}", days=days)


def _is_iso_date(text: str) -> bool:
    try:
        return len(text) == 10 and bool(date.fromisoformat(text))
    except ValueError:
        return False


_NUMBER_EXPECTED = {
    "rate": N_('a percentage from 0 to 100 in plain digits, quoted, like "24" or "25.5"'),
    "weight": N_("a number greater than zero, like 2 or \"1.5\""),
}


def _show(value: Any) -> str:
    """A value in a message: text in single quotes as written (output escapes what must be), a
    number as is."""
    return f"'{value}'" if isinstance(value, str) else str(value)


def _found(value: Any) -> str | Msg:
    """What was written instead: a number or a word quoted as written ("not 2020.0", "not
    '.inf'"), anything else named by its type ("not empty")."""
    return _show(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else Msg(_type_name(value))


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
    structurer = _Structurer(cls, origin)
    structurer.data = data
    whole = getattr(cls, "WHOLE_FILE", None)
    if whole is not None:  # the file is one list: the entries of the invoice ledger
        if not isinstance(data, list):
            structurer.diagnostics.append(diagnostic(origin.path, origin.at(), codes.NOT_A_LIST, found=Msg(_type_name(data))))
            return None, structurer.diagnostics
        (item_type,) = get_args(get_type_hints(cls)[whole])
        items = tuple(structurer.convert(item, item_type, (i,)) for i, item in enumerate(data))
        return cls(**{whole: items}, origin=origin, **internal), structurer.diagnostics
    if not isinstance(data, dict):
        found = Msg(_type_name(data))
        structurer.diagnostics.append(diagnostic(origin.path, origin.at(), codes.NOT_A_MAPPING, found=found))
        return None, structurer.diagnostics
    return structurer.record(data, cls, (), origin=origin, **internal), structurer.diagnostics
