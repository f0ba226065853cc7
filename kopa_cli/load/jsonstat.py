"""Reading JSON-stat 2.0, as Statistics Finland's PxWeb API returns a table (``"format":
"json-stat2"`` in the query).

The format (json-stat.org, version 2.0): a ``"class": "dataset"`` object with ``id`` (the
dimensions in order), ``size`` (their sizes), ``dimension.<id>.category.index`` (the value
codes, as a list or as code -> position) and ``.label`` (code -> label), and ``value``: the
figures row-major (the last dimension varies fastest), as a list or as a sparse object
position -> figure, null where a figure is missing; ``status`` gives the symbols ("..").
``role.time`` names the time dimension; ``role.metric`` the one whose categories carry the
``unit``. PxWeb adds ``extension.px.tableid``.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from kopa_cli.core.i18n import N_
from kopa_cli.load.statcube import Cube, Dimension, broken


def _line_of(text: str, key: str) -> int:
    """The line of the first ``"key":`` in the text (1 if none), to point at a problem."""
    at = text.find(f'"{key}"')
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _updated(value: Any) -> date | None:
    """``updated``: an ISO 8601 date or date and time ("2020-03-27T06:00:00Z")."""
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _figure(value: Any) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal):  # json.loads makes every number a Decimal
        raise TypeError(value)
    return value


def read_jsonstat(data: bytes, path: str) -> Cube:
    """The table in a JSON-stat2 dataset. Raises BrokenStatisticsFile (``path:line: ...``)."""
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte order mark, which some editors add
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise broken(path, data.count(b"\n", 0, error.start) + 1, N_("byte {byte} is not UTF-8 text; JSON is always UTF-8"), byte=f"0x{data[error.start]:02x}") from None
    try:
        dataset = json.loads(text, parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as error:
        raise broken(path, error.lineno, N_("not valid JSON: {problem}"), problem=error.msg) from None
    if not isinstance(dataset, dict) or dataset.get("class") != "dataset" or str(dataset.get("version")) != "2.0":
        raise broken(path, 1, N_("not a JSON-stat 2.0 dataset (\"version\": \"2.0\", \"class\": \"dataset\"); ask the PxWeb API for json-stat2"))
    ids, sizes, dimension = dataset.get("id"), dataset.get("size"), dataset.get("dimension")
    if not (isinstance(ids, list) and isinstance(sizes, list) and isinstance(dimension, dict) and len(ids) == len(sizes)):
        raise broken(path, _line_of(text, "id"), N_("\"id\", \"size\" and \"dimension\" do not describe the same dimensions"))
    roles = dataset.get("role") if isinstance(dataset.get("role"), dict) else {}
    dimensions = []
    unit = contents = None
    for dim_id, size in zip(ids, sizes):
        described = dimension.get(dim_id)
        category = described.get("category") if isinstance(described, dict) else None
        if not isinstance(category, dict):
            raise broken(path, _line_of(text, str(dim_id)), N_("the dimension '{name}' has no \"category\""), name=dim_id)
        index = category.get("index")
        labels = category.get("label") if isinstance(category.get("label"), dict) else {}
        if index is None and len(labels) == 1:  # a single category may leave out its index
            index = list(labels)
        if isinstance(index, dict):
            codes = sorted(index, key=lambda code: index[code])
        elif isinstance(index, list):
            codes = index
        else:
            raise broken(path, _line_of(text, str(dim_id)), N_("the dimension '{name}' has no \"category.index\""), name=dim_id)
        if len(codes) != int(size):
            raise broken(path, _line_of(text, str(dim_id)), N_("the dimension '{name}' has {found} categories, but \"size\" says {expected}"), name=dim_id, found=len(codes), expected=int(size))
        codes = [str(code) for code in codes]
        dimensions.append(Dimension(str(dim_id), str(described.get("label") or dim_id), tuple(codes), tuple(str(labels.get(code, code)) for code in codes), dim_id in (roles.get("time") or ()), _line_of(text, str(dim_id))))
        units = category.get("unit")
        if dim_id in (roles.get("metric") or ()) and len(codes) == 1:
            contents = str(labels.get(codes[0], codes[0]))
            if isinstance(units, dict) and isinstance(units.get(codes[0]), dict):
                unit = units[codes[0]].get("base")
    cells = 1
    for size in sizes:
        cells *= int(size)
    raw = dataset.get("value")
    try:
        if isinstance(raw, list):
            values = [_figure(value) for value in raw]
        elif isinstance(raw, dict):
            values = [None] * cells
            for position, value in raw.items():
                values[int(position)] = _figure(value)
        else:
            raise TypeError(raw)
    except (TypeError, ValueError, IndexError):
        raise broken(path, _line_of(text, "value"), N_("\"value\" must be a list of numbers (null for a missing one), or an object from positions to numbers")) from None
    if len(values) != cells:
        raise broken(path, _line_of(text, "value"), N_("\"value\" has {found} figures, but the dimensions call for {expected} ({sizes})"), found=len(values), expected=cells, sizes=" × ".join(str(int(s)) for s in sizes))
    extension = dataset.get("extension") if isinstance(dataset.get("extension"), dict) else {}
    px = extension.get("px") if isinstance(extension.get("px"), dict) else {}
    return Cube(
        path=path,
        table=str(px["tableid"]) if px.get("tableid") else None,
        title=str(dataset.get("label") or ""),
        source=str(dataset["source"]) if dataset.get("source") else None,
        updated=_updated(dataset.get("updated")),
        unit=str(unit) if unit else None,
        contents=contents,
        dimensions=tuple(dimensions),
        values=tuple(values),
    )
