"""The invoice ledger's plan: which invoices are live, which shares are still to bill, the next
numbers, and the new entries themselves. Pure: no I/O, no printing (commands/invoice.py
reads and writes the ledgers; check/ledger.py validates them with the same functions).

Numbers run per fee year, ``<year><sequence:04d>`` from ``invoicing.first_number``, without
gaps and in the order of the ledger file, shared by invoices and credit notes (record-format.md).
An invoice is *live* until credit notes credit its whole total: a share is billed again only
after its invoice is wholly credited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from kopa_cli.billing.fees import FeeLine
from kopa_cli.core.identifiers import make_reference
from kopa_cli.load.records import Buyer, Call, InvoiceEntry, Ledger, Organization
from kopa_cli.load.workspace import Workspace

SEQUENCE_DIGITS = 4  # record-format.md: <year><4-digit sequence>
MAX_NUMBER_DIGITS = 9  # a larger first_number may make a number 9 digits (formats.LEDGER_NUMBER_PATTERN)
MAX_DUE_DAYS = 30  # a public-sector buyer's longest payment term (laki 30/2013, 4 §)
INVOICE, CREDIT_NOTE = "invoice", "credit_note"


def number_of(year: int, sequence: int) -> str:
    """The ledger number of ``sequence`` in ``year``: ``number_of(2020, 1)`` -> ``"20200001"``."""
    return f"{year}{sequence:0{SEQUENCE_DIGITS}d}"


def first_sequence(call: Call) -> int:
    """The first sequence number of every year's series (``invoicing.first_number``)."""
    return call.invoicing.first_number if call.invoicing and call.invoicing.first_number else 1


def expected_number(call: Call, year: int, index: int) -> str:
    """The number the entry at ``index`` (0-based, in file order) of ``year``'s ledger must have."""
    return number_of(year, first_sequence(call) + index)


def entries(ledgers: Mapping[str, Ledger]) -> list[InvoiceEntry]:
    """Every entry of every ledger, by year, then in file order."""
    return [entry for year in sorted(ledgers) for entry in ledgers[year].entries if entry is not None]


def credited(all_entries: Iterable[InvoiceEntry]) -> dict[str, Decimal]:
    """How much of each invoice's total credit notes have credited (negative), by its number.
    A credit note with a positive total is an error (KOPA710) and credits nothing."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for entry in all_entries:
        if entry.kind == CREDIT_NOTE and entry.credits is not None and entry.total < 0:
            sums[entry.credits] += entry.total
    return dict(sums)


def live(all_entries: Iterable[InvoiceEntry]) -> list[InvoiceEntry]:
    """The invoices not wholly credited, in ledger order: what each member still owes."""
    all_entries = list(all_entries)
    credits = credited(all_entries)
    return [
        entry for entry in all_entries
        if entry.kind == INVOICE and entry.total + credits.get(entry.number, Decimal(0)) > 0
    ]


def key_of(entry: InvoiceEntry) -> tuple[str, str, int]:
    """(pilot, member, fee year): what the entry bills, as ``FeeLine.key``."""
    return (entry.pilot, entry.member, entry.fee_year)


def to_bill(lines: Iterable[FeeLine], all_entries: Iterable[InvoiceEntry]) -> list[FeeLine]:
    """The fee lines that have no live invoice, in their order, but for shares of 0.00 €
    (``nothing_to_bill``): an invoice of nothing would never be live, nor could be credited."""
    billed = {key_of(entry) for entry in live(all_entries)}
    return [line for line in lines if line.key not in billed and not nothing_to_bill(line)]


def nothing_to_bill(line: FeeLine) -> bool:
    """A share of 0.00 €, as a tiny fee split among many members gives (0.01 € among three)."""
    return line.gross <= 0


def buyer_of(organization: Organization, buyer_reference: str | None) -> Buyer:
    """The buyer as an invoice shows it: a snapshot of the organisation record and of the
    pilot member's own reference (arvonlisäverolaki 209 e §: the buyer's name and address)."""
    return Buyer(
        name=organization.name,
        business_id=organization.business_id,
        address=organization.address,
        einvoice=organization.einvoice,
        billing_email=organization.billing_email,
        language=organization.language,
        buyer_reference=buyer_reference,
    )


@dataclass(frozen=True)
class Series:
    """The numbers still free in one fee year's ledger: the next one is ``number``, then ``following()``'s."""

    year: int
    sequence: int  # the next sequence number

    @classmethod
    def after(cls, call: Call, year: int, ledger: Ledger | None) -> Series:
        """The series of ``year`` after the entries of its ledger (gapless, by count)."""
        return cls(year, first_sequence(call) + (len(ledger.entries) if ledger is not None else 0))

    @property
    def number(self) -> str:
        return number_of(self.year, self.sequence)

    def following(self) -> Series:
        return Series(self.year, self.sequence + 1)


def new_invoice(workspace: Workspace, line: FeeLine, number: str, issued: date) -> InvoiceEntry:
    """The invoice of one fee line: its number, ``issued`` date, due date after the call's
    payment term, viitenumero from the number, and the buyer as the records show it today.

    The workspace must be valid and hold the line's pilot and member (``compute_fees`` made it)."""
    call = workspace.call
    assert call is not None  # compute_fees gives no lines without a call
    pilot = workspace.pilots[line.pilot]
    member = next(m for m in pilot.members if m.org == line.member)
    return InvoiceEntry(
        number=number,
        kind=INVOICE,
        date=issued,
        due=issued + timedelta(days=call.invoicing.payment_term_days),
        pilot=line.pilot,
        member=line.member,
        fee_year=line.year,
        net=line.net,
        vat_rate=line.vat_rate,
        vat=line.vat,
        total=line.gross,
        reference=make_reference(number),
        credits=None,
        reason=None,
        buyer=buyer_of(workspace.organizations[line.member], member.buyer_reference),
        pilot_name=workspace.pilot_name(pilot) or pilot.id,
    )


def credit_note(original: InvoiceEntry, number: str, issued: date, reason: str | None) -> InvoiceEntry:
    """A credit note (hyvityslasku) that credits the whole of ``original``: negative amounts at
    its VAT rate, its buyer and pilot name as that invoice showed them. Nothing is to be paid,
    so the due date is the date itself."""
    return replace(
        original,
        number=number,
        kind=CREDIT_NOTE,
        date=issued,
        due=issued,
        net=-original.net,
        vat=-original.vat,
        total=-original.total,
        reference=make_reference(number),
        credits=original.number,
        reason=reason,
        origin=None,  # made here, not read from a ledger
    )
