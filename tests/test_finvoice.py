"""Finvoice 3.0 e-invoices: every message validated against the official schema, values checked.

The schema is not part of kopa: it lies beside the repository, in ../shared/finvoice/ (see its
SOURCE.md). Without it these tests are skipped on a developer's machine and fail under CI.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from conftest import REPO, SHIPPED_RECORDS
from kopa_cli.commands.common import load
from kopa_cli.core.identifiers import make_reference
from kopa_cli.load.records import Buyer, EInvoice, InvoiceEntry
from kopa_cli.render.finvoice import finvoice_xml

SCHEMA = REPO.parent / "shared" / "finvoice" / "Finvoice3.0.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    if not SCHEMA.is_file():
        message = f"the Finvoice 3.0 schema is not at {SCHEMA}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="module")
def workspace():
    return load(SHIPPED_RECORDS.parent, None, use_cache=False)


def buyer_of(workspace, org: str, **changes) -> Buyer:
    """The buyer snapshot `kopa invoice issue` keeps, from a shipped organisation."""
    record = workspace.organizations[org]
    buyer = Buyer(name=record.name, business_id=record.business_id, address=record.address,
                  einvoice=record.einvoice, billing_email=record.billing_email, language=record.language)
    return dataclasses.replace(buyer, **changes)


def invoice(workspace, org="kajaani", number="20200001", **changes) -> InvoiceEntry:
    entry = InvoiceEntry(
        number=number, kind="invoice", date=date(2020, 3, 2), due=date(2020, 3, 23), pilot="kainuu-lukiot",
        member=org, fee_year=2020, net=Decimal("1666.67"), vat_rate=Decimal("24"), vat=Decimal("400.00"),
        total=Decimal("2066.67"), reference=make_reference(number), buyer=buyer_of(workspace, org),
        pilot_name="Kainuun lukioverkko",
    )
    return dataclasses.replace(entry, **changes)


def credit_note(original: InvoiceEntry, number="20200004", reason="Jäsen erosi") -> InvoiceEntry:
    return dataclasses.replace(
        original, number=number, kind="credit_note", date=date(2020, 4, 1), due=date(2020, 4, 22),
        net=-original.net, vat=-original.vat, total=-original.total, reference=make_reference(number),
        credits=original.number, reason=reason,
    )


def parsed(data: bytes, schema: etree.XMLSchema) -> etree._Element:
    """The message as a tree, after checking it against the schema (the failure lists the errors)."""
    document = etree.fromstring(data)
    assert schema.validate(document), "\n".join(str(error) for error in schema.error_log)
    return document


def text(document: etree._Element, path: str) -> str:
    found = document.findall(path)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0].text


def messages(workspace):
    """(name, entry, original) of every kind of message: invoice and credit note, each language,
    with and without an e-invoice address, buyer's reference and e-mail, amounts with cents."""
    kajaani = invoice(workspace)
    narpes = invoice(workspace, "narpes", "20200002", pilot="sydosterbotten-utbildning", pilot_name="Sydösterbotten lär tillsammans",
                     net=Decimal("2142.86"), vat=Decimal("514.29"), total=Decimal("2657.15"))
    english = invoice(workspace, "kuhmo", "20200003", buyer=buyer_of(workspace, "kuhmo", language="en", buyer_reference="PO 4711/Kuhmo"))
    plain = invoice(workspace, "sotkamo", "20200005", buyer=buyer_of(workspace, "sotkamo", einvoice=None, billing_email=None),
                    vat_rate=Decimal("25.5"), net=Decimal("1666.66"), vat=Decimal("425.00"), total=Decimal("2091.66"))
    return [
        ("invoice-fi", kajaani, None),
        ("invoice-sv", narpes, None),
        ("invoice-en-reference", english, None),
        ("invoice-no-einvoice", plain, None),
        ("credit-fi", credit_note(kajaani), kajaani),
        ("credit-sv", credit_note(narpes, "20200006", "Fel fördelning"), narpes),
        ("credit-en-no-reason", credit_note(english, "20200007", None), english),
    ]


