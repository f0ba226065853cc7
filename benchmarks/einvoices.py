"""Benchmark: Finvoice messages and PDF conversion for a year of 300 members' invoices.

Builds 300 ledger entries in memory (the shipped call as the seller, synthetic buyers with
e-invoice addresses, a credit note for every tenth), times writing every Finvoice message
(median of several runs; the issue's budget for issuing and writing 300 invoices as xlsx and
Finvoice is 10 s), and, with --pdf, times LibreOffice converting 300 simple workbooks to PDF
(a start per 100 files; needs LibreOffice and openpyxl).

    python benchmarks/einvoices.py [--members 300] [--runs 5] [--pdf]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kopa_cli.commands.common import load  # noqa: E402
from kopa_cli.core.identifiers import make_reference, ovt_from_business_id  # noqa: E402
from kopa_cli.load.records import Address, Buyer, EInvoice, InvoiceEntry  # noqa: E402
from kopa_cli.render.finvoice import finvoice_xml  # noqa: E402
from validate import business_id  # noqa: E402  (benchmarks/ is on the path when a script there runs)

FINVOICE_TARGET = 2.0  # seconds for 300 messages: a fifth of the whole budget


def entries(members: int) -> list[tuple[InvoiceEntry, InvoiceEntry | None]]:
    """(entry, original) pairs: an invoice per member, and a credit note for every tenth."""
    made = []
    for index in range(members):
        number = f"2020{index + 1:04d}"
        ytunnus = business_id(1_000_000 + index * 7)
        buyer = Buyer(
            name=f"Esimerkkikunta {index}", business_id=ytunnus,
            address=Address(street=f"Kunnantie {index}", postcode=f"{10000 + index:05d}", city="Esimerkki"),
            einvoice=EInvoice(address=ovt_from_business_id(ytunnus), operator="003721291126"),
            language=("fi", "sv", "en")[index % 3], buyer_reference=f"Kustannuspaikka {index}",
        )
        invoice = InvoiceEntry(
            number=number, kind="invoice", date=date(2020, 3, 2), due=date(2020, 3, 23), pilot="esimerkki",
            member=f"kunta-{index}", fee_year=2020, net=Decimal("1666.67"), vat_rate=Decimal("24"),
            vat=Decimal("400.00"), total=Decimal("2066.67"), reference=make_reference(number), buyer=buyer,
            pilot_name=f"Esimerkkipilotti {index // 3}",
        )
        made.append((invoice, None))
        if index % 10 == 0:
            credit = f"2020{members + index + 1:04d}"
            made.append((dataclasses.replace(
                invoice, number=credit, kind="credit_note", net=-invoice.net, vat=-invoice.vat, total=-invoice.total,
                reference=make_reference(credit), credits=number, reason="Korjaus"), invoice))
    return made


def time_finvoice(members: int, runs: int) -> None:
    call = load(REPO, None, use_cache=False).call
    pairs = entries(members)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        sizes = [len(finvoice_xml(entry, call, original)) for entry, original in pairs]
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    verdict = "ok" if median < FINVOICE_TARGET * members / 300 else "MISSED"
    print(f"Finvoice: {len(pairs)} messages ({members} invoices + credit notes), {sum(sizes) // 1024} KB, "
          f"median {median:.3f} s of {runs} runs ({median / len(pairs) * 1000:.2f} ms each) {verdict}")


def time_pdf(members: int) -> None:
    from openpyxl import Workbook

    from kopa_cli.render.pdf import BATCH, convert_to_pdf

    with tempfile.TemporaryDirectory() as folder:
        books = []
        for index in range(members):
            book = Workbook()
            sheet = book.active
            sheet.append(["Esimerkkikunta", index])
            sheet.append(["Verollinen", Decimal("2066.67")])
            path = Path(folder) / f"2020{index + 1:04d}-kunta-{index}.xlsx"
            book.save(path)
            books.append(path)
        started = time.perf_counter()
        made = convert_to_pdf(books, Path(folder) / "pdf")
        elapsed = time.perf_counter() - started
    print(f"PDF: {len(made)} workbooks by LibreOffice in runs of {BATCH} in {elapsed:.1f} s ({elapsed / len(made) * 1000:.0f} ms each)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--pdf", action="store_true", help="also time LibreOffice converting the workbooks")
    arguments = parser.parse_args()
    time_finvoice(arguments.members, arguments.runs)
    if arguments.pdf:
        time_pdf(arguments.members)


if __name__ == "__main__":
    main()
