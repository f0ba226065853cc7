"""Showing fee shares: a rich table for people, CSV and JSON for tools, Markdown for PRs, and
an .xlsx workbook for spreadsheets.

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
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kopa_cli.core import formatting
from kopa_cli.core.diagnostics import escaped
from kopa_cli.billing.fees import Amounts, Comparison, FeeLine, PilotYear, totals
from kopa_cli.core.i18n import N_, _
from kopa_cli.core.money import format_money

if TYPE_CHECKING:
    from kopa_cli.load.records import Pilot
    from kopa_cli.load.workspace import Workspace

FIELDS = ("pilot", "member", "year", "net", "vat_rate", "vat", "gross")
STATUS = {"new": N_("new"), "removed": N_("removed"), "changed": N_("changed")}


SPLIT_NAMES = {
    "equal": N_("split in equal shares"),
    "population": N_("split by population on 31.12.{year}"),
    "weights": N_("split by agreed weights"),
}


def split_name(workspace: Workspace, pilot: Pilot) -> str:
    """How the pilot's fee is split, in words: "split by population on 31.12.2019"."""
    return _(SPLIT_NAMES[pilot.split_method(workspace.call)]).format(year=pilot.population_year)


@dataclass(frozen=True)
class Shown:
    """What a report shows: the filters given (--pilot, --year, --member) and the members' names."""

    pilot: str | None = None
    year: int | None = None
    member: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)  # organisation id -> name

    def member_label(self, member: str) -> str:
        """A member as people know it, with the id the records use: "Kajaanin kaupunki (kajaani)".
        The name is the record's own text, so it is shown escaped (one line, no control characters)."""
        name = self.names.get(member)
        return f"{escaped(name)} ({member})" if name and name != member else member

    def scope(self) -> str:
        """The filters in words ("pilot kainuu-lukiot, year 2021"), or "all pilots and years"."""
        parts = []
        if self.pilot is not None:
            parts.append(_("pilot {pilot}").format(pilot=self.pilot))
        if self.year is not None:
            parts.append(_("year {year}").format(year=self.year))
        if self.member is not None:
            parts.append(_("member {member}").format(member=self.member_label(self.member)))
        return ", ".join(parts) or _("all pilots and years")

    def filter_line(self) -> str | None:
        """A line under the heading naming the filters, when any is given."""
        if self.pilot is None and self.year is None and self.member is None:
            return None
        return _("Shown: {filters}.").format(filters=self.scope())

    def nothing_shown(self) -> str:
        """Why there is no fee to show: the filters, or no pilot at all (a new workspace)."""
        if self.filter_line():
            return _("No fees match the given filters.")
        return _("There are no pilots yet, so there are no fees; a pilot is added with: kopa new pilot ID")


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
    objects = [json.dumps(_record(line)) for line in lines]  # ASCII escapes: no encoding loses text
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


def sections(lines: list[FeeLine], titles: Mapping[str, str], shown: Shown) -> list[Section]:
    """One section per pilot, then one per member over the pilots and years shown.

    ``lines`` are grouped by pilot and year, as ``fees.compute_fees`` returns them. Without a
    --member filter the lines hold every member of each pilot-year shown, so pilot-year totals
    and VAT rounding differences mean something.
    """
    whole_pilot_years = shown.member is None
    headers = (_("Year"), _("Member"), _("Net"), _("VAT %"), _("VAT"), _("Gross"))
    result: list[Section] = []
    for pilot, group in groupby(lines, key=lambda line: line.pilot):
        section = Section(escaped(titles.get(pilot, pilot)), headers, right_from=2)
        pilot_lines = list(group)
        pilot_years = totals(pilot_lines).pilot_years
        for py in pilot_years:
            rate = formatting.percent(py.vat_rate)
            for line in (line for line in pilot_lines if line.year == py.year):
                section.rows.append(Row((str(line.year), shown.member_label(line.member), *_amount_cells(Amounts(line.net, line.vat), rate))))
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
        title = _("Per member: {scope}").format(scope=shown.scope())
        members = Section(title, (_("Member"), _("Net"), _("VAT"), _("Gross")), right_from=1)
        for member, amounts in summary.members.items():
            members.rows.append(Row((shown.member_label(member), _money(amounts.net), _money(amounts.vat), _money(amounts.gross))))
        members.end_group()
        grand = summary.grand
        members.rows.append(Row((_("Grand total"), _money(grand.net), _money(grand.vat), _money(grand.gross)), total=True))
        result.append(members)
    return result


