"""Inequality measures: pure statistics on pandas DataFrames.

Every function takes a DataFrame and column names, ``by=`` for one row per group, and
returns a DataFrame with ``value``, ``lower_ci``, ``upper_ci``, ``numerator``, ``denominator``,
``method`` and ``confidence`` (see ``design/ARCHITECTURE.md`` for the vocabulary), with the
inputs' provenance carried onto the result.
"""
from __future__ import annotations

import importlib

_LAZY = {
    "proportion": "equitylab.measures.rates",
    "rate": "equitylab.measures.rates",
    "dsr": "equitylab.measures.standardise",
    "isr": "equitylab.measures.standardise",
    "sii": "equitylab.measures.sii",
    "summary_measures": "equitylab.measures.heat",
    "access_vs_population": "equitylab.measures.access",
    "compare": "equitylab.measures.compare",
    "funnel_limits": "equitylab.measures.funnel",
    "funnel_significance": "equitylab.measures.funnel",
    "suppress": "equitylab.measures.disclosure",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'equitylab.measures' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
