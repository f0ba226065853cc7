"""The usual causes of a YAML syntax error, told in the user's words instead of the parser's.

The parser notices a problem where the structure breaks, often a line or more after the
cause; its own wording ("mapping values are not allowed here") does not say what to do.
Two causes account for most broken records written by hand:

- text containing ``": "`` left unquoted (``name: Lukioverkko: lukio palveluna``);
- an invisible character where YAML needs a space or nothing (a no-break space after
  ``name:`` pasted from a word processor), which YAML does not count as a space.
"""

from __future__ import annotations

import re

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Msg, diagnostic
from kopa_cli.core.i18n import N_

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
# key: text: more  (a plain value holding ": "); quoted, flow and block values are left alone
_COLON_IN_VALUE = re.compile(r"^[ -]*(?P<key>[^\s:#'\"\[{][^:#]*?):[ ]+(?P<value>[^\s'\"\[{|>&*!][^#]*?)(?:[ ]+#.*)?$")


def explain(problems: list[Diagnostic], text: str) -> list[Diagnostic]:
    """``problems`` with a YAML syntax error replaced by its likely cause, when one is found.
    ``text``: the whole file (positions are the file's)."""
    return [_cause(problem, text) or problem if problem.code == codes.YAML_SYNTAX.id else problem for problem in problems]


def _cause(problem: Diagnostic, text: str) -> Diagnostic | None:
    lines = text.split("\n")
    before = "\n".join(lines[: problem.line])  # the cause is on the error's line or above it
    invisible = _STRUCTURAL.search(before)
    if invisible:
        index = next(i for i in range(invisible.start(), invisible.end()) if before[i] in _INVISIBLE)
        line = before.count("\n", 0, index) + 1
        column = index - (before.rfind("\n", 0, index) + 1) + 1
        char = before[index]
        return diagnostic(
            problem.path, (line, column), codes.INVISIBLE_CHARACTER,
            character=Msg(_INVISIBLE[char]), codepoint=f"U+{ord(char):04X}",
        )
    if problem.line <= len(lines):
        found = _COLON_IN_VALUE.match(lines[problem.line - 1])
        if found and ": " in found["value"] and problem.column - 1 > found.start("value"):
            value = found["value"].replace("\\", "\\\\").replace('"', '\\"')
            return diagnostic(problem.path, (problem.line, problem.column), codes.COLON_IN_VALUE, key=found["key"], value=value)
    return None
