"""The record kinds of a workspace, each defined once (record-format.md).

These frozen dataclasses are read by structure.py (validation), schema.py (JSON Schema)
and the commands. Labels are the call's own words, translated by gettext.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal, Mapping

from kopa_cli.load.formats import (
    Age,
    AreaCode,
    Bic,
    BusinessId,
    CharacterLimit,
    EInvoiceAddress,
    EInvoiceOperator,
    Email,
    GoalNumber,
    Iban,
    InvoiceNumber,
    Id,
    LedgerNumber,
    MunicipalityCode,
    Paragraphs,
    PaymentTerm,
    Phone,
    Population,
    PositiveMoney,
    Postcode,
    Rate,
    Reference,
    SignedMoney,
    Weight,
    Year,
)
from kopa_cli.core.i18n import N_
from kopa_cli.core.money import FINNISH_GENERAL_VAT
from kopa_cli.load.structure import internal, key
from kopa_cli.core.origin import Origin

Language = Literal["fi", "sv", "en"]
SplitMethod = Literal["equal", "population", "weights"]
Status = Literal["submitted", "selected", "rejected", "withdrawn"]
OrganizationType = Literal["municipality", "joint_authority", "provider", "other"]
RequiredContent = Literal["name", "responsible", "members", "goal", "goals", "education_forms", "plan"]
TextField = Literal["name", "goal", "plan"]


@dataclass(frozen=True)
class Localized:
    fi: str = key(required=True)
    sv: str | None = key()
    en: str | None = key()


@dataclass(frozen=True)
class Address:
    street: str = key(required=True)
    postcode: Postcode = key(required=True)
    city: str = key(required=True)


@dataclass(frozen=True)
class Person:
    name: str = key(required=True)
    title: str | None = key()
    email: Email | None = key()
    phone: Phone | None = key()


@dataclass(frozen=True)
class Fee:
    annual: PositiveMoney = key(required=True, doc="The fee per pilot per year, VAT excluded, greater than zero.")
    currency: Literal["EUR"] = key("EUR")
    years: list[Year] = key(required=True)
    split: SplitMethod = key("equal", doc="The default split method of pilots.")
    vat: dict[date, Rate] = key({}, doc="The general VAT rate (%) by start date.")

    def vat_table(self) -> Mapping[date, Decimal]:
        """The dated VAT rates: the call's own, or else the Finnish general rates."""
        return self.vat or FINNISH_GENERAL_VAT


@dataclass(frozen=True)
class EInvoice:
    address: EInvoiceAddress = key(required=True)
    operator: EInvoiceOperator = key(required=True)


@dataclass(frozen=True)
class Organizer:
    name: str = key(required=True)
    business_id: BusinessId = key(required=True)
    address: Address = key(required=True)
    iban: Iban = key(required=True)
    bic: Bic = key(required=True)
    contacts: list[Person] = key([])
    einvoice: EInvoice | None = key(doc="The organiser's own e-invoice address and operator: the sender of its Finvoice messages.")


@dataclass(frozen=True)
class Invoicing:
    payment_term_days: PaymentTerm = key(21, doc="At most 30 for public-sector buyers (laki 30/2013).")
    first_number: InvoiceNumber = key(1)


@dataclass(frozen=True)
class Call:
    id: Id = key(required=True)
    title: Localized = key(required=True)
    language: Language = key("fi")
    deadline: date = key(required=True)
    max_chars: CharacterLimit = key(5000)
    required: list[RequiredContent] = key([])
    text_fields: list[TextField] = key(["name", "goal", "plan"])
    education_forms: list[str] = key(required=True)
    goals: dict[GoalNumber, str] = key(required=True)
    fee: Fee = key(required=True)
    organizer: Organizer = key(required=True)
    invoicing: Invoicing = key(Invoicing())
    origin: Origin = internal()


