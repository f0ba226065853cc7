"""Records in their canonical layout (docs/records.md, "Canonical layout"): text in, text out.

The core of `kopa fmt`, pure: one record file's bytes to its canonical bytes. The layout
follows the record definitions (load/records.py): keys in the order of their fields, money,
rates and codes double-quoted, ids plain; a collection of scalars in flow style when it fits
on a line of ``LINE_WIDTH`` characters, else in block style. The YAML goes through
ruamel.yaml's round-trip mode, and every comment is kept: a comment at the end of a line
stays on its key's line, full-line comments stay above the key or list item they stood above
(and move with it), comments above the first key stay at the top of the file.

The result is read back with kopa's own parser (load/yamlparse.py) and compared with what the
file held: a formatting that would change the data is never returned (``Formatted.broken``).
"""

from __future__ import annotations

import dataclasses
import io
import re
from dataclasses import dataclass
from datetime import date
import types
from typing import Annotated, Any, Union, get_args, get_origin

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.emitter import Emitter
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString, LiteralScalarString, SingleQuotedScalarString
from ruamel.yaml.tokens import CommentToken

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, diagnostic
from kopa_cli.load import formats
from kopa_cli.load.markdowndoc import SECTION_LABELS, parse_markdown_application, section_spans, split_front_matter
from kopa_cli.load.structure import Format, Number, record_fields
from kopa_cli.load.yamlparse import parse_yaml

LINE_WIDTH = 100  # characters: a collection of scalars is written on one line when it fits
INDENT = 2  # spaces per level; a list's dashes are indented by 2 under its key
BOM = "\ufeff"
# Text formats written plain: ids, e-mail addresses and BICs never need quotes. Every other
# format (Y-tunnus, postcodes, municipality codes, IBAN, e-invoice addresses, phone numbers)
# and every number written as text (money, rates, weights) is double-quoted, so that leading
# zeros and decimals are never read as numbers.
_PLAIN_FORMATS = tuple(tp.__metadata__[0] for tp in (formats.Id, formats.Email, formats.Bic))


@dataclass(frozen=True)
class Formatted:
    """One file's canonical form: ``data`` (bytes) when it could be formatted, else None with
    ``problems`` (why kopa cannot read the file, as `kopa validate` says it). ``broken``: the
    canonical text would read as different data; a bug in kopa, and the file is left alone."""

    data: bytes | None
    problems: tuple[Diagnostic, ...] = ()
    broken: bool = False


# -- comments ---------------------------------------------------------------------------------


@dataclass
class _Comments:
    """The comments of one place (a key of a mapping, an item of a list)."""

    before: list[str] = dataclasses.field(default_factory=list)  # whole lines above it, indented as written ("" = blank)
    eol: tuple[str, int] | None = None  # the comment at the end of its line, and its column
    column: int = 0  # where the key or the list item's dash stood: its comments keep their indentation from it


