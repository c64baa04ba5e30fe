"""Chart-drawing processes for one report, started before the report's kernel.

vl-convert holds the GIL while it draws, so charts drawn in the kernel stall the kernel's
own work. ``equitylab report`` for one area therefore starts a helper as its first step,
while it checks the parameters (a core is idle then). The helper imports altair, then forks
its renderers: processes that only run vl-convert's drawing engine. The first starts its
engine at once and practises on charts like a report's (the helper builds them while it
waits for the kernel); on four cores or more there are
others, which start theirs when the kernel's first chart arrives (a report's charts take
longer to draw than the kernel takes to compute them). No kernel starts until the
parameters pass; a helper whose report is refused is stopped.

The kernel connects over a local socket (an authenticated :mod:`multiprocessing.connection`
in a private folder) named in its environment; it sends chart recipes
(:mod:`equitylab.charts.recipe`), pickled charts or Vega-Lite specs, and gets SVG text back
while it computes the next finding. The helper builds each spec (Python) and gives it to
the renderer with the least waiting. With the packaged template it also draws the area's
first charts ahead (:func:`_foresee`). It ends when the command that started it closes it,
or exits (its standard input closes).
"""
from __future__ import annotations

import os
import pickle
import queue
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading

ADDRESS_ENV = "EQUITYLAB_CHART_HELPER"   # the helper's socket path
KEY_ENV = "EQUITYLAB_CHART_KEY"
COUNT_ENV = "EQUITYLAB_CHART_RENDERERS"  # how many renderers (default: see renderer_count)
AHEAD_ENV = "EQUITYLAB_CHART_AHEAD"  # "area code,comparator": draw that area's first charts ahead
# How long a kernel waits for the helper's socket to appear before drawing charts itself; the
# helper makes it as it starts, well before any kernel is up. A socket that refuses means it died.
CONNECT_SECONDS = 20.0
# A renderer whose engine is still starting counts as this many charts behind (about 0.8 s).
STARTING_ENGINE = 6


def renderer_count() -> int:
    """Renderers for one report: one below four cores, then one per core beyond the kernel's
    and the builder's, up to three.

    A report is CPU-bound on two cores (the kernel, the builder and the renderer keep both
    busy): a second renderer there only split the same work and made the report slower."""
    chosen = os.environ.get(COUNT_ENV, "")
    if chosen.isdigit() and int(chosen) >= 1:
        return min(int(chosen), 8)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return 1 if cores < 4 else min(3, cores - 2)


def supported() -> bool:
    """Whether this system can run the helper: it forks its renderers and listens on a Unix
    socket, so Linux only (macOS discourages forking a process that has imported system
    libraries; Windows has neither). Elsewhere report kernels draw their own charts."""
    import socket

    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


