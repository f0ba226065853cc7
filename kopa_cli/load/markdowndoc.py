"""Applications written as Markdown: YAML front matter, then one section per text field.

    ---
    name: ...
    ---
    ## Alueellinen tavoite tai haaste                               -> goal
    ## Lyhyt kuvaus, miten kehittämistyö on ajateltu toteuttaa      -> plan

The sections are the level-2 headings that CommonMark (markdown-it) finds, as GitHub shows
them: ``## x`` or ``x`` underlined with ``---``, never a line inside a code fence or an HTML
block. A section heading maps to its field by the field's label in records.py, or by one of
the other headings its definition names (``key(headings=...)``), in Finnish, Swedish or
English. Text outside a section and unknown headings are errors; an unknown heading is told
the labels of the language in use.
"""

from __future__ import annotations

import re

from typing import Any

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Msg, diagnostic
from kopa_cli.core.i18n import LANGUAGES, translations
from kopa_cli.core.origin import Origin
from kopa_cli.core.textlength import inline_text, markdown_parser
from kopa_cli.load.records import Application
from kopa_cli.load.structure import record_fields
from kopa_cli.load.yamlparse import parse_yaml

# field -> the message ids it may be headed with, its label first (records.py)
SECTION_LABELS = {name: (meta["label"], *meta["headings"]) for name, _, meta in record_fields(Application) if meta["headings"]}


def _normal(label: str) -> str:
    """A heading as compared with the labels: case folded, spaces and tabs as one space. Only
    those: str.split() would also take a line separator (U+2028) or a control character for a
    space, and such a heading is not the label."""
    return " ".join(re.split(r"[ \t]+", label.casefold().rstrip(":").strip(" \t")))


_FIELD_BY_LABEL = {
    _normal(translations(lang).gettext(heading)): name
    for name, headings in SECTION_LABELS.items()
    for heading in headings
    for lang in LANGUAGES
}


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


def _sections(body: str, first_line: int) -> list[tuple[int, int, int, str, str]]:
    """The body's level-1 and level-2 headings as CommonMark reads them (ATX ``## x`` or
    setext ``x`` over ``---``; never in a code fence, an HTML block, a list or a quote):
    (first line, the line after the heading, level, its source on one line, the text a reader
    sees of it: ``## *Toteutus* <!-- x -->`` is headed "Toteutus")."""
    tokens = markdown_parser().parse(body)
    return [
        (first_line + token.map[0], first_line + token.map[1], int(token.tag[1]),
         tokens[index + 1].content.replace("\n", " "), inline_text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.level == 0 and token.tag in ("h1", "h2") and token.map
    ]


def section_spans(body: str) -> list[tuple[str, int, int, int]]:
    """(field, heading line, first line after the heading, end) of each section of ``body``
    whose heading names a field, as 0-based indexes into ``body.split("\n")``; the end is the
    next heading's line or the number of lines. For `kopa fmt`, which orders the sections."""
    headings = _sections(body, 0)
    ends = [heading[0] for heading in headings[1:]] + [body.count("\n") + 1]
    return [
        (_FIELD_BY_LABEL[_normal(shown)], line, text_line, end)
        for (line, text_line, _, _, shown), end in zip(headings, ends)
        if _normal(shown) in _FIELD_BY_LABEL
    ]


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
    headings = _sections(body, body_line)
    first_heading = headings[0][0] if headings else body_line + len(lines)
    for number in range(body_line, first_heading):
        if lines[number - body_line].strip():
            problems.append(diagnostic(path, (number, 1), codes.TEXT_OUTSIDE_SECTION))
            break
    for index, (line, text_line, level, title, shown) in enumerate(headings):
        if level == 1:
            problems.append(diagnostic(path, (line, 1), codes.HEADING_LEVEL))
            continue
        name = _FIELD_BY_LABEL.get(_normal(shown))
        if name is None:
            labels = {field: Msg(ids[0]) for field, ids in SECTION_LABELS.items()}  # in the message's language
            problems.append(diagnostic(path, (line, 1), codes.UNKNOWN_HEADING, heading=title, **labels))
            continue
        if name in data:
            first_line = origin.keys.get((name,), (front_line, 1))[0]
            problems.append(diagnostic(path, (line, 1), codes.SECTION_TWICE, field=name, first_line=first_line))
            continue
        end = headings[index + 1][0] if index + 1 < len(headings) else body_line + len(lines)
        section = lines[text_line - body_line : end - body_line]
        start = next((i for i, text in enumerate(section) if text.strip()), 0)
        data[name] = "\n".join(section[start:]).strip()
        origin.keys[(name,)] = (line, 1)
        # the text's first line, so the length rule counts lines from it; an empty section: its heading
        origin.values[(name,)] = (text_line + start, 1) if data[name] else (line, 1)
    return data, origin, problems
