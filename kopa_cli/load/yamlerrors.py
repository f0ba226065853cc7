"""The YAML parser's complaints as located diagnostics, in the user's language.

libyaml words its problems for programmers, in English ("mapping values are not allowed in
this context"). The common ones are said here as a person would say them, with the usual
fix; any other is named in general words, with the parser's own words kept as a suffix.
"""

from __future__ import annotations

import re

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Phrase, diagnostic
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


def position_in(text: str, index: int) -> Pos:
    """1-based line and column of a character index of ``text``."""
    line_start = text.rfind("\n", 0, index) + 1
    return (text.count("\n", 0, index) + 1, index - line_start + 1)


def syntax_diagnostic(error: YAMLError, text: str, path: str, line_offset: int, byte_offsets: bool) -> Diagnostic:
    """The diagnostic for a document the parser refused. ``text`` is what it was given;
    ``byte_offsets``: a reader error counts UTF-8 bytes (libyaml), not characters."""
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
    started = error.context_mark.line + 1 + line_offset if error.context_mark else where[0]
    template = _PROBLEMS.get(said)
    if template is None:
        problem = Phrase.of(N_("the text is not valid YAML here ({detail})"), detail=said or str(error))
    else:
        problem = Phrase.of(template, line=started) if "{line}" in template else Phrase.of(template)
    return diagnostic(path, where, codes.YAML_SYNTAX, problem=problem)
