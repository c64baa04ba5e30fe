"""Run many equity reports at once, in parallel, and list them in ``index.html``.

::

    from equitylab.reports import batch
    result = batch("areas.csv", out="reports", jobs=2)
    result.table()          # one row per report: name, area, status, reason, html

Every row is checked before any kernel starts; a row that fails its check is recorded as
failed with the reason and the rest go ahead. Each report runs in its own kernel, ``jobs`` at
a time (one worker process each).
"""
from __future__ import annotations

import csv
import datetime as dt
import html as _html
import multiprocessing as mp
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from ..errors import DataError
from .html import CSS
from .params import ReportParameters, check, read_batch, unique_names
from .runner import ReportResult, execute, failed_result, load_template, template_path


@dataclass
class BatchResult:
    """What a batch produced.

    Attributes
    ----------
    reports : one :class:`ReportResult` per row, in the batch file's order.
    index : path of ``index.html``, which lists every report with its status and a link.
    seconds : wall time of the whole batch.
    jobs : worker processes used.
    """

    reports: list[ReportResult]
    index: str
    seconds: float
    jobs: int
    out: str = ""

    @property
    def ok(self) -> list[ReportResult]:
        return [r for r in self.reports if r.ok]

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.reports if not r.ok]

    def table(self):
        """The batch as a DataFrame: name, area_code, area_name, row, status, reason, html, log, seconds."""
        return pd.DataFrame([{k: getattr(r, k) for k in ("name", "area_code", "area_name", "row", "status",
                                                          "reason", "html", "xlsx", "log", "seconds")}
                             for r in self.reports])


def _run_one(params: ReportParameters, out: str, template: str, keep_notebook: bool) -> ReportResult:
    """One report in a worker process; always hands back a result."""
    try:
        return execute(params, Path(out), load_template(template), keep_notebook=keep_notebook)
    except Exception as exc:  # noqa: BLE001 - a failed report is recorded, the batch goes on
        return failed_result(Path(out), params, exc)


