"""Equity reports with papermill: one area or team, or a batch of hundreds.

``run(area_code, out=...)`` builds one report; ``batch(rows_or_csv, out=..., jobs=2)``
builds many in parallel and lists them in ``index.html``. Each report is one
self-contained HTML file with no code (charts as static images with text alternatives),
plus its tables as CSV and Excel, with small numbers hidden. The command line is
``equitylab report`` (see :mod:`equitylab.reports.cli`).
"""
from __future__ import annotations

from .parallel import BatchResult, batch
from .params import ReportParameters, read_batch
from .runner import ReportResult, run

__all__ = ["BatchResult", "ReportParameters", "ReportResult", "batch", "read_batch", "run"]