def test_every_kind_of_message_is_valid_finvoice_3(workspace, schema):
    for name, entry, original in messages(workspace):
        data = finvoice_xml(entry, workspace.call, original)
        document = parsed(data, schema)
        assert document.tag == "Finvoice" and document.get("Version") == "3.0" and document.nsmap == {}, name
        assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<Finvoice Version=\"3.0\">"), name


def test_an_invoice_carries_what_the_law_and_finance_offices_require(workspace, schema):
    document = parsed(finvoice_xml(invoice(workspace), workspace.call), schema)
    assert text(document, "InvoiceDetails/InvoiceTypeCode") == "INV01"
    assert text(document, "InvoiceDetails/InvoiceTypeText") == "LASKU"
    assert text(document, "InvoiceDetails/InvoiceNumber") == "20200001"
    assert text(document, "InvoiceDetails/InvoiceDate") == "20200302"
    assert document.find("InvoiceDetails/InvoiceDate").get("Format") == "CCYYMMDD"
    assert text(document, "InvoiceDetails/InvoiceTotalVatExcludedAmount") == "1666,67"
    assert text(document, "InvoiceDetails/InvoiceTotalVatAmount") == "400,00"
    assert text(document, "InvoiceDetails/InvoiceTotalVatIncludedAmount") == "2066,67"
    assert document.find("InvoiceDetails/InvoiceTotalVatIncludedAmount").get("AmountCurrencyIdentifier") == "EUR"
    assert [text(document, f"InvoiceDetails/VatSpecificationDetails/{tag}") for tag in ("VatBaseAmount", "VatRatePercent", "VatRateAmount")] == ["1666,67", "24", "400,00"]
    assert [text(document, f"InvoiceDetails/{tag}") for tag in ("InvoicingPeriodStartDate", "InvoicingPeriodEndDate")] == ["20200101", "20201231"]
    assert text(document, "InvoiceDetails/PaymentTermsDetails/InvoiceDueDate") == "20200323"
    assert text(document, "InvoiceDetails/PaymentTermsDetails/PaymentTermsFreeText") == "21 päivää netto"
    assert text(document, "InvoiceDetails/PaymentTermsDetails/PaymentOverDueFineDetails/PaymentOverDueFineFreeText") == "Viivästyskorko korkolain mukaan"
    # the seller: name, Y-tunnus, VAT id, address, contact, bank account
    assert text(document, "SellerPartyDetails/SellerOrganisationName") == "Suomen Kuntaliitto ry"
    assert text(document, "SellerPartyDetails/SellerPartyIdentifier") == "0926151-4"
    assert text(document, "SellerPartyDetails/SellerOrganisationTaxCode") == "FI09261514"
    assert text(document, "SellerPartyDetails/SellerPostalAddressDetails/SellerPostCodeIdentifier") == "00530"
    assert text(document, "SellerContactPersonName") == "Irmeli Myllymäki"
    assert text(document, "SellerInformationDetails/SellerAccountDetails/SellerAccountID") == "FI2617453000123456"
    assert text(document, "SellerInformationDetails/SellerAccountDetails/SellerBic") == "NDEAFIHH"
    # the buyer as the ledger keeps it
    assert text(document, "BuyerPartyDetails/BuyerOrganisationName") == "Kajaanin kaupunki"
    assert text(document, "BuyerPartyDetails/BuyerPartyIdentifier") == workspace.organizations["kajaani"].business_id
    assert text(document, "BuyerOrganisationUnitNumber") == workspace.organizations["kajaani"].einvoice.address
    assert text(document, "InvoiceRecipientLanguageCode") == "FI"
    # the row: the service, its period and amounts
    assert text(document, "InvoiceRow/ArticleName") == "KOPA-pilottimaksu 2020"
    assert text(document, "InvoiceRow/RowFreeText") == "Pilotti Kainuun lukioverkko, maksuvuosi 2020, ajalta 1.1.2020–31.12.2020"
    assert [text(document, f"InvoiceRow/{tag}") for tag in ("InvoicedQuantity", "UnitPriceAmount", "RowVatExcludedAmount", "RowVatAmount", "RowAmount")] == ["1", "1666,67", "1666,67", "400,00", "2066,67"]
    # payment: account, viitenumero, amount, due date
    payment = "EpiDetails/EpiPaymentInstructionDetails"
    assert text(document, f"{payment}/EpiRemittanceInfoIdentifier") == make_reference("20200001")
    assert document.find(f"{payment}/EpiRemittanceInfoIdentifier").get("IdentificationSchemeName") == "SPY"
    assert text(document, f"{payment}/EpiInstructedAmount") == "2066,67"
    assert text(document, f"{payment}/EpiDateOptionDate") == "20200323"
    assert text(document, "EpiDetails/EpiPartyDetails/EpiBeneficiaryPartyDetails/EpiAccountID") == "FI2617453000123456"
    assert text(document, "EpiDetails/EpiPartyDetails/EpiBfiPartyDetails/EpiBfiIdentifier") == "NDEAFIHH"


