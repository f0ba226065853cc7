"""Finnish identifiers: Y-tunnus, municipality code, IBAN/BIC, payment references, OVT.

Checks return bool; builders raise ValueError on bad input. All identifiers
stay text: leading zeros matter (docs: domain.md, "Identifiers"). Every check matches
the whole text (``fullmatch``) in ASCII, before python-stdnum, which would first
strip spaces, hyphens and line breaks.
"""

from __future__ import annotations

import re

from stdnum import bic, iban, iso11649
from stdnum.fi import ytunnus

# A record id (docs/records.md, "Ids"): lowercase ASCII letters and digits in hyphen-separated
# runs, at most ID_MAX_LENGTH characters, so that it is also a portable file name. The pattern
# holds the length too, so that the JSON Schema says the same.
ID_MAX_LENGTH = 64
ID_PATTERN = rf"^(?=.{{1,{ID_MAX_LENGTH}}}$)[a-z0-9]+(-[a-z0-9]+)*$"
_ID = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$"), re.ASCII)
# Canonical form only, so a record stores exactly what is printed on invoices.
_BUSINESS_ID = re.compile(r"[0-9]{7}-[0-9]", re.ASCII)
_MUNICIPALITY_CODE = re.compile(r"[0-9]{3}", re.ASCII)
# OVT code (SFS 5748): "0037" + the 8 digits of the Y-tunnus + optional suffix
# of up to 5 characters, e.g. a department's own mailbox.
_OVT = re.compile(r"0037([0-9]{8})([0-9A-Za-z]{0,5})", re.ASCII)
_OVT_SUFFIX = re.compile(r"[0-9A-Za-z]{0,5}", re.ASCII)
_REFERENCE_BASE = re.compile(r"[0-9]{3,19}", re.ASCII)
_REFERENCE = re.compile(r"[0-9]{4,20}", re.ASCII)
# A Finnish IBAN as banks print it: compact, or in groups of four from the left
# ("FI21 1234 5600 0007 85"); stdnum alone would also drop "-" and ".". Finnish, because the
# invoice's bank barcode holds a Finnish account.
_FINNISH_IBAN = re.compile(r"FI[0-9]{2}(?:[0-9]{14}|(?: [0-9]{4}){3} [0-9]{2})", re.ASCII)
# An RF creditor reference as printed: compact, or in groups with one space between them.
_RF = re.compile(r"RF[0-9]{2}[0-9A-Z]*(?: [0-9A-Z]+)*", re.ASCII)
# A viitenumero as printed: digits, in groups of any size with one space between them.
_REFERENCE_GROUPS = re.compile(r"[0-9]+(?: [0-9]+)*", re.ASCII)
# stdnum would also drop spaces, hyphens and a trailing line break; a BIC is printed as is.
_BIC = re.compile(r"[A-Z]{6}[0-9A-Z]{2}(?:[0-9A-Z]{3})?", re.ASCII)
# Viitenumero weights 7, 3, 1, applied from the rightmost digit (Finance
# Finland's domestic reference rules; see domain.md).
_REFERENCE_WEIGHTS = (7, 3, 1)


def is_id(text: str) -> bool:
    """True for a record id such as ``"kajaani"`` or ``"kainuu-lukiot"``: the whole text (no
    trailing line break), at most ID_MAX_LENGTH characters."""
    return isinstance(text, str) and _ID.fullmatch(text) is not None


def is_business_id(text: str) -> bool:
    """True for a Y-tunnus in canonical form ``NNNNNNN-C`` with a valid check digit."""
    return isinstance(text, str) and bool(_BUSINESS_ID.fullmatch(text)) and ytunnus.is_valid(text)


def is_municipality_code(text: str) -> bool:
    """True for a three-digit municipality code such as ``"205"`` (Kajaani)."""
    return isinstance(text, str) and bool(_MUNICIPALITY_CODE.fullmatch(text))


def is_iban(text: str) -> bool:
    """True for a Finnish IBAN with valid check digits, compact or in groups of four."""
    return isinstance(text, str) and bool(_FINNISH_IBAN.fullmatch(text)) and iban.is_valid(text)


