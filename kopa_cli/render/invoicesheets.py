"""Invoices as spreadsheets: one workbook per invoice or credit note from the template, and the
ledger as one workbook for the finance office.

Everything shown comes from the ledger entry (which keeps the buyer as invoiced) and the call's
organiser (the seller) and terms, so that an issued invoice is written again the same, byte for
byte. Labels are in the buyer's language (``entry.buyer.language``: fi, sv or en), whatever
language kopa's messages are in. Contents (arvonlisäverolaki 209 e §, and what municipal
finance offices expect; domain.md, "Invoices"): docs/invoices.md lists each template variable.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from kopa_cli.core import files, formatting, oserrors
from kopa_cli.core.errors import CannotCreate, KopaError, OriginalInvoiceMissing, UnsafeFileName
from kopa_cli.core.i18n import N_, _, translations
from kopa_cli.core.identifiers import format_reference, format_rf, is_id, rf_reference
from kopa_cli.core.payment import AmountTooLarge, epc_qr_png, virtual_barcode
from kopa_cli.load.formats import LEDGER_NUMBER_PATTERN
from kopa_cli.load.records import Call, InvoiceEntry

TEMPLATE = "invoice.xlsx"  # templates/invoice.xlsx; a workspace's own overrides it

# The labels of the template (``labels.<key>``), translated into the buyer's language.
LABELS = {
    "invoice": N_("Invoice"),
    "credit_note": N_("Credit note"),
    "seller": N_("Seller"),
    "buyer": N_("Buyer"),
    "business_id": N_("Business ID"),
    "vat_number": N_("VAT number"),
    "number": N_("Invoice number"),
    "date": N_("Invoice date"),
    "due": N_("Due date"),
    "payment_term": N_("Terms of payment"),
    "reference": N_("Reference number"),
    "reference_rf": N_("RF creditor reference"),
    "buyer_reference": N_("Buyer's reference"),
    "iban": N_("Account (IBAN)"),
    "bic": N_("BIC"),
    "description": N_("Description"),
    "pilot": N_("Pilot"),
    "fee_year": N_("Fee year"),
    "period": N_("Period"),
    "net": N_("Net"),
    "vat_rate": N_("VAT %"),
    "vat": N_("VAT"),
    "total": N_("Total"),
    "to_pay": N_("Total to pay"),
    "penalty_interest": N_("Interest on late payment according to the Interest Act"),
    "contact": N_("Contact person"),
    "reason": N_("Reason"),
    "barcode": N_("Virtual barcode"),
    "qr_code": N_("Pay with a banking app: scan the QR code"),
    "einvoice_address": N_("E-invoice address"),
    "einvoice_operator": N_("E-invoice operator ID"),
}


def _seller(call: Call) -> dict[str, Any]:
    from stdnum import iban

    organizer = call.organizer
    contact = next(iter(organizer.contacts), None)
    return {
        "name": organizer.name,
        "business_id": organizer.business_id,
        "vat_number": "FI" + organizer.business_id.replace("-", ""),  # domain.md: FI + the 8 digits
        "address": organizer.address,
        "iban": iban.format(organizer.iban),
        "bic": organizer.bic,
        "contact": contact,
        "contacts": organizer.contacts,
    }


def _payment_codes(entry: InvoiceEntry, call: Call) -> dict[str, Any]:
    """The barcode (version 4 with the viitenumero, 5 with the RF reference) and the EPC QR image
    of an invoice to pay; a credit note has none, nor has an amount above the barcode's 999 999,99 €
    a barcode (core/payment.py)."""
    from kopa_cli.render.xlsxtemplate import Image

    codes: dict[str, Any] = {"barcode": None, "barcode_rf": None, "qr_code": None}
    if entry.kind != "invoice" or entry.total <= 0:
        return codes
    organizer = call.organizer
    try:
        codes["barcode"] = virtual_barcode(organizer.iban, entry.total, entry.reference, entry.due)
        codes["barcode_rf"] = virtual_barcode(organizer.iban, entry.total, rf_reference(entry.reference), entry.due)
    except AmountTooLarge:
        pass
    codes["qr_code"] = Image(epc_qr_png(organizer.name, organizer.iban, organizer.bic, entry.total, entry.reference))
    return codes


def invoice_context(entry: InvoiceEntry, call: Call, original: InvoiceEntry | None = None) -> dict[str, Any]:
    """The template's variables for one ledger entry: ``invoice``, ``lines``, ``seller``,
    ``buyer`` and ``labels`` (docs/invoices.md, "Template variables").

    ``original``: for a credit note, the invoice it corrects (its number and date are shown).
    Raises OriginalInvoiceMissing for a credit note without it."""
    lang = entry.buyer.language
    catalog = translations(lang)
    credit_note = entry.kind == "credit_note"
    if credit_note and (original is None or original.number != entry.credits):
        raise OriginalInvoiceMissing(number=entry.number, credits=entry.credits or "–")
    period_start, period_end = date(entry.fee_year, 1, 1), date(entry.fee_year, 12, 31)
    days = (entry.due - entry.date).days
    corrects = ""
    if credit_note and original is not None:
        corrects = catalog.gettext("Corrects invoice {number} of {date}").format(
            number=original.number, date=formatting.day(original.date, lang))
    einvoice = entry.buyer.einvoice
    invoice = {
        "number": entry.number,
        "kind": entry.kind,
        "is_credit_note": credit_note,
        "title": catalog.gettext(LABELS["credit_note" if credit_note else "invoice"]),
        "date": entry.date,
        "due": entry.due,
        # a credit note is not paid by the buyer: no terms of payment, no penalty interest
        "payment_term": "" if credit_note else catalog.ngettext("{days} day net", "{days} days net", days).format(days=days),
        "reference": format_reference(entry.reference),
        "reference_rf": format_rf(rf_reference(entry.reference)),
        "buyer_reference": entry.buyer.buyer_reference,
        "pilot": entry.pilot,
        "pilot_name": entry.pilot_name,
        "member": entry.member,
        "fee_year": entry.fee_year,
        "period_start": period_start,
        "period_end": period_end,
        "period": f"{formatting.day(period_start, lang)}–{formatting.day(period_end, lang)}",
        "net": entry.net,
        "vat_rate": entry.vat_rate,
        "vat": entry.vat,
        "total": entry.total,
        "credits": entry.credits,
        "credits_date": original.date if credit_note and original is not None else None,
        "corrects": corrects,
        "reason": entry.reason,
        "language": lang,
        **_payment_codes(entry, call),
    }
    line = {
        "description": catalog.gettext("KOPA pilot fee {year}").format(year=entry.fee_year),
        "pilot_name": entry.pilot_name,
        "period_start": period_start,
        "period_end": period_end,
        "net": entry.net,
        "vat_rate": entry.vat_rate,
        "vat": entry.vat,
        "total": entry.total,
    }
    buyer = {
        "name": entry.buyer.name,
        "business_id": entry.buyer.business_id,
        "address": entry.buyer.address,
        "einvoice_address": einvoice.address if einvoice else None,
        "einvoice_operator": einvoice.operator if einvoice else None,
        "billing_email": entry.buyer.billing_email,
        "buyer_reference": entry.buyer.buyer_reference,
        "language": lang,
    }
    labels = {key: catalog.gettext(message) for key, message in LABELS.items()}
    if credit_note:
        labels |= {"payment_term": "", "penalty_interest": ""}
    return {"invoice": invoice, "lines": [line], "seller": _seller(call), "buyer": buyer, "labels": labels}


def invoice_file_name(entry: InvoiceEntry) -> str:
    """``<number>-<member>.xlsx``, e.g. ``20200001-kajaani.xlsx``: built only from the ledger
    number (digits) and the member's id (a record id), so no record can name another folder.

    Raises UnsafeFileName for anything else (a ledger that `kopa validate` would refuse)."""
    name = f"{entry.number}-{entry.member}.xlsx"
    if not (isinstance(entry.number, str) and re.fullmatch(LEDGER_NUMBER_PATTERN, entry.number, re.ASCII)
            and is_id(entry.member)):
        raise UnsafeFileName(number=entry.number, name=name, folder="–")
    return name


def invoice_path(folder: Path, entry: InvoiceEntry) -> Path:
    """The file of ``entry``'s workbook in ``folder``; raises UnsafeFileName unless it is directly inside."""
    path = folder / invoice_file_name(entry)
    if path.resolve().parent != folder.resolve():
        raise UnsafeFileName(number=entry.number, name=path.name, folder=files.shown(folder))
    return path


