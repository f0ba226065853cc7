"""area_figures: the population, its change and the age groups of a pilot's area, with sources."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, build_tree, copy_shipped_workspace
from kopa_cli.load.areafigures import AGE_GROUPS, area_figures, member_codes
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import Workspace, load_workspace


def workspace(root: Path) -> Workspace:
    return load_workspace(root, DirectorySource(root))


SHIPPED = workspace(REPO)
KAJAANI_AGES_2019 = SHIPPED.statistics["vaesto-2019"].areas["205"].ages[2019]


def test_each_member_and_the_area_from_the_shipped_statistics() -> None:
    figures = area_figures(SHIPPED, ["205", "KU765", "290"])
    kajaani, sotkamo, kuhmo = figures.members
    assert [m.code for m in figures.members] == ["205", "765", "290"]
    assert [m.name for m in figures.members] == ["Kajaani", "Sotkamo", "Kuhmo"]
    assert (kajaani.population.year, kajaani.population.people) == (2019, 36709)  # published (domain.md)
    assert kajaani.population.change == 36709 - 37186 and kajaani.population.previous == 37186  # 2018: an example figure
    assert [(g.label, g.first, g.last) for g in kajaani.age_groups] == [("0–6", 0, 6), ("7–15", 7, 15), ("16–18", 16, 18)]
    assert [g.people for g in kajaani.age_groups] == [sum(KAJAANI_AGES_2019[a] for a in range(f, l + 1)) for f, l in AGE_GROUPS]
    source = kajaani.population.source
    assert (source.publisher, source.table, source.year, source.file, source.licence) == ("Tilastokeskus", "11re", 2019, "records/statistics/vaesto-2019.yaml", "CC BY 4.0")
    assert source.title == "Väestö iän (1-v.) ja sukupuolen mukaan alueittain, 1972-2019"
    assert "Esimerkkiluvut" in source.note
    total = figures.total
    assert (total.code, total.name) == (None, None)
    assert total.population.people == 36709 + 10336 + 8190
    assert total.population.change == sum(m.population.change for m in figures.members)
    assert [g.people for g in total.age_groups] == [sum(m.age_groups[i].people for m in figures.members) for i in range(3)]
    assert figures.missing == ()


def test_a_municipality_no_table_has_is_missing_and_the_area_has_no_total() -> None:
    figures = area_figures(SHIPPED, ["205", "231", "205"])  # Kaskö: no figures; 205 counted once
    assert [m.code for m in figures.members] == ["205", "231"]
    assert figures.members[1].population is None and figures.members[1].age_groups == () and figures.members[1].name is None
    assert figures.members[0].population.people == 36709  # still shown
    assert figures.total.population is None and figures.total.age_groups == ()
    assert figures.missing == ("231",)


def test_no_municipalities_no_figures() -> None:
    figures = area_figures(SHIPPED, [])
    assert figures.members == () and figures.total.population is None and figures.missing == ()


TABLE = """\
table: "{table}"
title: "Väestö"
source: "Tilastokeskus"
licence: "CC BY 4.0"
population: {population}
imported: {imported}
areas:
{areas}
"""


def _table(areas: str, table: str = "11re", population: str = "true", imported: str = "2026-11-29") -> str:
    return TABLE.format(table=table, population=population, imported=imported, areas=areas)


def test_the_latest_year_every_member_has_and_a_later_table_wins(tmp_path: Path) -> None:
    root = copy_shipped_workspace(tmp_path)
    build_tree(root, {
        "records/statistics/vaesto-2020.yaml": _table(
            '  "205": {name: "Kajaani", total: {2020: 36500}}\n  "765": {name: "Sotkamo", total: {2020: 10200}}\n',
            table="11re-uusi", imported="2026-11-30",
        ),
        "records/statistics/avainluvut.yaml": _table('  "205": {name: "Kajaani", total: {2019: 99}}\n', table="avain", population="false"),
    })
    ws = workspace(root)
    both = area_figures(ws, ["205", "765"])
    assert [(m.population.year, m.population.people, m.population.change) for m in both.members] == [(2020, 36500, 36500 - 36709), (2020, 10200, 10200 - 10336)]
    assert both.members[0].population.source.table == "11re-uusi"
    assert both.members[0].age_groups[0].source.year == 2019  # the ages are of 2019 only
    # Kuhmo has no 2020: the latest year all three have is 2019; "population: false" tables are not used
    three = area_figures(ws, ["205", "765", "290"])
    assert [m.population.year for m in three.members] == [2019, 2019, 2019]
    assert three.members[0].population.people == 36709


def test_members_without_a_common_year_each_show_their_own_and_no_total(tmp_path: Path) -> None:
    root = build_tree(tmp_path, {
        "records/statistics/a.yaml": _table('  "205": {name: "Kajaani", total: {2018: 37186, 2019: 36709}}\n'),
        "records/statistics/b.yaml": _table('  "765": {name: "Sotkamo", total: {2017: 10500}}\n', table="b"),
    })
    figures = area_figures(workspace(root), ["205", "765"])
    assert [(m.population.year, m.population.change) for m in figures.members] == [(2019, 36709 - 37186), (2017, None)]
    assert figures.total.population is None


def test_a_missing_age_leaves_its_group_without_a_figure(tmp_path: Path) -> None:
    ages = ", ".join(f"{age}: {'null' if age == 17 else 10}" for age in range(19))
    root = build_tree(tmp_path, {"records/statistics/a.yaml": _table(f'  "205":\n    name: "Kajaani"\n    ages:\n      2019: {{{ages}}}\n')})
    [member] = area_figures(workspace(root), ["205"]).members
    assert member.population is None
    assert [g.people for g in member.age_groups] == [70, 90, None]


def test_the_codes_of_a_pilots_members() -> None:
    assert member_codes(SHIPPED, SHIPPED.pilots["kainuu-lukiot"]) == ["205", "765", "290"]  # not the vocational college
    figures = area_figures(SHIPPED, member_codes(SHIPPED, SHIPPED.pilots["sydosterbotten-utbildning"]))
    assert [m.code for m in figures.members] == ["545", "287", "231"]
    assert figures.members[0].name == "Närpiö" and figures.members[0].population.people == 9479
    assert figures.missing == ("287", "231")  # the shipped statistics have no Kristinestad, Kaskö
