"""kopa stats import FILE: a Statistics Finland table (PX or JSON-stat2) into records/statistics/.

Reads the file, keeps the figures per municipality, year and age (load/statimport.py),
checks that kopa reads the result back as a valid record, and writes it at once
(core/files.py): never over an existing file unless ``--replace`` is given. A broken file
stops with ``file:line: message`` and writes nothing.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from kopa_cli.core import oserrors
from kopa_cli.core.diagnostics import Severity, Suggestion
from kopa_cli.core.errors import CannotCreate, ExitCode, InvalidId, PathNotFound, StatisticsExist
from kopa_cli.core.files import create_new, replace, shown
from kopa_cli.core.i18n import N_, _, ngettext
from kopa_cli.core.identifiers import is_id
from kopa_cli.core.spelling import meant_id
from kopa_cli.load.kinds import BY_NAME, RECORDS
from kopa_cli.load.recordfiles import MAX_FILE_BYTES
from kopa_cli.load.statcube import broken
from kopa_cli.load.statimport import read_table, statistics_data
from kopa_cli.load.workspace import parse_record
from kopa_cli.render.statisticsfile import statistics_yaml
from .common import load
from .schema import SCHEMAS, file_name, schema_reference

KIND = BY_NAME["statistics"]


def default_name(data: dict) -> str:
    """``<table>-<latest year>``, e.g. 11re-2019, as an id."""
    years = [year for area in data["areas"].values() for year in area.get("total", area.get("ages", {}))]
    wanted = f"{data['table']}-{max(years)}" if years else str(data["table"])
    return wanted if is_id(wanted) else meant_id(wanted) or KIND.name


def run(root: Path, file: Path, name: str | None, note: str | None, replace_existing: bool, lang: str | None) -> int:
    if name is not None and not is_id(name):
        raise InvalidId(id=name, hint=Suggestion(meant_id(name)))
    load(root, lang)  # for the call's language
    shown_file = str(file)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise PathNotFound(path=shown_file) from None
    except OSError as error:
        raise broken(shown_file, 1, N_("the file cannot be read: {reason}"), reason=oserrors.reason(error)) from None
    table = statistics_data(read_table(data, shown_file), date.today(), note)
    record_id = name or default_name(table)
    path = root / RECORDS / KIND.folder / f"{record_id}{KIND.suffixes[0]}"
    relative = path.relative_to(root).as_posix()
    text = statistics_yaml(table, schema_reference(KIND, relative))  # for editors, as kopa new writes
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_FILE_BYTES:
        raise broken(shown_file, 1, N_("the table is too large to keep as a record ({size} bytes, at most {limit}); choose fewer municipalities, years or ages in PxWeb"), size=len(encoded), limit=MAX_FILE_BYTES)
    _record, problems = parse_record(KIND.name, relative, encoded)
    errors = [problem for problem in problems if problem.severity is Severity.ERROR]
    if errors:
        raise broken(shown_file, 1, N_("the table cannot be kept as a record: {problem}"), problem=errors[0].message)
    if not replace_existing:
        if path.exists() or path.is_symlink():
            raise StatisticsExist(path=shown(path))
        create_new(path, text)
    else:
        try:
            replace(path, encoded)
        except OSError as error:
            raise CannotCreate(path=shown(path), reason=oserrors.reason(error)) from None
    areas = len(table["areas"])
    typer.echo(ngettext("Stored {table} ({title}), {n} area, in {path}", "Stored {table} ({title}), {n} areas, in {path}", areas).format(table=table["table"], title=table["title"], n=areas, path=shown(path)))
    schema = root / SCHEMAS / file_name(KIND)
    if not schema.exists():
        typer.echo(_("Editors check it against {schema} once the schemas are written: kopa schema --out {folder}").format(schema=shown(schema), folder=shown(schema.parent)))
    typer.echo(_("Check it with the other records: kopa validate"))
    return ExitCode.OK
