"""Excel reading through openpyxl's own sheet parser (issue 15, item 6).

``equitylab.loaders.service.excel`` subclasses openpyxl's private ``WorkSheetParser`` (the parser
its read-only worksheets use) to tell a formula saved without its value from an empty cell, which
no public openpyxl API does. pyproject.toml pins openpyxl to 3.1.x for that reason; these tests
pin the behaviour the loader relies on, on sheets written cell by cell as Excel and other
programs write them, so a change in openpyxl shows here first.
"""
from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from equitylab import DataError
from equitylab.loaders.service import read_service_data
from equitylab.loaders.service.excel import _cells
from equitylab.loaders.service.problems import Problems
from extract_files import read_quietly as _read

# Row 2: a formula with its saved value; row 3: a formula a program saved without one (no <v>);
# row 4: inline text, text typed 'str' and a styled empty cell; row 5: a number given as a date
# by its style.
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<dimension ref="A1:C5"/>
<sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>referral date</t></is></c><c r="B1" t="inlineStr"><is><t>ethnicity</t></is></c><c r="C1" t="inlineStr"><is><t>age</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>2024-01-02</t></is></c><c r="B2" t="inlineStr"><is><t>A</t></is></c><c r="C2"><f>20+10</f><v>30</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>2024-01-03</t></is></c><c r="B3" t="inlineStr"><is><t>N</t></is></c><c r="C3"><f>20+20</f></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><t>2024-01-04</t></is></c><c r="B4" t="str"><v>B</v></c><c r="C4" s="0"/></row>
<row r="5"><c r="A5" s="1"><v>45296</v></c><c r="B5" t="inlineStr"><is><t>C</t></is></c><c r="C5"><v>51</v></c></row>
</sheetData>
</worksheet>"""


def _book(tmp_path):
    """A workbook made by openpyxl (for its styles: style 1 is a date), its sheet replaced by ours."""
    src = tmp_path / "made.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.title = "Extract"
    ws["A1"] = "x"
    ws["A2"].number_format = "yyyy-mm-dd"  # style 1: a date format
    ws["A2"] = 1
    wb.save(src)
    out = tmp_path / "extract.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = SHEET.encode()
            zout.writestr(info, data)
    return out


def test_the_parser_tells_a_formula_without_a_value_from_an_empty_cell(tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(_book(tmp_path), read_only=True, data_only=True)
    try:
        rows, uncached = _cells(book, book["Extract"], Problems("extract.xlsx"))
    finally:
        book.close()
    by_row = dict(rows)
    assert by_row[2] == {1: "2024-01-02", 2: "A", 3: 30}          # the saved value of a formula
    assert by_row[3] == {1: "2024-01-03", 2: "N", 3: None}        # no value: marked, not blank
    assert by_row[4] == {1: "2024-01-04", 2: "B"}                 # a styled empty cell is no cell
    assert uncached == [(3, 3)]
    assert by_row[5][1].date().isoformat() == "2024-01-05" and by_row[5][3] == 51


def test_a_formula_without_a_value_is_a_problem_through_read_service_data(tmp_path):
    with pytest.raises(DataError) as info:
        read_service_data(_book(tmp_path))
    err = info.value
    assert err.column == "age" and err.rows == [3]
    assert "a formula with no saved value" in str(err)
    df = _read(_book(tmp_path), bad_rows="exclude")
    assert df["age"].tolist()[:1] == [30] and len(df) == 3

