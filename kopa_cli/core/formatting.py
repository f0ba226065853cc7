"""Numbers, money and dates as people read them, in the message language (via Babel).

Babel is imported on first use, so commands that print no formatted figures stay quick.
Babel would round half-even: amounts are rounded here, half up, by money.round_cents (the
one rounding rule), and other numbers are shown with all their decimals.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from kopa_cli.core.i18n import current_language
from kopa_cli.core.money import round_cents

_LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def _locale(lang: str | None) -> str:
    return _LOCALES[lang or current_language()]


def number(value: int | Decimal, lang: str | None = None) -> str:
    """4812 -> '4 812' in Finnish (no-break space between groups)."""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(lang), decimal_quantization=False)


def signed(value: int | Decimal, lang: str | None = None) -> str:
    """A change with its sign: 12 -> '+12', -477 -> '-477', 0 -> '0' (Babel's plus sign and
    number format for the language)."""
    from babel.numbers import get_plus_sign_symbol

    return (get_plus_sign_symbol(_locale(lang)) if value > 0 else "") + number(value, lang)


def money(amount: Decimal, lang: str | None = None, currency: str = "EUR") -> str:
    """Decimal('1666.67') -> '1 666,67 €' in Finnish; Decimal('0.125') -> '0,13 €' (half up)."""
    from babel.numbers import format_currency

    return format_currency(round_cents(amount), currency, locale=_locale(lang))


def day(value: date, lang: str | None = None) -> str:
    """date(2019, 12, 13) -> '13.12.2019' in Finnish and Swedish."""
    if (lang or current_language()) in ("fi", "sv"):
        return f"{value.day}.{value.month}.{value.year}"
    return value.isoformat()


def percent(rate: Decimal, lang: str | None = None) -> str:
    """Decimal('25.5') -> '25,5 %' in Finnish."""
    return f"{number(rate.normalize(), lang)}\u00a0%"
