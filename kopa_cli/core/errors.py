"""Exceptions and exit codes.

Problems *in the records* are diagnostics (data), never exceptions. Exceptions are for
what stops a command as a whole: no workspace, bad usage, a git revision that does not
exist. Each carries a message built from keyword arguments; nothing here prints.
"""

from __future__ import annotations

from enum import IntEnum

from kopa_cli.core.i18n import N_, _


class ExitCode(IntEnum):
    OK = 0
    PROBLEMS = 1  # problems in the user's records
    USAGE = 2  # bad usage: unknown option, missing workspace
    BUG = 3  # an internal error: please report
    INTERRUPTED = 130


class KopaError(Exception):
    """Root of kopa's exceptions; ``template`` is a message id formatted with ``kwargs``, each
    shown escaped (a value typed on the command line can hold a line break, too)."""

    template = N_("kopa failed")
    exit_code = ExitCode.USAGE

    def __init__(self, **kwargs: object) -> None:
        super().__init__(self.template)
        self.kwargs = kwargs

    @property
    def message(self) -> str:
        from kopa_cli.core.diagnostics import localize  # imported here: diagnostics is not needed to raise

        return _(self.template).format(**{key: localize(value, escape=True) for key, value in self.kwargs.items()})

    def __str__(self) -> str:
        return self.message


class WorkspaceNotFound(KopaError):
    template = N_(
        "no kopa workspace found from {start} upwards (a folder with records/call.yaml); "
        "use --workspace DIR or run 'kopa init'"
    )


class SeveralWorkspaces(KopaError):
    """No workspace from the current folder up, and more than one in the folders below."""

    template = N_("several kopa workspaces below {start}: {folders}; choose one with --workspace DIR or KOPA_WORKSPACE")


class NotAWorkspace(KopaError):
    """The folder given by --workspace or KOPA_WORKSPACE holds no records/call.yaml."""

    template = N_("{path} is not a kopa workspace: it has no records/call.yaml; create one with 'kopa init {path}'")


class PathOutsideWorkspace(KopaError):
    template = N_("{path} is not inside the workspace {workspace}")


class PathNotFound(KopaError):
    template = N_("{path}: no such file or folder")


class GitError(KopaError):
    """git ran but could not read the repository; ``detail`` is git's or the OS's own (English)
    text, shown only in parentheses at the end."""

    template = N_("the files could not be read from the git repository {repository} ({detail})")


class TargetExists(KopaError):
    template = N_("{path} already exists; kopa never overwrites a record")


class CiFileExists(TargetExists):
    template = N_("{path} already exists; kopa does not overwrite it (move it away to have kopa write a new one)")


class InvalidId(KopaError):
    template = N_(
        "'{id}' is not a valid id: use lowercase letters, digits and single hyphens, "
        "like kainuu-lukiot{hint}"
    )


class NoVatRate(KopaError):
    """The call's VAT table starts after a fee year: a problem in the records, not a bug."""

    template = N_(
        "the VAT table in records/call.yaml (fee.vat) has no rate in force on {day} "
        "for fee year {year} of pilot '{pilot}'; add the rate that applied then"
    )
    exit_code = ExitCode.PROBLEMS


class DuplicateFeeLine(KopaError):
    """Two fee lines for one member, pilot and year: the records would bill it twice."""

    template = N_(
        "pilot '{pilot}' would bill member '{member}' twice for {year}; "
        "run 'kopa validate' and fix what it reports"
    )
    exit_code = ExitCode.PROBLEMS


class RecordsHaveErrors(KopaError):
    """Validation found errors (already written out), so the fees cannot be computed."""

    template = N_("the records have errors (listed above); fix them before computing fees")
    exit_code = ExitCode.PROBLEMS


class RevisionHasErrors(RecordsHaveErrors):
    """The records at a compared revision have errors (already written out)."""

    template = N_("the records at {revision} have errors (listed above); their fees cannot be computed")


class TemplateFailed(KopaError):
    """A template could not be read or rendered: a problem in the (often user-edited) template."""

    template = N_("{template}, line {line}: {problem}")
    exit_code = ExitCode.PROBLEMS


class TemplateMissing(KopaError):
    template = N_("no template '{name}' in {places}")
    exit_code = ExitCode.BUG


class TemplateOutside(KopaError):
    template = N_("the template {name} is a link to {target}, outside its templates folder; templates must be inside it")
    exit_code = ExitCode.PROBLEMS


class NotAGitRepository(GitError):
    template = N_("{path} is not inside a git repository, so there is no revision to compare with ({detail})")


class RevisionNotFound(GitError):
    template = N_("'{revision}' is not a commit in the git repository {repository}")


class GitNotInstalled(GitError):
    template = N_("git is not installed or not on PATH; --compare needs it")


class UnknownPilot(KopaError):
    template = N_("no pilot '{value}' in records/pilots/{hint}")


class UnknownMember(KopaError):
    template = N_("no organisation '{value}' in records/organizations/{hint}")


class NotAFeeYear(KopaError):
    template = N_("{year} is not a fee year of any pilot; the fee years are {years}")


class CompareFormat(KopaError):
    template = N_("--compare shows a table or Markdown: use --format table or --format md")


class CannotCreate(KopaError):
    template = N_("cannot create {path}: {reason}")


class TemplateGivesBadRecord(KopaError):
    template = N_("the template {template} gives a record kopa cannot read (line {line} of the result): {problem}")
    exit_code = ExitCode.PROBLEMS


