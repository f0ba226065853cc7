"""kopa new application|pilot|organization ID: a new record from a template, never overwriting."""

from __future__ import annotations

from pathlib import Path

import typer

from kopa_cli.core.errors import ExitCode, InvalidId, TargetExists, TemplateGivesBadRecord
from kopa_cli.core.files import create_new, shown
from kopa_cli.core.identifiers import is_id
from kopa_cli.core.diagnostics import Suggestion
from kopa_cli.core.i18n import _, current_language
from kopa_cli.core.spelling import meant_id
from kopa_cli.load.kinds import NEW_NOUNS, RECORDS, Kind
from kopa_cli.load.workspace import parse_record
from .common import load, workspace_root
from .schema import SCHEMAS, file_name, schema_reference


def check_readable(kind_folder: str, relative: str, text: str, template: str) -> None:
    """Refuse to write a rendered record that kopa itself could not read back (a broken template)."""
    _record, problems = parse_record(kind_folder, relative, text.encode("utf-8"))
    for problem in problems:
        if problem.code.startswith("KOPA1"):  # reading the file, not its content (codes.py)
            raise TemplateGivesBadRecord(template=template, line=problem.line, problem=problem.message)


def target_path(root: Path, kind: Kind, record_id: str) -> Path:
    for other in kind.suffixes:  # applications/x.md and x.yaml would be the same id twice
        taken = root / RECORDS / kind.folder / f"{record_id}{other}"
        if taken.exists() or taken.is_symlink():
            raise TargetExists(path=shown(taken))
    return root / RECORDS / kind.folder / f"{record_id}{kind.suffixes[0]}"


def run(workspace_option: Path | None, kind: str, record_id: str, lang: str | None) -> int:
    record_kind = NEW_NOUNS[kind]  # an alias (organisation) is its kind
    kind = record_kind.noun
    if not is_id(record_id):  # before anything else: the id becomes a file name
        raise InvalidId(id=record_id, hint=Suggestion(meant_id(record_id)))
    root = workspace_root(workspace_option)
    workspace = load(root, lang)
    path = target_path(root, record_kind, record_id)
    relative = path.relative_to(root).as_posix()
    context = {
        "schema": schema_reference(record_kind, relative),  # the yaml-language-server modeline's
        "id": record_id,
        "kind": kind,
        "call": workspace.call,
        "application": workspace.applications.get(record_id) if kind == "pilot" else None,
    }
    from kopa_cli.render import templating

    template = templating.for_language(root, record_kind.template, current_language())  # the comments speak it
    text = templating.render(root, template, **context)
    check_readable(record_kind.name, relative, text, templating.describe(root, template))
    create_new(path, text)
    typer.echo(_("Created {path}").format(path=shown(path)))
    schema = root / SCHEMAS / file_name(record_kind)
    if not schema.exists() and context["schema"] in text:  # the modeline names a schema yet to be written
        typer.echo(_("Editors check it against {schema} once the schemas are written: kopa schema --out {folder}").format(
            schema=shown(schema), folder=shown(schema.parent)))
    inside = Path.cwd().resolve().is_relative_to(root.resolve())  # else validate would not find it
    command = "kopa validate" if inside else f"kopa --workspace {shown(root)} validate"
    typer.echo(_("Fill it in, then check it: {command} {path}").format(command=command, path=shown(path)))
    return ExitCode.OK
