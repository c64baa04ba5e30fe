"""Saving the project file safely, for a team whose members save into one file at once.

A save
1. takes a file lock (``filelock``) beside the project file;
2. re-reads the file and merges field by field: *base* is what this process last loaded or
   saved, *theirs* is the file now, *mine* is the project in memory. A field only one side
   changed takes that side's value; items in lists (members, quotes, measures, data
   points, PDSA cycles, driver boxes) are matched by id, so two people adding items both
   keep theirs. When both changed one field, the saver's value wins and the field is reported;
   When a team-mate's later save changed an answer this process wrote earlier, the save
   says so in words (:attr:`SaveResult.replaced`): their answer stays, and the earlier
   text is in a backup;
3. keeps a copy of every version it writes in a backup folder beside it
   (``<file>.backups/``; the newest 20 and the last of each day are kept), plus the
   file as it was before, if someone edited it by hand since. A backup that cannot be
   written never stops the save: the result says why (:attr:`SaveResult.backup_problem`);
4. writes a temporary file, fsyncs it and swaps it in with ``os.replace``, so a save cut
   off half-way leaves the previous version whole.

Team-mates on one server are different system users of the team's group: in a shared folder
(group-writable, as ``equitylab cohort add`` makes it) new files are 0660, the backup folder
has the team folder's mode, and the lock is 0660, never world-writable. Every failure is a
:class:`~equitylab.errors.ProjectFileError` in plain words, never a bare ``OSError``.
Forms save through :class:`~equitylab.workbook.autosave.AutoSaver`.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from filelock import FileLock, Timeout

from .. import safe_yaml
from ..errors import ProjectFileError
from . import model  # model imports this module too, so its names are read at call time (model.Project)
from .schema import dump_text, parse_text, project_from_data, to_data

KEEP_RECENT = 20
LOCK_TIMEOUT = 30.0  # seconds a save waits for a team-mate's; a parameter of save() and AutoSaver
SHARED_FILE_MODE = 0o660  # in a team's group-writable folder: the team reads and writes, nobody else


def backup_dir(path) -> Path:
    """The folder beside the project file where its backups go."""
    path = Path(path)
    return path.with_name(path.name + ".backups")


def lock_path(path) -> Path:
    path = Path(path)
    return path.with_name("." + path.name + ".lock")


def _lock(path: Path, timeout: float = LOCK_TIMEOUT) -> FileLock:
    # team-mates on a shared server are different users of one group: the lock is theirs, not the world's
    return FileLock(str(lock_path(path)), timeout=timeout, mode=0o660 if _shared(path.parent) else 0o600)


def _shared(folder: Path) -> bool:
    """Is ``folder`` a team's shared folder (group-writable)?"""
    try:
        return bool(folder.stat().st_mode & stat.S_IWGRP)
    except OSError:
        return False


def _new_file_mode(folder: Path) -> int:
    if _shared(folder):
        return SHARED_FILE_MODE
    return 0o666 & ~_umask()


