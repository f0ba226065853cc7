"""A real browser renders the pilot report: Chromium prints its HTML to PDF headless, and
pdftotext reads the page back (.ci/run installs both)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from conftest import require_program, run_kopa


def _print(html: Path, tmp_path: Path) -> Path:
    """``html`` printed to PDF by headless Chromium."""
    chromium = require_program("chromium", "chromium-browser")
    pdf = html.with_suffix(".pdf")
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    return pdf


def test_chromium_prints_the_pilot_report(shipped: Path, tmp_path: Path) -> None:
    pdftotext = require_program("pdftotext")
    html = tmp_path / "pilot.html"
    assert run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--out", str(html), workspace=shipped).exit_code == 0
    pdf = _print(html, tmp_path)
    pages = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = " ".join(pages.replace("\u00a0", " ").split())
    assert len(text) > 500, "the printed page is blank"
    assert "Kainuun lukioverkko" in text  # the pilot's name
    assert "Kajaanin kaupunki" in text and "36 709" in text  # a member and its population
    assert "Kajaanin kaupunki 36 709 -477 1 845 3 072 1 123" in text  # its row of area statistics
    assert "Lähde: Tilastokeskus, taulukko 11re" in text and "Esimerkkiluvut" in text  # their source and note
    assert "12 400,00 €" in text  # the fee total, VAT included


def _vertical_lines(pgm: bytes) -> list[int]:
    """The x of each column of a binary PGM page with a dark run at least 60 pixels tall (a table's border)."""
    magic, width, height, _depth, pixels = pgm.split(maxsplit=4)
    assert magic == b"P5"
    width, height = int(width), int(height)
    lines = []
    for x in range(width):
        run = longest = 0
        for y in range(height):
            run = run + 1 if pixels[y * width + x] < 235 else 0
            longest = max(longest, run)
        if longest >= 60:
            lines.append(x)
    return lines


@pytest.mark.parametrize("report", [["applications"], ["pilot", "--pilot", "kainuu-lukiot"]])
def test_chromium_prints_each_table_whole(shipped: Path, tmp_path: Path, report: list[str]) -> None:
    """A table's right border is as far from the page's edge as its left one: nothing is cut."""
    pdftoppm = require_program("pdftoppm")
    html = tmp_path / "report.html"
    assert run_kopa("report", *report, "--out", str(html), workspace=shipped).exit_code == 0
    subprocess.run([pdftoppm, "-gray", "-r", "50", "-singlefile", str(_print(html, tmp_path)), str(tmp_path / "page")],
                   check=True, capture_output=True)
    page = (tmp_path / "page.pgm").read_bytes()
    lines = _vertical_lines(page)
    width = int(page.split(maxsplit=2)[1])
    assert lines and abs(lines[0] - (width - 1 - lines[-1])) <= 2, (lines, width)
