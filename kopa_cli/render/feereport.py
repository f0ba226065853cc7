"""Showing fee shares: a rich table for people, CSV and JSON for tools, Markdown for PRs.

Tables and Markdown use the message language's formatting ("1 666,67 €" in Finnish, with
no-break spaces); CSV and JSON use plain dot decimals ("1666.67") so that spreadsheets and
scripts read exact amounts. The table and the Markdown are built from the same rows.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import groupby
from typing import IO

from kopa_cli.core import formatting
from kopa_cli.billing.fees import Amounts, Comparison, FeeLine, PilotYear, totals
from kopa_cli.core.i18n import N_, _
from kopa_cli.core.money import format_money

FIELDS = ("pilot", "member", "year", "net", "vat_rate", "vat", "gross")
STATUS = {"new": N_("new"), "removed": N_("removed"), "changed": N_("changed")}
PER_MEMBER = N_("Per member, all pilots and years")
EACH_MEMBERS_BILL = N_("Each member's bill, all pilots and years")


def format_rate(rate: Decimal) -> str:
    """Decimal("24.00") -> "24", Decimal("25.5") -> "25.5": the rate as written in call.yaml."""
    return f"{rate.normalize():f}"


def _money(amount: Decimal) -> str:
    return formatting.money(amount)


def _signed(amount: Decimal) -> str:
    return ("+" if amount > 0 else "") + _money(amount)


# --- machine formats ---------------------------------------------------------------


def _record(line: FeeLine) -> dict[str, object]:
    return {
        "pilot": line.pilot,
        "member": line.member,
        "year": line.year,
        "net": format_money(line.net),
        "vat_rate": format_rate(line.vat_rate),
        "vat": format_money(line.vat),
        "gross": format_money(line.gross),
    }


def as_json(lines: Iterable[FeeLine], out: IO[str]) -> None:
    """A JSON list with one line object per text line: readable in a diff, and quick to write
    (json's C encoder serves each object; ``indent`` would switch to the pure-Python one)."""
    objects = [json.dumps(_record(line), ensure_ascii=False) for line in lines]
    out.write("[\n  " + ",\n  ".join(objects) + "\n]\n" if objects else "[]\n")


def as_csv(lines: Iterable[FeeLine], out: IO[str]) -> None:
    writer = csv.DictWriter(out, FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_record(line) for line in lines)


# --- rows shared by the table and the Markdown ---------------------------------------


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    total: bool = False  # shown in bold
    last_of_group: bool = False  # a rule follows it in the table (the end of a fee year)


@dataclass
class Section:
    title: str
    headers: tuple[str, ...]
    right_from: int  # the columns from this one on are amounts, aligned right
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def end_group(self) -> None:
        if self.rows:
            self.rows[-1] = replace(self.rows[-1], last_of_group=True)


def rounding_note(py: PilotYear) -> str:
    """Why a pilot-year's members' VAT differs from the VAT of its whole fee."""
    return _(
        "{pilot} {year}: the members' VAT amounts, each rounded to the cent, add up to {members}, "
        "while the VAT on the whole fee {fee} is {fee_vat}: a VAT rounding difference of {difference}."
    ).format(
        pilot=py.pilot, year=py.year, members=_money(py.amounts.vat), fee=_money(py.amounts.net),
        fee_vat=_money(py.fee_vat), difference=_signed(py.vat_rounding_difference),
    )


def _amount_cells(amounts: Amounts, rate: str = "") -> tuple[str, str, str, str]:
    return (_money(amounts.net), rate, _money(amounts.vat), _money(amounts.gross))


def sections(lines: list[FeeLine], titles: Mapping[str, str], whole_pilot_years: bool) -> list[Section]:
    """One section per pilot, then one per member over all pilots and years.

    ``lines`` are grouped by pilot and year, as ``fees.compute_fees`` returns them.
    ``whole_pilot_years``: the lines hold every member of each pilot-year shown (no
    --member filter), so pilot-year totals and VAT rounding differences mean something.
    """
    headers = (_("Year"), _("Member"), _("Net"), _("VAT %"), _("VAT"), _("Gross"))
    result: list[Section] = []
    for pilot, group in groupby(lines, key=lambda line: line.pilot):
        section = Section(titles.get(pilot, pilot), headers, right_from=2)
        pilot_lines = list(group)
        pilot_years = totals(pilot_lines).pilot_years
        for py in pilot_years:
            rate = formatting.percent(py.vat_rate)
            for line in (line for line in pilot_lines if line.year == py.year):
                section.rows.append(Row((str(line.year), line.member, *_amount_cells(Amounts(line.net, line.vat), rate))))
            if whole_pilot_years:
                section.rows.append(Row((str(py.year), _("Total"), *_amount_cells(py.amounts, rate)), total=True))
                if py.vat_rounding_difference:
                    section.rows.append(Row((str(py.year), _("VAT rounding difference"), "", "", _signed(py.vat_rounding_difference), "")))
                    section.notes.append(rounding_note(py))
            section.end_group()
        if whole_pilot_years and len(pilot_years) > 1:
            pilot_total = sum((py.amounts for py in pilot_years), Amounts())
            section.rows.append(Row(("", _("Total, all years"), *_amount_cells(pilot_total)), total=True))
        result.append(section)
    if lines:
        summary = totals(lines)
        members = Section(_(PER_MEMBER), (_("Member"), _("Net"), _("VAT"), _("Gross")), right_from=1)
        for member, amounts in summary.members.items():
            members.rows.append(Row((member, _money(amounts.net), _money(amounts.vat), _money(amounts.gross))))
        members.end_group()
        grand = summary.grand
        members.rows.append(Row((_("Grand total"), _money(grand.net), _money(grand.vat), _money(grand.gross)), total=True))
        result.append(members)
    return result


# --- rich table ---------------------------------------------------------------------------


def as_table(lines: list[FeeLine], titles: Mapping[str, str], whole_pilot_years: bool, console) -> None:
    from rich.table import Table
    from rich.text import Text

    if not lines:
        console.print(Text(_("No fees match the given filters.")))
        return
    for section in sections(lines, titles, whole_pilot_years):
        table = Table(title=Text(section.title, style="bold"), title_justify="left")
        for index, header in enumerate(section.headers):
            right = index >= section.right_from
            table.add_column(header, justify="right" if right else "left", no_wrap=right or index == 0)
        for index, row in enumerate(section.rows):
            last = index + 1 == len(section.rows)
            table.add_row(*(Text(cell) for cell in row.cells), style="bold" if row.total else None, end_section=row.last_of_group and not last)
        console.print(table)
        for note in section.notes:
            # unwrapped: rich would break lines at the no-break spaces inside "1 200,00 €"
            console.print(Text(note), soft_wrap=True)


# --- Markdown -----------------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text as itself in a Markdown table cell: no emphasis, links, HTML or cell breaks."""
    for char in "\\`*_[]<>|":
        text = text.replace(char, "\\" + char)
    return text


def _md_row(cells: Iterable[str], bold: bool = False) -> str:
    shown = [md_escape(c) for c in cells]
    if bold:
        shown = [f"**{c}**" if c else c for c in shown]
    return "| " + " | ".join(shown) + " |"


def _md_table(headers: tuple[str, ...], rows: Iterable[Row], right_from: int) -> list[str]:
    align = ["---" if i < right_from else "---:" for i in range(len(headers))]
    return [_md_row(headers), "| " + " | ".join(align) + " |", *(_md_row(r.cells, r.total) for r in rows)]


def as_markdown(lines: list[FeeLine], titles: Mapping[str, str], whole_pilot_years: bool, out: IO[str]) -> None:
    title = _("Fees")
    out.write(f"## {title}\n\n")
    if not lines:
        out.write(_("No fees match the given filters.") + "\n")
        return
    for section in sections(lines, titles, whole_pilot_years):
        text = [f"### {md_escape(section.title)}", "", *_md_table(section.headers, section.rows, section.right_from), ""]
        text.extend(f"- {md_escape(note)}" for note in section.notes)
        out.write("\n".join(text).rstrip("\n") + "\n\n")


def notes(lines: list[FeeLine]) -> list[str]:
    """The VAT rounding notes of every pilot-year in ``lines`` (for formats without a table)."""
    return [rounding_note(py) for py in totals(lines).pilot_years if py.vat_rounding_difference]


# --- comparison ---------------------------------------------------------------------------------


def _or_dash(line: FeeLine | None, amount: str) -> str:
    return _money(getattr(line, amount)) if line else "—"


def _comparison_rows(comparison: Comparison) -> tuple[tuple[str, ...], list[Row], tuple[str, ...], list[Row]]:
    headers = (_("Pilot"), _("Year"), _("Member"), _("Change"), _("Net before"), _("Net after"),
               _("Gross before"), _("Gross after"), _("Gross change"))
    rows = [
        Row((
            c.line.pilot, str(c.line.year), c.line.member, _(STATUS[c.status]),
            _or_dash(c.before, "net"), _or_dash(c.after, "net"),
            _or_dash(c.before, "gross"), _or_dash(c.after, "gross"), _signed(c.change("gross")),
        ))
        for c in comparison.changes
    ]
    member_headers = (_("Member"), _("Gross before"), _("Gross after"), _("Gross change"))
    member_rows = [
        Row((m.member, _money(m.before.gross), _money(m.after.gross), _signed(m.gross_change)))
        for m in comparison.members
    ]
    member_rows.append(Row((
        _("All members"), _money(comparison.before.gross), _money(comparison.after.gross),
        _signed(comparison.after.gross - comparison.before.gross),
    ), total=True))
    return headers, rows, member_headers, member_rows


def comparison_summary(comparison: Comparison) -> str:
    counts = {status: sum(1 for c in comparison.changes if c.status == status) for status in STATUS}
    number = formatting.number
    return _("Lines: {new} new, {removed} removed, {changed} changed. Members whose bill changes: {members}.").format(
        new=number(counts["new"]), removed=number(counts["removed"]), changed=number(counts["changed"]),
        members=number(len(comparison.members)),
    )


def comparison_title(before: str, after: str) -> str:
    return _("Fee changes from {before} to {after}").format(before=before, after=after)


def no_changes(before: str, after: str) -> str:
    return _("No changes in fees from {before} to {after}.").format(before=before, after=after)


def comparison_table(comparison: Comparison, before: str, after: str, console) -> None:
    from rich.table import Table
    from rich.text import Text

    if comparison.unchanged:
        console.print(Text(no_changes(before, after)))
        return
    headers, rows, member_headers, member_rows = _comparison_rows(comparison)
    for title, caption, head, body, right_from in (
        (comparison_title(before, after), comparison_summary(comparison), headers, rows, 4),
        (_(EACH_MEMBERS_BILL), None, member_headers, member_rows, 1),
    ):
        table = Table(title=Text(title, style="bold"), title_justify="left", caption_justify="left",
                      caption=Text(caption) if caption else None)
        for index, header in enumerate(head):
            table.add_column(header, justify="right" if index >= right_from else "left", no_wrap=index >= right_from)
        for row in body:
            table.add_row(*(Text(cell) for cell in row.cells), style="bold" if row.total else None)
        console.print(table)


def comparison_markdown(comparison: Comparison, before: str, after: str, out: IO[str]) -> None:
    out.write(f"## {md_escape(comparison_title(before, after))}\n\n")
    if comparison.unchanged:
        out.write(md_escape(no_changes(before, after)) + "\n")
        return
    headers, rows, member_headers, member_rows = _comparison_rows(comparison)
    text = [md_escape(comparison_summary(comparison)), "", *_md_table(headers, rows, 4), "",
            f"### {md_escape(_(EACH_MEMBERS_BILL))}", "",
            *_md_table(member_headers, member_rows, 1)]
    out.write("\n".join(text) + "\n")
