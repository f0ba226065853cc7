"""The figures of a pilot's area, from the imported statistics: what the pilot report shows.

The call's concern is demographic change (domain.md, "Area statistics"): the population and
its change from the year before, and the age groups of early childhood education (0-6),
basic education (7-15) and upper secondary education (16-18). ``area_figures`` takes them
from every statistics record marked ``population: true``, for each member municipality and
for the area as a whole, each figure with its source. Pure: it reads the workspace only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kopa_cli.load.records import Pilot, Statistics
from kopa_cli.load.workspace import Workspace

# The age groups of the call's education forms, in whole years, both ends included.
AGE_GROUPS: tuple[tuple[int, int], ...] = ((0, 6), (7, 15), (16, 18))


@dataclass(frozen=True)
class FigureSource:
    """Where a figure comes from, to print beside it: "Tilastokeskus, taulukko 11re (2019)".

    ``publisher`` is the table's source ("Tilastokeskus"), ``table`` its PxWeb id,
    ``title`` its title, ``year`` the year of the figure (population on 31.12. of it),
    ``file`` the statistics record (records/statistics/<id>.yaml), ``licence`` "CC BY 4.0",
    ``note`` the record's note (e.g. that some figures are examples), or None."""

    publisher: str
    table: str
    title: str
    year: int
    file: str
    licence: str
    note: str | None


@dataclass(frozen=True)
class AgeGroup:
    """The number of people aged ``first`` to ``last`` (inclusive) on 31.12. of
    ``source.year``; ``people`` is None where a single age in the group has no figure."""

    first: int
    last: int
    people: int | None
    source: FigureSource

    @property
    def label(self) -> str:
        """"0–6" (with an en dash, as Finnish writes a range)."""
        return f"{self.first}\u2013{self.last}"


@dataclass(frozen=True)
class PopulationFigure:
    """The population on 31.12. of ``year``, and its change from 31.12. of ``year - 1``
    (``change`` is None when that year has no figure; negative when it fell)."""

    year: int
    people: int
    change: int | None
    source: FigureSource

    @property
    def previous(self) -> int | None:
        """The population a year before, when known."""
        return None if self.change is None else self.people - self.change


@dataclass(frozen=True)
class Figures:
    """One municipality's figures, or the whole area's (``code`` None, ``name`` None).

    ``population`` is None when no statistics record gives it; ``age_groups`` holds the
    groups of AGE_GROUPS in order, only where a record has ages for the area (else empty)."""

    code: str | None
    name: str | None
    population: PopulationFigure | None
    age_groups: tuple[AgeGroup, ...]


@dataclass(frozen=True)
class AreaFigures:
    """``members``: each municipality asked for, in the order given (a code no record
    covers is there too, with no figures); ``total``: their sum, for the latest year every
    member has (population) and the latest year every member has ages for (age groups);
    None where some member has none. ``missing``: the codes with no population figure."""

    members: tuple[Figures, ...]
    total: Figures
    missing: tuple[str, ...]


def _source(table: Statistics, year: int) -> FigureSource:
    return FigureSource(table.source, table.table, table.title, year, table.origin.path, table.licence, table.note)


def _tables(ws: Workspace) -> list[Statistics]:
    """The population tables, the most recent last (a later table's figure wins)."""
    tables = [t for t in ws.statistics.values() if t.population and t.areas]
    return sorted(tables, key=lambda t: (t.updated or t.imported, t.imported, t.origin.path))


def _totals(tables: list[Statistics], code: str) -> dict[int, tuple[int, Statistics]]:
    found: dict[int, tuple[int, Statistics]] = {}
    for table in tables:
        area = table.areas.get(code)
        for year, people in (area.total if area else {}).items():
            if people is not None:
                found[year] = (people, table)
    return found


def _ages(tables: list[Statistics], code: str) -> dict[int, tuple[dict[int, int | None], Statistics]]:
    found: dict[int, tuple[dict[int, int | None], Statistics]] = {}
    for table in tables:
        area = table.areas.get(code)
        for year, ages in (area.ages if area else {}).items():
            if ages:
                found[year] = (ages, table)
    return found


def _population(totals: dict[int, tuple[int, Statistics]], year: int | None) -> PopulationFigure | None:
    if year is None or year not in totals:
        return None
    people, table = totals[year]
    before = totals.get(year - 1)
    return PopulationFigure(year, people, people - before[0] if before else None, _source(table, year))


