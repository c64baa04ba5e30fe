"""Run one equity report: check the parameters, execute the template, publish HTML and tables.

::

    from equitylab.reports import run
    result = run("E09000012", out="reports")        # Hackney, synthetic service data
    result.status, result.html, result.xlsx

The template (``notebooks/equity_report.ipynb``) is executed by papermill in memory; the
executed notebook is written only when ``keep_notebook=True``. A report that fails leaves
a log (``logs/NAME.log``) that names the cell, the error and row numbers, with anything
that could identify a person removed.
"""
from __future__ import annotations

import copy
import datetime as dt
import re
import subprocess
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import papermill as pm
from jupyter_client.manager import AsyncKernelManager
from papermill.exceptions import PapermillExecutionError

from .. import __version__
from .._paths import notebooks_dir
from ..errors import DataError, EquityLabError
from ..loaders.areas import area_info
from ..pdf import PdfUnavailable, html_to_pdf
from . import html, tables
from .params import DEFAULT_DIMENSIONS, ENGLAND, ReportParameters, check
from .scrub import identifying_values, scrub

TEMPLATE = "equity_report.ipynb"
CELL_TIMEOUT = 600  # seconds for any one cell; a stuck report fails instead of holding up a batch


@dataclass
class ReportResult:
    """What happened to one report.

    Attributes
    ----------
    name : file stem of the report's outputs.
    area_code : the area (as given, if it was not valid).
    status : "ok" or "failed".
    reason : one line saying why it failed ("" when ok); never holds identifying values.
    html : path of the HTML report (None when failed).
    pdf : path of the same page printed to PDF by a browser (None when failed or no browser: see ``pdf_note``).
    xlsx : path of the Excel workbook of its tables.
    csv : paths of its tables as CSV files.
    notebook : path of the executed notebook (only with ``keep_notebook``).
    log : path of the failure log (None when ok).
    pdf_note : why no PDF was written ("" when it was).
    row : the batch file row (None outside a batch).
    seconds : wall time for this report, from starting its kernel to files written.
    """

    name: str
    area_code: str
    status: str
    reason: str = ""
    html: str | None = None
    pdf: str | None = None
    xlsx: str | None = None
    csv: list[str] = field(default_factory=list)
    notebook: str | None = None
    log: str | None = None
    row: int | None = None
    seconds: float = 0.0
    area_name: str = ""
    pdf_note: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict:
        return asdict(self)


class QuietKernelManager(AsyncKernelManager):
    """A kernel whose own chatter on its stderr (ipykernel's transport warning, its note on being
    interrupted at shutdown) stays out of the advisor's terminal. What the notebook's cells print, and
    their errors, still come back through papermill and into the failure log."""

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        kw["stderr"] = subprocess.DEVNULL
        return await super()._async_launch_kernel(kernel_cmd, **kw)


def template_path(template=None) -> Path:
    """The report template: ``template`` if given, else the packaged ``equity_report.ipynb``."""
    path = Path(template) if template else notebooks_dir() / TEMPLATE
    if not path.is_file():
        raise DataError("The report template was not found", file=str(path),
                        hint="Reinstall equitylab, or pass template= the path of a report notebook")
    return path


def load_template(template=None):
    return nbformat.read(str(template_path(template)), as_version=4)


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_OWN_ERRORS = {"DataError", "ProjectFileError", "SourceUnavailable", "NotPublishable", "EquityLabError"}
_UNEXPECTED = "The report could not be built because of a fault in equitylab; its log says where"


def _failure_text(exc, nb) -> tuple[str, str]:
    """(one-line reason, log body) for an exception raised while running a report."""
    if isinstance(exc, PapermillExecutionError):
        cell = ""
        for c in (nb.cells if nb is not None else []):
            if c.cell_type == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", [])):
                lines = [line for line in c.source.strip().splitlines() if not line.startswith("#")]
                cell = lines[0] if lines else ""
                break
        evalue = _ANSI.sub("", str(exc.evalue)).strip()
        # the reason an advisor reads in the index: equitylab's own message, or plain words for a bug of
        # ours; the exception's name and traceback go to the log only
        reason = evalue if exc.ename in _OWN_ERRORS else _UNEXPECTED
        frames = [line for line in (_ANSI.sub("", t) for t in exc.traceback or []) if line.strip()]
        body = (f"stage: running the template\ncell: {exc.exec_count or exc.cell_index}"
                + (f"\ncode: {cell}" if cell else "")
                + f"\nerror: {exc.ename}: {evalue}\n\ntraceback:\n" + "\n".join(frames))
        return reason, body
    if isinstance(exc, EquityLabError):
        return str(exc), f"stage: checking and publishing\nerror: {type(exc).__name__}: {exc}"
    return (_UNEXPECTED, f"stage: running the template\nerror: {type(exc).__name__}: {exc}")


def write_log(out: Path, params: ReportParameters, reason: str, body: str) -> tuple[str, Path]:
    """Write a scrubbed failure log; return (scrubbed reason, path)."""
    known = identifying_values(params.service_data) if params.service_data else set()
    reason = scrub(reason.splitlines()[0] if reason else "failed", known)
    head = [f"report: {params.name}", f"area_code: {params.area_code}"]
    if params.row is not None:
        head.append(f"batch file row: {params.row}")
    text = "\n".join(head) + "\nstatus: failed\n" + body
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    path = logs / f"{params.name}.log"
    stamp = f"written: {dt.datetime.now():%Y-%m-%d %H:%M}\n"  # added after scrubbing, which removes dates
    path.write_text(stamp + scrub(text, known) + "\n", encoding="utf-8")
    return reason, path


