"""kopa fees at any terminal width: ids, names, years and amounts are never cut; headings name the filters.

rich reads the width from COLUMNS when kopa starts, so typer's runner with COLUMNS in its
environment is the real thing; one test runs kopa as a process to hold the entry point to it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_kopa
from test_fees_cli import box_rows, fi, md_rows
from test_fees_compare import change_records, git, new_repo

WIDTHS = (40, 80, 100, 200)
WIDE = 1000  # wide enough for every table to be a table


def kopa(*args: str, columns: int, cwd: Path = REPO) -> str:
    result = run_kopa(*args, workspace=cwd, env={"COLUMNS": str(columns)})
    assert result.exit_code == 0
    return result.stdout


def test_a_kopa_process_takes_the_width_from_columns() -> None:
    env = {**os.environ, "COLUMNS": "80"}
    env.pop("KOPA_LANG", None)
    result = subprocess.run([sys.executable, "-m", "kopa_cli", "fees", "--pilot", "kainuu-lukiot"], cwd=REPO,
                            env=env, capture_output=True, text=True, encoding="utf-8", check=True)
    assert result.stdout == kopa("fees", "--pilot", "kainuu-lukiot", columns=80)
    assert "Jäsen: Kainuun ammattiopisto -liikelaitoskuntayhtymä (kainuun-ammattiopisto)" in result.stdout


def test_columns_zero_is_no_width_not_an_empty_page() -> None:
    # COLUMNS=0 (some CI runners set it): rich would print nothing; it is as if COLUMNS were unset
    assert kopa("fees", "--pilot", "kainuu-lukiot", columns=0) == kopa("fees", "--pilot", "kainuu-lukiot", columns=200)


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = new_repo(tmp_path_factory.mktemp("compare") / "repo")
    change_records(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "weights, Paltamo, one pilot less")
    return root


def cells_of(out: str) -> set[str]:
    """Every non-empty cell of the (wide) tables, and every heading line."""
    cells = {cell for row in box_rows(out) for cell in row if cell}
    headings = {line for line in out.splitlines() if line and line[0] not in "┏┃┡│├└"}
    return cells | headings


@pytest.mark.parametrize("args", [(), ("--compare", "HEAD~1")], ids=["fees", "compare"])
def test_nothing_is_cut_at_any_width(args: tuple[str, ...], compared: Path) -> None:
    wide = kopa("fees", *args, columns=WIDE, cwd=compared)
    expected = cells_of(wide)
    assert "Kainuun ammattiopisto -liikelaitoskuntayhtymä (kainuun-ammattiopisto)" in expected
    assert "Paltamon kunta (paltamo)" in expected  # joined in the working tree
    for columns in WIDTHS:
        out = kopa("fees", *args, columns=columns, cwd=compared)
        assert "…" not in out
        missing = sorted(cell for cell in expected if cell not in out)
        assert not missing, f"cut or lost at {columns} columns: {missing[:5]}"
        # a table is drawn only when it fits; otherwise its rows are stacked
        too_wide = [line for line in out.splitlines() if line[:1] in "┏│└" and len(line) > columns]
        assert not too_wide, f"a table wider than {columns} columns"


def test_a_narrow_terminal_stacks_each_row_as_labelled_lines() -> None:
    out = kopa("fees", "--pilot", "kainuu-lukiot", "--year", "2020", columns=40)
    assert "│" not in out
    block = ["Vuosi: 2020", "Jäsen: Kajaanin kaupunki (kajaani)", "Veroton: " + fi("1 666,67 €"),
             "Alv-kanta: " + fi("24 %"), "Alv: " + fi("400,00 €"), "Verollinen: " + fi("2 066,67 €")]
    assert "\n".join(block) in out


# --- filters and totals say what they are -------------------------------------------------------


def test_headings_name_the_filters() -> None:
    out = run_kopa("fees", "--pilot", "kainuu-lukiot", "--year", "2021", workspace=REPO).stdout
    assert out.startswith("Rajaus: pilotti kainuu-lukiot, vuosi 2021.\n")
    assert "Jäsenittäin: pilotti kainuu-lukiot, vuosi 2021" in out
    md = run_kopa("--lang", "en", "fees", "-f", "md", "--member", "narpes", workspace=REPO).stdout
    assert md.startswith("## Fees\n\nShown: member Närpes stad (narpes).\n\n")
    assert "### Per member: member Närpes stad (narpes)" in md
    everything = run_kopa("--lang", "en", "fees", "-f", "md", workspace=REPO).stdout
    assert "Shown:" not in everything and "### Per member: all pilots and years" in everything


@pytest.mark.parametrize("output_format", ["table", "md", "csv", "json"])
def test_a_year_that_is_no_fee_year_is_a_usage_error_listing_the_fee_years(output_format: str) -> None:
    for year in ("2022", "2019"):
        result = run_kopa("fees", "--year", year, "--format", output_format, workspace=REPO)
        assert result.exit_code == 2
        assert result.stdout == ""
        assert result.stderr == f"kopa: {year} ei ole minkään pilotin maksuvuosi; maksuvuodet ovat 2020, 2021\n"


def test_compare_names_its_filters_and_what_its_total_totals(compared: Path) -> None:
    out = run_kopa("--lang", "en", "fees", "--compare", "HEAD~1", "-f", "md", "--pilot", "kainuu-lukiot",
                   workspace=compared).stdout
    assert "\n\nShown: pilot kainuu-lukiot.\n\n" in out
    assert "### Each member's bill, with VAT: pilot kainuu-lukiot" in out
    total = md_rows(out)[-1]
    assert total[0] == "**All members' bills together (pilot kainuu-lukiot)**"
    assert total[1:] == ["**€12,400.00**", "**€12,400.00**", "**€0.00**"]  # Paltamo joins; the fee stays
    result = run_kopa("fees", "--compare", "HEAD~1", "--year", "2022", workspace=compared)
    assert result.exit_code == 2 and "maksuvuodet ovat 2020, 2021" in result.stderr
