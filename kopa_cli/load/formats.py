"""Text formats of record values, as ``Annotated`` types the records are declared with."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Callable

from kopa_cli.core import codes, identifiers
from kopa_cli.core.i18n import N_
from kopa_cli.core.money import MONEY_MAXIMUM
from kopa_cli.load.structure import Format, FreeText, Number, Range

# Each pattern must match the whole value (fullmatch: "$" would also accept a trailing
# line break), with digits written [0-9]: Python's \d also takes other scripts' digits
# ("８９４００"). Each names the characters it takes, so that no invisible character (a
# zero-width or no-break space, a direction mark) and no list separator passes.
# An address as mail servers take it (RFC 5322 dot-atom, with the Latin letters of RFC 6531 and
# internationalised domains): dot-separated atoms before the @; after it, labels of letters,
# digits and hyphens.
_LATIN = r"0-9A-Za-z\u00c0-\u024f"
_EMAIL_ATOM = rf"[{_LATIN}!#$%&'*+/=?^_`{{|}}~-]+"
_EMAIL_LABEL = rf"[{_LATIN}-]+"
EMAIL_PATTERN = rf"^{_EMAIL_ATOM}(\.{_EMAIL_ATOM})*@{_EMAIL_LABEL}(\.{_EMAIL_LABEL})+$"
POSTCODE_PATTERN = r"^[0-9]{5}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{4,19}[0-9]$"  # spaces only between digits


def _matches(pattern: str) -> Callable[[str], bool]:
    """A check of the whole text; the pattern's ^ and $ are for the JSON Schema."""
    compiled = re.compile(pattern.removeprefix("^").removesuffix("$"))
    return lambda text: compiled.fullmatch(text) is not None


Id = Annotated[str, Format("id", identifiers.is_id, codes.BAD_ID, identifiers.ID_PATTERN)]
Email = Annotated[str, Format("email", _matches(EMAIL_PATTERN), codes.BAD_EMAIL, EMAIL_PATTERN)]
Postcode = Annotated[str, Format(N_("a Finnish postcode of five digits, quoted"), _matches(POSTCODE_PATTERN), codes.BAD_FORMAT, POSTCODE_PATTERN)]
Phone = Annotated[str, Format(N_("a phone number like +358 40 123 4567"), _matches(PHONE_PATTERN), codes.BAD_FORMAT, PHONE_PATTERN)]
BusinessId = Annotated[str, Format("business_id", identifiers.is_business_id, codes.BAD_BUSINESS_ID, r"^[0-9]{7}-[0-9]$")]
Iban = Annotated[str, Format("iban", identifiers.is_iban, codes.BAD_IBAN)]
Bic = Annotated[str, Format("bic", identifiers.is_bic, codes.BAD_BIC)]
MunicipalityCode = Annotated[str, Format("municipality_code", identifiers.is_municipality_code, codes.BAD_MUNICIPALITY_CODE, r"^[0-9]{3}$")]
EInvoiceAddress = Annotated[str, Format("einvoice_address", identifiers.is_einvoice_address, codes.BAD_EINVOICE_ADDRESS)]
EInvoiceOperator = Annotated[str, Format("einvoice_operator", identifiers.is_einvoice_operator, codes.BAD_EINVOICE_OPERATOR)]
# Every number the fees use is bounded, so that a workspace that validates can be billed.
Money = Annotated[Decimal, Number("money", Range(0, MONEY_MAXIMUM, places=2))]
# The call's annual fee: above zero, as an invoice of 0.00 € is no invoice (docs/records.md).
PositiveMoney = Annotated[Decimal, Number("money", Range(Decimal("0.01"), MONEY_MAXIMUM, places=2, positive=True))]
# An invoiced amount: negative on a credit note (hyvityslasku).
SignedMoney = Annotated[Decimal, Number("money", Range(-MONEY_MAXIMUM, MONEY_MAXIMUM, places=2))]
Rate = Annotated[Decimal, Number("rate", Range(0, 100, places=2))]  # percent
# A weight above zero, as agreed between members ("2", "1.5"); at most a million, with at most
# six decimals (so from 0.000001), so that the sum of a pilot's weights stays exact.
Weight = Annotated[Decimal, Number("weight", Range(Decimal("0.000001"), 1_000_000, places=6, positive=True))]
Population = Annotated[int, Range(0, 1_000_000_000)]
Year = Annotated[int, Range(1000, 9999)]  # four digits, as dates are written
CharacterLimit = Annotated[int, Range(1, 1_000_000)]  # an application's length limit
GoalNumber = Annotated[int, Range(1, 99)]  # a call's goals are numbered from 1
# Days to the due date: at most 30 for a public-sector buyer (laki kaupallisten sopimusten
# maksuehdoista 30/2013; domain.md, "Invoices").
PaymentTerm = Annotated[int, Range(1, 30)]
# The first sequence number of a year's invoices: numbers are <year><4-digit sequence> and may
# grow to 5 digits (billing/invoicing.py MAX_NUMBER_DIGITS), so a series starts at 9999 at most.
InvoiceNumber = Annotated[int, Range(1, 9_999)]
Paragraphs = Annotated[str, FreeText()]
# An issued invoice's number as the ledger writes it: <fee year><4-digit sequence>, quoted.
LEDGER_NUMBER_PATTERN = r"^[0-9]{8,9}$"
LedgerNumber = Annotated[str, Format(N_("an invoice number of eight digits, quoted, like \"20200001\""), _matches(LEDGER_NUMBER_PATTERN), codes.BAD_FORMAT, LEDGER_NUMBER_PATTERN)]
Reference = Annotated[str, Format(N_("a reference number (viitenumero) with a valid check digit"), identifiers.is_reference, codes.BAD_FORMAT, r"^[0-9]{4,20}$")]
# Area statistics (records/statistics/): an area is a municipality by its code, or the whole
# country as Statistics Finland codes it (SSS); an age is in whole years, the oldest class
# ("100 -") holding everyone older.
AREA_CODE_PATTERN = r"^([0-9]{3}|SSS)$"
AreaCode = Annotated[str, Format(N_("a municipality code of three digits, or SSS for the whole country, quoted"), _matches(AREA_CODE_PATTERN), codes.BAD_FORMAT, AREA_CODE_PATTERN)]
Age = Annotated[int, Range(0, 150)]
