"""Safe YAML reading that remembers where every key and value came from.

libyaml (through ruamel.yaml's C parser) composes the document into nodes that carry
line and column; we construct plain Python values from them ourselves. Nothing is ever
instantiated from a tag, aliases are refused (so an alias bomb costs nothing), every
duplicate key is reported, and the position of each value is kept in an ``Origin``.

Positions are the lines git and editors show. libyaml follows YAML 1.1, where NEL, LS and
PS (U+0085, U+2028, U+2029) also end a line; YAML 1.2, git and editors end a line only at a
line feed. So those three are hidden from the parser behind private-use characters the file
does not hold, and put back into the values: every line and column the parser gives is then
already the one people see, and text holding them parses as YAML 1.2 reads it. A tab that
starts the text of a literal block's first line, which libyaml refuses, is text the same way.
"""

from __future__ import annotations

import re
import unicodedata
from operator import attrgetter
from datetime import date, datetime
from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent, StreamEndEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver, implicit_resolvers
from ruamel.yaml.tag import Tag

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Msg, diagnostic
from kopa_cli.core.i18n import N_
from kopa_cli.core.origin import Origin, Path, Pos
from kopa_cli.load.yamlerrors import position_in, syntax_diagnostic

try:  # the C parser is ten times faster; the pure one is a fallback, same behaviour
    from ruamel.yaml.cyaml import CParser as _Parser

    C_PARSER = True
except ImportError:  # pragma: no cover - exercised only without ruamel.yaml.clib
    from ruamel.yaml.composer import Composer as _Composer
    from ruamel.yaml.parser import Parser as _PyParser
    from ruamel.yaml.reader import Reader as _Reader
    from ruamel.yaml.scanner import Scanner as _Scanner

    C_PARSER = False


MAX_DEPTH = 32  # records are a few levels deep; libyaml's composer recurses in C
MAX_BRACKETS = 1000  # deeper flow nesting could exhaust the C stack before our check

_TAG = "tag:yaml.org,2002:"
_YAML11_BREAKS = "\x85\u2028\u2029"  # NEL, LS, PS: line breaks to libyaml only
_BLOCK_TAB = "found a tab character where an indentation space is expected"
# Block nesting needs one more column of indentation or one more "- " / "? " / ": "
# at the start of a line per level ("- - - x"); a line starting with this many of those
# characters could nest deep enough to exhaust the C stack, like deep flow brackets.
_DEEP_BLOCK = re.compile(r"\n[ \t?:-]{%d}" % MAX_BRACKETS)  # searched in "\n" + text: a fast scan


# Which plain (unquoted) scalars are not text: ruamel.yaml's own YAML 1.2 table, indexed
# by first character once. Its resolver object does the same look-up in generic code that
# costs more than parsing itself. "<<" (merge) and "=" (value) stay text: a merge key is
# just an unknown key here.
_PLAIN_RESOLVERS: dict[str, list[tuple[str, Any]]] = {}
for _versions, _tag_name, _pattern, _first in implicit_resolvers:
    if (1, 2) in _versions and _tag_name[len(_TAG):] in ("bool", "float", "int", "null", "timestamp"):
        for _char in _first:
            _PLAIN_RESOLVERS.setdefault(_char, []).append((_tag_name, _pattern))
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_SHARED_TAGS = {tag: Tag(suffix=tag) for tag in (_STR, _SEQ, _MAP, *(t for t, _ in sum(_PLAIN_RESOLVERS.values(), [])))}


