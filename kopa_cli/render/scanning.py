"""Reports for code-scanning dashboards: SARIF 2.1.0 and GitLab's Code Quality report.

Both name files from the top of the git repository (``prefix`` is the workspace's folder
in it, "" or ending in "/"), as GitHub code scanning and GitLab merge requests expect; the
workspace may sit in a subfolder whose name holds spaces or ä. SARIF carries them as
URI references relative to ``%SRCROOT%`` (RFC 3986: ``records%20kopa/...``, ``k%C3%A4...``).

Each problem has a **fingerprint** that tells it apart from every other problem of the
report and stays the same while the problem does: a hash of its code, its file, its message
arguments (whatever the language of the messages) and its rank among the problems with those
same three (the second identical problem of a file has rank 1). Its line and column are left
out, and so are the arguments that name a place in the file (``first_line`` of KOPA106 and
KOPA120: an argument named ``*_line`` or ``*_column``), so an edit elsewhere in the file,
which moves the problem, keeps the fingerprint;
editing the value the message quotes, renaming the file or adding an identical problem
above it changes it.

The SARIF rules carry the help of docs/rules.md: each code's section, as Markdown and as text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import IO, Callable
from urllib.parse import quote

from kopa_cli import __version__
from kopa_cli.core.diagnostics import CODES, Diagnostic, Report, Severity
from kopa_cli.core.i18n import _

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"  # the uriBaseId of every path: the repository's top folder
_PACKAGE = Path(__file__).resolve().parents[1]
# In a wheel docs/rules.md is kopa_cli/docs/rules.md (pyproject.toml force-includes it); in a
# source checkout or an editable install it is the repository's docs/rules.md.
_RULES_CANDIDATES = (_PACKAGE / "docs" / "rules.md", _PACKAGE.parent / "docs" / "rules.md")
_SECTION = re.compile(r"^### (KOPA\d{3}) — (.+)$", re.MULTILINE)


_PLACES = ("_line", "_column")  # message arguments naming a place in the file, which an edit moves


def fingerprints(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], prefix: str = "") -> list[str]:
    """One fingerprint per diagnostic, in order: 32 hex digits (see the module's docstring)."""
    seen: Counter[tuple[str, str, str]] = Counter()
    found = []
    for d in diagnostics:
        what = (d.code, prefix + d.path, repr(tuple(arg for arg in d.args if not arg[0].endswith(_PLACES))))
        rank = seen[what]
        seen[what] += 1
        found.append(hashlib.blake2b("\0".join((*what, str(rank))).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest())
    return found


@cache
def rule_help() -> dict[str, tuple[str, str]]:
    """{code: (title, Markdown of its section)} from docs/rules.md; empty if it is not there."""
    for candidate in _RULES_CANDIDATES:
        if candidate.is_file():
            text = candidate.read_text(encoding="utf-8")
            break
    else:
        return {}
    # a section ends at the next code's heading or chapter (## KOPA2xx: ...); headings inside
    # its examples' code blocks (## Budjetti) are not at the start of a heading line of ours
    ends = [m.start() for m in re.finditer(r"^##?#? KOPA\d", text, re.MULTILINE)] + [len(text)]
    found = {}
    for match in _SECTION.finditer(text):
        end = next(e for e in ends if e > match.start())
        found[match.group(1)] = (match.group(2).strip(), text[match.end():end].strip())
    return found


def _plain(markdown: str) -> str:
    """The help as plain text: Markdown's emphasis and code marks removed."""
    return re.sub(r"[*`]", "", markdown)


def _rule(code: str) -> dict[str, object]:
    level = "error" if CODES[code].severity == Severity.ERROR else "warning"
    title, help_markdown = rule_help().get(code, ("", ""))
    rule: dict[str, object] = {
        "id": code,
        "shortDescription": {"text": title or _(CODES[code].template)},
        "fullDescription": {"text": _(CODES[code].template)},
        "defaultConfiguration": {"level": level},
    }
    if help_markdown:
        rule["help"] = {"text": _plain(help_markdown), "markdown": help_markdown}
    return rule


def uri(path: str) -> str:
    """A repository path as a URI reference: each byte outside RFC 3986's unreserved set
    percent-encoded (a file name that is not UTF-8 keeps its own bytes)."""
    return quote(os.fsencode(path), safe="/")


def sarif(report: Report, out: IO[str], prefix: str) -> None:
    """The report as one SARIF 2.1.0 log with one run."""
    codes = sorted({d.code for d in report.diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d, fingerprint in zip(report.diagnostics, fingerprints(report.diagnostics, prefix)):
        results.append({
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": d.severity.value,
            "message": {"text": d.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": uri(prefix + d.path), "uriBaseId": SOURCE_ROOT},
                    "region": {"startLine": d.line, "startColumn": d.column},
                },
            }],
            "partialFingerprints": {"kopa/v1": fingerprint},
        })
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kopa", "version": __version__, "rules": [_rule(code) for code in codes]}},
            "originalUriBaseIds": {SOURCE_ROOT: {"description": {"text": "the top folder of the git repository"}}},
            "columnKind": "unicodeCodePoints",  # a column counts characters (docs/rules.md)
            "results": results,
        }],
    }
    out.write(json.dumps(log, indent=2) + "\n")


_GITLAB_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def gitlab(report: Report, out: IO[str], prefix: str) -> None:
    """The report as a GitLab Code Quality report: a JSON array of issues."""
    issues = [
        {
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "fingerprint": fingerprint,
            "severity": _GITLAB_SEVERITY[d.severity],
            "location": {"path": prefix + d.path, "lines": {"begin": d.line}},
        }
        for d, fingerprint in zip(report.diagnostics, fingerprints(report.diagnostics, prefix))
    ]
    out.write(json.dumps(issues, indent=2) + "\n")


SCANNING_REPORTERS: dict[str, Callable[[Report, IO[str], str], None]] = {"sarif": sarif, "gitlab": gitlab}
