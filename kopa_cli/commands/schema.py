"""kopa schema [KIND] [--out DIR]: the JSON Schema of each record kind, for editors and check-jsonschema.

Without --out the schema of KIND is printed; without KIND, every kind's schema as one JSON
object keyed by its noun (``{"call": {...}, "organization": {...}, ...}``). With --out each
kind's schema (or KIND's) is written to ``DIR/<noun>.schema.json``, atomically; a file there
that kopa did not generate (no ``schema.GENERATED`` comment) is never overwritten.

`kopa init` writes them into the workspace's ``schemas/`` folder, and the YAML files that
`kopa init` and `kopa new` create name theirs on the first line, in the modeline the YAML
language server reads (``# yaml-language-server: $schema=../../schemas/pilot.schema.json``).
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import typer

from kopa_cli.core import oserrors
from kopa_cli.core.errors import CannotCreate, ExitCode, NotGeneratedSchema
from kopa_cli.core.files import replace, shown
from kopa_cli.core.i18n import _
from kopa_cli.load.kinds import KINDS, NOUNS, Kind
from kopa_cli.load.schema import GENERATED_BY, json_schema

SCHEMAS = "schemas"  # the workspace's folder of generated schemas, at its root


def file_name(kind: Kind) -> str:
    """The schema's file name in ``SCHEMAS``: pilot.schema.json."""
    return f"{kind.noun}.schema.json"


def schema_reference(kind: Kind, record: str) -> str:
    """The workspace's schema of ``kind`` as seen from the record file ``record`` (relative
    to the workspace root, e.g. records/pilots/x.yaml): ../../schemas/pilot.schema.json.
    What the yaml-language-server modeline of a new file names."""
    return posixpath.relpath(f"{SCHEMAS}/{file_name(kind)}", posixpath.dirname(record))


def schema_text(kind: Kind) -> str:
    return _json(json_schema(kind.name))


def write_schemas(folder: Path, kinds: tuple[Kind, ...] = KINDS) -> list[Path]:
    """Write the schema of each of ``kinds`` to ``folder/<noun>.schema.json``, each atomically,
    creating the folder; returns the files written.

    Raises ``NotGeneratedSchema`` before writing anything when one of the files is not
    kopa's own, and ``CannotCreate`` when one cannot be written."""
    targets = [(folder / file_name(kind), schema_text(kind)) for kind in kinds]
    for path, _text in targets:
        if (path.exists() or path.is_symlink()) and not _generated(path):
            raise NotGeneratedSchema(path=shown(path))
    for path, text in targets:
        try:
            replace(path, text.encode("utf-8"))
        except OSError as error:
            raise CannotCreate(path=shown(path), reason=oserrors.reason(error)) from None
    return [path for path, _text in targets]


def _generated(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # unreadable, not UTF-8 or not JSON: not ours
        return False
    return isinstance(data, dict) and str(data.get("$comment", "")).startswith(GENERATED_BY)


def _json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def run(noun: str | None, out: Path | None) -> int:
    kinds = (NOUNS[noun],) if noun else KINDS
    if out is not None:
        for path in write_schemas(out, kinds):
            typer.echo(_("Wrote {path}").format(path=shown(path)))
    elif noun:
        typer.echo(schema_text(NOUNS[noun]), nl=False)
    else:
        typer.echo(_json({kind.noun: json_schema(kind.name) for kind in KINDS}), nl=False)
    return ExitCode.OK