def test_a_credit_note_is_inv02_with_negative_amounts_and_the_originals_number_and_date(workspace, schema):
    original = invoice(workspace)
    document = parsed(finvoice_xml(credit_note(original), workspace.call, original), schema)
    assert text(document, "InvoiceDetails/InvoiceTypeCode") == "INV02"
    assert text(document, "InvoiceDetails/InvoiceTypeCodeUN") == "381"
    assert text(document, "InvoiceDetails/InvoiceTypeText") == "HYVITYSLASKU"
    assert text(document, "InvoiceDetails/InvoiceNumber") == "20200004"
    assert text(document, "InvoiceDetails/OriginalInvoiceNumber") == "20200001"
    assert text(document, "InvoiceDetails/OriginalInvoiceDate") == "20200302"
    assert text(document, "InvoiceDetails/OriginalInvoiceReference/InvoiceNumber") == "20200001"
    assert text(document, "InvoiceDetails/InvoiceTotalVatIncludedAmount") == "-2066,67"
    assert text(document, "InvoiceDetails/VatSpecificationDetails/VatRateAmount") == "-400,00"
    assert text(document, "InvoiceDetails/VatSpecificationDetails/VatRatePercent") == "24"
    assert text(document, "EpiDetails/EpiPaymentInstructionDetails/EpiInstructedAmount") == "-2066,67"
    assert [e.text for e in document.findall("InvoiceDetails/InvoiceFreeText")] == ["Hyvitys laskusta 20200001, päivätty 2.3.2020", "Syy: Jäsen erosi"]
    assert [text(document, f"InvoiceRow/{tag}") for tag in ("InvoicedQuantity", "UnitPriceAmount", "RowAmount")] == ["-1", "1666,67", "-2066,67"]


def test_a_credit_note_needs_the_invoice_it_credits(workspace):
    original = invoice(workspace)
    with pytest.raises(ValueError, match="20200001"):
        finvoice_xml(credit_note(original), workspace.call)
    with pytest.raises(ValueError):
        finvoice_xml(credit_note(original), workspace.call, invoice(workspace, number="20200002"))
    with pytest.raises(ValueError):
        finvoice_xml(original, workspace.call, original)


@pytest.mark.parametrize(("lang", "title", "term", "penalty", "row"), [
    ("sv", "FAKTURA", "21 dagar netto", "Dröjsmålsränta enligt räntelagen", "Pilot Kainuun lukioverkko, avgiftsår 2020, för tiden 1.1.2020–31.12.2020"),
    ("en", "INVOICE", "21 days net", "Penalty interest according to the Interest Act (korkolaki)", "Pilot Kainuun lukioverkko, fee year 2020, period 2020-01-01–2020-12-31"),
])
def test_texts_are_in_the_buyers_language(workspace, schema, lang, title, term, penalty, row):
    entry = invoice(workspace, buyer=buyer_of(workspace, "kajaani", language=lang))
    document = parsed(finvoice_xml(entry, workspace.call), schema)
    assert text(document, "InvoiceDetails/InvoiceTypeText") == title
    assert text(document, "InvoiceDetails/PaymentTermsDetails/PaymentTermsFreeText") == term
    assert text(document, "InvoiceDetails/PaymentTermsDetails/PaymentOverDueFineDetails/PaymentOverDueFineFreeText") == penalty
    assert text(document, "InvoiceRow/RowFreeText") == row
    assert text(document, "InvoiceRecipientLanguageCode") == lang.upper()


