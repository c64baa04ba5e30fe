"""From an executed report notebook to what is published: one HTML file and its tables.

The HTML is self-contained and has no code: no input cells, no prompts, no scripts, no
links to the internet. Charts are SVG images embedded as data, each with its text
alternative; the stylesheet is inline and prints on A4. The report's tables come out of
the notebook's outputs (see :mod:`equitylab.reports.display`) and are written as CSV files
and one Excel workbook.

Before anything is written, :func:`check_publishable` looks for what must never be
published: a count from 1 to 7 left in a table, or something shaped like an NHS number,
a full postcode or an email address. If it finds one, the report fails rather than leak.
"""
from __future__ import annotations

import html as _html
import json
import re
from pathlib import Path

from ..errors import EquityLabError
from ..provenance import SYNTHETIC_LABEL
from .display import PLACE_KEY, TABLE_MIME, TIMINGS_MIME

COUNT_COLUMNS = ("numerator", "denominator", "count", "counts", "observed", "events", "n", "persons",
                 "patients", "people", "referrals")
THRESHOLD = 7

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
:root { --ink: #1d1d1b; --muted: #4c6272; --line: #d8dde0; --nhs: #005eb8; --warn: #ffeb3b; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { font-family: Arial, "Helvetica Neue", Helvetica, sans-serif; color: var(--ink); line-height: 1.5;
       max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; background: #fff; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 1rem; color: var(--nhs); }
h2 { font-size: 1.5rem; margin: 2.2rem 0 .6rem; padding-top: .6rem; border-top: 3px solid var(--nhs); }
h3 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; }
p, li { max-width: 46rem; }
a { color: var(--nhs); }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption, .source, .note, .more { font-size: .85rem; color: var(--muted); }
.table-wrap { overflow-x: auto; margin: .6rem 0; }
.table-wrap:focus { outline: 3px solid #005eb8; outline-offset: 2px; }
table.data { border-collapse: collapse; font-size: .85rem; min-width: 50%; }
table.data caption { text-align: left; font-weight: bold; padding: .3rem 0; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left;
                               vertical-align: top; }
table.data thead th { border-bottom: 2px solid var(--ink); }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.long { min-width: 14rem; }
table.data td.na { text-align: center; color: var(--muted); }
table.data tbody tr:nth-child(even) { background: #f4f6f7; }
table.facts th { text-align: left; padding: .15rem 1rem .15rem 0; color: var(--muted); font-weight: normal; }
.synthetic, .synthetic-banner { background: var(--warn); padding: .15rem .4rem; font-weight: bold; }
.synthetic-banner { padding: .6rem .8rem; border-left: 6px solid var(--ink); font-weight: normal; }
.banner { border-left: 6px solid #d5281b; padding: .4rem .8rem; font-weight: bold; }
.summary { background: #eef7ff; padding: .4rem 1.2rem 1rem; border-left: 6px solid var(--nhs); }
.summary h2 { border-top: 0; margin-top: .6rem; }
.status-ok { color: #007f3b; font-weight: bold; }
.status-failed { color: #d5281b; font-weight: bold; }
footer { margin-top: 3rem; font-size: .85rem; color: var(--muted); border-top: 1px solid var(--line); }
@media print {
  html { font-size: 11pt; }
  body { max-width: none; padding: 0; }
  h2 { break-before: auto; break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  table.data { font-size: 8.5pt; }
  .table-wrap { overflow: visible; }
  tr, figure, .finding > p { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


class NotPublishable(EquityLabError):
    """A report's output held something that must not be published; nothing was written."""


def _markdown(text: str) -> str:
    import mistune

    return mistune.html(text)


def _output_html(output) -> str:
    data = output.get("data", {})
    if "text/html" in data:
        return _join(data["text/html"])
    alt = (output.get("metadata") or {}).get("alt") or "Chart; its numbers are in the report's tables."
    if "image/svg+xml" in data:
        import base64

        svg = _join(data["image/svg+xml"]).encode("utf-8")
        return (f"<figure><img src='data:image/svg+xml;base64,{base64.b64encode(svg).decode()}' "
                f"alt='{_html.escape(alt, quote=True)}'></figure>")
    if "image/png" in data:
        return (f"<figure><img src='data:image/png;base64,{_join(data['image/png']).strip()}' "
                f"alt='{_html.escape(alt, quote=True)}'></figure>")
    if "text/markdown" in data:
        return _markdown(_join(data["text/markdown"]))
    return ""  # plain text reprs, streams and warnings are not part of the published report


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_to_html(nb, *, title: str = "Equity report", footer: str = "") -> str:
    """The executed notebook as one self-contained HTML page with no code.

    Markdown cells are rendered; code cells contribute only their rich outputs (HTML, SVG,
    PNG, Markdown), never their source, prompts, plain-text reprs, streams or errors.
    Outputs marked as the header come first, then the summary, then everything else in order.
    """
    header, summary, body = [], [], []
    for cell in nb.cells:
        if "notebook-only" in (cell.metadata.get("tags") or []):
            continue  # words for someone running the notebook, not for the report's readers
        if cell.cell_type == "markdown":
            body.append(_markdown(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            piece = _output_html(output)
            if not piece:
                continue
            place = (output.get("metadata") or {}).get(PLACE_KEY)
            (header if place == "header" else summary if place == "summary" else body).append(piece)
    foot = f"<footer><p>{_html.escape(footer)}</p></footer>" if footer else ""
    return ("<!DOCTYPE html>\n<html lang='en-GB'>\n<head>\n<meta charset='utf-8'>\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
            f"<title>{_html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(header + summary + body) + f"\n</main>\n{foot}\n</body>\n</html>\n")


def _table_payloads(nb):
    """Each table output's payload (:data:`~equitylab.reports.display.TABLE_MIME`), in order."""
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            payload = output.get("data", {}).get(TABLE_MIME)
            if payload:
                yield json.loads(payload) if isinstance(payload, str) else payload


def extract_tables(nb) -> list[dict]:
    """The report's tables, in order: dicts with name, title, source, synthetic and frame."""
    return [table_from_payload(payload) for payload in _table_payloads(nb)]


def table_names(nb) -> list[str]:
    """The names of the report's tables, in order (without reading them)."""
    return [payload["name"] for payload in _table_payloads(nb)]


def extract_timings(nb) -> dict:
    """Kernel-side timings (chart export seconds) and per-cell durations from papermill metadata."""
    out = {"chart_seconds": 0.0, "charts": 0, "charts_here": 0, "charts_ahead": 0, "setup_seconds": 0.0,
           "cells_seconds": 0.0,
           "chart_wait_seconds": 0.0}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        duration = float((cell.metadata.get("papermill") or {}).get("duration") or 0.0)
        out["cells_seconds"] += duration
        if cell.source.lstrip().startswith("# setup:"):
            out["setup_seconds"] += duration
        for output in cell.get("outputs", []):
            t = output.get("data", {}).get(TIMINGS_MIME)
            if t:
                t = json.loads(t) if isinstance(t, str) else t
                out["chart_seconds"] = float(t.get("chart_seconds", 0.0))
                out["charts"] = int(t.get("charts", 0))
                out["charts_here"] = int(t.get("charts_here", 0))
                out["charts_ahead"] = int(t.get("charts_ahead", 0))
                out["chart_wait_seconds"] = float(t.get("chart_wait_seconds", 0.0))
    return out


def _count_columns(frame) -> list[str]:
    return [c for c in frame.columns if str(c).strip().lower() in COUNT_COLUMNS]


def check_publishable(page: str, tables: list[dict]) -> None:
    """Raise :class:`NotPublishable` if the page or a table could disclose something.

    Checks: every count column (numerator, denominator, count, observed, n, ...) holds no
    value from 1 to 7; no table has a column whose header names an identifier; the page
    and the tables hold nothing shaped like a valid NHS number, a full postcode or an
    email address. The message names the table and column, never the value.
    """
    check_tables(tables)
    check_page(page)


def check_tables(tables: list[dict]) -> None:
    """The table part of :func:`check_publishable`."""
    import pandas as pd

    from ..loaders.identifiers import header_kind
    from .scrub import contains_identifier

    for t in tables:
        frame = t["frame"]
        for c in _count_columns(frame):
            v = pd.to_numeric(frame[c], errors="coerce")
            if ((v >= 1) & (v <= THRESHOLD)).any():
                raise NotPublishable(f"Table '{t['title']}' shows counts from 1 to {THRESHOLD} in column '{c}'; "
                                     "the report was not written. The analysis behind it must suppress small "
                                     "numbers when audience='publish'.")
        # headers by name; values by the text scan below (identifying_columns' per-column content
        # checks cost seconds on a report's worth of small tables)
        hits = [(col, header_kind(col)) for col in frame.columns if header_kind(col)]
        if hits:
            col, kind = hits[0]
            raise NotPublishable(f"Table '{t['title']}' has a column '{col}' that looks like a {kind}; "
                                 "the report was not written.")
        kind = contains_identifier(_csv_text(t))
        if kind:
            raise NotPublishable(f"Table '{t['title']}' holds something that looks like a {kind}; "
                                 "the report was not written.")


def check_page(page: str) -> None:
    """The page part of :func:`check_publishable`: identifiers in the text, and anything online."""
    from .scrub import contains_identifier

    text = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", page)
    kind = contains_identifier(re.sub(r"<[^>]+>", " ", text))
    if kind:
        raise NotPublishable(f"The report's text holds something that looks like a {kind}; "
                             "the report was not written.")
    offline = re.findall(r"<(?:script|link|iframe|object|embed)\b|(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//",
                         text, re.IGNORECASE)
    if offline:
        raise NotPublishable("The report's HTML refers to a script or a web address; it must open offline.")


def _published_frame(t: dict):
    """The table as it is written: with a ``data`` column saying SYNTHETIC when it is."""
    frame = t["frame"]
    if t["synthetic"]:
        frame = frame.copy()
        frame.insert(0, "data", SYNTHETIC_LABEL)
    return frame


def _csv_text(t: dict) -> str:
    """The table's CSV file, made once for its frame (checked, then written)."""
    made = t.get("_csv")
    if made is None or made[0] is not t["frame"] or made[1] != t["synthetic"]:
        made = (t["frame"], t["synthetic"], _published_frame(t).to_csv(index=False))
        t["_csv"] = made
    return made[2]


def table_from_payload(payload) -> dict:
    """One table output (:data:`~equitylab.reports.display.TABLE_MIME`) as name, title, source,
    synthetic and frame."""
    import pandas as pd

    if isinstance(payload, str):
        payload = json.loads(payload)
    t = payload["table"]
    return {"name": payload["name"], "title": payload["title"], "source": payload.get("source", ""),
            "synthetic": bool(payload.get("synthetic")), "frame": pd.DataFrame(t["data"], columns=t["columns"])}


class TableCollector:
    """Takes a report's tables as their outputs arrive and, on a thread, checks them and
    prepares their CSV text and Excel sheets while the kernel is still working, so that little
    is left to do once the notebook ends. Nothing is written here: :func:`write_tables` writes
    the files after the whole report has passed :func:`check_publishable`.
    """

    def __init__(self, stem: str):
        import queue
        import threading

        self.stem = stem
        self.tables: list[dict] = []
        self.error: Exception | None = None
        self._seen: set = set()
        self._queue: queue.Queue = queue.Queue()
        self._book = None
        self._thread = threading.Thread(target=self._work, name="equitylab-tables", daemon=True)
        self._thread.start()

    def add(self, payload) -> None:
        if isinstance(payload, str):
            payload = json.loads(payload)
        if payload["name"] in self._seen:  # a display updated later carries its table again
            return
        self._seen.add(payload["name"])
        self._queue.put(payload)

    def _work(self) -> None:
        while (payload := self._queue.get()) is not None:
            if self.error is not None:
                continue
            try:
                t = table_from_payload(payload)
                check_tables([t])
                if self._book is None:
                    self._book = _Book(self.stem)
                self._book.add(t)
                self.tables.append(t)
            except Exception as exc:  # noqa: BLE001 - raised by finish()
                self.error = exc

    def finish(self) -> list[dict]:
        """Every table, checked and prepared (raises what checking a table raised)."""
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise self.error
        for t in self.tables:
            t["book"] = self._book
        return self.tables


class _Book:
    """The report's Excel workbook, built in memory a table at a time (XlsxWriter, a writer only:
    a third of openpyxl's time, import included), with text kept as text: nothing in a cell
    becomes a formula or a link. The "About" sheet comes first and lists every table."""

    def __init__(self, stem: str):
        import io

        import xlsxwriter

        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_formulas": False,
                                                    "strings_to_urls": False, "nan_inf_to_errors": True})
        self.bold = self.wb.add_format({"bold": True})
        self.about = self.wb.add_worksheet("About")
        self.about.write(0, 0, "Tables of the equity report " + stem,
                         self.wb.add_format({"bold": True, "font_size": 13}))
        self.about.write(1, 0, "Counts from 1 to 7, and numbers they could be worked out from, are hidden (blank).")
        self.about.write_row(3, 0, ["sheet", "table", "source", "synthetic"], self.bold)
        self.used = {"about"}
        self.names: list[str] = []

    def add(self, t: dict) -> None:
        frame = _published_frame(t)
        sheet = re.sub(r"[\[\]:*?/\\]", "_", t["name"])[:31]
        n = 2
        while sheet.lower() in self.used:
            sheet = f"{sheet[:28]}_{n}"
            n += 1
        self.used.add(sheet.lower())
        ws = self.wb.add_worksheet(sheet)
        ws.write_row(0, 0, [str(c) for c in frame.columns], self.bold)
        columns = [frame.iloc[:, j].tolist() for j in range(frame.shape[1])]
        for r, row in enumerate(zip(*columns), start=1):
            for c, v in enumerate(row):
                v = _excel_value(v)
                if v is not None:
                    ws.write(r, c, v)
        ws.freeze_panes(1, 0)
        self.about.write_row(4 + len(self.names), 0, [sheet, t["title"], t["source"], "yes" if t["synthetic"] else "no"])
        self.names.append(t["name"])

    def close(self) -> bytes:
        self.wb.close()
        return self.buffer.getvalue()


def write_tables(tables: list[dict], folder: Path, stem: str) -> tuple[list[Path], Path | None]:
    """Write each table as CSV (``STEM_tables/NN_name.csv``) and all of them to ``STEM.xlsx``.

    Tables from synthetic data get a ``data`` column saying so, in both formats. The Excel
    workbook opens with an "About" sheet listing every table with its source. Tables from a
    :class:`TableCollector` arrive with their CSV text and workbook already made.
    """
    if not tables:
        return [], None
    folder = Path(folder)
    csv_dir = folder / f"{stem}_tables"
    csv_dir.mkdir(parents=True, exist_ok=True)
    written = []
    book = tables[0].get("book")
    if book is None or book.names != [t["name"] for t in tables]:
        book = _Book(stem)
        for t in tables:
            book.add(t)
    for t in tables:
        path = csv_dir / f"{t['name']}.csv"
        path.write_text(_csv_text(t), encoding="utf-8", newline="")
        written.append(path)
    xlsx = folder / f"{stem}.xlsx"
    xlsx.write_bytes(book.close())
    return written, xlsx


def _excel_value(v):
    import math

    if v is None:
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, (bool, int, float, str)):
        return v
    try:
        import pandas as pd

        if pd.isna(v):  # pandas' NA and NaT
            return None
    except (TypeError, ValueError):
        pass
    return str(v)