def _stamp(day: date) -> datetime:
    """A document's fixed created and modified time: its date, at midnight."""
    return datetime.combine(day, time())


def invoice_workbook(entry: InvoiceEntry, call: Call, template: Any, original: InvoiceEntry | None = None) -> bytes:
    """The .xlsx file of one invoice or credit note, the same bytes every time.

    ``template``: a WorkbookTemplate (render/xlsxtemplate.py ``load``) in the buyer's language."""
    from kopa_cli.render.xlsxfile import workbook_bytes

    workbook = template.render(invoice_context(entry, call, original))
    return workbook_bytes(workbook, _stamp(entry.date))


def invoice_workbooks(entries: Iterable[InvoiceEntry], call: Call, workspace: Path | None,
                      originals: Mapping[str, InvoiceEntry] = {}) -> dict[str, bytes]:
    """The .xlsx bytes of each entry, by number, made in memory: `kopa invoice issue` and
    `credit` make them before they append to the ledger, so that a template that fails leaves
    the ledger as it was.

    The template is the workspace's ``templates/invoice.xlsx``, else kopa's own. ``originals``:
    ledger entries by number, to find the invoice each credit note corrects (every ledger's, as
    a credit note may correct an invoice of another year's ledger).

    Raises SpreadsheetTemplateFailed (a cell of the template), TemplateUnreadable or
    OriginalInvoiceMissing."""
    from kopa_cli.render import xlsxtemplate

    entries = list(entries)
    templates: dict[str, Any] = {}
    jobs = []
    for entry in entries:
        lang = entry.buyer.language
        if lang not in templates:
            templates[lang] = xlsxtemplate.load(workspace, TEMPLATE, lang)
        jobs.append((entry, call, templates[lang], originals.get(entry.credits or "")))
    return {entry.number: data for entry, data in zip(entries, _make_all(jobs))}


