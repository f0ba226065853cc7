"""Problems found in records, as values: where, how bad, which rule, what to fix.

A ``Diagnostic`` keeps the rule's code and the message arguments, not a rendered text,
so the same problems can be shown in any language (and cached independently of it).
Message arguments that are themselves message ids (field labels) are wrapped in ``Msg``
and translated when shown.

Arguments may be the user's own text (a key, a value, a file name). Text and GitHub output
show them escaped (``escaped``), so that a line break or a control character in a record can
never start a line of its own; JSON keeps them as they are.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import Enum

from kopa_cli.core import formatting
from kopa_cli.core.i18n import _, ngettext
from kopa_cli.core.phrases import Choice, Field


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


class Msg(str):
    """A message id used as an argument of another message: translated when shown."""

    __slots__ = ()


@dataclass(frozen=True)
class Code:
    """One rule: a stable code, its severity and its message template (a message id)."""

    id: str
    severity: Severity
    template: str


CODES: dict[str, Code] = {}


def code(id: str, severity: Severity, template: str) -> Code:
    """Register a rule code; codes are unique and never reused for another meaning."""
    if id in CODES:
        raise ValueError(f"duplicate diagnostic code {id}")
    CODES[id] = Code(id, severity, template)
    return CODES[id]


@dataclass(frozen=True)
class Phrase:
    """A message id with arguments of its own, used as an argument of another message."""

    id: str
    args: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, id: str, **args: object) -> Phrase:
        return cls(id, tuple(args.items()))


class Suggestion(str):
    """A close match to offer after a message ("did you mean ...?"); empty for none."""

    __slots__ = ()


class Figure(Decimal):
    """A number shown to people, such as a bound or a count: grouped, with the language's
    decimal sign (999 999 999,99 and 4 812 in Finnish)."""

    __slots__ = ()


class Euros(Decimal):
    """An amount of money shown to people, in euros and cents as the language writes it:
    Decimal("2066.67") is "2 066,67 €" in Finnish and Swedish, "€2,066.67" in English."""

    __slots__ = ()


@dataclass(frozen=True)
class Plural:
    """A count with its words, in the form the language gives that count: ``forms`` is an
    ``N_plural`` pair such as ("{n} decimal", "{n} decimals")."""

    forms: tuple[str, str]
    n: int


class Aside(str):
    """A message id said in passing, in parentheses after a message; empty for nothing."""

    __slots__ = ()


def suggest(word: object, choices: Iterable[object]) -> Suggestion:
    """The closest of ``choices`` to a misspelt ``word``, if any is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return Suggestion(close[0] if close else "")


# Line breaks, C0 and C1 controls, the invisible marks that reorder text (bidi controls), and
# the bytes of a file name that is not UTF-8 (Python's surrogate escapes, U+DC80-U+DCFF)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\udc80-\udcff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # the byte the file name holds: b"k\xe4sk\xf6" -> "k\\xe4sk\\xf6"
        return f"\\x{code - 0xDC00:02x}"
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def escaped(text: str) -> str:
    """``text`` on one line, unable to pass for anything else: line breaks and control
    characters as escapes (``\\n``, ``\\x07``, ``\\u2028``), and a non-UTF-8 file name's bytes as ``\\xe4``."""
    return _UNSAFE.sub(_escape_char, text)


def localize(value: object, escape: bool = False) -> str:
    """A message argument as shown in the current language (labels, dates, counts, hints);
    with ``escape``, the user's own text in it is ``escaped``."""
    if isinstance(value, (Field, Choice)):
        return value.localized(escaped if escape else str)
    if isinstance(value, Suggestion):
        suggestion = escaped(value) if escape else str(value)
        return _(" (did you mean '{suggestion}'?)").format(suggestion=suggestion) if value else ""
    if isinstance(value, Aside):
        return f" ({_(value)})" if value else ""
    if isinstance(value, Msg):
        return _(value)
    if isinstance(value, Phrase):
        return _(value.id).format(**{key: localize(arg, escape) for key, arg in value.args})
    if isinstance(value, (list, tuple)):
        return ", ".join(localize(item, escape) for item in value)
    if isinstance(value, date):
        return formatting.day(value)
    if isinstance(value, Euros):
        return formatting.money(Decimal(value))
    if isinstance(value, Figure):
        return formatting.number(Decimal(value))
    if isinstance(value, Plural):
        return ngettext(*value.forms, value.n).format(n=formatting.number(value.n))
    return escaped(str(value)) if escape else str(value)


