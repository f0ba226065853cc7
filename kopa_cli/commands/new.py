"""kopa new application|pilot|organization ID: a new record from a template, never overwriting."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

import typer

from kopa_cli.core.errors import CannotCreate, ExitCode, InvalidId, TargetExists, TemplateGivesBadRecord
from kopa_cli.core.identifiers import is_id
from kopa_cli.core import oserrors
from kopa_cli.core.diagnostics import Suggestion
from kopa_cli.core.i18n import _, current_language
from kopa_cli.core.spelling import meant_id
from kopa_cli.load.recordfiles import FOLDERS, RECORDS
from kopa_cli.load.workspace import parse_record
from .common import load, workspace_root

TEMPLATES = {
    "application": "new/application.md.j2",
    "pilot": "new/pilot.yaml.j2",
    "organization": "new/organization.yaml.j2",
}
FOLDER_OF = {"application": "applications", "pilot": "pilots", "organization": "organizations"}
KIND_SPELLINGS = {"organisation": "organization"}  # British spelling, as kopa's own messages write it


def write_new_file(path: Path, text: str) -> None:
    """Create ``path`` holding ``text``, all at once, and never over an existing file.

    The text goes to a temporary file beside it first; a hard link then gives it its name,
    which fails if the name is taken (even by a file created a moment ago), so a reader
    never sees a half-written record and nothing is ever replaced.
    """
    if path.exists() or path.is_symlink():
        raise TargetExists(path=shown(path))
    # open(..., "x") rather than mkstemp: the record gets the usual permissions, not 0600.
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system: exclusive create is the fallback
            with open(path, "x", encoding="utf-8", newline="\n") as file:
                file.write(text)
    except FileExistsError:
        if path.exists() or path.is_symlink():
            raise TargetExists(path=shown(path)) from None
        raise CannotCreate(path=shown(path), reason=_("a file stands where a folder should be")) from None
    except OSError as error:
        raise CannotCreate(path=shown(path), reason=oserrors.reason(error)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def check_readable(kind_folder: str, relative: str, text: str, template: str) -> None:
    """Refuse to write a rendered record that kopa itself could not read back (a broken template)."""
    _record, problems = parse_record(kind_folder, relative, text.encode("utf-8"))
    for problem in problems:
        if problem.code.startswith("KOPA1"):  # reading the file, not its content (codes.py)
            raise TemplateGivesBadRecord(template=template, line=problem.line, problem=problem.message)


def target_path(root: Path, kind: str, record_id: str) -> Path:
    folder = FOLDER_OF[kind]
    suffix = FOLDERS[folder][0]
    for other in FOLDERS[folder]:  # applications/x.md and x.yaml would be the same id twice
        taken = root / RECORDS / folder / f"{record_id}{other}"
        if taken.exists() or taken.is_symlink():
            raise TargetExists(path=shown(taken))
    return root / RECORDS / folder / f"{record_id}{suffix}"


def shown(path: Path) -> str:
    """A path as the user can type it: relative to the current folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def run(workspace_option: Path | None, kind: str, record_id: str, lang: str | None) -> int:
    kind = KIND_SPELLINGS.get(kind, kind)
    if not is_id(record_id):  # before anything else: the id becomes a file name
        raise InvalidId(id=record_id, hint=Suggestion(meant_id(record_id)))
    root = workspace_root(workspace_option)
    workspace = load(root, lang)
    path = target_path(root, kind, record_id)
    context = {
        "id": record_id,
        "kind": kind,
        "call": workspace.call,
        "application": workspace.applications.get(record_id) if kind == "pilot" else None,
    }
    from kopa_cli.render import templating

    template = templating.for_language(root, TEMPLATES[kind], current_language())  # the comments speak it
    text = templating.render(root, template, **context)
    check_readable(FOLDER_OF[kind], path.relative_to(root).as_posix(), text, templating.describe(root, template))
    write_new_file(path, text)
    typer.echo(_("Created {path}").format(path=shown(path)))
    inside = Path.cwd().resolve().is_relative_to(root.resolve())  # else validate would not find it
    command = "kopa validate" if inside else f"kopa --workspace {shown(root)} validate"
    typer.echo(_("Fill it in, then check it: {command} {path}").format(command=command, path=shown(path)))
    return ExitCode.OK
