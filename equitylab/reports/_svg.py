"""Charts to SVG in a helper process, for report kernels.

vl-convert holds the GIL while it draws, so a drawing thread would stall the kernel's own
work instead of overlapping it. A single report therefore draws its charts in one helper
process (a second core) while the kernel computes the next findings; plain altair charts
travel pickled, so the helper also builds their specs. The helper is forked from the kernel
after its imports and only ever draws charts.
"""
from __future__ import annotations

import time


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


def chart_to_svg(blob: bytes, vl_version: str) -> tuple[str, float]:
    """A pickled altair chart as SVG text (spec built here, in the helper), and the seconds taken."""
    import pickle

    from ._fast import skip_slow_optional_imports

    skip_slow_optional_imports()  # unpickling imports altair: skip what it does not need here
    started = time.perf_counter()
    spec = pickle.loads(blob).to_dict(validate=False, context={"pre_transform": False})
    wrap_title(spec)
    svg, _ = convert(spec, vl_version)
    return svg, time.perf_counter() - started


def convert(spec: dict, vl_version: str) -> tuple[str, float]:
    """One Vega-Lite spec as SVG text, and the seconds it took."""
    import vl_convert as vlc

    started = time.perf_counter()
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version)
    return svg, time.perf_counter() - started


def warm(charts: bool = False) -> None:
    """Start vl-convert's JavaScript engine before the first real chart arrives (and, in the
    helper, import altair, which turns the charts into specs)."""
    import vl_convert as vlc

    if charts:
        from ._fast import skip_slow_optional_imports

        skip_slow_optional_imports()  # this process only draws charts
        from altair.utils.schemapi import disable_debug_mode

        disable_debug_mode()  # the kernel's equitylab charts, validated by their own tests

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]},
                         "encoding": {"x": {"field": "x", "type": "quantitative"}}})


def pool():
    """A one-process pool, already starting its engine.

    The helper is forked from the kernel after its imports, so it starts with pandas and altair
    loaded (copy-on-write) instead of importing them again; it only ever draws charts.
    """
    import multiprocessing as mp
    import warnings
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork"))
    with warnings.catch_warnings():
        # Python 3.12+ warns that forking a threaded process can deadlock a child that takes a
        # lock another thread held; this child takes none of the kernel's (it only draws charts)
        warnings.simplefilter("ignore", DeprecationWarning)
        executor.submit(warm, True)  # the worker process is forked here
    return executor