def write_invoice_workbooks(entries: Iterable[InvoiceEntry], call: Call, folder: Path, workspace: Path | None,
                            originals: Mapping[str, InvoiceEntry] = {}, made: Mapping[str, bytes] = {}) -> list[Path]:
    """Write ``<number>-<member>.xlsx`` for each entry into ``folder`` (created if missing), each
    file atomically; returns the paths written, in the entries' order.

    ``made``: workbooks already made by ``invoice_workbooks``, by number; the others are made
    here. Every workbook is made before the first is written, so a template that fails writes
    nothing.

    Raises what ``invoice_workbooks`` raises, UnsafeFileName, or CannotCreate when a file cannot
    be written."""
    entries = list(entries)
    paths = [invoice_path(folder, entry) for entry in entries]
    workbooks = {**made, **invoice_workbooks([e for e in entries if e.number not in made], call, workspace, originals)}
    for path, entry in zip(paths, entries):
        write_output(path, workbooks[entry.number])
    return paths


# From this many invoices on, workbooks are made on every core (at most 8) in forked worker
# processes, which inherit the compiled templates; the bytes are the same as made in turn.
# Gain: benchmarks/invoices.py (300 invoices on 2 cores: see benchmarks/README.md).
PARALLEL_FROM = 40
_jobs: list[tuple[Any, ...]] = []


def _make(index: int) -> bytes | tuple[type[KopaError], dict[str, object]]:
    """A worker's workbook; a KopaError travels back as its class and arguments."""
    try:
        return invoice_workbook(*_jobs[index])
    except KopaError as error:
        return type(error), error.kwargs


