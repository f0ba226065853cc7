"""kopa_cli.billing.fees: hand-checked shares of real records, plus hypothesis properties of the split."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from kopa_cli.check.validation import check
from kopa_cli.core.errors import DuplicateFeeLine
from kopa_cli.billing.fees import Amounts, FeeLine, NoVatRate, compare, compute_fees, pilot_fees, select, totals
from kopa_cli.core.money import vat_amount
from kopa_cli.load.records import Call, Fee, Organization, Pilot, PilotMember
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace

D = Decimal
FEE = D("5000.00")


def call(split: str = "equal", years=(2020, 2021), vat=None) -> Call:
    return Call(id="kopa-2020", fee=Fee(annual=FEE, years=list(years), split=split, vat=vat if vat is not None else {}))


def member(org: str, weight=None, joined=None, left=None) -> PilotMember:
    return PilotMember(org=org, weight=None if weight is None else D(weight), joined=joined, left=left)


def pilot(*members: PilotMember, split=None, population_year=None, years=None, id="p") -> Pilot:
    return Pilot(application=id, members=list(members), split=split, population_year=population_year, years=years, id=id)


def shares(lines: list[FeeLine], year: int) -> dict[str, Decimal]:
    return {line.member: line.net for line in lines if line.year == year}


# --- the shipped records: every member, every year --------------------------------------------

# (pilot, member, year, net, vat, gross), checked by hand:
# kainuu-lukiot, equal: 5000/3 = 1666.666.. -> two members get the extra cent; equal remainders
#   and weights go in ascending id order, so kajaani and kuhmo, not sotkamo. In 2021
#   kainuun-ammattiopisto has joined: 5000/4 = 1250.00 each. VAT 24 %: 1666.67 * 0.24 = 400.0008.
# sydosterbotten-utbildning, weights 3:2:1:1 (sum 7): 2142.857, 1428.571, 714.286, 714.286 cents
#   floors 2142.85 + 1428.57 + 714.28 + 714.28 = 4999.98; the two leftover cents go to the
#   remainders .714 (narpes) and .286/.286 tie -> kasko before sydosterbottens-utbildning.
# ylakainuu-kylakoulut, population 31.12.2019 (sum 13798): 280004.348, 82294.535, 91607.479,
#   46093.637 cents; floors sum to 499998, the two cents go to ristijarvi (.637) and hyrynsalmi (.535).
SHIPPED = [
    ("kainuu-lukiot", "kajaani", 2020, "1666.67", "400.00", "2066.67"),
    ("kainuu-lukiot", "sotkamo", 2020, "1666.66", "400.00", "2066.66"),
    ("kainuu-lukiot", "kuhmo", 2020, "1666.67", "400.00", "2066.67"),
    ("kainuu-lukiot", "kajaani", 2021, "1250.00", "300.00", "1550.00"),
    ("kainuu-lukiot", "sotkamo", 2021, "1250.00", "300.00", "1550.00"),
    ("kainuu-lukiot", "kuhmo", 2021, "1250.00", "300.00", "1550.00"),
    ("kainuu-lukiot", "kainuun-ammattiopisto", 2021, "1250.00", "300.00", "1550.00"),
    ("sydosterbotten-utbildning", "narpes", 2020, "2142.86", "514.29", "2657.15"),
    ("sydosterbotten-utbildning", "kristinestad", 2020, "1428.57", "342.86", "1771.43"),
    ("sydosterbotten-utbildning", "kasko", 2020, "714.29", "171.43", "885.72"),
    ("sydosterbotten-utbildning", "sydosterbottens-utbildning", 2020, "714.28", "171.43", "885.71"),
    ("sydosterbotten-utbildning", "narpes", 2021, "2142.86", "514.29", "2657.15"),
    ("sydosterbotten-utbildning", "kristinestad", 2021, "1428.57", "342.86", "1771.43"),
    ("sydosterbotten-utbildning", "kasko", 2021, "714.29", "171.43", "885.72"),
    ("sydosterbotten-utbildning", "sydosterbottens-utbildning", 2021, "714.28", "171.43", "885.71"),
    ("ylakainuu-kylakoulut", "suomussalmi", 2020, "2800.04", "672.01", "3472.05"),
    ("ylakainuu-kylakoulut", "hyrynsalmi", 2020, "822.95", "197.51", "1020.46"),
    ("ylakainuu-kylakoulut", "puolanka", 2020, "916.07", "219.86", "1135.93"),
    ("ylakainuu-kylakoulut", "ristijarvi", 2020, "460.94", "110.63", "571.57"),
    ("ylakainuu-kylakoulut", "suomussalmi", 2021, "2800.04", "672.01", "3472.05"),
    ("ylakainuu-kylakoulut", "hyrynsalmi", 2021, "822.95", "197.51", "1020.46"),
    ("ylakainuu-kylakoulut", "puolanka", 2021, "916.07", "219.86", "1135.93"),
    ("ylakainuu-kylakoulut", "ristijarvi", 2021, "460.94", "110.63", "571.57"),
]


@pytest.fixture(scope="module")
def shipped_lines() -> list[FeeLine]:
    return compute_fees(load_workspace(REPO, DirectorySource(REPO)))


def test_shipped_records_every_member_and_year(shipped_lines: list[FeeLine]) -> None:
    got = [(l.pilot, l.member, l.year, str(l.net), str(l.vat), str(l.gross)) for l in shipped_lines]
    assert got == SHIPPED
    assert all(line.vat_rate == 24 for line in shipped_lines)


def test_shipped_member_that_joined_pays_only_from_its_year(shipped_lines: list[FeeLine]) -> None:
    joined = select(shipped_lines, member="kainuun-ammattiopisto")
    assert [(l.year, l.net) for l in joined] == [(2021, D("1250.00"))]


def test_shipped_totals_and_vat_rounding_differences(shipped_lines: list[FeeLine]) -> None:
    summary = totals(shipped_lines)
    assert summary.grand == Amounts(D("30000.00"), D("7200.04"))
    differences = {(py.pilot, py.year): py.vat_rounding_difference for py in summary.pilot_years}
    # Weights: 514.29 + 342.86 + 171.43 + 171.43 = 1200.01, but 24 % of 5000.00 is 1200.00.
    assert differences == {
        ("kainuu-lukiot", 2020): 0, ("kainuu-lukiot", 2021): 0,
        ("sydosterbotten-utbildning", 2020): D("0.01"), ("sydosterbotten-utbildning", 2021): D("0.01"),
        ("ylakainuu-kylakoulut", 2020): D("0.01"), ("ylakainuu-kylakoulut", 2021): D("0.01"),
    }
    assert all(py.amounts.net == FEE and py.fee_vat == D("1200.00") for py in summary.pilot_years)
    assert summary.members["suomussalmi"] == Amounts(D("5600.08"), D("1344.02"))
    assert summary.members["kainuun-ammattiopisto"].gross == D("1550.00")


# --- hand-checked splits ----------------------------------------------------------------------


def test_equal_split_of_5000_in_three() -> None:
    lines = pilot_fees(call(years=[2020]), pilot(member("a"), member("b"), member("c")), {})
    assert shares(lines, 2020) == {"a": D("1666.67"), "b": D("1666.67"), "c": D("1666.66")}
    assert [l.vat for l in lines] == [D("400.00")] * 3  # 1666.67 * 24 % = 400.0008; 1666.66 -> 399.9984


def test_population_split_where_plain_rounding_sums_to_4999_99() -> None:
    # Population 31.12.2019 (Statistics Finland): exact cents 291517.106, 82081.255, 65039.230,
    # 61362.409; rounding each gives 4999.99; largest remainder gives Suomussalmi the last cent.
    population = {"kajaani": 36709, "sotkamo": 10336, "kuhmo": 8190, "suomussalmi": 7727}
    orgs = {org: Organization(id=org, population={2019: n}) for org, n in population.items()}
    plain = sum(round(Fraction(5000 * n, sum(population.values())), 2) for n in population.values())
    assert plain == Fraction("4999.99")
    p = pilot(*(member(org) for org in population), split="population", population_year=2019)
    lines = pilot_fees(call(years=[2020]), p, orgs)
    assert shares(lines, 2020) == {
        "kajaani": D("2915.17"), "sotkamo": D("820.81"), "kuhmo": D("650.39"), "suomussalmi": D("613.63"),
    }
    assert sum(l.net for l in lines) == FEE


def test_population_of_another_year_is_not_used() -> None:
    orgs = {
        "a": Organization(id="a", population={2018: 1, 2019: 3}),
        "b": Organization(id="b", population={2018: 1, 2019: 1}),
    }
    lines = pilot_fees(call(years=[2020]), pilot(member("a"), member("b"), split="population", population_year=2019), orgs)
    assert shares(lines, 2020) == {"a": D("3750.00"), "b": D("1250.00")}


def test_weights_split_with_decimal_weights() -> None:
    p = pilot(member("a", "1.5"), member("b", "0.5"), split="weights")
    assert shares(pilot_fees(call(years=[2020]), p, {}), 2020) == {"a": D("3750.00"), "b": D("1250.00")}


def test_pilot_split_overrides_the_calls_default() -> None:
    p = pilot(member("a", 3), member("b", 1), split="weights")
    assert shares(pilot_fees(call(split="equal", years=[2020]), p, {}), 2020) == {"a": D("3750.00"), "b": D("1250.00")}
    q = pilot(member("a", 3), member("b", 1))
    assert shares(pilot_fees(call(split="weights", years=[2020]), q, {}), 2020) == {"a": D("3750.00"), "b": D("1250.00")}


def test_members_who_joined_or_left_pay_only_their_years_and_the_rest_share_the_fee() -> None:
    p = pilot(
        member("stays"),
        member("leaves", left=date(2020, 12, 31)),
        member("joins", joined=date(2021, 3, 1)),
        member("visits", joined=date(2021, 1, 1), left=date(2021, 6, 30)),
        years=[2020, 2021, 2022],
    )
    lines = pilot_fees(call(years=[2020, 2021, 2022]), p, {})
    assert shares(lines, 2020) == {"stays": D("2500.00"), "leaves": D("2500.00")}
    # Equal remainders: the extra cents go in ascending id order, joins and stays before visits.
    assert shares(lines, 2021) == {"stays": D("1666.67"), "joins": D("1666.67"), "visits": D("1666.66")}
    assert shares(lines, 2022) == {"stays": D("2500.00"), "joins": D("2500.00")}


def test_pilot_years_override_the_calls_years() -> None:
    lines = pilot_fees(call(years=[2020, 2021]), pilot(member("a"), member("b"), years=[2021]), {})
    assert {l.year for l in lines} == {2021}


@pytest.mark.parametrize(
    ("year", "rate", "vat"),
    [(2012, "23", "575.00"), (2020, "24", "600.00"), (2024, "24", "600.00"), (2025, "25.5", "637.50")],
)
def test_vat_rate_of_the_fee_year_from_the_finnish_table(year: int, rate: str, vat: str) -> None:
    # The call names no table: the Finnish general rates apply, at 1 January of the fee year.
    lines = pilot_fees(call(years=[year]), pilot(member("a"), member("b"), years=[year]), {})
    assert {(l.vat_rate, l.vat) for l in lines} == {(D(rate), D(vat))}


def test_vat_table_of_the_call_overrides_the_finnish_one() -> None:
    own = {date(2019, 1, 1): D("10"), date(2021, 1, 1): D("14")}
    lines = pilot_fees(call(vat=own), pilot(member("a"), member("b")), {})
    assert [(l.year, l.vat_rate, l.vat) for l in lines] == [
        (2020, D("10"), D("250.00")), (2020, D("10"), D("250.00")),
        (2021, D("14"), D("350.00")), (2021, D("14"), D("350.00")),
    ]


def test_no_vat_rate_in_force_is_a_problem_in_the_records() -> None:
    with pytest.raises(NoVatRate) as raised:
        pilot_fees(call(vat={date(2021, 1, 1): D("24")}), pilot(member("a"), member("b"), id="x"), {})
    assert raised.value.exit_code == 1
    assert "1.1.2020" in raised.value.message and "'x'" in raised.value.message


def test_a_member_is_never_billed_twice_for_one_pilot_and_year(tmp_path) -> None:
    """Validation reports a repeated fee year (KOPA211); compute_fees refuses it on its own too."""
    shutil.copytree(REPO / "tests" / "cases" / "base", tmp_path, dirs_exist_ok=True)
    pilot_file = tmp_path / "records" / "pilots" / "kainuu-lukiot.yaml"
    pilot_file.write_text(pilot_file.read_text(encoding="utf-8").replace("years: [2020, 2021]", "years: [2020, 2020, 2021]"), encoding="utf-8")
    workspace = load_workspace(tmp_path, DirectorySource(tmp_path))
    assert [d.code for d in check(workspace).diagnostics] == ["KOPA211"]
    with pytest.raises(DuplicateFeeLine) as raised:
        compute_fees(workspace)
    assert raised.value.exit_code == 1
    assert raised.value.kwargs == {"pilot": "kainuu-lukiot", "member": "kajaani", "year": 2020}


def test_select_filters() -> None:
    lines = [FeeLine("p", m, y, D("1.00"), D("24"), D("0.24")) for m in ("a", "b") for y in (2020, 2021)]
    assert select(lines) == lines
    assert [(l.member, l.year) for l in select(lines, member="a")] == [("a", 2020), ("a", 2021)]
    assert [(l.member, l.year) for l in select(lines, pilot="p", year=2021)] == [("a", 2021), ("b", 2021)]
    assert select(lines, pilot="q") == [] and select(lines, year=2019) == []


def test_compare_finds_new_removed_and_changed_lines() -> None:
    def line(member: str, net: str, year: int = 2020) -> FeeLine:
        return FeeLine("p", member, year, D(net), D("24"), vat_amount(D(net), D("24")))

    before = [line("a", "2500.00"), line("b", "2500.00"), line("c", "100.00", 2021)]
    after = [line("a", "2500.00"), line("b", "1250.00"), line("d", "1250.00")]
    result = compare(before, after)
    assert [(c.line.member, c.line.year, c.status, c.change("net")) for c in result.changes] == [
        ("b", 2020, "changed", D("-1250.00")),
        ("d", 2020, "new", D("1250.00")),
        ("c", 2021, "removed", D("-100.00")),
    ]
    assert [(m.member, m.gross_change) for m in result.members] == [
        ("b", D("-1550.00")), ("c", D("-124.00")), ("d", D("1550.00")),
    ]
    assert result.after.gross - result.before.gross == D("-124.00")
    assert compare(after, list(after)).unchanged


# --- properties -----------------------------------------------------------------------------------

member_ids = st.lists(st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True), min_size=1, max_size=12, unique=True)
fees = st.decimals(min_value=D("0.01"), max_value=D("100000.00"), places=2)
weights = st.one_of(
    st.integers(min_value=1, max_value=200_000),
    st.decimals(min_value=D("0.01"), max_value=D("1000"), places=2),
)


@st.composite
def split_cases(draw):
    ids = draw(member_ids)
    method = draw(st.sampled_from(["equal", "population", "weights"]))
    values = {org: draw(weights) for org in ids}
    if method == "population":
        values = {org: int(v) or 1 for org, v in values.items()}
        orgs = {org: Organization(id=org, population={2019: values[org]}) for org in ids}
        members = [member(org) for org in ids]
    else:
        orgs = {}
        members = [member(org, values[org] if method == "weights" else None) for org in ids]
        if method == "equal":
            values = {org: 1 for org in ids}
    fee = draw(fees)
    the_call = Call(id="c", fee=Fee(annual=fee, years=[2020], split="equal"))
    return the_call, members, method, orgs, {org: Fraction(v) for org, v in values.items()}, fee


@settings(max_examples=300, deadline=None)
@given(split_cases())
def test_shares_sum_to_the_fee_and_stay_within_a_cent_of_the_exact_share(case) -> None:
    the_call, members, method, orgs, exact_weights, fee = case
    lines = pilot_fees(the_call, pilot(*members, split=method, population_year=2019), orgs)
    assert sum(l.net for l in lines) == fee
    weight_sum = sum(exact_weights.values())
    for l in lines:
        exact = Fraction(fee) * exact_weights[l.member] / weight_sum
        assert abs(Fraction(l.net) - exact) < Fraction(1, 100)
        assert l.vat == vat_amount(l.net, D("24")) and l.gross == l.net + l.vat
    assert [l.member for l in lines] == [m.org for m in members]


@settings(max_examples=200, deadline=None)
@given(split_cases(), st.randoms(use_true_random=False))
def test_permuting_the_members_only_permutes_the_result(case, random) -> None:
    the_call, members, method, orgs, _weights, _fee = case
    shuffled = list(members)
    random.shuffle(shuffled)
    first = pilot_fees(the_call, pilot(*members, split=method, population_year=2019), orgs)
    second = pilot_fees(the_call, pilot(*shuffled, split=method, population_year=2019), orgs)
    assert sorted(first, key=lambda l: l.member) == sorted(second, key=lambda l: l.member)
    assert [l.member for l in second] == [m.org for m in shuffled]


@settings(max_examples=100, deadline=None)
@given(member_ids, st.lists(st.integers(min_value=2019, max_value=2023), min_size=1, max_size=5, unique=True), st.data())
def test_each_year_is_split_among_that_years_members(ids, years, data) -> None:
    members = []
    for org in ids:
        joined = data.draw(st.sampled_from([None, *years]))
        left = data.draw(st.sampled_from([None, *[y for y in years if joined is None or y >= joined]]))
        members.append(member(org, joined=joined and date(joined, 1, 1), left=left and date(left, 12, 31)))
    # A fee year with no member at all is refused by validation (KOPA508) before any split.
    years = sorted(y for y in years if any(m.takes_part_in(y) for m in members))
    lines = pilot_fees(call(years=years), pilot(*members, years=years), {})
    for year in years:
        present = [m.org for m in members if m.takes_part_in(year)]
        assert [l.member for l in lines if l.year == year] == present
        assert sum(l.net for l in lines if l.year == year) == FEE
