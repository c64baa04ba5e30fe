"""A report's tables: read from the executed notebook, checked, written as CSV and Excel.

Each table travels in the notebook's outputs under :data:`~equitylab.reports.display.TABLE_MIME`.
Before anything is written, :func:`check_publishable` looks for what must never be published:
a count from 1 to 7 left in a table, or something shaped like an NHS number, a full postcode
or an email address. If it finds one, the report fails rather than leak.
"""
from __future__ import annotations

import json
import math
import numbers
import re
from pathlib import Path

import pandas as pd
import xlsxwriter

from ..loaders.identifiers import header_kind
from ..provenance import SYNTHETIC_LABEL
from ..safe import spreadsheet_frame
from .display import TABLE_MIME
from .html import NotPublishable, check_page
from .scrub import contains_identifier

COUNT_COLUMNS = ("numerator", "denominator", "count", "counts", "observed", "events", "n", "persons",
                 "patients", "people", "referrals")
THRESHOLD = 7


def extract_tables(nb) -> list[dict]:
    """The report's tables, in order: dicts with name, title, source, synthetic and frame."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            payload = output.get("data", {}).get(TABLE_MIME)
            if not payload:
                continue
            payload = json.loads(payload) if isinstance(payload, str) else payload
            t = payload["table"]
            found.append({"name": payload["name"], "title": payload["title"], "source": payload.get("source", ""),
                          "synthetic": bool(payload.get("synthetic")),
                          "frame": pd.DataFrame(t["data"], columns=t["columns"])})
    return found


def check_publishable(page: str, tables: list[dict]) -> None:
    """Raise :class:`NotPublishable` if the page or a table could disclose something.

    Checks: every count column (numerator, denominator, count, observed, n, ...) holds no
    value from 1 to 7; no table has a column whose header names an identifier; the page
    and the tables hold nothing shaped like a valid NHS number, a full postcode or an
    email address. The message names the table and column, never the value.
    """
    for t in tables:
        frame = t["frame"]
        for c in [c for c in frame.columns if str(c).strip().lower() in COUNT_COLUMNS]:
            v = pd.to_numeric(frame[c], errors="coerce")
            if ((v >= 1) & (v <= THRESHOLD)).any():
                raise NotPublishable(f"Table '{t['title']}' shows counts from 1 to {THRESHOLD} in column '{c}'; "
                                     "the report was not written. The analysis behind it must suppress small "
                                     "numbers when audience='publish'.")
        hits = [(col, header_kind(col)) for col in frame.columns if header_kind(col)]
        if hits:
            col, kind = hits[0]
            raise NotPublishable(f"Table '{t['title']}' has a column '{col}' that looks like a {kind}; "
                                 "the report was not written.")
        kind = contains_identifier(_csv_text(t))
        if kind:
            raise NotPublishable(f"Table '{t['title']}' holds something that looks like a {kind}; "
                                 "the report was not written.")
    check_page(page)


def _published_frame(t: dict) -> pd.DataFrame:
    """The table as it is written: numbers at the precision a reader needs (ratios to 2 decimal places,
    every other fraction of a number, percentages and rates included, to 1), and a ``data`` column saying
    SYNTHETIC when it is. Full precision would let a reader work a hidden count back from a published
    total (52.7333333333% of referrals pins 1,582 of 3,000)."""
    frame = t["frame"].copy()
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col]):
            frame[col] = frame[col].round(2 if "ratio" in str(col).lower() else 1)
    if t["synthetic"]:
        frame.insert(0, "data", SYNTHETIC_LABEL)
    return frame


def _csv_text(t: dict) -> str:
    return spreadsheet_frame(_published_frame(t)).to_csv(index=False)  # text that could run stays text


def write_tables(tables: list[dict], folder: Path, stem: str) -> tuple[list[Path], Path | None]:
    """Write each table as CSV (``STEM_tables/NN_name.csv``) and all of them to ``STEM.xlsx``.

    Tables from synthetic data get a ``data`` column saying so, in both formats. The Excel
    workbook opens with an "About" sheet listing every table with its source.
    """
    if not tables:
        return [], None
    folder = Path(folder)
    csv_dir = folder / f"{stem}_tables"
    csv_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for t in tables:
        path = csv_dir / f"{t['name']}.csv"
        path.write_text(_csv_text(t), encoding="utf-8", newline="")
        written.append(path)
    xlsx = folder / f"{stem}.xlsx"
    _write_workbook(tables, xlsx, stem)
    return written, xlsx


def _write_workbook(tables: list[dict], path: Path, stem: str) -> None:
    """The tables in one Excel workbook, text kept as text: nothing in a cell becomes a formula or a
    link. XlsxWriter (a well-kept writer, BSD) has both switches; the "About" sheet lists every table."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "nan_inf_to_errors": True})
    bold = wb.add_format({"bold": True})
    about = wb.add_worksheet("About")
    about.write(0, 0, "Tables of the equity report " + stem, wb.add_format({"bold": True, "font_size": 13}))
    about.write(1, 0, "Counts from 1 to 7, and numbers they could be worked out from, are hidden (blank).")
    about.write_row(3, 0, ["sheet", "table", "source", "synthetic"], bold)
    used = {"about"}
    for i, t in enumerate(tables):
        frame = _published_frame(t)
        sheet = re.sub(r"[\[\]:*?/\\]", "_", t["name"])[:31]
        n = 2
        while sheet.lower() in used:
            sheet = f"{sheet[:28]}_{n}"
            n += 1
        used.add(sheet.lower())
        ws = wb.add_worksheet(sheet)
        ws.write_row(0, 0, [str(c) for c in frame.columns], bold)
        for r, row in enumerate(frame.itertuples(index=False), start=1):
            for c, v in enumerate(row):
                v = _excel_value(v)
                if v is not None:
                    ws.write(r, c, v)
        ws.freeze_panes(1, 0)
        about.write_row(4 + i, 0, [sheet, t["title"], t["source"], "yes" if t["synthetic"] else "no"])
    wb.close()


def _excel_value(v):
    """A cell's value for Excel: blank for missing (a hidden count), text for anything not a plain number."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if isinstance(v, (bool, str)):
        return v
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, numbers.Real):
        return float(v)
    try:
        if pd.isna(v):  # pandas' NA and NaT
            return None
    except (TypeError, ValueError):
        pass
    return str(v)
