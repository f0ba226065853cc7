"""The call's length rule: "enimmäispituus on 5000 merkkiä" (record-format.md, Length).

Counted: the characters a reader sees of the application's free-text fields, spaces
included, after Unicode NFC normalisation (docs/records.md, Length):

- Markdown markup does not count; the text of HTML (blocks and inline) counts as a browser
  shows it: tags, comments, scripts and styles count nothing, ``&amp;`` is one character;
- a line break inside a paragraph or list item (a soft break) counts one: it is shown as a
  space;
- paragraph breaks, hard line breaks, the breaks between list items, headings, code lines
  and HTML block elements count nothing, nor does whitespace at the start or end of a line.

A text is read as *runs*: the source lines a reader sees as one flow of text (a paragraph
between hard breaks, a heading, one line of code). Each line is stripped; the non-empty lines
of a run are joined by one space.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from html.parser import HTMLParser
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

Piece = tuple[int, str]  # (source line, counted text); a soft break is the space a piece starts with

# Text without any of these needs no Markdown parser: it is its own plain text, but for
# simple bullet lists ("- item" / "+ item" at the margin), whose markers are dropped.
_INLINE_MARKUP = "*_`[]<>!|~\\&"
_BLOCK_MARKUP = re.compile(r"\n(?:[ \t]*(?:[-+*>#=]|[0-9]+[.)])| {4}|\t)")  # searched in "\n" + text
_BULLET = re.compile(r" ?[-+] {1,4}(?=[^-+*>#=0-9\s])")  # a list item that holds a plain paragraph
# (\s: the parser strips Unicode spaces such as U+00A0 from a paragraph's start, with the break after them)
_BLOCK_START = re.compile(r"[ \t]*(?:[-+*>#=]|[0-9]+[.)])| {4}|\t")


def _quick_lines(text: str, first_line: int) -> list[Piece] | None:
    """The pieces of text whose only markup is simple bullets, or None if it needs the parser."""
    if any(char in text for char in _INLINE_MARKUP):
        return None
    bullets = _BLOCK_MARKUP.search("\n" + text) is not None
    pieces: list[Piece] = []
    separator = ""  # what a line break before the next line shows: a space inside a paragraph
    for number, line in enumerate(text.split("\n")):
        shown = line.strip()
        if not shown:
            if not line.strip(" \t"):  # a blank line (CommonMark: spaces and tabs only) ends a paragraph
                separator = ""
            elif line.endswith("  "):  # a hard break after invisible text (U+00A0): the next line shows below
                separator = ""
            continue
        if bullets:
            bullet = _BULLET.match(line)
            if bullet:  # a new list item; a line without a marker continues the item or paragraph
                separator, shown = "", line[bullet.end() :].strip()
            elif _BLOCK_START.match(line):
                return None
        pieces.append((first_line + number, separator + shown))
        # a hard line break (two spaces) shows the next line below this one, not after a space
        separator = "" if line.endswith("  ") else " "
    return pieces


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark with the two GitHub extensions that change what is shown: tables (the cells
    are shown, not the pipes) and strikethrough (``~~x~~``)."""
    from markdown_it import MarkdownIt  # imported on first use: most runs never need it

    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def plain_lines(text: str, first_line: int = 1) -> list[Piece]:
    """The counted text of a Markdown field as (source line, text) pieces."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    quick = _quick_lines(text, first_line)
    return quick if quick is not None else parsed_lines(text, first_line)


def parsed_lines(text: str, first_line: int = 1) -> list[Piece]:
    """``plain_lines`` by the CommonMark parser: right for any Markdown."""
    shown = _Shown(first_line)
    for token in markdown_parser().parse(text):
        if not token.map:
            continue
        shown.end_run()
        shown.line = first_line + token.map[0]
        if token.type in ("fence", "code_block"):
            start = shown.line + 1 if token.type == "fence" else shown.line  # a fence's text follows its ```
            for number, code_line in enumerate(token.content.split("\n")):  # each line of code stands alone
                shown.line = start + number
                shown.text(code_line)
                shown.end_run()
        elif token.type == "html_block":
            html = _HtmlText(shown, block=True)
            html.feed(token.content)
            html.close()
        elif token.type == "inline":
            _show_inline(shown, token.children or ())
    pieces = shown.pieces()
    # an entity may have written a decomposed character
    return [(line, unicodedata.normalize("NFC", piece)) for line, piece in pieces]


def inline_text(token: Token) -> str:
    """The text a reader sees of an inline token (a heading's, say), on one line: markup,
    tags and comments dropped, entities decoded, NFC. ``**Budjetti** &amp; <b>x</b>`` ->
    ``Budjetti & x``."""
    shown = _Shown(1)
    _show_inline(shown, token.children or ())
    return unicodedata.normalize("NFC", " ".join(piece.strip() for _, piece in shown.pieces()))


def _show_inline(shown: _Shown, children: list[Token] | tuple[()]) -> None:
    html = None  # the inline tags so far, in order: a <script> hides what follows it
    for child in children:
        kind = child.type
        if kind == "softbreak":
            shown.line += 1
        elif kind == "hardbreak":
            shown.line += 1
            shown.end_run()
        elif kind == "html_inline":
            html = html or _HtmlText(shown, block=False)
            html.feed(child.content)
            shown.line += child.content.count("\n")
        elif html and html.hidden:
            continue
        elif kind in ("text", "code_inline"):
            shown.text(child.content)
        elif kind == "image":  # its alternative text
            shown.text("".join(part.content for part in child.children or () if part.type in ("text", "code_inline")))
    if html:
        html.close()  # text it held back (after a tag it could not read) is shown


class _Shown:
    """Text as a reader sees it, built up in runs of (source line, text) lines."""

    def __init__(self, line: int) -> None:
        self.line = line  # the source line the next text comes from
        self.runs: list[list[list]] = [[]]

    def text(self, text: str) -> None:
        run = self.runs[-1]
        if run and run[-1][0] == self.line:
            run[-1][1] += text
        else:
            run.append([self.line, text])

    def end_run(self) -> None:
        if self.runs[-1]:
            self.runs.append([])

    def pieces(self) -> list[Piece]:
        pieces: list[Piece] = []
        for run in self.runs:
            separator = ""
            for line, text in run:
                text = text.strip()
                if text:
                    pieces.append((line, separator + text))
                    separator = " "  # a soft break, shown as a space
        return pieces


# Elements a browser shows on lines of their own: no space is seen between them and the text
# around them. CommonMark's HTML block names, with <br> and <pre>.
_BREAKS = frozenset(("br", "pre", "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
                     "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
                     "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "legend", "li", "main", "menu",
                     "nav", "ol", "optgroup", "option", "p", "search", "section", "summary", "table", "tbody", "td",
                     "tfoot", "th", "thead", "tr", "ul"))
_HIDDEN = frozenset(("script", "style", "template"))  # their content is never shown


class _HtmlText(HTMLParser):
    """The text a browser shows of HTML: entities decoded; tags, comments, declarations and
    hidden elements dropped; inside <pre>, each line a line of its own."""

    def __init__(self, shown: _Shown, *, block: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.shown = shown
        self.first_line = shown.line if block else None  # an HTML block's text: lines from the parser
        self.hidden = 0
        self.pre = 0

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """``<![CDATA[...`` and the like, read as a browser reads them outside SVG and MathML:
        a comment up to the next ``>`` (HTML Living Standard, 13.2.5.42, "markup declaration
        open state"). The standard library's version raises on what it cannot name."""
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BREAKS:
            self.shown.end_run()
            if tag == "pre":
                self.pre += 1
        elif tag == "img" and not self.hidden:  # as a Markdown image: its alternative text
            self.shown.text(" ".join((dict(attrs).get("alt") or "").split()))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in _BREAKS:
            self.shown.end_run()
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if self.first_line is not None:
            self.shown.line = self.first_line + self.getpos()[0] - 1
        for number, part in enumerate(data.split("\n")):
            if number:
                self.shown.line += 1
                if self.pre:
                    self.shown.end_run()
            self.shown.text(part)


def plain_text(text: str) -> str:
    return "".join(piece for _, piece in plain_lines(text))


def count_chars(text: str | None) -> int:
    return len(plain_text(text)) if text else 0


def crossing_line(text: str, first_line: int, allowed: int) -> int:
    """The source line where the text's ``allowed``-th character is passed."""
    for line, piece in plain_lines(text, first_line):
        allowed -= len(piece)
        if allowed < 0:
            return line
    return first_line
