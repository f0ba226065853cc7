"""The call's length rule: "enimmäispituus on 5000 merkkiä" (record-format.md, Length).

Counted: the characters of the application's free-text fields, spaces included, with
Markdown markup removed, each field's surrounding whitespace stripped, after Unicode NFC
normalisation, line breaks not counted.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Text without any of these needs no Markdown parser: it is its own plain text, but for
# simple bullet lists ("- item" / "+ item" at the margin), whose markers are dropped.
_INLINE_MARKUP = "*_`[]<>!|~\\&"
_BLOCK_MARKUP = re.compile(r"\n(?:[ \t]*(?:[-+*>#=]|[0-9]+[.)])| {4}|\t)")  # searched in "\n" + text
_BULLET = re.compile(r" ?[-+][ \t]+(?=[^-+*>#=0-9 \t])")  # a list item that holds a plain paragraph
_BLOCK_START = re.compile(r"[ \t]*(?:[-+*>#=]|[0-9]+[.)])| {4}|\t")


def _quick_lines(text: str, first_line: int) -> list[tuple[int, str]] | None:
    """The pieces of text whose only markup is simple bullets, or None if it needs the parser."""
    if any(char in text for char in _INLINE_MARKUP):
        return None
    if not _BLOCK_MARKUP.search("\n" + text):
        return [(first_line + number, line.strip()) for number, line in enumerate(text.split("\n")) if line.strip()]
    pieces = []
    for number, line in enumerate(text.split("\n")):
        bullet = _BULLET.match(line)
        if bullet:
            line = line[bullet.end() :]
        elif _BLOCK_START.match(line):
            return None
        if line.strip():
            pieces.append((first_line + number, line.strip()))
    return pieces


@cache
def markdown_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt  # imported on first use: most runs never need it

    return MarkdownIt("commonmark")


def plain_lines(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """The plain text of a Markdown field as (source line, text) pieces, line breaks dropped."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    quick = _quick_lines(text, first_line)
    return quick if quick is not None else parsed_lines(text, first_line)


def parsed_lines(text: str, first_line: int = 1) -> list[tuple[int, str]]:
    """``plain_lines`` by the CommonMark parser: right for any Markdown."""
    pieces: list[tuple[int, str]] = []
    for token in markdown_parser().parse(text):
        line = first_line + (token.map[0] if token.map else 0)
        if token.type in ("fence", "code_block"):
            start = line + 1 if token.type == "fence" else line  # a fence's text follows its ```
            pieces.extend((start + number, part) for number, part in enumerate(token.content.split("\n")))
        elif token.type == "inline":
            # one piece per source line, so the length rule can name the line that crosses it
            current: list[str] = []
            for child in token.children or ():
                if child.type in ("softbreak", "hardbreak"):
                    pieces.append((line, "".join(current)))
                    line, current = line + 1, []
                else:
                    current.append(_inline_text(child))
            pieces.append((line, "".join(current)))
    # whitespace around each line does not count, whatever kind (as on the quick path above)
    return [(line, piece.strip()) for line, piece in pieces if piece.strip()]


def _inline_text(token: object) -> str:
    kind = token.type  # type: ignore[attr-defined]
    if kind in ("text", "code_inline"):
        return token.content  # type: ignore[attr-defined]
    if kind == "image":
        return "".join(_inline_text(child) for child in token.children or ())  # type: ignore[attr-defined]
    return ""  # markup, HTML and line breaks count nothing


def plain_text(text: str) -> str:
    return "".join(piece for _, piece in plain_lines(text)).strip()


def count_chars(text: str | None) -> int:
    return len(plain_text(text)) if text else 0


def crossing_line(text: str, first_line: int, allowed: int) -> int:
    """The source line where the text's ``allowed``-th character is passed."""
    for line, piece in plain_lines(text, first_line):
        allowed -= len(piece)
        if allowed < 0:
            return line
    return first_line
