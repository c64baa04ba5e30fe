"""Reading an Excel ``.xlsx`` extract with bounded work.

A workbook is a zip of XML files. Before any cell is read, the uncompressed size of each
part and the sheet's declared used range are checked, so a small file that unpacks to
gigabytes, or a sheet whose used range runs to cell XFD1048576, is refused with a request
for CSV instead of filling memory. Cells are then read by openpyxl in read-only mode, one
row at a time and sparsely (empty cells cost nothing), and at most :data:`MAX_CELLS`.

The sheet read is the one named with ``sheet=``, or else the first visible sheet with a
header row and data: a hidden sheet is never picked on its own. A formula saved without
its value (by a program that does not calculate) is reported as a problem, not read as a
blank.

Why openpyxl, and why 1 M cells. openpyxl parses in Python: about 42,000 cells a second here
(1 M cells in 23.6 s, ``benchmarks/bench_loaders_hostile.py``), so the cap keeps a read inside
60 s; 5 M cells would take about two minutes. python-calamine (0.9.1, Rust; checked in
December 2026) reads the same 1 M cells in 2.8 s, but does not do the two things this module
exists for: it returns a formula saved without its value as ``''``, exactly like an empty
cell (there is no formula API in the Python binding), and it builds each sheet as one dense
rectangle, so ``tests/malformed/stray_cell_not_declared.xlsx`` (a stray cell far from the
table, no declared used range) made it ask for 512 GB and abort the whole process (a Rust
allocation failure, not an exception Python can catch). Until a reader streams cells and
keeps formulas, openpyxl stays and CSV is asked for above the cap.

openpyxl's read-only sheets parse with ``openpyxl.worksheet._reader.WorkSheetParser``, a
private class; it is subclassed here because no public API tells a formula without a saved
value from an empty cell (``data_only=True`` gives both as None; ``data_only=False`` gives the
formula but not its value). pyproject.toml pins openpyxl to 3.1.x, and
``tests/test_loaders_service_excel.py`` pins the behaviour relied on.
"""
from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass
from numbers import Number
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

# openpyxl's own sheet parser: private, but the one its read-only sheets use (stable since
# openpyxl 2.6, pinned to 3.1.x in pyproject.toml); subclassed only to notice formulas that
# have no saved value (see the module docstring)
from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

from .headers import check_header_rows, key, known_field, title_lines_ok
from .problems import Problems

# Filled cells read from one sheet; above it, CSV is asked for. openpyxl parses in Python at
# 20-70 thousand cells a second on a 2-core machine (benchmarks/bench_loaders_hostile.py), so
# 1 M cells keeps a read within 60 s; CSV has no such limit (module docstring: why not 5 M).
MAX_CELLS = 1_000_000
MAX_PART_BYTES = 600 * 2**20   # uncompressed size of any one part of the workbook
MAX_TOTAL_BYTES = 1536 * 2**20  # and of all its parts together
HEADER_SEARCH = 20             # rows searched for the header (titles may sit above it)
_ASK_CSV = ("Save the sheet as 'CSV UTF-8 (Comma delimited)' in Excel and read that file: CSV "
            "has no such limit")


