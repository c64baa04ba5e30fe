"""Saving safely: merges between team members, atomic writes, backups, restore, broken files."""
import multiprocessing as mp
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from equitylab import ProjectFileError
from equitylab.workbook import Project, list_backups, restore, store
from equitylab.workbook.autosave import AutoSaver, Debouncer
from equitylab.workbook.store import merge

EXAMPLE = Path(__file__).parent / "fixtures" / "projects" / "example_project.yaml"


@pytest.fixture
def path(tmp_path):
    target = tmp_path / "project.yaml"
    shutil.copy(EXAMPLE, target)
    return target


def test_merge_takes_each_sides_changes_and_reports_true_conflicts():
    base = {"a": 1, "b": 1, "c": 1, "tags": ["x", "y"], "items": [{"id": "i1", "v": 1}]}
    theirs = {"a": 2, "b": 1, "c": 5, "tags": ["x", "y", "t"], "items": [{"id": "i1", "v": 1}, {"id": "i2", "v": 2}]}
    mine = {"a": 1, "b": 3, "c": 6, "tags": ["y", "m"], "items": [{"id": "i1", "v": 9}, {"id": "i3", "v": 3}]}
    merged, conflicts = merge(base, theirs, mine)
    assert merged["a"] == 2 and merged["b"] == 3
    assert merged["c"] == 6 and conflicts == ["c"]
    assert merged["tags"] == ["y", "t", "m"]
    assert merged["items"] == [{"id": "i1", "v": 9}, {"id": "i2", "v": 2}, {"id": "i3", "v": 3}]


def test_two_people_saving_different_fields_keep_both(path):
    me, colleague = Project.load(path), Project.load(path)
    colleague.topic = "Their new topic"
    colleague.add_quote("The waiting room felt unwelcoming", "carer", consent=True)
    colleague.save(path)
    me.aim.target = 0.5
    me.barriers.append("Transport costs")
    result = me.save(path)
    on_disk = Project.load(path)
    assert on_disk.topic == "Their new topic" and on_disk.aim.target == 0.5
    assert "Transport costs" in on_disk.barriers and len(on_disk.heard) == 4
    assert result.conflicts == [] and me == on_disk


def _save_field(path, field, value, start):
    project = Project.load(path)
    start.wait(60)  # a barrier: both processes have loaded the file before either saves
    for i in range(5):
        setattr(project, field, f"{value} {i}")
        project.save(path)


def test_two_processes_saving_one_file_at_once_keep_both_fields(path):
    ctx = mp.get_context("spawn")
    start = ctx.Barrier(2)
    procs = [ctx.Process(target=_save_field, args=(str(path), f, v, start))
             for f, v in (("topic", "topic from A"), ("why_it_matters", "why from B"))]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    final = Project.load(path)
    assert final.topic == "topic from A 4" and final.why_it_matters == "why from B 4"
    assert final.aim.target == 1.0  # untouched fields survive


def test_save_that_fails_at_the_swap_leaves_the_previous_version(path, monkeypatch):
    before = path.read_text()
    project = Project.load(path)
    project.topic = "half-written"

    def broken_replace(src, dst):
        raise OSError("disk pulled out")

    monkeypatch.setattr(store.os, "replace", broken_replace)
    with pytest.raises(ProjectFileError, match=r"Not saved: the computer could not .*\(disk pulled out\)"):
        project.save(path)
    assert path.read_text() == before
    assert Project.load(path).topic != "half-written"
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_save_killed_mid_write_leaves_a_readable_file(path):
    code = f"""
import os, sys, threading
from equitylab.workbook import Project, store
real_fdopen = os.fdopen
class Slow:
    def __init__(self, fh): self.fh = fh
    def __enter__(self): return self
    def __exit__(self, *a): return self.fh.__exit__(*a)
    def write(self, text):
        self.fh.write(text[: len(text) // 2]); self.fh.flush()
        print("HALF", flush=True); threading.Event().wait()  # stuck here until killed
        self.fh.write(text[len(text) // 2:])
    def __getattr__(self, name): return getattr(self.fh, name)
store.os.fdopen = lambda *a, **k: Slow(real_fdopen(*a, **k))
p = Project.load({str(path)!r}); p.topic = "never finished"; p.save({str(path)!r})
"""
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "HALF"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    project = Project.load(path)
    assert project.topic.startswith("Black African")
    project.topic = "after the crash"
    project.save(path)  # the stale lock of the killed process does not block
    assert Project.load(path).topic == "after the crash"


def test_hand_broken_yaml_names_the_line_and_is_never_reset(path):
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("topic:")) + 1
    lines[number - 1] = "topic: Black African: and [Caribbean"
    path.write_text("\n".join(lines) + "\n")
    broken = path.read_text()
    with pytest.raises(ProjectFileError) as err:
        Project.load(path)
    assert err.value.line == number and f"line {number}" in str(err.value)
    assert err.value.field == "topic"
    project = Project.new(title="new")
    project._base = {}
    with pytest.raises(ProjectFileError, match="changed by hand"):
        project.save(path)
    assert path.read_text() == broken


