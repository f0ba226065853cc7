"""kopa invoice: issue invoices and credit notes into the ledger, and list it (docs/invoices.md).

Each writing command holds the ledger's lock (records/invoices/.<year>.yaml.lock) from reading
the workspace to replacing the file, so two runs never share a number. New entries are appended
to the file's text and the result is parsed back before it replaces the file atomically.
"""

from __future__ import annotations

import codecs
import csv
import json
import shlex
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import date
from pathlib import Path

from kopa_cli.billing import invoicing
from kopa_cli.billing.fees import compute_fees, select
from kopa_cli.check.validation import check
from kopa_cli.core import files, formatting
from kopa_cli.core.diagnostics import Severity, suggest
from kopa_cli.core.errors import (AlreadyCredited, CreditsCreditNote, DateBeforeLedger, ExitCode, FileLocked, InvoiceRecordsHaveErrors, KopaError,
                                  LedgerNotAppendable, LedgerUnreadable, NotAFeeYearOfCall, OutNeedsWorkbook, RecordsHaveErrors, RenderNeedsSelection,
                                  SeriesFull, UnknownInvoice, UnknownMember, UnknownPilot)
from kopa_cli.core.i18n import N_, _, ngettext
from kopa_cli.core.identifiers import format_reference, format_rf, rf_reference
from kopa_cli.core.money import format_money
from kopa_cli.load.gitsource import LEDGERS
from kopa_cli.load.records import InvoiceEntry, Ledger
from kopa_cli.load.workspace import Workspace, parse_alone
from kopa_cli.render import ledgerfile
from .common import console, load, refuse_on_errors


def ledger_path(root: Path, year: int) -> Path:
    return root / LEDGERS / f"{year}.yaml"


@contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Hold the ledger's lock: the hidden file ``.<year>.yaml.lock`` beside it (record listing
    skips names that start with a dot). Raises FileLocked naming the ledger, not the lock."""
    try:
        with files.lock(path.with_name("." + path.name)):
            yield
    except FileLocked as error:
        raise FileLocked(path=files.shown(path), seconds=error.kwargs["seconds"]) from None


def _valid_workspace(root: Path, lang: str | None) -> Workspace:
    """The workspace, refused with validate's diagnostics on stderr if it has errors."""
    workspace = load(root, lang)
    refuse_on_errors(workspace, InvoiceRecordsHaveErrors())
    return workspace


def _ledgers_read(workspace: Workspace, refusal: RecordsHaveErrors) -> None:
    """Raise ``refusal``, with the problems on stderr as `kopa validate` writes them, when a
    ledger file could not be read: its entries would be missing, not absent."""
    unread = [d for d in workspace.diagnostics if d.severity is Severity.ERROR and d.path.startswith(LEDGERS + "/")
              and Path(d.path).stem not in workspace.ledgers]
    if unread:
        refuse_on_errors(workspace, refusal, replace(check(workspace), diagnostics=tuple(unread)))


def _fee_year(workspace: Workspace, year: int) -> None:
    years = [y for y in workspace.call.fee.years if y is not None]
    if year not in years:
        raise NotAFeeYearOfCall(year=str(year), years=", ".join(map(str, years)))


def _reference_shown(reference: str) -> str:
    """``20 20000 15 (RF.. ....)``: the viitenumero in groups, its RF form beside it."""
    return f"{format_reference(reference)} ({format_rf(rf_reference(reference))})"


def _print_entries(entries: list[InvoiceEntry]) -> None:
    for entry in entries:
        sys.stdout.write("  ".join((
            entry.number,
            entry.member,
            entry.pilot,
            formatting.money(entry.total),
            _("reference {reference}").format(reference=_reference_shown(entry.reference)),
            entry.buyer.name,
        )) + "\n")


