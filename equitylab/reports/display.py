"""Showing findings inside the report template (runs in the report's kernel).

Presentation only: the analyses come from :mod:`equitylab.findings`, and each finding renders
itself as HTML (:meth:`~equitylab.findings.Finding.html`), which :mod:`equitylab.reports.html`
copies into the code-free report. Each table also travels in the output under
:data:`TABLE_MIME`, so the report's tables can be written as CSV and Excel without the
kernel writing any file.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re

import pandas as pd
from IPython.display import display

from ..errors import DataError, SourceUnavailable
from ..findings.html import table_html
from ..loaders.areas import area_info
from ..provenance import SYNTHETIC_LABEL
from .params import parse_dimensions

TABLE_MIME = "application/vnd.equitylab.table+json"
PLACE_KEY = "equitylab_place"     # output metadata: "header" or "summary" (moved to the top)

_state: dict = {"findings": [], "tables": 0, "synthetic": False}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def start(*, area_code: str, comparator: str = "", service_data: str = "", dimensions: str = "",
          period: str = "", project_file: str = "", title: str | None = None) -> None:
    """Start a report: forget earlier findings and show the report's header."""
    _state.update(findings=[], tables=0, synthetic=not service_data)
    info = area_info(area_code)
    comp = area_info(comparator)["name"] if comparator else "England"
    title = title or f"Equity profile: {info['name']}"
    facts = [("Area", f"{info['name']} ({info['code']}), {info['type']}"),
             ("Compared with", comp),
             ("Service data", "synthetic teaching extract" if not service_data else _basename(service_data)),
             ("Groups", ", ".join(d.replace("_", " ") for d in dimensions.split(",") if d)),
             ("Period", _period_words(period)),
             ("Team project", _basename(project_file) if project_file else "none given"),
             ("Produced", dt.date.today().strftime("%d %B %Y").lstrip("0"))]
    rows = "".join(f"<tr><th scope='row'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    banner = (f"<p class='synthetic-banner'><strong>{_e(SYNTHETIC_LABEL)}.</strong> This report uses a made-up "
              "service extract built on the area's real population mix, for teaching. Its service findings "
              "describe that made-up data, not a real service.</p>") if not service_data else ""
    body = (f"<header class='report-header'><h1>{_e(title)}</h1>{banner}"
            f"<table class='facts'>{rows}</table>"
            "<p class='privacy'>Published tables hide counts from 1 to 7, and any number they could be worked "
            "out from (NHS England disclosure practice). No row in this report describes one person.</p>"
            "</header>")
    display({"text/html": body}, raw=True, metadata={PLACE_KEY: "header"})


def _basename(path: str) -> str:
    return re.split(r"[\\/]", str(path))[-1]


def _period_words(period: str) -> str:
    if not period:
        return "the whole extract"
    first, _, last = period.partition(":")
    if first and last:
        return f"{first} to {last}"
    return f"from {first}" if first else f"up to {last}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(text).lower()).strip("_")[:40] or "table"


def _table_payload(table, title: str, source: str, synthetic: bool) -> dict:
    _state["tables"] += 1
    return {"name": f"{_state['tables']:02d}_{_slug(title)}", "title": title, "source": source,
            "synthetic": bool(synthetic),
            "table": json.loads(table.to_json(orient="split", index=False, date_format="iso"))}


def show(finding, *, heading: int = 3, table: bool = True) -> None:
    """Display one finding: heading, labels, text, chart (static SVG with alt text), table (``table=False``
    leaves it to the report's CSV and Excel files), source."""
    _state["findings"].append(finding)
    bundle = {"text/html": finding.html(heading=heading, table=table)}
    data = finding.export if finding.export is not None else finding.table
    if data is not None and len(data.columns):  # every table goes to the files, shown on the page or not
        bundle[TABLE_MIME] = _table_payload(data, finding.title, finding.source, finding.synthetic)
    display(bundle, raw=True)


