"""Parse results and reports as plain JSON data, for the cache: data only, never code.

The cache folder may be written by others (a CI cache restored from a pull request), so
what is read back from it must not be able to do more than give wrong data: no pickle.
``encode`` turns a value into JSON-ready lists, strings and numbers; ``decode`` rebuilds it,
creating only the types named here and the record classes of records.py, and raises
``ValueError`` on anything else, so that a damaged or forged entry is a cache miss.

Shapes: JSON's own scalars and lists stand for themselves; every other value is an object
with one key, its tag: ``{"t": [...]}`` a tuple, ``{"m": [[key, value], ...]}`` a dict (its
keys may be numbers or dates), ``{"d": "2019-12-13"}`` a date, ``{"dt": ...}`` a datetime,
``{"$": "5000.00"}`` a Decimal, ``{"M"|"A"|"S"|"W": text}``, ``{"Fg": "1000"}`` and ``{"Eu": "1000.00"}`` the
text and number types of message arguments (core/diagnostics.py, a value as written of
core/origin.py), ``{"O": [path, values, keys, written, refused]}`` an Origin and
``{"R": [class name, [field values]]}`` a record, a Diagnostic, a Report, its Dependencies, a
Phrase, a Plural, or a Field or Choice of core/phrases.py.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Callable

from kopa_cli.core.diagnostics import Aside, Dependencies, Diagnostic, Euros, Figure, Msg, Phrase, Plural, Report, Suggestion
from kopa_cli.core.origin import Origin, Written
from kopa_cli.core.phrases import Choice, Field

_SCALARS = (str, int, float, bool, type(None))  # also the keys of a path: a YAML key may be 2019.5 or null
# Text types that say how a message shows them: each kept under a tag of its own.
_TEXTS = {"M": Msg, "A": Aside, "S": Suggestion, "W": Written}
# Dataclasses kept by class name and field values (the records of records.py too, below)
_REPORTS = {cls.__name__: cls for cls in (Diagnostic, Report, Phrase, Plural, Field, Choice, Dependencies)}

@cache
def _records() -> dict[str, type]:
    """The record classes, imported only when a record is met (a cached report has none)."""
    from kopa_cli.load import records

    return {cls.__name__: cls for cls in vars(records).values() if dataclasses.is_dataclass(cls) and cls.__module__ == records.__name__}


def _class(name: str) -> type | None:
    return _REPORTS.get(name) or _records().get(name)


@cache
def _fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def _positions(positions: dict[tuple[str | int, ...], tuple[int, int]]) -> list[list[Any]]:
    return [[*path, line, column] for path, (line, column) in positions.items()]


def _origin(origin: Origin) -> dict[str, Any]:
    written = [[*path, text] for path, text in origin.written.items()]
    refused = sorted(([*path] for path in origin.refused), key=repr)  # a set: one order, for equal bytes
    return {"O": [origin.path, _positions(origin.values), _positions(origin.keys), written, refused]}


def _record(value: Any) -> dict[str, Any]:
    cls = type(value)
    if _class(cls.__name__) is not cls:
        raise TypeError(f"not a record kopa caches: {cls!r}")
    return {"R": [cls.__name__, [encode(getattr(value, field)) for field in _fields(cls)]]}


_ENCODERS: dict[type, Callable[[Any], Any]] = {
    list: lambda value: [encode(item) for item in value],
    tuple: lambda value: {"t": [encode(item) for item in value]},
    dict: lambda value: {"m": [[encode(k), encode(v)] for k, v in value.items()]},
    date: lambda value: {"d": value.isoformat()},
    datetime: lambda value: {"dt": value.isoformat()},
    Decimal: lambda value: {"$": str(value)},
    Figure: lambda value: {"Fg": str(value)},
    Euros: lambda value: {"Eu": str(value)},
    Origin: _origin,
    **{cls: (lambda value, tag=tag: {tag: str(value)}) for tag, cls in _TEXTS.items()},
}


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data. Raises ``TypeError`` for a type the cache does not keep."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    encoder = _ENCODERS.get(kind)
    return encoder(value) if encoder is not None else _record(value)


def _text(body: Any) -> str:
    if type(body) is not str:
        raise ValueError("text expected")
    return body


def _decoded_positions(rows: Any) -> dict[tuple[str | int, ...], tuple[int, int]]:
    positions = {}
    for row in rows:
        *path, line, column = row
        if type(line) is not int or type(column) is not int or any(type(p) not in _SCALARS for p in path):
            raise ValueError("a position is two numbers after its path")
        positions[tuple(path)] = (line, column)
    return positions


def _decoded_written(rows: Any) -> dict[tuple[str | int, ...], str]:
    written = {}
    for row in rows:
        *path, text = row
        if any(type(p) not in _SCALARS for p in path):
            raise ValueError("a path is keys and list indexes")
        written[tuple(path)] = _text(text)
    return written


def _decoded_origin(body: Any) -> Origin:
    path, values, keys, written, refused = body
    origin = Origin(_text(path), _decoded_positions(values), _decoded_positions(keys), _decoded_written(written))
    for where in refused:
        if type(where) is not list or any(type(p) not in _SCALARS for p in where):
            raise ValueError("a path is keys and list indexes")
        origin.refused.add(tuple(where))
    return origin


def _decoded_record(body: Any) -> Any:
    name, values = body
    cls = _class(_text(name))
    if cls is None or type(values) is not list or len(values) != len(_fields(cls)):
        raise ValueError(f"not a record kopa caches: {name!r}")
    return cls(**{field: decode(value) for field, value in zip(_fields(cls), values)})


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "t": lambda body: tuple(map(decode, body)),
    "m": lambda body: {decode(k): decode(v) for k, v in body},
    "d": lambda body: date.fromisoformat(_text(body)),
    "dt": lambda body: datetime.fromisoformat(_text(body)),
    "$": lambda body: Decimal(_text(body)),
    "Fg": lambda body: Figure(_text(body)),
    "Eu": lambda body: Euros(_text(body)),
    **{tag: (lambda body, cls=cls: cls(_text(body))) for tag, cls in _TEXTS.items()},
    "O": _decoded_origin,
    "R": _decoded_record,
}


def is_record(value: Any) -> bool:
    """Whether ``value`` is one of the records of records.py."""
    return _records().get(type(value).__name__) is type(value)


def decode(data: Any) -> Any:
    """The value ``encode`` gave ``data`` for. Raises ``ValueError`` (or ``TypeError``) for
    data that ``encode`` cannot have written."""
    kind = type(data)
    if kind in _SCALARS:
        return data
    if kind is list:
        return list(map(decode, data))
    if kind is not dict or len(data) != 1:
        raise ValueError("a tagged value expected")
    ((tag, body),) = data.items()
    decoder = _DECODERS.get(tag)
    if decoder is None:
        raise ValueError(f"unknown tag {tag!r}")
    return decoder(body)