def resolve_tag(kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    """The tag of an untagged node, as ruamel.yaml's YAML 1.2 resolver gives it."""
    if kind is SequenceNode:
        return _SEQ
    if kind is MappingNode:
        return _MAP
    if not implicit[0]:  # quoted
        return _STR
    for tag, pattern in _PLAIN_RESOLVERS.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return _STR


if C_PARSER:

    class _NodeReader(_Parser):
        def __init__(self, text: str) -> None:
            _Parser.__init__(self, text)

        def descend_resolver(self, *_: object) -> None:
            pass

        def ascend_resolver(self, *_: object) -> None:
            pass

        def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> Tag:
            # A shared Tag per tag: ruamel.yaml's nodes would otherwise build one per node.
            return _SHARED_TAGS[resolve_tag(kind, value, implicit)]

    _tag = attrgetter("ctag.suffix")  # the full tag; str(node.tag) would decode it again, slowly

else:  # pragma: no cover

    class _NodeReader(_Reader, _Scanner, _PyParser, _Composer, VersionedResolver):
        def __init__(self, text: str) -> None:
            _Reader.__init__(self, text, loader=self)
            _Scanner.__init__(self, loader=self)
            _PyParser.__init__(self, loader=self)
            _Composer.__init__(self, loader=self)
            VersionedResolver.__init__(self, loader=self)

    def _tag(node: Node) -> str:
        return node.tag


def _pos(node: Node, line_offset: int) -> Pos:
    mark = node.start_mark
    return (mark.line + 1 + line_offset, mark.column + 1)


def _stand_in(text: str) -> str | None:
    """A private-use character that ``text`` neither holds nor names in an escape ("\\ue000"),
    or None when every one is taken (then the character it would stand for is left alone)."""
    lowered = text.lower()
    return next((chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text and f"{c:04x}" not in lowered), None)


def _hide_yaml11_breaks(text: str) -> tuple[str, dict[int, str]]:
    """``text`` with NEL, LS and PS swapped for stand-ins, and the table that swaps them back.
    Without a free stand-in a break stays: its line's positions then count it, nothing fails."""
    restore: dict[int, str] = {}
    for char in _YAML11_BREAKS:
        if char in text:
            stand_in = _stand_in(text)
            if stand_in is None:
                break
            text = text.replace(char, stand_in)
            restore[ord(stand_in)] = char
    return text, restore


def _tab_starting_block_text(error: YAMLError, text: str) -> int | None:
    """Where libyaml refused a tab that starts the text of a block's first line (``goal: |``,
    then ``  <tab>Text``). YAML 1.2 reads it as text after the indentation; libyaml, still
    looking for the block's indentation, does not."""
    mark, header = getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
    if getattr(error, "problem", None) != _BLOCK_TAB or mark is None or header is None:
        return None
    lines = text.split("\n", mark.line + 1)
    if mark.line >= len(lines) or header.line >= mark.line:
        return None
    line, header_line = lines[mark.line], lines[header.line]
    indentation = line[: mark.column]
    header_indentation = len(header_line) - len(header_line.lstrip(" "))
    if (
        header_line[header.column : header.column + 1] != "|"  # in a folded block (>) a tab changes the folding
        or line[mark.column : mark.column + 1] != "\t"
        or indentation.strip(" ")
        or len(indentation) <= header_indentation  # the tab is the indentation itself: an error
        or not line.strip()
    ):
        return None
    return sum(len(before) + 1 for before in lines[: mark.line]) + mark.column


# A literal block's header line ("goal: |", "- |-  # comment"), blank lines, then a first text
# line starting with spaces and a tab: the tabs libyaml refuses, found in one pass.
_TAB_AFTER_BLOCK_HEADER = re.compile(
    r"^( *)(?:[^\n]*[ \t])?\|[1-9+-]{0,2}(?:[ \t]+#[^\n]*)?[ \t]*\n(?: *\n)*( +)\t", re.MULTILINE
)
MAX_TAB_RETRIES = 100  # a tab the one-pass search missed costs a whole parse; then the parser's error stands


def _tabs_starting_block_text(text: str) -> list[int]:
    """Where a tab seems to start a literal block's text; each is confirmed after parsing."""
    return [m.end() - 1 for m in _TAB_AFTER_BLOCK_HEADER.finditer(text) if len(m[2]) > len(m[1])]


def _in_literal_blocks(node: Node, places: list[Pos]) -> bool:
    """Whether every 0-based (line, column) in ``places`` lies in the text of a literal block."""
    before: dict[int, float] = {}  # a line of a block's text -> the column its text ends before
    stack, seen = [node], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:  # an alias: its node is walked once
            continue
        seen.add(id(item))
        if isinstance(item, ScalarNode):
            if item.style == "|":
                start, end = item.start_mark, item.end_mark
                before.update(dict.fromkeys(range(start.line + 1, end.line), float("inf")))
                if end.line > start.line:
                    before[end.line] = max(before.get(end.line, 0), end.column)
        elif isinstance(item, SequenceNode):
            stack.extend(item.value)
        elif isinstance(item, MappingNode):
            stack.extend(part for pair in item.value for part in pair)
    return all(column < before.get(line, -1) for line, column in places)


def _zero_based(text: str, indexes: list[int]) -> list[Pos]:
    """0-based (line, column) of ascending character indexes of ``text``, in one pass."""
    places, line, line_start, previous = [], 0, 0, 0
    for index in indexes:
        line += text.count("\n", previous, index)
        line_start = max(line_start, text.rfind("\n", previous, index) + 1)
        places.append((line, index - line_start))
        previous = index
    return places


def _compose(text: str, tabs: list[int]) -> tuple[Node | None, str, str | None, YAMLError | None]:
    """Compose ``text`` with the tabs at ``tabs`` (and any more the parser refuses at the start
    of a block's text) read as text: (node, the text parsed, the tabs' stand-in, error)."""
    stand_in = _stand_in(text) if tabs else None
    if tabs and stand_in is None:
        tabs = []
    chars = list(text)
    for tab in tabs:
        chars[tab] = stand_in
    text = "".join(chars)
    last: YAMLError | None = None
    for _ in range(MAX_TAB_RETRIES + 1):
        try:
            return _NodeReader(text).get_single_node(), text, stand_in, None
        except YAMLError as error:
            last = error  # Python unbinds ``error`` when the except block ends
            tab = _tab_starting_block_text(error, text)
            stand_in = stand_in or (_stand_in(text) if tab is not None else None)
            if tab is None or stand_in is None:
                return None, text, stand_in, error
            text = text[:tab] + stand_in + text[tab + 1 :]  # the tab is text: parse it as such, then put it back
    return None, text, stand_in, last


def _too_deep_at(text: str, limit: int) -> int | None:
    """Where the text could nest deeper than ``limit`` (flow brackets or block indicators)."""
    deep_block = _DEEP_BLOCK.search("\n" + text)
    if deep_block:
        return deep_block.start()  # the "\n" added in front makes up for the offset
    if text.count("[") + text.count("{") <= limit:
        return None
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            return match.start()
    return None


def _alias_positions(text: str, line_offset: int) -> list[Pos]:
    """Where each alias (*name) is written: the composed nodes share one object per anchor,
    so only the parser's events know the alias's own place."""
    parser = _NodeReader(text)
    positions = []
    while True:
        event = parser.get_event()
        if isinstance(event, StreamEndEvent):
            return positions
        if isinstance(event, AliasEvent):
            positions.append((event.start_mark.line + 1 + line_offset, event.start_mark.column + 1))


class _Builder:
    def __init__(self, path: str, line_offset: int, text: str, restore: dict[int, str] | None) -> None:
        self.path = path
        self.line_offset = line_offset
        self.text = text
        self.lines: list[str] | None = None  # the text's lines, split once when a block needs them
        self.origin = Origin(path)
        self.values, self.keys = self.origin.values, self.origin.keys  # filled node by node
        self.written = self.origin.written
        self.constructors = _BY_TAG
        if restore:  # put NEL, LS, PS (or a tab starting a block's text) back where the parser saw stand-ins
            self.constructors = {**_BY_TAG, _STR: lambda value: _text(value.translate(restore))}
        self.diagnostics: list[Diagnostic] = []
        self.seen: set[int] = set()
        self.aliases = False

    def report(self, node: Node, rule: Any, **args: object) -> None:
        self.diagnostics.append(diagnostic(self.path, _pos(node, self.line_offset), rule, **args))

    def build(self, node: Node, where: Path) -> Any:
        # The hot loop of loading: written for speed (one call per node, few look-ups).
        if id(node) in self.seen:  # the same node twice: an alias, reported by parse_yaml
            self.aliases = True
            return None
        self.seen.add(id(node))
        if len(where) > MAX_DEPTH:
            self.report(node, codes.TOO_DEEP, limit=MAX_DEPTH)
            return None
        kind = node.__class__
        if kind is ScalarNode and node.style in _BLOCK_STYLES:
            self.values[where] = self.block_text_position(node)
        else:
            mark = node.start_mark
            self.values[where] = (mark.line + 1 + self.line_offset, mark.column + 1)
        tag = _tag(node)
        construct = self.constructors.get(tag, _UNKNOWN)
        if construct is _UNKNOWN:
            self.report(node, codes.TAG, tag=tag.replace(_TAG, "!!"))
            return None
        if kind is MappingNode:
            return self.mapping(node, where)
        if kind is SequenceNode:
            return [self.build(item, where + (i,)) for i, item in enumerate(node.value)]
        if tag != _STR:  # a number, date, true/false or null: messages quote it as written
            self.written[where] = node.value
        try:
            return construct(node.value)
        except (ValueError, TypeError):
            return node.value

    def block_text_position(self, node: ScalarNode) -> Pos:
        """Where a block scalar's (``goal: |``) text starts: its first text line, so that line
        numbers counted inside the text (the length rule) match the file."""
        if not node.value.strip():
            return _pos(node, self.line_offset)
        line = node.start_mark.line + 1  # 0-based: the line after the indicator
        if self.lines is None:
            self.lines = self.text.split("\n")
        text_line = self.lines[line] if line < len(self.lines) else ""
        column = len(text_line) - len(text_line.lstrip(" ")) + 1
        return (line + 1 + self.line_offset, column)

    def mapping(self, node: MappingNode, where: Path) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        keys = self.keys
        for key_node, value_node in node.value:
            key_tag = _tag(key_node)
            construct = self.constructors.get(key_tag, _UNKNOWN)
            if construct is _UNKNOWN:
                self.report(key_node, codes.TAG, tag=key_tag.replace(_TAG, "!!"))
                continue
            if key_node.__class__ is not ScalarNode:  # "? [a, b]": a list or mapping as a key
                found = N_("a list") if isinstance(key_node, SequenceNode) else N_("a mapping of keys and values")
                self.report(key_node, codes.WRONG_TYPE, key="?", expected=Msg(N_("text")), found=Msg(found))
                continue
            try:
                key = construct(key_node.value)
            except (ValueError, TypeError):
                key = key_node.value
            if isinstance(key, date):  # a date (or a date and time) as a key means its text, as written
                key = key_node.value
            if key in first_line:
                self.report(key_node, codes.DUPLICATE_KEY, key=key, first_line=first_line[key])
                continue
            mark = key_node.start_mark
            position = (mark.line + 1 + self.line_offset, mark.column + 1)
            first_line[key] = position[0]
            keys[where + (key,)] = position
            result[key] = self.build(value_node, where + (key,))
        return result


def _text(value: str) -> str:
    # NFC, so that a decomposed "ä" from some editors equals the composed one in ids
    # and counts as one character (record-format.md, Length).
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def _timestamp(value: str) -> date | datetime:
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value.replace("t", "T").replace(" ", "T", 1))


