"""A real spreadsheet program opens kopa's workbooks: LibreOffice headless converts one to PDF and
CSV, and the amounts are found there (.ci/run installs libreoffice-calc-nogui and poppler-utils).

Each LibreOffice start costs seconds, so the tests start it as few times as they can.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import REPO, require_program
from kopa_cli.core.errors import ConversionFailed, ConversionTimedOut, ExitCode, LibreOfficeMissing
from kopa_cli.render import pdf
from kopa_cli.render.pdf import convert_to_pdf

NBSP = "\u00a0"
# What the workbook shows, with Finnish formats: LibreOffice writes them so into PDF and CSV.
# (The format's own space before "€" is a plain one.)
SHOWN = [f"2{NBSP}066,67 €", "400,00 €", "23.3.2020", "Kajaanin kaupunki"]


@pytest.fixture
def invoice_workbook(tmp_path: Path) -> Path:
    """An invoice workbook as kopa writes them: amounts and dates as real numbers and dates with
    Finnish number formats."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    rows = [("Ostaja", "Kajaanin kaupunki", None), ("Verollinen", Decimal("2066.67"), '#,##0.00\\ "€"'),
            ("Alv", Decimal("400.00"), '#,##0.00\\ "€"'), ("Eräpäivä", date(2020, 3, 23), "d.m.yyyy")]
    for number, (label, value, number_format) in enumerate(rows, 1):
        sheet.cell(number, 1, label)
        cell = sheet.cell(number, 2, value)
        if number_format:
            cell.number_format = number_format
    sheet.column_dimensions["A"].width = sheet.column_dimensions["B"].width = 25
    path = tmp_path / "20200001-kajaani.xlsx"
    book.save(path)
    return path


CONVERT = """
import sys
from pathlib import Path
from kopa_cli.render import pdf
target = pdf.CSV_UTF8 if sys.argv[3] == "csv" else "pdf"
print(pdf.convert([Path(sys.argv[1])], Path(sys.argv[2]), target)[0])
"""


def test_two_parallel_runs_convert_a_workbook_to_pdf_and_csv_with_its_amounts(invoice_workbook, tmp_path):
    require_program("soffice", "libreoffice")
    pdftotext = require_program("pdftotext")
    out = tmp_path / "out"
    runs = [subprocess.Popen([sys.executable, "-c", CONVERT, str(invoice_workbook), str(out), target], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for target in ("pdf", "csv")]
    results = [run.communicate(timeout=180) + (run.returncode,) for run in runs]
    assert [code for _, _, code in results] == [0, 0], results
    pdf, csv = (Path(stdout.strip()) for stdout, _, _ in results)
    assert (pdf, csv) == (out / "20200001-kajaani.pdf", out / "20200001-kajaani.csv")
    assert pdf.read_bytes().startswith(b"%PDF-")
    pdf_text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    csv_text = csv.read_text(encoding="utf-8")
    for shown in SHOWN:
        assert shown.replace(NBSP, " ") in pdf_text, pdf_text  # pdftotext gives no-break spaces as spaces
        assert shown in csv_text, csv_text
    assert not list(out.glob(".*")), "a temporary file was left"


def test_a_pdf_missing_after_the_conversion_is_an_error_naming_it(invoice_workbook, tmp_path, monkeypatch):
    """In batches of one file (LibreOffice drops files past ~250 in one run, so kopa converts in
    batches): the second batch's file is missing, and no PDF is written, not even the first's."""
    require_program("soffice", "libreoffice")
    monkeypatch.setattr(pdf, "BATCH", 1)
    missing = tmp_path / "20200002-sotkamo.xlsx"
    with pytest.raises(ConversionFailed) as raised:
        convert_to_pdf([invoice_workbook, missing], tmp_path / "out")
    assert "20200002-sotkamo.pdf" in raised.value.message and str(missing) in raised.value.message
    assert raised.value.kwargs["detail"].startswith("Error"), raised.value.message  # what LibreOffice said
    assert raised.value.exit_code == ExitCode.PROBLEMS
    assert list((tmp_path / "out").iterdir()) == []


def test_a_conversion_that_takes_too_long_is_stopped(invoice_workbook, tmp_path):
    require_program("soffice", "libreoffice")
    started = time.monotonic()
    with pytest.raises(ConversionTimedOut) as raised:
        convert_to_pdf([invoice_workbook], tmp_path / "out", timeout=0.3)
    assert time.monotonic() - started < 10
    assert "20200001-kajaani.xlsx" in raised.value.message
    assert not (tmp_path / "out" / "20200001-kajaani.pdf").exists()


def test_without_libreoffice_the_message_says_how_to_install_it(invoice_workbook, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(LibreOfficeMissing) as raised:
        convert_to_pdf([invoice_workbook], tmp_path / "out")
    assert "apt install libreoffice-calc-nogui" in raised.value.message
    assert "https://www.libreoffice.org/download/" in raised.value.message
    assert raised.value.exit_code != ExitCode.OK
    assert not (tmp_path / "out").exists()