def test_wrong_type_names_the_field_path_and_its_line(path):
    text = path.read_text().replace("  baseline: 4.0", "  baseline: four")
    path.write_text(text)
    number = text.splitlines().index("  baseline: four") + 1
    with pytest.raises(ProjectFileError) as err:
        Project.load(path)
    assert err.value.field == "aim.baseline" and err.value.line == number
    assert "Expected a number" in str(err.value) and f"line {number}" in str(err.value)


def test_unknown_field_is_named_with_a_hint(path):
    path.write_text(path.read_text().replace("meeting_cadence:", "meting_cadence:"))
    with pytest.raises(ProjectFileError, match="'meting_cadence' is not a field") as err:
        Project.load(path)
    assert "meeting_cadence" in err.value.hint


def test_missing_file_says_how_to_make_one(tmp_path):
    with pytest.raises(ProjectFileError, match="equitylab project new"):
        Project.load(tmp_path / "nope.yaml")


def test_backups_keep_the_newest_twenty_plus_one_a_day_and_restore_works(path):
    folder = store.backup_dir(path)
    folder.mkdir()
    for day in (1, 2, 3):
        for n in range(3):
            (folder / f"project-2025010{day}-10000{n}-000000.yaml").write_text("old")
    project = Project.load(path)
    for i in range(25):
        project.meeting_cadence = f"weekly {i}"
        project.save(path)
    names = [b.name for b in list_backups(path)]
    assert len(names) == 23
    assert {n[8:16] for n in names if n.startswith("project-2025")} == {"20250101", "20250102", "20250103"}
    assert Project.load(path).meeting_cadence == "weekly 24"
    assert list_backups(path)[0].read_text() == path.read_text()  # every saved version is kept
    used = restore(path, 1)
    assert used.name == names[1] and Project.load(path).meeting_cadence == "weekly 23"
    restore(path, 1)  # the version replaced is still there, so a restore can be undone
    assert Project.load(path).meeting_cadence == "weekly 24"


def test_restore_rescues_a_broken_file(path):
    p = Project.load(path)
    p.topic = "good"
    p.save(path)
    path.write_text("title: [unclosed\n")
    with pytest.raises(ProjectFileError):
        Project.load(path)
    restore(path)
    assert Project.load(path).topic == "good"
    with pytest.raises(ProjectFileError, match="No backup called"):
        restore(path, "nonsense")


class FakeTimer:
    made = []

    def __init__(self, wait, fn):
        self.wait, self.fn, self.cancelled, self.daemon = wait, fn, False, False
        FakeTimer.made.append(self)

    def start(self):
        pass

    def cancel(self):
        self.cancelled = True


def test_debouncer_calls_once_after_a_burst_and_flush_runs_it_now():
    calls = []
    d = Debouncer(lambda: calls.append(1), wait=2.0, timer=FakeTimer)
    for _ in range(10):
        d.trigger()
    assert calls == [] and d.pending
    live = [t for t in FakeTimer.made[-10:] if not t.cancelled]
    assert len(live) == 1
    live[0].fn()
    assert calls == [1] and not d.pending
    d.trigger()
    d.flush()
    assert calls == [1, 1]
    d.flush()
    assert calls == [1, 1]


def test_debouncer_with_real_timers_cancels_all_but_the_last_of_a_burst():
    timers = []

    def real_timer(wait, fn):
        timers.append(threading.Timer(wait, fn))
        return timers[-1]

    calls = []
    d = Debouncer(lambda: calls.append(1), wait=3600, timer=real_timer)
    for _ in range(5):
        d.trigger()
    assert [t.finished.is_set() for t in timers] == [True] * 4 + [False]  # cancelled, bar the last
    assert timers[-1].daemon and timers[-1].is_alive() and calls == []
    d.flush()
    assert calls == [1] and timers[-1].finished.is_set() and not d.pending


def test_debouncer_with_a_real_timer_calls_from_the_timer_thread():
    called = threading.Event()
    threads = []
    d = Debouncer(lambda: (threads.append(threading.current_thread()), called.set()), wait=0.01)
    d.trigger()
    assert called.wait(60)  # a safety net for a stuck timer, not a time limit on the code
    assert threads[0] is not threading.main_thread() and d.calls == 1 and not d.pending