_CONSTRUCTORS: dict[str, Any] = {
    "str": _text,
    "int": lambda v: int(v.replace("_", ""), 0) if v.lstrip("+-")[:2] in ("0x", "0o") else int(v),
    "float": float,
    "bool": lambda v: v.lower() == "true",
    "null": lambda v: None,
    "timestamp": _timestamp,
    "map": None,
    "seq": None,
}
_BY_TAG = {_TAG + name: construct for name, construct in _CONSTRUCTORS.items()}
_UNKNOWN = object()
_BLOCK_STYLES = ("|", ">")


def _reparse(text: str) -> YAMLError | None:
    return _compose(text, [])[3]


def parse_yaml(text: str, path: str, line_offset: int = 0) -> tuple[Any, Origin, list[Diagnostic]]:
    """Parse one YAML document. Returns (data, origin, diagnostics); data is None on failure."""
    origin = Origin(path)
    if not text.strip():
        return None, origin, []
    deep = _too_deep_at(text, MAX_BRACKETS)
    if deep is not None:
        line, column = position_in(text, deep)
        return None, origin, [diagnostic(path, (line + line_offset, column), codes.TOO_DEEP, limit=MAX_DEPTH)]
    text, restore = _hide_yaml11_breaks(text)
    tabs = _tabs_starting_block_text(text)
    node, parsed, stand_in, error = _compose(text, tabs)
    if tabs and node is not None and not _in_literal_blocks(node, _zero_based(text, tabs)):
        node, parsed, stand_in, error = _compose(text, [])  # a guess was not a block's text: the parser finds each
    if error is not None:
        return None, origin, [syntax_diagnostic(error, parsed, path, line_offset, byte_offsets=C_PARSER, reparse=_reparse)]
    text = parsed
    if stand_in is not None:
        restore[ord(stand_in)] = "\t"
    if node is None:
        return None, origin, []
    builder = _Builder(path, line_offset, text, restore)
    data = builder.build(node, ())
    if builder.aliases:
        builder.diagnostics.extend(diagnostic(path, where, codes.ALIAS) for where in _alias_positions(text, line_offset))
    return data, builder.origin, builder.diagnostics
