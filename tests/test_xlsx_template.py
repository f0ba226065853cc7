"""The .xlsx template layer: Jinja in cells through kopa's one sandbox, typed cells, repeated
rows, located errors, and reproducible files. Every result is read back with openpyxl."""

from __future__ import annotations

import io
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from conftest import build_tree
from kopa_cli.core.errors import (ExitCode, SpreadsheetTemplateFailed, TemplateMissing, TemplateOutside,
                                  TemplateUnreadable)
from kopa_cli.core.i18n import set_language
from kopa_cli.render import xlsxtemplate
from kopa_cli.render.xlsxfile import DATE_FORMAT, MONEY_FORMAT, FIXED_STAMP, workbook_bytes
from kopa_cli.render.xlsxtemplate import Image

HOSTILE = '=HYPERLINK("http://x","y")'


def template_bytes(cells: dict[str, object], formats: dict[str, str] = {}, sheet: str = "Lasku",
                   setup=None) -> bytes:
    """An .xlsx template with ``cells`` ({"A1": value}) and number formats, as staff would save it."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for coordinate, value in cells.items():
        worksheet[coordinate] = value
    for coordinate, number_format in formats.items():
        worksheet[coordinate].number_format = number_format
    if setup:
        setup(worksheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def render(tmp_path: Path, cells: dict[str, object], context: dict[str, object], **kwargs) -> openpyxl.Workbook:
    """Render a template in a workspace's templates/ and read the result back from its bytes."""
    build_tree(tmp_path, {"templates/t.xlsx": template_bytes(cells, **kwargs)})
    template = xlsxtemplate.load(tmp_path, "t.xlsx", "fi")
    data = workbook_bytes(template.render(context), FIXED_STAMP)
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_xml(workbook: openpyxl.Workbook) -> bytes:
    data = workbook_bytes(workbook, FIXED_STAMP)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_a_cell_of_one_expression_keeps_the_type_and_the_template_format(tmp_path: Path) -> None:
    sheet = render(tmp_path, {
        "A1": "{{ net }}", "A2": "{{ day }}", "A3": "{{ year }}", "A4": "{{ business_id }}",
        "A5": "Lasku {{ number }}", "A6": "  {{ net }}  ", "A7": "{{ nothing }}", "A8": "plain text",
        "A9": "=SUM(A1:A1)", "A10": "{{ net | money }}",
    }, {"net": Decimal("1666.67"), "day": date(2020, 3, 2), "year": 2020, "business_id": "0208202-2",
        "number": "20200001", "nothing": None},
        formats={"A1": MONEY_FORMAT, "A2": DATE_FORMAT}).active
    assert (sheet["A1"].value, sheet["A1"].data_type, sheet["A1"].number_format) == (1666.67, "n", MONEY_FORMAT)
    assert (sheet["A2"].value, sheet["A2"].number_format) == (datetime(2020, 3, 2), DATE_FORMAT)
    assert (sheet["A3"].value, sheet["A3"].data_type) == (2020, "n")
    assert (sheet["A4"].value, sheet["A4"].data_type) == ("0208202-2", "s")
    assert (sheet["A5"].value, sheet["A5"].data_type) == ("Lasku 20200001", "s")
    assert sheet["A6"].value == 1666.67
    assert sheet["A7"].value is None
    assert sheet["A8"].value == "plain text"
    assert (sheet["A9"].value, sheet["A9"].data_type) == ("=SUM(A1:A1)", "f")  # the template's own formula stays
    assert sheet["A10"].value == "1\u00a0666,67\u00a0€"  # filters in the template's language


@pytest.mark.parametrize("text", [HOSTILE, "#N/A", "=1+1", "+1", "0123", "@SUM(1)", "-2+3"])
def test_text_from_records_stays_text(tmp_path: Path, text: str) -> None:
    workbook = render(tmp_path, {"A1": "{{ name }}", "A2": "Nimi: {{ name }}"}, {"name": text})
    sheet = workbook.active
    assert (sheet["A1"].value, sheet["A1"].data_type) == (text, "s")
    assert (sheet["A2"].value, sheet["A2"].data_type) == (f"Nimi: {text}", "s")
    assert b"<f>" not in sheet_xml(workbook)


def test_control_characters_that_xml_forbids_become_a_replacement_character(tmp_path: Path) -> None:
    sheet = render(tmp_path, {"A1": "{{ name }}"}, {"name": "Kunta\x01\x1b"}).active
    assert sheet["A1"].value == "Kunta\ufffd\ufffd"


