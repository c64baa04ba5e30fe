"""A chart-drawing process for one report, started before the report's kernel.

vl-convert holds the GIL while it draws, so charts drawn in the kernel stall the kernel's
own work. ``equitylab report`` for one area therefore starts this helper as its first step,
while it checks the parameters (the second core is idle then): the helper imports altair
and starts vl-convert's JavaScript engine, and is ready before the kernel's first chart.
No kernel starts until the parameters pass; a helper whose report is refused is stopped.

The kernel connects over a local socket (an authenticated :mod:`multiprocessing.connection`
in a private folder), named in its environment; it sends each chart (pickled, so the helper
also builds its spec, or as a Vega-Lite spec) and gets SVG text back while it computes the
next finding. The helper only ever draws charts. It ends when the command that started it
closes it, or exits (its standard input closes).
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

ADDRESS_ENV = "EQUITYLAB_CHART_HELPER"
KEY_ENV = "EQUITYLAB_CHART_KEY"
# How long a kernel waits for the helper's socket to appear before drawing charts itself; the helper
# makes it as it starts, well before any kernel is up. A socket that refuses means the helper died.
CONNECT_SECONDS = 20.0


class ChartHelper:
    """The command's handle on a helper process (started at once, ready a moment later)."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="equitylab-charts-")  # private (0700): the socket lives here
        self.address = os.path.join(self.folder, "charts.sock")
        self.key = secrets.token_hex(16)
        env = {**os.environ, KEY_ENV: self.key}
        # stdin is the helper's lifeline: if this process dies, the pipe closes and the helper exits
        self.process = subprocess.Popen([sys.executable, "-m", "equitylab.reports._chart_helper", self.address],
                                        env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)

    def env(self) -> dict:
        """Environment variables that let a kernel find the helper."""
        return {ADDRESS_ENV: self.address, KEY_ENV: self.key}

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=5)
            except Exception:  # noqa: BLE001 - it is stopped below either way
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Remote:
    """Kernel side: sends charts to the helper and hands back futures of (svg, seconds).

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
        address, key = os.environ.get(ADDRESS_ENV), os.environ.get(KEY_ENV)
        return cls(address, key) if address and key else None

    def submit(self, kind: str, payload, vl_version: str):
        """Queue one chart ("chart": a pickled altair chart; "spec": a Vega-Lite dict)."""
        from concurrent.futures import Future

        future = Future()
        with self._lock:
            if self._broken is not None:
                future.set_exception(self._broken)
                return future
            job_id = self._next
            self._next += 1
            self._futures[job_id] = future
        self._outbox.put(pickle.dumps((job_id, kind, payload, vl_version), protocol=pickle.HIGHEST_PROTOCOL))
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
                job_id, svg, seconds, error = pickle.loads(self._conn.recv_bytes())
                with self._lock:
                    future = self._futures.pop(job_id, None)
                if future is None:
                    continue
                if error is None:
                    future.set_result((svg, seconds))
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


def _draw(raw: bytes) -> bytes:
    from . import _svg

    job_id, kind, payload, vl_version = pickle.loads(raw)
    try:
        if kind == "chart":
            svg, seconds = _svg.chart_to_svg(payload, vl_version)
        else:
            svg, seconds = _svg.convert(payload, vl_version)
        reply = (job_id, svg, seconds, None)
    except Exception as exc:  # noqa: BLE001 - reported to the kernel, which draws this chart itself
        reply = (job_id, None, 0.0, f"{type(exc).__name__}: {exc}")
    return pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)


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


def _one_core() -> None:
    """Keep this process (and the engine threads it starts) on one core, the last one allowed.

    vl-convert's JavaScript engine runs compiler and garbage-collector threads beside the drawing,
    which otherwise take time from the kernel on the other core: on two cores this kept the
    helper to the second core and the kernel's work to the first.
    """
    try:
        allowed = sorted(os.sched_getaffinity(0))
        if len(allowed) >= 2:
            os.sched_setaffinity(0, {allowed[-1]})
    except (AttributeError, OSError):  # not Linux, or not allowed: share the cores as usual
        pass


def serve(address: str, key: str) -> None:
    """Run the helper: listen, warm up (and practise while nothing is asked), then draw charts."""
    from multiprocessing.connection import Listener

    from . import _svg

    def lifeline() -> None:  # the command that started us has gone: so do we
        try:
            sys.stdin.buffer.read()
        finally:
            os._exit(0)

    threading.Thread(target=lifeline, daemon=True).start()
    _one_core()
    listener = Listener(address, family="AF_UNIX", authkey=key.encode())
    jobs: queue.Queue = queue.Queue()
    threading.Thread(target=_receive, args=(listener, jobs), daemon=True).start()
    _svg.warm(charts=True)
    _svg.practise(stop=lambda: not jobs.empty())
    while True:
        conn, raw = jobs.get()
        if raw is None:
            conn.close()
            continue
        conn.send_bytes(_draw(raw))


if __name__ == "__main__":
    serve(sys.argv[1], os.environ.pop(KEY_ENV, ""))