class ChartHelper:
    """The command's handle on its helper process (started at once, ready a moment later)."""

    def __init__(self, renderers: int | None = None, *, area_code: str = "", comparator: str = ""):
        self.folder = tempfile.mkdtemp(prefix="equitylab-charts-")  # private (0700): the socket lives here
        self.key = secrets.token_hex(16)
        self.addresses = [os.path.join(self.folder, "charts.sock")]
        env = {**os.environ, KEY_ENV: self.key}
        if area_code:  # the report's first charts can be drawn before its kernel asks for them
            env[AHEAD_ENV] = f"{area_code},{comparator}"
        # stdin is the lifeline of the helper and its renderers: if this process dies, the pipe
        # closes and they all exit
        self.processes = [subprocess.Popen([sys.executable, "-m", "equitylab.reports._chart_helper",
                                            self.addresses[0], str(renderers or renderer_count())], env=env,
                                           stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)]

    def env(self) -> dict:
        """Environment variables that let a kernel find the helper."""
        return {ADDRESS_ENV: self.addresses[0], KEY_ENV: self.key}

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    process.stdin.close()
                except Exception:  # noqa: BLE001, S110 - it is stopped below either way
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except Exception:  # noqa: BLE001
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Remote:
    """Kernel side: sends charts to the helper and hands back futures of
    (svg, seconds, description, drawn ahead).

    Connecting, sending and receiving happen on two threads, so the kernel never waits on the
    socket while it computes. If the helper cannot be reached, every future fails and the
    caller draws the chart itself.
    """

    def __init__(self, address: str, key: str):
        self._address = address
        self._key = key.encode()
        self._futures: dict = {}
        self._lock = threading.Lock()
        self._next = 0
        self._outbox: queue.Queue = queue.Queue()
        self._conn = None
        self._broken: Exception | None = None
        self._sender = threading.Thread(target=self._send_loop, name="equitylab-chart-sender", daemon=True)
        self._sender.start()

    @classmethod
    def from_env(cls) -> Remote | None:
        """The helper named in this process's environment (a report kernel's), if any."""
        address, key = os.environ.get(ADDRESS_ENV), os.environ.get(KEY_ENV)
        return cls(address, key) if address and key else None

    def submit(self, kind: str, payload):
        """Queue one chart: "recipe" (a pickled :class:`~equitylab.charts.recipe.ChartRecipe`),
        "chart" (a pickled altair chart) or "spec" (a Vega-Lite dict). The future gives
        (svg, seconds, description, drawn ahead)."""
        from concurrent.futures import Future

        future = Future()
        with self._lock:
            if self._broken is not None:
                future.set_exception(self._broken)
                return future
            job_id = self._next
            self._next += 1
            self._futures[job_id] = future
        self._outbox.put(pickle.dumps((job_id, kind, payload), protocol=pickle.HIGHEST_PROTOCOL))
        return future

    def _connect(self):
        import time
        from multiprocessing.connection import Client

        deadline = time.monotonic() + CONNECT_SECONDS
        while True:
            try:
                return Client(self._address, family="AF_UNIX", authkey=self._key)
            except FileNotFoundError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _send_loop(self) -> None:
        try:
            self._conn = self._connect()
        except Exception as exc:  # noqa: BLE001 - no helper: the charts are drawn in the kernel
            self._fail_all(exc)
            return
        threading.Thread(target=self._receive_loop, name="equitylab-chart-receiver", daemon=True).start()
        while True:
            raw = self._outbox.get()
            if raw is None:
                break
            try:
                self._conn.send_bytes(raw)
            except Exception as exc:  # noqa: BLE001
                self._fail_all(exc)
                return
        try:
            self._conn.close()
        except Exception:  # noqa: BLE001, S110 - closing anyway
            pass

    def _receive_loop(self) -> None:
        try:
            while True:
                job_id, svg, seconds, description, error, ahead = pickle.loads(self._conn.recv_bytes())
                with self._lock:
                    future = self._futures.pop(job_id, None)
                if future is None:
                    continue
                if error is None:
                    future.set_result((svg, seconds, description, ahead))
                else:
                    future.set_exception(RuntimeError(error))
        except Exception as exc:  # noqa: BLE001 - the connection closed: anything still waiting fails
            self._fail_all(exc)

    def _fail_all(self, exc) -> None:
        with self._lock:  # from now on submit() fails at once, so no future waits for ever
            self._broken = RuntimeError(f"chart helper unavailable: {exc}")
            waiting, self._futures = self._futures, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(self._broken)

    def shutdown(self) -> None:
        """Stop sending (after the queued charts) and hang up."""
        self._outbox.put(None)
        self._sender.join(timeout=5)


def _receive(listener, jobs: queue.Queue) -> None:
    """Accept one kernel at a time and queue its jobs as they arrive (while a chart is drawn, so
    the kernel never blocks sending); ``(conn, None)`` marks a kernel that hung up."""
    while True:
        try:
            conn = listener.accept()
        except Exception:  # noqa: BLE001, S112 - a client that failed to authenticate
            continue
        try:
            while True:
                jobs.put((conn, conn.recv_bytes()))
        except Exception:  # noqa: BLE001 - the kernel hung up
            jobs.put((conn, None))


