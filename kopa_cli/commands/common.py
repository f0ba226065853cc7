"""What several commands share: finding and loading the workspace, choosing the language,
the paths to report on, refusing records with errors, and the console tables are drawn on."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from kopa_cli.core.errors import (NotAWorkspace, PathNotFound, PathOutsideWorkspace, RecordsHaveErrors, SeveralWorkspaces,
                                  WorkspaceNotFound)
from kopa_cli.core.i18n import language_from_environment, set_language
from kopa_cli.load.recordfiles import find_workspace, find_workspaces_below, in_git_repository, is_workspace

if TYPE_CHECKING:
    from kopa_cli.core.diagnostics import Report
    from kopa_cli.load.workspace import Workspace


def workspace_root(option: Path | None, paths: Sequence[Path] = ()) -> Path:
    """--workspace, then KOPA_WORKSPACE, then the nearest workspace from the current folder up;
    then the workspace the given ``paths`` are in; then, in a git repository, the one workspace
    in the folders below (a pre-commit hook runs at the repository's top, the records may be in
    a subfolder).

    Raises NotAWorkspace if the folder given is none (it is not searched upwards),
    SeveralWorkspaces if more than one is below, else WorkspaceNotFound."""
    given = option or (Path(os.environ["KOPA_WORKSPACE"]) if os.environ.get("KOPA_WORKSPACE") else None)
    if given is not None:
        if not is_workspace(given):
            raise NotAWorkspace(path=given)
        return given.resolve()
    here = Path.cwd()
    found = find_workspace(here)
    if found is not None:
        return found
    around_paths = {find_workspace(path if path.is_dir() else path.parent) for path in paths if path.exists()}
    if len(around_paths) == 1 and None not in around_paths:
        return around_paths.pop()
    below = find_workspaces_below(here) if in_git_repository(here) else []
    if len(below) > 1:
        folders = ", ".join(str(folder.relative_to(here.resolve())) for folder in below)
        raise SeveralWorkspaces(start=here, folders=folders)
    if not below:
        raise WorkspaceNotFound(start=here)
    return below[0]


def find_existing_workspace() -> Path | None:
    """The workspace ``workspace_root`` finds from the current folder, or None if there is none."""
    try:
        return workspace_root(None)
    except WorkspaceNotFound:
        return None


def follow_call_language(lang: str | None, call_language: str | None) -> None:
    """The call's language is the default for messages, unless --lang or KOPA_LANG says otherwise."""
    if lang is None and language_from_environment() is None and call_language:
        set_language(call_language)


def load(root: Path, lang: str | None, use_cache: bool = True) -> Workspace:
    """Read and parse the workspace (unchanged files from the cache)."""
    from kopa_cli.load import cache

    workspace = cache.load(root, use_cache)
    follow_call_language(lang, workspace.call.language if workspace.call else None)
    return workspace


def load_with_report(root: Path, lang: str | None, use_cache: bool = True) -> tuple[Workspace, Report]:
    """The workspace and its validation report (from the cache when nothing changed)."""
    from kopa_cli.check.validation import check
    from kopa_cli.load import cache

    workspace, report = cache.load_with_report(root, use_cache, check)
    follow_call_language(lang, workspace.call.language if workspace.call else None)
    return workspace, report


def selector(root: Path, paths: list[Path]):
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


def refuse_on_errors(workspace: Workspace, refusal: RecordsHaveErrors, report: Report | None = None) -> None:
    """Write the validation problems to stderr, as `kopa validate` does, and raise ``refusal``
    if there are errors. ``report``: ``check(workspace)`` when already made."""
    from kopa_cli.check.validation import check
    from kopa_cli.render import reporters

    report = report or check(workspace)
    if report.errors:
        reporters.text(report, sys.stderr, reporters.wants_color(sys.stderr), lengths=False)
        raise refusal


def console():
    """A rich console on standard output, as wide as the reader (``_width``)."""
    from rich.console import Console

    # A reader that has gone (| head) never reaches rich: render/streams.py drops the rest.
    return Console(file=sys.stdout, highlight=False, width=_width())


def _width() -> int:
    """How wide the reader is: COLUMNS when it gives a width, else the terminal's; not a terminal
    (a pipe, a file, CI's log): room for a table's natural width. COLUMNS=0 gives no width
    (rich would print nothing at all)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else 200