class _Parser(WorkSheetParser):
    """openpyxl's sheet parser, marking cells that hold a formula but no saved value."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        if cell["value"] is None and element.find(FORMULA_TAG) is not None:
            cell["data_type"] = "uncached"
        return cell


@dataclass
class Sheet:
    frame: pd.DataFrame            # one column per header, values as Excel holds them
    headers: list[str]
    name: str
    rownums: np.ndarray            # the sheet's own row number of each data row
    uncached: dict[str, np.ndarray]  # header -> data-row positions of formulas with no value


def read_sheet(path: Path, problems: Problems, sheet=None, known=frozenset()) -> Sheet:
    """The extract's sheet as raw columns, its header row found as in a CSV file."""
    _check_parts(path, problems)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        problems.stop("The Excel file could not be opened: it may be damaged or password "
                      "protected", hint="Open it in Excel and save the data sheet as "
                                        "'CSV UTF-8 (Comma delimited)'")
    try:
        candidates = _candidates(book, sheet, problems)
        if len(candidates) > 1:  # the sheet whose header names most known columns goes first
            scores = [_header_score(book, ws, known) for ws in candidates]
            candidates = [ws for _, _, ws in sorted(zip(scores, range(len(scores)), candidates),
                                                    key=lambda t: (-t[0], t[1]))]
        for ws in candidates:
            _check_used_range(ws, problems)
            rows, uncached = _cells(book, ws, problems)
            found = _table(rows, uncached, known, problems)
            if found is not None:
                frame, headers, rownums, flagged = found
                return Sheet(frame, headers, ws.title, rownums, flagged)
        hidden = [ws.title for ws in book.worksheets if ws.sheet_state != "visible"]
        names = ", ".join(f"'{ws.title}'" for ws in book.worksheets)
        problems.stop(f"The Excel file has no visible sheet with a header row and data (sheets: "
                      f"{names})", hint=(f"The hidden sheet '{hidden[0]}' may hold the data: "
                                         f"unhide it or pass sheet='{hidden[0]}'") if hidden and
                      sheet is None else "Put the extract on a sheet with column headers in "
                                         "the first row")
    finally:
        book.close()


def _check_parts(path: Path, problems: Problems) -> None:
    """Refuse a workbook whose parts would unpack to more than memory should hold."""
    try:
        with zipfile.ZipFile(path) as z:
            sizes = [(i.filename, i.file_size) for i in z.infolist()]
    except (zipfile.BadZipFile, OSError):
        problems.stop("The Excel file could not be opened: it is damaged (not a complete "
                      ".xlsx file)", hint="Export or save it again from Excel")
    biggest = max((s for _, s in sizes), default=0)
    if biggest > MAX_PART_BYTES or sum(s for _, s in sizes) > MAX_TOTAL_BYTES:
        problems.stop(f"The Excel file unpacks to {sum(s for _, s in sizes) / 2**20:,.0f} MB, "
                      "more than equitylab reads from Excel", hint=_ASK_CSV)


