"""kopa fees --format xlsx: the fee table as a workbook with real numbers, read back with openpyxl."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import openpyxl

from conftest import build_tree, run_kopa
from kopa_cli.render.xlsxfile import MONEY_FORMAT, RATE_FORMAT, TEXT_FORMAT


def test_the_fee_table_as_a_workbook(shipped: Path) -> None:
    out = shipped / "maksut.xlsx"
    result = run_kopa("fees", "--format", "xlsx", "--out", str(out), workspace=shipped)
    assert result.exit_code == 0
    assert result.stdout == f"Maksutaulukko on tiedostossa {out}.\n"
    sheet = openpyxl.load_workbook(out).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == "Maksut"
    assert rows[0] == ["Pilotti", "Vuosi", "Jäsen", "Nimi", "Y-tunnus", "Veroton", "Alv-kanta", "Alv", "Verollinen"]
    assert rows[1] == ["kainuu-lukiot", 2020, "kajaani", "Kajaanin kaupunki", "2235388-6", 1666.67, 24, 400, 2066.67]
    assert sheet["E2"].data_type == "s" and sheet["E2"].number_format == TEXT_FORMAT
    assert [sheet.cell(row=2, column=column).number_format for column in (6, 7, 8, 9)] == [MONEY_FORMAT, RATE_FORMAT, MONEY_FORMAT, MONEY_FORMAT]
    body, total = rows[1:-1], rows[-1]
    assert len(body) == len(run_kopa("fees", "--format", "json", workspace=shipped).stdout.splitlines()) - 2
    # The totals are the rows' sums, exact to the cent (not VAT recomputed on the total net).
    for column in (5, 7, 8):
        assert Decimal(str(total[column])) == sum(Decimal(str(row[column])) for row in body)
    assert total[0] == "Yhteensä" and total[6] is None


def test_the_default_file_is_out_fees_xlsx_in_the_workspace_and_it_is_the_same_every_time(shipped: Path) -> None:
    assert run_kopa("--lang", "en", "fees", "-f", "xlsx", "--year", "2021", workspace=shipped).stdout == (
        f"The fee table is in {shipped / 'out' / 'fees.xlsx'}.\n")
    first = (shipped / "out" / "fees.xlsx").read_bytes()
    assert openpyxl.load_workbook(shipped / "out" / "fees.xlsx").active["A1"].value == "Pilot"
    time.sleep(1.1)
    assert run_kopa("--lang", "en", "fees", "-f", "xlsx", "--year", "2021", workspace=shipped).exit_code == 0
    assert (shipped / "out" / "fees.xlsx").read_bytes() == first


def test_a_hostile_organisation_name_stays_text(shipped: Path) -> None:
    path = shipped / "records/organizations/kajaani.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Kajaanin kaupunki", "name: '=HYPERLINK(\"http://x\",\"y\")'"), encoding="utf-8")
    assert run_kopa("fees", "-f", "xlsx", "--member", "kajaani", "--out", str(shipped / "k.xlsx"), workspace=shipped).exit_code == 0
    cell = openpyxl.load_workbook(shipped / "k.xlsx").active["D2"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x","y")', "s")


def test_out_is_only_for_the_workbook(shipped: Path) -> None:
    result = run_kopa("--lang", "en", "fees", "--out", "x.xlsx", workspace=shipped)
    assert result.exit_code == 2
    assert result.stderr == "kopa: --out names the workbook of --format xlsx; the other formats are written to standard output\n"
    assert run_kopa("fees", "-f", "xlsx", "--compare", "HEAD", workspace=shipped).exit_code == 2


def test_an_unwritable_file_is_a_clear_error(shipped: Path) -> None:
    build_tree(shipped, {"taken/file": "x"})
    result = run_kopa("--lang", "en", "fees", "-f", "xlsx", "--out", str(shipped / "taken" / "file" / "fees.xlsx"), workspace=shipped)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kopa: cannot create {shipped / 'taken' / 'file' / 'fees.xlsx'}: ")
    assert "Traceback" not in result.output
