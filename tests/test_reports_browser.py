"""A real browser renders the pilot report: Chromium prints its HTML to PDF headless, and
pdftotext reads the page back (.ci/run installs both)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import require_program, run_kopa


def test_chromium_prints_the_pilot_report(shipped: Path, tmp_path: Path) -> None:
    chromium = require_program("chromium", "chromium-browser")
    pdftotext = require_program("pdftotext")
    html = tmp_path / "pilot.html"
    assert run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--out", str(html), workspace=shipped).exit_code == 0
    pdf = tmp_path / "pilot.pdf"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    pages = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    text = " ".join(pages.replace("\u00a0", " ").split())
    assert len(text) > 500, "the printed page is blank"
    assert "Kainuun lukioverkko" in text  # the pilot's name
    assert "Kajaanin kaupunki" in text and "36 709" in text  # a member and its population
    assert "Kajaanin kaupunki 36 709 -477 1 845 3 072 1 123" in text  # its row of area statistics
    assert "Lähde: Tilastokeskus, taulukko 11re" in text and "Esimerkkiluvut" in text  # their source and note
    assert "12 400,00 €" in text  # the fee total, VAT included
