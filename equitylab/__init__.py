"""equitylab: health-equity analysis and a learning curriculum for NHS QI teams.

``import equitylab`` is cheap: the public functions below are loaded on first use.
"""
from __future__ import annotations

import importlib

from .errors import (
    DataError,
    EquityLabError,
    IdentifiableDataWarning,
    ProjectFileError,
    SmallNumbersWarning,
    SourceUnavailable,
)

__version__ = "0.1.0"

# public name -> module that defines it
_LAZY = {
    "proportion": "equitylab.measures",
    "rate": "equitylab.measures",
    "dsr": "equitylab.measures",
    "isr": "equitylab.measures",
    "sii": "equitylab.measures",
    "summary_measures": "equitylab.measures",
    "access_vs_population": "equitylab.measures",
    "compare": "equitylab.measures",
    "funnel_limits": "equitylab.measures",
    "suppress": "equitylab.measures",
    "run_chart": "equitylab.spc",
    "control_chart": "equitylab.spc",
    "gap_chart": "equitylab.spc",
    "Project": "equitylab.workbook",
    "check_aim": "equitylab.workbook",
    "fingertips_data": "equitylab.loaders",
    "population": "equitylab.loaders",
    "lsoa_deciles": "equitylab.loaders",
    "read_service_data": "equitylab.loaders",
}

__all__ = sorted(
    [*_LAZY, "DataError", "EquityLabError", "IdentifiableDataWarning", "ProjectFileError",
     "SmallNumbersWarning", "SourceUnavailable", "__version__"]
)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'equitylab' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
