"""Payment codes printed on an invoice: the bank's virtual barcode and the EPC QR code.

Both carry what a bank needs to pay the invoice without typing: the seller's account, the
amount, the reference and (the barcode) the due date. They are built from the invoice's own
values; the identifiers are checked by core/identifiers.py.

- **Virtuaaliviivakoodi**, 54 digits (Finanssiala, "Pankkiviivakoodi-opas"; domain.md,
  "Invoices"). Version 4, for a viitenumero::

      4 | IBAN without "FI" (16) | euros (6) | cents (2) | 000 | viitenumero, zero-padded (20) | YYMMDD

  Version 5, for an RF creditor reference::

      5 | IBAN without "FI" (16) | euros (6) | cents (2) | RF check digits (2) | RF body, zero-padded (21) | YYMMDD

  Six digits of euros hold at most 999 999,99 €: a larger amount cannot be encoded, and
  ``virtual_barcode`` raises ``AmountTooLarge`` (an invoice then goes without a barcode; the
  IBAN, reference and amount are printed anyway).
- **EPC QR code** (European Payments Council, EPC069-12, "Quick Response Code: guidelines to
  enable data capture for the initiation of a SEPA credit transfer"), drawn by segno as a PNG
  image, with the RF reference as its structured remittance information.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from kopa_cli.core.identifiers import format_rf, is_iban, is_reference, rf_reference
from kopa_cli.core.money import to_cents

BARCODE_LENGTH = 54
BARCODE_MAXIMUM = Decimal("999999.99")  # six digits of euros and two of cents
# EPC069-12: the amount is EUR 0.01 to 999 999 999.99; the beneficiary's name at most 70 characters.
EPC_MAXIMUM = Decimal("999999999.99")
EPC_NAME_LENGTH = 70
# Pixels per module of the QR image: a code of up to ~60 modules is then about 4.5 cm wide
# on paper at 96 dpi, the size banks' apps read from a printed invoice.
QR_SCALE = 3


class AmountTooLarge(ValueError):
    """The amount does not fit the barcode's six digits of euros (999 999,99 € at most)."""


def virtual_barcode(iban: str, amount: Decimal, reference: str, due: date) -> str:
    """The 54-digit virtual barcode (virtuaaliviivakoodi) of a payment.

    ``iban``: a Finnish IBAN, compact or in groups of four; ``amount``: euros, 0 to 999 999.99
    in whole cents (0 means "amount not given": the payer types it); ``reference``: a
    viitenumero (version 4) or an RF creditor reference whose body is digits (version 5),
    compact or grouped as printed; ``due``: the due date, written YYMMDD.

    Raises ``AmountTooLarge`` above 999 999,99 €, and ValueError for a negative amount, more
    than two decimals, a foreign or invalid IBAN, or an invalid reference.
    Example (domain.md): FI37 1590 3000 0007 76, 12.25 €, 11112, 21.12.2016 ->
    ``437159030000007760000122500000000000000000011112161221``.
    """
    if not is_iban(iban):
        raise ValueError("not a valid Finnish IBAN")
    account = iban.replace(" ", "")[2:]
    cents = to_cents(amount)  # ValueError for more than two decimals
    if cents < 0:
        raise ValueError("a negative amount cannot be paid")
    if cents > BARCODE_MAXIMUM:
        raise AmountTooLarge(f"{cents} is more than the barcode's {BARCODE_MAXIMUM}")
    euros, fraction = divmod(int(cents * 100), 100)
    if reference.startswith("RF"):
        compact = format_rf(reference).replace(" ", "")  # ValueError unless a valid RF reference
        body = compact[4:]
        if not body.isdigit() or not body.isascii() or len(body) > 21:
            raise ValueError("the barcode holds an RF reference of at most 21 digits")
        payment = f"5{account}{euros:06d}{fraction:02d}{compact[2:4]}{body:0>21}"
    else:
        if not is_reference(reference):
            raise ValueError("not a valid viitenumero")
        payment = f"4{account}{euros:06d}{fraction:02d}000{reference.replace(' ', ''):0>20}"
    barcode = payment + due.strftime("%y%m%d")
    assert len(barcode) == BARCODE_LENGTH, barcode
    return barcode


def epc_qr_png(name: str, iban: str, bic: str, amount: Decimal, viitenumero: str) -> bytes:
    """The EPC QR code of a credit transfer as PNG image bytes, the same bytes for the same payment.

    ``name``: the beneficiary (the seller), cut to EPC's 70 characters; ``iban``, ``bic``: its
    account; ``amount``: euros, 0.01 to 999 999 999.99; ``viitenumero``: the payment reference,
    carried as its RF creditor reference (EPC's structured remittance information is ISO 11649).

    Raises ValueError for an amount outside EPC's range or an invalid viitenumero or IBAN.
    """
    import segno.helpers  # imported here: only invoice writers pay for it

    if not is_iban(iban):
        raise ValueError("not a valid Finnish IBAN")
    cents = to_cents(amount)
    if not Decimal("0.01") <= cents <= EPC_MAXIMUM:
        raise ValueError(f"an EPC QR code holds 0.01 to {EPC_MAXIMUM} euros, not {cents}")
    code = segno.helpers.make_epc_qr(
        name=name[:EPC_NAME_LENGTH], iban=iban.replace(" ", ""), bic=bic, amount=cents,
        reference=rf_reference(viitenumero),
    )
    image = io.BytesIO()
    code.save(image, kind="png", scale=QR_SCALE)
    return image.getvalue()
