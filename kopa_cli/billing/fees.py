"""Fee shares: who pays what of each pilot's yearly fee, in exact cents, with VAT.

Pure functions over a loaded, valid workspace (``validation.check`` found no errors):
no I/O, no printing. The split itself is ``money.split_cents`` (largest remainder), so
the net shares of a pilot-year always add up exactly to the call's annual fee.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kopa_cli.core.errors import DuplicateFeeLine, NoVatRate
from kopa_cli.core.money import fee_year_vat_date, split_cents, vat_amount, vat_rate
from kopa_cli.load.records import Call, Organization, Pilot
from kopa_cli.load.workspace import Workspace

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FeeLine:
    """One member's share of one pilot's fee for one year."""

    pilot: str
    member: str
    year: int
    net: Decimal
    vat_rate: Decimal  # percent, e.g. Decimal("24")
    vat: Decimal

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.pilot, self.member, self.year)


@dataclass(frozen=True)
class Amounts:
    net: Decimal = ZERO
    vat: Decimal = ZERO

    @property
    def gross(self) -> Decimal:
        return self.net + self.vat

    def __add__(self, other: Amounts) -> Amounts:
        return Amounts(self.net + other.net, self.vat + other.vat)


@dataclass(frozen=True)
class PilotYear:
    """The lines of one pilot-year added up, and how their VAT compares with the whole fee's.

    Each member's VAT is rounded to the cent on its own (it is invoiced on its own), so
    the members' VAT can differ by a cent or two from the VAT of the whole fee; the
    difference is shown, never spread back onto someone's bill.
    """

    pilot: str
    year: int
    vat_rate: Decimal
    amounts: Amounts

    @property
    def fee_vat(self) -> Decimal:
        """The VAT of the pilot-year's whole fee, rounded once."""
        return vat_amount(self.amounts.net, self.vat_rate)

    @property
    def vat_rounding_difference(self) -> Decimal:
        """The members' VAT minus the VAT of the whole fee: positive if they pay more."""
        return self.amounts.vat - self.fee_vat


@dataclass(frozen=True)
class Totals:
    pilot_years: tuple[PilotYear, ...]  # in the order of the lines
    members: dict[str, Amounts]  # each member over all its pilots and years, by member id
    grand: Amounts


def split_weights(method: str, pilot: Pilot, members: Iterable[str], organizations: Mapping[str, Organization]) -> dict[str, Decimal | int]:
    """What each of a year's members weighs in the split: 1, its population, or its weight."""
    if method == "population":
        return {org: organizations[org].population[pilot.population_year] for org in members}
    if method == "weights":
        weight = {m.org: m.weight for m in pilot.members}
        return {org: weight[org] for org in members}
    return {org: 1 for org in members}


def pilot_fees(call: Call, pilot: Pilot, organizations: Mapping[str, Organization]) -> list[FeeLine]:
    """One pilot's lines: for each of its fee years, the year's members' shares of the fee."""
    method = pilot.split_method(call)
    rates = call.fee.vat_table()
    lines: list[FeeLine] = []
    splits: dict[tuple[str, ...], dict[str, Decimal]] = {}  # most years have the same members
    for year in sorted(pilot.fee_years(call)):
        members = tuple(m.org for m in pilot.members if m.takes_part_in(year))
        try:
            rate = vat_rate(rates, fee_year_vat_date(year))
        except ValueError:
            raise NoVatRate(day=fee_year_vat_date(year), year=year, pilot=pilot.id) from None
        if members not in splits:
            splits[members] = split_cents(call.fee.annual, split_weights(method, pilot, members, organizations))
        shares = splits[members]
        lines.extend(FeeLine(pilot.id, org, year, net, rate, vat_amount(net, rate)) for org, net in shares.items())
    return lines


