"""Spreadsheet files (.xlsx) written with openpyxl: typed cells, text that stays text, the same bytes.

- ``put_text``: text from records is always a text cell. openpyxl would make ``=HYPERLINK(...)``
  a formula and ``#N/A`` an error value; here both stay the characters they are.
- ``put_value``: numbers, dates and text each as their own cell type; amounts stay exact
  (``Decimal`` is written as its digits).
- ``workbook_bytes`` / ``save``: the same workbook gives the same bytes: fixed document
  properties (openpyxl stamps the modified time on every save; here it is ``stamp``) and fixed
  times in the zip (style.md, "Writing files"); ``save`` writes atomically (core/files.py).
- ``table_sheet``: a header row and typed rows, the form of the fee and ledger workbooks.

openpyxl is imported only by the commands that write spreadsheets.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from kopa_cli.core import files

# Excel number formats: "1 666,67 €", "2.3.2020" and "24 %" / "25,5 %". The file holds the
# format; Excel shows the separators of the reader's own settings (Finnish Excel as above),
# while LibreOffice follows the format's language tag, [$-40B] (fi-FI), so that a PDF made by
# LibreOffice on any machine shows Finnish amounts.
MONEY_FORMAT = '[$-40B]#,##0.00\\ "€"'
DATE_FORMAT = "d.m.yyyy"
RATE_FORMAT = '[$-40B]General\\ "%"'  # the rate as the ledger holds it, 24 or 25.5 (not 0.24)
TEXT_FORMAT = "@"
INTEGER_FORMAT = "0"

MAX_TEXT = 32767  # the most characters an Excel cell holds
CREATOR = "kopa"
# Zip entries carry this time (the earliest a zip can hold) instead of the time of writing.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# A workbook without a date of its own (the fee table) is stamped with this one.
FIXED_STAMP = datetime(2000, 1, 1)


class TextTooLong(ValueError):
    """Text longer than an Excel cell holds (MAX_TEXT characters)."""


def clean_text(text: str) -> str:
    """``text`` as a cell can hold it: control characters that XML 1.0 forbids become U+FFFD.

    Raises TextTooLong above MAX_TEXT characters (openpyxl would cut it silently)."""
    if len(text) > MAX_TEXT:
        raise TextTooLong(f"{len(text)} characters")
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)


def put_text(cell: Any, text: str) -> None:
    """Write ``text`` into ``cell`` as text: never a formula, an error value or a number."""
    cell.value = clean_text(text)
    cell.data_type = "s"


def put_value(cell: Any, value: object) -> None:
    """Write a number, a date, text or None (empty) with its own cell type.

    Raises ValueError for other values, infinite or NaN numbers and dates with a time zone,
    TextTooLong for text longer than a cell holds."""
    if value is None or isinstance(value, bool):
        cell.value = value
    elif isinstance(value, str):
        put_text(cell, value)
    elif isinstance(value, (int, Decimal, float)):
        if isinstance(value, (Decimal, float)) and not Decimal(value).is_finite():
            raise ValueError(f"{value} is not a number a spreadsheet can hold")
        cell.value = value
    elif isinstance(value, (date, datetime)):
        if isinstance(value, datetime) and value.tzinfo is not None:
            raise ValueError("a spreadsheet date has no time zone")
        cell.value = value
    else:
        raise ValueError(f"a {type(value).__name__} is not text, a number or a date")


class _ReproducibleZip(zipfile.ZipFile):
    """A zip file whose every entry carries the same time and attributes, whenever it is written."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: Any = None, compresslevel: Any = None) -> None:
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        fixed = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
        fixed.compress_type = zipfile.ZIP_DEFLATED
        fixed.create_system = 0  # not the writer's operating system
        super().writestr(fixed, data)

    def write(self, filename: Any, arcname: Any = None, compress_type: Any = None, compresslevel: Any = None) -> None:
        with open(filename, "rb") as stream:  # openpyxl writes each worksheet to a temporary file first
            self.writestr(arcname or os.path.basename(filename), stream.read())


def workbook_bytes(workbook: Any, stamp: datetime) -> bytes:
    """The .xlsx file of ``workbook``: the same bytes for the same content.

    ``stamp`` becomes the document's created and modified time (e.g. the invoice date); the
    creator is "kopa"; every zip entry gets the same time and attributes. Written by openpyxl's
    ExcelWriter straight into such a zip: ``Workbook.save`` would stamp the time of saving, and
    rewriting its zip afterwards costs a second compression (6 ms of the 16 ms an invoice takes)."""
    properties = workbook.properties
    properties.creator = CREATOR
    properties.lastModifiedBy = None
    properties.created = stamp
    properties.modified = stamp
    result = io.BytesIO()
    archive = _ReproducibleZip(result, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()  # closes the archive
    return result.getvalue()


def save(workbook: Any, path: Path, stamp: datetime) -> None:
    """Write ``workbook`` to ``path`` all at once (core/files.py ``replace``), the same bytes
    for the same content; raises OSError if it cannot be written."""
    files.replace(path, workbook_bytes(workbook, stamp))


@dataclass(frozen=True)
class Column:
    """A column of a table sheet: its header, its cells' number format and width (characters)."""

    header: str
    number_format: str = "General"
    width: int = 14


def table_sheet(sheet: Any, columns: Sequence[Column], rows: Iterable[Sequence[object]],
                total_label: str | None = None, total_columns: Sequence[int] = ()) -> None:
    """Fill ``sheet`` with a bold, frozen, filterable header row and one row per item of ``rows``.

    Each value is written by ``put_value`` with its column's number format (text columns have
    "@", so that Excel keeps a typed-over Y-tunnus as text too). With ``total_label``, a last
    bold row holds the label in the first column and, in each of ``total_columns`` (0-based),
    the sum of that column's values: values, not formulas, so that every reader (and a
    program reading the file) sees the same figure without recalculating."""
    bold = Font(bold=True)
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        put_text(cell, column.header)
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sums: dict[int, Decimal] = {index: Decimal(0) for index in total_columns}
    row_number = 1
    for row_number, values in enumerate(rows, start=2):
        for index, (column, value) in enumerate(zip(columns, values)):
            cell = sheet.cell(row=row_number, column=index + 1)
            put_value(cell, value)
            cell.number_format = column.number_format
            if index in sums and value is not None:
                sums[index] += value  # type: ignore[operator]
    sheet.freeze_panes = "A2"
    last = get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{row_number}"
    if total_label is not None:
        total_row = row_number + 1
        label = sheet.cell(row=total_row, column=1)
        put_text(label, total_label)
        label.font = bold
        for index, amount in sums.items():
            cell = sheet.cell(row=total_row, column=index + 1)
            put_value(cell, amount)
            cell.number_format = columns[index].number_format
            cell.font = bold
