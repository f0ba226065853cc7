"""Benchmark: writing a year's invoice workbooks and the ledger workbook.

Builds N ledger entries (default 300 members' invoices, as `kopa invoice issue` makes them:
a third of the buyers Swedish-speaking, every tenth an English one, a few credit notes) for the
shipped call's seller, then writes `<number>-<member>.xlsx` for each from the built-in template
and `summary-<year>.xlsx`, into a temporary folder, several times. Prints the median wall time
of each part and per invoice.

The whole of issue 7's target is 300 members issued *and* written as xlsx (and Finvoice) in
under 10 s on the 2-core machine; this script measures the spreadsheet part of it, on one core.

    python benchmarks/invoices.py [--invoices 300] [--runs 3] [--in-turn]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kopa_cli.core.identifiers import make_reference  # noqa: E402
from kopa_cli.core.money import vat_amount  # noqa: E402
from kopa_cli.load.recordfiles import DirectorySource  # noqa: E402
from kopa_cli.load.records import Address, Buyer, EInvoice, InvoiceEntry  # noqa: E402
from kopa_cli.load.workspace import load_workspace  # noqa: E402
from kopa_cli.render import invoicesheets  # noqa: E402

from validate import business_id  # noqa: E402  (benchmarks/ is on the path when a script there runs)

TARGET_SECONDS = 10.0  # issue 7: issuing and writing 300 members' invoices


def entries(count: int) -> tuple[list[InvoiceEntry], dict[str, InvoiceEntry]]:
    """``count`` ledger entries of fee year 2020; every 25th after an invoice is its credit note."""
    result: list[InvoiceEntry] = []
    day = date(2020, 3, 2)
    for index in range(count):
        number = f"2020{index + 1:04d}"
        language = "en" if index % 10 == 9 else ("sv" if index % 3 == 2 else "fi")
        company = business_id(2_000_000 + index * 13)
        buyer = Buyer(name=f"Esimerkkikunta {index}", business_id=company,
                      address=Address(f"Kunnantie {index}", f"{10000 + index:05d}", "Esimerkki"),
                      einvoice=EInvoice("0037" + company.replace("-", ""), "003721291126"), billing_email=None,
                      language=language, buyer_reference=f"Kustannuspaikka {4000 + index}")
        if index % 25 == 24:  # a credit note of the invoice before it
            original = result[-1]
            result.append(InvoiceEntry(
                number=number, kind="credit_note", date=day, due=day, pilot=original.pilot, member=original.member,
                fee_year=2020, net=-original.net, vat_rate=original.vat_rate, vat=-original.vat, total=-original.total,
                reference=make_reference(number), credits=original.number, reason="Väärä jako", buyer=original.buyer,
                pilot_name=original.pilot_name, origin=None))
            continue
        net = Decimal("5000.00") / 3 if index % 2 else Decimal("1250.00")
        net = net.quantize(Decimal("0.01"))
        vat = vat_amount(net, Decimal("24"))
        result.append(InvoiceEntry(
            number=number, kind="invoice", date=day, due=day + timedelta(days=21), pilot=f"pilot-{index // 4}",
            member=f"kunta-{index}", fee_year=2020, net=net, vat_rate=Decimal("24"), vat=vat, total=net + vat,
            reference=make_reference(number), credits=None, reason=None, buyer=buyer,
            pilot_name=f"Esimerkkipilotti {index // 4}", origin=None))
    return result, {entry.number: entry for entry in result}


def cpu_seconds() -> float:
    """Processor time of this process and of its finished worker processes."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--in-turn", action="store_true", help="no worker processes, to measure what they gain")
    args = parser.parse_args()
    if args.in_turn:
        invoicesheets.PARALLEL_FROM = sys.maxsize
    call = load_workspace(REPO, DirectorySource(REPO)).call
    ledger, originals = entries(args.invoices)
    workbooks, summaries, cpu = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(args.runs):
            out = Path(folder) / f"run{run}"
            cpu_start = cpu_seconds()
            start = time.perf_counter()
            written = invoicesheets.write_invoice_workbooks(ledger, call, out, None, originals)
            middle = time.perf_counter()
            cpu.append(cpu_seconds() - cpu_start)
            invoicesheets.ledger_workbook(ledger, out / invoicesheets.summary_file_name(2020))
            end = time.perf_counter()
            assert len(written) == args.invoices
            workbooks.append(middle - start)
            summaries.append(end - middle)
        first, last = Path(folder) / "run0", Path(folder) / f"run{args.runs - 1}"
        identical = all((first / p.name).read_bytes() == p.read_bytes() for p in last.iterdir())
        size = sum(p.stat().st_size for p in last.iterdir())
    median = statistics.median(workbooks)
    workers = "in turn" if args.invoices < invoicesheets.PARALLEL_FROM else f"on {min(os.cpu_count() or 1, 8)} cores"
    print(f"{args.invoices} invoice workbooks {workers} (median of {args.runs}): {median:.2f} s, "
          f"{median / args.invoices * 1000:.1f} ms each; {size / 1024:.0f} KiB in all")
    print(f"  processor time, all processes: {statistics.median(cpu):.2f} s, "
          f"{statistics.median(cpu) / args.invoices * 1000:.1f} ms an invoice; load average now {os.getloadavg()[0]:.1f}")
    print(f"ledger workbook of {args.invoices} entries: {statistics.median(summaries) * 1000:.0f} ms")
    print(f"same bytes in every run: {'yes' if identical else 'NO'}")
    total = median + statistics.median(summaries)
    verdict = "ok" if total < TARGET_SECONDS / 2 else "MISSED"
    print(f"spreadsheets of {args.invoices} invoices: {total:.2f} s; at most half of the issue's {TARGET_SECONDS:g} s "
          f"for issuing and writing everything: {verdict}")
    idle = statistics.median(cpu) / min(os.cpu_count() or 1, 8) + statistics.median(summaries)
    print(f"  on an idle machine (processor time shared by the cores): about {idle:.1f} s")


if __name__ == "__main__":
    main()