def compute_fees(workspace: Workspace) -> list[FeeLine]:
    """Every member's share of every pilot's fee, by pilot id, year, then member order.

    The workspace must be valid (no errors from ``validation.check``): that is where
    unknown members, missing populations and zero weights are reported. Raises
    DuplicateFeeLine rather than bill a member twice for one pilot and year.
    """
    call = workspace.call
    if call is None:
        return []
    lines: list[FeeLine] = []
    for pilot_id in sorted(workspace.pilots):
        lines.extend(pilot_fees(call, workspace.pilots[pilot_id], workspace.organizations))
    keys: set[tuple[str, str, int]] = set()
    for line in lines:
        if line.key in keys:
            raise DuplicateFeeLine(pilot=line.pilot, member=line.member, year=line.year)
        keys.add(line.key)
    return lines


def select(lines: Iterable[FeeLine], pilot: str | None = None, year: int | None = None, member: str | None = None) -> list[FeeLine]:
    """The lines matching every filter that is given."""
    return [
        line for line in lines
        if (pilot is None or line.pilot == pilot)
        and (year is None or line.year == year)
        and (member is None or line.member == member)
    ]


def totals(lines: Iterable[FeeLine]) -> Totals:
    """Sums per pilot-year, per member (over all pilots and years) and in all."""
    pilot_years: dict[tuple[str, int], PilotYear] = {}
    members: dict[str, Amounts] = {}
    grand = Amounts()
    for line in lines:
        amounts = Amounts(line.net, line.vat)
        key = (line.pilot, line.year)
        known = pilot_years.get(key)
        pilot_years[key] = PilotYear(line.pilot, line.year, line.vat_rate, (known.amounts if known else Amounts()) + amounts)
        members[line.member] = members.get(line.member, Amounts()) + amounts
        grand = grand + amounts
    return Totals(tuple(pilot_years.values()), dict(sorted(members.items())), grand)


@dataclass(frozen=True)
class FeeChange:
    """A line that differs between two versions of the records: new, removed or changed."""

    before: FeeLine | None
    after: FeeLine | None

    @property
    def line(self) -> FeeLine:
        return self.after or self.before  # type: ignore[return-value]  # one is always set

    @property
    def status(self) -> str:
        if self.before is None:
            return "new"
        return "removed" if self.after is None else "changed"

    def change(self, amount: str) -> Decimal:
        """How much ``amount`` ("net", "vat" or "gross") grows from before to after."""
        old = getattr(self.before, amount) if self.before else ZERO
        new = getattr(self.after, amount) if self.after else ZERO
        return new - old


@dataclass(frozen=True)
class MemberChange:
    member: str
    before: Amounts
    after: Amounts

    @property
    def gross_change(self) -> Decimal:
        return self.after.gross - self.before.gross


@dataclass(frozen=True)
class Comparison:
    changes: tuple[FeeChange, ...]  # by pilot, year, member
    members: tuple[MemberChange, ...]  # members whose total bill changes, by id
    before: Amounts
    after: Amounts

    @property
    def unchanged(self) -> bool:
        return not self.changes


def compare(before: Iterable[FeeLine], after: Iterable[FeeLine]) -> Comparison:
    """What differs between two fee tables, line by line and per member."""
    old = {line.key: line for line in before}
    new = {line.key: line for line in after}
    changes = [
        FeeChange(old.get(key), new.get(key))
        for key in old.keys() | new.keys()
        if old.get(key) != new.get(key)
    ]
    changes.sort(key=lambda c: (c.line.pilot, c.line.year, c.line.member))
    old_totals, new_totals = totals(old.values()), totals(new.values())
    members = [
        MemberChange(member, old_totals.members.get(member, Amounts()), new_totals.members.get(member, Amounts()))
        for member in sorted(old_totals.members.keys() | new_totals.members.keys())
    ]
    return Comparison(
        tuple(changes),
        tuple(m for m in members if m.before != m.after),
        old_totals.grand,
        new_totals.grand,
    )