def read_project(path) -> model.Project:
    """Read and check a project file without a lock (callers hold one if they need it)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > safe_yaml.MAX_BYTES:  # refuse before reading a huge file into memory
            raise safe_yaml.too_big(size, file=str(path), what="The project file")
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
    #: answers this process saved earlier that a team-mate has since changed (theirs is kept)
    replaced: list[str] = field(default_factory=list)
    #: why no backup was kept this time ("" if it was); the save itself went through
    backup_problem: str = ""

    def notes(self) -> list[str]:
        """What the person saving should be told, in words (empty when nothing needs saying)."""
        out = []
        if self.conflicts:
            out.append("A team-mate changed the same answer at the same time; yours is saved and theirs is "
                       f"kept in the backups: {field_words(self.conflicts)}")
        if self.replaced:
            out.append(f"A team-mate saved a different answer after yours to {field_words(self.replaced)}; "
                       "theirs is in the file now and your earlier text is kept in the backups "
                       f"(see them with 'equitylab project restore {self.path} --list')")
        if self.backup_problem:
            out.append(f"Saved, but no backup was kept: {self.backup_problem}")
        return out


def field_words(paths) -> str:
    """Field paths as words: ``best_chance.diverse_team.where_we_are`` -> "best chance › diverse team › where we are"."""
    return "; ".join(p.replace("_", " ").replace(".", " › ") for p in paths)


def save(project: model.Project, path, *, lock_timeout: float = LOCK_TIMEOUT) -> SaveResult:
    """Merge ``project`` into the file at ``path`` under a lock, back up, and write atomically.

    Waits up to ``lock_timeout`` seconds for a team-mate's save. Raises
    :class:`ProjectFileError` (in words) if the file cannot be read or written.
    """
    path = Path(path)
    try:
        return _save(project, path, lock_timeout)
    except Timeout:
        raise ProjectFileError("Not saved: a team-mate's save has held the project file for too long",
                               file=str(path), hint="Wait a moment and save again") from None
    except OSError as exc:
        raise os_problem(exc, path, "Not saved") from None


def os_problem(exc: OSError, path: Path, doing: str) -> ProjectFileError:
    """An operating-system error while reading or saving ``path``, in words."""
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return ProjectFileError(f"{doing}: you do not have permission to use this file or its folder",
                                file=str(exc.filename or path),
                                hint="On a hub, ask your facilitator to add you to this team "
                                     "('equitylab cohort add'), then restart your server")
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ProjectFileError(f"{doing}: the disk is full", file=str(path),
                                hint="Tell your facilitator; your answers are still in the form")
    return ProjectFileError(f"{doing}: the computer could not read or write the file ({exc.strerror or exc})",
                            file=str(path), hint="Try again; tell your facilitator if it happens again")


def _save(project: model.Project, path: Path, lock_timeout: float) -> SaveResult:
    path.parent.mkdir(parents=True, exist_ok=True)
    mine = to_data(project)
    with _lock(path, lock_timeout):
        conflicts: list[str] = []
        replaced: list[str] = []
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
        base = project._base
        mine_changed = changed_paths(base, mine) if base is not None else []
        if theirs is None or base is None:
            merged = mine
        else:
            merged, conflicts = merge(base, theirs, mine)
            replaced = [p for p in changed_paths(base, theirs)
                        if _overlaps(p, project._written) and not _overlaps(p, mine_changed)]
        backup, problem = None, ""
        written = theirs != merged
        if written:
            if theirs is not None:
                _, problem = _try_backup(_backup_if_new, path)
            atomic_write(path, dump_text(merged))
            backup, after = _try_backup(make_backup, path)
            problem = problem or after
        result_project = project_from_data(merged, file=str(path))
        project.replace_with(result_project)
        project._base = to_data(result_project)
        project._written = {p for p in project._written if not _overlaps(p, replaced)} | set(mine_changed)
    return SaveResult(path, datetime.now(), written, conflicts, backup, replaced, problem)


def _try_backup(fn, path: Path):
    """Run a backup step: (its result, "") or (None, why it failed in words). Never stops the save."""
    try:
        return fn(path), ""
    except OSError as exc:
        if isinstance(exc, PermissionError):
            return None, (f"you cannot write to the backup folder {backup_dir(path)} (ask your facilitator "
                          "to run 'equitylab cohort repair')")
        return None, f"the backup folder {backup_dir(path)} could not be written ({exc.strerror or exc})"


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder, fsync, then ``os.replace``."""
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600); a team's shared file keeps its own permissions
        mode = path.stat().st_mode & 0o777 if path.exists() else _new_file_mode(path.parent)
        if not path.parent.stat().st_mode & 0o007:  # a folder closed to others: so are its files
            mode &= ~0o007
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


def changed_paths(a, b, path: str = "") -> list[str]:
    """The field paths at which raw project data ``a`` and ``b`` differ, named as :func:`merge` names them."""
    out: list[str] = []
    _changes(a, b, path, out)
    return out


def _changes(a, b, path, out) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            _changes(a.get(key, _MISSING), b.get(key, _MISSING), f"{path}.{key}" if path else str(key), out)
        return
    if isinstance(a, list) and isinstance(b, list) and a + b and all(isinstance(x, dict) for x in a + b):
        ka, kb = {_key(x): x for x in a}, {_key(x): x for x in b}
        for k in list(ka) + [k for k in kb if k not in ka]:
            _changes(ka.get(k, _MISSING), kb.get(k, _MISSING), f"{path}[{k}]", out)
        return
    out.append(path or "(whole file)")


def _overlaps(path: str, others) -> bool:
    """Is ``path`` one of ``others``, or inside one, or around one?"""
    def inside(p, q):
        return p == q or p.startswith((q + ".", q + "["))
    return any(inside(path, q) or inside(q, path) for q in others)


def make_backup(path) -> Path:
    """Copy the current file into the backup folder and prune old backups.

    The folder gets the project folder's permissions, so in a team's shared folder every
    team-mate can add to it (whoever made it first).
    """
    path = Path(path)
    folder = backup_dir(path)
    if not folder.is_dir():
        folder.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(folder, path.parent.stat().st_mode & 0o7777)
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


def restore(path, which: str | int = "latest", *, lock_timeout: float = LOCK_TIMEOUT) -> Path:
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
    try:
        text = chosen.read_text(encoding="utf-8")
        with _lock(path, lock_timeout):
            if path.exists():
                _backup_if_new(path)
            atomic_write(path, text)
            make_backup(path)
    except Timeout:
        raise ProjectFileError("Not restored: a team-mate's save has held the project file for too long",
                               file=str(path), hint="Wait a moment and try again") from None
    except OSError as exc:
        raise os_problem(exc, path, "Not restored") from None
    return chosen


def _backup_if_new(path: Path) -> Path | None:
    """Back up the file as it is now unless the newest backup already holds it (a hand edit would not)."""
    backups = list_backups(path)
    if not backups or backups[0].read_bytes() != path.read_bytes():
        return make_backup(path)
    return None
