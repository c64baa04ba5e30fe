"""A cohort on one server with real system users: team-mates of different uids keep every answer, and no
team, outsider or facilitator crosses the boundary ``equitylab cohort`` sets (see real_users.py for how the
users are made and run; skipped with the reason when not root)."""
from __future__ import annotations

import grp

import pytest
from real_users import PREFIX, cohort_dir, users  # noqa: F401  (fixtures)

from equitylab import cohort
from equitylab.cli import main as cli
from equitylab.cohort_admin import check_no_world_access, read_registry
from equitylab.workbook import Project, list_backups, store

SHORT_WAIT = "2"  # seconds a save waits for a team-mate's lock in these tests


@pytest.fixture
def session(users, cohort_dir, capsys):  # noqa: F811
    """Team A: alice and carol; Team B: bob; fran facilitates; olga is on the server but not in the cohort."""
    if not users.made:
        users.make("alice", "carol", "bob", "fran", "olga")
    for name, team in (("alice", "Team A"), ("carol", "Team A"), ("bob", "Team B")):
        assert cli(["cohort", "add", str(cohort_dir), "--team", team, "--user", users.login(name),
                    "--prefix", PREFIX]) == 0
    assert cli(["cohort", "add", str(cohort_dir), "--facilitator", "--user", users.login("fran"),
                "--prefix", PREFIX]) == 0
    said = capsys.readouterr().out
    team_a = cohort.team_project_path(cohort_dir, "Team A")
    team_b = cohort.team_project_path(cohort_dir, "Team B")
    yield {"dir": cohort_dir, "a": team_a, "b": team_b, "said": said}
    for name in ("alice", "carol", "bob", "fran"):
        cli(["cohort", "remove", str(cohort_dir), "--user", users.login(name)])
    capsys.readouterr()


def test_cohort_add_makes_a_group_per_team_and_closes_the_folder_to_everyone_else(session, users):
    folder, a = session["dir"], session["a"]
    registry = read_registry(folder)
    group_a = registry.teams[a.parent.name]["group"]
    assert group_a.startswith(f"{PREFIX}-team-a-")
    assert users.login("alice") in grp.getgrnam(group_a).gr_mem and users.login("bob") not in grp.getgrnam(group_a).gr_mem
    assert a.parent.stat().st_mode & 0o7777 == 0o2770 and a.parent.stat().st_gid == grp.getgrnam(group_a).gr_gid
    assert a.stat().st_mode & 0o777 == 0o660 and (folder / "cohort.yaml").stat().st_mode & 0o777 == 0o640
    assert check_no_world_access(folder) == []
    assert "takes effect when their server starts" in session["said"]


def test_team_mates_saving_in_turn_keep_both_answers_and_every_backup(session, users):
    a = str(session["a"])
    alice, carol = users.as_("alice"), users.as_("carol")
    assert alice("load", a)["ok"] and carol("load", a)["ok"]
    alice("set", "topic", "Access for older Bangladeshi women")
    first = alice("save", a, SHORT_WAIT)
    carol("set", "why_it_matters", "Referred half as often")
    second = carol("save", a, SHORT_WAIT)
    assert first["ok"] and second["ok"] and first["backup_problem"] == second["backup_problem"] == ""
    saved = Project.load(a)
    assert saved.topic == "Access for older Bangladeshi women" and saved.why_it_matters == "Referred half as often"
    owners = {b.stat().st_uid for b in list_backups(a)}  # each team-mate added to the one backups folder
    assert owners >= {alice("whoami")["uid"], carol("whoami")["uid"]}
    assert check_no_world_access(session["dir"]) == []


def test_a_backups_folder_another_team_mate_cannot_write_never_loses_a_save(session, users):
    a = str(session["a"])
    backups = store.backup_dir(a)
    for old in backups.iterdir():
        old.unlink()
    backups.rmdir()
    alice, carol = users.as_("alice"), users.as_("carol")
    assert alice("mkdir", str(backups), "2755")["ok"]  # as an older equitylab made it
    assert carol("load", a)["ok"]
    for i in range(2):  # the measured failure: the second save was not written at all
        carol("set", "topic", f"carol's answer {i}")
        answer = carol("save", a, SHORT_WAIT)
        assert answer["ok"] and "cannot write to the backup folder" in answer["backup_problem"]
        assert answer["status"].endswith("(no backup kept)") and answer["errors"] == []
        assert Project.load(a).topic == f"carol's answer {i}"
    assert cli(["cohort", "repair", str(session["dir"])]) == 0  # root puts the folder right
    carol("set", "topic", "after the repair")
    assert carol("save", a, SHORT_WAIT)["backup_problem"] == ""


