"""kopa validate: check every record against the call and report what to fix."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from kopa_cli.core.errors import ExitCode, PathNotFound, PathOutsideWorkspace
from kopa_cli.core.diagnostics import Report
from kopa_cli.render.reporters import REPORTERS, wants_color
from kopa_cli.load.recordfiles import DirectorySource, RecordFiles
from .common import follow_call_language, open_cache, read

if TYPE_CHECKING:
    from kopa_cli.load.cache import ParseCache


def _selector(root: Path, paths: list[Path]):
    """Which workspace paths to report on: everything, or those under the given paths."""
    if not paths:
        return lambda path: True
    prefixes = []
    for given in paths:
        # relative to the current folder, or else to the workspace (kopa -w DIR validate records/pilots)
        full = given.resolve() if given.is_absolute() or given.exists() else (root / given).resolve()
        if not full.exists():
            raise PathNotFound(path=given)
        if not full.is_relative_to(root):
            raise PathOutsideWorkspace(path=given, workspace=root)
        relative = full.relative_to(root).as_posix()
        prefixes.append("" if relative == "." else relative)
    return lambda path: any(p == "" or path == p or path.startswith(p + "/") for p in prefixes)


def validation_report(root: Path, use_cache: bool) -> Report:
    """The report on the whole workspace; an unchanged workspace's comes from the cache:
    found by the files' sizes and times when they are old enough to trust, else by content."""
    cache = open_cache(root, use_cache)
    if cache is None:
        return _checked(root, read(root), None)
    signature, newest = DirectorySource(root).signature()
    report = cache.report_for_signature(signature)
    if report is None:
        records = read(root)
        key = records.key()
        report = cache.get_report(key) or _checked(root, records, cache)
        # A file changed within the last seconds may change again within the same clock
        # tick, unseen by its times: such a workspace is identified by content only.
        trusted = newest < time.time_ns() - RACY_NS
        cache.put_report(key, report, signature if trusted else None)
        cache.save()
    return report


RACY_NS = 2_000_000_000


def _checked(root: Path, records: RecordFiles, cache: ParseCache | None) -> Report:
    from kopa_cli.check.validation import check
    from kopa_cli.load.workspace import build_workspace

    return check(build_workspace(root, records, cache))


def run(root: Path, paths: list[Path], lang: str | None, output_format: str | None, color: str, strict: bool, use_cache: bool) -> int:
    only = _selector(root, paths)
    report = validation_report(root, use_cache)
    follow_call_language(lang, report.language)
    report = report.only(only)
    if output_format is None:
        output_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    REPORTERS[output_format](report, sys.stdout, wants_color(sys.stdout, color))
    if report.errors or (strict and report.warnings):
        return ExitCode.PROBLEMS
    return ExitCode.OK
