"""The YAML parser's complaints as located diagnostics, in the user's language.

libyaml words its problems for programmers, in English ("mapping values are not allowed in
this context"). The common ones are said here as a person would say them, with the usual
fix; any other is named in general words, with the parser's own words kept as a suffix.

The parser notices a problem where the structure breaks, often a line or more after the
cause. Two causes account for most broken records written by hand, and are named instead:

- text containing ``": "`` left unquoted (``name: Lukioverkko: lukio palveluna``);
- an invisible character where YAML needs a space or nothing (a no-break space after
  ``name:`` pasted from a word processor), which YAML does not count as a space.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Msg, Phrase, diagnostic
from kopa_cli.core.i18n import N_
from kopa_cli.core.origin import Pos

_COLON = N_("a colon and a space (': ') inside a value; put the value in quotes, like name: \"Kainuu: lukiot\"")
# The parser's problem -> what to say; {line} is the line where the parser's context began
# (the opening bracket or quote), given when the parser names one.
_PROBLEMS = {
    "mapping values are not allowed in this context": _COLON,
    "mapping values are not allowed here": _COLON,  # the same, from the pure-Python parser
    # libyaml says this only inside brackets or braces, of a colon with no space after it
    "found unexpected ':'": N_(
        "a colon inside brackets or braces, as in a time or a web address; "
        "put the value in quotes, like open: \"9:00-15:00\" or web: \"https://kajaani.fi\""
    ),
    "found character that cannot start any token": N_(
        "a value cannot start with this character (such as @, ` or %); put the value in quotes"
    ),
    "did not find expected ',' or '}'": N_(
        "the part in braces that starts on line {line} is not closed: a comma or a closing brace is missing"
    ),
    "did not find expected ',' or ']'": N_(
        "the list in square brackets opened on line {line} is not closed: a comma or a closing ']' is missing"
    ),
    "found unexpected end of stream": N_("the quotation mark on line {line} is never closed"),
    "could not find expected ':'": N_("line {line} has no colon: write 'name: value', or indent a continued value"),
    "did not find expected key": N_(
        "unexpected text: check the indentation, and that a quoted value ends with its closing quotation mark"
    ),
    "did not find expected '-' indicator": N_(
        "a list item ('- ...') was expected here, at the indentation of the list that starts on line {line}"
    ),
    "found unknown escape character": N_(
        "an unknown escape after a backslash (\\) in double quotes; write the backslash twice (\\\\) or use single quotes"
    ),
    "but found another document": N_("a second document ('---') in the file; a record is one document"),
    "did not find expected node content": N_("a value is missing here"),
}
_TAB_PROBLEMS = ("found a tab character that violates indentation", "found a tab character where an indentation space is expected")
_TAB_INDENT = re.compile(r"[ ]*\t")

# Characters that look like a space or like nothing, by what they are called.
_INVISIBLE = {
    "\u00a0": N_("a no-break space"),
    "\u202f": N_("a narrow no-break space"),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", N_("a zero-width character")),
    **dict.fromkeys("\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u205f\u3000", N_("a special space character")),
}
_CHARACTERS = "".join(_INVISIBLE)
# Where YAML needs an ordinary space or nothing: in the indentation or after "- ", right
# after a key's colon, or between a key and its colon. (Inside text it is only text.)
_KEY = r"[^\s:#'\"][^:#]*?"
_STRUCTURAL = re.compile(
    rf"^[ -]*[{_CHARACTERS}]|^[ -]*{_KEY}:[{_CHARACTERS}]|^[ -]*{_KEY}[{_CHARACTERS}]:",
    re.MULTILINE,
)
MAX_INVISIBLE_TRIES = 10  # each try parses the file again
# key: text: more  (a plain value holding ": "); quoted, flow and block values are left alone
_COLON_IN_VALUE = re.compile(r"^[ -]*(?P<key>[^\s:#'\"\[{][^:#]*?):[ ]+(?P<value>[^\s'\"\[{|>&*!][^#]*?)(?:[ ]+#.*)?$")


def position_in(text: str, index: int) -> Pos:
    """1-based line and column of a character index of ``text``."""
    line_start = text.rfind("\n", 0, index) + 1
    return (text.count("\n", 0, index) + 1, index - line_start + 1)


def syntax_diagnostic(
    error: YAMLError, text: str, path: str, line_offset: int, byte_offsets: bool, reparse: Callable[[str], YAMLError | None]
) -> Diagnostic:
    """The diagnostic for a document the parser refused. ``text`` is what it was given;
    ``byte_offsets``: a reader error counts UTF-8 bytes (libyaml), not characters;
    ``reparse``: the parser's error for another text, or None when it parses."""
    if isinstance(error, ReaderError):  # a character YAML does not allow, such as NUL
        index = error.position if isinstance(error.position, int) else 0
        if byte_offsets:
            index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
        line, column = position_in(text, index)
        character = error.character if isinstance(error.character, int) else ord(text[index : index + 1] or "\0")
        problem = Phrase.of(N_("a control character (U+{code}) that a record cannot hold; remove it"), code=f"{character:04X}")
        return diagnostic(path, (line + line_offset, column), codes.YAML_SYNTAX, problem=problem)
    if not isinstance(error, MarkedYAMLError):
        problem = Phrase.of(N_("the text is not valid YAML ({detail})"), detail=str(error))
        return diagnostic(path, (1 + line_offset, 1), codes.YAML_SYNTAX, problem=problem)
    mark = error.problem_mark or error.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    where = (line + line_offset, column)
    said = error.problem or error.context or ""
    error_line = text.split("\n", line)[line - 1] if line <= text.count("\n") + 1 else ""
    tab = _TAB_INDENT.match(error_line)
    if tab or said in _TAB_PROBLEMS:
        # Tabs inside text (a literal block) are valid YAML: a tab is the cause only when the
        # parser stops on a line that is indented with one.
        return diagnostic(path, (line + line_offset, tab.end() if tab else column), codes.TAB_INDENT)
    if said == "found undefined alias":
        return diagnostic(path, where, codes.ALIAS)
    invisible = _invisible_cause(error, text, line, reparse)
    if invisible is not None:
        index, char = invisible
        at, column = position_in(text, index)
        return diagnostic(
            path, (at + line_offset, column), codes.INVISIBLE_CHARACTER,
            character=Msg(_INVISIBLE[char]), codepoint=f"U+{ord(char):04X}",
        )
    unquoted = _COLON_IN_VALUE.match(error_line)
    if unquoted and ": " in unquoted["value"] and column - 1 > unquoted.start("value"):
        value = unquoted["value"].replace("\\", "\\\\").replace('"', '\\"')
        return diagnostic(path, where, codes.COLON_IN_VALUE, key=unquoted["key"], value=value)
    started = error.context_mark.line + 1 + line_offset if error.context_mark else where[0]
    template = _PROBLEMS.get(said)
    if template is None:
        problem = Phrase.of(N_("the text is not valid YAML here ({detail})"), detail=said or str(error))
    else:
        problem = Phrase.of(template, line=started) if "{line}" in template else Phrase.of(template)
    return diagnostic(path, where, codes.YAML_SYNTAX, problem=problem)


def _invisible_cause(error: MarkedYAMLError, text: str, line: int, reparse: Callable[[str], YAMLError | None]) -> tuple[int, str] | None:
    """(index, character) of an invisible character on the error's line or above it, where YAML
    needs a space or nothing, that is the cause: replacing it with a space, or deleting it,
    mends the parse or moves the error later. One that changes nothing (or only moves the error
    earlier, as a changed indentation of a block's first line does) is text, not the cause."""
    before = "\n".join(text.split("\n", line)[:line])
    where = _mark(error)
    for found, _ in zip(_STRUCTURAL.finditer(before), range(MAX_INVISIBLE_TRIES)):
        index = next(i for i in range(found.start(), found.end()) if before[i] in _INVISIBLE)
        for fixed in (" ", ""):
            other = reparse(text[:index] + fixed + text[index + 1 :])
            if other is None or (where is not None and (_mark(other) or where) > where):
                return index, before[index]
    return None


def _mark(error: YAMLError) -> tuple[int, int] | None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return (mark.line, mark.column) if mark else None
