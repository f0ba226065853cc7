"""Writing a statistics record (records/statistics/<id>.yaml) as YAML people can read.

The data comes from load/statimport.py in the record's key order. Text is written in double
quotes (a JSON string is a valid YAML double-quoted scalar), so a title with ': ' or '#'
stays text; area codes are quoted ("005" must not become the number 5); the figures of a
year are one flow mapping, wrapped to lines of about 100 characters.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from kopa_cli.core import formatting
from kopa_cli.core.i18n import _

WIDTH = 100


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return str(value) if isinstance(value, int) else value.isoformat()
    return json.dumps(str(value), ensure_ascii=False)


def _flow(mapping: dict[Any, Any], indent: int) -> str:
    """``{k: v, ...}``, continued on lines ``indent + 2`` deep when it grows past WIDTH."""
    items = [f"{_scalar(k)}: {_scalar(v)}" for k, v in mapping.items()]
    if not items:
        return "{}"
    lines, current = [], "{" + items[0]
    for item in items[1:]:
        if indent + len(current) + len(item) + 3 > WIDTH:
            lines.append(current + ",")
            current = " " * (indent + 2) + item
        else:
            current += ", " + item
    lines.append(current + "}")
    return "\n".join(lines)


def statistics_yaml(data: dict[str, Any], schema: str | None = None) -> str:
    """The YAML text of a statistics record's ``data``, with a comment on where it came from;
    with ``schema`` (a path from the file), first the yaml-language-server modeline naming it."""
    header = _("Area statistics imported by 'kopa stats import' from {file} on {day}.").format(file=data.get("file", "?"), day=formatting.day(data["imported"]))
    licence = _("Licence {licence}: cite the source ({source}) and the table ({table}).").format(licence=data["licence"], source=data["source"], table=data["table"])
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    lines += [f"# {header}", f"# {licence}"]
    for key, value in data.items():
        if key != "areas":
            lines.append(f"{key}: {_scalar(value)}")
    lines.append("areas:")
    for code, area in data["areas"].items():
        lines.append(f"  {_scalar(code)}:")
        lines.append(f"    name: {_scalar(area['name'])}")
        if "total" in area:
            lines.append("    total: " + _flow(area["total"], 4))
        if "ages" in area:
            lines.append("    ages:")
            for year, ages in area["ages"].items():
                lines.append(f"      {year}: " + _flow(ages, 6))
    return "\n".join(lines) + "\n"