def _append(path: Path, root: Path, ledger: Ledger | None, new: list[InvoiceEntry]) -> None:
    """Append ``new`` to the ledger file's text; check that it reads back as the old entries and
    the new ones before it replaces the file (atomically: the old file or the new, never a mix)."""
    data = path.read_bytes() if path.exists() else b""
    bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""  # kept, as every byte before the new entries
    result = ledgerfile.appended(data[len(bom):].decode("utf-8"), new)
    relative = path.relative_to(root).as_posix()
    parsed, problems = parse_alone("invoices", relative, result.encode("utf-8"))
    old = list(ledger.entries) if ledger is not None else []
    if parsed is None or any(p.severity is Severity.ERROR for p in problems) or list(parsed.entries) != old + new:
        raise LedgerNotAppendable(path=relative)
    files.replace(path, bom + result.encode("utf-8"))


def _check_date(path: Path, root: Path, ledger: Ledger | None, day: date) -> None:
    if ledger is not None and ledger.entries and day < ledger.entries[-1].date:
        raise DateBeforeLedger(date=day, path=path.relative_to(root).as_posix(), last=ledger.entries[-1].date)


def _numbers(workspace: Workspace, year: int, count: int) -> list[str]:
    """The next ``count`` numbers of ``year``'s series (gapless after its ledger's entries)."""
    series = invoicing.Series.after(workspace.call, year, workspace.ledgers.get(str(year)))
    numbers = []
    for _position in range(count):
        if len(series.number) > invoicing.MAX_NUMBER_DIGITS:
            raise SeriesFull(year=str(year), last=invoicing.number_of(year, series.sequence - 1))
        numbers.append(series.number)
        series = series.following()
    return numbers


def issue(root: Path, lang: str | None, year: int, pilot: str | None, member: str | None,
          day: date | None, dry_run: bool, out: Path | None = None, pdf: bool = False, finvoice: bool = False) -> int:
    """Issue an invoice for every share of ``year`` (of ``pilot``, ``member``) without a live one,
    then write their files (``write_documents``)."""
    day = day or date.today()
    path = ledger_path(root, year)
    with nullcontext() if dry_run else _writing(path):  # a dry run creates not even the lock file
        workspace = _valid_workspace(root, lang)
        _fee_year(workspace, year)
        if pilot is not None and pilot not in workspace.pilots:
            raise UnknownPilot(value=pilot, hint=suggest(pilot, workspace.pilots))
        if member is not None and member not in workspace.organizations:
            raise UnknownMember(value=member, hint=suggest(member, workspace.organizations))
        ledger = workspace.ledgers.get(str(year))
        shares = select(compute_fees(workspace), pilot, year, member)
        for line in filter(invoicing.nothing_to_bill, shares):
            sys.stdout.write(_("No invoice for the share of {member} in pilot {pilot}, fee year {year}: it is {amount}.").format(
                member=line.member, pilot=line.pilot, year=line.year, amount=formatting.money(line.gross)) + "\n")
        lines = invoicing.to_bill(shares, invoicing.entries(workspace.ledgers))
        if not lines:
            sys.stdout.write(_("Nothing to issue: every share of fee year {year} has an invoice.").format(year=year) + "\n")
            return ExitCode.OK
        _check_date(path, root, ledger, day)
        new = [invoicing.new_invoice(workspace, line, number, day)
               for line, number in zip(lines, _numbers(workspace, year, len(lines)))]
        if dry_run:
            heading = ngettext("Would issue {count} invoice (--dry-run: nothing written):",
                               "Would issue {count} invoices (--dry-run: nothing written):", len(new))
        else:
            made = _workbooks(root, workspace, new)  # a failing template leaves the ledger as it was
            _append(path, root, ledger, new)
            heading = ngettext("Issued {count} invoice into {path}:", "Issued {count} invoices into {path}:", len(new))
        sys.stdout.write(heading.format(count=formatting.number(len(new)), path=path.relative_to(root).as_posix()) + "\n")
        _print_entries(new)
    if not dry_run:  # the ledger is written and its lock released: the files follow from it
        all_entries = invoicing.entries(workspace.ledgers) + new
        with _recorded(root, path, new, ["--year", str(year)], out, pdf, finvoice):
            _print_written(root, write_documents(root, workspace, new, all_entries, out, pdf, finvoice, made))
    return ExitCode.OK