def test_autosaver_saves_after_a_pause_and_reports_the_time(path):
    project = Project.load(path)
    saver = AutoSaver(project, path, wait=5, timer=FakeTimer)
    assert saver.status() == "Not saved yet"
    project.topic = "autosaved"
    saver.changed()
    assert saver.status() == "Saving…" and Project.load(path).topic != "autosaved"
    saver.flush()
    assert Project.load(path).topic == "autosaved"
    assert re.fullmatch(r"Saved [0-2]\d:[0-5]\d", saver.status())  # "Saved 14:02"


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_saving_keeps_the_files_permissions_but_never_opens_a_closed_folder_to_others(path):
    os.chmod(path.parent, 0o755)
    os.chmod(path, 0o664)
    p = Project.load(path)
    p.topic = "x"
    p.save(path)
    assert path.stat().st_mode & 0o777 == 0o664
    os.chmod(path.parent, 0o2770)  # a team's folder: its files are the team's alone
    p.topic = "y"
    p.save(path)
    assert path.stat().st_mode & 0o777 == 0o660


def test_a_backup_that_cannot_be_written_never_stops_the_save_and_says_so(path, monkeypatch):
    def refused(_path):
        raise PermissionError(13, "Permission denied", str(store.backup_dir(path)))

    monkeypatch.setattr(store, "make_backup", refused)
    project = Project.load(path)
    saver = AutoSaver(project, path, wait=0)
    project.topic = "saved without a backup"
    result = saver.save_now()
    assert Project.load(path).topic == "saved without a backup"
    assert result.backup is None and "cannot write to the backup folder" in result.backup_problem
    assert saver.status().endswith("(no backup kept)")
    assert any(n.startswith("Saved, but no backup was kept") for n in result.notes())


@pytest.mark.parametrize("problem, words", [
    (PermissionError(13, "Permission denied"), "Not saved: you do not have permission"),
    (OSError(28, "No space left on device"), "Not saved: the disk is full"),
    (RuntimeError("surprise"), "Not saved: something unexpected went wrong while writing the file"),
])
def test_any_failed_save_shows_in_the_status_and_calls_on_error(path, monkeypatch, problem, words):
    def broken(*_args):
        raise problem

    errors, saved = [], []
    project = Project.load(path)
    saver = AutoSaver(project, path, wait=5, timer=FakeTimer, on_error=errors.append, on_saved=saved.append)
    monkeypatch.setattr(store, "atomic_write", broken)
    project.topic = "not written"
    saver.changed()
    saver.flush()  # what a timer thread would run: nothing may escape it
    assert saved == [] and len(errors) == 1 and isinstance(errors[0], ProjectFileError)
    assert saver.status().startswith(words) and str(errors[0]).startswith(words)
    monkeypatch.undo()
    saver.save_now()  # once the problem is gone, the next save goes through and the status says so
    assert Project.load(path).topic == "not written" and saver.status().startswith("Saved ")


def test_same_answer_edited_by_two_the_later_save_wins_and_the_earlier_author_is_told(path):
    earlier, later = Project.load(path), Project.load(path)
    earlier.topic = "Earlier wording"
    earlier.save(path)
    later.topic = "Later wording"
    result = later.save(path)
    assert result.conflicts == ["topic"] and "same answer at the same time" in result.notes()[0]
    assert Project.load(path).topic == "Later wording"
    kept = [b for b in list_backups(path) if "Earlier wording" in b.read_text(encoding="utf-8")]
    assert kept, "the earlier text is in a backup"
    earlier.why_it_matters = "Something else"  # the earlier author's next save tells them, in words
    told = earlier.save(path)
    assert told.replaced == ["topic"] and told.conflicts == []
    assert "saved a different answer after yours to topic" in told.notes()[0]
    assert earlier.topic == "Later wording" and Project.load(path).why_it_matters == "Something else"
    earlier.meeting_cadence = "weekly"
    assert earlier.save(path).replaced == []  # told once


def test_a_held_lock_gives_a_plain_message_after_the_wait_the_caller_chose(path):
    from filelock import FileLock

    project = Project.load(path)
    project.topic = "waiting"
    errors = []
    saver = AutoSaver(project, path, wait=0, lock_timeout=0.01, on_error=errors.append)
    with FileLock(str(store.lock_path(path))):
        saver.save_now()
    assert "held the project file for too long" in str(errors[0]) and saver.status().startswith("Not saved")
    assert saver.save_now() is not None and Project.load(path).topic == "waiting"


@pytest.mark.skipif(os.name != "posix", reason="permission bits are POSIX")
def test_in_a_team_folder_the_lock_backups_and_new_files_are_the_teams_alone(tmp_path):
    folder = tmp_path / "team"
    folder.mkdir()
    os.chmod(folder, 0o2770)
    target = folder / "project.yaml"
    Project.new(title="t").save(target)
    p = Project.load(target)
    p.topic = "second"
    p.save(target)
    assert target.stat().st_mode & 0o777 == 0o660
    assert store.backup_dir(target).stat().st_mode & 0o7777 == 0o2770
    lock = store.lock_path(target)
    if lock.exists():  # filelock may remove it on release
        assert lock.stat().st_mode & 0o007 == 0
    for b in list_backups(target):
        assert b.stat().st_mode & 0o007 == 0
