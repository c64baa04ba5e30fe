"""Charts to SVG for report kernels, and for the chart helper process (:mod:`._chart_helper`).

vl-convert holds the GIL while it draws, so a drawing thread would stall the kernel's own
work instead of overlapping it. A single report therefore draws its charts in one helper
process (a second core) while the kernel computes the next findings; plain altair charts
travel pickled, so the helper also builds their specs.
"""
from __future__ import annotations

import time


def for_image(spec: dict) -> dict:
    """Ready a chart's spec to become a static image in a report: long titles broken into lines,
    and no ARIA labels on every mark. Inside an ``<img>`` those labels reach no one (the image's
    alt text, which the report writes, is what assistive technology reads); leaving them out
    makes each SVG about 30% smaller, and the report page with it."""
    wrap_title(spec)
    config = spec.get("config")
    spec["config"] = {**config, "aria": False} if isinstance(config, dict) else {"aria": False}
    return spec


def wrap_title(spec: dict, width: int = 90) -> None:
    """Break a long chart title or subtitle into lines, so the image is not stretched by it."""
    import textwrap

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


def portable(chart) -> bytes | None:
    """The chart pickled for the helper, or None when it must be turned into a spec here.

    Plain altair charts with their data inline travel; charts whose rows live in a registry
    of this process (the SPC charts, whose class is replaced to add them) do not pickle.
    """
    import pickle

    try:
        return pickle.dumps(chart, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - drawn from a spec made here instead
        return None


def job_to_spec(kind: str, payload) -> tuple[dict, str]:
    """In the helper: one job from a kernel as (Vega-Lite spec, the chart's own description).

    ``kind`` is "recipe" (a pickled chart recipe: the chart is built here), "chart" (a pickled
    altair chart: its spec is built here) or "spec" (a Vega-Lite spec, drawn as it is).
    """
    import pickle

    if kind == "spec":
        return payload, ""
    chart = pickle.loads(payload)
    if kind == "recipe":
        chart = chart.build()
    text = getattr(chart, "description", None)
    spec = for_image(chart.to_dict(validate=False, context={"pre_transform": False}))
    return spec, text if isinstance(text, str) else ""


def vl_version() -> str:
    """The Vega-Lite version altair writes, as vl-convert names it."""
    from altair.utils._importers import vl_version_for_vl_convert

    return vl_version_for_vl_convert()


def convert(spec: dict, vl_version: str) -> tuple[str, float]:
    """One Vega-Lite spec as SVG text, and the seconds it took."""
    import vl_convert as vlc

    started = time.perf_counter()
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version)
    return svg, time.perf_counter() - started


def prepare() -> None:
    """In a chart helper: import what building charts needs (altair, pandas), without schema checks."""
    from ._fast import skip_slow_optional_imports

    skip_slow_optional_imports()  # this process only draws charts
    import pandas  # noqa: F401 - the charts' rows are DataFrames
    from altair.utils.schemapi import disable_debug_mode

    disable_debug_mode()  # equitylab's own charts, validated by their own tests


def warm() -> None:
    """Start vl-convert's JavaScript engine before the first real chart arrives."""
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]},
                         "encoding": {"x": {"field": "x", "type": "quantitative"}}})


def practice_specs() -> list[dict]:
    """Vega-Lite specs like a report's (group comparison, SPC and gap charts, bars), from made-up
    numbers, for the helper to draw while it waits for the kernel's first chart.

    vl-convert's JavaScript engine compiles its drawing code as it first runs it: a report's
    first charts took about 50% longer than the same charts drawn again. Drawing a few similar
    charts while the kernel starts moves that cost off the report's time. Nothing drawn here is
    kept.
    """
    import numpy as np
    import pandas as pd

    from ..charts.measures import compare_groups
    from ..spc import control_chart, gap_chart

    groups = pd.DataFrame({"group": ["A", "B", "C", "D"], "value": [40.0, 55.0, 48.0, 61.0],
                           "lower_ci": [35.0, 50.0, 44.0, 55.0], "upper_ci": [45.0, 60.0, 52.0, 66.0]})
    months = pd.date_range("2022-01-01", periods=24, freq="MS")
    rng = np.random.default_rng(0)
    series = pd.DataFrame({"period": np.tile(months, 2), "group": np.repeat(["A", "B"], 24),
                           "n": 200, "y": rng.binomial(200, 0.6, 48)})
    charts = [compare_groups(groups, group="group", value="value", indicator="% practice"),
              control_chart(series, x="period", y="y", n="n", chart="p", by="group", multiplier=100).chart(),
              gap_chart(series, x="period", y="y", n="n", by="group", group="A", reference="B",
                        multiplier=100).chart()]
    specs = []
    for chart in charts:
        spec = chart.to_dict(validate=False, context={"pre_transform": False})
        for_image(spec)
        specs.append(spec)
    return specs