def credit(root: Path, lang: str | None, number: str, reason: str | None, day: date | None,
           out: Path | None = None, pdf: bool = False, finvoice: bool = False, dry_run: bool = False) -> int:
    """A credit note for the whole of invoice ``number``, numbered in its fee year's series,
    then its files (``write_documents``); with ``dry_run`` only shown (no lock file either)."""
    day = day or date.today()
    workspace = load(root, lang)
    original = next((e for e in invoicing.entries(workspace.ledgers) if e.number == number), None)
    if original is None:
        _ledgers_read(workspace, InvoiceRecordsHaveErrors())
        raise UnknownInvoice(number=number)
    path = ledger_path(root, original.fee_year)
    with nullcontext() if dry_run else _writing(path):
        workspace = _valid_workspace(root, lang)  # again, under the lock
        all_entries = invoicing.entries(workspace.ledgers)
        original = next(e for e in all_entries if e.number == number)
        if original.kind != invoicing.INVOICE:
            raise CreditsCreditNote(number=number)
        if original not in invoicing.live(all_entries):
            by = [e.number for e in all_entries if e.credits == number]
            raise AlreadyCredited(number=number, by=", ".join(by))
        ledger = workspace.ledgers.get(str(original.fee_year))
        _check_date(path, root, ledger, day)
        (next_number,) = _numbers(workspace, original.fee_year, 1)
        note = invoicing.credit_note(original, next_number, day, reason)
        if dry_run:
            sys.stdout.write(_("Would credit invoice {number} with credit note {note} (--dry-run: nothing written):").format(
                number=number, note=next_number) + "\n")
            _print_entries([note])
            return ExitCode.OK
        made = _workbooks(root, workspace, [note], all_entries)  # a failing template leaves the ledger as it was
        _append(path, root, ledger, [note])
        sys.stdout.write(_("Credited invoice {number} with credit note {note} in {path}:").format(
            number=number, note=next_number, path=path.relative_to(root).as_posix()) + "\n")
        _print_entries([note])
    with _recorded(root, path, [note], [next_number], out, pdf, finvoice):
        _print_written(root, write_documents(root, workspace, [note], all_entries + [note], out, pdf, finvoice, made))
    sys.stdout.write(_("Run 'kopa invoice issue --year {year}' to bill the corrected share.").format(year=original.fee_year) + "\n")
    return ExitCode.OK


@contextmanager
def _recorded(root: Path, path: Path, new: list[InvoiceEntry], selection: list[str], out: Path | None,
              pdf: bool, finvoice: bool) -> Iterator[None]:
    """Around writing the files of ``new`` entries already appended to the ledger at ``path``:
    if that fails or is interrupted (Ctrl-C), say on stderr that the entries are recorded and
    how `kopa invoice render` (``selection``: its arguments) writes their files, then re-raise."""
    try:
        yield
    except (KopaError, KeyboardInterrupt):
        numbers = new[0].number if len(new) == 1 else f"{new[0].number}–{new[-1].number}"
        options = [*(["--out", str(out)] if out is not None else []), *(["--pdf"] if pdf else []),
                   *(["--finvoice"] if finvoice else [])]
        command = shlex.join(["kopa", "invoice", "render", *selection, *options])
        if new[0].kind == invoicing.CREDIT_NOTE:
            message = _("The credit note {numbers} is recorded in {path}; write its files with: {command}")
        else:
            message = ngettext("The invoice {numbers} is recorded in {path}; write its files with: {command}",
                               "The invoices {numbers} are recorded in {path}; write their files with: {command}", len(new))
        sys.stderr.write(message.format(numbers=numbers, path=path.relative_to(root).as_posix(), command=command) + "\n")
        raise


def status(entry: InvoiceEntry, live: set[str]) -> str:
    """open (owed), credited (wholly credited) or credit_note."""
    if entry.kind == invoicing.CREDIT_NOTE:
        return "credit_note"
    return "open" if entry.number in live else "credited"


