"""Spreadsheet templates: an .xlsx file whose cells hold Jinja, rendered through kopa's one sandbox.

Staff lay out and restyle the template in Excel or LibreOffice; kopa fills it in. The rules
(docs/invoices.md, "The spreadsheet template"):

- A text cell that holds ``{{``, ``{%`` or ``{#`` is a template. Every other cell, the
  template's own formulas included, is copied as it is, with its style.
- A cell that is exactly one expression, ``{{ invoice.total }}``, takes the expression's value
  with its type: a number (int, Decimal) stays a number and a date a date, in the template
  cell's number format; text is a text cell; an ``Image`` is placed with its top-left corner at
  the cell; None leaves the cell empty.
- Any other template cell (``Lasku {{ invoice.number }}``) becomes text, always a text cell:
  text from records never becomes a formula.
- **Repeated rows**: a row whose first cell (column A) is exactly ``{% for NAME in EXPRESSION %}``
  starts a block and a row whose first cell is ``{% endfor %}`` ends it. Both marker rows are
  removed, and the rows between them are written once for each item, with ``NAME`` and ``loop``
  (``index`` from 1, ``index0``, ``first``, ``last``, ``length``) set. Blocks do not nest, and a
  marker row holds nothing else. The rows below move with the block, and so do their row
  heights, merged cells and images. Conditional formats, data validations and print areas stay
  where the template has them.

Every value reaches the template as a read-only copy (render/templating.py ``read_only``) in
kopa's immutable sandbox; a template that reaches for Python's internals, changes a value or
names what does not exist fails as ``file!sheet!cell: what went wrong`` (SpreadsheetTemplateFailed).
"""

from __future__ import annotations

import io
import re
import zipfile
from copy import copy
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2
import openpyxl
from openpyxl.cell.cell import MergedCell
from openpyxl.drawing.image import Image as SheetImage
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.cell_range import CellRange

from kopa_cli.core.errors import SpreadsheetTemplateFailed, TemplateUnreadable
from kopa_cli.core.i18n import _
from kopa_cli.render import templating
from kopa_cli.render.xlsxfile import TextTooLong, put_value

_JINJA = ("{{", "{%", "{#")
_FOR = re.compile(r"\{%-?\s*for\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.+?)\s*-?%\}", re.S)
_ENDFOR = re.compile(r"\{%-?\s*endfor\s*-?%\}")
_ONE_EXPRESSION = re.compile(r"\{\{(.*)\}\}", re.S)
_CELL_TYPES = (str, int, Decimal, float, date, type(None))


@dataclass(frozen=True)
class Image:
    """A PNG image for a template cell (e.g. the EPC QR code): placed with its top-left corner there."""

    png: bytes


@dataclass(frozen=True)
class Loop:
    """``loop`` in repeated rows, as in a Jinja for loop."""

    index: int
    index0: int
    first: bool
    last: bool
    length: int


@dataclass(frozen=True)
class _Block:
    start: int  # the row of the {% for %} marker
    end: int  # the row of the {% endfor %} marker
    name: str
    items: Callable[..., Any]
    where: str  # the marker's cell, for messages


@dataclass(frozen=True)
class _Cell:
    where: str
    expression: Callable[..., Any] | None  # a cell that is one expression
    text: jinja2.Template | None  # any other template cell


@dataclass(frozen=True)
class _Sheet:
    cells: dict[tuple[int, int], _Cell]
    blocks: list[_Block]


