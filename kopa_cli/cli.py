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
from kopa_cli.commands.usage import WHOLE_NUMBER, Choice, KopaCommand, KopaGroup, report_failure
from kopa_cli.core.errors import ExitCode, KopaError
from kopa_cli.core.i18n import N_, _, set_language
from kopa_cli.load.kinds import NEW_NOUNS
from kopa_cli.render.streams import flush_standard_streams, guard_standard_streams

app = typer.Typer(
    name="kopa",
    cls=KopaGroup,
    help=N_("Records, validation and fees of the KOPA network project."),
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


# The global options, accepted before the command and after it (`kopa validate --lang en`).
# The language is already chosen from the arguments before they are parsed (commands/usage.py),
# so that help pages and usage errors speak it; the options are declared for their check and help.
WorkspaceOption = Annotated[Optional[Path], typer.Option("--workspace", "-w", metavar=N_("<folder>"), help=N_("The workspace folder (default: found from the current folder up; or KOPA_WORKSPACE)."))]
LangOption = Annotated[Optional[Lang], typer.Option("--lang", help=N_("Language of messages: fi (default), sv or en; or KOPA_LANG."))]


def _use_global_options(workspace: Optional[Path], lang: Optional[Lang]) -> None:
    """Take the global options where given: before the command, then after it (the later wins)."""
    if workspace is not None:
        State.workspace = workspace
    if lang is not None:
        State.lang = lang.value
        set_language(State.lang)


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
        # Unencodable characters are replaced and a reader that has gone (| head) is ignored,
        # so the exit code is the command's own verdict (render/streams.py).
        guard_standard_streams()
        try:
            code = command(*args, **kwargs)
            flush_standard_streams()
        except KopaError as error:
            code = report_failure(error)
        except KeyboardInterrupt:
            code = ExitCode.INTERRUPTED
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


# A global option too: `kopa validate --version` shows the version as `kopa --version` does.
VersionOption = Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version and exit."))]


@app.callback()
def main_options(
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> None:
    State.workspace = State.lang = None  # a new run (tests run many in one process)
    _use_global_options(workspace, lang)


def _root() -> Path:
    from .commands.common import workspace_root

    return workspace_root(State.workspace)


@app.command(cls=KopaCommand, help=N_("Check every record against the call: content, length, deadline, approvals, identifiers, references."))
@guarded
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar=N_("[PATH]..."), help=N_("Report only on these files or folders (default: all)."))] = None,
    output_format: Annotated[Optional[OutputFormat], typer.Option("--format", "-f", help=N_("text, json or github (default: github under GitHub Actions, else text)."))] = None,
    color: Annotated[Color, typer.Option("--color", help=N_("Colour the text output: auto (default), always or never (NO_COLOR is honoured)."))] = Color.auto,
    strict: Annotated[bool, typer.Option("--strict", help=N_("Fail on warnings too."))] = False,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help=N_("Reuse the results of files that have not changed (default: --cache)."))] = True,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import validate as command

    return command.run(_root(), paths or [], State.lang, output_format.value if output_format else None, color.value, strict, cache)


class FeeFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"


@app.command(cls=KopaCommand, help=N_("Each member's share of each pilot's yearly fee, with VAT; or, with --compare, what a change does to the bills."))
@guarded
def fees(
    pilot: Annotated[Optional[str], typer.Option("--pilot", metavar=N_("<id>"), help=N_("Only this pilot (its id)."))] = None,
    year: Annotated[Optional[int], typer.Option("--year", metavar=N_("<year>"), click_type=WHOLE_NUMBER, help=N_("Only this fee year."))] = None,
    member: Annotated[Optional[str], typer.Option("--member", metavar=N_("<id>"), help=N_("Only this member (its organisation id)."))] = None,
    output_format: Annotated[FeeFormat, typer.Option("--format", "-f", help=N_("table (default), csv, json or md (Markdown)."))] = FeeFormat.table,
    compare: Annotated[Optional[str], typer.Option("--compare", metavar=N_("<revision>"), help=N_("Show how the fees changed from this git revision (e.g. HEAD, origin/main) to the current files."))] = None,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help=N_("Reuse the results of files that have not changed (default: --cache)."))] = True,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import fees as command

    return command.run(_root(), State.lang, pilot, year, member, output_format.value, compare, cache)


class TwoFolders(KopaError):
    template = N_("two folders for the new workspace: {directory} and --workspace {workspace}; give one")


@app.command(cls=KopaCommand, help=N_("Start a new workspace: records/call.yaml with the KOPA call's rules, and empty record folders."))
@guarded
def init(
    directory: Annotated[Optional[Path], typer.Argument(metavar=N_("[DIR]"), help=N_("The folder of the new workspace (default: the --workspace folder, else the current folder)."))] = None,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import init as command

    if directory is not None and State.workspace is not None and directory != State.workspace:
        raise TwoFolders(directory=str(directory), workspace=str(State.workspace))
    return command.run(directory or State.workspace or Path("."))


# `kopa new KIND`: the kinds that have a file per record, and their other spellings (load/kinds.py)
RECORD_KIND = Choice({word: kind.noun for word, kind in NEW_NOUNS.items()})


@app.command(cls=KopaCommand, help=N_("Create a new record from its template, with comments on what to fill in; never overwrites."))
@guarded
def new(
    kind: Annotated[str, typer.Argument(metavar=N_("KIND"), click_type=RECORD_KIND, help=N_("application, pilot or organization."))],
    record_id: Annotated[str, typer.Argument(metavar=N_("ID"), help=N_("The new record's id: lowercase letters, digits and hyphens, like kainuu-lukiot."))],
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import new as command

    return command.run(State.workspace, kind, record_id, State.lang)


@app.command(cls=KopaCommand, help=N_("Rewrite the records in their canonical layout (key order, quoting, flow or block style), keeping every comment; never the invoice ledger."))
@guarded
def fmt(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar=N_("[PATH]..."), help=N_("Only these files or folders (default: all records)."))] = None,
    check: Annotated[bool, typer.Option("--check", help=N_("Write nothing; list the files that would change and exit 1 if there are any."))] = False,
    diff: Annotated[bool, typer.Option("--diff", help=N_("Write nothing; show the changes as a unified diff."))] = False,
    cache: Annotated[bool, typer.Option("--cache/--no-cache", help=N_("Reuse the results of files that have not changed (default: --cache)."))] = True,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import fmt as command

    return command.run(_root(), paths or [], State.lang, check, diff, cache)


def main() -> None:
    guard_standard_streams()  # also for --help and usage errors, which no command's guard sees
    app(prog_name="kopa")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
