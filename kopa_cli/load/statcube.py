"""A statistical table as read from a Statistics Finland download: the shape both readers give.

PxWeb hands out the same table as a PX file (pxfile.py) or as JSON-stat2 (jsonstat.py); each
reader returns a ``Cube``, and statimport.py turns a cube into a statistics record. A cube is
a list of dimensions and the figures in row-major order: the last dimension varies fastest
(PX: the STUB variables, then the HEADING ones; JSON-stat2: the order of ``id``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from kopa_cli.core.diagnostics import Phrase
from kopa_cli.core.errors import BrokenStatisticsFile


@dataclass(frozen=True)
class Dimension:
    """One variable of a table: ``code`` as the file names it ("Alue", "Vuosi"), ``label`` as
    people read it, and its values' codes ("KU205", "2019") and labels ("Kajaani") in order."""

    code: str
    label: str
    codes: tuple[str, ...]
    labels: tuple[str, ...]
    time: bool = False  # PX TIMEVAL, or the JSON-stat2 role "time"
    line: int = 1  # where the file lists its values (PX VALUES, JSON-stat2 the dimension), for messages


@dataclass(frozen=True)
class Cube:
    """A whole table. ``values`` holds one figure per combination of the dimensions' values,
    row-major: a Decimal, or None where the file has a missing-figure symbol ("..")."""

    path: str  # the file, as the user named it: for messages
    table: str | None  # the table's id in PxWeb, e.g. "11re"
    title: str
    source: str | None  # the publisher as the file names it ("Tilastokeskus")
    updated: date | None  # the table's date: LAST-UPDATED, or the API's "updated"
    unit: str | None  # "henkilöä"
    contents: str | None  # what the figures are: "Väestö 31.12."
    dimensions: tuple[Dimension, ...]
    values: tuple[Decimal | None, ...]

    def cells(self) -> int:
        """How many figures the dimensions call for."""
        return math.prod(len(dimension.codes) for dimension in self.dimensions)


def broken(path: str, line: int, message: str, **args: object) -> BrokenStatisticsFile:
    """The error for a file that cannot be read as a table: ``path:line: message``."""
    return BrokenStatisticsFile(path=path, line=line, problem=Phrase.of(message, **args))
