"""Payment codes: the virtual bank barcode (virtuaaliviivakoodi) and the EPC QR code."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
import segno
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from kopa_cli.core.identifiers import make_reference, rf_reference
from kopa_cli.core.payment import AmountTooLarge, epc_qr_png, virtual_barcode

IBAN = "FI37 1590 3000 0007 76"


@pytest.mark.parametrize(
    ("iban", "amount", "reference", "due", "barcode"),
    [
        # domain.md's example (Finanssiala's guide): version 4, a viitenumero.
        (IBAN, "12.25", "11112", date(2016, 12, 21), "4 3715903000000776 000012 25 000 00000000000000011112 161221"),
        # Version 5, the same reference as RF (also the guide's example).
        (IBAN, "1.10", "RF9811112", date(2017, 1, 1), "5 3715903000000776 000001 10 98 000000000000000011112 170101"),
        # A grouped reference and a compact IBAN read as printed; a long reference.
        ("FI4950009420028730", "100.20", "12345 67907", date(2022, 12, 12),
         "4 4950009420028730 000100 20 000 00000000001234567907 221212"),
        # Zero euros: "amount not given", the payer types it; the largest amount that fits.
        (IBAN, "0", "11112", date(2016, 12, 21), "4 3715903000000776 000000 00 000 00000000000000011112 161221"),
        (IBAN, "999999.99", "11112", date(2099, 12, 31), "4 3715903000000776 999999 99 000 00000000000000011112 991231"),
        # A 20-digit viitenumero and a grouped RF reference of 21 digits' body.
        (IBAN, "5", make_reference("1234567890123456789"), date(2020, 3, 23),
         "4 3715903000000776 000005 00 000 " + make_reference("1234567890123456789") + " 200323"),
    ],
)
def test_virtual_barcode(iban: str, amount: str, reference: str, due: date, barcode: str) -> None:
    assert virtual_barcode(iban, Decimal(amount), reference, due) == barcode.replace(" ", "")


def test_version_5_carries_the_rf_reference_of_the_viitenumero() -> None:
    assert rf_reference("11112") == "RF9811112"
    rf = rf_reference("202000015")
    barcode = virtual_barcode(IBAN, Decimal("2066.67"), rf, date(2020, 3, 23))
    assert barcode == f"5371590300000077600206667{rf[2:4]}{'202000015':0>21}200323"
    assert len(barcode) == 54


@pytest.mark.parametrize(
    ("amount", "reference", "error"),
    [
        ("1000000.00", "11112", AmountTooLarge),  # six digits of euros: 999 999,99 € at most
        ("12345678.90", "11112", AmountTooLarge),
        ("-12.25", "11112", ValueError),  # a credit note is not paid
        ("12.255", "11112", ValueError),  # never rounded here
        ("12.25", "11113", ValueError),  # wrong check digit
        ("12.25", "RF9911112", ValueError),
        ("12.25", "RF18ABCD", ValueError),  # a valid RF reference with letters does not fit the digits
        ("12.25", "", ValueError),
    ],
)
def test_what_the_barcode_cannot_hold_is_refused(amount: str, reference: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        virtual_barcode(IBAN, Decimal(amount), reference, date(2016, 12, 21))


@pytest.mark.parametrize("iban", ["DE89370400440532013000", "FI37 1590 3000 0007 77", "FI37-1590-3000-0007-76", ""])
def test_only_a_valid_finnish_iban_fits_the_barcode(iban: str) -> None:
    with pytest.raises(ValueError):
        virtual_barcode(iban, Decimal("1"), "11112", date(2016, 12, 21))


@given(
    cents=st.integers(min_value=0, max_value=99_999_999),
    base=st.integers(min_value=100, max_value=10**19 - 1),
    due=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_the_barcode_reads_back_as_its_parts(cents: int, base: int, due: date) -> None:
    reference = make_reference(str(base))
    amount = Decimal(cents) / 100
    for version, given_reference in ((4, reference), (5, rf_reference(reference))):
        barcode = virtual_barcode(IBAN, amount, given_reference, due)
        assert len(barcode) == 54 and barcode.isdigit()
        assert barcode[0] == str(version) and barcode[1:17] == "3715903000000776"
        assert Decimal(barcode[17:23] + "." + barcode[23:25]) == amount
        if version == 4:
            assert barcode[25:28] == "000" and barcode[28:48].lstrip("0") == reference.lstrip("0")
        else:
            assert "RF" + barcode[25:27] + barcode[27:48].lstrip("0") == rf_reference(reference)
        assert barcode[48:] == due.strftime("%y%m%d")


def _payload_png(payload: str) -> bytes:
    """The QR code of an EPC payload written out by hand from EPC069-12, at the same scale."""
    out = io.BytesIO()
    segno.make_qr(payload.encode("iso-8859-1"), error="m", boost_error=False).save(out, kind="png", scale=3)
    return out.getvalue()


def test_the_epc_qr_code_holds_the_payment_as_epc069_12_says() -> None:
    png = epc_qr_png("Närpes stad", "FI26 1745 3000 1234 56", "NDEAFIHH", Decimal("2066.67"), "202000015")
    # Service tag, version 002, character set 2 (ISO 8859-1, which holds Finnish and Swedish
    # letters), SEPA credit transfer, BIC, name, IBAN, amount, no purpose, and the RF reference
    # as the structured remittance information.
    payload = "\n".join(["BCD", "002", "2", "SCT", "NDEAFIHH", "Närpes stad", "FI2617453000123456",
                         "EUR2066.67", "", rf_reference("202000015")])
    assert png == _payload_png(payload)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).size[0] > 100  # about 4.5 cm printed
    assert png == epc_qr_png("Närpes stad", "FI2617453000123456", "NDEAFIHH", Decimal("2066.67"), "2020 00015")


@pytest.mark.parametrize("amount", ["0", "-1.00", "1000000000.00", "1.001"])
def test_the_epc_qr_code_refuses_an_amount_outside_its_range(amount: str) -> None:
    with pytest.raises(ValueError):
        epc_qr_png("Suomen Kuntaliitto ry", "FI2617453000123456", "NDEAFIHH", Decimal(amount), "202000015")