_STATUS_WORDS = {"open": N_("open"), "credited": N_("credited"), "credit_note": N_("credit note")}
COLUMNS = ("number", "kind", "status", "date", "due", "fee_year", "pilot", "member", "buyer", "net", "vat_rate", "vat",
           "total", "reference", "credits")


def rows(workspace: Workspace, year: int | None) -> list[dict[str, str]]:
    """Every entry (of ``year``) as plain text by ``COLUMNS``, in ledger order."""
    all_entries = invoicing.entries(workspace.ledgers)
    live = {entry.number for entry in invoicing.live(all_entries)}
    return [
        {
            "number": e.number, "kind": e.kind, "status": status(e, live), "date": e.date.isoformat(),
            "due": e.due.isoformat(), "fee_year": str(e.fee_year), "pilot": e.pilot, "member": e.member,
            "buyer": e.buyer.name, "net": format_money(e.net), "vat_rate": f"{e.vat_rate:f}", "vat": format_money(e.vat),
            "total": format_money(e.total), "reference": e.reference, "credits": e.credits or "",
        }
        for e in all_entries if year is None or e.fee_year == year
    ]


FREE_TEXT_COLUMNS = ("buyer",)  # text from the records; the other columns are ids, dates and amounts
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(row: dict[str, str]) -> dict[str, str]:
    """``row`` for a CSV file: free text that a spreadsheet would read as a formula
    (``=HYPERLINK(...)``) gets a leading ``'``, so that it stays text (OWASP, "CSV Injection")."""
    return {**row, **{column: "'" + row[column] for column in FREE_TEXT_COLUMNS if row[column].startswith(_FORMULA_STARTS)}}