def failed_result(out: Path, params: ReportParameters, exc, nb=None, *, seconds=0.0) -> ReportResult:
    reason, body = _failure_text(exc, nb)
    reason, log = write_log(out, params, reason, body)
    return ReportResult(name=params.name, area_code=params.area_code, status="failed", reason=reason,
                        log=str(log), row=params.row, seconds=round(seconds, 3),
                        area_name=_area_name(params.area_code))


def execute(params: ReportParameters, out: Path, template_nb, *, keep_notebook: bool = False) -> ReportResult:
    """Run one checked report with papermill (a fresh kernel) and publish it into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    nb = copy.deepcopy(template_nb)
    try:
        nb = pm.execute_notebook(nb, None, parameters=params.notebook_parameters(), kernel_name="python3",
                                 progress_bar=False, report_mode=True, execution_timeout=CELL_TIMEOUT,
                                 kernel_manager_class=QuietKernelManager)
    except PapermillExecutionError as exc:
        return _keep(failed_result(out, params, exc, nb, seconds=time.perf_counter() - started), nb, out,
                     params, keep_notebook)
    except Exception as exc:  # noqa: BLE001 - a kernel crash or timeout fails this report, not the batch
        return failed_result(out, params, exc, None, seconds=time.perf_counter() - started)
    area = _area_name(params.area_code)
    try:
        page = html.notebook_to_html(nb, title=f"Equity profile: {area}" if area else "Equity profile",
                                     footer=_footer())
        found = tables.extract_tables(nb)
        tables.check_publishable(page, found)
    except Exception as exc:  # noqa: BLE001
        return failed_result(out, params, exc, None, seconds=time.perf_counter() - started)
    for stale in (out / f"{params.name}_tables").glob("*.csv"):
        stale.unlink()
    target = out / f"{params.name}.html"
    target.write_text(page, encoding="utf-8")
    csvs, xlsx = tables.write_tables(found, out, params.name)
    try:  # the HTML is the report; the PDF is a print of it
        pdf, pdf_note = str(html_to_pdf(target, out / f"{params.name}.pdf")), ""
    except PdfUnavailable as exc:
        pdf, pdf_note = None, str(exc)
    result = ReportResult(name=params.name, area_code=params.area_code, status="ok", html=str(target), pdf=pdf,
                          pdf_note=pdf_note, xlsx=str(xlsx) if xlsx else None, csv=[str(p) for p in csvs],
                          row=params.row, seconds=round(time.perf_counter() - started, 3), area_name=area)
    log = out / "logs" / f"{params.name}.log"
    if log.exists():
        log.unlink()  # an earlier failure of this report no longer applies
    return _keep(result, nb, out, params, keep_notebook)


def _keep(result: ReportResult, nb, out: Path, params: ReportParameters, keep: bool) -> ReportResult:
    if keep and nb is not None:
        folder = out / "notebooks"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{params.name}.ipynb"
        nbformat.write(nb, str(path))
        result.notebook = str(path)
    return result


def _area_name(code: str) -> str:
    try:
        return str(area_info(code)["name"])
    except EquityLabError:
        return ""


def _footer() -> str:
    return (f"Made with equitylab {__version__} on {dt.date.today():%d %B %Y}. The findings describe differences "
            "in the data; they do not say what causes them. Counts from 1 to 7 are hidden.")


def run(area_code: str, *, out="reports", service_data: str = "", project_file: str = "",
        comparator: str = ENGLAND, dimensions: str = DEFAULT_DIMENSIONS, period: str = "", name: str = "",
        mapping: str = "", bad_rows: str = "error", keep_notebook: bool = False, template=None) -> ReportResult:
    """Build one equity report for an area (or a team's extract) into ``out``.

    Parameters
    ----------
    area_code : str
        ONS code of the area, e.g. "E09000012" (Hackney). Checked before any kernel starts:
        an unknown code raises :class:`~equitylab.errors.DataError` with close matches.
    out : str or Path
        Folder for ``NAME.html``, ``NAME.pdf`` (printed by a browser), ``NAME.xlsx`` and ``NAME_tables/*.csv``.
    service_data : str
        The team's service extract; "" uses the synthetic teaching extract (labelled).
    project_file : str
        The team's project file, for the aim and driver diagram; "" leaves them out.
    comparator : str
        ONS code of the area to compare with (England by default).
    dimensions : str
        Grouping dimensions, comma-separated: ethnicity, sex, age_band, deprivation.
    period : str
        Referral dates to include, "2023-04-01:2024-03-31"; "" for the whole extract.
    name : str
        File stem of the outputs (default: the area code).
    mapping : str
        A YAML file naming the extract's headers equitylab does not know; "" for none.
    bad_rows : str
        "error" (the report fails, listing every problem in the extract) or "exclude" (the
        rows at fault are left out and the report says how many and why).
    keep_notebook : bool
        Also keep the executed notebook (``out/notebooks/NAME.ipynb``).
    template : path, optional
        Another report notebook with the same parameters.

    Returns
    -------
    ReportResult
        ``status`` "ok" with the paths written, or "failed" with ``reason`` and ``log``.
    """
    params = check(ReportParameters(area_code=area_code, comparator=comparator, service_data=service_data,
                                    dimensions=dimensions, period=period, project_file=project_file, name=name,
                                    mapping=mapping, bad_rows=bad_rows))
    return execute(params, Path(out), load_template(template), keep_notebook=keep_notebook)
