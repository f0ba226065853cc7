"""Finvoice 3.0 e-invoices: one message per ledger entry, for the finance office's operator.

Finvoice 3.0 (Finanssiala ry, schema of 11/2019) conforms to EN 16931, the e-invoice a Finnish
public-sector buyer may demand (laki 241/2019). The message has no namespace; amounts are written
with a decimal comma, dates as ``CCYYMMDD``; an invoice is ``INV01``, a credit note (hyvityslasku)
``INV02`` with the original's number and date (domain.md, "Invoices").

Built with the standard library's ElementTree, which escapes text and attribute values, so writing
e-invoices needs no extra dependency; the tests validate every message against the official
schema with lxml. The bytes depend only on the ledger entry and the call: no clock is read.
"""

from __future__ import annotations

import gettext
import re
import textwrap
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

from kopa_cli.core.i18n import N_, N_plural, translations
from kopa_cli.core.identifiers import is_iban
from kopa_cli.core.money import round_cents
from kopa_cli.core.formatting import day
from kopa_cli.load.records import Address, Call, EInvoice, InvoiceEntry

CURRENCY = "EUR"
# ISO 6523 codes of the identifier schemes: 0212 is the Finnish business id (Y-tunnus),
# 0037 the OVT code of Finnish e-invoice addresses.
SCHEME_BUSINESS_ID = "0212"
SCHEME_OVT = "0037"
# EN 16931 codes: UNTDID 1001 document type (380 invoice, 381 credit note) and
# UNTDID 5305 VAT category (S, standard rate).
UN_DOCUMENT_TYPE = {"invoice": "380", "credit_note": "381"}
VAT_CATEGORY_STANDARD = "S"

TYPE_CODE = {"invoice": "INV01", "credit_note": "INV02"}
# TRANSLATORS: Finvoice's InvoiceTypeText, shown as the document's title by e-invoice viewers.
TYPE_TEXT = {"invoice": N_("INVOICE"), "credit_note": N_("CREDIT NOTE")}
ARTICLE_NAME = N_("KOPA pilot fee {year}")
ROW_TEXT = N_("Pilot {pilot}, fee year {year}, period {start}–{end}")
CREDIT_TEXT = N_("Credit note for invoice {number} of {date}")
REASON_TEXT = N_("Reason: {reason}")
PAYMENT_TERM = N_plural("{days} day net", "{days} days net")
PENALTY_INTEREST = N_("Penalty interest according to the Interest Act (korkolaki)")

# Characters XML 1.0 cannot hold at all; a record value with one would make the message unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def finvoice_xml(
    entry: InvoiceEntry,
    call: Call,
    original: InvoiceEntry | None = None,
    sender: EInvoice | None = None,
) -> bytes:
    """The Finvoice 3.0 message of one ledger entry, UTF-8 bytes with an XML declaration.

    ``entry``: an invoice or a credit note of the ledger; its buyer snapshot gives the buyer's
    name, address, Y-tunnus, e-invoice address, buyer's reference and language (the texts are in
    that language). ``call``: its ``organizer`` is the seller. ``original``: for a credit note,
    the invoice it credits (its number and date are required on a correcting invoice,
    arvonlisäverolaki 209 e §). ``sender``: the seller's own e-invoice address and operator; with
    it and the buyer's, the message carries the routing frame (MessageTransmissionDetails),
    otherwise the finance office's operator adds it and the buyer's address is given as
    BuyerOrganisationUnitNumber.

    Raises ValueError for a credit note without its original, or an invoice with one (a
    caller's mistake).
    """
    if entry.kind == "credit_note" and (original is None or original.number != entry.credits):
        raise ValueError(f"credit note {entry.number} needs the invoice it credits ({entry.credits})")
    if entry.kind == "invoice" and original is not None:
        raise ValueError(f"invoice {entry.number} credits no other invoice")
    texts = translations(entry.buyer.language)
    root = ET.Element("Finvoice", Version="3.0")
    if sender is not None and entry.buyer.einvoice is not None:
        _transmission(root, entry, sender)
    _seller(root, call)
    _buyer(root, entry)
    _invoice_details(root, entry, original, texts)
    _row(root, entry, original, texts)
    _epi(root, entry, call)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def amount(value: Decimal) -> str:
    """An amount as Finvoice writes it: ``Decimal("2066.666")`` -> ``"2066,67"`` (half up)."""
    return f"{round_cents(value):f}".replace(".", ",")


