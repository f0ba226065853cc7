"""kopa status: the project on one screen, through the real CLI."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from conftest import run_kopa

from kopa_cli.billing.fees import compute_fees
from kopa_cli.check.validation import check
from kopa_cli.commands.common import load
from kopa_cli.core.i18n import set_language
from kopa_cli.render import status

LEDGER = """\
- number: "20200001"
  kind: invoice
  date: 2020-03-02
  due: 2020-03-23
  pilot: kainuu-lukiot
  member: kajaani
  fee_year: 2020
  net: "1666.67"
  vat_rate: "24"
  vat: "400.00"
  total: "2066.67"
  reference: "202000015"
  buyer:
    name: Kajaanin kaupunki
    business_id: "2235388-6"
    address: {street: Kauppakatu 1, postcode: "87100", city: Kajaani}
  pilot_name: Kainuun lukioverkko
- number: "20200002"
  kind: invoice
  date: 2020-03-02
  due: 2020-03-23
  pilot: kainuu-lukiot
  member: sotkamo
  fee_year: 2020
  net: "1666.66"
  vat_rate: "24"
  vat: "400.00"
  total: "2066.66"
  reference: "202000028"
  buyer:
    name: Sotkamon kunta
    business_id: "1754955-0"
    address: {street: Kainuuntie 20, postcode: "88600", city: Sotkamo}
  pilot_name: Kainuun lukioverkko
- number: "20200003"
  kind: credit_note
  date: 2020-03-10
  due: 2020-03-10
  pilot: kainuu-lukiot
  member: sotkamo
  fee_year: 2020
  net: "-1666.66"
  vat_rate: "24"
  vat: "-400.00"
  total: "-2066.66"
  reference: "202000031"
  credits: "20200002"
  reason: Väärä jäsen
  buyer:
    name: Sotkamon kunta
    business_id: "1754955-0"
    address: {street: Kainuuntie 20, postcode: "88600", city: Sotkamo}
  pilot_name: Kainuun lukioverkko
"""


def test_status_on_the_shipped_records_gives_every_part_and_the_next_command(shipped: Path) -> None:
    result = run_kopa("status", workspace=shipped)
    assert result.exit_code == 0
    out = result.stdout
    assert "(kopa-2020)" in out
    assert "Haku päättyi 13.12.2019." in out
    assert "6 hakemusta" in out and "valittu" in out
    assert "3 pilottia, 12 jäsentä" in out
    assert "2020" in out and "15\u00a0000,00\u00a0€ / 18\u00a0600,02\u00a0€" in out
    assert "laskutettu 0, hyvityslaskuja 0, laskuttamatta 11/11 jäsenen osuutta" in out
    assert "Tarkistettu 27 tiedostoa: 0 virhettä, 0 varoitusta." in out
    assert out.rstrip().endswith("Seuraavaksi: kopa invoice issue --year 2020")


def test_status_counts_invoices_and_credit_notes_of_the_ledger(shipped: Path) -> None:
    (shipped / "records" / "invoices").mkdir(exist_ok=True)
    (shipped / "records" / "invoices" / "2020.yaml").write_text(LEDGER, encoding="utf-8")
    set_language("en")
    workspace = load(shipped, "en", use_cache=False)
    view = status.overview(workspace, check(workspace), compute_fees(workspace))
    # kajaani's invoice is live; sotkamo's was wholly credited, so its share is billed again
    assert view.invoices[2020] == status.YearInvoices(shares=11, issued=2, credit_notes=1, not_issued=10)
    assert view.invoices[2021].not_issued == 12
    assert status.next_command(view) == "kopa invoice issue --year 2020"


def test_with_errors_status_shows_no_fees_and_sends_to_validate(shipped: Path) -> None:
    pilot = shipped / "records" / "pilots" / "kainuu-lukiot.yaml"
    pilot.write_text(pilot.read_text(encoding="utf-8").replace("org: kuhmo", "org: kuhm"), encoding="utf-8")
    result = run_kopa("--lang", "en", "status", workspace=shipped)
    assert result.exit_code == 0  # an overview, not a verdict: `kopa validate` gives that
    assert "Fees and invoices are shown once the records have no errors." in result.stdout
    assert "1 error" in result.stdout
    assert result.stdout.rstrip().endswith("Next: kopa validate")


def test_an_open_call_counts_the_days_to_its_deadline(shipped: Path) -> None:
    set_language("sv")
    workspace = load(shipped, "sv", use_cache=False)
    view = status.overview(workspace, check(workspace), compute_fees(workspace))
    out = io.StringIO()
    status.write(view, out, today=date(2019, 12, 1))
    assert "Ansökningstiden går ut 13.12.2019, om 12 dagar." in out.getvalue()
    out = io.StringIO()
    status.write(view, out, today=date(2019, 12, 12))
    assert "om 1 dag." in out.getvalue()


def test_status_in_an_empty_workspace_suggests_the_first_application(tmp_path: Path) -> None:
    assert run_kopa("init", str(tmp_path)).exit_code == 0
    result = run_kopa("--lang", "en", "status", workspace=tmp_path)
    assert result.exit_code == 0
    assert "\n0 applications\n" in result.stdout
    assert "Fees" not in result.stdout and "Invoices" not in result.stdout  # nothing to bill yet
    assert "0 errors, 5 warnings" in result.stdout  # the call's placeholders (KOPA609)
    assert result.stdout.rstrip().endswith("Next: kopa new application <id>")
