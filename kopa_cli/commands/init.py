"""kopa init [DIR]: a new workspace with a call skeleton, never over an existing one."""

from __future__ import annotations

import shlex
from pathlib import Path

import typer

from kopa_cli.core.errors import ExitCode, TargetExists
from kopa_cli.core.files import create_new, shown
from kopa_cli.core.i18n import _, current_language
from kopa_cli.load.kinds import CALL, CALL_PATH, IN_FOLDERS, RECORDS
from kopa_cli.load.recordfiles import is_workspace
from .new import check_readable
from .schema import SCHEMAS, schema_reference, write_schemas

CALL_TEMPLATE = "init/call.yaml.j2"
# What kopa writes that is not a record: files made from the records (invoices, reports) and
# the ledger's lock files. Written only where the workspace has no .gitignore of its own.
GITIGNORE = """\
# made by kopa from the records: write them again with kopa invoice render, kopa report
out/
# the lock files of kopa invoice
records/invoices/.*.lock
"""


def run(directory: Path, ci: str | None = None) -> int:
    """A new workspace in ``directory``; with ``ci`` ("github", "gitlab"), its CI files too,
    and in a folder that is a workspace already, only those."""
    if ci is not None and is_workspace(directory):
        return _write_ci(directory, ci)
    if ci is not None:
        from .ci import new_workflow, repository_top

        new_workflow(repository_top(directory), ci)  # refused before the workspace is made, not after
    _create_workspace(directory)
    return _write_ci(directory, ci) if ci is not None else ExitCode.OK


def _write_ci(workspace: Path, ci: str) -> int:
    from . import ci as ci_files

    created, kept, source = ci_files.write(workspace, ci)
    typer.echo(_("Created the CI files of the records repository:"))
    for path in created:
        typer.echo(f"  {shown(path)}")
    for path in kept:
        typer.echo(_("Kept {path} as it is; compare it with what kopa would write: kopa-validate and kopa-fmt hooks.").format(path=shown(path)))
    if source is None:  # not installed from a git repository: CI needs to be told where from
        typer.echo(_("Next: set the CI variable KOPA_PIP_SPEC to where pip installs kopa from, for example: {example}").format(
            example="kopa @ git+https://github.com/ORGANISATION/kopa@v1.0"))
    return ExitCode.OK


def _create_workspace(directory: Path) -> None:
    call = directory / CALL_PATH
    if call.exists() or call.is_symlink():
        raise TargetExists(path=shown(call))
    from kopa_cli.render import templating

    # Render and check first, so a broken template leaves nothing half-made behind.
    template = templating.for_language(directory, CALL_TEMPLATE, current_language())
    text = templating.render(directory, template, schema=schema_reference(CALL, CALL_PATH))
    check_readable(CALL.name, CALL_PATH, text, templating.describe(directory, template))
    write_schemas(directory / SCHEMAS)  # for editors: the modelines of new files name them
    create_new(call, text)
    created = [call, directory / SCHEMAS]
    for kind in (kind for kind in IN_FOLDERS if kind.written_by is None):  # kopa invoice makes its own
        keep = directory / RECORDS / kind.folder / ".gitkeep"  # git keeps no empty folders
        if keep.exists() or keep.is_symlink():
            continue
        try:
            create_new(keep, "")
        except TargetExists:  # made a moment ago by someone else
            continue
        created.append(keep.parent)
    ignore = directory / ".gitignore"
    if not (ignore.exists() or ignore.is_symlink()):
        create_new(ignore, GITIGNORE)
        created.append(ignore)
    typer.echo(_("Created a kopa workspace in {folder}:").format(folder=shown(directory)))
    for path in created:
        typer.echo(f"  {shown(path)}{'/' if path.is_dir() else ''}")
    typer.echo(_("Next: fill in the organiser's details in {call} (the lines marked KORVAA) and add the members, for example:").format(call=shown(call)))
    if directory.resolve() != Path.cwd().resolve():
        typer.echo(f"  cd {shlex.quote(shown(directory))}")
    typer.echo("  kopa new organization kajaani")
    typer.echo("  kopa validate")
