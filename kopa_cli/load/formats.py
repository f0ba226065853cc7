"""Text formats of record values, as ``Annotated`` types the records are declared with."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from kopa_cli.core import codes, identifiers
from kopa_cli.core.i18n import N_
from kopa_cli.load.structure import Format, Number

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
POSTCODE_PATTERN = r"^\d{5}$"
PHONE_PATTERN = r"^\+?[0-9][0-9 ()-]{5,20}$"


def _matches(pattern: str):
    compiled = re.compile(pattern)
    return lambda text: bool(compiled.match(text))


def is_id(text: str) -> bool:
    return bool(re.match(ID_PATTERN, text)) and len(text) <= 64


Id = Annotated[str, Format("id", is_id, codes.BAD_ID, ID_PATTERN)]
Email = Annotated[str, Format("email", _matches(EMAIL_PATTERN), codes.BAD_EMAIL, EMAIL_PATTERN)]
Postcode = Annotated[str, Format(N_("a Finnish postcode of five digits, quoted"), _matches(POSTCODE_PATTERN), codes.BAD_FORMAT, POSTCODE_PATTERN)]
Phone = Annotated[str, Format(N_("a phone number like +358 40 123 4567"), _matches(PHONE_PATTERN), codes.BAD_FORMAT, PHONE_PATTERN)]
BusinessId = Annotated[str, Format("business_id", identifiers.is_business_id, codes.BAD_BUSINESS_ID, r"^\d{7}-\d$")]
Iban = Annotated[str, Format("iban", identifiers.is_iban, codes.BAD_IBAN)]
Bic = Annotated[str, Format("bic", identifiers.is_bic, codes.BAD_BIC)]
MunicipalityCode = Annotated[str, Format("municipality_code", identifiers.is_municipality_code, codes.BAD_MUNICIPALITY_CODE, r"^\d{3}$")]
EInvoiceAddress = Annotated[str, Format("einvoice_address", identifiers.is_einvoice_address, codes.BAD_EINVOICE_ADDRESS)]
EInvoiceOperator = Annotated[str, Format("einvoice_operator", identifiers.is_einvoice_operator, codes.BAD_EINVOICE_OPERATOR)]
Money = Annotated[Decimal, Number("money")]
Rate = Annotated[Decimal, Number("rate")]
Weight = Annotated[Decimal, Number("weight")]
