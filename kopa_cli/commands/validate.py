"""kopa validate: check every record against the call and report what to fix."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kopa_cli.core.errors import ExitCode, GitError
from kopa_cli.load import cache
from kopa_cli.render.reporters import REPORTERS, wants_color
from .common import follow_call_language, selector

if TYPE_CHECKING:
    from kopa_cli.core.diagnostics import Report
    from kopa_cli.load.workspace import Workspace


def _check(workspace: Workspace) -> Report:
    from kopa_cli.check.validation import check  # imported only when the report is not cached

    return check(workspace)


def _repository_prefix(root: Path) -> str:
    """The workspace's folder in its git repository ("" or ending in "/"); outside a
    repository (or without git), "": paths are then relative to the workspace."""
    from kopa_cli.load.gitsource import locate

    try:
        return locate(root)[1]
    except GitError:
        return ""


def run(
    root: Path, paths: list[Path], lang: str | None, output_format: str | None, color: str, strict: bool,
    use_cache: bool, changed_since: str | None = None,
) -> int:
    only = selector(root, paths)
    changes = None
    if changed_since is not None:  # before the check: a bad revision stops the command at once
        from kopa_cli.load.gitsource import changes_since

        changes = changes_since(root, changed_since)
    report = cache.report(root, use_cache, _check)
    follow_call_language(lang, report.language)
    if changes is not None:
        from kopa_cli.check.dependencies import affected

        report = report.only(affected(report, changes.changed, changes.removed))
    report = report.only(only)
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    if output_format in ("sarif", "gitlab"):
        from kopa_cli.render.scanning import SCANNING_REPORTERS

        SCANNING_REPORTERS[output_format](report, sys.stdout, _repository_prefix(root))
    elif output_format == "github":  # annotations name files from the repository's top, as its diff does
        prefix = _repository_prefix(root)
        shown = replace(report, diagnostics=tuple(replace(d, path=prefix + d.path) for d in report.diagnostics))
        REPORTERS[output_format](shown, sys.stdout, False)
    else:
        REPORTERS[output_format](report, sys.stdout, wants_color(sys.stdout, color))
    if report.errors or (strict and report.warnings):
        return ExitCode.PROBLEMS
    return ExitCode.OK