# --- rich table, or stacked blocks where it does not fit ---------------------------------------------


def print_table(console, title: str | None, headers: tuple[str, ...], rows: list[Row], right_from: int,
                caption: str | None = None) -> None:
    """A titled table whose cells are never cut; stacked when the terminal is too narrow for it.

    Cells do not wrap: an id, a name or an amount broken over two lines is as wrong as one cut
    short. When the table's natural width exceeds ``console.width``, each row becomes a block of
    "header: value" lines instead (empty cells left out), which fits any width.
    Titles and captions are printed as soft-wrapped text, so that the terminal wraps them.
    """
    from rich.measure import Measurement
    from rich.table import Table
    from rich.text import Text

    if title:
        console.print(Text(title, style="bold"), soft_wrap=True)
    table = Table()
    for index, header in enumerate(headers):
        table.add_column(header, justify="right" if index >= right_from else "left", no_wrap=True)
    for index, row in enumerate(rows):
        last = index + 1 == len(rows)
        table.add_row(*(Text(cell) for cell in row.cells), style="bold" if row.total else None,
                      end_section=row.last_of_group and not last)
    unlimited = console.options.update_width(10**6)  # rich clamps a measurement to the width given
    if Measurement.get(console, unlimited, table).maximum <= console.width:
        console.print(table)
    else:
        for row in rows:
            console.print()
            for header, cell in zip(headers, row.cells):
                if cell:
                    console.print(Text(f"{header}: {cell}", style="bold" if row.total else None), soft_wrap=True)
        console.print()
    if caption:
        console.print(Text(caption), soft_wrap=True)


def as_table(lines: list[FeeLine], titles: Mapping[str, str], shown: Shown, console) -> None:
    from rich.text import Text

    filter_line = shown.filter_line()
    if filter_line:
        console.print(Text(filter_line), soft_wrap=True)
    if not lines:
        console.print(Text(shown.nothing_shown()), soft_wrap=True)
        return
    for section in sections(lines, titles, shown):
        print_table(console, section.title, section.headers, section.rows, section.right_from)
        for note in section.notes:
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


def as_markdown(lines: list[FeeLine], titles: Mapping[str, str], shown: Shown, out: IO[str]) -> None:
    title = _("Fees")
    out.write(f"## {title}\n\n")
    filter_line = shown.filter_line()
    if filter_line:
        out.write(md_escape(filter_line) + "\n\n")
    if not lines:
        out.write(shown.nothing_shown() + "\n")
        return
    for section in sections(lines, titles, shown):
        text = [f"### {md_escape(section.title)}", "", *_md_table(section.headers, section.rows, section.right_from), ""]
        text.extend(f"- {md_escape(note)}" for note in section.notes)
        out.write("\n".join(text).rstrip("\n") + "\n\n")


def notes(lines: list[FeeLine]) -> list[str]:
    """The VAT rounding notes of every pilot-year in ``lines`` (for formats without a table)."""
    return [rounding_note(py) for py in totals(lines).pilot_years if py.vat_rounding_difference]


# --- comparison ---------------------------------------------------------------------------------


def _or_dash(line: FeeLine | None, amount: str) -> str:
    return _money(getattr(line, amount)) if line else "—"


