"""Inequality measures: pure statistics on pandas DataFrames.

Every function takes a DataFrame and column names, ``by=`` for one row per group, and
returns a DataFrame with ``value``, ``lower_ci``, ``upper_ci``, ``numerator``, ``denominator``,
``method`` and ``confidence`` (see ``design/ARCHITECTURE.md`` for the vocabulary), with the
inputs' provenance carried onto the result.
"""
from __future__ import annotations

from .access import access_vs_population
from .comparison import compare
from .disclosure import suppress
from .funnel import funnel_limits, funnel_significance
from .gradient import sii
from .heat import summary_measures
from .maihda import intersectional
from .rates import proportion, rate
from .standardise import dsr, isr

__all__ = ["access_vs_population", "compare", "dsr", "funnel_limits", "funnel_significance", "intersectional",
           "isr", "proportion", "rate", "sii", "summary_measures", "suppress"]
