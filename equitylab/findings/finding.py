"""A finding: one piece of an equity profile, with words, a chart and a table, for its audience.

Plain-English sentences are generated from the numbers (they describe, they never claim a cause).
A finding renders itself for a notebook (:meth:`Finding.display`) and for a report
(:meth:`Finding.html`). ``audience="team"`` shows small numbers under a do-not-share banner;
``audience="publish"`` hides counts of 1 to 7 and what could reveal them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape as _escape
from typing import Any

import pandas as pd
from IPython.display import HTML, Markdown, display

from .. import provenance
from ..charts import render
from ..errors import DataError
from ..measures import suppress
from .html import escape, figure, table_html

SMALL_NUMBERS_BANNER = "Small numbers: for the team only, do not share."
SUPPRESSION_THRESHOLD = 7
ENGLAND = "E92000001"
# categories that record that a group is unknown: data quality, never an equity group to compare
MISSING_LABELS = frozenset({"Not stated", "Not known", "not stated", "not known", "Unknown", "Not recorded"})


@dataclass
class Finding:
    """One piece of an equity profile.

    Attributes
    ----------
    title : str
    text : str
        Plain-English sentences generated from the numbers (non-causal).
    table : DataFrame or None
        Aggregated numbers (never patient rows); suppressed when ``audience="publish"``.
    chart : altair chart, a list of them, or None
    alt_text : str
        What the chart shows, in words, for people who cannot see it.
    source : str
        Provenance caption: source, date, licence; says SYNTHETIC when the data is.
    synthetic : bool
    banner : str or None
        The small-numbers banner for team-only output.
    extra : dict
        Results behind the finding (``"sii"``, ``"result"``) and drawings made as SVG (``"svg"``).
    export : DataFrame or None
        The full table, for a report's CSV and Excel files, when ``table`` is a shorter one to read.
    table_first : bool
        Show the table before the charts (a summary to read before small multiples, Making Data Count
        style), and in a notebook show it even though there is a chart.
    """

    title: str
    text: str
    table: pd.DataFrame | None = None
    chart: Any = None
    alt_text: str = ""
    source: str = ""
    synthetic: bool = False
    banner: str | None = None
    extra: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    export: pd.DataFrame | None = None
    table_first: bool = False

    @property
    def charts(self) -> list:
        """The finding's charts as a list (one finding may hold a chart per measure)."""
        if self.chart is None:
            return []
        return list(self.chart) if isinstance(self.chart, list | tuple) else [self.chart]

    def display(self, *, table: bool | None = None) -> None:
        """Show the finding in a notebook: heading, labels, the chart, the words, then the table (by default
        only when there is no chart). A summary table (``table_first``) comes before the charts instead, and
        is shown by default. The chart carries its own source and, for screen readers, its description; a
        finding without a chart shows its source under the table."""
        head = [f"### {self.title}"]
        if self.synthetic:
            head.append(f"**{provenance.SYNTHETIC_LABEL}.**")
        if self.banner:
            head.append(f"**{self.banner}**")
        display(Markdown("\n\n".join(head)))
        if table is None:
            table = self.table_first or not self.charts
        # the same accessible table as in reports: no index, no <NA>, numbers to a readable precision
        shown = HTML(table_html(self.table, caption=f"Table: {self.title}")) if (
            table and self.table is not None and len(self.table)) else None
        if shown is not None and self.table_first:
            display(shown)
        for chart in self.charts:
            display(chart)
        display(Markdown(self.text))
        if self.extra.get("svg"):
            display(inline_svg(self.extra["svg"], self.alt_text or self.title))
        if shown is not None and not self.table_first:
            display(shown)
        if self.source and not self.charts:
            display(Markdown(f"<small>{self.source}</small>"))

    def _ipython_display_(self):
        self.display()

    def html(self, *, heading: int = 3, table: bool = True) -> str:
        """The finding as a section of a report: heading, labels, text, each chart as a static SVG
        image with its text alternative, the table (at most 15 rows; before the charts when it is a
        summary, ``table_first``), and the source."""
        parts = [f"<section class='finding'><h{heading}>{escape(self.title)}</h{heading}>"]
        if self.synthetic:
            parts.append(f"<p class='synthetic'>{escape(provenance.SYNTHETIC_LABEL)}</p>")
        if self.banner:
            parts.append(f"<p class='banner'>{escape(self.banner)}</p>")
        parts.extend(f"<p>{escape(p)}</p>" for p in re.split(r"\n\s*\n", self.text or "") if p.strip())
        charts = self.charts
        summary = table and self.table_first and self.table is not None and len(self.table)
        if summary:
            parts.append(table_html(self.table, caption=f"Table: {self.title}"))
        for chart in charts:
            # one chart: the finding's own text alternative; several: each chart's own description
            alt = self.alt_text if len(charts) == 1 else (render.description(chart) or self.alt_text)
            parts.append(figure(render.svg(chart), alt, ""))  # the chart's subtitle names its source
        drawing = self.extra.get("svg")
        if not charts and isinstance(drawing, str) and drawing.lstrip().startswith("<"):
            parts.append(figure(drawing, self.alt_text, self.source))  # the driver diagram
            charts = [drawing]
        if table and not summary and self.table is not None and len(self.table):
            parts.append(table_html(self.table, caption=f"Table: {self.title}"))
        if self.source and not charts:
            parts.append(f"<p class='source'>{escape(self.source)}</p>")
        return "".join(parts) + "</section>"


