"""What several commands share: finding and loading the workspace, choosing the language."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from kopa_cli.core.errors import NotAWorkspace, WorkspaceNotFound
from kopa_cli.core.i18n import language_from_environment, set_language
from kopa_cli.load.recordfiles import find_workspace, is_workspace

if TYPE_CHECKING:
    from kopa_cli.load.workspace import Workspace


def workspace_root(option: Path | None) -> Path:
    """--workspace, then KOPA_WORKSPACE, then the nearest workspace from the current folder up.

    Raises NotAWorkspace if the folder given is none (it is not searched upwards), else
    WorkspaceNotFound if no folder from here up is one."""
    given = option or (Path(os.environ["KOPA_WORKSPACE"]) if os.environ.get("KOPA_WORKSPACE") else None)
    if given is not None:
        if not is_workspace(given):
            raise NotAWorkspace(path=given)
        return given.resolve()
    found = find_workspace(Path.cwd())
    if found is None:
        raise WorkspaceNotFound(start=Path.cwd())
    return found


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
