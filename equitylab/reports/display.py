"""Showing findings inside the report template (runs in the report's kernel).

Presentation only: the analyses come from :mod:`equitylab.profile`. Each call displays
HTML that reads well in JupyterLab and that :mod:`equitylab.reports.html` copies into the
code-free report: headings, the plain-English text, the chart as a static SVG image with
its text alternative, the table, and the source caption. Each table also travels in the
output under :data:`TABLE_MIME`, so the report's tables can be written as CSV and Excel
without the kernel writing any file.
"""
from __future__ import annotations

import base64
import html
import json
import os
import re
import time

from IPython.display import display

from ..provenance import SYNTHETIC_LABEL
from . import _svg

TABLE_MIME = "application/vnd.equitylab.table+json"
TIMINGS_MIME = "application/vnd.equitylab.timings+json"
PLACE_KEY = "equitylab_place"     # output metadata: "header" or "summary" (moved to the top)
# Set in kernels started by equitylab.reports: "process" draws charts in a helper process while the
# kernel computes (one report: two cores); "inline" draws them in turn (batches: one core per report).
REPORT_ENV = "EQUITYLAB_REPORT"
CHART_TIMEOUT = 120               # seconds to wait for the chart helper's drawing before drawing it here
HTML_ROWS = 40                    # longer tables are cut in the HTML; the CSV has every row

_state: dict = {"findings": [], "tables": 0, "chart_seconds": 0.0, "charts": 0, "started": None, "pending": [],
                "synthetic": False}


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def start(*, area_code: str, comparator: str = "", service_data: str = "", dimensions: str = "",
          period: str = "", project_file: str = "", title: str | None = None) -> None:
    """Put the kernel in report mode and show the report's header.

    Charts render as static SVG (``alt.renderers.enable("svg")``, through vl-convert), so
    the HTML needs no JavaScript and no network.
    """
    import datetime as dt

    from ..charts import recipe
    from ..loaders.areas import area_info

    _state.update(findings=[], tables=0, chart_seconds=0.0, charts=0, charts_here=0, charts_ahead=0,
                  started=time.perf_counter(),
                  synthetic=not service_data, pending=[], wait_seconds=0.0)
    if os.environ.get(REPORT_ENV) == "process" and _state.get("pool") is None:
        from ._chart_helper import Remote

        _state["pool"] = Remote.from_env()  # the chart helper started with the report (None: draw here)
    # With a helper, the analyses hand over chart recipes and the helper builds the charts too: this
    # kernel then never imports altair. Without one, charts are built and drawn here, as SVG.
    recipe.defer(_state.get("pool") is not None)
    if _state.get("pool") is None:
        _altair_for_reports()
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


def _altair_for_reports() -> None:
    """Static SVG rendering for charts shown directly; in a report kernel, no schema checks as charts
    are built (a report kernel draws only equitylab's own charts, whose specs their tests validate;
    checking every part as it is built roughly doubled the cost of a chart)."""
    import altair as alt

    alt.renderers.enable("svg")
    if os.environ.get(REPORT_ENV):
        from altair.utils.schemapi import disable_debug_mode

        disable_debug_mode()


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


def _description(chart) -> str:
    if isinstance(chart, str):
        return ""
    text = getattr(chart, "description", None)  # set on every chart made by equitylab: no spec needed
    if isinstance(text, str):
        return text
    try:
        text = chart.to_dict(validate=False).get("description")
    except Exception:  # noqa: BLE001 - no description: the finding's own alt text is used
        return ""
    return str(text) if text else ""


def _chart_job(chart):
    """Start turning a chart (or a chart recipe) into SVG: in the helper process for a single
    report run, so that charts are built and drawn while the next finding is computed; at once
    otherwise. Returns the SVG text, or (future, chart) for a chart the helper is drawing."""
    from ..charts.recipe import ChartRecipe

    if isinstance(chart, str):
        return chart
    pool = _state.get("pool")
    if pool is not None:
        blob = _svg.portable(chart)  # a recipe, or a plain altair chart with its rows
        if blob is not None:
            return pool.submit("recipe" if isinstance(chart, ChartRecipe) else "chart", blob), chart
    if isinstance(chart, ChartRecipe):
        chart = chart.build()
    spec = _spec(chart)
    if pool is not None:
        return pool.submit("spec", spec), chart
    return _draw_here(spec)


