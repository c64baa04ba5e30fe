"""Saving the project file safely, for a team whose members save into one file at once.

A save
1. takes a file lock (``filelock``) beside the project file;
2. re-reads the file and merges field by field: *base* is what this process last loaded or
   saved, *theirs* is the file now, *mine* is the project in memory. A field only one side
   changed takes that side's value; items in lists (members, quotes, measures, data
   points, PDSA cycles, driver boxes) are matched by id, so two people adding items both
   keep theirs. When both changed one field, the saver's value wins and the field is reported;
3. keeps a copy of every version it writes in a backup folder beside it
   (``<file>.backups/``; the newest 20 and the last of each day are kept), plus the
   file as it was before, if someone edited it by hand since;
4. writes a temporary file, fsyncs it and swaps it in with ``os.replace``, so a save cut
   off half-way leaves the previous version whole.

Saving on every keystroke would be wasteful, so forms call an :class:`AutoSaver`, which
waits for a pause (a :class:`Debouncer`) and can be flushed when a field loses focus.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import EquityLabError, ProjectFileError
from . import model  # model imports this module too, so its names are read at call time (model.Project)
from .schema import dump_text, parse_text, project_from_data, to_data

KEEP_RECENT = 20
LOCK_TIMEOUT = 30.0


def backup_dir(path) -> Path:
    """The folder beside the project file where its backups go."""
    path = Path(path)
    return path.with_name(path.name + ".backups")


def _lock(path: Path) -> FileLock:
    # team-mates on a shared server are different users: the lock must be usable by all of them
    return FileLock(str(path.with_name("." + path.name + ".lock")), timeout=LOCK_TIMEOUT, mode=0o666)


def read_project(path) -> model.Project:
    """Read and check a project file without a lock (callers hold one if they need it)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectFileError("There is no project file here", file=str(path),
                               hint="Create one with 'equitylab project new --title \"...\" --out FILE'") from None
    except UnicodeDecodeError as exc:
        line = text_line_of_byte(path, exc.start)
        raise ProjectFileError("The project file has characters that are not UTF-8 text", file=str(path),
                               line=line, hint="Save it as UTF-8 in your editor, or restore a backup") from None
    data, lines = parse_text(text, file=str(path))
    project = project_from_data(data, file=str(path), lines=lines)
    project._base = to_data(project)
    return project


def text_line_of_byte(path: Path, offset: int) -> int:
    return path.read_bytes()[:offset].count(b"\n") + 1


def load(path) -> model.Project:
    """Load a project file; a broken file raises :class:`ProjectFileError` naming the line and field."""
    return read_project(path)


@dataclass
class SaveResult:
    """What a save did: when, whether the file changed, and fields both sides had changed."""

    path: Path
    saved_at: datetime
    written: bool
    conflicts: list[str] = field(default_factory=list)
    backup: Path | None = None