def _candidates(book, sheet, problems: Problems):
    """The sheet asked for, or the visible sheets in order."""
    if sheet is None:
        return [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(book.worksheets):
            return [book.worksheets[sheet]]
    elif str(sheet) in book.sheetnames:
        return [book[str(sheet)]]
    names = ", ".join(f"'{n}'" for n in book.sheetnames)
    problems.stop(f"The Excel file has no sheet {sheet!r}", hint=f"Its sheets are {names}")


def _check_used_range(ws, problems: Problems) -> None:
    """The sheet's declared used range (its ``dimension``), checked before reading."""
    if not (ws.max_row and ws.max_column):
        return  # not declared: the cell count while reading still bounds the work
    rows = ws.max_row - (ws.min_row or 1) + 1
    cols = ws.max_column - (ws.min_column or 1) + 1
    if rows * cols > MAX_CELLS:
        corner = f"{get_column_letter(ws.max_column)}{ws.max_row}"
        problems.stop(f"The sheet '{ws.title}' says its cells run to {corner} ({rows:,} rows by "
                      f"{cols:,} columns), more than the {MAX_CELLS:,} cells equitylab reads "
                      "from Excel", hint=f"Delete any stray cells far below or right of the "
                                         f"table and save again, or: {_ASK_CSV}")


def _header_score(book, ws, known) -> int:
    """How many known column names the sheet's first rows hold (read no further)."""
    rows = _cells(book, ws, None, limit_rows=HEADER_SEARCH)[0]
    return max((sum(known_field(v) is not None or key(v) in known for v in r.values()
                    if v is not None) for _, r in rows), default=0)


def _cells(book, ws, problems: Problems | None, limit_rows: int | None = None):
    """Filled cells by row: ``[(row number, {column: value})]`` and the cells holding a
    formula with no saved value, ``[(row number, column)]``; the first ``limit_rows`` filled
    rows only, if given."""
    rows, uncached, n = [], [], 0
    with book._archive.open(ws._worksheet_path) as src:  # the read-only sheet's own part
        parser = _Parser(src, ws._shared_strings, data_only=True, epoch=book.epoch,
                         date_formats=book._date_formats,
                         timedelta_formats=book._timedelta_formats)
        for idx, cells in parser.parse():
            if limit_rows is not None and len(rows) >= limit_rows:
                break
            filled = {}
            for c in cells:
                if c["data_type"] == "uncached":
                    uncached.append((idx, c["column"]))
                    filled[c["column"]] = None
                elif c["value"] is not None and not (isinstance(c["value"], str)
                                                     and not c["value"].strip()):
                    filled[c["column"]] = c["value"]
            if filled:
                n += len(filled)
                if n > MAX_CELLS and problems is not None:
                    problems.stop(f"The sheet '{ws.title}' has more than {MAX_CELLS:,} filled "
                                  "cells, more than equitylab reads from Excel", hint=_ASK_CSV)
                rows.append((idx, filled))
    return rows, uncached


def _table(rows, uncached, known, problems: Problems):
    """(frame, headers, row numbers, uncached positions), or None for a sheet with no header
    row and data."""
    if len(rows) < 2:
        return None
    cells = [[v for v in r.values() if v is not None] for _, r in rows[:HEADER_SEARCH]]
    best, best_score = None, -1
    for pos in range(min(HEADER_SEARCH, len(rows) - 1)):
        score = sum(known_field(c) is not None or key(c) in known for c in cells[pos])
        if len(cells[pos]) >= 2 and score > best_score:
            best, best_score = pos, score
    if best is None:
        return None
    if best and not title_lines_ok([len(c) for c in cells[:best]], len(cells[best])):
        best = 0
    header_row = rows[best][1]
    data = rows[best + 1:]
    columns = sorted(set(header_row) | {c for _, r in data for c in r})
    headers = [_text(header_row.get(c)) for c in columns]
    second = [_text(data[0][1].get(c)) if data else "" for c in columns]
    if data:
        check_header_rows(headers, second, problems, [rows[best][0], data[0][0]])
    for c, h in zip(columns, headers):
        if not h:
            problems.stop(f"Column {get_column_letter(c)} has values but no header",
                          rows=[rows[best][0]], hint="Give it a name in the header row, or "
                          "delete it (it may be a stray cell far from the table)")
    out = {}
    for c, h in zip(columns, headers):
        out[h if h not in out else f"{h} ({get_column_letter(c)})"] = \
            _column([r.get(c) for _, r in data])
    rownums = np.array([i for i, _ in data], dtype=np.int64)
    position = {i: p for p, (i, _) in enumerate(data)}
    flagged: dict[str, list[int]] = {}
    for i, c in uncached:
        if i in position and c in columns:
            flagged.setdefault(headers[columns.index(c)], []).append(position[i])
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(data)))
    frame.columns = headers  # repeated headers stay repeated, for map_headers to name
    return frame, headers, rownums, {h: np.array(p) for h, p in flagged.items()}


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _column(values: list) -> pd.Series:
    """One column: numbers as numbers, dates as dates, anything else as text categories."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, Number) and not isinstance(v, bool) for v in present):
        return pd.Series(values, dtype=float)
    if present and all(isinstance(v, dt.datetime | dt.date) for v in present):
        try:
            return pd.Series(pd.to_datetime(pd.Series(values, dtype=object)))
        except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
            pass  # a year pandas cannot hold: left as text, and the date check says so
    text = [None if v is None else v.strftime("%Y-%m-%d %H:%M:%S")
            if isinstance(v, dt.datetime) else str(v) for v in values]
    return pd.Series(text, dtype="category")