class FileLocked(KopaError):
    """Another kopa process is writing the same file (core/files.py ``lock``)."""

    template = N_("{path} is being written by another kopa command; waited {seconds} s. Try again when it has finished.")


# kopa report (render/reports.py, commands/report.py)


class UnknownReport(KopaError):
    template = N_("no report '{name}'; the reports are {names} ('kopa report --list' describes them)")


class ReportFormatMissing(KopaError):
    template = N_("the report '{name}' has no {format} template (templates/reports/{name}.{format}.j2); it has {formats}")


class PilotRequired(KopaError):
    template = N_("the report '{name}' is about one pilot: give it with --pilot ID; the pilots are {pilots}")


class PdfNeedsOut(KopaError):
    template = N_("a PDF is written to a file: give one with --out FILE")


class PdfUnavailable(KopaError):
    """WeasyPrint (the optional extra `pdf`) or the Pango library it draws text with is missing."""

    template = N_(
        "--format pdf needs WeasyPrint, an optional part of kopa: install it with "
        "pip install 'kopa[pdf]' (it also needs the Pango library, e.g. the Debian package libpango-1.0-0), "
        "or write HTML with --format html and print it from a browser ({detail})"
    )


# kopa invoice: spreadsheets (render/xlsxtemplate.py, render/invoicesheets.py)


class SpreadsheetTemplateFailed(KopaError):
    """A cell of an .xlsx template could not be rendered; located as spreadsheets name a cell: file!sheet!cell."""

    template = N_("{template}!{sheet}!{cell}: {problem}")
    exit_code = ExitCode.PROBLEMS


class UnsafeFileName(KopaError):
    """An invoice's file name would not be a plain name inside its folder (only a damaged ledger gives one)."""

    template = N_("invoice {number}: '{name}' is not a safe file name inside {folder}; run 'kopa validate'")
    exit_code = ExitCode.PROBLEMS


class OriginalInvoiceMissing(KopaError):
    template = N_("credit note {number} corrects invoice {credits}, which is in no file of records/invoices/; run 'kopa validate'")
    exit_code = ExitCode.PROBLEMS


class TemplateUnreadable(KopaError):
    template = N_("{template} is not a spreadsheet kopa can read ({detail}); save it as .xlsx in Excel or LibreOffice")
    exit_code = ExitCode.PROBLEMS


class OutNeedsWorkbook(KopaError):
    template = N_("--out names the workbook of --format xlsx; the other formats are written to standard output")


# Converting workbooks with LibreOffice (render/pdf.py).


class LibreOfficeMissing(KopaError):
    template = N_(
        "LibreOffice is not installed (no 'soffice' program on PATH), so no PDF can be made. "
        "Install it: on Debian or Ubuntu 'sudo apt install libreoffice-calc-nogui', on Windows or macOS "
        "from https://www.libreoffice.org/download/ ; or leave out --pdf"
    )


class ConversionFailed(KopaError):
    """LibreOffice ran but a file it should have written is not there; ``detail`` is its own
    (English) output, shown only at the end."""

    template = N_("LibreOffice did not make {target} from {source} ({detail})")
    exit_code = ExitCode.PROBLEMS


class ConversionTimedOut(KopaError):
    template = N_("LibreOffice did not finish converting {sources} in {seconds} s and was stopped; no file was written")
    exit_code = ExitCode.PROBLEMS


class NotGeneratedSchema(KopaError):
    """`kopa schema --out` found a file of the same name that it did not write (commands/schema.py)."""

    template = N_("{path} was not written by kopa schema, so it is not overwritten: move it away or choose another --out folder")


class BrokenStatisticsFile(KopaError):
    """A statistics file (PX or JSON-stat2) that cannot be read as a table; ``problem`` is a
    Phrase that says what is wrong at ``line`` (1 when the whole file is meant)."""

    template = N_("{path}:{line}: {problem}")
    exit_code = ExitCode.PROBLEMS


class StatisticsExist(TargetExists):
    template = N_("{path} already exists; to replace it with this table, give --replace (or choose another --name)")
# kopa invoice


class InvoiceRecordsHaveErrors(RecordsHaveErrors):
    template = N_("the records have errors (listed above); fix them before issuing invoices or credit notes")


class LedgerUnreadable(RecordsHaveErrors):
    """A ledger file could not be read (its problems are written above): its entries would be missing."""

    template = N_("the invoice ledger cannot be read (its errors are listed above); fix it before listing its invoices")


class NotAFeeYearOfCall(KopaError):
    template = N_("{year} is not a fee year of the call; its fee years are {years}")


class DateBeforeLedger(KopaError):
    template = N_("the date {date} is before the last entry of {path} ({last}); numbers must follow dates, so give --date {last} or later")


class UnknownInvoice(KopaError):
    template = N_("no invoice {number} in records/invoices/")


class CreditsCreditNote(KopaError):
    template = N_("{number} is a credit note; only an invoice can be credited")


class AlreadyCredited(KopaError):
    template = N_("invoice {number} is already wholly credited (by {by}); there is nothing left to credit")


class LedgerNotAppendable(KopaError):
    template = N_("new entries cannot be appended to {path}: the file must be a list with one '- ' item per entry, as kopa writes it")
    exit_code = ExitCode.PROBLEMS


class SeriesFull(KopaError):
    template = N_("the invoice numbers of fee year {year} have run out at {last}")
    exit_code = ExitCode.PROBLEMS


class RenderNeedsSelection(KopaError):
    template = N_("name the invoices to write: their NUMBERS, or --year YEAR for all of a fee year")
