"""Invoice and credit note workbooks from the built-in template, their file names, and the
ledger workbook, each read back with openpyxl (and one opened by LibreOffice)."""

from __future__ import annotations

import dataclasses
import re
import time
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import SHIPPED_RECORDS, build_tree, require_program
from kopa_cli.billing.fees import compute_fees
from kopa_cli.core.errors import OriginalInvoiceMissing, SpreadsheetTemplateFailed, UnsafeFileName
from kopa_cli.core.i18n import set_language
from kopa_cli.core.identifiers import make_reference
from kopa_cli.core.payment import virtual_barcode
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.records import Buyer, InvoiceEntry
from kopa_cli.load.workspace import load_workspace
from kopa_cli.render import invoicesheets
from kopa_cli.render.xlsxfile import DATE_FORMAT, MONEY_FORMAT, RATE_FORMAT

HOSTILE = '=HYPERLINK("http://x","y")'
WORKSPACE = load_workspace(SHIPPED_RECORDS.parent, DirectorySource(SHIPPED_RECORDS.parent))
CALL = WORKSPACE.call
FEES = {(line.pilot, line.member, line.year): line for line in compute_fees(WORKSPACE)}


def entry(pilot: str, member: str, number: str, year: int = 2020, **changes) -> InvoiceEntry:
    """The ledger entry `kopa invoice issue` makes for a member's share, from the shipped records."""
    organization = WORKSPACE.organizations[member]
    pilot_member = next(m for m in WORKSPACE.pilots[pilot].members if m.org == member)
    fee = FEES[(pilot, member, year)]
    buyer = Buyer(name=organization.name, business_id=organization.business_id, address=organization.address,
                  einvoice=organization.einvoice, billing_email=organization.billing_email,
                  language=organization.language, buyer_reference=pilot_member.buyer_reference)
    issued = InvoiceEntry(
        number=number, kind="invoice", date=date(year, 3, 2), due=date(year, 3, 2) + timedelta(days=21),
        pilot=pilot, member=member, fee_year=year, net=fee.net, vat_rate=fee.vat_rate, vat=fee.vat, total=fee.gross,
        reference=make_reference(number), credits=None, reason=None, buyer=buyer,
        pilot_name=WORKSPACE.pilots[pilot].name, origin=None)
    return dataclasses.replace(issued, **changes)


def credit_note(original: InvoiceEntry, number: str, reason: str = "Väärä jako") -> InvoiceEntry:
    return dataclasses.replace(original, number=number, kind="credit_note", date=date(2020, 4, 1), due=date(2020, 4, 1),
                               net=-original.net, vat=-original.vat, total=-original.total,
                               reference=make_reference(number), credits=original.number, reason=reason)


KAJAANI = entry("kainuu-lukiot", "kajaani", "20200001")
NARPES = entry("sydosterbotten-utbildning", "narpes", "20200005")


def write(tmp_path: Path, *entries: InvoiceEntry, originals=None, workspace: Path | None = None) -> list[openpyxl.Workbook]:
    folder = tmp_path / "out" / "invoices" / "2020"
    paths = invoicesheets.write_invoice_workbooks(entries, CALL, folder, workspace, originals or {})
    assert [p.name for p in paths] == [f"{e.number}-{e.member}.xlsx" for e in entries]
    return [openpyxl.load_workbook(path) for path in paths]


