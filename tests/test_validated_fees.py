"""Whatever validates can be billed: numbers that pass `kopa validate` never crash `kopa fees`.

A small workspace (tests/cases/base) with its numeric values replaced by generated ones —
fees, VAT rates, populations, weights, fee years, split methods — through the real CLI.
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import build_tree, run_kopa
from kopa_cli.check.validation import check
from kopa_cli.core.money import MONEY_MAXIMUM
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace

BASE = Path(__file__).parent / "cases" / "base"
RECORDS = BASE / "records"

# Each kind of number: plain valid values, or one of the edges of its bounds and of its
# written form (exponents, signs, other scripts' digits, unquoted or quoted where it must not be).
def _number(valid: st.SearchStrategy[str], *edges: str) -> st.SearchStrategy[str]:
    return st.one_of(valid, st.sampled_from(edges), st.sampled_from(edges))  # edges twice as often


MONEY = _number(st.from_regex(r'"[0-9]{1,9}(\.[0-9]{1,2})?"', fullmatch=True),
                '"-5000.00"', '"1e30"', '"999999999.99"', '"1000000000"', '"0"', '"5000.001"', '"５０００"', "5000")
RATE = _number(st.from_regex(r'"[0-9]{1,2}(\.[0-9]{1,2})?"', fullmatch=True),
               '"1e30"', '"240"', '"100"', '"-1"', '"0"', '"25.555"', '"２４"', "24", '"NaN"')
POPULATION = _number(st.integers(0, 10**9).map(str),
                     "-2528", "0", "1000000000", "1000000001", '"2528"', "10000000000000000000000", "null")
WEIGHT = _number(st.one_of(st.integers(1, 10**6).map(str), st.from_regex(r'"[0-9]{1,6}(\.[0-9]{1,6})?"', fullmatch=True)),
                 "0", "-1", '"0"', '"-0"', '"1e-999999"', '"1e30"', "2.5", '"0.000001"', "10000000000000000000000")
YEAR = st.sampled_from(["2019", "2020", "2021", "2022", "0", "-1", "10000", "9999", '"2020"'])
YEARS = st.lists(st.sampled_from(["2020", "2021", "2022", "0", "10000"]), max_size=4).map(lambda years: f"[{', '.join(years)}]")

# Where each value goes: (file, the base text, how the generated value is written in its place).
SLOTS = {
    "annual": ("call.yaml", 'annual: "5000.00"', "annual: {}", MONEY),
    "vat_2013": ("call.yaml", '"2013-01-01": "24"', '"2013-01-01": {}', RATE),
    "vat_2024": ("call.yaml", '"2024-09-01": "25.5"', '"2024-09-01": {}', RATE),
    "call_years": ("call.yaml", "  years: [2020, 2021]", "  years: {}", YEARS),
    "pilot_years": ("pilots/kainuu-lukiot.yaml", "years: [2020, 2021]", "years: {}", YEARS),
    "split": ("pilots/kainuu-kylat.yaml", "split: population", "split: {}", st.sampled_from(["equal", "weights", "population"])),
    "population_year": ("pilots/kainuu-kylat.yaml", "population_year: 2019", "population_year: {}", YEAR),
    **{f"weight_{org}": ("pilots/kainuu-kylat.yaml", f"  - org: {org}\n", f"  - org: {org}\n    weight: {{}}\n", WEIGHT)
       for org in ("sotkamo", "kuhmo", "kajaani")},
    **{f"population_{org}": (f"organizations/{org}.yaml", f"2019: {figure}", "2019: {}", POPULATION)
       for org, figure in (("kajaani", "36709"), ("kuhmo", "8190"), ("sotkamo", "10336"))},
    "joined": ("pilots/kainuu-lukiot.yaml", "joined: 2021-01-01", "joined: {}", st.sampled_from(["2019-06-01", "2022-01-01", "2021-12-31"])),
}
# A few values changed at a time, so that many workspaces still validate and are billed.
MUTATIONS = st.lists(st.sampled_from(sorted(SLOTS)), min_size=1, max_size=2, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: SLOTS[name][3] for name in names})
)


def _records(mutations: dict[str, object]) -> dict[str, str]:
    """The base records, with every weight of the population pilot written (unused unless
    its split becomes "weights") and the generated values put in."""
    texts = {path.relative_to(RECORDS).as_posix(): path.read_text(encoding="utf-8") for path in RECORDS.rglob("*.*")}
    for org, weight in (("sotkamo", 3), ("kuhmo", 2), ("kajaani", 1)):
        if f"weight_{org}" not in mutations:
            mutations = {**mutations, f"weight_{org}": weight}
    for name, value in mutations.items():
        path, old, new, _ = SLOTS[name]
        assert texts[path].count(old) == 1, f"{old!r} is not once in {path}"
        texts[path] = texts[path].replace(old, new.format(value))
    return {f"records/{path}": text for path, text in texts.items()}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace for every example: each writes all the record files again."""
    return build_tree(tmp_path_factory.mktemp("workspace"), {})


@settings(max_examples=40, deadline=None, derandomize=True)
@given(mutations=MUTATIONS)
# the inputs of issue 6, each tried every run
@example(mutations={"pilot_years": "[2020, 2020, 2021]"})
@example(mutations={"population_kajaani": "-2528"})
@example(mutations={"vat_2013": '"1e30"'})
@example(mutations={"vat_2013": '"240"'})
@example(mutations={"split": "weights", "weight_kuhmo": "0"})
@example(mutations={"population_kajaani": "0", "population_kuhmo": "0", "population_sotkamo": "0"})
# one edge of each bound, each tried every run: without the bound they validate and bill wrongly or crash
@example(mutations={"annual": '"-5000.00"'})
@example(mutations={"annual": '"1000000000"'})
@example(mutations={"vat_2013": '"100.001"'})
@example(mutations={"split": "weights", "weight_kuhmo": "-1"})
@example(mutations={"population_year": "0"})
@example(mutations={"call_years": "[0]"})
def test_a_workspace_that_validates_is_billed_and_any_other_is_refused(root: Path, mutations: dict[str, object]) -> None:
    build_tree(root, _records(mutations))
    workspace = load_workspace(root, DirectorySource(root))
    report = check(workspace)
    result = run_kopa("--lang", "en", "fees", workspace=root)
    assert result.exit_code != 3, "kopa fees crashed"
    assert result.exit_code == (1 if report.errors else 0)
    if not report.errors:
        _assert_billed_right(run_kopa("fees", "--format", "json", workspace=root).stdout, workspace.call.fee.annual)


def _assert_billed_right(output: str, annual: Decimal) -> None:
    """Every figure of a valid workspace's fees lies within the bounds a bill can have, and the
    members' shares of each pilot-year add up to the call's annual fee."""
    assert Decimal(0) <= annual <= MONEY_MAXIMUM
    shares: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for line in json.loads(output):
        net, rate, vat, gross = (Decimal(line[name]) for name in ("net", "vat_rate", "vat", "gross"))
        assert 0 <= net <= annual and 0 <= vat and gross == net + vat, line
        assert 0 <= rate <= 100 and rate == rate.quantize(Decimal("0.01")), line
        shares[line["pilot"], line["year"]] += net
    assert all(total == annual for total in shares.values()), shares
