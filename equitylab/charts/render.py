"""Charts as static SVG: for reports and the project on a page, where no JavaScript runs.

vl-convert (the Vega-Lite compiler and resvg in one wheel) draws the chart with no browser and no
network. The spec is written without altair's schema validation: equitylab's chart functions are
validated against the Vega-Lite schema in their tests, and repeating it for every chart drawn
roughly doubled a chart's cost.
"""
from __future__ import annotations

import textwrap

import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert


def svg(chart) -> str:
    """The chart as SVG text, ready to be an image: long titles broken into lines, and no ARIA
    label on every mark (inside an ``<img>`` those reach no one: the image's alt text is what
    assistive technology reads; without them each SVG is about 30% smaller)."""
    spec = chart.to_dict(validate=False)
    _wrap_title(spec)
    config = spec.get("config")
    spec["config"] = {**config, "aria": False} if isinstance(config, dict) else {"aria": False}
    return vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def description(chart) -> str:
    """The chart's own text description (its Vega-Lite ``description``), or ""."""
    text = getattr(chart, "description", None)
    return text if isinstance(text, str) else ""


def _wrap_title(spec: dict, width: int = 90) -> None:
    title = spec.get("title")
    if isinstance(title, str):
        title = {"text": title}
    if not isinstance(title, dict):
        return
    for key in ("text", "subtitle"):
        value = title.get(key)
        lines = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        if any(isinstance(v, str) and len(v) > width for v in lines):
            title[key] = [part for v in lines for part in (textwrap.wrap(str(v), width) or [""])]
    spec["title"] = title