def is_bic(text: str) -> bool:
    """True for a valid BIC (SWIFT code), e.g. ``"NDEAFIHH"``."""
    return isinstance(text, str) and bool(_BIC.fullmatch(text)) and bic.is_valid(text)


def reference_check_digit(base: str) -> str:
    """Check digit of a viitenumero base of 3-19 digits."""
    if not isinstance(base, str) or not _REFERENCE_BASE.fullmatch(base):
        raise ValueError("reference base must be 3-19 digits")
    total = sum(
        int(digit) * _REFERENCE_WEIGHTS[i % 3] for i, digit in enumerate(reversed(base))
    )
    return str((10 - total % 10) % 10)


def make_reference(base: str) -> str:
    """The viitenumero for ``base``: the base with its check digit appended."""
    return base + reference_check_digit(base)


def _compact_reference(text: str) -> str:
    # Banks print references in groups of five; the spaces carry no meaning.
    return text.replace(" ", "")


def is_reference(text: str) -> bool:
    """True for a viitenumero of 4-20 digits with a valid check digit; spaces between groups are ignored."""
    if not isinstance(text, str) or not _REFERENCE_GROUPS.fullmatch(text):
        return False
    digits = _compact_reference(text)
    if not _REFERENCE.fullmatch(digits):
        return False
    return reference_check_digit(digits[:-1]) == digits[-1]


def format_reference(ref: str) -> str:
    """A viitenumero in groups of five from the right: ``"1231234"`` -> ``"12 31234"``."""
    if not is_reference(ref):
        raise ValueError("not a valid viitenumero")
    digits = _compact_reference(ref)
    head = len(digits) % 5
    groups = ([digits[:head]] if head else []) + [
        digits[i : i + 5] for i in range(head, len(digits), 5)
    ]
    return " ".join(groups)


def rf_reference(viitenumero: str) -> str:
    """The ISO 11649 RF creditor reference for a viitenumero, compact: ``"RF332348236"``.

    ISO 11649 / ISO 7064 MOD 97-10: move "RF00" to the end, letters as numbers
    (R = 27, F = 15), and choose the check digits so the number mod 97 is 1.
    """
    if not is_reference(viitenumero):
        raise ValueError("not a valid viitenumero")
    digits = _compact_reference(viitenumero)
    check = 98 - int(digits + "2715" + "00") % 97
    return f"RF{check:02d}{digits}"


def format_rf(rf: str) -> str:
    """An RF reference in groups of four: ``"RF33 2348 236"``.

    Raises ValueError unless ``rf`` is a valid RF reference as printed (ISO 11649), compact or
    grouped: no lowercase, other scripts' digits or surrounding spaces and line breaks, which
    python-stdnum would accept."""
    if not isinstance(rf, str) or not _RF.fullmatch(rf):
        raise ValueError("not an RF reference like RF33 2348 236")
    iso11649.validate(rf)  # raises stdnum's ValidationError, a ValueError
    return iso11649.format(rf)


def is_einvoice_address(text: str) -> bool:
    """True for an e-invoice address: an OVT code or an IBAN (Finvoice allows both).

    OVT: "0037" + a valid Y-tunnus without its hyphen + up to 5 alphanumerics,
    12-17 characters in all.
    """
    return _is_ovt(text) or is_iban(text)


def is_einvoice_operator(text: str) -> bool:
    """True for an e-invoice operator id: OVT form (e.g. ``"003721291126"``) or a bank's BIC."""
    return _is_ovt(text) or is_bic(text)


def ovt_from_business_id(business_id: str, suffix: str = "") -> str:
    """The OVT code of a Y-tunnus: ``"0926151-4"`` -> ``"003709261514"`` (+ suffix)."""
    if not is_business_id(business_id):
        raise ValueError("not a valid Y-tunnus in the form NNNNNNN-C")
    if not isinstance(suffix, str) or not _OVT_SUFFIX.fullmatch(suffix):
        raise ValueError("OVT suffix must be at most 5 letters or digits")
    return "0037" + business_id.replace("-", "") + suffix


def _is_ovt(text: str) -> bool:
    if not isinstance(text, str):
        return False
    match = _OVT.fullmatch(text)
    return match is not None and ytunnus.is_valid(match.group(1))
