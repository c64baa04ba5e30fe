"""Saving while a person types: wait for a pause, then save, and always say how it went.

Forms call an :class:`AutoSaver`, which waits for a pause in editing (a :class:`Debouncer`)
and can be flushed when a field loses focus. Every save ends in one of two visible states:
``on_saved`` is called with the :class:`~equitylab.workbook.store.SaveResult` (which may
carry a note, such as a backup that could not be kept or a team-mate's later answer), or
``on_error`` is called with a plain-English :class:`~equitylab.errors.EquityLabError` and
:meth:`AutoSaver.status` starts with "Not saved". No exception escapes to the form, whatever
went wrong, because a debounced save runs on a timer thread where an exception would vanish.
"""
from __future__ import annotations

import threading
from pathlib import Path

from ..errors import EquityLabError, ProjectFileError
from .model import Project
from .store import LOCK_TIMEOUT, SaveResult, save


class Debouncer:
    """Call ``fn`` once activity pauses for ``wait`` seconds, however many triggers come first.

    ``flush()`` runs a pending call now (for example when a field loses focus). With
    ``wait=0`` calls run at once, which is what tests use. ``timer`` makes threading
    replaceable in tests.
    """

    def __init__(self, fn, wait: float = 1.5, *, timer=threading.Timer):
        self.fn, self.wait, self._timer_factory = fn, wait, timer
        self._timer = None
        self._lock = threading.RLock()
        self.calls = 0

    @property
    def pending(self) -> bool:
        return self._timer is not None

    def trigger(self) -> None:
        with self._lock:
            self.cancel()
            if self.wait <= 0:
                self._fire()
                return
            self._timer = self._timer_factory(self.wait, self._fire)
            self._timer.daemon = True
            self._timer.start()

    __call__ = trigger

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None

    def flush(self) -> None:
        with self._lock:
            if self._timer is not None:
                self.cancel()
                self._fire()

    def _fire(self) -> None:
        with self._lock:
            self._timer = None
            self.calls += 1
        self.fn()


def plain_error(exc: BaseException, path) -> EquityLabError:
    """Any error from a save, as a plain-English equitylab error that starts "Not saved"."""
    if isinstance(exc, EquityLabError):
        return exc
    return ProjectFileError("Not saved: something unexpected went wrong while writing the file",
                            file=str(path), hint="Your answers are still in the form; press Save now to try "
                                                 "again, and tell your facilitator if it happens again")


class AutoSaver:
    """Saves a project after a pause in editing, and tells listeners whether it did.

    Parameters
    ----------
    project : Project
    path : path of the project file
    wait : seconds of quiet before saving (0 saves at once)
    on_saved, on_error : callables given the :class:`SaveResult` or the plain-English error
    lock_timeout : seconds to wait for a team-mate's save to finish before saying so
    """

    def __init__(self, project: Project, path, *, wait: float = 1.5, on_saved=None, on_error=None,
                 timer=threading.Timer, lock_timeout: float = LOCK_TIMEOUT):
        self.project, self.path = project, Path(path)
        self.lock = threading.RLock()
        self.last: SaveResult | None = None
        self.error: EquityLabError | None = None
        self.lock_timeout = lock_timeout
        self.on_saved = [on_saved] if on_saved else []
        self.on_error = [on_error] if on_error else []
        self.debouncer = Debouncer(self.save_now, wait, timer=timer)

    def changed(self) -> None:
        """Something in the project changed: save after the next pause."""
        self.debouncer.trigger()

    def flush(self) -> None:
        """Save now if a save is waiting (call on blur or before closing)."""
        self.debouncer.flush()

    def save_now(self) -> SaveResult | None:
        """Save at once; returns the result, or None after telling ``on_error`` why not."""
        with self.lock:
            try:
                self.last = save(self.project, self.path, lock_timeout=self.lock_timeout)
                self.error = None
            except Exception as exc:  # noqa: BLE001  (any failure must reach the person, in words)
                self.error = plain_error(exc, self.path)
        if self.error is not None:
            for fn in self.on_error:
                fn(self.error)
            return None
        for fn in self.on_saved:
            fn(self.last)
        return self.last

    def status(self) -> str:
        """A short label: "Saved 14:02", "Saving…", "Not saved: ..." or "Not saved yet"."""
        if self.error is not None:
            text = str(self.error)
            return text if text.startswith("Not saved") else f"Not saved: {text}"
        if self.debouncer.pending:
            return "Saving…"
        if self.last is None:
            return "Not saved yet"
        note = " (no backup kept)" if self.last.backup_problem else ""
        return f"Saved {self.last.saved_at:%H:%M}{note}"
