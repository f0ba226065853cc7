"""kopa fees through the real CLI: every format, the filters, and refusing invalid records."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from conftest import REPO, run_kopa

NBSP = "\u00a0"


def fi(text: str) -> str:
    """'1 666,67 €' as Babel writes it in Finnish: no-break spaces."""
    return text.replace(" ", NBSP)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# --- formats -----------------------------------------------------------------------------------


def test_json_is_the_list_of_lines_with_money_as_strings() -> None:
    result = run_kopa("fees", "--format", "json", workspace=REPO)
    assert result.exit_code == 0
    lines = json.loads(result.stdout)
    assert len(lines) == 23
    assert lines[0] == {
        "pilot": "kainuu-lukiot", "member": "kajaani", "year": 2020,
        "net": "1666.67", "vat_rate": "24", "vat": "400.00", "gross": "2066.67",
    }
    assert all(set(line) == {"pilot", "member", "year", "net", "vat_rate", "vat", "gross"} for line in lines)
    assert result.stderr == ""


def test_csv_reads_back_with_the_same_columns_and_plain_decimals() -> None:
    result = run_kopa("fees", "--format", "csv", workspace=REPO)
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["pilot", "member", "year", "net", "vat_rate", "vat", "gross"]
    assert len(rows) == 23
    narpes = [r for r in rows if r["member"] == "narpes" and r["year"] == "2020"]
    assert narpes == [{
        "pilot": "sydosterbotten-utbildning", "member": "narpes", "year": "2020",
        "net": "2142.86", "vat_rate": "24", "vat": "514.29", "gross": "2657.15",
    }]
    # The data stays pure; the VAT rounding difference is a note beside it, on stderr.
    assert "sydosterbotten-utbildning 2020" in result.stderr and fi("+0,01 €") in result.stderr


def box_rows(out: str) -> list[list[str]]:
    """The cells of every body row of rich's tables ("│ a │ b │")."""
    return [[c.strip() for c in line.strip().strip("│").split("│")] for line in out.splitlines() if line.startswith("│")]


def md_rows(out: str) -> list[list[str]]:
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in out.splitlines() if line.startswith("|")]


def test_table_is_the_default_with_finnish_money() -> None:
    result = run_kopa("fees", workspace=REPO)
    assert result.exit_code == 0
    out = result.stdout
    assert "kainuu-lukiot – Kainuun lukioverkko" in out
    rows = box_rows(out)
    assert ["2020", "Kajaanin kaupunki (kajaani)", fi("1 666,67 €"), fi("24 %"), fi("400,00 €"), fi("2 066,67 €")] in rows
    assert ["2021", "Kainuun ammattiopisto -liikelaitoskuntayhtymä (kainuun-ammattiopisto)",
            fi("1 250,00 €"), fi("24 %"), fi("300,00 €"), fi("1 550,00 €")] in rows
    # A VAT rounding difference row for each weights and population pilot-year.
    assert sum(1 for row in rows if len(row) == 6 and row[4] == fi("+0,01 €") and row[2] == "") == 4
    assert [fi("30 000,00 €"), fi("7 200,04 €"), fi("37 200,04 €")] == rows[-1][1:]  # the grand total
    assert "\033[" not in out  # not a terminal: plain text


def test_table_words_in_english() -> None:
    result = run_kopa("--lang", "en", "fees", "--pilot", "sydosterbotten-utbildning", workspace=REPO)
    rows = box_rows(result.stdout)
    assert ["2020", "Total", "€5,000.00", "24\u00a0%", "€1,200.01", "€6,200.01"] in rows
    assert ["2020", "VAT rounding difference", "", "", "+€0.01", ""] in rows
    assert ["Grand total", "€10,000.00", "€2,400.02", "€12,400.02"] == rows[-1]
    assert "the VAT on the whole fee €5,000.00 is €1,200.00" in " ".join(result.stdout.split())