def _groups(ages: dict[int, tuple[dict[int, int | None], Statistics]], year: int | None) -> tuple[AgeGroup, ...]:
    if year is None or year not in ages:
        return ()
    by_age, table = ages[year]
    groups = []
    for first, last in AGE_GROUPS:
        counts = [by_age.get(age) for age in range(first, last + 1)]
        groups.append(AgeGroup(first, last, _sum(counts), _source(table, year)))
    return tuple(groups)


def _sum(counts: list[int | None]) -> int | None:
    """The sum, or None if any is unknown."""
    return None if None in counts else sum(counts)  # type: ignore[arg-type]


def _summed(parts: list[Figures]) -> tuple[PopulationFigure | None, tuple[AgeGroup, ...]]:
    """The area's population and age groups: the members' sums, or None / () if any lacks them.
    The members' figures are of one year here (area_figures chooses it); the first's source
    stands for all."""
    population = None
    if parts and all(part.population for part in parts):
        populations = [part.population for part in parts]
        first = populations[0]
        population = PopulationFigure(first.year, sum(p.people for p in populations), _sum([p.change for p in populations]), first.source)
    groups: tuple[AgeGroup, ...] = ()
    if parts and all(part.age_groups for part in parts):
        groups = tuple(
            AgeGroup(first, last, _sum([part.age_groups[i].people for part in parts]), parts[0].age_groups[i].source)
            for i, (first, last) in enumerate(AGE_GROUPS)
        )
    return population, groups


def area_figures(ws: Workspace, municipality_codes: Iterable[str]) -> AreaFigures:
    """The figures of the municipalities ``municipality_codes`` ("205" or "KU205"; repeats
    are counted once) and of the area they make, from the workspace's population tables
    (statistics records with ``population: true``; where two give the same figure, the one
    updated or imported last).

    Returns ``AreaFigures``:

    - ``members``: one ``Figures`` per code, in the order given: ``code`` ("205"), ``name``
      (as the table gives it, or None), ``population`` — a ``PopulationFigure`` (``year``,
      ``people``, ``change`` from the year before or None, ``previous``, ``source``) or None
      — and ``age_groups``: ``AgeGroup`` (``first``, ``last``, ``label`` "0–6", ``people``
      or None, ``source``) for 0–6, 7–15 and 16–18, or () where no table has ages;
    - ``total``: the same for the whole area (``code`` and ``name`` None), the members' sums;
    - ``missing``: the codes no table gives a population for.

    Every ``source`` is a ``FigureSource`` (``publisher``, ``table``, ``title``, ``year``,
    ``file``, ``licence``, ``note``): print it with the figure (CC BY 4.0 asks for it).

    Each member's population is from the latest year the tables give for every member (so
    that members and total compare), or, when the members have no year in common, each its
    own latest (the total then has no population); the same for the age groups. Counts
    are people on 31 December of the year."""
    codes = list(dict.fromkeys(code.removeprefix("KU") for code in municipality_codes))
    tables = _tables(ws)
    totals = {code: _totals(tables, code) for code in codes}
    ages = {code: _ages(tables, code) for code in codes}
    common_year = max(set.intersection(*(set(t) for t in totals.values())), default=None) if codes else None
    common_age_year = max(set.intersection(*(set(a) for a in ages.values())), default=None) if codes else None
    members = []
    for code in codes:
        name = next((table.areas[code].name for table in reversed(tables) if code in table.areas), None)
        population_year = common_year if common_year is not None else max(totals[code], default=None)
        age_year = common_age_year if common_age_year is not None else max(ages[code], default=None)
        members.append(Figures(code, name, _population(totals[code], population_year), _groups(ages[code], age_year)))
    population, groups = _summed(members)
    total = Figures(None, None, population if common_year is not None else None, groups if common_age_year is not None else ())
    missing = tuple(m.code for m in members if m.population is None and m.code)
    return AreaFigures(tuple(members), total, missing)


def member_codes(ws: Workspace, pilot: Pilot) -> list[str]:
    """The municipality codes of a pilot's members, in member order: the members that are
    municipalities with a code in their organisation record (providers have none)."""
    orgs = (ws.organizations.get(member.org) for member in pilot.members or () if member and member.org)
    return [org.municipality_code for org in orgs if org is not None and org.municipality_code]