class _CommentMap:
    """Every comment of a document, taken out of ruamel.yaml's nodes and tied to the place it
    belongs to, so that places can be reordered and the comments put back canonically.

    ruamel.yaml keeps a comment on the token before it: the lines above a key hang on the
    previous value. Walking the document in order, the first line of a token right after a
    place is that place's end-of-line comment; every other line belongs above the next place.
    """

    def __init__(self, root: CommentedMap) -> None:
        self.places: dict[tuple[int, Any], _Comments] = {}
        self._pending: list[str] = []
        self._seen: set[int] = set()
        self._walk(root, None)
        self.tail = _tidy(self._pending)  # after the last value
        while self.tail and not self.tail[-1]:
            self.tail.pop()
        self.head: list[str] = []  # above the first key, up to a blank line: stays at the top
        first = next(iter(root), None)
        if first is not None:
            place = self.places[(id(root), first)]
            lines = place.before[next((i for i, line in enumerate(place.before) if line), len(place.before)) :]
            cut = max((i + 1 for i, line in enumerate(lines) if not line), default=len(lines))
            self.head, place.before = lines[:cut], lines[cut:]

    def _tokens(self, found: Any, owner: tuple[_Comments, int] | None = None) -> None:
        """Take comment tokens. The first may be the end-of-line comment of ``owner`` (a
        place and its line): then it starts on that line. Every other line waits for the next
        place."""
        for token in found if isinstance(found, list) else (found,):
            if token is None or id(token) in self._seen:
                continue
            self._seen.add(id(token))
            text: str = token.value
            at_token = True  # the text's first line starts at the token's column
            if owner is not None and owner[0].eol is None and text.startswith("#") and token.start_mark.line == owner[1]:
                eol, _, text = text.partition("\n")
                owner[0].eol = (eol.rstrip(), token.column)
                at_token = False
            elif owner is not None and text.startswith("\n"):
                text = text[1:]  # the end of the owner's line
                at_token = False
            owner = None
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            if lines and at_token and not text.startswith(" "):
                lines[0] = " " * token.column + lines[0]
            self._pending.extend(line if line.strip() else "" for line in lines)

    def _walk(self, node: Any, owner: tuple[_Comments, int] | None) -> None:
        if not isinstance(node, (CommentedMap, CommentedSeq)):
            return
        comment = node.ca.comment
        if comment:
            self._tokens(comment[0], owner)
            self._tokens(comment[1] if len(comment) > 1 else None)
        is_map = isinstance(node, CommentedMap)
        for key, value in node.items() if is_map else enumerate(node):
            found = node.ca.items.get(key) or [None] * 4
            before, after = (found[:2], found[2:]) if is_map else ([found[1]], [found[0], *found[2:]])
            for tokens in before:
                self._tokens(tokens)
            line, column = node.lc.key(key) if is_map else node.lc.item(key)
            place = _Comments(before=_tidy(self._pending), column=column if is_map else max(column - 2, 0))
            self._pending = []
            self.places[(id(node), key)] = place
            here = (place, line)
            # a flow collection's comments follow it: its own places take none
            flow = isinstance(value, (CommentedMap, CommentedSeq)) and value.fa.flow_style()
            for tokens in after + (_flow_tokens(value) if flow else []):
                self._tokens(tokens, here)
                here = None
            if not flow:
                self._walk(value, here)
        self._tokens(node.ca.end)
        node.ca.comment, node.ca.end = None, []
        node.ca.items.clear()

    def of(self, container: Any, key: Any) -> _Comments | None:
        return self.places.get((id(container), key))

    def at(self, container: Any, key: Any) -> _Comments:
        """The comments of a place, made empty if it has none yet."""
        return self.places.setdefault((id(container), key), _Comments())


def _flow_tokens(node: Any) -> list[Any]:
    """The comment tokens in and after a flow collection, in order; taken out of it."""
    if not isinstance(node, (CommentedMap, CommentedSeq)):
        return []
    found: list[Any] = list(node.ca.comment or [])
    keys = node.keys() if isinstance(node, CommentedMap) else range(len(node))
    for key in keys:
        found += node.ca.items.get(key) or []
        found += _flow_tokens(node[key])
    found += node.ca.end or []
    node.ca.comment, node.ca.end = None, []
    node.ca.items.clear()
    return [token for token in found if token is not None]


def _tidy(lines: list[str]) -> list[str]:
    """Comment lines ("" for a blank line) with each run of blank lines made one."""
    return [line for i, line in enumerate(lines) if line or i == 0 or lines[i - 1]]


def _token(text: str, column: int) -> CommentToken:
    return CommentToken(text + "\n", CommentMark(column), None)


def _lines(lines: list[str], shift: int = 0) -> list[CommentToken]:
    """Comment lines as tokens, each indented as written, moved ``shift`` columns (its key's move)."""
    return [_token(line.strip(), max(len(line) - len(line.lstrip(" ")) + shift, 0) if line else 0) for line in lines]


def _has_comments(node: Any, comments: _CommentMap) -> bool:
    pairs = node.items() if isinstance(node, CommentedMap) else enumerate(node)
    for key, value in pairs:
        place = comments.of(node, key)
        if place is not None and (place.before or place.eol):
            return True
        if isinstance(value, (CommentedMap, CommentedSeq)) and _has_comments(value, comments):
            return True
    return False


# -- layout -----------------------------------------------------------------------------------


_EMITTER = Emitter(io.StringIO(), allow_unicode=True)  # as YAML.dump writes: letters such as ä plain


