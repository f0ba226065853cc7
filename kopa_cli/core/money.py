"""Money: parsing, rounding, splitting fees in whole cents, and dated VAT rates.

Pure functions over ``Decimal``; never float (see docs: domain.md, "Money").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
# The largest amount a record may hold: far above any fee, and small enough that every
# sum kopa makes of such amounts stays exact within Decimal's default 28 digits.
MONEY_MAXIMUM = Decimal("999999999.99")

# A plain number as written in records, CSV and JSON: optional minus, ASCII digits, an
# optional dot and decimals. No exponent, sign "+", grouping, decimal comma, spaces or
# other scripts' digits (all of which Decimal() would read), so that what a person reads
# is exactly the number we compute with.
_PLAIN_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?", re.ASCII)

# Finnish general VAT rate by start date (arvonlisäverolaki 84 §; changes
# 1.7.2010, 1.1.2013 and 1.9.2024). The rate follows the date the service is
# performed, so keep the history instead of one constant.
FINNISH_GENERAL_VAT: Mapping[date, Decimal] = {
    date(2010, 7, 1): Decimal("23"),
    date(2013, 1, 1): Decimal("24"),
    date(2024, 9, 1): Decimal("25.5"),
}


def round_cents(amount: Decimal) -> Decimal:
    """Round to cents, half up (commercial rounding, not Python's half-even); never -0.00."""
    return _no_negative_zero(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def percent_of(part: Decimal | int, whole: Decimal | int, places: int = 1) -> Decimal:
    """``part`` as a percentage of ``whole``, rounded half up to ``places`` decimals
    (``percent_of(1, 3)`` -> ``Decimal("33.3")``); 0 when ``whole`` is 0."""
    if not whole:
        return Decimal(0).quantize(Decimal(1).scaleb(-places))
    share = Decimal(part) * 100 / Decimal(whole)
    return _no_negative_zero(share.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def parse_number(text: str) -> Decimal:
    """Parse a plain number such as ``"24"``, ``"25.5"`` or ``"-5000.00"``, exactly.

    Raises ValueError for anything else: NaN, Infinity, exponents ("1e30"), commas,
    spaces, "+", or digits other than ASCII 0-9.
    """
    if not isinstance(text, str):
        raise ValueError("number must be text")
    if not _PLAIN_NUMBER.fullmatch(text):
        raise ValueError("not a plain number like 5000.00")
    return _no_negative_zero(Decimal(text))  # exact: Decimal(str) does not round


def decimal_places(number: Decimal) -> int:
    """How many decimals ``number`` is written with: ``Decimal("25.50")`` -> 2."""
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def to_cents(amount: Decimal) -> Decimal:
    """An amount of at most two decimals, in cents: ``Decimal("5000")`` -> ``5000.00``.

    Raises ValueError for more decimals: it never rounds (rounding is round_cents).
    """
    if decimal_places(amount) > 2:
        raise ValueError("more than two decimals")
    return _no_negative_zero(amount.quantize(CENT))  # exact: only pads "5000" to "5000.00"


def format_money(amount: Decimal) -> str:
    """Plain machine form for CSV/JSON: ``"5000.00"`` (dot, two decimals, no grouping)."""
    return f"{round_cents(amount):f}"


def _no_negative_zero(amount: Decimal) -> Decimal:
    # "-0.00" is a valid Decimal but would look like a credit on an invoice.
    return abs(amount) if amount == 0 else amount


def _to_fraction(value: Decimal | int, what: str) -> Fraction:
    # Fraction(Decimal) is exact; float is refused because it is already inexact.
    if isinstance(value, float) or not isinstance(value, (Decimal, int, Fraction)):
        raise ValueError(f"{what} must be a Decimal or an int, not {type(value).__name__}")
    try:
        return Fraction(value)
    except (ValueError, OverflowError):  # NaN, Infinity
        raise ValueError(f"{what} is not a finite number") from None


def split_cents(total: Decimal, weights: Mapping[str, Decimal | int]) -> dict[str, Decimal]:
    """Split ``total`` by ``weights`` in whole cents so the shares add up exactly.

    Largest-remainder method: each key first gets the floor of its exact share
    ``total_cents * weight / sum(weights)``; the cents left over go one each to
    the keys with the largest fractional remainders.

    Tie-break for equal remainders: the larger weight first, then the key in
    ascending string order. The result therefore does not depend on the order
    of ``weights``; the returned dict keeps the input's key order.

    A negative total (credit note) is split as its absolute value and negated,
    so a credit note mirrors the original invoice cent for cent. Zero weights
    are allowed if some weight is positive; they get 0.00.

    Raises ValueError if ``weights`` is empty, a weight is negative, all weights
    are zero, or ``total`` is not a whole number of cents.
    """
    if not weights:
        raise ValueError("no weights to split by")
    exact_weights = {key: _to_fraction(w, f"weight of {key!r}") for key, w in weights.items()}
    if any(w < 0 for w in exact_weights.values()):
        raise ValueError("negative weight")
    weight_sum = sum(exact_weights.values())
    if weight_sum == 0:
        raise ValueError("all weights are zero")
    total_cents = _to_fraction(total, "total") * 100
    if total_cents.denominator != 1:
        raise ValueError("total is not a whole number of cents")
    sign = -1 if total_cents < 0 else 1
    cents_to_split = abs(total_cents.numerator)

    # Integer and Fraction arithmetic only: no Decimal context precision to lose
    # digits, however large the populations.
    floors: dict[str, int] = {}
    remainders: dict[str, Fraction] = {}
    for key, weight in exact_weights.items():
        exact = cents_to_split * weight / weight_sum
        floors[key] = exact.numerator // exact.denominator
        remainders[key] = exact - floors[key]
    leftover = cents_to_split - sum(floors.values())
    # leftover < number of non-zero remainders, so a key whose share is already
    # exact (including every zero weight) never receives an extra cent.
    order = sorted(exact_weights, key=lambda k: (-remainders[k], -exact_weights[k], str(k)))
    for key in order[:leftover]:
        floors[key] += 1
    # Decimal from a string is exact and, for 0, gives "0.00" rather than "-0.00".
    return {key: Decimal(f"{sign * cents}E-2") for key, cents in floors.items()}


def vat_rate(table: Mapping[date, Decimal], on: date) -> Decimal:
    """The rate in ``table`` whose start date is the latest one on or before ``on``."""
    started = [start for start in table if start <= on]
    if not started:
        raise ValueError(f"no VAT rate in force on {on.isoformat()}")
    return table[max(started)]


def vat_amount(net: Decimal, rate: Decimal) -> Decimal:
    """VAT in euros for ``net`` at ``rate`` percent, rounded half up to cents."""
    return round_cents(net * rate / 100)


def fee_year_vat_date(year: int) -> date:
    """The date whose VAT rate applies to the fee of ``year``.

    The rate follows the date the service is performed, not the invoice date
    (domain.md, "Money"). The yearly fee pays for a service period that starts
    when the year starts, so 1 January of that year is used. KOPA's years
    2020-2021 lie wholly within the 24 % period (1.1.2013-31.8.2024), so they
    carry 24 % either way.
    """
    return date(year, 1, 1)
