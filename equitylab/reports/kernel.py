"""A kernel that stays up between reports, run through papermill.

Starting a Python kernel and importing pandas, altair and equitylab into it takes longer
than computing one area's report. A batch worker therefore starts one kernel, warms it
(imports only), and runs each report through ``papermill.execute_notebook`` on that
kernel with the registered engine ``"equitylab-warm"``. Before each report the kernel's
namespace is wiped (``%reset -f``), so one report cannot see another's variables; only
imported modules (and their read-only caches of the packaged data) carry over.

The template stays an ordinary notebook: the same file runs in JupyterLab, with the
papermill command line, or here.
"""
from __future__ import annotations

import os
import subprocess
import time

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

from ._fast import KERNEL_LINE

ENGINE = "equitylab-warm"
_RESET = "get_ipython().run_line_magic('reset', '-f')\n"
# What the report template imports (including what the profile functions import on first
# call) and, where charts are drawn in the kernel, altair and the first vl-convert call, which
# starts its JavaScript engine.
WARM_UP = """\
import importlib, os
_names = ["pandas", "equitylab.profile", "equitylab.reports.display", "equitylab.synthetic",
          "equitylab.loaders.population", "equitylab.loaders.fingertips", "equitylab.reports._chart_helper"]
if os.environ.get("EQUITYLAB_REPORT") != "process":  # with a chart helper, charts are built there
    _names += ["altair", "vl_convert", "equitylab.charts.context", "equitylab.charts.measures"]
for _name in _names:
    try:
        importlib.import_module(_name)
    except Exception:
        pass
try:  # public names only: importing a submodule named like its function would hide the function
    from equitylab.measures import access_vs_population, compare, proportion, sii, suppress
    from equitylab.spc import control_chart, gap_chart, run_chart
except Exception:
    pass
if os.environ.get("EQUITYLAB_REPORT") != "process":  # charts drawn here (not in a helper): start the engine now
    try:
        from equitylab.reports import _svg
        _svg.warm()
    except Exception:
        pass
"""


