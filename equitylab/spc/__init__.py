"""Measurement over time: run charts, SPC charts, stratified by group, and the gap between groups.

``run_chart`` and ``control_chart`` return an :class:`~equitylab.spc.result.SPCResult` (``.points``, ``.summary``,
``.chart()``, ``.describe()``); ``gap_chart`` charts the gap between a group and a reference
group over time; ``aggregate`` turns patient-level rows into counts per period.
The statistics use numpy, scipy and pandas only; ``.chart()`` draws through :mod:`equitylab.charts.spc`.
"""

from __future__ import annotations

from ._rules import mdc_rules
from .control import control_chart, run_chart
from .gap import gap_chart
from .periods import aggregate
from .result import SmallDenominatorWarning, TrialLimitsWarning

__all__ = ["SmallDenominatorWarning", "TrialLimitsWarning", "aggregate", "control_chart", "gap_chart", "mdc_rules",
           "run_chart"]