def _scalar_width(value: Any, flow: bool) -> int | None:
    """The characters a scalar takes on a line, or None if it cannot stand in a flow collection."""
    if value is None or isinstance(value, (LiteralScalarString, FoldedScalarString)):
        return None
    if isinstance(value, DoubleQuotedScalarString):
        return None if "\n" in value else len(value) + 2 + value.count('"') + value.count("\\")
    if isinstance(value, SingleQuotedScalarString):
        return None if "\n" in value else len(value) + 2 + value.count("'")
    if isinstance(value, str):
        analysis = _EMITTER.analyze_scalar(value)
        return len(value) if (analysis.allow_flow_plain if flow else analysis.allow_block_plain) and not analysis.multiline else None
    if isinstance(value, bool):
        return len(str(value))
    if isinstance(value, date):
        return len(value.isoformat())
    return len(str(value))


def _flow_width(node: Any) -> int | None:
    """The characters a collection of scalars takes in flow style, or None if it holds more."""
    if isinstance(node, CommentedMap):
        widths = [(_scalar_width(key, True), _scalar_width(value, True)) for key, value in node.items()]
        if any(k is None or v is None for k, v in widths):
            return None
        return 2 + sum(k + 2 + v for k, v in widths) + 2 * (len(widths) - 1)  # {k: v, k: v}
    widths_ = [_scalar_width(item, True) for item in node]
    if any(w is None for w in widths_):
        return None
    return 2 + sum(widths_) + 2 * (len(widths_) - 1)  # type: ignore[arg-type]


def _fits(width: int | None, start: int, eol: tuple[str, int] | None) -> bool:
    """Does a flow collection of ``width`` starting at column ``start`` fit, with its comment?"""
    if width is None:
        return False
    end = start + width
    if eol is not None:
        end = max(eol[1], end + 1) + len(eol[0])
    return end <= LINE_WIDTH


def _types(tp: Any) -> tuple[Any, Any]:
    """(an annotation without ``| None`` and ``Annotated``, its marker or None)."""
    while True:
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            options = [arg for arg in get_args(tp) if arg is not type(None)]
            if len(options) != 1:
                return tp, None
            tp = options[0]
        elif origin is Annotated:
            return tp.__origin__, tp.__metadata__[0]
        else:
            return tp, None


def _quoted(value: Any, marker: Any) -> Any:
    """A scalar in its canonical quoting: codes and numbers as text double-quoted, ids plain."""
    if not isinstance(value, str) or not isinstance(marker, (Format, Number)) or "\n" in value:
        return value  # not text of a format, or text of several lines (an error to report, not to move)
    if marker in _PLAIN_FORMATS:
        return str(value)
    return DoubleQuotedScalarString(value)


class _Layout:
    def __init__(self, comments: _CommentMap) -> None:
        self.comments = comments

    def arrange(self, node: Any, tp: Any, column: int) -> None:
        """Order, quote and style ``node`` (of annotation ``tp``), whose keys or dashes stand at ``column``."""
        tp, _ = _types(tp)
        if isinstance(node, CommentedMap):
            self.mapping(node, tp, column)
        elif isinstance(node, CommentedSeq):
            self.sequence(node, tp, column)

    def mapping(self, node: CommentedMap, tp: Any, column: int) -> None:
        if dataclasses.is_dataclass(tp):
            fields = {name: annotation for name, annotation, _ in record_fields(tp)}
            order = [key for key in fields if key in node] + [key for key in node if key not in fields]
        else:
            args = get_args(tp)
            value_type = args[1] if get_origin(tp) is dict and len(args) == 2 else Any
            fields = {key: value_type for key in node}
            order = sorted(node, key=lambda k: (0, k, "") if isinstance(k, int) and not isinstance(k, bool) else (1, 0, str(k)))
        for key in order:  # deleted and set again: in the new order, and without the old quoting
            value = node.pop(key)
            annotation = fields.get(key, Any)
            if isinstance(value, (CommentedMap, CommentedSeq)):
                self.arrange(value, annotation, column + INDENT)
                self.style(value, column + (_scalar_width(key, False) or len(str(key))) + 2, self.comments.of(node, key))
            else:
                value = _quoted(value, _types(annotation)[1])
            node[key] = value

    def sequence(self, node: CommentedSeq, tp: Any, column: int) -> None:
        args = get_args(tp)
        item_type = args[0] if get_origin(tp) is list and args else Any
        for index, item in enumerate(node):
            if isinstance(item, (CommentedMap, CommentedSeq)):
                self.arrange(item, item_type, column + INDENT)
            else:
                del node[index]  # and inserted again, without the old quoting
                node.insert(index, _quoted(item, _types(item_type)[1]))
        # the mappings of a list are written alike: each on one line only if every one fits
        mappings = [(i, item) for i, item in enumerate(node) if isinstance(item, CommentedMap)]
        flow = all(self.can_flow(item, column + 2, self.comments.of(node, i)) for i, item in mappings)
        for _, item in mappings:
            item.fa.set_flow_style() if flow or not item else item.fa.set_block_style()

    def can_flow(self, node: Any, start: int, place: _Comments | None) -> bool:
        if not node:
            return True
        return not _has_comments(node, self.comments) and _fits(_flow_width(node), start, place.eol if place else None)

    def style(self, node: Any, start: int, place: _Comments | None) -> None:
        if isinstance(node, CommentedSeq) and any(isinstance(item, CommentedMap) for item in node):
            node.fa.set_block_style()  # a list of mappings: one dash each
        elif self.can_flow(node, start, place):
            node.fa.set_flow_style()
        else:
            node.fa.set_block_style()


