"""Equity reports with papermill: one area or team, or a batch of hundreds.

``run(area_code, out=...)`` builds one report; ``batch(rows_or_csv, out=..., jobs=2)``
builds many in parallel and lists them in ``index.html``. Each report is one
self-contained HTML file with no code (charts as static images with text alternatives),
plus its tables as CSV and Excel, with small numbers hidden. The command line is
``equitylab report`` (see :mod:`equitylab.reports.cli`).

Importing this package is cheap: papermill and the rest load on first use.
"""
from __future__ import annotations

import importlib

# The modules run.py and batch.py share their names with the functions; importing them
# here first, then binding the functions, keeps ``equitylab.reports.run`` the function.
# Both modules import only the standard library at the top.
from . import batch as _batch_module  # noqa: F401
from . import run as _run_module  # noqa: F401
from .batch import BatchResult as BatchResult
from .batch import batch as batch
from .run import ReportResult as ReportResult
from .run import run as run

_LAZY = {
    "ReportParameters": "equitylab.reports.params",
    "read_batch": "equitylab.reports.params",
    "run_curriculum": "equitylab.reports.curriculum",
}

__all__ = ["BatchResult", "ReportParameters", "ReportResult", "batch", "read_batch", "run", "run_curriculum"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'equitylab.reports' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