def serve(address: str, key: str, renderers: int = 1) -> None:
    """Run the helper: import what building charts needs, fork the renderers, then build."""
    from multiprocessing import Pipe

    from . import _svg

    _svg.prepare()  # pandas and altair, for the builder (the renderers, forked after, only draw)
    ends = []
    for i in range(max(1, renderers)):
        mine, theirs = Pipe()
        if os.fork() == 0:
            mine.close()
            _render(theirs, first=i == 0)  # never returns
        theirs.close()
        ends.append(mine)
    _lifeline()
    _build(address, key, ends)


def _lifeline() -> None:
    """Exit when the command that started us has gone (our standard input closes)."""
    def wait() -> None:
        try:
            sys.stdin.buffer.read()
        finally:
            os._exit(0)

    threading.Thread(target=wait, daemon=True).start()


def _render(conn, *, first: bool) -> None:
    """A renderer: draw each spec it is sent. The first starts its engine at once; the others
    start theirs when told (a ``None`` token)."""
    from . import _svg

    _lifeline()
    try:
        if first:
            _svg.warm()
        while True:
            token, spec, version = conn.recv()
            if token is None:
                _svg.warm()
                continue
            try:
                svg, seconds = _svg.convert(spec, version)
                conn.send((token, svg, seconds, None))
            except Exception as exc:  # noqa: BLE001 - reported to the kernel, which draws it itself
                conn.send((token, None, 0.0, f"{type(exc).__name__}: {exc}"))
    finally:
        os._exit(0)


class _Renderers:
    """The builder's view of its renderers: who has how much waiting, and who is still starting."""

    def __init__(self, ends: list):
        self.ends = ends
        self.waiting = [0] * len(ends)
        self.ready = [i == 0 for i in range(len(ends))]  # the first started its engine at once
        self.woken = [i == 0 for i in range(len(ends))]
        self.lock = threading.Lock()

    def wake(self, version: str) -> None:
        """Start every renderer's engine (the kernel's charts are coming)."""
        for i, end in enumerate(self.ends):
            if not self.woken[i]:
                self.woken[i] = True
                end.send((None, None, version))

    def send(self, token: int, spec: dict, version: str) -> None:
        with self.lock:
            i = min(range(len(self.ends)),
                    key=lambda k: self.waiting[k] + (0 if self.ready[k] else STARTING_ENGINE))
            self.waiting[i] += 1
        self.ends[i].send((token, spec, version))

    def done(self, i: int) -> None:
        with self.lock:
            self.waiting[i] -= 1
            self.ready[i] = True


