"""Charts to SVG in a helper process, for report kernels.

vl-convert holds the GIL while it draws, so a drawing thread would stall the kernel's own
work instead of overlapping it. A single report therefore draws its charts in one helper
process (a second core) while the kernel computes the next findings. This module imports
nothing but vl-convert, so the helper starts quickly.
"""
from __future__ import annotations

import time


def convert(spec: dict, vl_version: str) -> tuple[str, float]:
    """One Vega-Lite spec as SVG text, and the seconds it took."""
    import vl_convert as vlc

    started = time.perf_counter()
    svg = vlc.vegalite_to_svg(spec, vl_version=vl_version)
    return svg, time.perf_counter() - started


def warm() -> None:
    """Start vl-convert's JavaScript engine before the first real chart arrives."""
    import vl_convert as vlc

    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 1}]},
                         "encoding": {"x": {"field": "x", "type": "quantitative"}}})


def pool():
    """A one-process pool, already starting its engine (spawned: the kernel's own threads and
    sockets are not copied into it)."""
    import multiprocessing as mp
    import sys
    from concurrent.futures import ProcessPoolExecutor

    main = sys.modules.get("__main__")
    if main is not None and not hasattr(main, "__spec__"):
        main.__spec__ = None  # a kernel's namespace after %reset: multiprocessing reads this attribute
    executor = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"))
    executor.submit(warm)
    return executor
