"""What several commands share: finding and loading the workspace, choosing the language."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import WorkspaceNotFound
from ..i18n import set_language
from ..workspace import DirectorySource, Workspace, find_workspace, load_workspace


def workspace_root(option: Path | None) -> Path:
    """--workspace, then KOPA_WORKSPACE, then the nearest workspace from the current folder up."""
    given = option or (Path(os.environ["KOPA_WORKSPACE"]) if os.environ.get("KOPA_WORKSPACE") else None)
    if given is not None:
        if not (given / "records").is_dir():
            raise WorkspaceNotFound(start=given)
        return given.resolve()
    found = find_workspace(Path.cwd())
    if found is None:
        raise WorkspaceNotFound(start=Path.cwd())
    return found


def load(root: Path, lang: str | None, use_cache: bool = True) -> Workspace:
    """Load the workspace; the call's language is the default for messages."""
    cache = None
    if use_cache and not os.environ.get("KOPA_NO_CACHE"):
        from ..cache import ParseCache

        cache = ParseCache.for_workspace(root)
    workspace = load_workspace(root, DirectorySource(root), cache)
    if cache is not None:
        cache.save()
    if lang is None and not os.environ.get("KOPA_LANG") and workspace.call is not None:
        set_language(workspace.call.language)
    return workspace