def save(project: model.Project, path) -> SaveResult:
    """Merge ``project`` into the file at ``path`` under a lock, back up, and write atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = to_data(project)
    try:
        with _lock(path):
            conflicts: list[str] = []
            theirs = None
            if path.exists():
                try:
                    theirs = to_data(read_project(path))
                except ProjectFileError as exc:
                    raise ProjectFileError(
                        "Not saved: the file on disk was changed by hand and can no longer be read ("
                        + str(exc).rstrip(".") + ")", file=str(path), line=exc.line, field=exc.field,
                        hint="Fix that line, or run 'equitylab project restore FILE' to go back to the last good "
                             "version, then save again") from None
            if theirs is None or project._base is None:
                merged = mine
            else:
                merged, conflicts = merge(project._base, theirs, mine)
            backup = None
            written = theirs != merged
            if written:
                if theirs is not None:
                    _backup_if_new(path)
                atomic_write(path, dump_text(merged))
                backup = make_backup(path)
            result_project = project_from_data(merged, file=str(path))
            project.replace_with(result_project)
            project._base = to_data(result_project)
    except Timeout:
        raise ProjectFileError("Another save has held the project file for too long", file=str(path),
                               hint="Wait a moment and save again") from None
    return SaveResult(path, datetime.now(), written, conflicts, backup)


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, fsync, then ``os.replace``."""
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); a team's shared file keeps its own permissions
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        with contextlib.suppress(OSError):
            os.chmod(tmp, mode)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):
            dfd = os.open(path.parent, os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MISSING = object()


def merge(base, theirs, mine, _path: str = ""):
    """Three-way merge of raw project data; returns (merged, list of conflicting field paths)."""
    conflicts: list[str] = []
    merged = _merge(base, theirs, mine, _path, conflicts)
    return merged, conflicts


def _merge(base, theirs, mine, path, conflicts):
    if mine == base or mine == theirs:
        return theirs
    if theirs == base:
        return mine
    if isinstance(base, dict) and isinstance(theirs, dict) and isinstance(mine, dict):
        out = {}
        for key in list(theirs) + [k for k in mine if k not in theirs]:
            b, t, m = base.get(key, _MISSING), theirs.get(key, _MISSING), mine.get(key, _MISSING)
            value = _merge(b, t, m, f"{path}.{key}" if path else str(key), conflicts)
            if value is not _MISSING:
                out[key] = value
        return out
    if isinstance(base, list) and isinstance(theirs, list) and isinstance(mine, list):
        items = base + theirs + mine
        if items and all(isinstance(x, dict) for x in items):
            return _merge_keyed(base, theirs, mine, path, conflicts)
        if all(not isinstance(x, (dict, list)) for x in items):
            removed = [x for x in base if x not in mine]
            return [x for x in theirs if x not in removed] + [x for x in mine if x not in base and x not in theirs]
    if mine is _MISSING:
        return _MISSING if theirs == base else theirs
    conflicts.append(path or "(whole file)")
    return mine


def _key(item: dict):
    if "id" in item:
        return item["id"]
    return (str(item.get("period")), item.get("group"))


def _merge_keyed(base, theirs, mine, path, conflicts):
    b = {_key(x): x for x in base}
    m = {_key(x): x for x in mine}
    t = {_key(x): x for x in theirs}
    out = []
    for k, t_item in t.items():
        where = f"{path}[{k}]"
        if k in m:
            out.append(_merge(b.get(k, {}), t_item, m[k], where, conflicts))
        elif k in b:
            if t_item != b[k]:  # I deleted what they edited: keep their edit
                conflicts.append(where)
                out.append(t_item)
        else:
            out.append(t_item)
    for k, m_item in m.items():
        if k in t:
            continue
        if k not in b:
            out.append(m_item)
        elif m_item != b[k]:  # they deleted what I edited: keep my edit
            conflicts.append(f"{path}[{k}]")
            out.append(m_item)
    return out


def make_backup(path) -> Path:
    """Copy the current file into the backup folder and prune old backups."""
    path = Path(path)
    folder = backup_dir(path)
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    shutil.copy2(path, target)
    prune_backups(path)
    return target


def list_backups(path) -> list[Path]:
    """Backups of the project file, newest first."""
    path = Path(path)
    folder = backup_dir(path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{path.stem}-*{path.suffix}"), key=lambda p: p.name, reverse=True)


def prune_backups(path, keep: int = KEEP_RECENT) -> None:
    """Keep the newest ``keep`` backups plus the last one of each earlier day."""
    backups = list_backups(path)
    seen_days = set()
    for i, b in enumerate(backups):
        day = b.name[len(Path(path).stem) + 1:][:8]
        first_of_day = day not in seen_days
        seen_days.add(day)
        if i >= keep and not first_of_day:
            b.unlink(missing_ok=True)


def restore(path, which: str | int = "latest") -> Path:
    """Put a backup back in place of the project file; returns the backup used.

    ``which`` is ``"latest"`` (the last version equitylab saved, which rescues a file
    broken by hand), a position (0 = newest) or a backup's file name. The file being
    replaced is backed up first if no backup holds it, so a restore can be undone.
    """
    path = Path(path)
    backups = list_backups(path)
    if not backups:
        raise ProjectFileError("There are no backups of this project file yet", file=str(path))
    if which == "latest":
        chosen = backups[0]
    elif isinstance(which, int) or (isinstance(which, str) and which.isdigit()):
        index = int(which)
        if not 0 <= index < len(backups):
            raise ProjectFileError(f"There are {len(backups)} backups; choose 0 to {len(backups) - 1}",
                                   file=str(path))
        chosen = backups[index]
    else:
        matches = [b for b in backups if b.name == which or b.name.startswith(str(which))]
        if not matches:
            raise ProjectFileError(f"No backup called '{which}'", file=str(path),
                                   hint="List them with 'equitylab project restore FILE --list'")
        chosen = matches[0]
    text = chosen.read_text(encoding="utf-8")
    with _lock(path):
        if path.exists():
            _backup_if_new(path)
        atomic_write(path, text)
        make_backup(path)
    return chosen


def _backup_if_new(path: Path) -> None:
    """Back up the file as it is now unless the newest backup already holds it (a hand edit would not)."""
    backups = list_backups(path)
    if not backups or backups[0].read_bytes() != path.read_bytes():
        make_backup(path)


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


class AutoSaver:
    """Saves a project after a pause in editing, and tells listeners when it has.

    Parameters
    ----------
    project : Project
    path : path of the project file
    wait : seconds of quiet before saving (0 saves at once)
    on_saved, on_error : callables given the :class:`SaveResult` or the error
    """

    def __init__(self, project: model.Project, path, *, wait: float = 1.5, on_saved=None, on_error=None,
                 timer=threading.Timer):
        self.project, self.path = project, Path(path)
        self.lock = threading.RLock()
        self.last: SaveResult | None = None
        self.error: Exception | None = None
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
        with self.lock:
            try:
                self.last = save(self.project, self.path)
                self.error = None
            except EquityLabError as exc:
                self.error = exc
                for fn in self.on_error:
                    fn(exc)
                return None
        for fn in self.on_saved:
            fn(self.last)
        return self.last

    def status(self) -> str:
        """A short label: "Saved 14:02", "Saving…", "Not saved: ..." or "Not saved yet"."""
        if self.error is not None:
            return f"Not saved: {self.error}"
        if self.debouncer.pending:
            return "Saving…"
        if self.last is None:
            return "Not saved yet"
        return f"Saved {self.last.saved_at:%H:%M}"
