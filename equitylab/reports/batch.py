"""Run many equity reports at once, in parallel, and list them in ``index.html``.

::

    from equitylab.reports import batch
    result = batch("areas.csv", out="reports", jobs=2)
    result.table()          # one row per report: name, area, status, reason, html

Every row is checked before any kernel starts; a row that fails its check is recorded as
failed with the reason and the rest go ahead. Each worker process keeps one Python kernel
for all its reports (see :mod:`equitylab.reports.kernel`), so the fixed cost of starting
a kernel and importing the libraries is paid once per worker, not once per report.
"""
from __future__ import annotations

import datetime as dt
import html as _html
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .params import ReportParameters, check, read_batch, unique_names
from .run import ReportResult, execute, failed_result, load_template, template_path


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
    warm_up_seconds: list[float] = field(default_factory=list)

    @property
    def ok(self) -> list[ReportResult]:
        return [r for r in self.reports if r.ok]

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.reports if not r.ok]

    def table(self):
        """The batch as a DataFrame: name, area_code, area_name, row, status, reason, html, log, seconds."""
        import pandas as pd

        return pd.DataFrame([{k: getattr(r, k) for k in ("name", "area_code", "area_name", "row", "status",
                                                          "reason", "html", "xlsx", "log", "seconds")}
                             for r in self.reports])


# --------------------------------------------------------------------- worker process

_worker: dict = {}


def _init_worker(template: str, warm: bool) -> None:
    """Start this worker's kernel and import the heavy modules into it, before any report."""
    import multiprocessing as mp
    import multiprocessing.util as mpu

    if mp.parent_process() is not None:  # a worker process of ours, not the caller's own
        from ._fast import skip_slow_optional_imports

        skip_slow_optional_imports()
    from .kernel import WarmKernel

    started = time.perf_counter()
    kernel = WarmKernel(charts="inline")  # a batch uses one core per job: --jobs sets the parallelism
    _worker["kernel"] = kernel
    # ProcessPoolExecutor workers leave through multiprocessing's exit path, not atexit
    mpu.Finalize(kernel, kernel.shutdown, exitpriority=10)
    try:
        kernel.start(wait=False)
        if warm:
            kernel.warm(wait=False)  # the kernel imports while this process loads papermill
        _worker["template"] = load_template(template)
        import papermill  # noqa: F401

        kernel.wait_ready()
    except Exception:  # noqa: BLE001 - the first report retries and records the failure
        kernel.shutdown()
        _worker.setdefault("template", load_template(template))
    _worker["warm_up"] = time.perf_counter() - started


def _run_in_worker(params: ReportParameters, out: str, keep_notebook: bool) -> ReportResult:
    kernel = _worker["kernel"]
    try:
        return execute(params, Path(out), kernel, _worker["template"], keep_notebook=keep_notebook)
    except Exception as exc:  # noqa: BLE001 - always hand back a result
        return failed_result(Path(out), params, exc)


def _warm_up_seconds() -> float:
    return _worker.get("warm_up", 0.0)


# --------------------------------------------------------------------- the batch

def _start_method() -> str:
    """"spawn" (fresh workers: kernels and zmq sockets are not shared with this process), unless
    this process's main module cannot be re-imported (``python -c`` or code piped in), then "fork"."""
    import sys

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
          template=None, warm: bool = True) -> BatchResult:
    """Build many reports in parallel.

    Parameters
    ----------
    reports : path of a CSV file, or a list of dicts / :class:`ReportParameters` / area codes
        One report per row. CSV columns are named as the parameters: ``area_code``
        (required), ``comparator``, ``service_data``, ``dimensions``, ``period``,
        ``project_file``, ``name``. Relative paths in the file are taken from its folder.
    out : str or Path
        Output folder: the reports, ``index.html``, ``index.csv`` and ``logs/``.
    jobs : int
        Worker processes (each with one kernel). ``jobs=1`` runs in this process.
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
        from tqdm.auto import tqdm

        bar = tqdm(total=len(params), desc="reports", unit="report", initial=len(results))
    warm_ups = []
    try:
        if jobs == 1:
            _init_worker(template, warm)
            warm_ups.append(_warm_up_seconds())
            try:
                for i, p in todo:
                    results[i] = _run_in_worker(p, str(out), keep_notebooks)
                    if bar is not None:
                        bar.update(1)
            finally:
                _worker.pop("kernel").shutdown()
        elif todo:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, as_completed

            context = mp.get_context(_start_method())
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                                     initargs=(template, warm)) as pool:
                futures = {pool.submit(_run_in_worker, p, str(out), keep_notebooks): (i, p) for i, p in todo}
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
    return BatchResult(reports=ordered, index=str(index), seconds=round(seconds, 3), jobs=jobs, out=str(out),
                       warm_up_seconds=warm_ups)


def write_index(results: list[ReportResult], out: Path, *, seconds: float | None = None) -> Path:
    """Write ``index.html`` (and ``index.csv``): every report, its status, a link, and why failures failed."""
    import csv

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
        what = link(r.html, "report") + (" &middot; " + link(r.xlsx, "tables (Excel)") if r.xlsx else "")
        if not r.ok:
            what = e(r.reason) + (" (" + link(r.log, "log") + ")" if r.log else "")
        area = f"{e(r.area_name)} ({e(r.area_code)})" if r.area_name else e(r.area_code)
        rows.append(f"<tr><td>{e(r.row or '')}</td><td>{e(r.name)}</td><td>{area}</td><td>{status}</td>"
                    f"<td>{what}</td></tr>")
    n_ok = sum(r.ok for r in results)
    took = f" in {seconds:.0f} s" if seconds is not None else ""
    from .html import CSS

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