def _put_back(node: Any, comments: _CommentMap, column: int, inside_list: bool = False) -> None:
    """Give the comments back to the arranged nodes, each comment above its own place."""
    if isinstance(node, CommentedMap):
        for index, (key, value) in enumerate(node.items()):
            place = comments.of(node, key)
            if place is not None:
                before = _lines(place.before, column - place.column) if place.before and not (inside_list and index == 0) else None
                eol = _token(*place.eol) if place.eol else None
                if before or eol:
                    node.ca.items[key] = [None, before, eol, None]
            _put_back(value, comments, column + INDENT)
    elif isinstance(node, CommentedSeq):
        for index, item in enumerate(node):
            place = comments.of(node, index)
            before = list(place.before) if place else []
            shift = column - place.column if place else 0
            if isinstance(item, CommentedMap) and item:
                first = comments.of(item, next(iter(item)))
                if first is not None and first.before:  # above the item's dash, not after it
                    before += first.before
            eol = place.eol if place else None
            if eol and isinstance(item, CommentedMap) and item and not item.fa.flow_style():
                first = comments.at(item, next(iter(item)))  # a mapping put in block style: its first line
                if first.eol is None:
                    first.eol, eol = eol, None
            if before or eol:
                node.ca.items[index] = [_token(*eol) if eol else None, _lines(before, shift) if before else None, None, None]
            _put_back(item, comments, column + INDENT, inside_list=True)


# -- files ------------------------------------------------------------------------------------


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=INDENT, sequence=INDENT + 2, offset=INDENT)
    yaml.width = 4096  # never fold a long line: a line break is the author's
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = False
    return yaml


_BLOCK_HEADER = re.compile(r"( *)[^\s#'\"\-?][^#'\"]*: [|>]-?")  # `goal: |`, `plan: >-`: a key's block text
_HIDDEN = "\ue000"  # a private-use character: stands for a block text while ruamel.yaml reads it