def test_an_image_is_placed_at_its_cell(tmp_path: Path) -> None:
    from kopa_cli.core.payment import epc_qr_png

    png = epc_qr_png("Suomen Kuntaliitto ry", "FI2617453000123456", "NDEAFIHH", Decimal("10"), "11112")
    sheet = render(tmp_path, {"A1": "x", "C4": "{{ qr }}", "C5": "{{ none }}"}, {"qr": Image(png), "none": None}).active
    assert sheet["C4"].value is None
    [image] = sheet._images
    assert (image.anchor._from.row, image.anchor._from.col) == (3, 2)  # C4, counted from 0


def _loop_template(worksheet) -> None:
    worksheet.merge_cells("A8:B8")
    worksheet.merge_cells("B4:C4")
    worksheet.row_dimensions[4].height = 30
    worksheet.row_dimensions[8].height = 40


LOOP_CELLS = {
    "A1": "Otsikko", "A2": "Rivit",
    "A3": "{% for line in lines %}",
    "A4": "{{ loop.index }}", "B4": "{{ line.name }}", "D4": "{{ line.amount }}",
    "A5": "{{ line.name }} (last: {{ loop.last }})",
    "A6": "{% endfor %}",
    "A7": "{{ lines | length }} riviä",
    "A8": "Loppu", "C8": "{{ total }}",
}


def test_repeated_rows_are_written_once_per_item_and_the_rows_below_move(tmp_path: Path) -> None:
    lines = [{"name": "yksi", "amount": Decimal("1.10")}, {"name": "kaksi", "amount": Decimal("2")},
             {"name": HOSTILE, "amount": Decimal("-3")}]
    sheet = render(tmp_path, LOOP_CELLS, {"lines": lines, "total": Decimal("0.10")}, setup=_loop_template).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=4)]
    assert values == [
        ["Otsikko", None, None, None],
        ["Rivit", None, None, None],
        [1, "yksi", None, 1.1], ["yksi (last: False)", None, None, None],
        [2, "kaksi", None, 2], ["kaksi (last: False)", None, None, None],
        [3, HOSTILE, None, -3], [f"{HOSTILE} (last: True)", None, None, None],
        ["3 riviä", None, None, None],
        ["Loppu", None, 0.1, None],
    ]
    assert sheet["B7"].data_type == "s"
    assert sorted(str(rng) for rng in sheet.merged_cells.ranges) == ["A10:B10", "B3:C3", "B5:C5", "B7:C7"]
    assert [sheet.row_dimensions[row].height for row in (3, 5, 7, 10)] == [30, 30, 30, 40]


def test_no_items_leave_no_rows(tmp_path: Path) -> None:
    sheet = render(tmp_path, LOOP_CELLS, {"lines": [], "total": 0}, setup=_loop_template).active
    assert [sheet.cell(row=row, column=1).value for row in range(1, 5)] == ["Otsikko", "Rivit", "0 riviä", "Loppu"]
    assert [str(rng) for rng in sheet.merged_cells.ranges] == ["A4:B4"]


@pytest.mark.parametrize(
    ("cells", "cell", "problem"),
    [
        ({"A1": "{{ ''.__class__.__mro__ }}"}, "A1", "the template tried something that is not allowed"),
        ({"B2": "x {{ ''.__class__.__mro__ }}"}, "B2", "the template tried something that is not allowed"),
        ({"A1": "{{ cycler.__init__.__globals__.os }}"}, "A1", "the template tried something that is not allowed"),
        ({"A1": "{{ lines.append(1) }}"}, "A1", "a template may only read the records it is given, but this one tries to change them ('append')"),
        ({"A1": "{% set _ = record.update({'a': 1}) %}x"}, "A1", "a template may only read the records it is given, but this one tries to change them ('update')"),
        ({"C3": "{{ misspelt }}"}, "C3", "'misspelt' is undefined; check the spelling of the name"),
        ({"A1": "{{ record.nope }}"}, "A1", "has no attribute 'nope'; check the spelling of the name"),
        ({"A1": "{{ x"}, "A1", "template syntax error"),
        ({"A1": "{{ lines }}"}, "A1", "the expression gives a value of type tuple, not text, a number, a date or an image"),
        ({"A1": "{{ 1 / 0 }}"}, "A1", "the template failed: ZeroDivisionError"),
        ({"A1": "{{ 'x' | money }}"}, "A1", "a number filter (money, number, percent) was given 'x'"),
        ({"A1": "{{ big }}"}, "A1", "the text is longer than a cell holds"),
        ({"A1": "{% for x in lines %}"}, "A1", "{% for %} without an {% endfor %} row below it"),
        ({"A4": "{% endfor %}"}, "A4", "{% endfor %} without a {% for %} row above it"),
        ({"A1": "{% for x in lines %}", "A2": "{% for y in lines %}", "A3": "{% endfor %}", "A4": "{% endfor %}"}, "A2",
         "repeated rows cannot be nested: end the block of A1 first"),
        ({"A1": "{% for x in lines %}", "B1": "text", "A2": "{% endfor %}"}, "A1", "a row that starts or ends repeated rows must hold nothing else"),
        ({"A1": "{% for x in record %}", "A2": "{% endfor %}"}, "A1", "the repeated rows' expression gives a value of type mappingproxy, not a list"),
        ({"A1": "{% for x in nowhere %}", "A2": "{% endfor %}"}, "A1", "'nowhere' is undefined"),
    ],
)
def test_a_template_that_fails_is_refused_at_its_cell(tmp_path: Path, cells: dict[str, str], cell: str, problem: str) -> None:
    set_language("en")
    record = {"a": [1]}
    with pytest.raises(SpreadsheetTemplateFailed) as failure:
        render(tmp_path, cells, {"lines": [1, 2], "record": record, "big": "x" * 32768})
    assert failure.value.exit_code == ExitCode.PROBLEMS
    assert failure.value.message.startswith(f"templates/t.xlsx!Lasku!{cell}: ")
    assert problem in failure.value.message
    assert record == {"a": [1]}