@dataclass(frozen=True)
class Organization:
    name: str = key(required=True)
    type: OrganizationType = key(required=True)
    municipality_code: MunicipalityCode | None = key()
    business_id: BusinessId = key(required=True)
    language: Language = key("fi", doc="The language of this member's invoices.")
    address: Address = key(required=True)
    einvoice: EInvoice | None = key()
    billing_email: Email | None = key()
    population: dict[Year, Population] = key({}, doc="Population on 31.12. of each year.")
    id: str = internal()
    origin: Origin = internal()


@dataclass(frozen=True)
class Responsible:
    organization: Id = key(required=True, label=N_("responsible organisation"))
    person: Person = key(required=True)


RESPONSIBLE = N_("Responsible organisation and responsible person")  # of an application and of its pilot


@dataclass(frozen=True)
class Application:
    name: str | None = key(label=N_("Pilot name"))
    call: Id = key(required=True)
    submitted: date = key(required=True)
    status: Status = key(required=True)
    responsible: Responsible | None = key(label=RESPONSIBLE)
    members: list[Id] = key([], label=N_("Cooperation area: municipalities and/or education providers"))
    education_forms: list[str] = key([], label=N_("Education forms under review"))
    goals: list[int] = key([], label=N_("How the goal links to the project's goals"))
    # A Markdown application's sections (markdowndoc.py): headed by the label, or by one of the
    # headings, in any of kopa's languages: the call's whole item 4 for the goal, and the short
    # heading of applications written before.
    goal: Paragraphs | None = key(
        label=N_("Regional goal or challenge"),
        headings=(N_("Regional goal or challenge and how it links to the project's goals"),),
    )
    plan: Paragraphs | None = key(
        label=N_("Short description of how the development work will be done"),
        headings=(N_("Implementation"),),
    )
    id: str = internal()
    origin: Origin = internal()
    char_counts: dict[str, int] = internal()  # each text field's length, counted as the call says


@dataclass(frozen=True)
class Approval:
    date: date = key(required=True)
    body: str = key(required=True, doc="The body that decided, e.g. Kaupunginhallitus.")
    reference: str | None = key(doc="The decision's reference, e.g. § 12.")


@dataclass(frozen=True)
class PilotMember:
    org: Id = key(required=True)
    approval: Approval | None = key(label=N_("authorisation and approval"))
    buyer_reference: str | None = key(doc="The member's own reference, printed on its invoices.")
    weight: Weight | None = key(doc="The member's weight in a weights split.")
    joined: date | None = key(doc="A member from a later year pays from that year on.")
    left: date | None = key(doc="A member that left pays up to that year.")

    def takes_part_in(self, year: int) -> bool:
        return (self.joined is None or self.joined.year <= year) and (self.left is None or self.left.year >= year)


@dataclass(frozen=True)
class Pilot:
    application: Id = key(required=True)
    name: str | None = key()
    years: list[Year] | None = key()
    responsible: Responsible | None = key(label=RESPONSIBLE)
    split: SplitMethod | None = key()
    population_year: Year | None = key()
    members: list[PilotMember] = key(required=True)
    id: str = internal()
    origin: Origin = internal()

    def fee_years(self, call: Call | None) -> tuple[int, ...]:
        """The years this pilot pays for: its own ``years``, else the call's fee years
        (without those that could not be read)."""
        years = self.years if self.years is not None else ((call.fee.years or ()) if call and call.fee else ())
        return tuple(y for y in years if y is not None)

    def split_method(self, call: Call | None) -> str:
        """How the fee is split: the pilot's ``split``, else the call's, else ``"equal"``."""
        return self.split or (call.fee.split if call and call.fee and call.fee.split else "equal")


InvoiceKind = Literal["invoice", "credit_note"]


@dataclass(frozen=True)
class Buyer:
    """The buyer as the invoice showed it: a snapshot of the organisation record and the
    pilot member, so that an old invoice renders the same after the records change."""

    name: str = key(required=True)
    business_id: BusinessId = key(required=True)
    address: Address = key(required=True)
    einvoice: EInvoice | None = key()
    billing_email: Email | None = key()
    language: Language = key("fi")
    buyer_reference: str | None = key(doc="The member's own reference (cost centre, order number).")


