"""Applications written as Markdown: YAML front matter, then one section per text field.

    ---
    name: ...
    ---
    ## Alueellinen tavoite tai haaste      -> goal
    ## Toteutus                            -> plan

A section heading maps to its field by its Finnish, Swedish or English label (or the
call's own longer wording). Text outside a section and unknown headings are errors.
"""

from __future__ import annotations

import re
from typing import Any

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, diagnostic
from kopa_cli.core.origin import Origin
from kopa_cli.load.records import Application
from kopa_cli.load.structure import record_fields
from kopa_cli.load.yamlparse import parse_yaml

# field -> its headings, from the record definition (records.py)
SECTION_LABELS = {name: meta["headings"] for name, _, meta in record_fields(Application) if meta["headings"]}


def _normal(label: str) -> str:
    return " ".join(label.casefold().rstrip(":").split())


_FIELD_BY_LABEL = {_normal(label): name for name, labels in SECTION_LABELS.items() for label in labels}
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t#]*$")


def split_front_matter(text: str) -> tuple[str, int, str, int] | None:
    """(front matter, its first line, body, its first line), or None without front matter."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            front = "\n".join(lines[1:number]) + "\n"
            return front, 2, "\n".join(lines[number + 1 :]), number + 2
    return None


def _sections(body: str, first_line: int) -> list[tuple[int, int, str]]:
    """Level-1..6 ATX headings outside code fences: (line, level, text)."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        opener = _FENCE.match(line)
        if opener:
            marker = opener.group(1)
            if fence is None:
                fence = marker[0] * 3
            elif marker.startswith(fence):
                fence = None
            continue
        heading = None if fence else _HEADING.match(line)
        if heading:
            found.append((number, len(heading.group(1)), (heading.group(2) or "").strip()))
    return found


def parse_markdown_application(text: str, path: str) -> tuple[Any, Origin, list[Diagnostic]]:
    """Parse a Markdown application into the same data an all-YAML one gives."""
    split = split_front_matter(text)
    if split is None:
        return None, Origin(path), [diagnostic(path, (1, 1), codes.FRONT_MATTER)]
    front, front_line, body, body_line = split
    data, origin, problems = parse_yaml(front, path, line_offset=front_line - 1)
    if not isinstance(data, dict):
        return data, origin, problems

    lines = body.split("\n")
    headings = [h for h in _sections(body, body_line) if h[1] <= 2]
    first_heading = headings[0][0] if headings else body_line + len(lines)
    for number in range(body_line, first_heading):
        if lines[number - body_line].strip():
            problems.append(diagnostic(path, (number, 1), codes.TEXT_OUTSIDE_SECTION))
            break
    for index, (line, level, title) in enumerate(headings):
        if level == 1:
            problems.append(diagnostic(path, (line, 1), codes.HEADING_LEVEL))
            continue
        name = _FIELD_BY_LABEL.get(_normal(title))
        if name is None:
            expected = [labels[0] for labels in SECTION_LABELS.values()]
            problems.append(diagnostic(path, (line, 1), codes.UNKNOWN_HEADING, heading=title, expected=expected))
            continue
        if name in data:
            first_line = origin.keys.get((name,), (front_line, 1))[0]
            problems.append(diagnostic(path, (line, 1), codes.SECTION_TWICE, field=name, first_line=first_line))
            continue
        end = headings[index + 1][0] if index + 1 < len(headings) else body_line + len(lines)
        section = lines[line + 1 - body_line : end - body_line]
        start = next((i for i, text in enumerate(section) if text.strip()), 0)
        data[name] = "\n".join(section[start:]).strip()
        origin.keys[(name,)] = (line, 1)
        # the text's first line, so the length rule counts lines from it; an empty section: its heading
        origin.values[(name,)] = (line + 1 + start, 1) if data[name] else (line, 1)
    return data, origin, problems