def _hide_block_texts(text: str) -> tuple[str, list[tuple[list[str], int]]]:
    """``text`` with the lines of each key's block text (``goal: |``) replaced by one line.

    ruamel.yaml's scanner and emitter are written in Python and look at every character:
    the long texts of applications would take most of the time, and kopa fmt changes nothing
    in them. Returns the text and each block's lines with their indentation; ``_show_block_texts``
    puts them back. A block's extent follows YAML's rule: the lines indented at least as far
    as its first line, and the blank lines among them."""
    lines = text.split("\n")
    out: list[str] = []
    blocks: list[tuple[list[str], int]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        out.append(line)
        index += 1
        header = _BLOCK_HEADER.fullmatch(line)
        if header is None:
            continue
        first = next((i for i in range(index, len(lines)) if lines[i].strip(" ")), None)
        indent = len(lines[first]) - len(lines[first].lstrip(" ")) if first is not None else 0
        if first is None or indent <= len(header.group(1)):
            continue
        end = first
        while end < len(lines) and (not lines[end].strip(" ") or lines[end].startswith(" " * indent)):
            end += 1
        while not lines[end - 1].strip(" "):
            end -= 1
        blocks.append((lines[index:end], indent))
        out.append(" " * indent + f"{_HIDDEN}{len(blocks) - 1}")
        index = end
    return "\n".join(out), blocks


def _show_block_texts(text: str, blocks: list[tuple[list[str], int]]) -> str:
    """Put the block texts hidden by ``_hide_block_texts`` back, at their new indentation."""
    if not blocks:
        return text
    out = []
    for line in text.split("\n"):
        stripped = line.lstrip(" ")
        if stripped.startswith(_HIDDEN):
            block, indent = blocks[int(stripped[1:])]
            prefix = " " * (len(line) - len(stripped))
            out.extend(prefix + body[indent:] if len(body) > indent else "" for body in block)
        else:
            out.append(line)
    return "\n".join(out)


def canonical_yaml(text: str, record: type, hide: bool = True) -> str:
    """The canonical layout of YAML ``text`` holding a ``record`` (a records.py class).

    Raises ``ruamel.yaml.error.YAMLError`` for text ruamel.yaml cannot read."""
    if hide and _HIDDEN not in text:
        hidden, blocks = _hide_block_texts(text)
        return _show_block_texts(canonical_yaml(hidden, record, hide=False), blocks)
    yaml = _yaml()
    root = yaml.load(text)
    if not isinstance(root, CommentedMap):
        return text
    comments = _CommentMap(root)
    _Layout(comments).arrange(root, record, 0)
    root.fa.set_block_style()
    _put_back(root, comments, 0)
    if comments.head:
        root.ca.comment = [None, _lines(comments.head)]
    if comments.tail:
        root.ca.end = _lines(comments.tail)
    out = io.StringIO()
    yaml.dump(root, out)
    return out.getvalue()


def canonical_markdown(text: str, record: type, hide: bool = True) -> str:
    """A Markdown application: canonical front matter, then its sections in the order of the
    record's fields, one blank line between them. Needs text that reads without problems."""
    split = split_front_matter(text)
    assert split is not None
    front, _, body, _ = split
    lines = body.split("\n")
    spans = {name: (start, text_start, end) for name, start, text_start, end in section_spans(body)}
    sections = []
    for name in SECTION_LABELS:
        if name in spans:
            start, text_start, end = spans[name]
            content = [line for line in lines[text_start:end]]
            while content and not content[-1].strip():
                content.pop()
            first = next((i for i, line in enumerate(content) if line.strip()), len(content))
            sections.append("\n".join(lines[start:text_start] + ([""] + content[first:] if content[first:] else [])))
    return "---\n" + canonical_yaml(front, record, hide) + "---\n" + "\n\n".join(sections) + ("\n" if sections else "")


def _read(text: str, path: str) -> tuple[Any, list[Diagnostic]]:
    if path.endswith(".md"):
        data, _, problems = parse_markdown_application(text, path)
    else:
        data, _, problems = parse_yaml(text, path)
    return data, problems


def format_record(record: type, path: str, data: bytes) -> Formatted:
    """One record file's bytes (``path`` relative to the workspace) in the canonical layout.

    Line endings (LF or CRLF) and a byte order mark are kept as the file has them. A file kopa
    cannot read is returned with its problems and no data; one that reads as no mapping (an
    empty file, a list) is returned as it is."""
    bom = data.startswith(BOM.encode())
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from kopa_cli.load.workspace import parse_record  # the located message validate gives

        return Formatted(None, tuple(parse_record("call", path, data)[1]))
    crlf = text.partition("\n")[0].endswith("\r")  # the first line ending is the file's
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    before, problems = _read(text, path)
    if problems:
        return Formatted(None, tuple(problems))
    if not isinstance(before, dict):
        return Formatted(data)
    for hide in (True, False):  # hiding the block texts is quicker; if it ever fails, the whole way
        try:
            canonical = canonical_markdown(text, record, hide) if path.endswith(".md") else canonical_yaml(text, record, hide)
        except YAMLError as error:  # read by kopa's parser, refused by ruamel.yaml's round trip
            return Formatted(None, (diagnostic(path, (1, 1), codes.YAML_SYNTAX, problem=str(error).split("\n")[0]),))
        except ValueError:  # a value ruamel.yaml cannot build (2020-02-30): kopa validate reports it
            return Formatted(data)
        if canonical == text or _read(canonical, path) == (before, []):
            break
    else:
        return Formatted(None, broken=True)
    if crlf:
        canonical = canonical.replace("\n", "\r\n")
    return Formatted(((BOM if bom else "") + canonical).encode("utf-8"))
