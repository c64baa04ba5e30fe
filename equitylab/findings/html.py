"""Findings as HTML for a report: an accessible table, and a chart as an image with its text alternative."""
from __future__ import annotations

import base64
import html
import math
import numbers

import pandas as pd

HTML_ROWS = 15  # longer tables are cut in the HTML; the CSV and Excel files have every row


def escape(text) -> str:
    return html.escape(str(text), quote=True)


def figure(svg: str, alt_text: str, caption: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt_text = alt_text or "Chart; its numbers are in the table below."
    caption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure><img src='data:image/svg+xml;base64,{data}' alt='{escape(alt_text)}'>{caption}</figure>"


def _int(v: int) -> str:
    return f"{v:,}" if abs(v) >= 10_000 else str(v)  # years and codes stay as they are


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _decimals(name, values) -> int:
    """One precision per column, as the report's CSV files round them: ratios to 2 decimal places, other
    fractional numbers to 1 (a column of numbers all below 1, such as a variance, to 3)."""
    reals = [float(v) for v in values if isinstance(v, numbers.Real) and not isinstance(v, bool) and not _missing(v)]
    finite = [v for v in reals if math.isfinite(v)]
    if all(v.is_integer() for v in finite):
        return 0
    if "ratio" in str(name).lower():
        return 2
    return 3 if max(abs(v) for v in finite) < 1 else 1


def _cell(value, digits: int = 1) -> str:
    if hasattr(value, "__html__"):  # a Making Data Count icon with its words (charts.icons.Icon)
        return f"<td class='icon'>{value.__html__()}</td>"
    if _missing(value):
        return "<td class='na'>&ndash;</td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, numbers.Integral):
        return f"<td class='num'>{_int(int(value))}</td>"
    if isinstance(value, numbers.Real):
        v = float(value)
        if not digits and math.isfinite(v):
            return f"<td class='num'>{_int(int(v))}</td>"
        return f"<td class='num'>{v:,.{digits}f}</td>" if abs(v) >= 10_000 else f"<td class='num'>{v:.{digits}f}</td>"
    if hasattr(value, "strftime"):
        return f"<td>{value:%Y-%m-%d}</td>"
    return f"<td>{escape(value)}</td>"


def table_html(table, caption: str = "") -> str:
    """An accessible HTML table (header scopes, a caption); at most :data:`HTML_ROWS` rows.

    Text columns with one value in every row (a method, a confidence level) are said once
    under the table instead of in every row, and empty note columns are left out; the CSV
    and Excel files keep every column.
    """
    # plain Python lists throughout: the tables are small, and pandas' per-row and arrow string
    # methods cost milliseconds a call (itertuples alone was most of a report's table time)
    names = list(table.columns)
    columns = [table.iloc[:, i].tolist() for i in range(len(names))]
    n_rows = len(table)
    keep = list(range(len(names)))
    said_once = []
    if n_rows > 1:
        for i, c in enumerate(names):
            dtype = table.dtypes.iloc[i]
            if not (dtype == object or isinstance(dtype, pd.StringDtype)):
                continue
            if any(hasattr(v, "__html__") for v in columns[i]):
                continue  # icons with their words stay in every row, even when all say the same
            present = [v for v in columns[i] if not _missing(v)]
            values = [str(v).strip() for v in present]
            if all(v == "" for v in values):
                keep.remove(i)
            elif len(set(values)) == 1 and len(present) == n_rows and len(values[0]) > 12:
                said_once.append((c, values[0]))
                keep.remove(i)
    head = "".join(f"<th scope='col'>{escape(str(names[i]).replace('_', ' '))}</th>" for i in keep)
    shown = [columns[i] for i in keep]
    body = []
    digits = [_decimals(names[i], columns[i]) for i in keep]
    for row in zip(*(col[:HTML_ROWS] for col in shown)):
        body.append("<tr>" + "".join(_cell(v, d) for v, d in zip(row, digits)) + "</tr>")
    more = ""
    if n_rows > HTML_ROWS:
        more = (f"<p class='more'>First {HTML_ROWS} of {n_rows:,} rows; every row is in the report's CSV and "
                "Excel files.</p>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    notes = "".join(f"<p class='note'>{escape(str(c).replace('_', ' ').capitalize())}: {escape(v)}</p>" for c, v in said_once)
    if any(_missing(v) for col in shown for v in col):
        notes += "<p class='note'>&ndash; not shown: hidden because the number is small, or no data.</p>"
    # a box that scrolls sideways must take keyboard focus, with a name (WCAG 2.1.1, 4.1.2)
    label = escape(caption or "table")
    return (f"<div class='table-wrap' tabindex='0' role='region' aria-label='{label}'>"
            f"<table class='data'>{cap}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{more}{notes}")