def test_markdown_has_tables_totals_and_the_rounding_difference() -> None:
    result = run_kopa("fees", "--format", "md", workspace=REPO)
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("## ")
    assert "### sydosterbotten-utbildning – Sydösterbotten lär tillsammans" in out
    assert "| --- | --- | ---: | ---: | ---: | ---: |" in out
    rows = md_rows(out)
    assert ["2020", "Kajaanin kaupunki (kajaani)", fi("1 666,67 €"), fi("24 %"), fi("400,00 €"), fi("2 066,67 €")] in rows
    assert ["**2020**", f"**{fi('5 000,00 €')}**"] == [rows[5][0], rows[5][2]]  # kainuu-lukiot 2020 total
    assert sum(1 for row in rows if len(row) == 6 and row[4] == fi("+0,01 €") and row[2] == "") == 4
    assert "kainuun\\-ammattiopisto" not in out  # hyphens need no escaping

    english = run_kopa("--lang", "en", "fees", "--format", "md", "--pilot", "ylakainuu-kylakoulut", workspace=REPO).stdout
    assert "| Year | Member | Net | VAT % | VAT | Gross |" in english
    assert "| 2021 | VAT rounding difference |  |  | +€0.01 |  |" in english
    assert "- ylakainuu-kylakoulut 2021: the members' VAT amounts, each rounded to the cent, add up to €1,200.01" in english


def test_english_formatting_with_lang_en() -> None:
    result = run_kopa("--lang", "en", "fees", "--format", "md", "--pilot", "kainuu-lukiot", workspace=REPO)
    assert result.exit_code == 0
    assert "€1,666.67" in result.stdout and "€12,400.00" in result.stdout
    assert NBSP + "€" not in result.stdout


def test_json_and_csv_do_not_follow_the_language() -> None:
    fi_json = run_kopa("fees", "--format", "json", workspace=REPO).stdout
    en_json = run_kopa("--lang", "en", "fees", "--format", "json", workspace=REPO).stdout
    assert fi_json == en_json


# --- filters --------------------------------------------------------------------------------------


def test_filters_select_lines() -> None:
    result = run_kopa("fees", "--format", "json", "--pilot", "kainuu-lukiot", "--year", "2021", workspace=REPO)
    assert [(l["member"], l["net"]) for l in json.loads(result.stdout)] == [
        ("kajaani", "1250.00"), ("sotkamo", "1250.00"), ("kuhmo", "1250.00"), ("kainuun-ammattiopisto", "1250.00"),
    ]
    result = run_kopa("fees", "--format", "json", "--member", "kainuun-ammattiopisto", workspace=REPO)
    assert [(l["pilot"], l["year"], l["gross"]) for l in json.loads(result.stdout)] == [("kainuu-lukiot", 2021, "1550.00")]


def test_member_filter_shows_the_members_bill_without_partial_pilot_totals() -> None:
    result = run_kopa("fees", "--member", "narpes", workspace=REPO)
    assert result.exit_code == 0
    assert "Total" not in result.stdout.replace("Grand total", "")
    assert "VAT rounding difference" not in result.stdout
    assert fi("5 314,30 €") in result.stdout  # 2 x 2657.15


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--pilot", "kainuu-lukot", "no pilot 'kainuu-lukot' in records/pilots/ (did you mean 'kainuu-lukiot'?)"),
        ("--member", "kajan", "no organisation 'kajan' in records/organizations/ (did you mean 'kajaani'?)"),
        ("--pilot", "zzz", "no pilot 'zzz' in records/pilots/\n"),
    ],
)
def test_unknown_pilot_or_member_is_a_usage_error_with_a_suggestion(option: str, value: str, message: str) -> None:
    result = run_kopa("--lang", "en", "fees", option, value, workspace=REPO)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"kopa: {message}" in result.stderr + "\n"


@pytest.mark.parametrize("output_format", ["table", "md", "csv", "json"])
def test_filters_that_match_nothing_give_an_empty_result(output_format: str) -> None:
    # vaara-kainuun-kansanopisto exists but is in no pilot; narpes is in another pilot.
    for filters in (["--member", "vaara-kainuun-kansanopisto"], ["--pilot", "kainuu-lukiot", "--member", "narpes"]):
        result = run_kopa("--lang", "en", "fees", "--format", output_format, *filters, workspace=REPO)
        assert result.exit_code == 0
        if output_format == "json":
            assert json.loads(result.stdout) == []
        elif output_format == "csv":
            assert result.stdout == "pilot,member,year,net,vat_rate,vat,gross\n"
        else:
            assert "No fees match the given filters." in result.stdout


@pytest.mark.parametrize("output_format", ["table", "md"])
def test_a_new_workspace_without_pilots_says_so_not_that_filters_match_nothing(tmp_path: Path, output_format: str) -> None:
    assert run_kopa("init", str(tmp_path)).exit_code == 0
    result = run_kopa("fees", "--format", output_format, workspace=tmp_path)
    assert result.exit_code == 0
    assert "Pilotteja ei vielä ole, joten maksuja ei ole; pilotti lisätään komennolla: kopa new pilot TUNNISTE" in result.stdout
    assert "rajauksilla" not in result.stdout


# --- invalid records ---------------------------------------------------------------------------