def test_team_mates_saving_at_once_keep_both_answers(session, users):
    a = str(session["a"])
    alice, carol = users.as_("alice"), users.as_("carol")
    alice.send("loop", a, "topic", "alice", 25)
    carol.send("loop", a, "why_it_matters", "carol", 25)
    assert alice.receive() == {"ok": True, "errors": []} and carol.receive() == {"ok": True, "errors": []}
    saved = Project.load(a)
    assert (saved.topic, saved.why_it_matters) == ("alice 24", "carol 24")


def test_the_same_answer_the_later_save_wins_and_the_earlier_author_is_told(session, users):
    a = str(session["a"])
    alice, carol = users.as_("alice"), users.as_("carol")
    assert alice("load", a)["ok"] and carol("load", a)["ok"]
    alice("set", "topic", "Alice's wording")
    assert alice("save", a, SHORT_WAIT)["ok"]
    carol("set", "topic", "Carol's wording")
    later = carol("save", a, SHORT_WAIT)
    assert later["conflicts"] == ["topic"] and Project.load(a).topic == "Carol's wording"
    assert any("Alice's wording" in b.read_text(encoding="utf-8") for b in list_backups(a))
    alice("set", "meeting_cadence", "weekly")
    told = alice("save", a, SHORT_WAIT)
    assert told["replaced"] == ["topic"] and "a different answer after yours to topic" in told["notes"][0]


def test_another_team_and_an_outsider_can_neither_read_nor_write(session, users):
    a, folder = session["a"], session["dir"]
    lock = store.lock_path(a)
    for name in ("bob", "olga"):
        person = users.as_(name)
        assert person("read", str(a))["ok"] is False
        assert person("write", str(a))["ok"] is False
        assert person("create", str(a.parent / "mine.yaml"))["ok"] is False
        if lock.exists():
            assert person("open_lock", str(lock))["ok"] is False
        assert person("write", str(folder / "cohort.yaml"))["ok"] is False
        assert person("load", str(a))["ok"] is False
    bob = users.as_("bob")
    assert bob("project_for", str(folder))["path"] == str(session["b"])
    bob("load", str(session["b"]))
    bob("set", "topic", "Team B's own topic")
    assert bob("save", str(session["b"]), SHORT_WAIT)["ok"]
    olga = users.as_("olga")
    assert olga("list", str(folder))["ok"] is False and olga("project_for", str(folder))["path"] is None


def test_a_learner_outside_the_team_sees_not_saved_in_words(session, users):
    bob = users.as_("bob")
    assert bob("load", str(session["b"]))["ok"]
    bob("set", "topic", "written to the wrong team")
    answer = bob("save", str(session["a"]), SHORT_WAIT)  # e.g. a stale path after a move
    assert answer["ok"] is False and answer["status"].startswith("Not saved: you do not have permission")
    assert len(answer["errors"]) == 1


def test_the_facilitator_reads_every_team_and_writes_none(session, users):
    a, folder = session["a"], session["dir"]
    alice = users.as_("alice")
    alice("load", str(a))
    alice("set", "topic", "Team A's topic")
    alice("save", str(a), SHORT_WAIT)
    fran = users.as_("fran")
    seen = fran("gather", str(folder))
    assert seen["ok"] and seen["teams"]["Team A"] == {"topic": "Team A's topic", "problem": ""}
    assert "Team B" in seen["teams"]
    assert fran("write", str(a))["ok"] is False and fran("create", str(a.parent / "x"))["ok"] is False
    assert fran("write", str(store.backup_dir(a) / list_backups(a)[0].name))["ok"] is False
    assert fran("summary", str(folder))["ok"]  # exports go to the facilitators' own folder
    assert check_no_world_access(folder) == []


def test_moving_and_removing_a_learner_changes_what_they_can_open(session, users):
    folder, a, b = session["dir"], session["a"], session["b"]
    assert cli(["cohort", "move", str(folder), "--team", "Team B", "--user", users.login("carol")]) == 0
    carol = users.as_("carol")  # a new process: the new groups, as after a server restart
    assert carol("read", str(a))["ok"] is False and carol("read", str(b))["ok"] is True
    assert carol("project_for", str(folder))["path"] == str(b)
    assert cli(["cohort", "remove", str(folder), "--user", users.login("carol")]) == 0
    carol = users.as_("carol")
    assert carol("read", str(b))["ok"] is False and carol("list", str(folder))["ok"] is False
