"""The region (maakunta) of a municipality, by its municipality code (kuntakoodi).

The table follows Statistics Finland's classification of municipalities to regions for 2020
(Tilastokeskus, kunnat ja maakunnat 2020, licence CC BY 4.0), the year of the KOPA call:
310 municipalities in 19 regions. It ships as data/municipalities-2020.csv (code;name;region
code), written out for kopa from that classification, not downloaded by a script: the tests
check its size, its regions and the shipped records' municipalities. A municipality that has since merged or moved keeps its 2020
region here (Heinävesi: Etelä-Savo; Iitti: Kymenlaakso; Kuhmoinen: Keski-Suomi).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "municipalities-2020.csv"

# Region code -> Finnish, Swedish and English name (Statistics Finland's own names).
REGION_NAMES: dict[str, tuple[str, str, str]] = {
    "01": ("Uusimaa", "Nyland", "Uusimaa"),
    "02": ("Varsinais-Suomi", "Egentliga Finland", "Southwest Finland"),
    "04": ("Satakunta", "Satakunta", "Satakunta"),
    "05": ("Kanta-Häme", "Egentliga Tavastland", "Kanta-Häme"),
    "06": ("Pirkanmaa", "Birkaland", "Pirkanmaa"),
    "07": ("Päijät-Häme", "Päijänne-Tavastland", "Päijät-Häme"),
    "08": ("Kymenlaakso", "Kymmenedalen", "Kymenlaakso"),
    "09": ("Etelä-Karjala", "Södra Karelen", "South Karelia"),
    "10": ("Etelä-Savo", "Södra Savolax", "South Savo"),
    "11": ("Pohjois-Savo", "Norra Savolax", "North Savo"),
    "12": ("Pohjois-Karjala", "Norra Karelen", "North Karelia"),
    "13": ("Keski-Suomi", "Mellersta Finland", "Central Finland"),
    "14": ("Etelä-Pohjanmaa", "Södra Österbotten", "South Ostrobothnia"),
    "15": ("Pohjanmaa", "Österbotten", "Ostrobothnia"),
    "16": ("Keski-Pohjanmaa", "Mellersta Österbotten", "Central Ostrobothnia"),
    "17": ("Pohjois-Pohjanmaa", "Norra Österbotten", "North Ostrobothnia"),
    "18": ("Kainuu", "Kajanaland", "Kainuu"),
    "19": ("Lappi", "Lappland", "Lapland"),
    "21": ("Ahvenanmaa", "Åland", "Åland"),
}
_LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class Region:
    code: str  # two digits, e.g. "18"
    names: tuple[str, str, str]  # Finnish, Swedish, English

    def name(self, lang: str) -> str:
        return self.names[_LANGUAGES.index(lang)]


@cache
def _table() -> dict[str, str]:
    with TABLE.open(encoding="utf-8", newline="") as file:
        return {row["municipality_code"]: row["region_code"] for row in csv.DictReader(file, delimiter=";")}


def region_of(municipality_code: str | None) -> Region | None:
    """The 2020 region of a three-digit municipality code ("205" -> Kainuu); None for an
    unknown code or none."""
    region = _table().get(municipality_code or "")
    return Region(region, REGION_NAMES[region]) if region else None

