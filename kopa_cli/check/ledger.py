"""The invoice ledger's rules (records/invoices/<year>.yaml, KOPA701-720; docs/rules.md).

Invoices are legal documents (arvonlisäverolaki 209 e §, docs/invoices.md): numbered in one
gapless series per fee year, references with valid check digits, amounts that add up, credit
notes that correct an invoice of the same member, one live invoice per share, and never changed
once committed. A ledger whose own file has errors (YAML, shape) is left to those first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal

from kopa_cli.billing import invoicing
from kopa_cli.billing.fees import compute_fees
from kopa_cli.check.validation import no_such
from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Code, Diagnostic, Euros, Msg, Severity, diagnostic
from kopa_cli.core.errors import KopaError
from kopa_cli.core.i18n import N_
from kopa_cli.core.identifiers import make_reference
from kopa_cli.core.money import vat_amount
from kopa_cli.load.records import InvoiceEntry, Ledger
from kopa_cli.load.workspace import Workspace, parse_alone

Located = tuple[Ledger, int, InvoiceEntry]  # a ledger, the entry's index in it, the entry


def _at(ledger: Ledger, index: int, code: Code, *key: str, **args: object) -> Diagnostic:
    """A diagnostic at the entry ``index`` of ``ledger``, at its value of ``key`` if given."""
    return diagnostic(ledger.origin.path, ledger.origin.at(index, *key), code, **args)


def _sound_ledgers(ws: Workspace) -> tuple[list[Ledger], list[Diagnostic]]:
    """The ledgers of the call's fee years whose files have no errors of their own, in year
    order; and a KOPA701 for each ledger named for no fee year."""
    years = {str(year) for year in (ws.call.fee.years or ()) if year is not None}
    broken = {d.path for d in ws.diagnostics if d.severity is Severity.ERROR}
    sound, problems = [], []
    for year, ledger in sorted(ws.ledgers.items()):
        if year not in years:
            name = ledger.origin.path.rsplit("/", 1)[-1]
            problems.append(diagnostic(ledger.origin.path, (1, 1), codes.LEDGER_NOT_A_FEE_YEAR, name=name, years=sorted(years)))
        elif ledger.origin.path not in broken:
            sound.append(ledger)
    return sound, problems


def check_ledgers(ws: Workspace, records_have_errors: bool) -> Iterator[Diagnostic]:
    """Every ledger rule. ``records_have_errors``: the other records have errors, so the fee
    split cannot be computed and the amounts are not compared with it (those errors come first)."""
    if ws.call is None or ws.call.fee is None or ws.call.invoicing is None:
        return
    ledgers, problems = _sound_ledgers(ws)
    yield from problems
    located = [(ledger, index, entry) for ledger in ledgers for index, entry in enumerate(ledger.entries)]
    for ledger in ledgers:
        yield from _series(ws, ledger)
    for item in located:
        yield from _entry(ws, *item)
    yield from _duplicates(located)
    yield from _credit_notes(located)
    yield from _live(located, ws, records_have_errors)
    yield from _append_only(ws, ledgers)


def _series(ws: Workspace, ledger: Ledger) -> Iterator[Diagnostic]:
    """KOPA702, 704, 705: the entries of one year, numbered and dated in file order."""
    year = int(ledger.id)
    first = invoicing.expected_number(ws.call, year, 0)
    previous = None
    for index, entry in enumerate(ledger.entries):
        if entry.fee_year != year:
            yield _at(ledger, index, codes.LEDGER_WRONG_YEAR, "fee_year", key="fee_year", value=entry.fee_year, year=year)
        if not entry.number.startswith(ledger.id):
            yield _at(ledger, index, codes.LEDGER_WRONG_YEAR, "number", key="number", value=entry.number, year=year)
        expected = invoicing.expected_number(ws.call, year, index)
        if entry.number != expected:
            yield _at(ledger, index, codes.INVOICE_NUMBER_GAP, "number", value=entry.number, year=year, expected=expected, first=first)
        if previous is not None and entry.date < previous:
            yield _at(ledger, index, codes.INVOICE_DATE_ORDER, "date", date=entry.date, previous=previous)
        previous = entry.date


_POSITIVE = Msg(N_("an invoice's amounts are greater than zero"))
_NEGATIVE = Msg(N_("a credit note's amounts are less than zero"))


def _entry(ws: Workspace, ledger: Ledger, index: int, entry: InvoiceEntry) -> Iterator[Diagnostic]:
    """KOPA706-711, 715, 401: one entry on its own."""
    reference = make_reference(entry.number)
    if entry.reference != reference:
        yield _at(ledger, index, codes.WRONG_INVOICE_REFERENCE, "reference", value=entry.reference, number=entry.number, expected=reference)
    if not entry.date <= entry.due <= entry.date + timedelta(days=invoicing.MAX_DUE_DAYS):
        yield _at(ledger, index, codes.WRONG_DUE_DATE, "due", due=entry.due, date=entry.date)
    if entry.net + entry.vat != entry.total:  # (_adds_up, with the reason)
        yield _at(ledger, index, codes.WRONG_TOTAL, "total", value=Euros(entry.total), net=Euros(entry.net),
                  vat=Euros(entry.vat), expected=Euros(entry.net + entry.vat))
    if vat_amount(entry.net, entry.vat_rate) != entry.vat:
        yield _at(ledger, index, codes.WRONG_VAT, "vat", value=Euros(entry.vat), rate=f"{entry.vat_rate:f} %", net=Euros(entry.net),
                  expected=Euros(vat_amount(entry.net, entry.vat_rate)))
    credit_note = entry.kind == invoicing.CREDIT_NOTE
    for key in ("net", "total"):
        amount = getattr(entry, key)
        if (amount >= 0) if credit_note else (amount <= 0):
            yield _at(ledger, index, codes.WRONG_SIGN, key, key=key, value=Euros(amount), requirement=_NEGATIVE if credit_note else _POSITIVE)
    if credit_note and entry.credits is None:
        yield _at(ledger, index, codes.CREDITS_MISPLACED, requirement=Msg(N_("a credit note names here the number of the invoice it corrects")))
    if not credit_note and entry.credits is not None:
        yield _at(ledger, index, codes.CREDITS_MISPLACED, "credits", requirement=Msg(N_("only a credit note corrects another invoice; an invoice has no credits")))
    if entry.pilot not in ws.pilots:
        yield no_such(ws, "pilots", entry.pilot, ledger.origin.path, ledger.origin.at(index, "pilot"))
    if entry.member not in ws.organizations:
        yield no_such(ws, "organizations", entry.member, ledger.origin.path, ledger.origin.at(index, "member"))


def _duplicates(located: list[Located]) -> Iterator[Diagnostic]:
    """KOPA703: a number used twice, in one ledger or two."""
    first: dict[str, str] = {}
    for ledger, index, entry in located:
        if entry.number in first:
            yield _at(ledger, index, codes.DUPLICATE_INVOICE_NUMBER, "number", value=entry.number, other=first[entry.number])
        else:
            first[entry.number] = f"{ledger.origin.path}:{ledger.origin.at(index)[0]}"


def _credit_notes(located: list[Located]) -> Iterator[Diagnostic]:
    """KOPA712-714: what a credit note corrects, and that it corrects no more than was invoiced."""
    by_number = {entry.number: entry for _, _, entry in reversed(located)}  # the first of a repeated number
    credited: Counter[str] = Counter()
    for ledger, index, note in located:
        if note.kind != invoicing.CREDIT_NOTE or note.credits is None:
            continue
        original = by_number.get(note.credits)
        if original is None or original.kind != invoicing.INVOICE:
            reason = N_("which is not in any ledger") if original is None else N_("which is a credit note; a credit note corrects an invoice")
            yield _at(ledger, index, codes.CREDITS_NOT_AN_INVOICE, "credits", value=note.credits, reason=Msg(reason))
            continue
        for key in ("member", "pilot", "fee_year", "vat_rate"):
            if getattr(note, key) != getattr(original, key):
                yield _at(ledger, index, codes.CREDIT_NOTE_MISMATCH, key, key=key, value=getattr(note, key),
                          number=original.number, expected=getattr(original, key))
        credited[original.number] -= note.total
        if credited[original.number] > original.total:
            yield _at(ledger, index, codes.OVER_CREDITED, "total", number=original.number,
                      credited=Euros(credited[original.number]), total=Euros(original.total))


def _live(located: list[Located], ws: Workspace, records_have_errors: bool) -> Iterator[Diagnostic]:
    """KOPA717: one live invoice per share; KOPA716, KOPA720: a live invoice the fee split no longer gives."""
    all_entries = [entry for _, _, entry in located]
    live = {id(entry) for entry in invoicing.live(all_entries)}
    credits = invoicing.credited(all_entries)
    shares = None
    if not records_have_errors:
        try:
            shares = {line.key: line for line in compute_fees(ws)}
        except KopaError:  # a fee split that cannot be made is reported by the other rules
            pass
    first: dict[tuple[str, str, int], str] = {}
    for ledger, index, entry in located:
        if id(entry) not in live:
            continue
        key = invoicing.key_of(entry)
        if key in first:
            yield _at(ledger, index, codes.TWO_LIVE_INVOICES, "number", member=entry.member, other=first[key],
                      pilot=entry.pilot, year=entry.fee_year)
            continue
        first[key] = entry.number
        if shares is None or not _adds_up(entry) or entry.pilot not in ws.pilots or entry.member not in ws.organizations:
            continue  # its own errors first
        line = shares.get(key)
        billed = entry.total + credits.get(entry.number, Decimal(0))
        if line is None or (line.gross, line.vat_rate) != (billed, entry.vat_rate) or line.net != entry.net:
            about = {"number": entry.number, "member": entry.member, "total": Euros(billed), "pilot": entry.pilot, "year": entry.fee_year}
            if line is None:
                yield _at(ledger, index, codes.SHARE_GONE, "total", **about)
            else:
                yield _at(ledger, index, codes.SHARE_CHANGED, "total", share=Euros(line.gross), **about)


def _adds_up(entry: InvoiceEntry) -> bool:
    return entry.net + entry.vat == entry.total and vat_amount(entry.net, entry.vat_rate) == entry.vat


_COMPARED = tuple(f.name for f in fields(InvoiceEntry) if f.name != "origin")


def _append_only(ws: Workspace, ledgers: list[Ledger]) -> Iterator[Diagnostic]:
    """KOPA718, 719: every entry of the last commit is still there, unchanged (compared as
    parsed data, so a changed comment or quoting style is not a change)."""
    if not ws.committed_ledgers:
        return
    current = {ledger.origin.path: ledger for ledger in ws.ledgers.values()}
    sound = {ledger.origin.path for ledger in ledgers}
    for path, data in sorted(ws.committed_ledgers.items()):
        if path in current and path not in sound:
            continue  # its own errors come first
        committed, problems = parse_alone("invoices", path, data)
        if committed is None or any(p.severity is Severity.ERROR for p in problems):
            continue  # nothing reliable to compare with
        ledger = current.get(path)
        now = ledger.entries if ledger is not None else []
        index_of = {}
        for index, entry in enumerate(now):
            index_of.setdefault(entry.number, index)
        for position, old in enumerate(committed.entries):
            index = index_of.get(old.number)
            if index is None:
                where = ledger.origin.at(min(position, len(now) - 1)) if ledger is not None and now else (1, 1)
                yield diagnostic(path, where, codes.ENTRY_REMOVED, number=old.number, file=path)
                continue
            changed = [key for key in _COMPARED if getattr(now[index], key) != getattr(old, key)]
            if changed:
                yield _at(ledger, index, codes.ENTRY_CHANGED, changed[0], number=old.number, keys=changed, file=path)