def inline_svg(svg: str, label: str) -> HTML:
    """An SVG drawn inline with an accessible name (JupyterLab shows image/svg+xml as an <img>
    with no alt text, which screen readers cannot describe)."""
    return HTML(f'<div role="img" aria-label="{_escape(label, quote=True)}">{svg}</div>')


def make(title, text, *, data, table=None, readable=None, chart=None, alt_text="", audience="team",
         extra=None, table_first=False) -> Finding:
    """A finding whose source, synthetic label and banner follow from ``data`` and ``audience``.

    ``table`` is the full table (its counts decide the small-numbers banner); ``readable``, when given,
    is the short one people read, and ``table`` then becomes the finding's ``export``."""
    banner = SMALL_NUMBERS_BANNER if (audience == "team" and table is not None and _has_small(table)) else None
    return Finding(title=title, text=text, table=readable if readable is not None else table, chart=chart,
                   alt_text=alt_text, source=provenance.caption(data), synthetic=provenance.is_synthetic(data),
                   banner=banner, extra=extra or {}, provenance=provenance.merged(data),
                   export=table if readable is not None else None, table_first=table_first)


def _has_small(table: pd.DataFrame) -> bool:
    for col in ("numerator", "denominator", "observed", "count"):
        if col in table:
            v = pd.to_numeric(table[col], errors="coerce")
            if ((v >= 1) & (v <= SUPPRESSION_THRESHOLD)).any():
                return True
    return False


def check_audience(audience: str) -> str:
    if audience not in ("team", "publish"):
        raise DataError(f"audience must be 'team' or 'publish', not {audience!r}")
    return audience


def protect(table: pd.DataFrame, audience: str, *, by=None, derived=None, hidden_rows=None) -> pd.DataFrame:
    """Disclosure control for a table of counts: hide 1-7 and what reveals them when publishing. A
    finding's text and overall values can give its totals away, so the totals count as known.
    ``hidden_rows``: rows hidden anyway, because another table of the publication hides the same count."""
    if audience == "team":
        return table
    return suppress(table, threshold=SUPPRESSION_THRESHOLD, by=by, derived_columns=derived, known_totals=True,
                    hidden_rows=hidden_rows)


def sources(*findings: Finding) -> pd.DataFrame:
    """The data sources behind the findings: one row for each source (a result built from several
    sources names each), with when it was retrieved, its licence, and whether it is synthetic."""
    rows, seen = [], set()
    for f in findings:
        p = f.provenance or {}
        parts = str(p.get("description") or p.get("source") or f.source or "").split(" + ")
        retrieved = str(p.get("retrieved", "")).split(" + ")
        licences = str(p.get("licence", "")).split(" + ")
        for i, what in enumerate(parts):
            if not what or what in seen:
                continue
            seen.add(what)
            synthetic = what.startswith(provenance.SYNTHETIC_LABEL)
            licence = licences[i] if len(licences) == len(parts) else licences[0]
            rows.append({"source": what, "retrieved": retrieved[i] if len(retrieved) == len(parts) else retrieved[0],
                         "licence": "" if synthetic or licence.startswith("n/a") else licence,
                         "synthetic": synthetic})
    return pd.DataFrame(rows, columns=["source", "retrieved", "licence", "synthetic"])
