"""Altair views of measures and SPC results: one theme, text descriptions with every chart."""
from __future__ import annotations

import importlib

from .theme import GROUP_COLOURS, MDC, enable_offline

_LAZY = {name: "equitylab.charts.measures"
         for name in ("deprivation_gradient", "compare_groups", "access_chart", "funnel_plot", "describe")}

__all__ = ["GROUP_COLOURS", "MDC", "enable_offline", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'equitylab.charts' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
