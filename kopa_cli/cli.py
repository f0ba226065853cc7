"""The command line: parse options, call one function per command, map failures to exit codes.

Exit codes: 0 clean, 1 problems in the records, 2 bad usage, 3 a bug (please report),
130 interrupted. No traceback reaches the user; KOPA_DEBUG=1 shows it.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from . import __version__
from kopa_cli.commands.usage import DAY, WHOLE_NUMBER, Choice, KopaCommand, KopaGroup, report_failure
from kopa_cli.commands.completion import SHELLS, completing, record_ids
from kopa_cli.core.errors import ExitCode, KopaError
from kopa_cli.core.i18n import N_, _, set_language
from kopa_cli.load.kinds import NEW_NOUNS, NOUNS
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
# Options several commands share.
CacheOption = Annotated[bool, typer.Option("--cache/--no-cache", help=N_("Reuse the results of files that have not changed (default: --cache)."))]
PilotOption = Annotated[Optional[str], typer.Option("--pilot", metavar=N_("<id>"), autocompletion=record_ids("pilots"), help=N_("Only this pilot (its id)."))]
MemberOption = Annotated[Optional[str], typer.Option("--member", metavar=N_("<id>"), autocompletion=record_ids("organizations"), help=N_("Only this member (its organisation id)."))]


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
    sarif = "sarif"
    gitlab = "gitlab"


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


def _root(paths: list[Path] | None = None) -> Path:
    from .commands.common import workspace_root

    return workspace_root(State.workspace, paths or ())


@app.command(cls=KopaCommand, help=N_("Check every record against the call: content, length, deadline, approvals, identifiers, references."))
@guarded
def validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar=N_("[PATH]..."), help=N_("Report only on these files or folders (default: all)."))] = None,
    output_format: Annotated[Optional[OutputFormat], typer.Option("--format", "-f", help=N_("text, json, github, sarif (SARIF 2.1.0) or gitlab (GitLab Code Quality) (default: github under GitHub Actions, else text)."))] = None,
    color: Annotated[Color, typer.Option("--color", help=N_("Colour the text output: auto (default), always or never (NO_COLOR is honoured)."))] = Color.auto,
    strict: Annotated[bool, typer.Option("--strict", help=N_("Fail on warnings too."))] = False,
    cache: CacheOption = True,
    changed_since: Annotated[Optional[str], typer.Option("--changed-since", metavar=N_("<revision>"), help=N_("Report only on the files changed since this git revision (committed, staged, not staged or new) and on the records those changes can affect."))] = None,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import validate as command

    output = output_format.value if output_format else None
    return command.run(_root(paths), paths or [], State.lang, output, color.value, strict, cache, changed_since)


class FeeFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    md = "md"
    xlsx = "xlsx"


@app.command(cls=KopaCommand, help=N_("Each member's share of each pilot's yearly fee, with VAT; or, with --compare, what a change does to the bills."))
@guarded
def fees(
    pilot: PilotOption = None,
    year: Annotated[Optional[int], typer.Option("--year", metavar=N_("<year>"), click_type=WHOLE_NUMBER, help=N_("Only this fee year."))] = None,
    member: MemberOption = None,
    output_format: Annotated[FeeFormat, typer.Option("--format", "-f", help=N_("table (default), csv, json, md (Markdown) or xlsx (a workbook, written to --out)."))] = FeeFormat.table,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar=N_("<file>"), help=N_("With --format xlsx: the workbook to write (default: out/fees.xlsx in the workspace)."))] = None,
    compare: Annotated[Optional[str], typer.Option("--compare", metavar=N_("<revision>"), help=N_("Show how the fees changed from this git revision (e.g. HEAD, origin/main) to the current files."))] = None,
    cache: CacheOption = True,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import fees as command

    return command.run(_root(), State.lang, pilot, year, member, output_format.value, compare, cache, out)


@app.command(cls=KopaCommand, help=N_("The state of the project on one screen: the call, applications, pilots, fees, invoices and problems, and the next useful command."))
@guarded
def status(
    cache: CacheOption = True,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import status as command

    return command.run(_root(), State.lang, cache)


class ReportFormat(str, Enum):
    md = "md"
    html = "html"
    pdf = "pdf"


@app.command(cls=KopaCommand, help=N_("A report from its template: applications, pilot (a pilot's starter package), fees, or the workspace's own; --list shows them."))
@guarded
def report(
    name: Annotated[Optional[str], typer.Argument(metavar=N_("NAME"), help=N_("The report (kopa report --list shows them)."))] = None,
    pilot: Annotated[Optional[str], typer.Option("--pilot", metavar=N_("<id>"), autocompletion=record_ids("pilots"), help=N_("The pilot of the report (its id); the pilot report needs one."))] = None,
    output_format: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help=N_("md (Markdown, default), html or pdf; without it, from the --out file's suffix."))] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar=N_("<file>"), help=N_("Write the report to this file (default: standard output; a PDF needs a file)."))] = None,
    listing: Annotated[bool, typer.Option("--list", help=N_("List the built-in and the workspace's reports."))] = False,
    cache: CacheOption = True,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import report as command

    return command.run(State.workspace, State.lang, name, pilot, output_format.value if output_format else None, out, listing, cache)


class TwoFolders(KopaError):
    template = N_("two folders for the new workspace: {directory} and --workspace {workspace}; give one")


class CiService(str, Enum):
    github = "github"
    gitlab = "gitlab"


@app.command(cls=KopaCommand, help=N_("Start a new workspace: records/call.yaml with the KOPA call's rules, and empty record folders."))
@guarded
def init(
    directory: Annotated[Optional[Path], typer.Argument(metavar=N_("[DIR]"), help=N_("The folder of the new workspace (default: the --workspace folder, else the current folder)."))] = None,
    ci: Annotated[Optional[CiService], typer.Option("--ci", help=N_("Also write a CI workflow (github: .github/workflows/kopa.yml; gitlab: .gitlab-ci.yml) and .pre-commit-config.yaml at the top of the git repository; in an existing workspace, only those."))] = None,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import init as command

    if directory is not None and State.workspace is not None and directory != State.workspace:
        raise TwoFolders(directory=str(directory), workspace=str(State.workspace))
    target = directory or State.workspace
    if target is None and ci is not None:  # CI for the workspace we are in, if any
        from .commands.common import find_existing_workspace

        target = find_existing_workspace()
    return command.run(target or Path("."), ci.value if ci else None)


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


# `kopa schema [KIND]`: every kind, by the nouns users type (load/kinds.py)
SCHEMA_KIND = Choice({word: kind.noun for word, kind in NOUNS.items()})


@app.command(cls=KopaCommand, help=N_("The JSON Schema of each record kind, for editors and check-jsonschema: printed, or written as <kind>.schema.json files with --out."))
@guarded
def schema(
    kind: Annotated[Optional[str], typer.Argument(metavar=N_("[KIND]"), click_type=SCHEMA_KIND, help=N_("A record kind, like pilot (default: every kind; printed as one JSON object keyed by kind)."))] = None,
    out: Annotated[Optional[Path], typer.Option("--out", metavar=N_("<folder>"), help=N_("Write the schemas into this folder (kopa init writes schemas/); only files kopa wrote are overwritten."))] = None,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import schema as command

    return command.run(kind, out)


@app.command(cls=KopaCommand, help=N_("Print the shell's completion script for kopa: commands, options, kinds and record ids complete with Tab (docs/editor.md)."))
@guarded
def completion(
    shell: Annotated[str, typer.Argument(metavar=N_("SHELL"), click_type=Choice({shell: shell for shell in SHELLS}), help=N_("bash, zsh or fish."))],
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import completion as command

    return command.run(shell)


stats_app = typer.Typer(cls=KopaGroup, help=N_("Area statistics from Statistics Finland: import a table into records/statistics/."), no_args_is_help=True, add_completion=False, rich_markup_mode=None)
app.add_typer(stats_app, name="stats")


@stats_app.command("import", cls=KopaCommand, help=N_("Store a table downloaded from Statistics Finland's PxWeb (a PX file, or JSON-stat2 from its API) under records/statistics/, with its source and licence."))
@guarded
def stats_import(
    file: Annotated[Path, typer.Argument(metavar=N_("FILE"), help=N_("The PX or JSON-stat2 file."))],
    name: Annotated[Optional[str], typer.Option("--name", metavar=N_("<id>"), help=N_("The record's id, its file name (default: the table's id and latest year, like 11re-2019)."))] = None,
    note: Annotated[Optional[str], typer.Option("--note", metavar=N_("<text>"), help=N_("A note kept with the figures and printed with them, e.g. that some are examples."))] = None,
    replace: Annotated[bool, typer.Option("--replace", help=N_("Replace a statistics file of the same name."))] = False,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import stats as command

    return command.run(_root(), file, name, note, replace, State.lang)


# `kopa invoice`: the ledger records/invoices/<year>.yaml (docs/invoices.md)
invoice_app = typer.Typer(
    name="invoice",
    cls=KopaGroup,
    help=N_("Invoices and credit notes: issue them into the ledger records/invoices/<year>.yaml, and list it."),
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(invoice_app)
InvoiceDateOption = Annotated[Optional[date], typer.Option("--date", metavar=N_("<date>"), click_type=DAY, help=N_("The invoice date, like 2020-03-02 (default: today)."))]
InvoiceOutOption = Annotated[Optional[Path], typer.Option("--out", "-o", metavar=N_("<folder>"), help=N_("The folder of the invoice files (default: out/invoices/<fee year>/ in the workspace)."))]
PdfOption = Annotated[bool, typer.Option("--pdf", help=N_("Also convert each invoice workbook to PDF (needs LibreOffice)."))]
FinvoiceOption = Annotated[bool, typer.Option("--finvoice", help=N_("Also write each invoice as a Finvoice 3.0 e-invoice message (.xml) for the e-invoicing operator."))]


@invoice_app.command("issue", cls=KopaCommand, help=N_("Issue an invoice for every member share of the fee year that has no live invoice."))
@guarded
def invoice_issue(
    year: Annotated[int, typer.Option("--year", metavar=N_("<year>"), click_type=WHOLE_NUMBER, help=N_("The fee year to bill."))],
    pilot: PilotOption = None,
    member: MemberOption = None,
    day: InvoiceDateOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Show what would be issued; write nothing."))] = False,
    out: InvoiceOutOption = None,
    pdf: PdfOption = False,
    finvoice: FinvoiceOption = False,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import invoice as command

    return command.issue(_root(), State.lang, year, pilot, member, day, dry_run, out, pdf, finvoice)


@invoice_app.command("credit", cls=KopaCommand, help=N_("Credit an invoice wholly with a credit note; then 'kopa invoice issue' bills the corrected share."))
@guarded
def invoice_credit(
    number: Annotated[str, typer.Argument(metavar=N_("NUMBER"), help=N_("The number of the invoice to credit, like 20200001."))],
    reason: Annotated[Optional[str], typer.Option("--reason", metavar=N_("<text>"), help=N_("Why it is credited, shown on the credit note."))] = None,
    day: InvoiceDateOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=N_("Show the credit note that would be made; write nothing."))] = False,
    out: InvoiceOutOption = None,
    pdf: PdfOption = False,
    finvoice: FinvoiceOption = False,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import invoice as command

    return command.credit(_root(), State.lang, number, reason, day, out, pdf, finvoice, dry_run)


class LedgerFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


@invoice_app.command("list", cls=KopaCommand, help=N_("Every invoice and credit note of the ledgers, with its status: open, credited or credit note."))
@guarded
def invoice_list(
    year: Annotated[Optional[int], typer.Option("--year", metavar=N_("<year>"), click_type=WHOLE_NUMBER, help=N_("Only this fee year."))] = None,
    output_format: Annotated[LedgerFormat, typer.Option("--format", "-f", help=N_("table (default), csv, json or xlsx (a workbook for the finance office)."))] = LedgerFormat.table,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", metavar=N_("<file>"), help=N_("The workbook of --format xlsx (default: out/invoices/ledger.xlsx, or ledger-<year>.xlsx with --year, in the workspace)."))] = None,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import invoice as command

    return command.list_entries(_root(), State.lang, year, output_format.value, out)


@invoice_app.command("render", cls=KopaCommand, help=N_("Write the files of issued invoices again from the ledger alone: a workbook each, the year's summary workbook, and with --finvoice and --pdf those too."))
@guarded
def invoice_render(
    numbers: Annotated[Optional[list[str]], typer.Argument(metavar=N_("[NUMBER]..."), help=N_("The invoices and credit notes to write, like 20200001 (or --year)."))] = None,
    year: Annotated[Optional[int], typer.Option("--year", metavar=N_("<year>"), click_type=WHOLE_NUMBER, help=N_("Every invoice and credit note of this fee year."))] = None,
    out: InvoiceOutOption = None,
    pdf: PdfOption = False,
    finvoice: FinvoiceOption = False,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import invoice as command

    return command.render(_root(), State.lang, numbers or [], year, out, pdf, finvoice)


@app.command(cls=KopaCommand, help=N_("Rewrite the records in their canonical layout (key order, quoting, flow or block style), keeping every comment; never the invoice ledger."))
@guarded
def fmt(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar=N_("[PATH]..."), help=N_("Only these files or folders (default: all records)."))] = None,
    check: Annotated[bool, typer.Option("--check", help=N_("Write nothing; list the files that would change and exit 1 if there are any."))] = False,
    diff: Annotated[bool, typer.Option("--diff", help=N_("Write nothing; show the changes as a unified diff."))] = False,
    cache: CacheOption = True,
    workspace: WorkspaceOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> int:
    _use_global_options(workspace, lang)
    from .commands import fmt as command

    return command.run(_root(paths), paths or [], State.lang, check, diff, cache)


def main() -> None:
    guard_standard_streams()  # also for --help and usage errors, which no command's guard sees
    if completing():  # a shell asks for the words that may follow (commands/completion.py)
        from .commands.completion import register_completion_classes

        register_completion_classes()
    app(prog_name="kopa")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
