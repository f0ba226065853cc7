"""Tests for kopa_cli.core.money: hand-checked figures plus hypothesis properties."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kopa_cli.core.i18n import set_language
from kopa_cli.core.money import (
    CENT,
    FINNISH_GENERAL_VAT,
    decimal_places,
    fee_year_vat_date,
    format_money,
    parse_number,
    round_cents,
    split_cents,
    to_cents,
    vat_amount,
    vat_rate,
)

# Population 31.12.2019, Statistics Finland (domain.md, "Municipalities").
KAINUU = {
    "Kajaani": 36709,
    "Sotkamo": 10336,
    "Kuhmo": 8190,
    "Suomussalmi": 7727,
    "Paltamo": 3273,
    "Puolanka": 2528,
    "Hyrynsalmi": 2271,
    "Ristijärvi": 1272,
}
FEE = Decimal("5000.00")


def naive_split(total: Decimal, weights: dict[str, int]) -> dict[str, Decimal]:
    """Round each share on its own: the method split_cents exists to avoid."""
    weight_sum = sum(weights.values())
    return {key: round_cents(total * w / weight_sum) for key, w in weights.items()}


# --- rounding, parsing, formatting -------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.125", "0.13"), ("0.135", "0.14"), ("-0.125", "-0.13"), ("1666.666", "1666.67"), ("7", "7.00")],
)
def test_round_cents_is_half_up(amount: str, expected: str) -> None:
    assert str(round_cents(Decimal(amount))) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5000.00", "5000.00"), ("5000", "5000.00"), ("1666.67", "1666.67"), ("0.5", "0.50"), ("0", "0.00"), ("-0.00", "0.00")],
)
def test_a_plain_amount_in_cents(text: str, expected: str) -> None:
    """How records read money (load/structure.py): parse_number, then to_cents."""
    result = to_cents(parse_number(text))
    assert isinstance(result, Decimal)
    assert str(result) == expected


def test_to_cents_pads_and_never_rounds() -> None:
    assert str(to_cents(Decimal("5000"))) == "5000.00" and str(to_cents(Decimal("-0"))) == "0.00"
    with pytest.raises(ValueError, match="more than two decimals"):
        to_cents(Decimal("0.125"))


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("5000", "5000.00"), ("1666.67", "1666.67"), ("-833.335", "-833.34"), ("-0.001", "0.00"), ("1E+3", "1000.00")],
)
def test_format_money(amount: str, expected: str) -> None:
    assert format_money(Decimal(amount)) == expected


def test_parse_format_round_trip() -> None:
    for text in ("5000.00", "1666.67", "0.01", "123456789.10"):
        assert format_money(to_cents(parse_number(text))) == text


@pytest.mark.parametrize(("text", "expected"), [("24", "24"), ("25.5", "25.5"), ("25.50", "25.50"), ("-5000.00", "-5000.00"), ("-0", "0"), ("007", "7")])
def test_parse_number_is_exact(text: str, expected: str) -> None:
    assert str(parse_number(text)) == expected


@pytest.mark.parametrize("text", ["1e30", "1E-999999999", "5E3", "NaN", "Infinity", "-Infinity", "２４", "٢٤", "٥٠٠٠", " 24", "24\n", "5 000.00", "1_000", "+24", "24,5", ".5", "5.", ""])
def test_parse_number_takes_only_plain_ascii_decimals(text: str) -> None:
    """Decimal() itself would read most of these (exponents, other scripts' digits, spaces)."""
    with pytest.raises(ValueError):
        parse_number(text)


@pytest.mark.parametrize(("text", "places"), [("24", 0), ("25.5", 1), ("25.50", 2), ("0.001", 3)])
def test_decimal_places(text: str, places: int) -> None:
    assert decimal_places(Decimal(text)) == places


def test_rounding_never_gives_negative_zero() -> None:
    assert str(round_cents(Decimal("-0.004"))) == "0.00"


@pytest.mark.parametrize(("amount", "fi", "en"), [("0.125", "0,13\u00a0€", "€0.13"), ("2.675", "2,68\u00a0€", "€2.68"), ("-0.001", "0,00\u00a0€", "€0.00")])
def test_money_as_people_read_it_rounds_half_up(amount: str, fi: str, en: str, tmp_path) -> None:
    """Babel alone rounds half-even (0.125 -> 0,12 €); the template filter goes through the
    same formatting.money."""
    from kopa_cli.core import formatting

    assert (formatting.money(Decimal(amount), "fi"), formatting.money(Decimal(amount), "en")) == (fi, en)
    assert _render_in_finnish(tmp_path, "{{ a | money }}", amount) == fi


def _render_in_finnish(root, template: str, value: object) -> str:
    from kopa_cli.render import templating

    (root / "templates").mkdir()
    (root / "templates" / "t.txt.j2").write_text(template, encoding="utf-8")
    set_language("fi")
    try:
        return templating.render(root, "t.txt.j2", a=value)
    finally:
        set_language(None)


@pytest.mark.parametrize("value", [" 5 ", "5_000", "\u0663", "1e3", "NaN", "Infinity", "+5", "5,00", Decimal("NaN"), Decimal("Infinity"), 5.0, True])
@pytest.mark.parametrize("name", ["money", "number", "percent"])
def test_a_number_filter_refuses_what_records_refuse(name: str, value: object, tmp_path) -> None:
    from kopa_cli.core.errors import TemplateFailed

    with pytest.raises(TemplateFailed) as failure:
        _render_in_finnish(tmp_path, f"\n{{{{ a | {name} }}}}", value)
    assert failure.value.kwargs["line"] == 2
    assert "5000.00" in failure.value.kwargs["problem"]


@pytest.mark.parametrize(("value", "fi"), [("-0", "0\u00a0%"), (Decimal("-0"), "0\u00a0%"), ("24", "24\u00a0%"), (25, "25\u00a0%")])
def test_the_percent_filter_shows_no_negative_zero(value: object, fi: str, tmp_path) -> None:
    assert _render_in_finnish(tmp_path, "{{ a | percent }}", value) == fi


def test_numbers_as_people_read_them_are_not_rounded() -> None:
    from kopa_cli.core import formatting

    assert formatting.number(Decimal("1.0005"), "en") == "1.0005"


# --- split_cents: hand-checked cases ----------------------------------------------


def test_split_equal_thirds() -> None:
    shares = split_cents(FEE, {"A": 1, "B": 1, "C": 1})
    assert shares == {"A": Decimal("1666.67"), "B": Decimal("1666.67"), "C": Decimal("1666.66")}


def test_split_population_where_naive_rounding_loses_a_cent() -> None:
    weights = {k: KAINUU[k] for k in ("Kajaani", "Sotkamo", "Kuhmo", "Suomussalmi")}
    # Exact shares in cents (sum of populations 62962):
    #   291517.106, 82081.255, 65039.230, 61362.409 -> floors sum to 499999;
    #   the one leftover cent goes to the largest remainder, Suomussalmi (.409).
    assert sum(naive_split(FEE, weights).values()) == Decimal("4999.99")
    assert split_cents(FEE, weights) == {
        "Kajaani": Decimal("2915.17"),
        "Sotkamo": Decimal("820.81"),
        "Kuhmo": Decimal("650.39"),
        "Suomussalmi": Decimal("613.63"),
    }


def test_split_population_where_naive_rounding_loses_two_cents() -> None:
    weights = {k: v for k, v in KAINUU.items() if k != "Ristijärvi"}
    # Exact cents: Kajaani 258390.348, Sotkamo 72753.893, Kuhmo 57648.450,
    # Suomussalmi 54389.447, Paltamo 23038.263, Puolanka 17794.296,
    # Hyrynsalmi 15985.303; floors sum to 499997, three cents go to .893, .450, .447.
    assert sum(naive_split(FEE, weights).values()) == Decimal("4999.98")
    assert split_cents(FEE, weights) == {
        "Kajaani": Decimal("2583.90"),
        "Sotkamo": Decimal("727.54"),
        "Kuhmo": Decimal("576.49"),
        "Suomussalmi": Decimal("543.90"),
        "Paltamo": Decimal("230.38"),
        "Puolanka": Decimal("177.94"),
        "Hyrynsalmi": Decimal("159.85"),
    }


def test_split_population_where_naive_rounding_gains_a_cent() -> None:
    weights = {k: KAINUU[k] for k in ("Kajaani", "Kuhmo", "Hyrynsalmi")}
    assert sum(naive_split(FEE, weights).values()) == Decimal("5000.01")
    assert sum(split_cents(FEE, weights).values()) == FEE


def test_split_whole_kainuu() -> None:
    assert split_cents(FEE, KAINUU) == {
        "Kajaani": Decimal("2538.45"),
        "Sotkamo": Decimal("714.74"),
        "Kuhmo": Decimal("566.34"),
        "Suomussalmi": Decimal("534.33"),
        "Paltamo": Decimal("226.33"),
        "Puolanka": Decimal("174.81"),
        "Hyrynsalmi": Decimal("157.04"),
        "Ristijärvi": Decimal("87.96"),
    }


def test_split_tie_break_larger_weight_then_key() -> None:
    # 2 cents by 1:3 -> exact 0.5 and 1.5 cents: equal remainders, the larger weight wins.
    assert split_cents(Decimal("0.02"), {"a": 1, "b": 3}) == {"a": Decimal("0.00"), "b": Decimal("0.02")}
    # Equal weights: ascending key order, whatever the mapping order.
    assert split_cents(Decimal("0.01"), {"b": 1, "a": 1}) == {"b": Decimal("0.00"), "a": Decimal("0.01")}


def test_split_keeps_input_key_order() -> None:
    assert list(split_cents(FEE, {"z": 1, "a": 2, "m": 3})) == ["z", "a", "m"]


def test_split_zero_weight_gets_nothing() -> None:
    assert split_cents(Decimal("0.01"), {"a": 0, "b": 1}) == {"a": Decimal("0.00"), "b": Decimal("0.01")}


def test_split_negative_total_mirrors_positive() -> None:
    weights = {"A": 1, "B": 1, "C": 1, "D": 0}
    credit = split_cents(-FEE, weights)
    assert credit == {k: -v for k, v in split_cents(FEE, weights).items()}
    assert str(credit["D"]) == "0.00"  # not "-0.00"


def test_split_decimal_weights_and_huge_numbers() -> None:
    assert split_cents(Decimal("100.00"), {"a": Decimal("0.5"), "b": Decimal("0.25")}) == {
        "a": Decimal("66.67"),
        "b": Decimal("33.33"),
    }
    # Far beyond Decimal's default 28-digit context: must still be exact.
    total = Decimal("123456789012345678901234567890.01")
    shares = split_cents(total, {"a": 10**40 + 1, "b": 10**40, "c": 7})
    # Summed as Fractions: Decimal addition itself would round to 28 digits.
    assert sum(Fraction(share) for share in shares.values()) == Fraction(total)
    assert shares["a"] == Decimal("61728394506172839450617283945.01")


@pytest.mark.parametrize(
    ("total", "weights", "reason"),
    [
        (FEE, {}, "no weights"),
        (FEE, {"a": 1, "b": -1}, "negative weight"),
        (FEE, {"a": 0, "b": 0}, "all weights are zero"),
        (Decimal("0.001"), {"a": 1}, "whole number of cents"),
        (Decimal("NaN"), {"a": 1}, "not a finite number"),
        (Decimal("Infinity"), {"a": 1}, "not a finite number"),
        (FEE, {"a": 0.5}, "Decimal or an int"),
    ],
)
def test_split_rejects(total: Decimal, weights: dict, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        split_cents(total, weights)


# --- split_cents: properties --------------------------------------------------------

totals = st.integers(min_value=-10**12, max_value=10**12).map(lambda cents: Decimal(cents).scaleb(-2))
int_weights = st.integers(min_value=0, max_value=10**9)
decimal_weights = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
weight_maps = st.dictionaries(
    st.text(min_size=1, max_size=8), st.one_of(int_weights, decimal_weights), min_size=1, max_size=12
).filter(lambda ws: any(w > 0 for w in ws.values()))


@given(totals, weight_maps)
def test_shares_sum_to_total_exactly(total: Decimal, weights: dict) -> None:
    assert sum(split_cents(total, weights).values()) == total


@given(totals, weight_maps)
def test_each_share_within_a_cent_of_exact(total: Decimal, weights: dict) -> None:
    weight_sum = sum(Fraction(w) for w in weights.values())
    for key, share in split_cents(total, weights).items():
        exact = Fraction(total) * Fraction(weights[key]) / weight_sum
        assert abs(Fraction(share) - exact) < Fraction(1, 100)
        assert share == share.quantize(CENT)


@given(totals, weight_maps, st.randoms(use_true_random=False))
def test_mapping_order_does_not_matter(total: Decimal, weights: dict, rnd) -> None:
    items = list(weights.items())
    rnd.shuffle(items)
    assert split_cents(total, dict(items)) == split_cents(total, weights)


@given(totals, st.dictionaries(st.text(min_size=1, max_size=4), st.just(0), max_size=6))
def test_no_positive_weight_raises(total: Decimal, weights: dict) -> None:
    with pytest.raises(ValueError):
        split_cents(total, weights)


@given(totals, weight_maps, st.integers(min_value=-10**6, max_value=-1))
def test_any_negative_weight_raises(total: Decimal, weights: dict, negative: int) -> None:
    with pytest.raises(ValueError, match="negative weight"):
        split_cents(total, {**weights, "negative": negative})


# --- VAT -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "rate"),
    [
        (date(2010, 7, 1), "23"),
        (date(2012, 12, 31), "23"),
        (date(2013, 1, 1), "24"),
        (date(2020, 1, 1), "24"),
        (date(2024, 8, 31), "24"),
        (date(2024, 9, 1), "25.5"),
        (date(2030, 1, 1), "25.5"),
    ],
)
def test_vat_rate_boundaries(on: date, rate: str) -> None:
    assert vat_rate(FINNISH_GENERAL_VAT, on) == Decimal(rate)


def test_vat_rate_before_table_raises() -> None:
    with pytest.raises(ValueError, match="no VAT rate"):
        vat_rate(FINNISH_GENERAL_VAT, date(2010, 6, 30))


def test_vat_rate_table_can_be_overridden() -> None:
    table = {date(2020, 1, 1): Decimal("10"), date(2019, 1, 1): Decimal("0")}  # order-free
    assert vat_rate(table, date(2019, 12, 31)) == Decimal("0")
    assert vat_rate(table, date(2021, 6, 1)) == Decimal("10")


@pytest.mark.parametrize(
    ("net", "rate", "expected"),
    [
        ("5000.00", "24", "1200.00"),
        ("5000.00", "25.5", "1275.00"),
        ("1666.67", "24", "400.00"),  # 400.0008
        ("3.00", "25.5", "0.77"),  # exactly 0.765: half-up 0.77, half-even 0.76
        ("1.50", "23", "0.35"),  # exactly 0.345: half-up 0.35, half-even 0.34
        ("-3.00", "25.5", "-0.77"),  # credit note mirrors the invoice
    ],
)
def test_vat_amount(net: str, rate: str, expected: str) -> None:
    assert str(vat_amount(Decimal(net), Decimal(rate))) == expected


def test_vat_amount_case_really_differs_from_half_even() -> None:
    exact = Decimal("3.00") * Decimal("25.5") / 100
    assert exact.quantize(CENT, rounding=ROUND_HALF_EVEN) == Decimal("0.76")
    assert vat_amount(Decimal("3.00"), Decimal("25.5")) == Decimal("0.77")


@pytest.mark.parametrize("year", [2020, 2021])
def test_kopa_fee_years_carry_24_percent(year: int) -> None:
    assert fee_year_vat_date(year) == date(year, 1, 1)
    assert vat_rate(FINNISH_GENERAL_VAT, fee_year_vat_date(year)) == Decimal("24")


def test_fee_year_after_2024_change() -> None:
    assert vat_rate(FINNISH_GENERAL_VAT, fee_year_vat_date(2025)) == Decimal("25.5")
