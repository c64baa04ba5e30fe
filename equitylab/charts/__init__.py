"""Altair views of measures and SPC results: one theme, a text description with every chart.

This is the only package that imports altair. SPC results draw themselves with ``.chart()``
(:mod:`.spc`); :mod:`.render` turns any chart into a static SVG for reports.
"""
from __future__ import annotations

from .measures import access_chart, compare_groups, deprivation_gradient, funnel_plot
from .theme import GROUP_COLOURS, MDC, enable_offline

__all__ = ["GROUP_COLOURS", "MDC", "access_chart", "compare_groups", "deprivation_gradient", "enable_offline",
           "funnel_plot"]