class WarmKernel:
    """One running Python kernel and its client, reused for many notebooks.

    Parameters
    ----------
    kernel_name : str
        The Jupyter kernel to start ("python3").
    cwd : str, optional
        The kernel's working directory (report templates use absolute paths only).
    charts : {"process", "inline"}
        Where the kernel draws charts: in a helper process while it computes the next finding
        (one report at a time: it uses a second core), or in turn (batches, where ``jobs``
        already sets how many cores are used).
    helper : ChartHelper, optional
        The helper for ``charts="process"``, if one was started already (``run`` starts it
        while it checks the parameters); otherwise the kernel starts its own.
    """

    def __init__(self, kernel_name: str = "python3", cwd: str | None = None, startup_timeout: float = 60,
                 charts: str = "process", helper=None):
        if charts not in ("process", "inline"):
            raise ValueError("charts must be 'process' or 'inline'")
        self.charts = charts
        self.helper = helper
        self._own_helper = False
        self.kernel_name = kernel_name
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.km = None
        self.kc = None
        self.start_seconds = 0.0
        self.reports_run = 0
        self.last_nb = None
        self.table_sink = None  # called with each table output as it arrives (see html.TableCollector)

    def start(self, *, wait: bool = True) -> WarmKernel:
        """Launch the kernel; with ``wait=False`` return at once (call :meth:`wait_ready` later)."""
        from jupyter_client import KernelManager

        self._started = time.perf_counter()
        self.km = KernelManager(kernel_name=self.kernel_name)
        # the kernel's own start-up chatter (transport warnings) is not the report's business
        env = {**os.environ, "EQUITYLAB_REPORT": self.charts}  # report mode, and where charts are drawn
        if self.charts == "process" and self.helper is None:
            from ._chart_helper import ChartHelper, supported

            if supported():
                self.helper, self._own_helper = ChartHelper(), True
            else:  # no helper on this system: the kernel draws its own charts
                env["EQUITYLAB_REPORT"] = "inline"
        if self.charts == "process" and self.helper is not None:
            env.update(self.helper.env())
        self.km.start_kernel(cwd=self.cwd, extra_arguments=["--HistoryManager.hist_file=:memory:",
                                                            f"--IPKernelApp.exec_lines={KERNEL_LINE}"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.reports_run = 0
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self) -> WarmKernel:
        """Block until the kernel answers; records ``start_seconds`` from launch."""
        try:
            self.kc.wait_for_ready(timeout=self.startup_timeout)
        except Exception:
            self.shutdown()
            raise
        self.kc.allow_stdin = False
        self.start_seconds = time.perf_counter() - self._started
        return self

    @property
    def alive(self) -> bool:
        return self.km is not None and self.km.is_alive()

    def ensure(self) -> WarmKernel:
        """Start the kernel if it is not running (first use, or after a crash or timeout)."""
        if not self.alive:
            self.shutdown()
            self.start()
        return self

    def run_code(self, code: str, timeout: float = 120) -> None:
        """Run code silently (warm-up imports); errors are ignored here and show in the report."""
        reply = self.kc.execute_interactive(code, silent=True, store_history=False, timeout=timeout,
                                            output_hook=lambda msg: None)
        return reply

    def warm(self, code: str = WARM_UP, *, wait: bool = True) -> float:
        """Import the heavy modules now, so the first report does not wait for them.

        With ``wait=False`` the imports are only queued: the kernel does them while this
        process gets on with its own work (on two cores, at the same time), and the first
        notebook cell runs after them.
        """
        started = time.perf_counter()
        if wait:
            self.run_code(code)
        else:
            self.kc.execute(code, silent=True, store_history=False)
        return time.perf_counter() - started

    def shutdown(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001, S110 - shutting down anyway
                pass
        if self.km is not None:
            try:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
                self.km.cleanup_resources()
            except Exception:  # noqa: BLE001, S110 - shutting down anyway
                pass
        self.kc = None
        self.km = None
        if self._own_helper and self.helper is not None:
            self.helper.close()
            self.helper, self._own_helper = None, False

    def __enter__(self):
        return self.ensure()

    def __exit__(self, *exc):
        self.shutdown()


class _WarmClient(PapermillNotebookClient):
    """papermill's client, on a running kernel whose namespace is wiped first."""

    def __init__(self, nb_man, *, warm_kernel: WarmKernel, **kw):
        super().__init__(nb_man, km=warm_kernel.km, **kw)
        self.kc = warm_kernel.kc
        self.owns_km = False
        self._table_sink = warm_kernel.table_sink

    def papermill_execute_cells(self):
        msg_id = self.kc.execute(_RESET, silent=True, store_history=False)
        self.wait_for_reply(msg_id)
        super().papermill_execute_cells()

    def output(self, outs, msg, display_id, cell_index):
        out = super().output(outs, msg, display_id, cell_index)
        sink = self._table_sink
        if sink is not None and out is not None:
            from .display import TABLE_MIME

            payload = (out.get("data") or {}).get(TABLE_MIME)
            if payload:
                sink(payload)  # the report's tables are checked and prepared while the kernel works on
        return out


class WarmEngine(NBClientEngine):
    """papermill engine that runs the notebook on a :class:`WarmKernel` (``warm_kernel=``)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                 stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
        warm_kernel = kwargs.pop("warm_kernel")
        for key in ("input_path", "timeout", "startup_timeout"):
            kwargs.pop(key, None)
        warm_kernel.last_nb = nb_man.nb  # kept so a failure can name the cell that failed
        client = _WarmClient(nb_man, warm_kernel=warm_kernel, timeout=execution_timeout,
                             startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                             log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                             **kwargs)
        result = client.execute(cleanup_kc=False)
        warm_kernel.reports_run += 1
        return result


papermill_engines.register(ENGINE, WarmEngine)