def list_entries(root: Path, lang: str | None, year: int | None, output_format: str, out: Path | None = None) -> int:
    workspace = load(root, lang)
    _ledgers_read(workspace, LedgerUnreadable())
    if year is not None and workspace.call is not None:
        _fee_year(workspace, year)
    if out is not None and output_format != "xlsx":
        raise OutNeedsWorkbook()
    if output_format == "xlsx":
        from kopa_cli.render.invoicesheets import ledger_workbook

        path = out or root / "out" / "invoices" / (f"ledger-{year}.xlsx" if year is not None else "ledger.xlsx")
        ledger_workbook([e for e in invoicing.entries(workspace.ledgers) if year is None or e.fee_year == year], path)
        _print_written(root, [path])
        return ExitCode.OK
    table = rows(workspace, year)
    if output_format == "json":
        json.dump(table, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif output_format == "csv":
        writer = csv.DictWriter(sys.stdout, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(map(_spreadsheet_safe, table))
    else:
        _table(table)
    return ExitCode.OK


def _table(table: list[dict[str, str]]) -> None:
    from decimal import Decimal

    from rich.table import Table

    shown = Table(box=None, pad_edge=False)
    for title, justify in ((_("Number"), "left"), (_("Date"), "left"), (_("Due date"), "left"), (_("Member"), "left"),
                           (_("Pilot"), "left"), (_("Fee year"), "left"), (_("Total"), "right"), (_("Status"), "left"),
                           (_("Reference"), "left")):
        shown.add_column(title, justify=justify)  # type: ignore[arg-type]
    for row in table:
        state = _(_STATUS_WORDS[row["status"]])
        if row["credits"]:
            state += f" → {row['credits']}"
        shown.add_row(row["number"], formatting.day(date.fromisoformat(row["date"])),
                      formatting.day(date.fromisoformat(row["due"])), row["member"], row["pilot"], row["fee_year"],
                      formatting.money(Decimal(row["total"])), state, format_reference(row["reference"]))
    console().print(shown)


# --- the documents: workbooks, the year's summary, Finvoice, PDF ------------------------------


def output_folder(root: Path, out: Path | None, year: int) -> Path:
    """Where a fee year's files go: ``--out``, else out/invoices/<fee year>/ in the workspace."""
    return out if out is not None else root / "out" / "invoices" / str(year)


def _workbooks(root: Path, workspace: Workspace, new: list[InvoiceEntry],
               all_entries: list[InvoiceEntry] = []) -> dict[str, bytes]:
    """The workbooks of entries about to be appended, by number, made before the ledger is written."""
    from kopa_cli.render import invoicesheets

    return invoicesheets.invoice_workbooks(new, workspace.call, root, {entry.number: entry for entry in all_entries})


def write_documents(root: Path, workspace: Workspace, chosen: list[InvoiceEntry], all_entries: list[InvoiceEntry],
                    out: Path | None, pdf: bool, finvoice: bool, made: Mapping[str, bytes] = {}) -> list[Path]:
    """Write the files of the ``chosen`` entries, from the ledger alone: a workbook each, the
    summary workbook of each of their fee years (``all_entries`` of that year), and with
    ``finvoice`` a Finvoice message each, with ``pdf`` each workbook as PDF; ``made``: workbooks
    already made, by number (``_workbooks``). Returns the paths.

    Raises what render/invoicesheets.py, render/finvoice.py and render/pdf.py raise: a failing
    template writes no workbook, a missing LibreOffice or PDF is an error (non-zero exit)."""
    from kopa_cli.render import invoicesheets
    from kopa_cli.render.finvoice import finvoice_xml

    call = workspace.call
    originals = {entry.number: entry for entry in all_entries}
    written: list[Path] = []
    for year in sorted({entry.fee_year for entry in chosen}):
        folder = output_folder(root, out, year)
        entries = [entry for entry in chosen if entry.fee_year == year]
        workbooks = invoicesheets.write_invoice_workbooks(entries, call, folder, root, originals, made)
        summary = folder / invoicesheets.summary_file_name(year)
        invoicesheets.ledger_workbook([entry for entry in all_entries if entry.fee_year == year], summary)
        written += [*workbooks, summary]
        if finvoice:
            for entry, workbook in zip(entries, workbooks):
                message = workbook.with_suffix(".xml")
                original = originals.get(entry.credits) if entry.credits else None
                invoicesheets.write_output(message, finvoice_xml(entry, call, original, sender=call.organizer.einvoice))
                written.append(message)
        if pdf:
            from kopa_cli.render.pdf import convert_to_pdf

            written += convert_to_pdf(workbooks, folder)
    return written


def _print_written(root: Path, written: list[Path]) -> None:
    if written:
        sys.stdout.write(ngettext("Wrote {count} file:", "Wrote {count} files:", len(written)).format(count=formatting.number(len(written))) + "\n")
        for path in written:
            sys.stdout.write(f"  {files.shown(path)}\n")


def render_selection(workspace: Workspace, numbers: list[str], year: int | None) -> list[InvoiceEntry]:
    """The entries to write again from the ledger: those ``numbers`` (in the order given,
    each once), else every entry of fee ``year``. Raises UnknownInvoice for a number in no
    ledger, NotAFeeYearOfCall for a year that is none, RenderNeedsSelection for neither."""
    all_entries = invoicing.entries(workspace.ledgers)
    if numbers:
        by_number = {entry.number: entry for entry in all_entries}
        missing = [number for number in numbers if number not in by_number]
        if missing:
            raise UnknownInvoice(number=", ".join(missing))
        return [by_number[number] for number in dict.fromkeys(numbers)]
    if year is None:
        raise RenderNeedsSelection()
    _fee_year(workspace, year)
    return [entry for entry in all_entries if entry.fee_year == year]


def render(root: Path, lang: str | None, numbers: list[str], year: int | None, out: Path | None,
           pdf: bool, finvoice: bool) -> int:
    """Write the files of issued invoices again, from the ledger alone: the same bytes as the
    first time while the templates and the call's organiser are unchanged."""
    workspace = _valid_workspace(root, lang)
    chosen = render_selection(workspace, numbers, year)
    _print_written(root, write_documents(root, workspace, chosen, invoicing.entries(workspace.ledgers), out, pdf, finvoice))
    return ExitCode.OK