def _start_method() -> str:
    """"spawn" (fresh workers: kernels and zmq sockets are not shared with this process), unless
    this process's main module cannot be re-imported (``python -c`` or code piped in), then "fork"."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    if main and Path(main).is_file() or os.name == "nt":
        return "spawn"
    return "fork"


def _as_params(reports) -> tuple[list[ReportParameters], Path | None]:
    if isinstance(reports, (str, os.PathLike)):
        path = Path(reports)
        return read_batch(path), path.parent
    out = []
    for i, r in enumerate(reports, start=1):
        if isinstance(r, ReportParameters):
            out.append(r)
        elif isinstance(r, dict):
            out.append(ReportParameters(**{**r, "row": r.get("row", i)}))
        else:
            out.append(ReportParameters(area_code=str(r), row=i))
    return out, None


def batch(reports, *, out="reports", jobs: int = 2, keep_notebooks: bool = False, progress: bool = True,
          template=None) -> BatchResult:
    """Build many reports in parallel.

    Parameters
    ----------
    reports : path of a CSV file, or a list of dicts / :class:`ReportParameters` / area codes
        One report per row. CSV columns are named as the parameters: ``area_code``
        (required), ``comparator``, ``service_data``, ``dimensions``, ``period``,
        ``project_file``, ``name``, ``mapping``, ``bad_rows``. Relative paths in the file are
        taken from its folder.
    out : str or Path
        Output folder: the reports, ``index.html``, ``index.csv`` and ``logs/``.
    jobs : int
        Reports built at once, each in its own worker process and kernel. ``jobs=1`` runs them in turn
        in this process.
    keep_notebooks : bool
        Also keep each executed notebook under ``out/notebooks/``.
    progress : bool
        Show a progress bar (tqdm).

    Returns
    -------
    BatchResult
        One :class:`ReportResult` per row, in order; failures carry ``reason`` and ``log``.
    """
    started = time.perf_counter()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    template = str(template_path(template))
    params, base = _as_params(reports)
    unique_names(params)
    results: dict[int, ReportResult] = {}
    todo: list[tuple[int, ReportParameters]] = []
    for i, p in enumerate(params):
        try:
            todo.append((i, check(p, base=base)))
        except DataError as exc:
            results[i] = failed_result(out, p, exc)
    jobs = max(1, min(int(jobs), len(todo) or 1))
    bar = None
    if progress:
        bar = tqdm(total=len(params), desc="reports", unit="report", initial=len(results))
    try:
        if jobs == 1:
            for i, p in todo:
                results[i] = _run_one(p, str(out), template, keep_notebooks)
                if bar is not None:
                    bar.update(1)
        elif todo:
            context = mp.get_context(_start_method())
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                futures = {pool.submit(_run_one, p, str(out), template, keep_notebooks): (i, p) for i, p in todo}
                for future in as_completed(futures):
                    i, p = futures[future]
                    try:
                        results[i] = future.result()
                    except Exception as exc:  # noqa: BLE001 - a dead worker fails its report only
                        results[i] = failed_result(out, p, exc)
                    if bar is not None:
                        bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    ordered = [results[i] for i in range(len(params))]
    seconds = time.perf_counter() - started
    index = write_index(ordered, out, seconds=seconds)
    return BatchResult(reports=ordered, index=str(index), seconds=round(seconds, 3), jobs=jobs, out=str(out))


def write_index(results: list[ReportResult], out: Path, *, seconds: float | None = None) -> Path:
    """Write ``index.html`` (and ``index.csv``): every report, its status, a link, and why failures failed."""
    out = Path(out)

    def e(s):
        return _html.escape(str(s), quote=True)

    def link(path, text):
        if not path:
            return ""
        rel = os.path.relpath(path, out).replace(os.sep, "/")
        return f"<a href='{e(rel)}'>{e(text)}</a>"

    rows = []
    for r in results:
        status = "<span class='status-ok'>ready</span>" if r.ok else "<span class='status-failed'>failed</span>"
        what = link(r.html, "report") + "".join(f" &middot; {link(path, text)}" for path, text in
                                                ((r.pdf, "PDF"), (r.xlsx, "tables (Excel)")) if path)
        if not r.ok:
            what = e(r.reason) + (" (" + link(r.log, "log") + ")" if r.log else "")
        area = f"{e(r.area_name)} ({e(r.area_code)})" if r.area_name else e(r.area_code)
        rows.append(f"<tr><td>{e(r.row or '')}</td><td>{e(r.name)}</td><td>{area}</td><td>{status}</td>"
                    f"<td>{what}</td></tr>")
    n_ok = sum(r.ok for r in results)
    took = f" in {seconds:.0f} s" if seconds is not None else ""

    page = ("<!DOCTYPE html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Equity reports</title><style>{CSS}</style></head><body><main>"
            f"<h1>Equity reports</h1><p>{n_ok} of {len(results)} reports ready{took}, "
            f"{dt.datetime.now():%d %B %Y %H:%M}. Failed reports say why; their logs hold row numbers and "
            "messages, never personal details.</p>"
            "<div class='table-wrap' tabindex='0' role='region' aria-label='Reports in this batch'>"
            "<table class='data'><caption>Reports in this batch</caption><thead><tr>"
            "<th scope='col'>batch row</th><th scope='col'>report</th><th scope='col'>area</th>"
            "<th scope='col'>status</th><th scope='col'>report, or why it failed</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table></div></main></body></html>\n")
    index = out / "index.html"
    index.write_text(page, encoding="utf-8")
    with (out / "index.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "name", "area_code", "area_name", "status", "reason", "html", "xlsx", "log"])
        for r in results:
            w.writerow([r.row or "", r.name, r.area_code, r.area_name, r.status, r.reason,
                        os.path.relpath(r.html, out) if r.html else "", os.path.relpath(r.xlsx, out) if r.xlsx else "",
                        os.path.relpath(r.log, out) if r.log else ""])
    return index
