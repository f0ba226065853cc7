"""Showing a validation report: plain text for terminals, JSON for tools, GitHub annotations.

Finding problems (validation.py) and showing them are separate; each reporter takes the
same ``Report``. Text and GitHub output show the user's own text escaped (a file name or key
holding a line break cannot print a line of its own); JSON keeps it as it is.
"""

from __future__ import annotations

import json
import os
from typing import IO, Callable

from kopa_cli.core import formatting
from kopa_cli.core.diagnostics import Diagnostic, Report, Severity, escaped
from kopa_cli.core.i18n import N_, _, ngettext

MAX_LENGTH_LINES = 50  # past this, the text report names only the longest applications
# The severity word of a text line, in the user's language. A problem matcher keyed on the
# English words can use --lang en; GitHub Actions gets --format github, which keeps its syntax.
SEVERITY_WORDS = {Severity.ERROR: N_("error"), Severity.WARNING: N_("warning")}


def wants_color(stream: IO[str], choice: str = "auto") -> bool:
    """Colour for "always", or for "auto" on a terminal unless NO_COLOR is set (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    return stream.isatty() and not os.environ.get("NO_COLOR")


def text(report: Report, out: IO[str], color: bool, lengths: bool = True) -> None:
    styles = {"error": "\033[1;31m", "warning": "\033[1;33m"} if color else {}
    reset = "\033[0m" if color else ""
    for d in report.diagnostics:
        severity = _(SEVERITY_WORDS[d.severity])
        style = styles.get(d.severity.value, "")
        out.write(f"{escaped(d.path)}:{d.line}:{d.column}: {style}{severity}{reset} {d.code} {d.render(escape=True)}\n")
    if lengths and report.lengths and report.limit:
        longest = sorted(report.lengths.items(), key=lambda item: (-item[1], item[0]))
        if len(longest) > MAX_LENGTH_LINES:
            out.write(_("Longest applications (characters / limit; --format json lists all):") + "\n")
            longest = longest[:5]
        else:
            out.write(_("Application lengths (characters / limit):") + "\n")
        longest = [(escaped(path), count) for path, count in longest]
        width = max(len(path) for path, _count in longest)
        for path, count in longest:
            out.write(f"  {path:<{width}}  {formatting.number(count):>6} / {formatting.number(report.limit)}\n")
    out.write(summary(report) + "\n")


def summary(report: Report) -> str:
    number = formatting.number
    files = ngettext("Checked {n} file", "Checked {n} files", len(report.files)).format(n=number(len(report.files)))
    errors = ngettext("{n} error", "{n} errors", report.errors).format(n=number(report.errors))
    warnings = ngettext("{n} warning", "{n} warnings", report.warnings).format(n=number(report.warnings))
    return f"{files}: {errors}, {warnings}."


def as_json(report: Report, out: IO[str], color: bool = False) -> None:
    document = {
        "files": len(report.files),
        "errors": report.errors,
        "warnings": report.warnings,
        "diagnostics": [d.as_dict() for d in report.diagnostics],
        "lengths": [{"path": p, "count": n, "limit": report.limit} for p, n in sorted(report.lengths.items())],
    }
    # one write (json.dump makes one per token); ASCII escapes: any output encoding holds the text
    out.write(json.dumps(document, indent=2) + "\n")


def _escape(value: str, property: bool = False) -> str:
    # GitHub workflow commands: data escapes %, CR, LF; properties also ':' and ','.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property else value


def _annotation(d: Diagnostic) -> str:
    kind = "error" if d.severity.value == "error" else "warning"
    props = f"file={_escape(escaped(d.path), True)},line={d.line},col={d.column},title={_escape(d.code, True)}"
    return f"::{kind} {props}::{_escape(d.render(escape=True))}"


def github(report: Report, out: IO[str], color: bool = False) -> None:
    for d in report.diagnostics:
        out.write(_annotation(d) + "\n")
    out.write(summary(report) + "\n")


REPORTERS: dict[str, Callable[[Report, IO[str], bool], None]] = {
    "text": text,
    "json": as_json,
    "github": github,
}