def sheet_xml(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_an_invoice_holds_what_the_law_and_the_finance_office_need(tmp_path: Path) -> None:
    [workbook] = write(tmp_path, KAJAANI)
    sheet = workbook.active

    def cell(coordinate: str):
        return sheet[coordinate].value

    # Seller (the call's organiser) and buyer (as invoiced), with business ids.
    assert [cell(c) for c in ("A1", "A2", "A3", "A4", "A5")] == [
        "Suomen Kuntaliitto ry", "Toinen linja 14", "00530 Helsinki", "Y-tunnus 0926151-4", "Alv-numero FI09261514"]
    assert [cell(c) for c in ("A9", "A10", "A11", "A12")] == [
        "Kajaanin kaupunki", "Kauppakatu 1", "87100 Kajaani", "Y-tunnus 2235388-6"]
    assert cell("A13") == "Verkkolaskuosoite 003722353886, Välittäjätunnus 003721291126"
    # Number, dates and payment terms; the reference in groups of five with RF beside it.
    assert cell("F1") == "LASKU"
    assert (cell("F2"), cell("G2"), sheet["G2"].data_type) == ("Laskun numero", "20200001", "s")
    assert (cell("G3"), sheet["G3"].number_format) == (datetime(2020, 3, 2), DATE_FORMAT)
    assert (cell("F4"), cell("G4"), sheet["G4"].number_format) == ("Eräpäivä", datetime(2020, 3, 23), DATE_FORMAT)
    assert cell("G5") == "21 päivää netto"
    assert (cell("G6"), cell("G7")) == ("2020 00015", "RF72 2020 0001 5")
    assert (cell("F8"), cell("G8")) == ("Ostajan viite", "Kustannuspaikka 4410")
    assert (cell("G9"), cell("G10")) == ("Irmeli Myllymäki", "+358 9 771 2053")
    # The service and its period, amounts as numbers in Finnish formats.
    assert [cell(c) for c in ("A19", "D19", "A20")] == ["KOPA-pilottimaksu 2020", "1.1.2020–31.12.2020", "Pilotti: Kainuun lukioverkko"]
    assert [(cell(c), sheet[c].data_type, sheet[c].number_format) for c in ("E19", "F19", "G19", "H19")] == [
        (1666.67, "n", MONEY_FORMAT), (24, "n", RATE_FORMAT), (400, "n", MONEY_FORMAT), (2066.67, "n", MONEY_FORMAT)]
    assert [(cell(f"F{row}"), cell(f"H{row}")) for row in (21, 22, 23)] == [
        ("Veroton", 1666.67), ("Alv 24\u00a0%", 400), ("Maksettava yhteensä", 2066.67)]
    # Payment: account, penalty interest, barcode and EPC QR code.
    assert (cell("C25"), cell("F25")) == ("FI26 1745 3000 1234 56", "NDEAFIHH")
    assert cell("A26") == "Viivästyskorko korkolain mukaan"
    assert cell("A28") == "Virtuaaliviivakoodi"
    barcode = virtual_barcode(CALL.organizer.iban, Decimal("2066.67"), "202000015", date(2020, 3, 23))
    assert (cell("A29"), sheet["A29"].data_type) == (barcode, "s")
    [image] = sheet._images
    assert (image.anchor._from.row, image.anchor._from.col) == (30, 0)  # A31


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("sv", {"F1": "FAKTURA", "F2": "Fakturanummer", "F4": "Förfallodag", "G5": "21 dagar netto", "F8": "Köparens referens",
                "A19": "KOPA-pilotavgift 2020", "F23": "Att betala", "A26": "Dröjsmålsränta enligt räntelagen",
                "A12": "FO-nummer 1939078-2"}),
        ("en", {"F1": "INVOICE", "F2": "Invoice number", "F4": "Due date", "G5": "21 days net", "F8": "Buyer's reference",
                "A19": "KOPA pilot fee 2020", "F23": "Total to pay",
                "A26": "Interest on late payment according to the Interest Act", "A12": "Business ID 1939078-2"}),
    ],
)
def test_labels_are_in_the_buyers_language_whatever_the_messages_are_in(tmp_path: Path, language: str, labels: dict[str, str]) -> None:
    set_language("fi")
    invoice = dataclasses.replace(NARPES, buyer=dataclasses.replace(NARPES.buyer, language=language))
    [workbook] = write(tmp_path, invoice)
    sheet = workbook.active
    assert {coordinate: sheet[coordinate].value for coordinate in labels} == labels
    assert sheet["A9"].value == "Närpes stad"
    assert sheet["D19"].value == ("1.1.2020–31.12.2020" if language == "sv" else "2020-01-01–2020-12-31")


def test_a_finnish_buyer_gets_finnish_labels_when_kopa_speaks_swedish(tmp_path: Path) -> None:
    set_language("sv")
    [workbook] = write(tmp_path, KAJAANI)
    assert (workbook.active["F1"].value, workbook.active["F4"].value) == ("LASKU", "Eräpäivä")


