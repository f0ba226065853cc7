"""The rules for area statistics (records/statistics/): do their areas match the records,
and do their figures agree with themselves and with the organisations' populations?
All are warnings: the figures are Statistics Finland's, as imported; the records may need
a member, or an organisation's hand-typed population may be out of date. docs/rules.md."""

from __future__ import annotations

from collections.abc import Iterator

from kopa_cli.core import codes
from kopa_cli.core.diagnostics import Diagnostic, Figure, diagnostic
from kopa_cli.load.structure import refused
from kopa_cli.load.workspace import Workspace

WHOLE_COUNTRY = "SSS"  # Statistics Finland's code for the whole country


def unknown_areas(ws: Workspace) -> Iterator[Diagnostic]:
    """KOPA801: a municipality code no organisation has (the whole country is always known).
    Not while an organisation's file or code could not be read: the code may be there."""
    if any(ws.unreadable.get("organizations")) or any(refused(org, "municipality_code") for org in ws.organizations.values()):
        return
    known = {org.municipality_code for org in ws.organizations.values() if org.municipality_code}
    for table in ws.statistics.values():
        for code in table.areas or {}:
            if code != WHOLE_COUNTRY and code not in known:
                yield diagnostic(table.origin.path, table.origin.key_at("areas", code), codes.UNKNOWN_AREA, value=code)


def ages_within_total(ws: Workspace) -> Iterator[Diagnostic]:
    """KOPA802: the single ages of a year cannot add up to more than the area's total."""
    for table in ws.statistics.values():
        for code, area in (table.areas or {}).items():
            if area is None:
                continue
            for year, ages in (area.ages or {}).items():
                total = (area.total or {}).get(year)
                counted = sum(value for value in (ages or {}).values() if value is not None)
                if total is not None and counted > total:
                    position = table.origin.key_at("areas", code, "ages", year)
                    yield diagnostic(table.origin.path, position, codes.AGES_OVER_TOTAL, year=year, ages=Figure(counted), total=Figure(total))


def populations_agree(ws: Workspace) -> Iterator[Diagnostic]:
    """KOPA803: an organisation's population (typed by hand, used by the population split)
    that differs from the imported population figure of the same municipality and year."""
    tables = sorted((t for t in ws.statistics.values() if t.population), key=lambda t: t.origin.path)
    for org in ws.organizations.values():
        if not org.municipality_code:
            continue
        for year, value in (org.population or {}).items():
            for table in tables:
                area = (table.areas or {}).get(org.municipality_code)
                figure = (area.total or {}).get(year) if area else None
                if value is not None and figure is not None and figure != value:
                    position = org.origin.at("population", year)
                    yield diagnostic(org.origin.path, position, codes.POPULATION_DIFFERS, year=year, value=Figure(value), figure=Figure(figure), file=table.origin.path, table=table.table)
                    break


RULES = (unknown_areas, ages_within_total, populations_agree)