def test_the_buyers_reference_and_einvoice_address_when_known(workspace, schema):
    entry = invoice(workspace, buyer=buyer_of(workspace, "kajaani", buyer_reference="Kustannuspaikka 4100"))
    document = parsed(finvoice_xml(entry, workspace.call), schema)
    assert text(document, "InvoiceDetails/BuyerReferenceIdentifier") == "Kustannuspaikka 4100"
    assert text(document, "InvoiceRow/RowBuyerReferenceIdentifier") == "Kustannuspaikka 4100"
    assert document.find("MessageTransmissionDetails") is None  # no sender address: the operator adds it

    without = parsed(finvoice_xml(invoice(workspace, buyer=buyer_of(workspace, "kajaani", einvoice=None)), workspace.call), schema)
    assert without.find("BuyerOrganisationUnitNumber") is None and without.find("InvoiceDetails/BuyerReferenceIdentifier") is None


def test_with_the_senders_einvoice_address_the_message_is_routed_to_the_buyers_operator(workspace, schema):
    sender = EInvoice(address="003709261514", operator="003721291126")
    entry = invoice(workspace, "narpes", pilot_name="Sydösterbotten lär tillsammans")
    document = parsed(finvoice_xml(entry, workspace.call, sender=sender), schema)
    transmission = "MessageTransmissionDetails"
    assert text(document, f"{transmission}/MessageSenderDetails/FromIdentifier") == "003709261514"
    assert text(document, f"{transmission}/MessageReceiverDetails/ToIdentifier") == "003719390782"
    assert text(document, f"{transmission}/MessageReceiverDetails/ToIntermediator") == "003721291126"
    assert text(document, f"{transmission}/MessageDetails/MessageIdentifier") == "20200001"
    assert text(document, f"{transmission}/MessageDetails/MessageTimeStamp") == "2020-03-02T00:00:00"
    # a buyer without an e-invoice address: no frame to route by
    plain = invoice(workspace, buyer=buyer_of(workspace, "kajaani", einvoice=None))
    assert parsed(finvoice_xml(plain, workspace.call, sender=sender), schema).find(transmission) is None


def test_record_text_is_escaped_and_long_names_are_split_within_the_schemas_limits(workspace, schema):
    hostile = 'Kunta <b>"&amp;"</b> & \'Ab\' =HYPERLINK("http://x","y") ' + "pitkä nimi " * 8
    street = "Hyvin pitkän kadun nimi joka ei mahdu 35 merkkiin 1 A 2"
    buyer = buyer_of(workspace, "kajaani", name=hostile, buyer_reference="<viite> & \"ref\"",
                     address=dataclasses.replace(workspace.organizations["kajaani"].address, street=street))
    entry = invoice(workspace, buyer=buyer, pilot_name="Pilotti </RowFreeText><x/> & \x01 muu")
    data = finvoice_xml(entry, workspace.call)
    document = parsed(data, schema)
    names = [e.text for e in document.findall("BuyerPartyDetails/BuyerOrganisationName")]
    assert len(names) > 1 and all(len(name) <= 70 for name in names)
    assert " ".join(names) == " ".join(hostile.split())
    streets = [e.text for e in document.findall("BuyerPartyDetails/BuyerPostalAddressDetails/BuyerStreetName")]
    assert " ".join(streets) == street and all(len(line) <= 35 for line in streets)
    assert text(document, "InvoiceDetails/BuyerReferenceIdentifier") == "<viite> & \"ref\""
    assert text(document, "InvoiceRow/RowFreeText").startswith("Pilotti Pilotti </RowFreeText><x/> & \ufffd muu,")
    assert b"&lt;b&gt;\"&amp;amp;\"&lt;/b&gt; &amp;" in data and b"<x/>" not in data


def test_the_same_entry_gives_the_same_bytes(workspace):
    original = invoice(workspace)
    first = finvoice_xml(credit_note(original), workspace.call, original)
    assert finvoice_xml(credit_note(original), workspace.call, original) == first