@dataclass(frozen=True)
class Diagnostic:
    path: str  # relative to the workspace, with forward slashes
    line: int  # 1-based
    column: int  # 1-based
    code: str
    args: tuple[tuple[str, object], ...] = field(default=())

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def message(self) -> str:
        """The message with the user's text as it is (for JSON)."""
        return self.render(escape=False)

    def render(self, escape: bool) -> str:
        template = _(CODES[self.code].template)
        return template.format(**{key: localize(value, escape) for key, value in self.args})

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        """The order within a file, the same in every run and language: place, code, arguments."""
        return (self.path, self.line, self.column, self.code, repr(self.args))

    @property
    def reading_problem(self) -> bool:
        """A problem of reading the file itself (its syntax and shape: KOPA1xx, KOPA2xx)."""
        return self.code.startswith(("KOPA1", "KOPA2"))

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
        }


def _frozen(value: object) -> object:
    # Arguments may be the user's own data (a list where a date belongs); a Diagnostic
    # must stay hashable, so lists become tuples and mappings their text.
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, (dict, set)):
        return str(value)
    return value


def diagnostic(path: str, position: tuple[int, int], rule: Code, **args: object) -> Diagnostic:
    line, column = position
    return Diagnostic(path, line, column, rule.id, tuple((key, _frozen(value)) for key, value in args.items()))


def sort_diagnostics(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """One total order, without repeats: the files with a problem of reading them first (the
    root causes: a file that could not be read is a record other files cannot find), then the
    rest; within a file, by place."""
    broken = {d.path for d in diagnostics if d.reading_problem}
    return sorted(dict.fromkeys(diagnostics), key=lambda d: (d.path not in broken, *d.sort_key))


@dataclass(frozen=True)
class Dependencies:
    """What each record file provides to the rules of other records, and what it reads of
    them: keys such as ``organizations:kajaani`` (check/dependencies.py explains them).

    Kept as one text, a line per file: its path, a tab, the keys it provides, a tab, the keys it
    reads, keys separated by spaces (ids, and so record paths and keys, hold no white space; a
    value that does is no id and is left out). The cached report of a large workspace then
    decodes it as one string, at once (a tenth of the time of a table of tuples), and it is
    split only when --changed-since asks."""

    table: str = ""

    @classmethod
    def of(cls, provides: dict[str, tuple[str, ...]], reads: dict[str, tuple[str, ...]]) -> Dependencies:
        def words(keys: tuple[str, ...]) -> str:
            return " ".join(key for key in keys if key.split() == [key])

        paths = sorted(path for path in provides.keys() | reads.keys() if path.split() == [path])
        return cls("\n".join(f"{p}\t{words(provides.get(p, ()))}\t{words(reads.get(p, ()))}" for p in paths))

    def split(self) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """(provides, reads) by path."""
        provides: dict[str, tuple[str, ...]] = {}
        reads: dict[str, tuple[str, ...]] = {}
        for line in filter(None, self.table.split("\n")):
            path, provided, read = line.split("\t")
            provides[path], reads[path] = tuple(provided.split()), tuple(read.split())
        return provides, reads


@dataclass(frozen=True)
class Report:
    """What ``kopa validate`` found: the files read, the problems, each application's length."""

    files: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]
    lengths: dict[str, int]  # counted characters by application path
    limit: int | None  # the call's max_chars
    language: str | None = None  # the call's language: the default for messages
    # what each record file offers other records' rules and reads of them (check/dependencies.py)
    dependencies: Dependencies = field(default_factory=Dependencies)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.diagnostics) - self.errors

    def only(self, selected: Callable[[str], bool]) -> Report:
        """The part of the report about the paths ``selected`` accepts."""
        return replace(
            self,
            files=tuple(p for p in self.files if selected(p)),
            diagnostics=tuple(d for d in self.diagnostics if selected(d.path)),
            lengths={p: n for p, n in self.lengths.items() if selected(p)},
        )