def _comparison_rows(comparison: Comparison, shown: Shown) -> tuple[tuple[str, ...], list[Row], tuple[str, ...], list[Row]]:
    headers = (_("Pilot"), _("Year"), _("Member"), _("Change"), _("Net before"), _("Net after"),
               _("Gross before"), _("Gross after"), _("Gross change"))
    rows = [
        Row((
            c.line.pilot, str(c.line.year), shown.member_label(c.line.member), _(STATUS[c.status]),
            _or_dash(c.before, "net"), _or_dash(c.after, "net"),
            _or_dash(c.before, "gross"), _or_dash(c.after, "gross"), _signed(c.change("gross")),
        ))
        for c in comparison.changes
    ]
    member_headers = (_("Member"), _("Gross before"), _("Gross after"), _("Gross change"))
    member_rows = [
        Row((shown.member_label(m.member), _money(m.before.gross), _money(m.after.gross), _signed(m.gross_change)))
        for m in comparison.members
    ]
    member_rows.append(Row((
        _("All members' bills together ({scope})").format(scope=shown.scope()),
        _money(comparison.before.gross), _money(comparison.after.gross),
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


def each_members_bill(shown: Shown) -> str:
    return _("Each member's bill, with VAT: {scope}").format(scope=shown.scope())


def no_changes(before: str, after: str) -> str:
    return _("No changes in fees from {before} to {after}.").format(before=before, after=after)


def comparison_table(comparison: Comparison, before: str, after: str, shown: Shown, console) -> None:
    from rich.text import Text

    filter_line = shown.filter_line()
    if comparison.unchanged:
        for text in filter(None, (filter_line, no_changes(before, after))):
            console.print(Text(text), soft_wrap=True)
        return
    headers, rows, member_headers, member_rows = _comparison_rows(comparison, shown)
    if filter_line:
        console.print(Text(filter_line), soft_wrap=True)
    print_table(console, comparison_title(before, after), headers, rows, 4, caption=comparison_summary(comparison))
    print_table(console, each_members_bill(shown), member_headers, member_rows, 1)


def comparison_markdown(comparison: Comparison, before: str, after: str, shown: Shown, out: IO[str]) -> None:
    out.write(f"## {md_escape(comparison_title(before, after))}\n\n")
    filter_line = shown.filter_line()
    if filter_line:
        out.write(md_escape(filter_line) + "\n\n")
    if comparison.unchanged:
        out.write(md_escape(no_changes(before, after)) + "\n")
        return
    headers, rows, member_headers, member_rows = _comparison_rows(comparison, shown)
    text = [md_escape(comparison_summary(comparison)), "", *_md_table(headers, rows, 4), "",
            f"### {md_escape(each_members_bill(shown))}", "",
            *_md_table(member_headers, member_rows, 1)]
    out.write("\n".join(text) + "\n")


# --- workbook -----------------------------------------------------------------------------------


def as_workbook(lines: Iterable[FeeLine], organizations: Mapping[str, Any], path: Path) -> None:
    """The fee lines as an .xlsx workbook at ``path`` (written atomically), the same bytes for
    the same lines: a row per pilot, member and year with the member's name and Y-tunnus, and a
    total row.

    Ids and the Y-tunnus are text cells; the year is a number; amounts are numbers (not text,
    so Finnish Excel sums them) in the Finnish money format; the VAT rate is the percentage
    (24, 25.5). The totals are the sums of the rows' amounts, written as values. Headers are in
    the messages' language. ``organizations``: the workspace's organisations by id.
    Raises OSError if the file cannot be written."""
    import openpyxl

    from kopa_cli.render.xlsxfile import FIXED_STAMP, INTEGER_FORMAT, MONEY_FORMAT, RATE_FORMAT, TEXT_FORMAT, Column, save, table_sheet

    columns = [
        Column(_("Pilot"), TEXT_FORMAT, 22), Column(_("Year"), INTEGER_FORMAT, 7), Column(_("Member"), TEXT_FORMAT, 24),
        Column(_("Name"), TEXT_FORMAT, 32), Column(_("Business ID"), TEXT_FORMAT, 11), Column(_("Net"), MONEY_FORMAT, 13),
        Column(_("VAT %"), RATE_FORMAT, 9), Column(_("VAT"), MONEY_FORMAT, 12), Column(_("Gross"), MONEY_FORMAT, 13),
    ]
    rows = []
    for line in lines:
        organization = organizations.get(line.member)
        rows.append([line.pilot, line.year, line.member, organization.name if organization else None,
                     organization.business_id if organization else None,
                     line.net, line.vat_rate, line.vat, line.gross])
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Fees")
    table_sheet(sheet, columns, rows, total_label=_("Total"), total_columns=(5, 7, 8))
    save(workbook, path, FIXED_STAMP)
