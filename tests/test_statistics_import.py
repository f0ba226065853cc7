"""kopa stats import: Statistics Finland tables (PX, JSON-stat2) into records/statistics/.

The input files under tests/data/statistics/ are written exactly as PxWeb writes them: the
PX file in ISO-8859-15 with CRLF line ends and CODEPAGE="iso-8859-15", the JSON-stat2 as the
PxWeb API returns it. The broken variants are made from them, one fault each.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from conftest import REPO, run_kopa
from kopa_cli.load.kinds import NEW_NOUNS
from kopa_cli.load.pxfile import read_px
from kopa_cli.load.recordfiles import DirectorySource
from kopa_cli.load.statimport import read_table, statistics_data
from kopa_cli.load.workspace import load_workspace
from kopa_cli.render.statisticsfile import statistics_yaml

DATA = REPO / "tests" / "data" / "statistics"
PX = (DATA / "11re.px").read_bytes()
JSONSTAT = (DATA / "11re.json").read_bytes()
TODAY = date.today()


def statistics(root: Path) -> dict:
    workspace = load_workspace(root, DirectorySource(root))
    return workspace.statistics


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_px_file_in_iso_8859_15_is_stored_with_its_source(shipped: Path, tmp_path: Path) -> None:
    result = run_kopa("stats", "import", str(write(tmp_path, "11re.px", PX)), workspace=shipped)
    assert result.exit_code == 0
    assert "records/statistics/11re-2019.yaml" in result.stdout
    text = (shipped / "records" / "statistics" / "11re-2019.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schemas/statistics.schema.json\n# Alueen tilastot, tuotu")
    table = statistics(shipped)["11re-2019"]
    assert (table.table, table.title, table.source, table.licence) == ("11re", "Väestö iän (1-v.) ja sukupuolen mukaan alueittain, 1972-2019", "Tilastokeskus", "CC BY 4.0")
    assert (table.contents, table.unit, table.population) == ("Väestö 31.12.", "henkilöä", True)
    assert (table.updated, table.imported, table.file) == (date(2020, 3, 27), TODAY, "11re.px")
    assert list(table.areas) == ["SSS", "205", "765"]  # KU205 is kept as 205
    kajaani, sotkamo = table.areas["205"], table.areas["765"]
    assert kajaani.name == "Kajaani" and table.areas["SSS"].name == "KOKO MAA"
    assert kajaani.total == {2018: 36973, 2019: 36709}
    assert sorted(kajaani.ages[2019]) == list(range(19))
    assert (kajaani.ages[2019][0], kajaani.ages[2019][18]) == (303, 308)
    assert sotkamo.ages[2018][17] is None and sotkamo.ages[2019][17] == 87  # ".." is missing
    # the shipped organisations have 205 and 765, with the same populations: no warning
    assert run_kopa("validate", "--strict", workspace=shipped).exit_code == 0


def test_json_stat2_from_the_api_gives_the_same_figures(shipped: Path, tmp_path: Path) -> None:
    assert run_kopa("stats", "import", str(write(tmp_path, "11re.px", PX)), "--name", "from-px", workspace=shipped).exit_code == 0
    assert run_kopa("stats", "import", str(write(tmp_path, "11re.json", JSONSTAT)), "--name", "from-api", workspace=shipped).exit_code == 0
    tables = statistics(shipped)
    px, api = tables["from-px"], tables["from-api"]
    assert api.areas == px.areas
    assert (api.table, api.updated, api.unit, api.contents) == ("11re", date(2020, 3, 27), "henkilöä", "Väestö 31.12.")
    assert api.title == "Väestö 31.12. muuttujina Alue, Ikä, Sukupuoli, Vuosi ja Tiedot"  # the API's label


def _sparse_dataset() -> bytes:
    """Kuntien avainluvut style: JSON-stat2 with ``index`` as a list, ``value`` as a sparse
    object, a status symbol, area codes without KU, and a measure chosen in the query."""
    dataset = {
        "version": "2.0", "class": "dataset", "label": "Kuntien avainluvut", "source": "Tilastokeskus", "updated": "2021-05-31",
        "id": ["Alue", "Tiedot", "Vuosi"], "size": [3, 1, 2],
        "dimension": {
            "Alue": {"label": "Alue", "category": {"index": ["SSS", "205", "MK18"], "label": {"SSS": "KOKO MAA", "205": "Kajaani", "MK18": "Kainuu"}}},
            "Tiedot": {"label": "Tiedot", "category": {"label": {"M411": "Väkiluku"}, "unit": {"M411": {"base": "henkilöä", "decimals": 0}}}},
            "Vuosi": {"label": "Vuosi", "category": {"index": {"2018": 0, "2019": 1}}},
        },
        "role": {"time": ["Vuosi"], "metric": ["Tiedot"]},
        "value": {"0": 5517919, "1": 5525292, "3": 36709, "4": 71664, "5": 71000},
        "status": {"2": ".."},
    }
    return json.dumps(dataset, ensure_ascii=False, indent=1).encode("utf-8")


def test_a_sparse_json_stat2_dataset_with_codes_without_ku(shipped: Path, tmp_path: Path) -> None:
    result = run_kopa("stats", "import", str(write(tmp_path, "avainluvut.json", _sparse_dataset())), workspace=shipped)
    assert result.exit_code == 0
    table = statistics(shipped)["avainluvut-2019"]  # no table id in the file: its name
    assert list(table.areas) == ["SSS", "205"]  # the region MK18 is no municipality
    assert table.areas["205"].total == {2018: None, 2019: 36709}
    assert table.areas["205"].ages == {}
    assert (table.contents, table.unit, table.population, table.updated) == ("Väkiluku", "henkilöä", True, date(2021, 5, 31))


def test_the_default_name_is_the_table_and_its_latest_year(shipped: Path, tmp_path: Path) -> None:
    run_kopa("stats", "import", str(write(tmp_path, "11re.json", JSONSTAT)), workspace=shipped)  # extension.px.tableid
    run_kopa("stats", "import", str(write(tmp_path, "statfin_vaerak_pxt_11rf.json", _sparse_dataset())), workspace=shipped)
    run_kopa("stats", "import", str(write(tmp_path, "Kuntien avainluvut.json", _sparse_dataset())), workspace=shipped)
    assert sorted(statistics(shipped)) == ["11re-2019", "11rf-2019", "kuntien-avainluvut-2019", "vaesto-2019"]
    assert statistics(shipped)["11rf-2019"].table == "11rf"


def test_an_existing_file_is_never_overwritten_without_replace(shipped: Path, tmp_path: Path) -> None:
    source = write(tmp_path, "11re.px", PX)
    target = shipped / "records" / "statistics" / "vaesto-2019.yaml"
    before = target.read_bytes()
    result = run_kopa("stats", "import", str(source), "--name", "vaesto-2019", workspace=shipped)
    assert result.exit_code == 2
    assert "records/statistics/vaesto-2019.yaml on jo olemassa" in result.stderr and "--replace" in result.stderr
    assert target.read_bytes() == before
    assert run_kopa("stats", "import", str(source), "--name", "vaesto-2019", "--replace", workspace=shipped).exit_code == 0
    assert statistics(shipped)["vaesto-2019"].file == "11re.px"


def test_a_note_is_kept(shipped: Path, tmp_path: Path) -> None:
    run_kopa("stats", "import", str(write(tmp_path, "11re.px", PX)), "--note", "Esimerkkiluvut: ikäluvut", workspace=shipped)
    assert statistics(shipped)["11re-2019"].note == "Esimerkkiluvut: ikäluvut"


def _px(old: str, new: str, count: int = 1) -> bytes:
    text = PX.decode("iso-8859-15")
    assert text.count(old) >= count, old
    return text.replace(old, new, count).encode("iso-8859-15")


DATA_LINE = PX.decode("iso-8859-15").split("\r\n").index("DATA=") + 1
LAST_LINE = DATA_LINE + 60  # 60 rows of figures follow DATA=

BROKEN = [
    # (file name, content, the line, the message in English)
    ("11re.px", _px("36973 36709 \r\n", "36973 \r\n"), LAST_LINE, "DATA has 119 figures, but the variables call for 120 (3 × 20 × 1 × 2)"),
    ("11re.px", _px("307 310", "307 310 311"), LAST_LINE, "DATA has 121 figures, but the variables call for 120 (3 × 20 × 1 × 2)"),
    ("11re.px", _px('CODEPAGE="iso-8859-15";', 'CODEPAGE="latin-99";'), 3, "the character set 'latin-99' (CODEPAGE) is not one kopa knows; save the file again from PxWeb"),
    ("11re.px", _px('CODEPAGE="iso-8859-15";', 'CODEPAGE="utf-8";'), 11, "byte 0xe4 is not utf-8 text, the character set the file declares (CODEPAGE)"),
    ("11re.px", _px('MATRIX="11re";', 'MATRIX="11re"'), 8, "the value of MATRIX does not end with ';'"),
    ("11re.px", _px('COPYRIGHT=YES;', 'COPYRIGHT=YES NO;'), 31, "'NO' follows a value without a comma or ';' between them"),
    ("11re.px", _px('UNITS="henkilöä";', 'UNITS="henkilöä;'), 28, "a quoted text that starts here never ends"),
    ("11re.px", _px('CODES("Sukupuoli")="SSS";', 'CODES("Sukupuoli")="SSS","1";'), 25, 'CODES("Sukupuoli") has 2 codes but VALUES("Sukupuoli") has 1 values'),
    ("11re.px", _px("300 303", "300 3O3"), DATA_LINE + 22, "'3O3' in DATA is not a figure (a number, '..' for a missing one, or '-' for nil)"),
    ("11re.px", PX.rsplit(b";", 1)[0], LAST_LINE, "DATA does not end with ';': the file may be cut short"),
    ("11re.px", _px('CODES("Vuosi")="2018","2019";', 'CODES("Vuosi")="2018","2019";\r\nKEYS("Alue")=CODES;'), 27, "the file writes its DATA with KEYS, which kopa does not read; save the table from PxWeb as a PC-Axis file"),
    ("11re.px", PX.split(b"DATA=")[0], DATA_LINE, "the file has no DATA: it is not a whole PX file"),
    ("11re.px", _px('VALUES("Vuosi")="2018","2019";\r\n', ""), 15, "the variable 'Vuosi' has no VALUES(\"Vuosi\")"),
    ("11re.json", JSONSTAT[:-40], 1, "not valid JSON: Unterminated string starting at"),
    ("11re.json", JSONSTAT.replace(b'"version": "2.0"', b'"version": "1.0"'), 1, 'not a JSON-stat 2.0 dataset ("version": "2.0", "class": "dataset"); ask the PxWeb API for json-stat2'),
    ("11re.json", JSONSTAT.replace(b'"size": [3, 20, 1, 2, 1]', b'"size": [3, 20, 1, 3, 1]'), 1, "the dimension 'Vuosi' has 2 categories, but \"size\" says 3"),
    ("11re.json", JSONSTAT.replace(b'"value": [5517919, ', b'"value": ['), 1, '"value" has 119 figures, but the dimensions call for 120 (3 × 20 × 1 × 2 × 1)'),
    ("11re.json", JSONSTAT.replace(b'"value": [5517919, ', b'"value": ["5517919", '), 1, '"value" must be a list of numbers (null for a missing one), or an object from positions to numbers'),
    ("11re.json", b"\xef\xbb\xbf{\n\"class\": \"dataset\",\n\xe4}", 3, "byte 0xe4 is not UTF-8 text; JSON is always UTF-8"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), BROKEN, ids=[b[3][:40] for b in BROKEN])
def test_a_broken_file_is_a_located_error_and_nothing_is_written(shipped: Path, tmp_path: Path, name: str, content: bytes, line: int, message: str) -> None:
    source = write(tmp_path, name, content)
    result = run_kopa("--lang", "en", "stats", "import", str(source), workspace=shipped)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"kopa: {source}:{line}: {message}")
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (shipped / "records" / "statistics").iterdir()) == ["vaesto-2019.yaml"]


def test_the_error_is_in_the_users_language(shipped: Path, tmp_path: Path) -> None:
    source = write(tmp_path, "11re.px", _px("36973 36709 \r\n", "36973 \r\n"))
    finnish = run_kopa("stats", "import", str(source), workspace=shipped)
    assert finnish.stderr == f"kopa: {source}:{LAST_LINE}: DATA-osassa on 119 lukua, mutta muuttujien mukaan niitä pitäisi olla 120 (3 × 20 × 1 × 2)\n"
    swedish = run_kopa("--lang", "sv", "stats", "import", str(source), workspace=shipped)
    assert swedish.stderr == f"kopa: {source}:{LAST_LINE}: DATA har 119 tal, men variablerna kräver 120 (3 × 20 × 1 × 2)\n"


UNUSABLE = [
    (_px('CODES("Alue")="SSS","KU205","KU765";', 'CODES("Alue")="SSS","MK18","SK181";'), "the table has no municipalities"),
    (_px('VALUES("Sukupuoli")="Yhteensä";', 'VALUES("Sukupuoli")="Miehet";'), None),  # one value: used as it is
    (_px("VALUES(\"Vuosi\")=\"2018\",\"2019\";", "VALUES(\"Vuosi\")=\"2018\",\"2019\";\r\nVALUES(\"Kieli\")=\"suomi\",\"ruotsi\";").replace(b'HEADING="Vuosi";', b'HEADING="Vuosi","Kieli";'), "DATA has 120 figures, but the variables call for 240"),
    (_px("300 303", "300.5 303"), "the table has figures with decimals (300.5)"),
    (_px('TIMEVAL("Vuosi")=TLIST(A1),"2018","2019";\r\n', "").replace(b'"Vuosi"', b'"Kausi"').replace(b'"2018","2019"', b'"2018Q4","2019Q4"'), "the table has no years"),
]


@pytest.mark.parametrize(("content", "message"), UNUSABLE)
def test_a_table_kopa_cannot_keep_is_refused(shipped: Path, tmp_path: Path, content: bytes, message: str | None) -> None:
    result = run_kopa("--lang", "en", "stats", "import", str(write(tmp_path, "11re.px", content)), workspace=shipped)
    if message is None:
        assert result.exit_code == 0
        return
    assert result.exit_code == 1 and message in result.stderr


def test_a_variable_with_several_values_and_no_total_is_refused(shipped: Path, tmp_path: Path) -> None:
    text = PX.decode("iso-8859-15")
    head, data = text.split("DATA=\r\n")
    head = head.replace('VALUES("Sukupuoli")="Yhteensä";', 'VALUES("Sukupuoli")="Miehet","Naiset";').replace('CODES("Sukupuoli")="SSS";', 'CODES("Sukupuoli")="1","2";')
    rows = data.rstrip(";\r\n").split(" \r\n")
    doubled = " \r\n".join(row for row in rows for _ in (0, 1)) + ";\r\n"
    result = run_kopa("--lang", "en", "stats", "import", str(write(tmp_path, "11re.px", (head + "DATA=\r\n" + doubled).encode("iso-8859-15"))), workspace=shipped)
    assert result.exit_code == 1
    assert "11re.px:19: the variable 'Sukupuoli' has several values (Miehet, Naiset) and no total" in result.stderr  # its VALUES


def test_a_missing_input_file(shipped: Path, tmp_path: Path) -> None:
    result = run_kopa("--lang", "en", "stats", "import", str(tmp_path / "none.px"), workspace=shipped)
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_px_details_multi_line_text_translations_nil_and_missing() -> None:
    text = (
        'CHARSET="ANSI";\nMATRIX="t1";\nDESCRIPTION="Ensimmäinen "\n"ja toinen rivi";\nDESCRIPTION[sv]="Svensk";\n'
        'STUB="Alue";\nHEADING="Vuosi";\nVALUES("Alue")="Kajaani";\nVALUES("Vuosi")="2018","2019","2020","2021";\n'
        'DATA=\n"-"\t"...",\n"......" 12;\n'
    )
    cube = read_px(text.encode("iso-8859-1"), "t1.px")  # no CODEPAGE: the default, ISO-8859-1
    assert cube.title == "Ensimmäinen ja toinen rivi"
    assert [d.codes for d in cube.dimensions] == [("Kajaani",), ("2018", "2019", "2020", "2021")]
    assert cube.values == (0, None, None, 12)


def test_new_does_not_offer_statistics(shipped: Path) -> None:
    assert sorted(NEW_NOUNS) == ["application", "organisation", "organization", "pilot"]
    result = run_kopa("new", "statistics", "x", workspace=shipped)
    assert result.exit_code == 2


def test_the_shipped_statistics_are_what_the_import_makes() -> None:
    """records/statistics/vaesto-2019.yaml is the import of its PX file, byte for byte."""
    shipped = REPO / "records" / "statistics" / "vaesto-2019.yaml"
    workspace = load_workspace(REPO, DirectorySource(REPO))
    record = workspace.statistics["vaesto-2019"]
    source = DATA / "vaesto-kainuu-narpio-2019.px"
    data = statistics_data(read_table(source.read_bytes(), source.name), record.imported, record.note)
    assert statistics_yaml(data) == shipped.read_text(encoding="utf-8")


def test_the_shipped_2019_totals_are_the_published_ones_and_the_rest_is_marked() -> None:
    """domain.md: population 31.12.2019, Statistics Finland."""
    published = {"105": 2271, "205": 36709, "290": 8190, "578": 3273, "620": 2528, "697": 1272, "765": 10336, "777": 7727, "545": 9479}
    record = load_workspace(REPO, DirectorySource(REPO)).statistics["vaesto-2019"]
    assert {code: area.total[2019] for code, area in record.areas.items()} == published
    assert "Esimerkkiluvut" in record.note and "2018" in record.note and "ikävuosittaiset" in record.note
