"""One look for every equitylab chart: colour-blind-safe, readable in black and white.

Colours are the Okabe-Ito palette (Okabe and Ito 2008) for groups, and the NHS
"Making Data Count" palette for SPC verdicts. Meaning is never carried by colour alone:
SPC points also differ by shape, and every chart comes with a text description.

Every colour that carries data has a contrast of at least 3:1 against the white page, and every
colour used for words at least 4.5:1 (WCAG 2.2, 1.4.11 and 1.4.3; checked by
tests/test_charts_visual.py). Where a published palette's colour is lighter than that, a darker
shade of the same hue is used and the original is noted beside it.
"""
from __future__ import annotations

import textwrap

import altair as alt

# Okabe & Ito (2008) colour-universal design palette, black last
GROUP_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

# the Okabe-Ito colours of at least 3:1 on white, first: what a chart's categories get by default
CATEGORY_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000"]
# a comparator (England, the population) beside the area or service in blue: 4.5:1 on white
COMPARATOR = "#767676"

# NHS England "Making Data Count" colours, darkened where MDC's own are under 3:1 on white
MDC = {
    "common_cause": "#8A8A8A",   # grey (MDC #A6A6A6 is 2.4:1)
    "improvement": "#0095CC",    # blue (MDC #00B0F0 is 2.5:1)
    "concern": "#E46C0A",        # orange
    "neutral": "#490092",        # purple
    "line": "#231F20",
    "limit": "#7F7F7F",
    "target": "#DE1A1A",
}
# shapes so that a signal is visible in black and white
MDC_SHAPES = {"common_cause": "circle", "improvement": "triangle-up", "concern": "diamond", "neutral": "square"}

FONT = "Arial, Helvetica, sans-serif"
WIDTH, HEIGHT = 560, 220


def lines(*texts: str, width: int = 90) -> list[str]:
    """Titles and captions wrapped into short lines: a long line would make the chart wider than
    the page (and than a notebook's output area, which then scrolls sideways)."""
    out: list[str] = []
    for text in texts:
        if text:
            out += textwrap.wrap(str(text), width)
    return out


def tooltips(*fields: str) -> list:
    """Tooltip channels for these fields (typed: altair resolves plain strings through its schema, slowly)."""
    return [alt.Tooltip(f) for f in fields]


def config() -> dict:
    """Vega-Lite config dict shared by all charts."""
    return {
        "font": FONT,
        "axis": {"labelFontSize": 12, "titleFontSize": 13, "grid": True, "gridColor": "#E5E5E5"},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
        "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#333333"},
        "view": {"stroke": None},
        "range": {"category": CATEGORY_COLOURS},
    }


def set_properties(chart, **kwargs):
    """``chart.properties(**kwargs)`` without altair's schema check of each value as it is set.

    altair checks every top-level property against the Vega-Lite schema even when its debug
    checks are off; that was a fifth of the time to build a report's chart. equitylab's charts
    are checked whole against the schema by their tests instead.
    """
    copy = chart.copy(deep=False)
    for key, value in kwargs.items():
        setattr(copy, key, value)
    return copy


def apply(chart):
    """Apply the equitylab config to an altair chart and return it."""
    return chart.configure(**config())


def enable_offline(renderer: str = "jupyter") -> None:
    """Make altair render without the internet.

    ``"jupyter"`` (JupyterChart through anywidget, JavaScript inlined by vl-convert) for
    notebooks; ``"svg"`` or ``"png"`` for reports converted to HTML.
    """
    # vega-embed's "..." actions menu has no accessible name (WCAG 4.1.2) and offers downloads
    # learners do not need; equitylab saves charts itself
    alt.renderers.set_embed_options(actions=False)
    if renderer == "jupyter":
        alt.renderers.enable("jupyter", offline=True, embed_options={"actions": False})
    else:
        alt.renderers.enable(renderer)