def _build(address: str, key: str, ends: list) -> None:
    """The builder: take kernels' jobs, build specs, pass them to a renderer, relay the SVG back.

    Before the first job it draws ahead (see :func:`_foresee`): a kernel's chart whose recipe is
    byte for byte one drawn ahead gets that drawing at once.
    """
    import time
    from multiprocessing.connection import Listener

    from . import _svg

    listener = Listener(address, family="AF_UNIX", authkey=key.encode())
    jobs: queue.Queue = queue.Queue()
    threading.Thread(target=_receive, args=(listener, jobs), daemon=True).start()
    renderers = _Renderers(ends)
    sending = threading.Lock()  # replies go out from several threads
    lock = threading.Lock()
    waiting: dict = {}  # token -> (kernel connection or None when drawn ahead, job id or recipe, description, seconds)
    ahead: dict = {}  # recipe bytes -> (svg, seconds, description, error) once drawn ahead
    wanted: dict = {}  # recipe bytes still being drawn ahead -> [(kernel connection, job id)]

    def reply(conn, message) -> None:
        with sending:
            try:
                conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
            except Exception:  # noqa: BLE001, S110 - that kernel has gone
                pass

    def relay(i: int) -> None:
        try:
            while True:
                token, svg, seconds, error = ends[i].recv()
                renderers.done(i)
                with lock:
                    conn, job, description, building = waiting.pop(token)
                if job is None:  # practice
                    continue
                if conn is not None:
                    reply(conn, (job, svg, building + seconds, description, error, False))
                    continue
                with lock:  # drawn ahead: keep it, and answer kernels that asked meanwhile
                    ahead[job] = (svg, building + seconds, description, error)
                    asked = wanted.pop(job, [])
                for kernel, job_id in asked:
                    reply(kernel, (job_id, svg, building + seconds, description, error, True))
        finally:  # a renderer has gone: so do we, and kernels draw their charts themselves
            os._exit(0)

    for i in range(len(ends)):
        threading.Thread(target=relay, args=(i,), daemon=True).start()
    version = _svg.vl_version()
    token = 0
    for blob in _foresee():
        try:
            started = time.perf_counter()
            spec, description = _svg.job_to_spec("recipe", blob)
        except Exception:  # noqa: BLE001, S112 - only a guess
            continue
        token += 1
        with lock:
            wanted[blob] = []
            waiting[token] = (None, blob, description, time.perf_counter() - started)
        renderers.send(token, spec, version)
    if jobs.empty():
        # The engine compiles its drawing code as it first runs it: charts like the report's later
        # ones (group comparisons, SPC and gap charts), drawn once now, make those faster.
        try:
            practice = _svg.practice_specs()
        except Exception:  # noqa: BLE001 - practice only
            practice = []
        for spec in practice:
            token += 1
            with lock:
                waiting[token] = (None, None, "", 0.0)
            renderers.send(token, spec, version)
    while True:
        conn, raw = jobs.get()
        if raw is None:
            conn.close()
            continue
        renderers.wake(version)
        job_id, kind, payload = pickle.loads(raw)
        if kind == "recipe":
            with lock:
                done = ahead.get(payload)
                if done is None and payload in wanted:
                    wanted[payload].append((conn, job_id))
                    continue
            if done is not None:
                svg, seconds, description, error = done
                reply(conn, (job_id, svg, seconds, description, error, True))
                continue
        started = time.perf_counter()
        try:
            spec, description = _svg.job_to_spec(kind, payload)
        except Exception as exc:  # noqa: BLE001 - reported to the kernel, which draws it itself
            reply(conn, (job_id, None, 0.0, "", f"{type(exc).__name__}: {exc}", False))
            continue
        token += 1
        with lock:
            waiting[token] = (conn, job_id, description, time.perf_counter() - started)
        renderers.send(token, spec, version)


def _foresee() -> list[bytes]:
    """Recipes of the charts the report template draws first, for the area named in the
    environment (:data:`AHEAD_ENV`: "area code,comparator"), pickled as the kernel pickles them.

    The first section of an equity report (the area's deprivation, ethnic mix and life
    expectancy) depends on the area alone, so the helper can draw its charts while the kernel
    is still starting. A guess costs nothing if it is wrong: a kernel's chart is answered from
    here only when its recipe is byte for byte the same, else drawn as usual.
    """
    import warnings

    area, _, comparator = os.environ.get(AHEAD_ENV, "").partition(",")
    if not area:
        return []
    from .. import profile
    from ..charts import recipe

    try:
        recipe.defer(True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            findings = [profile.deprivation_profile(area), profile.ethnic_mix(area, comparator or "E92000001"),
                        profile.life_expectancy_between_areas(area)]
        return [pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) for f in findings for c in f.charts]
    except Exception:  # noqa: BLE001 - an unknown area and the like: the report fails in its own checks
        return []
    finally:
        recipe.defer(False)


if __name__ == "__main__":
    serve(sys.argv[1], os.environ.pop(KEY_ENV, ""), int(sys.argv[2]) if len(sys.argv) > 2 else 1)