class WorkbookTemplate:
    """An .xlsx template, read and compiled once, rendered for many contexts (``render``)."""

    def __init__(self, path: Path, shown: str, env: jinja2.Environment) -> None:
        self.shown = shown  # the template file as messages name it
        self.env = env
        self.data = path.read_bytes()
        self.sheets = {sheet.title: self._compile(sheet) for sheet in self._open().worksheets}

    def _open(self) -> Any:
        try:
            # No external links: a template cannot make the reader's program fetch anything.
            return openpyxl.load_workbook(io.BytesIO(self.data), keep_links=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise TemplateUnreadable(template=self.shown, detail=f"{type(error).__name__}: {error}") from None

    def _fail(self, sheet: str, where: str, problem: str) -> SpreadsheetTemplateFailed:
        return SpreadsheetTemplateFailed(template=self.shown, sheet=sheet, cell=where, problem=problem)

    # --- reading the template --------------------------------------------------------

    def _compile(self, sheet: Any) -> _Sheet:
        cells: dict[tuple[int, int], _Cell] = {}
        blocks: list[_Block] = []
        opened: tuple[int, str, str, Callable[..., Any]] | None = None  # row, name, where, items
        for row in sheet.iter_rows():
            for cell in row:
                text = cell.value
                if cell.data_type != "s" or not isinstance(text, str) or not any(m in text for m in _JINJA):
                    continue
                where = cell.coordinate
                loop_start, loop_end = _FOR.fullmatch(text.strip()), _ENDFOR.fullmatch(text.strip())
                if cell.column == 1 and (loop_start or loop_end):
                    if any(other.value is not None for other in row if other.column != 1):
                        raise self._fail(sheet.title, where, _("a row that starts or ends repeated rows must hold nothing else"))
                    if loop_start:
                        if opened is not None:
                            raise self._fail(sheet.title, where, _("repeated rows cannot be nested: end the block of {cell} first").format(cell=opened[2]))
                        opened = (cell.row, loop_start.group(1), where, self._expression(sheet.title, where, loop_start.group(2)))
                    else:
                        if opened is None:
                            raise self._fail(sheet.title, where, _("{% endfor %} without a {% for %} row above it"))
                        blocks.append(_Block(opened[0], cell.row, opened[1], opened[3], opened[2]))
                        opened = None
                    continue
                cells[(cell.row, cell.column)] = self._compile_cell(sheet.title, where, text)
        if opened is not None:
            raise self._fail(sheet.title, opened[2], _("{% for %} without an {% endfor %} row below it"))
        return _Sheet(cells, blocks)

    def _expression(self, sheet: str, where: str, source: str) -> Callable[..., Any]:
        try:
            return self.env.compile_expression(source, undefined_to_none=False)
        except jinja2.TemplateSyntaxError as error:
            raise self._fail(sheet, where, templating.problem(error)) from None

    def _compile_cell(self, sheet: str, where: str, text: str) -> _Cell:
        single = _ONE_EXPRESSION.fullmatch(text.strip())
        if single and not any(mark in single.group(1) for mark in ("{{", "}}", "{%", "%}", "{#")):
            return _Cell(where, self._expression(sheet, where, single.group(1)), None)
        try:
            return _Cell(where, None, self.env.from_string(text))
        except jinja2.TemplateSyntaxError as error:
            raise self._fail(sheet, where, templating.problem(error)) from None

    # --- filling it in ---------------------------------------------------------------

    def render(self, context: Mapping[str, Any]) -> Any:
        """A new openpyxl Workbook: the template filled in with read-only copies of ``context``.

        Raises SpreadsheetTemplateFailed, located at the template's cell, for anything the
        template does wrong."""
        values = {key: templating.read_only(value) for key, value in context.items()}
        workbook = self._open()
        for sheet in workbook.worksheets:
            compiled = self.sheets[sheet.title]
            first_block = compiled.blocks[0].start if compiled.blocks else sheet.max_row + 1
            for (row, column), cell in compiled.cells.items():
                if row < first_block:
                    self._fill(sheet, sheet.cell(row=row, column=column), cell, values)
            if compiled.blocks:
                self._render_blocks(sheet, compiled, values)
        return workbook

    def _fill(self, sheet: Any, target: Any, cell: _Cell, values: Mapping[str, Any]) -> None:
        try:
            if cell.expression is not None:
                value = cell.expression(values)
                if isinstance(value, jinja2.Undefined):
                    str(value)  # raises what was undefined, or the sandbox's refusal
            else:
                value = cell.text.render(values)  # type: ignore[union-attr]
            if value == "":
                value = None  # an empty result leaves the cell empty
            if isinstance(value, Image):
                target.value = None
                sheet.add_image(SheetImage(io.BytesIO(value.png)), target.coordinate)
                return
            if isinstance(value, bool) or not isinstance(value, _CELL_TYPES):
                raise self._fail(sheet.title, cell.where, _(
                    "the expression gives a value of type {kind}, not text, a number, a date or an image"
                ).format(kind=type(value).__name__))
            put_value(target, value)
        except TextTooLong as error:
            raise self._fail(sheet.title, cell.where, _("the text is longer than a cell holds (32 767 characters): {detail}").format(detail=error)) from None
        except templating.RENDER_ERRORS as error:
            raise self._fail(sheet.title, cell.where, templating.problem(error)) from None

    def _items(self, sheet: Any, block: _Block, values: Mapping[str, Any]) -> list[Any]:
        try:
            items = block.items(values)
            if isinstance(items, jinja2.Undefined):
                str(items)
        except templating.RENDER_ERRORS as error:
            raise self._fail(sheet.title, block.where, templating.problem(error)) from None
        if not isinstance(items, (tuple, list, range)):
            raise self._fail(sheet.title, block.where, _(
                "the repeated rows' expression gives a value of type {kind}, not a list"
            ).format(kind=type(items).__name__))
        return list(items)

    def _render_blocks(self, sheet: Any, compiled: _Sheet, values: Mapping[str, Any]) -> None:
        """Write the rows from the first block down again, each block's rows once per item."""
        first = compiled.blocks[0].start
        last = sheet.max_row
        starts = {block.start: block for block in compiled.blocks}
        plan: list[tuple[int, Mapping[str, Any]]] = []  # (template row, values) of each row written
        rows_of: dict[int, list[int]] = {row: [] for row in range(first, last + 1)}
        row = first
        while row <= last:
            block = starts.get(row)
            if block is None:
                rows_of[row].append(first + len(plan))
                plan.append((row, values))
                row += 1
                continue
            items = self._items(sheet, block, values)
            for index, item in enumerate(items):
                loop = Loop(index + 1, index, index == 0, index == len(items) - 1, len(items))
                scope = {**values, block.name: item, "loop": loop}
                for body_row in range(block.start + 1, block.end):
                    rows_of[body_row].append(first + len(plan))
                    plan.append((body_row, scope))
            row = block.end + 1

        # What the template has from the first block down: cells, row heights, merged cells.
        template_cells: dict[int, list[Any]] = {}
        for cells in sheet.iter_rows(min_row=first, max_row=last):
            for cell in cells:
                if not isinstance(cell, MergedCell) and (cell.value is not None or cell.has_style):
                    template_cells.setdefault(cell.row, []).append(
                        (cell.column, cell.value, cell.data_type, copy(cell._style), copy(cell.hyperlink)))
        heights = {row: sheet.row_dimensions[row].height for row in range(first, last + 1) if row in sheet.row_dimensions}
        merged = [rng for rng in sheet.merged_cells.ranges if rng.max_row >= first]
        for rng in merged:
            sheet.merged_cells.remove(rng)
        sheet.delete_rows(first, last - first + 1)
        for row in heights:
            del sheet.row_dimensions[row]

        for offset, (template_row, scope) in enumerate(plan):
            row = first + offset
            if heights.get(template_row) is not None:
                sheet.row_dimensions[row].height = heights[template_row]
            for column, value, data_type, style, hyperlink in template_cells.get(template_row, ()):
                target = sheet.cell(row=row, column=column)
                target._style = copy(style)
                cell = compiled.cells.get((template_row, column))
                if cell is not None:
                    self._fill(sheet, target, cell, scope)
                else:
                    target.value = value
                    target.data_type = data_type  # a template's text stays text, its formula a formula
                    if hyperlink is not None:
                        target.hyperlink = hyperlink
        for rng in merged:
            self._move_merged(sheet, rng, rows_of, first)
        self._move_images(sheet, rows_of, first)

    def _move_merged(self, sheet: Any, rng: CellRange, rows_of: dict[int, list[int]], first: int) -> None:
        if rng.min_row < first:
            raise self._fail(sheet.title, rng.coord, _("a merged cell may not reach into repeated rows from above them"))
        tops, bottoms = rows_of[rng.min_row], rows_of[rng.max_row]
        if len(tops) != len(bottoms) or any(bottom - top != rng.max_row - rng.min_row for top, bottom in zip(tops, bottoms)):
            raise self._fail(sheet.title, rng.coord, _("a merged cell may not reach across the start or end of repeated rows"))
        for top in tops:
            sheet.merge_cells(start_row=top, end_row=top + rng.max_row - rng.min_row,
                              start_column=rng.min_col, end_column=rng.max_col)

    @staticmethod
    def _move_images(sheet: Any, rows_of: dict[int, list[int]], first: int) -> None:
        """The template's own images (a logo) from the first block down move with their rows;
        one inside repeated rows stays with the first of them, and goes with none."""
        last = max(rows_of)
        moved_by = sum(len(rows) for rows in rows_of.values()) - len(rows_of)  # rows below the last move this much
        kept = []
        for image in sheet._images:
            anchor = image.anchor
            row = None if isinstance(anchor, str) else anchor._from.row + 1  # from 0
            if row is None or row < first:
                kept.append(image)
                continue
            rows = [row + moved_by] if row > last else rows_of[row]
            if rows:
                anchor._from.row += rows[0] - row
                if getattr(anchor, "to", None) is not None:
                    anchor.to.row += rows[0] - row
                kept.append(image)
        sheet._images = kept

def load(workspace: Path | None, name: str, lang: str) -> WorkbookTemplate:
    """The template ``name`` (e.g. ``invoice.xlsx``): the workspace's templates/ first, then
    kopa's own, compiled with filters in language ``lang``.

    Raises TemplateMissing, TemplateOutside, TemplateUnreadable or SpreadsheetTemplateFailed."""
    path = templating.template_file(workspace, name)
    return WorkbookTemplate(path, templating.shown_file(path, workspace), templating.environment(workspace, lang))
