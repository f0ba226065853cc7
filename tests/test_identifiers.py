"""Tests for kopa_cli.core.identifiers: known vectors plus rules re-derived from domain.md."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iso11649

from kopa_cli.core.identifiers import (
    format_reference,
    format_rf,
    is_bic,
    is_business_id,
    is_einvoice_address,
    is_einvoice_operator,
    is_iban,
    is_municipality_code,
    is_reference,
    make_reference,
    ovt_from_business_id,
    reference_check_digit,
    rf_reference,
)


def ytunnus_check_digit(seven: str) -> str | None:
    """domain.md: weights 7,9,10,5,8,4,2; r = sum mod 11; 0 -> 0, 1 -> invalid, else 11 - r."""
    r = sum(int(d) * w for d, w in zip(seven, (7, 9, 10, 5, 8, 4, 2))) % 11
    return None if r == 1 else str(0 if r == 0 else 11 - r)


# --- Y-tunnus ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0926151-4",  # sum 161, r = 7, C = 4
        "2129112-6",  # the operator id 003721291126 of domain.md; sum 104, r = 5
        "1572860-0",  # sum 220, r = 0 -> C = 0
        "1234567-1",  # sum 153, r = 10 -> C = 1
    ],
)
def test_valid_business_ids(text: str) -> None:
    assert ytunnus_check_digit(text[:7]) == text[-1]
    assert is_business_id(text)


@pytest.mark.parametrize(
    "text",
    [
        "0208202-2",  # sum 78, r = 1: no check digit makes this base valid
        "0926151-5",  # wrong check digit
        "09261514",  # no hyphen: not the canonical form
        "926151-4",  # leading zero lost (e.g. by a spreadsheet)
        " 0926151-4",
        "0926151-4 ",
        "0926151 4",
        "FI09261514",  # VAT number form, not a Y-tunnus
        "０926151-4",  # fullwidth digit
        "",
    ],
)
def test_invalid_business_ids(text: str) -> None:
    assert not is_business_id(text)


def test_business_id_rejects_non_text() -> None:
    assert not is_business_id(9261514)  # type: ignore[arg-type]
    assert not is_business_id(None)  # type: ignore[arg-type]


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_business_id_agrees_with_domain_rule(seven: str) -> None:
    check = ytunnus_check_digit(seven)
    for digit in "0123456789":
        assert is_business_id(f"{seven}-{digit}") == (digit == check)


# --- municipality code, IBAN, BIC ---------------------------------------------------


@pytest.mark.parametrize(("text", "ok"), [("205", True), ("005", True), ("05", False), ("2050", False),
                                          ("20a", False), (" 205", False), ("٢٠٥", False), ("", False)])
def test_municipality_code(text: str, ok: bool) -> None:
    assert is_municipality_code(text) is ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("FI2112345600000785", True),
        ("FI21 1234 5600 0007 85", True),
        ("FI2112345600000786", False),
        ("FI21-1234-5600-0007-85", False),
        # Finnish, compact or in groups of four as banks print it; nothing else
        ("FI21 12345600000785", False),
        ("FI21  1234 5600 0007 85", False),
        ("FI21 1234 5600 0007 85 ", False),
        ("fi2112345600000785", False),
        ("DE89370400440532013000", False),
        ("FI2112345600000785\n", False),
        ("", False),
    ],
)
def test_iban(text: str, ok: bool) -> None:
    assert is_iban(text) is ok


@pytest.mark.parametrize(("text", "ok"), [("NDEAFIHH", True), ("OKOYFIHH", True), ("NDEAFIHHXXX", True),
                                          ("NDEAFIH", False), ("NDEA1IHH", False), ("", False)])
def test_bic(text: str, ok: bool) -> None:
    assert is_bic(text) is ok


# --- viitenumero ---------------------------------------------------------------------


@pytest.mark.parametrize(("base", "reference"), [("123123", "1231234"), ("234823", "2348236"), ("100", "1009")])
def test_make_reference_vectors(base: str, reference: str) -> None:
    assert make_reference(base) == reference
    assert reference_check_digit(base) == reference[-1]
    assert is_reference(reference)


@pytest.mark.parametrize("base", ["12", "1" * 20, "12a45", " 123", "", "١٢٣"])
def test_reference_base_out_of_range(base: str) -> None:
    with pytest.raises(ValueError, match="3-19 digits"):
        reference_check_digit(base)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("1231234", True),
        ("12 31234", True),
        ("1231235", False),
        ("123", False),  # too short
        ("1231234a", False),
        ("", False),
    ],
)
def test_is_reference(text: str, ok: bool) -> None:
    assert is_reference(text) is ok


@pytest.mark.parametrize(
    ("reference", "formatted"),
    [
        ("1231234", "12 31234"),
        ("2348236", "23 48236"),
        ("12344", "12344"),
        ("1009", "1009"),
        ("1234567897", "12345 67897"),
        ("12345678901234567894", "12345 67890 12345 67894"),
        ("123 1234", "12 31234"),
    ],
)
def test_format_reference(reference: str, formatted: str) -> None:
    assert format_reference(reference) == formatted


def test_format_reference_rejects_invalid() -> None:
    with pytest.raises(ValueError):
        format_reference("1231235")


@given(st.text(alphabet="0123456789", min_size=3, max_size=19))
def test_reference_round_trip_and_single_digit_errors(base: str) -> None:
    reference = make_reference(base)
    assert is_reference(reference)
    assert is_reference(format_reference(reference))
    assert format_reference(reference).replace(" ", "") == reference
    assert all(len(group) == 5 for group in format_reference(reference).split(" ")[1:])
    # Weights 7, 3, 1 are all prime to 10, so every single-digit change is caught.
    for i, digit in enumerate(reference):
        wrong = str((int(digit) + 1) % 10)
        assert not is_reference(reference[:i] + wrong + reference[i + 1 :])


# --- RF creditor reference (ISO 11649) --------------------------------------------


def test_rf_vector() -> None:
    assert rf_reference("2348236") == "RF332348236"
    assert format_rf("RF332348236") == "RF33 2348 236"
    assert iso11649.is_valid("RF332348236")


def test_rf_from_spaced_viitenumero() -> None:
    assert rf_reference("23 48236") == "RF332348236"


def test_rf_rejects_invalid_input() -> None:
    with pytest.raises(ValueError):
        rf_reference("2348237")
    with pytest.raises(ValueError):
        format_rf("RF342348236")


@given(st.text(alphabet="0123456789", min_size=3, max_size=19))
def test_rf_always_valid(base: str) -> None:
    rf = rf_reference(make_reference(base))
    assert iso11649.is_valid(rf)
    assert rf[2:4].isdigit() and len(rf) == 4 + len(base) + 1
    assert iso11649.is_valid(format_rf(rf))


# --- OVT / e-invoice ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("business_id", "suffix", "ovt"),
    [("0926151-4", "", "003709261514"), ("0926151-4", "001", "003709261514001"),
     ("2129112-6", "ABCDE", "003721291126ABCDE")],
)
def test_ovt_from_business_id(business_id: str, suffix: str, ovt: str) -> None:
    assert ovt_from_business_id(business_id, suffix) == ovt
    assert is_einvoice_address(ovt)
    assert is_einvoice_operator(ovt)


@pytest.mark.parametrize(("business_id", "suffix"), [("0926151-5", ""), ("09261514", ""),
                                                     ("0926151-4", "ABCDEF"), ("0926151-4", "A-1")])
def test_ovt_from_business_id_rejects(business_id: str, suffix: str) -> None:
    with pytest.raises(ValueError):
        ovt_from_business_id(business_id, suffix)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("003709261514", True),  # 12 characters, no suffix
        ("00370926151412345", True),  # 17 characters
        ("003709261514123456", False),  # suffix too long
        ("003709261515", False),  # Y-tunnus check digit wrong
        ("003809261514", False),  # not the Finnish "0037" prefix
        ("0037092615", False),
        ("0037 0926 1514", False),
        ("FI2112345600000785", True),  # Finvoice allows an IBAN as the address
        ("FI2112345600000786", False),
        ("NDEAFIHH", False),  # a BIC names an operator, not an address
        ("", False),
    ],
)
def test_is_einvoice_address(text: str, ok: bool) -> None:
    assert is_einvoice_address(text) is ok


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("003721291126", True),  # operator example in domain.md
        ("NDEAFIHH", True),  # a bank acting as operator
        ("003721291127", False),
        ("FI2112345600000785", False),
        ("", False),
    ],
)
def test_is_einvoice_operator(text: str, ok: bool) -> None:
    assert is_einvoice_operator(text) is ok


def test_checks_reject_non_text() -> None:
    for check in (is_municipality_code, is_iban, is_bic, is_reference, is_einvoice_address, is_einvoice_operator):
        assert check(None) is False  # type: ignore[arg-type]


# --- the whole value, in ASCII ----------------------------------------------------------

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
VALID = [
    (is_business_id, "0926151-4"),
    (is_municipality_code, "205"),
    (is_iban, "FI21 1234 5600 0007 85"),
    (is_bic, "NDEAFIHH"),
    (is_reference, "1232"),
    (is_einvoice_address, "003709261514"),
    (is_einvoice_operator, "003721291126"),
    (is_einvoice_operator, "NDEAFIHH"),
]


@pytest.mark.parametrize(("check", "text"), VALID, ids=lambda v: getattr(v, "__name__", v))
def test_every_check_matches_the_whole_value_in_ascii_digits(check, text: str) -> None:
    """python-stdnum strips spaces, hyphens and line breaks, and \\d takes any script's digits:
    kopa keeps what is printed on an invoice, so each check takes the value exactly."""
    assert check(text) is True
    for changed in (text + "\n", "\n" + text, text + "\r", text + "\x0b", f" {text}", f"{text} "):
        assert check(changed) is False, repr(changed)
    if any(c.isdigit() for c in text):
        assert check(text.translate(FULLWIDTH)) is False


@pytest.mark.parametrize("text", ["RF33 2348 236\n", " RF332348236", "RF332348236 ", "rf332348236", "RF３３2348236",
                                  "RF33  2348 236", "RF33-2348-236", "RF332348236\x0b"])
def test_rf_is_taken_as_printed(text: str) -> None:
    assert format_rf("RF33 2348 236") == format_rf("RF332348236") == "RF33 2348 236"
    with pytest.raises(ValueError):
        format_rf(text)


@pytest.mark.parametrize("text", ["ndeafihh", "NDEA FIHH", "NDEA-FIHH", "NDEAFIHH\n"])
def test_bic_is_taken_as_printed(text: str) -> None:
    assert is_bic(text) is False