def test_a_credit_note_corrects_its_invoice_with_negative_amounts(tmp_path: Path) -> None:
    note = credit_note(KAJAANI, "20200009")
    [workbook] = write(tmp_path, note, originals={KAJAANI.number: KAJAANI})
    sheet = workbook.active
    assert sheet["F1"].value == "HYVITYSLASKU"
    assert sheet["A15"].value == "Hyvittää laskun 20200001, päivätty 2.3.2020"
    assert sheet["A16"].value == "Syy: Väärä jako"
    assert [sheet[c].value for c in ("E19", "F19", "G19", "H19")] == [-1666.67, 24, -400, -2066.67]
    assert [(sheet[f"F{row}"].value, sheet[f"H{row}"].value) for row in (21, 22, 23)] == [
        ("Veroton", -1666.67), ("Alv 24\u00a0%", -400), ("Yhteensä", -2066.67)]
    assert sheet["A28"].value is None and sheet["A29"].value is None  # nothing to pay: no barcode
    assert sheet._images == []
    # nor terms of payment or penalty interest, which the invoice has
    texts = {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert not texts & {"Maksuehto", "0 päivää netto", "Viivästyskorko korkolain mukaan"}, texts
    [invoice] = write(tmp_path, KAJAANI)
    texts = {cell.value for row in invoice.active.iter_rows() for cell in row if isinstance(cell.value, str)}
    assert {"Maksuehto", "21 päivää netto", "Viivästyskorko korkolain mukaan"} <= texts
    with pytest.raises(OriginalInvoiceMissing):
        write(tmp_path, note)


def test_an_amount_too_large_for_the_barcode_goes_without_one(tmp_path: Path) -> None:
    large = dataclasses.replace(KAJAANI, net=Decimal("1000000.00"), vat=Decimal("240000.00"), total=Decimal("1240000.00"))
    [workbook] = write(tmp_path, large)
    sheet = workbook.active
    assert sheet["H23"].value == 1240000
    assert sheet["A28"].value is None and sheet["A29"].value is None
    assert len(sheet._images) == 1  # the EPC QR code holds up to 999 999 999,99 €


def test_a_hostile_organisation_name_stays_text(tmp_path: Path) -> None:
    hostile = dataclasses.replace(KAJAANI, buyer=dataclasses.replace(KAJAANI.buyer, name=HOSTILE, buyer_reference="#N/A"),
                                  pilot_name="=1+1")
    [workbook] = write(tmp_path, hostile)
    sheet = workbook.active
    assert (sheet["A9"].value, sheet["A9"].data_type) == (HOSTILE, "s")
    assert (sheet["G8"].value, sheet["G8"].data_type) == ("#N/A", "s")
    assert sheet["A20"].value == "Pilotti: =1+1"
    assert b"<f>" not in sheet_xml(tmp_path / "out/invoices/2020/20200001-kajaani.xlsx")


@pytest.mark.parametrize(
    ("number", "member"),
    [("20200001", "../../x"), ("20200001", HOSTILE), ("../20200001", "kajaani"), ("2020/0001", "kajaani"),
     ("20200001", "kajaani/../../x"), ("20200001\n", "kajaani"), ("20200001", "")],
)
def test_nothing_from_a_record_steers_a_file_out_of_its_folder(tmp_path: Path, number: str, member: str) -> None:
    folder = tmp_path / "a" / "b" / "out"
    with pytest.raises(UnsafeFileName):
        invoicesheets.write_invoice_workbooks([dataclasses.replace(KAJAANI, number=number, member=member)], CALL, folder, None)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_the_same_ledger_gives_the_same_bytes(tmp_path: Path) -> None:
    entries = [KAJAANI, NARPES, credit_note(KAJAANI, "20200009")]
    originals = {KAJAANI.number: KAJAANI}
    first = invoicesheets.write_invoice_workbooks(entries, CALL, tmp_path / "first", None, originals)
    invoicesheets.ledger_workbook(entries, tmp_path / "first" / "summary-2020.xlsx")
    time.sleep(1.1)
    again = invoicesheets.write_invoice_workbooks(entries, CALL, tmp_path / "again", None, originals)
    invoicesheets.ledger_workbook(entries, tmp_path / "again" / "summary-2020.xlsx")
    for one, other in zip(first + [tmp_path / "first/summary-2020.xlsx"], again + [tmp_path / "again/summary-2020.xlsx"]):
        assert one.read_bytes() == other.read_bytes(), one.name
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == [
        "20200001-kajaani.xlsx", "20200005-narpes.xlsx", "20200009-kajaani.xlsx", "summary-2020.xlsx"]  # no temporary files
    assert openpyxl.load_workbook(first[0]).properties.created == datetime(2020, 3, 2)


def test_a_workspace_template_overrides_the_built_in_one(tmp_path: Path) -> None:
    template = openpyxl.Workbook()
    template.active["A1"] = "{{ invoice.number }} {{ buyer.name }} {{ labels.due }}"
    template.active["B1"] = "{{ invoice.total }}"
    template.save(tmp_path / "invoice.xlsx")
    build_tree(tmp_path, {"templates/invoice.xlsx": (tmp_path / "invoice.xlsx").read_bytes()})
    [workbook] = write(tmp_path, NARPES, workspace=tmp_path)
    assert [workbook.active["A1"].value, workbook.active["B1"].value] == ["20200005 Närpes stad Förfallodag", float(NARPES.total)]


def test_a_hostile_workspace_template_is_refused_at_its_cell(tmp_path: Path) -> None:
    set_language("en")
    template = openpyxl.Workbook()
    template.active.title = "Lasku"
    template.active["C5"] = "{{ invoice.__class__.__mro__ }}"
    template.save(tmp_path / "invoice.xlsx")
    build_tree(tmp_path, {"templates/invoice.xlsx": (tmp_path / "invoice.xlsx").read_bytes()})
    with pytest.raises(SpreadsheetTemplateFailed) as failure:
        write(tmp_path, KAJAANI, workspace=tmp_path)
    assert failure.value.message.startswith("templates/invoice.xlsx!Lasku!C5: the template tried something that is not allowed")
    assert not (tmp_path / "out").exists()


def test_the_ledger_workbook_has_a_row_per_entry_with_text_ids_and_real_numbers(tmp_path: Path) -> None:
    note = credit_note(KAJAANI, "20200009", reason=HOSTILE)
    entries = [KAJAANI, NARPES, note]
    path = tmp_path / "summary-2020.xlsx"
    invoicesheets.ledger_workbook(entries, path)
    sheet = openpyxl.load_workbook(path).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["Laskun numero", "Laji", "Laskun päivämäärä", "Eräpäivä", "Jäsen"]
    assert rows[1] == [
        "20200001", "lasku", datetime(2020, 3, 2), datetime(2020, 3, 23), "kajaani", "Kajaanin kaupunki", "2235388-6",
        "003722353886", "003721291126", "Kustannuspaikka 4410", "202000015", "RF72202000015", "kainuu-lukiot",
        "Kainuun lukioverkko", 2020, 1666.67, 24, 400, 2066.67, None, None]
    assert rows[3][:2] == ["20200009", "hyvityslasku"] and rows[3][-2:] == ["20200001", HOSTILE]
    assert rows[2][15:19] == [float(NARPES.net), float(NARPES.vat_rate), float(NARPES.vat), float(NARPES.total)]
    assert rows[4][0] == "Yhteensä"
    assert rows[4][15:19] == [float(NARPES.net), None, float(NARPES.vat), float(NARPES.total)]  # the sums of the rows
    for row in sheet.iter_rows(min_row=2, max_row=4):
        assert [row[i].data_type for i in (0, 4, 6, 7, 8, 10, 11)] == ["s"] * 7
        assert [row[i].number_format for i in (2, 15, 16, 17, 18)] == [DATE_FORMAT, MONEY_FORMAT, RATE_FORMAT, MONEY_FORMAT, MONEY_FORMAT]
    assert b"<f>" not in sheet_xml(path)


def test_the_ledger_workbook_speaks_the_messages_language(tmp_path: Path) -> None:
    set_language("en")
    invoicesheets.ledger_workbook([KAJAANI], tmp_path / "s.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert [sheet["A1"].value, sheet["B2"].value, sheet["A3"].value, sheet.title] == ["Invoice number", "invoice", "Total", "Invoices"]


def test_libreoffice_opens_an_invoice_and_shows_its_amounts_in_finnish_whatever_its_locale(tmp_path: Path) -> None:
    from kopa_cli.render import pdf

    require_program("soffice", "libreoffice")
    [path] = invoicesheets.write_invoice_workbooks([KAJAANI], CALL, tmp_path, None)
    # An English LibreOffice: the number formats' fi-FI tag still gives Finnish amounts.
    [csv] = pdf.convert([path], tmp_path / "csv", pdf.CSV_UTF8, locale="en-US")
    text = csv.read_text(encoding="utf-8")
    assert re.search(r'"1\s666,67\s€",24\s%,"400,00\s€","2\s066,67\s€"', text)
    assert "2.3.2020" in text and "23.3.2020" in text
    assert virtual_barcode(CALL.organizer.iban, Decimal("2066.67"), "202000015", date(2020, 3, 23)) in text


def test_workbooks_made_in_worker_processes_are_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [KAJAANI, NARPES, credit_note(KAJAANI, "20200009"), entry("kainuu-lukiot", "sotkamo", "20200002")]
    originals = {KAJAANI.number: KAJAANI}
    in_turn = invoicesheets.write_invoice_workbooks(entries, CALL, tmp_path / "in-turn", None, originals)
    monkeypatch.setattr(invoicesheets, "PARALLEL_FROM", 2)
    in_workers = invoicesheets.write_invoice_workbooks(entries, CALL, tmp_path / "workers", None, originals)
    assert [p.read_bytes() for p in in_turn] == [p.read_bytes() for p in in_workers]
    set_language("en")
    with pytest.raises(OriginalInvoiceMissing) as failure:  # a worker's error reaches the command as itself
        invoicesheets.write_invoice_workbooks(entries, CALL, tmp_path / "failed", None, {})
    assert failure.value.message == ("credit note 20200009 corrects invoice 20200001, which is in no file of "
                                     "records/invoices/; run 'kopa validate'")
    assert not (tmp_path / "failed").exists()  # nothing is written when one workbook fails