def _spec(chart) -> dict:
    # our charts are checked by their own tests; schema validation here would double the cost
    if os.environ.get(REPORT_ENV):
        from altair.utils.schemapi import disable_debug_mode

        disable_debug_mode()
    spec = chart.to_dict(validate=False, context={"pre_transform": False})
    _svg.for_image(spec)
    return spec


def _draw_here(spec: dict) -> str:
    from altair.utils._importers import vl_version_for_vl_convert

    svg, seconds = _svg.convert(spec, vl_version_for_vl_convert())
    _state["chart_seconds"] += seconds
    _state["charts"] += 1
    _state["charts_here"] = _state.get("charts_here", 0) + 1
    return svg


def _svg_of(job) -> tuple[str, str]:
    """(SVG text, the chart's own description) of a chart job; a chart the helper could not draw
    (or that is stuck) is drawn here instead."""
    from ..charts.recipe import ChartRecipe

    if isinstance(job, str):
        return job, ""
    future, chart = job
    try:
        svg, seconds, description, ahead = future.result(timeout=CHART_TIMEOUT)
    except Exception:  # noqa: BLE001
        if isinstance(chart, ChartRecipe):
            chart = chart.build()
        return _draw_here(_spec(chart)), _description(chart)
    _state["chart_seconds"] += seconds
    _state["charts"] += 1
    _state["charts_ahead"] = _state.get("charts_ahead", 0) + bool(ahead)
    return svg, description


def chart_svg(chart) -> str:
    """A chart as SVG text: an altair chart through vl-convert, or SVG text passed through."""
    if chart is None:
        return ""
    if isinstance(chart, str):
        return chart
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    started = time.perf_counter()
    spec = chart.to_dict(context={"pre_transform": False})
    _svg.for_image(spec)
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())
    _state["chart_seconds"] += time.perf_counter() - started
    _state["charts"] += 1
    return svg


def _figure(svg: str, alt_text: str, caption: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt_text = alt_text or "Chart; its numbers are in the table below."
    caption = f"<figcaption>{_e(caption)}</figcaption>" if caption else ""
    return f"<figure><img src='data:image/svg+xml;base64,{data}' alt='{_e(alt_text)}'>{caption}</figure>"


def _int(v: int) -> str:
    return f"{v:,}" if abs(v) >= 10_000 else str(v)  # years and codes stay as they are


def _missing(value) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _cell(value) -> str:
    import math
    import numbers

    if _missing(value):
        return "<td class='na'>&ndash;</td>"
    if isinstance(value, bool):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, numbers.Integral):
        return f"<td class='num'>{_int(int(value))}</td>"
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isfinite(v) and v.is_integer() and abs(v) >= 1:
            return f"<td class='num'>{_int(int(v))}</td>"
        digits = 0 if abs(v) >= 1000 else 1 if abs(v) >= 10 else 2 if abs(v) >= 1 else 3
        return f"<td class='num'>{v:,.{digits}f}</td>" if abs(v) >= 10_000 else f"<td class='num'>{v:.{digits}f}</td>"
    if hasattr(value, "strftime"):
        return f"<td>{value:%Y-%m-%d}</td>"
    return f"<td>{_e(value)}</td>"