def note(text: str) -> None:
    """A short plain paragraph (for example, why a section is empty)."""
    display({"text/html": f"<p class='note'>{_e(text)}</p>"}, raw=True)


def findings() -> list:
    """The findings shown so far in this report."""
    return list(_state["findings"])


_NO_NEWS = ("No ", "Not shown", "The offline data", "The extract has")


def summary(max_points: int = 6) -> None:
    """"Main points": one sentence from each finding that found something, at most ``max_points``, shown
    at the top of the report, on its first page. The service's findings come first (they are what the
    team can change), then the area's; findings that found no difference are left to their sections."""
    service, area = [], []
    for f in _state["findings"]:
        text = " ".join(str(getattr(f, "text", "")).split())
        lead = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)[0].strip() if text else ""
        if not lead or lead.startswith(_NO_NEWS) or "no group differs clearly" in lead:
            continue
        label = " <span class='synthetic'>synthetic</span>" if getattr(f, "synthetic", False) else ""
        title = str(f.title).rstrip()
        title += "" if title[-1:] in ".?!" else "."
        from_service = (f.provenance or {}).get("source", "") in ("file", "synthetic") or f.synthetic
        (service if from_service else area).append(f"<li><strong>{_e(title)}</strong>{label} {_e(lead)}</li>")
    items = service[:max_points - min(2, len(area))] + area
    body = ("<section class='summary'><h2>Main points</h2><p>What the numbers below show. They describe "
            "differences between groups; they do not say what causes them.</p>"
            f"<ul>{''.join(items[:max_points])}</ul></section>")
    display({"text/html": body}, raw=True, metadata={PLACE_KEY: "summary"})


def sources(table) -> None:
    """The data sources table (source, date, licence), also written to the CSV files."""
    title = "Data sources and licences"
    bundle = {"text/html": f"<section class='sources'>{table_html(table, caption=title)}</section>",
              TABLE_MIME: _table_payload(table, title, "", False)}  # each row says whether it is synthetic
    display(bundle, raw=True)


def dimension_list(dimensions: str) -> list[str]:
    """The grouping dimensions of the ``dimensions`` parameter, as a list (ethnicity first by default)."""
    return parse_dimensions(dimensions, None).split(",")


def service_columns(dimensions: list[str]) -> list[str]:
    """Service-data columns for grouping dimensions (deprivation is the national IMD decile)."""
    return [{"deprivation": "imd_decile"}.get(d, d) for d in dimensions]


def within_period(service, period: str):
    """Referrals whose ``referral_date`` falls in ``period`` ("first:last", either end open).

    A selection of rows, not an analysis; provenance is kept. With no period (or no
    referral dates) the extract is returned as it is.
    """
    if not period or "referral_date" not in service:
        return service
    first, _, last = period.partition(":")
    dates = pd.to_datetime(service["referral_date"], errors="coerce")
    keep = dates.notna()
    if first:
        keep &= dates >= pd.Timestamp(first)
    if last:
        keep &= dates < pd.Timestamp(last) + pd.Timedelta(days=1)
    out = service.loc[keep.to_numpy()].reset_index(drop=True)
    out.attrs.update(service.attrs)
    if not len(out):
        raise DataError(f"No referrals fall in the period {_period_words(period)}", column="referral_date",
                        hint="Check the period against the dates in the extract, or leave it empty")
    return out


def show_if_available(analysis, *args, **kwargs) -> None:
    """Show ``analysis(*args, **kwargs)``, or, when its data is not held offline, say so instead.

    Only :class:`~equitylab.errors.SourceUnavailable` is caught (for example, Census
    populations by sex are not in the offline snapshot); any other error fails the report.
    """
    try:
        finding = analysis(*args, **kwargs)
    except SourceUnavailable as exc:
        display({"text/html": f"<section class='finding'><p class='note'><strong>Not shown.</strong> "
                              f"{_e(exc)}</p></section>"}, raw=True)
        return
    show(finding)