def test_a_merged_cell_across_the_edge_of_repeated_rows_is_refused(tmp_path: Path) -> None:
    def merge(worksheet) -> None:
        worksheet.merge_cells("B2:B3")

    set_language("en")
    with pytest.raises(SpreadsheetTemplateFailed) as failure:
        render(tmp_path, {"A1": "{% for x in lines %}", "A2": "{{ x }}", "A3": "{% endfor %}"}, {"lines": [1]}, setup=merge)
    assert "!Lasku!B2:B3: a merged cell may not reach across the start or end of repeated rows" in failure.value.message


def test_a_file_that_is_no_spreadsheet_is_refused(tmp_path: Path) -> None:
    build_tree(tmp_path, {"templates/t.xlsx": "name,amount\n"})
    with pytest.raises(TemplateUnreadable) as failure:
        xlsxtemplate.load(tmp_path, "t.xlsx", "fi")
    assert failure.value.exit_code == ExitCode.PROBLEMS


def test_a_missing_template_and_a_link_out_of_the_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TemplateMissing):
        xlsxtemplate.load(tmp_path, "nothing.xlsx", "fi")
    outside = tmp_path / "elsewhere.xlsx"
    outside.write_bytes(template_bytes({"A1": "x"}))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.xlsx").symlink_to(outside)
    with pytest.raises(TemplateOutside):
        xlsxtemplate.load(tmp_path, "t.xlsx", "fi")


def test_the_same_workbook_gives_the_same_bytes_at_another_time(tmp_path: Path) -> None:
    build_tree(tmp_path, {"templates/t.xlsx": template_bytes({"A1": "{{ n }}", "B1": "{{ d }}"})})
    template = xlsxtemplate.load(tmp_path, "t.xlsx", "fi")
    context = {"n": Decimal("5000.00"), "d": date(2020, 3, 2)}
    first = workbook_bytes(template.render(context), datetime(2020, 3, 2))
    time.sleep(1.1)
    again = workbook_bytes(template.render(context), datetime(2020, 3, 2))
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    properties = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert (properties.creator, properties.lastModifiedBy) == ("kopa", None)
    assert properties.created == properties.modified == datetime(2020, 3, 2)
    other = workbook_bytes(template.render({**context, "n": Decimal("5000.01")}), datetime(2020, 3, 2))
    assert other != first


def test_a_template_with_an_xml_bomb_is_refused_unread(tmp_path: Path) -> None:
    """openpyxl reads templates through defusedxml: entity declarations are refused, not expanded."""
    source = io.BytesIO(template_bytes({"A1": "{{ x }}"}))
    bomb = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bomb, "w") as changed:
        for entry in original.infolist():
            data = original.read(entry)
            if entry.filename == "xl/worksheets/sheet1.xml":
                declarations = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
                    f'<!ENTITY lol{n} "{("&lol%s;" % (n - 1 if n > 1 else "")) * 10}">' for n in range(1, 10)) + "]>"
                data = declarations.encode() + data.split(b"?>", 1)[-1]  # openpyxl writes no XML declaration
                assert data.count(b"<!ENTITY") == 10
            changed.writestr(entry, data)
    build_tree(tmp_path, {"templates/t.xlsx": bomb.getvalue()})
    with pytest.raises(TemplateUnreadable):
        xlsxtemplate.load(tmp_path, "t.xlsx", "fi")
    with pytest.raises(ValueError) as failure:  # why: defusedxml refused the entities
        openpyxl.load_workbook(io.BytesIO(bomb.getvalue()))
    assert type(failure.value.__context__).__name__ == "EntitiesForbidden"
