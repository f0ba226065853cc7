"""kopa completion bash|zsh|fish: the shell's completion script; and the values kopa completes.

The scripts are typer's own (typer.completion): the shell runs ``kopa`` again with
``_KOPA_COMPLETE=complete_<shell>`` and the words typed so far (``COMP_WORDS`` and
``COMP_CWORD`` in bash, ``_TYPER_COMPLETE_ARGS`` in zsh and fish), and kopa prints the
candidates (cli.main registers typer's completion classes for that run).

Record ids are completed from the file names under records/<folder>/ of the workspace
(--workspace, else KOPA_WORKSPACE, else found from the current folder up or, at the top of a
git repository, below, as commands find it): a listing of one folder, never a parse, so that a
Tab press answers at once even in a large workspace.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import typer

from kopa_cli.core.errors import ExitCode
from kopa_cli.load.kinds import BY_NAME, CALL_PATH, RECORDS

PROG_NAME = "kopa"
COMPLETE_VAR = "_KOPA_COMPLETE"  # typer's name for it: _<PROG_NAME>_COMPLETE
SHELLS = ("bash", "zsh", "fish")


def script(shell: str) -> str:
    """The completion script of ``shell`` (one of ``SHELLS``), to source or save."""
    from typer.completion import get_completion_script

    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=shell)


def completing() -> bool:
    """Whether this run answers a shell's completion request rather than a command."""
    return bool(os.environ.get(COMPLETE_VAR))


def register_completion_classes() -> None:
    """typer's completion classes, whose protocol the scripts of ``script`` speak (they
    replace click's own, which typer registers only with its --install-completion option)."""
    from typer.completion import completion_init

    completion_init()


def record_ids(kind_name: str) -> Callable[[typer.Context, str], list[str]]:
    """A completer of the ids of one record kind ("pilots", "organizations"), for an option's
    ``autocompletion``: the stems of its files that begin with what has been typed."""
    kind = BY_NAME[kind_name]

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        root = _workspace(ctx)
        if root is None:
            return []
        try:
            names = os.listdir(root / RECORDS / kind.folder)
        except OSError:
            return []
        ids = {name[: -len(suffix)] for name in names for suffix in kind.suffixes if name.endswith(suffix)}
        return sorted(i for i in ids if i.startswith(incomplete) and not i.startswith("."))

    return complete


def _workspace(ctx: typer.Context) -> Path | None:
    """The workspace the command line names (its --workspace, before or after the command),
    else KOPA_WORKSPACE, else the nearest one from the current folder up, else, in a git
    repository, the one workspace in the folders below (at the repository's top, the records
    in a subfolder); None if none is, or several are below.

    As commands.common.workspace_root finds it. The search upwards does not import
    recordfiles, whose imports (check digits, diagnostics) take 0.1 s of each Tab; only the
    search below, which needs its rules of what is searched, does."""
    given = ctx.params.get("workspace") or ctx.find_root().params.get("workspace") or os.environ.get("KOPA_WORKSPACE")
    start = Path(given) if given else Path.cwd().resolve()
    candidates = (start,) if given else (start, *start.parents)
    found = next((folder for folder in candidates if (folder / CALL_PATH).is_file()), None)
    if found is not None or given:
        return found
    from kopa_cli.load.recordfiles import find_workspaces_below, in_git_repository

    below = find_workspaces_below(start) if in_git_repository(start) else []
    return below[0] if len(below) == 1 else None


def run(shell: str) -> int:
    typer.echo(script(shell))
    return ExitCode.OK