def table_html(table, caption: str = "") -> str:
    """An accessible HTML table (header scopes, a caption); at most :data:`HTML_ROWS` rows.

    Text columns with one value in every row (a method, a confidence level) are said once
    under the table instead of in every row, and empty note columns are left out; the CSV
    and Excel files keep every column.
    """
    import pandas as pd

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
            present = [v for v in columns[i] if not _missing(v)]
            values = [str(v).strip() for v in present]
            if all(v == "" for v in values):
                keep.remove(i)
            elif len(set(values)) == 1 and len(present) == n_rows and len(values[0]) > 12:
                said_once.append((c, values[0]))
                keep.remove(i)
    head = "".join(f"<th scope='col'>{_e(str(names[i]).replace('_', ' '))}</th>" for i in keep)
    shown = [columns[i] for i in keep]
    body = []
    for row in zip(*(col[:HTML_ROWS] for col in shown)):
        body.append("<tr>" + "".join(_cell(v) for v in row) + "</tr>")
    more = ""
    if n_rows > HTML_ROWS:
        more = (f"<p class='more'>First {HTML_ROWS} of {n_rows:,} rows; every row is in the report's CSV and "
                "Excel files.</p>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    notes = "".join(f"<p class='note'>{_e(str(c).replace('_', ' ').capitalize())}: {_e(v)}</p>" for c, v in said_once)
    if any(_missing(v) for col in shown for v in col):
        notes += "<p class='note'>&ndash; not shown: hidden because the number is small, or no data.</p>"
    # a box that scrolls sideways must take keyboard focus, with a name (WCAG 2.1.1, 4.1.2)
    label = _e(caption or "table")
    return (f"<div class='table-wrap' tabindex='0' role='region' aria-label='{label}'>"
            f"<table class='data'>{cap}<thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table></div>{more}{notes}")


def _table_payload(table, title: str, source: str, synthetic: bool) -> dict:
    _state["tables"] += 1
    return {"name": f"{_state['tables']:02d}_{_slug(title)}", "title": title, "source": source,
            "synthetic": bool(synthetic),
            "table": json.loads(table.to_json(orient="split", index=False, date_format="iso"))}


def show(finding, *, heading: int = 3, table: bool = True) -> None:
    """Display one finding: heading, labels, text, chart (static SVG with alt text), table, source."""
    _put_in_drawn()
    _state["findings"].append(finding)
    synthetic = bool(getattr(finding, "synthetic", False))
    title = getattr(finding, "title", "")
    parts = [f"<section class='finding'><h{heading}>{_e(title)}</h{heading}>"]
    if synthetic:
        parts.append(f"<p class='synthetic'>{_e(SYNTHETIC_LABEL)}</p>")
    banner = getattr(finding, "banner", None)
    if banner:
        parts.append(f"<p class='banner'>{_e(banner)}</p>")
    text = getattr(finding, "text", "") or ""
    parts.extend(f"<p>{_e(p)}</p>" for p in re.split(r"\n\s*\n", text) if p.strip())
    source = getattr(finding, "source", "") or ""
    charts = getattr(finding, "chart", None)
    charts = list(charts) if isinstance(charts, (list, tuple)) else [charts] if charts is not None else []
    drawing = (getattr(finding, "extra", None) or {}).get("svg")
    if not charts and isinstance(drawing, str) and drawing.lstrip().startswith("<"):
        charts = [drawing]  # a drawing made as SVG (the driver diagram), described by the finding's alt text
    pieces: list = []
    own_alt = getattr(finding, "alt_text", "")
    for i, chart in enumerate(charts):
        # one chart: the finding's own text alternative; several: each chart's description, which
        # for a chart still to be built comes back with its drawing (None here: fill in later)
        job = _chart_job(chart)
        if len(charts) == 1:
            alt_text = own_alt
        elif isinstance(job, tuple):
            alt_text = None
        else:
            alt_text = _description(chart) or own_alt
        pieces.append((job, alt_text, own_alt, source if i == len(charts) - 1 else ""))
    data = getattr(finding, "table", None)
    bundle = {}
    tail = []
    if table and data is not None and len(data.columns):
        tail.append(table_html(data, caption=f"Table: {title}"))
        bundle[TABLE_MIME] = _table_payload(data, title, source, synthetic)
    if source and not charts:
        tail.append(f"<p class='source'>{_e(source)}</p>")
    tail.append("</section>")
    if _state.get("pool") is not None and pieces:
        # shown now without its images; finish() puts them in when they are drawn
        display_id = f"equitylab-finding-{len(_state['findings'])}"
        bundle["text/html"] = "".join(parts + tail)
        display(bundle, raw=True, display_id=display_id)
        _state["pending"].append((display_id, parts, pieces, tail, dict(bundle)))
        return
    bundle["text/html"] = _assemble(parts, pieces, tail)
    display(bundle, raw=True)


def _put_in_drawn(wait: bool = False) -> None:
    """Put the images into findings shown earlier whose charts the helper has drawn (all of them,
    waiting as needed, with ``wait``), so that little is left for the end of the report."""
    from IPython.display import update_display

    still = []
    for entry in _state["pending"]:
        display_id, parts, pieces, tail, bundle = entry
        if not wait and not all(isinstance(job, str) or job[0].done() for job, *_ in pieces):
            still.append(entry)
            continue
        bundle["text/html"] = _assemble(parts, pieces, tail)
        update_display(bundle, raw=True, display_id=display_id)
    _state["pending"] = still


def _assemble(parts, pieces, tail) -> str:
    figures = []
    for job, alt_text, own_alt, caption in pieces:
        svg, description = _svg_of(job)
        if svg:
            figures.append(_figure(svg, alt_text if alt_text is not None else (description or own_alt), caption))
    return "".join(parts + figures + tail)


def note(text: str) -> None:
    """A short plain paragraph (for example, why a section is empty)."""
    display({"text/html": f"<p class='note'>{_e(text)}</p>"}, raw=True)


def findings() -> list:
    """The findings shown so far in this report."""
    return list(_state["findings"])


def summary(max_sentences: int = 2) -> None:
    """"In brief": the first sentences of every finding, shown at the top of the report."""
    items = []
    for f in _state["findings"]:
        text = " ".join(str(getattr(f, "text", "")).split())
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", text)
        lead = " ".join(sentences[:max_sentences]).strip()
        if lead:
            label = " <span class='synthetic'>synthetic</span>" if getattr(f, "synthetic", False) else ""
            title = str(f.title).rstrip()
            title += "" if title[-1:] in ".?!" else "."
            items.append(f"<li><strong>{_e(title)}</strong>{label} {_e(lead)}</li>")
    body = ("<section class='summary'><h2>In brief</h2><p>What the numbers below show, in the report's own "
            "words. They describe differences between groups; they do not say what causes them.</p>"
            f"<ul>{''.join(items)}</ul></section>")
    display({"text/html": body}, raw=True, metadata={PLACE_KEY: "summary"})


def sources(table) -> None:
    """The data sources table (source, date, licence), also written to the CSV files."""
    title = "Data sources and licences"
    bundle = {"text/html": f"<section class='sources'>{table_html(table, caption=title)}</section>",
              TABLE_MIME: _table_payload(table, title, "", bool(_state["synthetic"]))}
    display(bundle, raw=True)


def finish() -> None:
    """Put in the charts still being drawn, and record how long the report's parts took."""
    waited = time.perf_counter()
    _put_in_drawn(wait=True)
    waited = time.perf_counter() - waited
    if _state.get("pool") is not None:  # every chart is in: hang up (the helper ends with the command)
        _state.pop("pool").shutdown()
        from ..charts import recipe

        recipe.defer(False)
    total = time.perf_counter() - _state["started"] if _state["started"] else 0.0
    display({TIMINGS_MIME: {"chart_seconds": round(_state["chart_seconds"], 4), "charts": _state["charts"],
                            "charts_here": _state.get("charts_here", 0),
                            "charts_ahead": _state.get("charts_ahead", 0),
                            "chart_wait_seconds": round(waited, 4), "since_start_seconds": round(total, 4)},
             "text/plain": ""}, raw=True)


def dimension_list(dimensions: str) -> list[str]:
    """The grouping dimensions of the ``dimensions`` parameter, as a list (ethnicity first by default)."""
    from .params import _dimensions

    return _dimensions(dimensions, None).split(",")


def population_dimension(dimension: str) -> str:
    """The population dimension (``equitylab.loaders.population``) for a grouping dimension."""
    return {"age_band": "age"}.get(dimension, dimension)


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
    import pandas as pd

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
        from ..errors import DataError

        raise DataError(f"No referrals fall in the period {_period_words(period)}", column="referral_date",
                        hint="Check the period against the dates in the extract, or leave it empty")
    return out


def show_if_available(analysis, *args, **kwargs) -> None:
    """Show ``analysis(*args, **kwargs)``, or, when its data is not held offline, say so instead.

    Only :class:`~equitylab.errors.SourceUnavailable` is caught (for example, Census
    populations by sex are not in the offline snapshot); any other error fails the report.
    """
    from ..errors import SourceUnavailable

    try:
        finding = analysis(*args, **kwargs)
    except SourceUnavailable as exc:
        display({"text/html": f"<section class='finding'><p class='note'><strong>Not shown.</strong> "
                              f"{_e(exc)}</p></section>"}, raw=True)
        return
    show(finding)
