"""The pilot report's area statistics: each member's population, its change and the age groups
0–6, 7–15 and 16–18 from records/statistics/, the area's total, the source with its note, and
the organisation records' population when no statistics are imported."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from conftest import REPO, run_kopa
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.workspace import load_workspace

STATISTICS = load_workspace(REPO, DirectorySource(REPO)).statistics["vaesto-2019"]
SOURCE = "Lähde: Tilastokeskus, taulukko 11re ”Väestö iän (1-v.) ja sukupuolen mukaan alueittain, 1972-2019”, 31.12.2019, CC BY 4.0"


def expected(code: str) -> list[int]:
    """Population 2019, change from 2018 and the three age groups, from the shipped file."""
    area = STATISTICS.areas[code]
    ages = area.ages[2019]
    groups = [sum(ages[age] for age in range(first, last + 1)) for first, last in ((0, 6), (7, 15), (16, 18))]
    return [area.total[2019], area.total[2019] - area.total[2018], *groups]


def md_row(name: str, figures: list[int]) -> str:
    return f"| {name} | " + " | ".join(f"{n:,}".replace(",", "\u00a0") for n in figures) + " |"


def test_kainuu_lukiot_shows_each_members_statistics_the_total_and_the_source(shipped: Path) -> None:
    result = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", workspace=shipped)
    assert result.exit_code == 0
    kajaani = expected("205")
    assert kajaani == [36709, -477, 1845, 3072, 1123]
    assert md_row("Kajaanin kaupunki", kajaani) in result.stdout
    assert md_row("Sotkamon kunta", expected("765")) in result.stdout
    assert md_row("Kuhmon kaupunki", expected("290")) in result.stdout
    total = [sum(column) for column in zip(*(expected(code) for code in ("205", "765", "290")))]
    assert "| **Yhteensä** | " + " | ".join(f"**{n:,}**".replace(",", "\u00a0") for n in total) + " |" in result.stdout
    assert "| Jäsen | Asukasluku 31.12.2019 | Muutos 31.12.2018 lähtien | 0–6-vuotiaat | 7–15-vuotiaat | 16–18-vuotiaat |" in result.stdout
    # a joint authority has no municipality code: not applicable, not missing
    assert "| Kainuun ammattiopisto -liikelaitoskuntayhtymä | ei sovellu: ei kunta |" in result.stdout
    assert "Ei tilastotietoja" not in result.stdout
    source = next(line for line in result.stdout.splitlines() if line.startswith("Lähde: "))
    assert source.startswith(SOURCE + " (`records/statistics/vaesto-2019.yaml`). ")
    assert source.endswith(STATISTICS.note)
    assert "Esimerkkiluvut" in source
    # one population table: the organisation records' one is not repeated
    assert result.stdout.count("Asukasluku 31.12.2019") == 1
    assert "organisaatioiden tiedoista" not in result.stdout


def test_kainuu_lukiot_in_html_has_the_figures_charts_and_the_note(shipped: Path) -> None:
    html = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--format", "html", workspace=shipped).stdout
    cells = "".join(f'<td class="num">{text}</td>' for text in ("36\u00a0709", "-477", "1\u00a0845", "3\u00a0072", "1\u00a0123"))
    assert f"<tr><td>Kajaanin kaupunki</td>{cells}</tr>" in html
    assert '<td colspan="5" class="muted">ei sovellu: ei kunta</td>' in html
    assert f'<p class="source">{SOURCE} (records/statistics/vaesto-2019.yaml). {STATISTICS.note}</p>' in html
    desc = re.search(r'<desc id="age-groups-desc">([^<]*)</desc>', html).group(1)
    assert desc.startswith("Kajaanin kaupunki, 0–6: 1\u00a0845; Kajaanin kaupunki, 7–15: 3\u00a0072; Kajaanin kaupunki, 16–18: 1\u00a0123; Sotkamon kunta, 0–6: ")
    assert desc.count(";") == 8  # three members, three groups each


def test_a_member_without_statistics_shows_a_dash_and_is_listed(shipped: Path) -> None:
    # Kristinestad (287) and Kaskö (231) are not in the shipped statistics; Närpes (545) is
    result = run_kopa("report", "pilot", "--pilot", "sydosterbotten-utbildning", workspace=shipped)
    assert result.exit_code == 0
    assert md_row("Närpes stad", expected("545")) in result.stdout
    assert "| Kristinestads stad | – | – | – | – | – |" in result.stdout
    assert "| Kaskö stad | – | – | – | – | – |" in result.stdout
    assert "| **Yhteensä** | – | – | – | – | – |" in result.stdout  # no total of a part of the area
    assert "\nEi tilastotietoja: Kristinestads stad, Kaskö stad\n" in result.stdout
    assert "| Sydösterbottens utbildningscenter Ab | ei sovellu: ei kunta |" in result.stdout
    swedish = run_kopa("report", "pilot", "--pilot", "sydosterbotten-utbildning", "--lang", "sv", workspace=shipped).stdout
    assert "| Medlem | Invånarantal per 31.12.2019 | Förändring sedan 31.12.2018 | 0–6 år | 7–15 år | 16–18 år |" in swedish
    assert "\nIngen statistik för: Kristinestads stad, Kaskö stad\n" in swedish
    assert "\nKälla: Statistikcentralen, tabell 11re " in swedish


def test_a_growing_population_has_a_plus_sign(shipped: Path) -> None:
    path = shipped / "records" / "statistics" / "vaesto-2019.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("total: {2018: 37186, 2019: 36709}", "total: {2018: 36700, 2019: 36709}"), encoding="utf-8")
    result = run_kopa("report", "pilot", "--pilot", "kainuu-lukiot", "--lang", "en", workspace=shipped)
    assert result.exit_code == 0
    assert "| Kajaanin kaupunki | 36,709 | +9 | 1,845 | 3,072 | 1,123 |" in result.stdout
    assert "| Member | Population on 31.12.2019 | Change from 31.12.2018 | Aged 0–6 | Aged 7–15 | Aged 16–18 |" in result.stdout


def test_without_statistics_the_organisation_records_population_is_shown(shipped: Path) -> None:
    shutil.rmtree(shipped / "records" / "statistics")
    result = run_kopa("report", "pilot", "--pilot", "sydosterbotten-utbildning", workspace=shipped)
    assert result.exit_code == 0
    assert "## Alueen tilastot\n\n| Jäsen | Asukasluku 31.12.2019 |\n" in result.stdout
    assert "| Kristinestads stad | 6\u00a0530 |" in result.stdout  # records/organizations/kristinestad.yaml
    assert "| **Yhteensä** | **17\u00a0292** |" in result.stdout
    assert "Asukasluvut organisaatioiden tiedoista (records/organizations/)." in result.stdout
    assert "Lähde:" not in result.stdout and "vuotiaat" not in result.stdout
    html = run_kopa("report", "pilot", "--pilot", "sydosterbotten-utbildning", "--format", "html", workspace=shipped).stdout
    assert 'id="population-desc">Närpes stad: 9\u00a0479; Kristinestads stad: 6\u00a0530; Kaskö stad: 1\u00a0283</desc>' in html
    assert "age-groups" not in html