def _make_all(jobs: list[tuple[Any, ...]]) -> list[bytes]:
    global _jobs
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [invoice_workbook(*job) for job in jobs]
    _jobs = jobs
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(_make, range(len(jobs)), chunksize=max(4, len(jobs) // (workers * 4))))
    finally:
        _jobs = []
    for result in results:
        if isinstance(result, tuple):
            error_class, arguments = result
            raise error_class(**arguments)
    return results  # type: ignore[return-value]


def write_output(path: Path, data: bytes) -> None:
    """Write an output file (a workbook, a Finvoice message) atomically; CannotCreate if it
    cannot be. Without fsync: the ledger is the record, and a file lost in a power cut is
    written again, the same, by `kopa invoice render`; 300 invoices' fsyncs took seconds on a
    busy disk (benchmarks/invoices.py)."""
    try:
        files.replace(path, data, durable=False)
    except OSError as error:
        raise CannotCreate(path=files.shown(path), reason=oserrors.reason(error)) from None


# --- the ledger as one workbook -------------------------------------------------------------

KINDS = {"invoice": N_("invoice"), "credit_note": N_("credit note")}


def summary_file_name(year: int) -> str:
    """The finance office's workbook beside a year's invoices: ``summary-2020.xlsx``."""
    return f"summary-{int(year)}.xlsx"


def ledger_workbook(entries: Iterable[InvoiceEntry], path: Path) -> None:
    """Write the ledger entries as one workbook at ``path`` (atomically): a row per invoice or
    credit note with every field a ledger import needs, and a total row.

    Headers and kinds are in the messages' language. Ids, Y-tunnus, e-invoice address and
    operator, references and numbers are text cells (leading zeros kept); dates are dates and
    amounts numbers, in Finnish formats. The totals of net, VAT and total are the sums of the
    rows (values, never VAT recomputed on the total). The workbook's date is the latest entry's.

    Raises CannotCreate when the file cannot be written."""
    import openpyxl

    from kopa_cli.render.xlsxfile import DATE_FORMAT, FIXED_STAMP, INTEGER_FORMAT, MONEY_FORMAT, RATE_FORMAT, TEXT_FORMAT, Column, table_sheet, workbook_bytes

    entries = list(entries)
    text, money = TEXT_FORMAT, MONEY_FORMAT
    columns = [
        Column(_("Invoice number"), text, 12), Column(_("Kind"), text, 12), Column(_("Invoice date"), DATE_FORMAT, 11),
        Column(_("Due date"), DATE_FORMAT, 11), Column(_("Member"), text, 20), Column(_("Buyer"), text, 30),
        Column(_("Business ID"), text, 11), Column(_("E-invoice address"), text, 17), Column(_("E-invoice operator ID"), text, 14),
        Column(_("Buyer's reference"), text, 20), Column(_("Reference number"), text, 14), Column(_("RF creditor reference"), text, 16),
        Column(_("Pilot"), text, 20), Column(_("Pilot name"), text, 30), Column(_("Fee year"), INTEGER_FORMAT, 8),
        Column(_("Net"), money, 13), Column(_("VAT %"), RATE_FORMAT, 8), Column(_("VAT"), money, 12), Column(_("Total"), money, 13),
        Column(_("Corrects invoice"), text, 12), Column(_("Reason"), text, 30),
    ]
    rows = []
    for entry in entries:
        einvoice = entry.buyer.einvoice
        rows.append([
            entry.number, _(KINDS[entry.kind]), entry.date, entry.due, entry.member, entry.buyer.name,
            entry.buyer.business_id, einvoice.address if einvoice else None, einvoice.operator if einvoice else None,
            entry.buyer.buyer_reference, entry.reference, rf_reference(entry.reference),
            entry.pilot, entry.pilot_name, entry.fee_year,
            entry.net, entry.vat_rate, entry.vat, entry.total, entry.credits, entry.reason,
        ])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Invoices")
    table_sheet(sheet, columns, rows, total_label=_("Total"), total_columns=(15, 17, 18))
    stamp = _stamp(max(entry.date for entry in entries)) if entries else FIXED_STAMP
    write_output(path, workbook_bytes(workbook, stamp))
