"""From a downloaded Statistics Finland table to the data of a statistics record.

``read_table`` reads a PX or JSON-stat2 file into a ``Cube`` (pxfile.py, jsonstat.py);
``statistics_data`` finds in it what kopa keeps: the area variable (municipality codes
``KU205`` or ``205``, the whole country ``SSS``), the year, and the age where the table has
one; every other variable (sex, the figure's kind) must be at its total ("Yhteensä", code
SSS) or have a single value. The result is the plain data of a ``records.Statistics``
record, in the order render/statisticsfile.py writes it.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import PurePath
from typing import Any

from kopa_cli.core.i18n import N_
from kopa_cli.load.statcube import Cube, Dimension, broken

LICENCE = "CC BY 4.0"  # Statistics Finland's licence for its tables (stat.fi, "Käyttöehdot")
SOURCE = "Tilastokeskus"
_KU_CODE = re.compile(r"KU([0-9]{3})")
_MUNICIPALITY_CODE = re.compile(r"[0-9]{3}")
_AREA_CODE = re.compile(r"(?:KU)?([0-9]{3})|SSS")
_PXWEB_FILE = re.compile(r"_pxt_([0-9A-Za-z]+)")  # statfin_vaerak_pxt_11re.px
_YEAR = re.compile(r"[0-9]{4}")
_SINGLE_AGE = re.compile(r"([0-9]{1,3})(?:\s*-|\+)?")  # "7", "007", and the oldest: "100 -", "100+"
# Names of variables, as Statistics Finland writes them in Finnish, Swedish and English
_AREA_NAMES = ("alue", "kunta", "område", "kommun", "area", "region", "municipality")
_YEAR_NAMES = ("vuosi", "år", "year")
_AGE_NAMES = ("ikä", "ålder", "age")
_TOTALS = ("sss", "yhteensä", "totalt", "total", "kaikki", "sukupuolet yhteensä", "kaikki ikäluokat")
_POPULATION_WORDS = ("väestö", "väkiluku", "asukasluku", "folkmängd", "befolkning", "population")


def read_table(data: bytes, path: str) -> Cube:
    """A PX file (``.px``, or anything that is not JSON) or JSON-stat2 (``.json``, or text
    starting with ``{``). Raises BrokenStatisticsFile."""
    from kopa_cli.load.jsonstat import read_jsonstat
    from kopa_cli.load.pxfile import read_px

    is_json = path.lower().endswith(".json") or (not path.lower().endswith(".px") and data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"))
    return read_jsonstat(data, path) if is_json else read_px(data, path)


def _table_id(stem: str) -> str:
    """The table's id from the name PxWeb gives a download (statfin_vaerak_pxt_11re), else
    the file's own name: for files that do not carry the id (JSON-stat2 without extension.px)."""
    found = _PXWEB_FILE.search(stem)
    return found.group(1) if found else stem


def _named(dimension: Dimension, names: tuple[str, ...]) -> bool:
    return any(text.casefold().startswith(names) for text in (dimension.code, dimension.label))


def _find(cube: Cube, test: Any) -> Dimension | None:
    return next((dimension for dimension in cube.dimensions if test(dimension)), None)


def _total(dimension: Dimension) -> int | None:
    """The position of the dimension's total ("Yhteensä", code SSS), or its only value."""
    if len(dimension.codes) == 1:
        return 0
    for index, (code, label) in enumerate(zip(dimension.codes, dimension.labels)):
        if code.casefold() in _TOTALS or label.casefold() in _TOTALS:
            return index
    return None


def _single_age(code: str, label: str) -> int | None:
    for text in (label.strip(), code.strip()):
        found = _SINGLE_AGE.fullmatch(text)
        if found:
            return int(found.group(1))
    return None


def statistics_data(cube: Cube, imported: date, note: str | None = None) -> dict[str, Any]:
    """The record's data (records.Statistics) for ``cube``. Raises BrokenStatisticsFile when
    the table has no municipalities or years, or a variable kopa cannot reduce to its total."""
    area = _find(cube, lambda d: any(_KU_CODE.fullmatch(code) for code in d.codes)) or _find(
        cube, lambda d: _named(d, _AREA_NAMES) and any(_MUNICIPALITY_CODE.fullmatch(code) for code in d.codes)
    )
    if area is None:
        raise broken(cube.path, 1, N_("the table has no municipalities: no variable has municipality codes like KU205 (choose the area variable 'Alue' in PxWeb)"))
    year = _find(cube, lambda d: d is not area and (d.time or _named(d, _YEAR_NAMES)) and all(_YEAR.fullmatch(code) for code in d.codes))
    year = year or _find(cube, lambda d: d is not area and all(_YEAR.fullmatch(code) for code in d.codes))
    if year is None:
        raise broken(cube.path, 1, N_("the table has no years: no variable 'Vuosi' with years like 2019"))
    age = _find(cube, lambda d: d not in (area, year) and _named(d, _AGE_NAMES))
    fixed: dict[str, int] = {}
    for dimension in cube.dimensions:
        if dimension in (area, year, age):
            continue
        total = _total(dimension)
        if total is None:
            raise broken(cube.path, dimension.line, N_("the variable '{name}' has several values ({values}) and no total; choose its total or one value in PxWeb and download again"), name=dimension.label, values=", ".join(dimension.labels))
        fixed[dimension.code] = total
    ages = [(index, _single_age(code, label)) for index, (code, label) in enumerate(zip(age.codes, age.labels))] if age else []
    ages = [(index, years) for index, years in ages if years is not None]
    age_total = _total(age) if age else None

    strides = {}
    stride = 1
    for dimension in reversed(cube.dimensions):
        strides[dimension.code] = stride
        stride *= len(dimension.codes)
    base = sum(strides[code] * index for code, index in fixed.items())

    def figure(offset: int) -> int | None:
        value = cube.values[offset]
        if value is None:
            return None
        if value != value.to_integral_value():
            raise broken(cube.path, 1, N_("the table has figures with decimals ({value}); kopa keeps counts, such as the population, in whole numbers"), value=str(value))
        return int(value)

    areas: dict[str, Any] = {}
    for area_index, (code, label) in enumerate(zip(area.codes, area.labels)):
        found = _AREA_CODE.fullmatch(code)
        if found is None:  # a region (MK18) or other area that is no municipality: not kept
            continue
        at_area = base + strides[area.code] * area_index
        figures: dict[str, Any] = {"name": label, "total": {}, "ages": {}}
        for year_index, year_code in enumerate(year.codes):
            at = at_area + strides[year.code] * year_index
            if age is None:
                figures["total"][int(year_code)] = figure(at)
                continue
            if age_total is not None:
                figures["total"][int(year_code)] = figure(at + strides[age.code] * age_total)
            if ages:
                figures["ages"][int(year_code)] = {years: figure(at + strides[age.code] * index) for index, years in ages}
        areas[found.group(1) or "SSS"] = {key: value for key, value in figures.items() if value != {}}
    described = " ".join(filter(None, (cube.contents, cube.title, cube.unit))).casefold()
    data: dict[str, Any] = {
        "table": cube.table or _table_id(PurePath(cube.path).stem),
        "title": cube.title,
        "source": cube.source or SOURCE,
        "licence": LICENCE,
        "contents": cube.contents,
        "unit": cube.unit,
        "population": any(word in described for word in _POPULATION_WORDS),
        "updated": cube.updated,
        "imported": imported,
        "file": PurePath(cube.path).name,
        "note": note,
        "areas": areas,
    }
    return {key: value for key, value in data.items() if value is not None}
