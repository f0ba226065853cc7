"""`kopa status`: the state of the project on one screen, ending with the next useful command.

``overview`` gathers the figures (pure, from a loaded workspace, its validation report and its
fee lines); ``write`` puts them in words in the chosen language.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import IO, get_args

from kopa_cli.billing import invoicing
from kopa_cli.billing.fees import Amounts, FeeLine, totals
from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Report
from kopa_cli.core.formatting import day, money, number
from kopa_cli.core.i18n import _, current_language, ngettext
from kopa_cli.load.fieldnames import MEANINGS
from kopa_cli.load.records import Localized, Status
from kopa_cli.load.workspace import Workspace
from kopa_cli.render.reporters import summary


@dataclass(frozen=True)
class YearInvoices:
    """One fee year's invoicing: the member shares, and what the ledger holds for them."""

    shares: int = 0  # member shares of the year's fees (pilots × members taking part)
    issued: int = 0  # invoices in the ledger
    credit_notes: int = 0
    not_issued: int = 0  # shares that have no live invoice


@dataclass(frozen=True)
class Overview:
    title: str
    call_id: str
    deadline: date | None
    statuses: dict[str, int]  # applications by status, in the order of records.Status
    pilots: dict[str, tuple[str, int]]  # pilot id -> (name, members)
    fees: dict[int, Amounts]  # by fee year; empty while the records have errors
    invoices: dict[int, YearInvoices]
    report: Report
    fees_known: bool  # False while the records have errors: no fees or invoices are shown


def _invoices(workspace: Workspace, lines: list[FeeLine]) -> dict[int, YearInvoices]:
    """Each fee year's invoicing; the workspace must be valid (its ledgers read whole)."""
    all_entries = invoicing.entries(workspace.ledgers)
    kinds = Counter((entry.fee_year, entry.kind) for entry in all_entries)
    not_billed = Counter(line.year for line in invoicing.to_bill(lines, all_entries))
    shares = Counter(line.year for line in lines)
    return {
        year: YearInvoices(shares[year], kinds[(year, "invoice")], kinds[(year, "credit_note")], not_billed[year])
        for year in sorted(shares.keys() | {year for year, _ in kinds})
    }


def _title(title: Localized) -> str:
    """The call's title in the current language, else in Finnish."""
    return getattr(title, current_language(), None) or title.fi or ""


def overview(workspace: Workspace, report: Report, lines: list[FeeLine] | None) -> Overview:
    """The figures of ``workspace``; ``lines`` are its fee lines, or None while it has errors."""
    call = workspace.call
    statuses = Counter(a.status for a in workspace.applications.values())
    pilots = {
        pilot_id: (workspace.pilot_name(pilot) or pilot_id,
                   len(pilot.members))
        for pilot_id, pilot in sorted(workspace.pilots.items())
    }
    fees: dict[int, Amounts] = {}
    if lines is not None:
        for py in totals(lines).pilot_years:
            fees[py.year] = fees.get(py.year, Amounts()) + py.amounts
    return Overview(
        title=_title(call.title) if call and call.title else "",
        call_id=(call.id if call else "") or "",
        deadline=call.deadline if call else None,
        statuses={status: statuses[status] for status in get_args(Status) if statuses[status]},
        pilots=pilots,
        fees=dict(sorted(fees.items())),
        invoices=_invoices(workspace, lines) if lines is not None else {},
        report=report,
        fees_known=lines is not None,
    )


def next_command(view: Overview) -> str:
    """The command that moves the work on: fix errors, add pilots, invoice a year, or report."""
    if view.report.errors:
        return "kopa validate"
    for problem in view.report.diagnostics:  # an invoice the records no longer agree with (KOPA716)
        if problem.code == codes.SHARE_CHANGED.id:
            return f"kopa invoice credit {dict(problem.args)['number']}"
    if not view.statuses:
        return "kopa new application <id>"
    if not view.pilots:
        return "kopa new pilot <id>"
    for year, invoices in view.invoices.items():
        if invoices.not_issued:
            return f"kopa invoice issue --year {year}"
    return "kopa report applications"


def _blocks(view: Overview, today: date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The overview as headed blocks of (label, value) rows, in the current language."""
    blocks: list[tuple[str, list[tuple[str, str]]]] = []
    if view.deadline is not None:
        days = (view.deadline - today).days
        if days >= 0:
            when = ngettext("closes on {date}, in {n} day", "closes on {date}, in {n} days", days)
        else:
            when = _("closed on {date}")
        blocks.append((_("The call {when}.").format(when=when.format(date=day(view.deadline), n=number(days))), []))
    count = sum(view.statuses.values())
    blocks.append((
        ngettext("{n} application", "{n} applications", count).format(n=number(count)),
        [(_(MEANINGS[status]), number(n)) for status, n in view.statuses.items()],
    ))
    members = sum(n for _, n in view.pilots.values())
    blocks.append((
        ngettext("{n} pilot", "{n} pilots", len(view.pilots)).format(n=number(len(view.pilots))) + ", "
        + ngettext("{n} member", "{n} members", members).format(n=number(members)),
        [(pilot_id, f"{name}: " + ngettext("{n} member", "{n} members", n).format(n=number(n)))
         for pilot_id, (name, n) in view.pilots.items()],
    ))
    if not view.fees_known:
        blocks.append((_("Fees and invoices are shown once the records have no errors."), []))
        return blocks
    if not view.fees:
        return blocks
    blocks.append((
        _("Fees (VAT excluded / VAT included)"),
        [(str(year), f"{money(amounts.net)} / {money(amounts.gross)}") for year, amounts in view.fees.items()],
    ))
    shown = _("{issued} issued, {credited} credit notes, {missing} of {shares} member shares not yet invoiced")
    blocks.append((
        _("Invoices"),
        [(str(year), shown.format(issued=number(inv.issued), credited=number(inv.credit_notes),
                                  missing=number(inv.not_issued), shares=number(inv.shares)))
         for year, inv in view.invoices.items()],
    ))
    return blocks


def write(view: Overview, out: IO[str], today: date) -> None:
    """The overview as text in the current language: a heading, blocks of aligned rows, the
    validation summary and the next command."""
    out.write(f"{view.title} ({view.call_id})\n" if view.title else f"{view.call_id}\n")
    blocks = _blocks(view, today)
    width = max((len(label) for _, rows in blocks for label, _ in rows), default=0)
    for i, (heading, rows) in enumerate(blocks):
        out.write(f"\n{heading}\n" if i or view.deadline is None else f"{heading}\n")
        for label, value in rows:
            out.write(f"  {label:<{width}}  {value}\n")
    out.write("\n" + summary(view.report) + "\n")
    out.write(_("Next: {command}").format(command=next_command(view)) + "\n")