def test_invalid_records_are_refused_with_the_validate_text(shipped: Path) -> None:
    replace_in(shipped / "records/pilots/kainuu-lukiot.yaml", "org: kuhmo", "org: kuhm")
    validate = run_kopa("--lang", "en", "validate", "--no-cache", workspace=shipped)
    fees = run_kopa("--lang", "en", "fees", "--no-cache", workspace=shipped)
    assert validate.exit_code == fees.exit_code == 1
    assert fees.stdout == ""
    # the same problems and summary as `kopa validate`, without its table of lengths
    problems = [line for line in validate.stdout.splitlines() if ": error " in line or ": warning " in line]
    assert fees.stderr.splitlines()[: len(problems) + 1] == problems + [validate.stdout.splitlines()[-1]]
    assert "KOPA401 no organisation 'kuhm' in records/organizations/ (did you mean 'kuhmo'?)" in fees.stderr
    assert fees.stderr.rstrip().endswith("fix them before computing fees")


@pytest.mark.parametrize(
    ("path", "old", "new", "code"),
    [
        # A zero weight: refused, never divided by.
        ("pilots/sydosterbotten-utbildning.yaml", "weight: 1\n", "weight: 0\n", "KOPA212"),
        # A missing weight in a weights split.
        ("pilots/sydosterbotten-utbildning.yaml", "    weight: 2\n", "", "KOPA503"),
        # A missing population in a population split.
        ("organizations/puolanka.yaml", "population: {2019: 2528}", "population: {2018: 2528}", "KOPA502"),
        # A population split without the year to use.
        ("pilots/ylakainuu-kylakoulut.yaml", "population_year: 2019\n", "", "KOPA505"),
    ],
)
def test_split_data_problems_are_refused(shipped: Path, path: str, old: str, new: str, code: str) -> None:
    replace_in(shipped / "records" / path, old, new)
    for output_format in ("table", "json"):
        result = run_kopa("fees", "--format", output_format, workspace=shipped)
        assert result.exit_code == 1
        assert result.stdout == ""
        assert code in result.stderr


def test_no_vat_rate_for_a_fee_year_is_a_problem_in_the_records(shipped: Path) -> None:
    replace_in(shipped / "records/call.yaml", '"2010-07-01": "23"\n    "2013-01-01": "24"\n', '"2021-01-01": "24"\n')
    result = run_kopa("--lang", "en", "fees", workspace=shipped)
    assert result.exit_code == 1
    assert "no rate in force on 2020-01-01 for fee year 2020" in result.stderr


def test_warnings_do_not_stop_fees(shipped: Path) -> None:
    # A weight in an equal split is unused (warning KOPA504): the fees are still computed.
    replace_in(shipped / "records/pilots/kainuu-lukiot.yaml", "org: sotkamo\n", "org: sotkamo\n    weight: 5\n")
    result = run_kopa("fees", "--format", "json", "--pilot", "kainuu-lukiot", "--year", "2020", workspace=shipped)
    assert result.exit_code == 0
    assert [l["net"] for l in json.loads(result.stdout)] == ["1666.67", "1666.66", "1666.67"]


def test_changed_records_change_the_fees(shipped: Path) -> None:
    # Kuhmo leaves at the end of 2020: in 2021 the fee is split among three members.
    replace_in(shipped / "records/pilots/kainuu-lukiot.yaml", '"§ 31"}\n', '"§ 31"}\n    left: 2020-12-31\n')
    result = run_kopa("fees", "--format", "json", "--pilot", "kainuu-lukiot", "--year", "2021", workspace=shipped)
    assert result.exit_code == 0
    assert [(l["member"], l["net"]) for l in json.loads(result.stdout)] == [
        ("kajaani", "1666.67"), ("sotkamo", "1666.66"), ("kainuun-ammattiopisto", "1666.67"),
    ]


@pytest.mark.skipif(not hasattr(__import__("fcntl"), "F_SETPIPE_SZ"), reason="needs Linux pipe sizes")
def test_a_reader_that_goes_away_is_no_error() -> None:
    # `kopa fees | head -1`: a small pipe fills, the reader closes it, kopa gets EPIPE.
    import fcntl
    import subprocess
    import sys

    read_end, write_end = os.pipe()
    fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 4096)
    env = {**os.environ, "KOPA_NO_CACHE": "1"}
    process = subprocess.Popen([sys.executable, "-m", "kopa_cli", "--workspace", str(REPO), "fees"],
                               stdout=write_end, stderr=subprocess.PIPE, env=env)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        assert reader.read(100)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