@dataclass(frozen=True)
class InvoiceEntry:
    """One issued invoice or credit note of the ledger records/invoices/<year>.yaml.

    Written only by `kopa invoice`, never changed once committed (record-format.md).
    Amounts are in euros with cents; a credit note's are negative, at the original's VAT rate.
    """

    number: LedgerNumber = key(required=True, doc="<fee year><4-digit sequence>; invoices and credit notes share the series.")
    kind: InvoiceKind = key(required=True)
    date: date = key(required=True, doc="The invoice date.")
    due: date = key(required=True, doc="The due date: the invoice date + invoicing.payment_term_days.")
    pilot: Id = key(required=True)
    member: Id = key(required=True)
    fee_year: Year = key(required=True)
    net: SignedMoney = key(required=True)
    vat_rate: Rate = key(required=True)
    # labelled: a bare "vat" or "reference" names the call's VAT rates or a pilot's section of the minutes
    vat: SignedMoney = key(required=True, label=N_("VAT amount"))
    total: SignedMoney = key(required=True)
    reference: Reference = key(required=True, label=N_("reference number"),
                               doc="Viitenumero: the number and its 7-3-1 check digit.")
    credits: LedgerNumber | None = key(doc="On a credit note: the number of the invoice it corrects.")
    reason: str | None = key(doc="On a credit note: why.")
    buyer: Buyer = key(required=True)
    pilot_name: str = key(required=True)
    origin: Origin = internal()


@dataclass(frozen=True)
class Ledger:
    """The invoice ledger of one year: records/invoices/<year>.yaml, a list of entries."""

    WHOLE_FILE: ClassVar[str] = "entries"  # the file is the list itself, not a mapping (structure.py)
    entries: list[InvoiceEntry] = key([])
    id: str = internal()  # the year, as the file's stem
    origin: Origin = internal()


@dataclass(frozen=True)
class AreaStatistics:
    """One area's figures in a statistics file: by year, and by year and age where the
    table has ages. A figure the table does not give ("..") is null."""

    name: str = key(required=True, doc="The area's name as the table gives it.")
    total: dict[Year, Population | None] = key({}, doc="The figure for the whole area (all ages), by year.")
    ages: dict[Year, dict[Age, Population | None]] = key({}, doc="The figure by age in whole years, by year; the oldest age holds everyone older.")


@dataclass(frozen=True)
class Statistics:
    """A table of Statistics Finland, imported by `kopa stats import` into
    records/statistics/<id>.yaml: the figures per area (municipality code, or SSS for the
    whole country) with their source. Licence CC BY 4.0: cite the source and the table."""

    table: str = key(required=True, doc="The table's id in PxWeb, e.g. 11re.")
    title: str = key(required=True, doc="The table's title as published.")
    source: str = key(required=True, doc="Who published it: Tilastokeskus (Statistics Finland).")
    licence: Literal["CC BY 4.0"] = key(required=True, doc="Statistics Finland's licence for its tables.")
    url: str | None = key(doc="Where the table is published.")
    contents: str | None = key(doc="What the figures are, as the table says: Väestö 31.12.")
    unit: str | None = key(doc="The figures' unit, as the table says: henkilöä.")
    population: bool = key(False, doc="The figures are the population on 31.12.: the pilot report shows them.")
    updated: date | None = key(doc="The table's own date (LAST-UPDATED, or the API's updated).")
    imported: date = key(required=True, doc="The day kopa stats import read the file.")
    file: str | None = key(doc="The name of the file imported.")
    note: str | None = key(doc="Anything a reader must know, e.g. that some figures are examples.")
    areas: dict[AreaCode, AreaStatistics] = key(required=True, doc="The figures by area code.")
    id: str = internal()
    origin: Origin = internal()
