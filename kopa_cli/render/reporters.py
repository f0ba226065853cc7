"""Showing a validation report: plain text for terminals, JSON for tools, GitHub annotations.

Finding problems (validation.py) and showing them are separate; each reporter takes the
same ``Report``.
"""

from __future__ import annotations

import json
import os
from typing import IO, Callable

from kopa_cli.core import formatting
from kopa_cli.core.diagnostics import Diagnostic, Report
from kopa_cli.core.i18n import _, ngettext

MAX_LENGTH_LINES = 50  # past this, the text report names only the longest applications


def wants_color(stream: IO[str], choice: str = "auto") -> bool:
    """Colour for "always", or for "auto" on a terminal unless NO_COLOR is set (no-color.org)."""
    if choice != "auto":
        return choice == "always"
    return stream.isatty() and not os.environ.get("NO_COLOR")


def text(report: Report, out: IO[str], color: bool, lengths: bool = True) -> None:
    styles = {"error": "\033[1;31m", "warning": "\033[1;33m"} if color else {}
    reset = "\033[0m" if color else ""
    for d in report.diagnostics:
        severity = d.severity.value  # untranslated: problem matchers look for "error"/"warning"
        style = styles.get(d.severity.value, "")
        out.write(f"{d.path}:{d.line}:{d.column}: {style}{severity}{reset} {d.code} {d.message}\n")
    if lengths and report.lengths and report.limit:
        longest = sorted(report.lengths.items(), key=lambda item: (-item[1], item[0]))
        if len(longest) > MAX_LENGTH_LINES:
            out.write(_("Longest applications (characters / limit; --format json lists all):") + "\n")
            longest = longest[:5]
        else:
            out.write(_("Application lengths (characters / limit):") + "\n")
        width = max(len(path) for path, _count in longest)
        for path, count in longest:
            out.write(f"  {path:<{width}}  {formatting.number(count):>6} / {formatting.number(report.limit)}\n")
    out.write(summary(report) + "\n")


def summary(report: Report) -> str:
    files = ngettext("Checked {n} file", "Checked {n} files", len(report.files)).format(n=len(report.files))
    errors = ngettext("{n} error", "{n} errors", report.errors).format(n=report.errors)
    warnings = ngettext("{n} warning", "{n} warnings", report.warnings).format(n=report.warnings)
    return f"{files}: {errors}, {warnings}."


def as_json(report: Report, out: IO[str], color: bool = False) -> None:
    document = {
        "files": len(report.files),
        "errors": report.errors,
        "warnings": report.warnings,
        "diagnostics": [d.as_dict() for d in report.diagnostics],
        "lengths": [{"path": p, "count": n, "limit": report.limit} for p, n in sorted(report.lengths.items())],
    }
    # one write: json.dump would make one per token, a third of an unchanged workspace's run
    out.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")


def _escape(value: str, property: bool = False) -> str:
    # GitHub workflow commands: data escapes %, CR, LF; properties also ':' and ','.
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return value.replace(":", "%3A").replace(",", "%2C") if property else value


def _annotation(d: Diagnostic) -> str:
    kind = "error" if d.severity.value == "error" else "warning"
    props = f"file={_escape(d.path, True)},line={d.line},col={d.column},title={_escape(d.code, True)}"
    return f"::{kind} {props}::{_escape(d.message)}"


def github(report: Report, out: IO[str], color: bool = False) -> None:
    for d in report.diagnostics:
        out.write(_annotation(d) + "\n")
    out.write(summary(report) + "\n")


REPORTERS: dict[str, Callable[[Report, IO[str], bool], None]] = {
    "text": text,
    "json": as_json,
    "github": github,
}