def finvoice_date(value: date) -> str:
    """``date(2020, 3, 2)`` -> ``"20200302"`` (Format="CCYYMMDD")."""
    return value.strftime("%Y%m%d")


def percentage(rate: Decimal) -> str:
    """A VAT rate: ``Decimal("25.5")`` -> ``"25,5"``, ``Decimal("24")`` -> ``"24"``."""
    return f"{rate.normalize():f}".replace(".", ",")


def vat_number(business_id: str) -> str:
    """The Finnish VAT id of a Y-tunnus: ``"0926151-4"`` -> ``"FI09261514"``."""
    return "FI" + business_id.replace("-", "")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _amount(parent: ET.Element, tag: str, value: Decimal) -> None:
    _sub(parent, tag, amount(value), AmountCurrencyIdentifier=CURRENCY)


def _date(parent: ET.Element, tag: str, value: date) -> None:
    _sub(parent, tag, finvoice_date(value), Format="CCYYMMDD")


def _lines(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, for an element that may repeat
    (an organisation name over 70 characters, a street over 35)."""
    return textwrap.wrap(" ".join(text.split()), width) or [text]


def _cut(text: str, width: int) -> str:
    """``text`` within an element's length, an ellipsis marking a cut: for an element that cannot
    repeat, and a length no real value reaches (a town over 35 characters)."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _address(parent: ET.Element, prefix: str, address: Address) -> None:
    """Street (up to three lines of 35), town and postcode; Finvoice's limits, names by party."""
    details = _sub(parent, f"{prefix}PostalAddressDetails")
    for line in _lines(address.street, 35)[:3]:
        _sub(details, f"{prefix}StreetName", line)
    _sub(details, f"{prefix}TownName", _cut(address.city, 35))
    _sub(details, f"{prefix}PostCodeIdentifier", address.postcode)
    _sub(details, "CountryCode", "FI")


def _electronic_address(parent: ET.Element, tag: str, address: str) -> None:
    _sub(parent, tag, address, SchemeID="IBAN" if is_iban(address) else SCHEME_OVT)


def _transmission(root: ET.Element, entry: InvoiceEntry, sender: EInvoice) -> None:
    """The routing frame: from the seller's e-invoice address to the buyer's, through their operators."""
    details = _sub(root, "MessageTransmissionDetails")
    sender_details = _sub(details, "MessageSenderDetails")
    _electronic_address(sender_details, "FromIdentifier", sender.address)
    _sub(sender_details, "FromIntermediator", sender.operator)
    receiver = _sub(details, "MessageReceiverDetails")
    _electronic_address(receiver, "ToIdentifier", entry.buyer.einvoice.address)
    _sub(receiver, "ToIntermediator", entry.buyer.einvoice.operator)
    message = _sub(details, "MessageDetails")
    _sub(message, "MessageIdentifier", entry.number)
    _sub(message, "MessageTimeStamp", f"{entry.date.isoformat()}T00:00:00")  # the invoice date: no clock


def _seller(root: ET.Element, call: Call) -> None:
    seller = call.organizer
    party = _sub(root, "SellerPartyDetails")
    _sub(party, "SellerPartyIdentifier", seller.business_id, SchemeID=SCHEME_BUSINESS_ID)
    for line in _lines(seller.name, 70):
        _sub(party, "SellerOrganisationName", line)
    _sub(party, "SellerOrganisationTaxCode", vat_number(seller.business_id))
    _address(party, "Seller", seller.address)
    if seller.contacts:
        contact = seller.contacts[0]
        _sub(root, "SellerContactPersonName", _cut(contact.name, 70))
        if contact.phone or contact.email:
            communication = _sub(root, "SellerCommunicationDetails")
            if contact.phone:
                _sub(communication, "SellerPhoneNumberIdentifier", _cut(contact.phone, 35))
            if contact.email:
                _sub(communication, "SellerEmailaddressIdentifier", contact.email)
    information = _sub(root, "SellerInformationDetails")
    account = _sub(information, "SellerAccountDetails")
    _sub(account, "SellerAccountID", seller.iban.replace(" ", ""), IdentificationSchemeName="IBAN")
    _sub(account, "SellerBic", seller.bic, IdentificationSchemeName="BIC")


def _buyer(root: ET.Element, entry: InvoiceEntry) -> None:
    buyer = entry.buyer
    _sub(root, "InvoiceRecipientLanguageCode", buyer.language.upper())
    party = _sub(root, "BuyerPartyDetails")
    _sub(party, "BuyerPartyIdentifier", buyer.business_id, SchemeID=SCHEME_BUSINESS_ID)
    for line in _lines(buyer.name, 70):
        _sub(party, "BuyerOrganisationName", line)
    _address(party, "Buyer", buyer.address)
    if buyer.einvoice is not None:
        _sub(root, "BuyerOrganisationUnitNumber", buyer.einvoice.address)
    if buyer.billing_email:
        communication = _sub(root, "BuyerCommunicationDetails")
        _sub(communication, "BuyerEmailaddressIdentifier", buyer.billing_email)


def _period(entry: InvoiceEntry) -> tuple[date, date]:
    """The service period: the whole fee year."""
    return date(entry.fee_year, 1, 1), date(entry.fee_year, 12, 31)


def _invoice_details(root: ET.Element, entry: InvoiceEntry, original: InvoiceEntry | None, texts: gettext.NullTranslations) -> None:
    details = _sub(root, "InvoiceDetails")
    _sub(details, "InvoiceTypeCode", TYPE_CODE[entry.kind], CodeListAgencyIdentifier="SPY")
    _sub(details, "InvoiceTypeCodeUN", UN_DOCUMENT_TYPE[entry.kind])
    _sub(details, "InvoiceTypeText", texts.gettext(TYPE_TEXT[entry.kind]))
    _sub(details, "OriginCode", "Original")
    _sub(details, "InvoiceNumber", entry.number)
    _date(details, "InvoiceDate", entry.date)
    if original is not None:
        _sub(details, "OriginalInvoiceNumber", original.number)
        _date(details, "OriginalInvoiceDate", original.date)
        reference = _sub(details, "OriginalInvoiceReference")
        _sub(reference, "InvoiceNumber", original.number)
        _date(reference, "InvoiceDate", original.date)
    start, end = _period(entry)
    _date(details, "InvoicingPeriodStartDate", start)
    _date(details, "InvoicingPeriodEndDate", end)
    if entry.buyer.buyer_reference:
        # EN 16931 BT-10 "Buyer reference": the buyer's routing reference (cost centre, order number).
        _sub(details, "BuyerReferenceIdentifier", _cut(entry.buyer.buyer_reference, 70))
    _amount(details, "InvoiceTotalVatExcludedAmount", entry.net)
    _amount(details, "InvoiceTotalVatAmount", entry.vat)
    _amount(details, "InvoiceTotalVatIncludedAmount", entry.total)
    vat = _sub(details, "VatSpecificationDetails")
    _amount(vat, "VatBaseAmount", entry.net)
    _sub(vat, "VatRatePercent", percentage(entry.vat_rate))
    _sub(vat, "VatCode", VAT_CATEGORY_STANDARD)
    _amount(vat, "VatRateAmount", entry.vat)
    for text in _credit_texts(entry, original, texts):
        _sub(details, "InvoiceFreeText", _cut(text, 512))
    terms = _sub(details, "PaymentTermsDetails")
    days = (entry.due - entry.date).days
    _sub(terms, "PaymentTermsFreeText", texts.ngettext(*PAYMENT_TERM, days).format(days=days))
    _date(terms, "InvoiceDueDate", entry.due)
    fine = _sub(terms, "PaymentOverDueFineDetails")
    _sub(fine, "PaymentOverDueFineFreeText", texts.gettext(PENALTY_INTEREST))


def _credit_texts(entry: InvoiceEntry, original: InvoiceEntry | None, texts: gettext.NullTranslations) -> list[str]:
    if original is None:
        return []
    lang = entry.buyer.language
    found = [texts.gettext(CREDIT_TEXT).format(number=original.number, date=day(original.date, lang))]
    if entry.reason:
        found.append(texts.gettext(REASON_TEXT).format(reason=entry.reason))
    return found


def _row(root: ET.Element, entry: InvoiceEntry, original: InvoiceEntry | None, texts: gettext.NullTranslations) -> None:
    """The one row: the pilot's fee share for the fee year. A credit note has quantity -1 at
    the original's unit price (EN 16931: an item's net price is never negative)."""
    lang = entry.buyer.language
    start, end = _period(entry)
    row = _sub(root, "InvoiceRow")
    _sub(row, "ArticleIdentifier", entry.pilot)
    _sub(row, "ArticleName", _cut(texts.gettext(ARTICLE_NAME).format(year=entry.fee_year), 100))
    credit = entry.kind == "credit_note"
    _sub(row, "InvoicedQuantity", "-1" if credit else "1", QuantityUnitCodeUN="C62")
    _date(row, "StartDate", start)
    _date(row, "EndDate", end)
    _sub(row, "UnitPriceAmount", amount(abs(entry.net)), AmountCurrencyIdentifier=CURRENCY)
    if original is not None:
        _sub(row, "OriginalInvoiceNumber", original.number)
        _date(row, "OriginalInvoiceDate", original.date)
    if entry.buyer.buyer_reference:
        _sub(row, "RowBuyerReferenceIdentifier", _cut(entry.buyer.buyer_reference, 70))
    text = texts.gettext(ROW_TEXT).format(pilot=entry.pilot_name, year=entry.fee_year, start=day(start, lang), end=day(end, lang))
    _sub(row, "RowFreeText", _cut(text, 512))
    _sub(row, "RowVatRatePercent", percentage(entry.vat_rate))
    _sub(row, "RowVatCode", VAT_CATEGORY_STANDARD)
    _amount(row, "RowVatAmount", entry.vat)
    _amount(row, "RowVatExcludedAmount", entry.net)
    _amount(row, "RowAmount", entry.total)


def _epi(root: ET.Element, entry: InvoiceEntry, call: Call) -> None:
    """The payment part (EPI): the seller's bank account, the viitenumero and the due date."""
    seller = call.organizer
    epi = _sub(root, "EpiDetails")
    identification = _sub(epi, "EpiIdentificationDetails")
    _date(identification, "EpiDate", entry.date)
    _sub(identification, "EpiReference", entry.number)
    party = _sub(epi, "EpiPartyDetails")
    bank = _sub(party, "EpiBfiPartyDetails")
    _sub(bank, "EpiBfiIdentifier", seller.bic, IdentificationSchemeName="BIC")
    beneficiary = _sub(party, "EpiBeneficiaryPartyDetails")
    _sub(beneficiary, "EpiNameAddressDetails", _cut(seller.name, 35))
    _sub(beneficiary, "EpiBei", seller.business_id)
    _sub(beneficiary, "EpiAccountID", seller.iban.replace(" ", ""), IdentificationSchemeName="IBAN")
    payment = _sub(epi, "EpiPaymentInstructionDetails")
    _sub(payment, "EpiRemittanceInfoIdentifier", entry.reference, IdentificationSchemeName="SPY")
    _sub(payment, "EpiInstructedAmount", amount(entry.total), AmountCurrencyIdentifier=CURRENCY)
    _sub(payment, "EpiCharge", "SHA", ChargeOption="SHA")
    _date(payment, "EpiDateOptionDate", entry.due)
