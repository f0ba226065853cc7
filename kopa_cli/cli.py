"""The command line: parse options, call one function per command, map failures to exit codes.

Exit codes: 0 clean, 1 problems in the records, 2 bad usage, 3 a bug (please report),
130 interrupted. No traceback reaches the user; KOPA_DEBUG=1 shows it.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from . import __version__
from kopa_cli.core.errors import ExitCode, KopaError
from kopa_cli.core.i18n import _, set_language
from kopa_cli.load.kinds import IN_FOLDERS

app = typer.Typer(
    name="kopa",
    help="Records, validation and fees of the KOPA network project.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class State:
    workspace: Optional[Path] = None
    lang: Optional[str] = None


class Lang(str, Enum):
    fi = "fi"
    sv = "sv"
    en = "en"


class OutputFormat(str, Enum):
    text = "text"
    json = "json"
    github = "github"


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def guarded(command: Callable[..., int]) -> Callable[..., None]:
    """Run a command and turn its result or failure into an exit code, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = command(*args, **kwargs)
        except KopaError as error:
            typer.echo(f"kopa: {error.message}", err=True)
            code = error.exit_code
        except KeyboardInterrupt:
            code = ExitCode.INTERRUPTED
        except BrokenPipeError:  # the reader (| head) has gone; nothing more to say
            sys.stderr.close()
            code = ExitCode.OK
        except typer.Exit:
            raise
        except Exception as error:  # noqa: BLE001 - the one place that catches everything
            if os.environ.get("KOPA_DEBUG"):
                traceback.print_exc()
            message = _("kopa: internal error ({error}). This is a bug; please report it with the command you ran.")
            typer.echo(message.format(error=type(error).__name__), err=True)
            code = ExitCode.BUG
        raise typer.Exit(int(code))

    return wrapper


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kopa {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    workspace: Annotated[Optional[Path], typer.Option("--workspace", "-w", help="The workspace folder (default: found from the current folder up; or KOPA_WORKSPACE).")] = None,
    lang: Annotated[Optional[Lang], typer.Option("--lang", help="Language of messages: fi (default), sv or en; or KOPA_LANG.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")] = False,
) -> None:
    State.workspace = workspace
    State.lang = lang.value if lang else None
    set_language(State.lang)


def _root() -> Path:
    from .commands.common import workspace_root

    return workspace_root(State.workspace)


@app.command()
@guarded
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Report only on these files or folders (default: all).")] = None,
    output_format: Annotated[Optional[OutputFormat], typer.Option("--format", "-f", help="text, json or github (default: github under GitHub Actions, else text).")] = None,
    color: Annotated[Color, typer.Option("--color", help="Colour the text output: auto, always or never (NO_COLOR is honoured).")] = Color.auto,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse parsed files that have not changed.")] = True,
) -> int:
    """Check every record against the call: content, length, deadline, approvals, identifiers, references."""
    from .commands import validate as command

    return command.run(_root(), paths or [], State.lang, output_format.value if output_format else None, color.value, strict, cache)


class FeeFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


@app.command()
@guarded
def fees(
    pilot: Annotated[Optional[str], typer.Option("--pilot", help="Only this pilot (its id).")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="Only this fee year.")] = None,
    member: Annotated[Optional[str], typer.Option("--member", help="Only this member (its organisation id).")] = None,
    output_format: Annotated[FeeFormat, typer.Option("--format", "-f", help="table (default), csv, json or md (Markdown).")] = FeeFormat.table,
    compare: Annotated[Optional[str], typer.Option("--compare", help="Show how the fees changed from this git revision (e.g. HEAD, origin/main) to the working tree.")] = None,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help="Reuse parsed files that have not changed.")] = True,
) -> int:
    """Each member's share of each pilot's yearly fee, with VAT; or, with --compare, what a change does to the bills."""
    from .commands import fees as command

    return command.run(_root(), State.lang, pilot, year, member, output_format.value, compare, cache)


@app.command()
@guarded
def init(
    directory: Annotated[Path, typer.Argument(metavar="[DIR]", help="The folder of the new workspace (default: the current folder).")] = Path("."),
) -> int:
    """Start a new workspace: records/call.yaml with the KOPA call's rules, and empty record folders."""
    from .commands import init as command

    return command.run(directory)


# `kopa new KIND`: the kinds that have a file per record (load/kinds.py)
RecordKind = Enum("RecordKind", {kind.noun: kind.noun for kind in IN_FOLDERS}, type=str)


@app.command()
@guarded
def new(
    kind: Annotated[RecordKind, typer.Argument(metavar="KIND", help="application, pilot or organization.")],
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The new record's id: lowercase letters, digits and hyphens, like kainuu-lukiot.")],
) -> int:
    """Create a new record from its template, with comments on what to fill in; never overwrites."""
    from .commands import new as command

    return command.run(State.workspace, kind.value, record_id, State.lang)


def main() -> None:
    app(prog_name="kopa")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
