"""A cohort's teams: joining, one shared project file per team, and the facilitator's view."""
import multiprocessing as mp
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from equitylab import DataError, ProjectFileError, cohort
from equitylab.workbook import Project

CTX = mp.get_context("fork")  # separate processes, as on a hub where each learner has a kernel


def test_join_creates_the_team_file_and_lists_the_learner(tmp_path):
    path = cohort.join_team(tmp_path, "Hackney CMHT", "alice")
    assert path.parent.parent == tmp_path / "teams" and re.fullmatch(r"hackney-cmht-[0-9a-f]{6}", path.parent.name)
    assert Project.load(path).team == "Hackney CMHT"
    assert cohort.team_project_path(tmp_path, "hackney cmht") == path
    assert cohort.team_project_path(tmp_path, path.parent.name) == path
    assert cohort.join_team(tmp_path, " hackney  CMHT", "bob") == path  # case and spacing: the same team
    (team,) = cohort.teams(tmp_path)
    assert (team.name, team.learners, team.project_path) == ("Hackney CMHT", ["alice", "bob"], path)
    # joining again changes nothing
    cohort.join_team(tmp_path, "Hackney CMHT", "alice")
    assert cohort.teams(tmp_path)[0].learners == ["alice", "bob"]


def test_joining_another_team_moves_the_learner_and_keeps_the_first_teams_work(tmp_path):
    first = cohort.join_team(tmp_path, "Team A", "alice")
    p = Project.load(first)
    p.topic = "Access for older adults"
    p.save(first)
    cohort.join_team(tmp_path, "Team B", "alice")
    by_name = {t.name: t.learners for t in cohort.teams(tmp_path)}
    assert by_name == {"Team A": [], "Team B": ["alice"]}
    assert cohort.team_of(tmp_path, "alice").name == "Team B"
    assert Project.load(first).topic == "Access for older adults"


def test_join_refuses_an_empty_team_name_and_a_missing_cohort_folder(tmp_path, monkeypatch):
    with pytest.raises(DataError, match="at least one letter"):
        cohort.join_team(tmp_path, "  ?! ", "alice")
    monkeypatch.delenv("EQUITYLAB_COHORT_DIR", raising=False)
    with pytest.raises(DataError, match="EQUITYLAB_COHORT_DIR"):
        cohort.join_team("", "Team A", "alice")
    monkeypatch.setenv("EQUITYLAB_COHORT_DIR", str(tmp_path / "c"))
    assert cohort.join_team("", "Team A", "alice") == tmp_path / "c" / "teams" / cohort.slug("Team A") / "project.yaml"


@given(st.text(max_size=60))
def test_slug_is_a_safe_folder_name_a_readable_part_and_a_hash(name):
    try:
        s = cohort.slug(name)
    except DataError:
        assert not re.search(r"[^\W_]", name)
        return
    readable, digest = s.rsplit("-", 1)
    assert re.fullmatch(r"[0-9a-f]{6}", digest) and readable and len(s) <= 47
    assert re.fullmatch(r"[^\W_]+(-[^\W_]+)*", readable) and not s.startswith(".")
    assert cohort.slug(name.upper().lower()) == s or name.upper().lower().casefold() != name.casefold()


def test_team_names_that_differ_get_different_folders_and_unicode_is_kept():
    slugs = {name: cohort.slug(name) for name in ("Team A", "team-a", "TEAM_A!!", "Ünïcødé", "Team B")}
    assert len(set(slugs.values())) == 5
    assert slugs["Team A"].startswith("team-a-") and slugs["TEAM_A!!"].startswith("team-a-")
    assert slugs["Ünïcødé"].startswith("ünïcødé-")
    assert cohort.slug("team a") == slugs["Team A"] == cohort.slug("  TEAM   a ")


def _join(args):
    folder, team, learner = args
    cohort.join_team(folder, team, learner)


def test_a_room_joining_at_once_all_end_up_listed(tmp_path):
    people = [(str(tmp_path), "Team A" if i % 2 else "Team B", f"learner{i}") for i in range(8)]
    with CTX.Pool(4) as pool:
        pool.map(_join, people)
    by_name = {t.name: sorted(t.learners) for t in cohort.teams(tmp_path)}
    assert by_name == {"Team A": ["learner1", "learner3", "learner5", "learner7"],
                       "Team B": ["learner0", "learner2", "learner4", "learner6"]}


def _answer(path, field, value, barrier):
    p = Project.load(path)
    barrier.wait(timeout=30)  # both have loaded the same version before either saves
    if field == "topic":
        p.topic = value
    else:
        p.best_chance.diverse_team.where_we_are = value
    p.save(path)


def test_two_team_mates_saving_different_answers_at_once_both_kept(tmp_path):
    path = cohort.join_team(tmp_path, "Team A", "alice")
    cohort.join_team(tmp_path, "Team A", "bob")
    for round_ in range(2):
        barrier = CTX.Barrier(2)
        procs = [CTX.Process(target=_answer, args=(path, "topic", f"topic {round_}", barrier)),
                 CTX.Process(target=_answer, args=(path, "where", f"where {round_}", barrier))]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
            assert p.exitcode == 0
        saved = Project.load(path)
        assert saved.topic == f"topic {round_}"
        assert saved.best_chance.diverse_team.where_we_are == f"where {round_}"


def _team(folder, name, learner, **answers):
    path = cohort.join_team(folder, name, learner)
    p = Project.load(path)
    p.topic = answers.get("topic", "")
    p.coproduction.current_rung = answers.get("now", "")
    p.coproduction.target_rung = answers.get("aim_rung", "")
    p.best_chance.meeting_often.where_we_are = answers.get("meeting", "")
    p.aim.statement = answers.get("aim", "")
    p.progress_score = answers.get("score")
    p.save(path)
    return path


def test_gather_reads_every_team(tmp_path):
    _team(tmp_path, "Team A", "alice", topic="Older adults", now="informing", aim_rung="co-production",
          meeting="Fortnightly, 30 minutes", aim="Halve the gap in DNA rates by March 2027", score=1.5)
    _team(tmp_path, "Team B", "carol", topic="Talking therapies", now="consultation", aim_rung="co-design")
    cohort.join_team(tmp_path, "Team B", "dan")
    cohort.join_team(tmp_path, "Team C", "erin")
    df = cohort.gather(tmp_path)
    assert list(df["team"]) == ["Team A", "Team B", "Team C"]
    a, b, c = (df.iloc[i] for i in range(3))
    assert (a.topic, a.current_rung, a.target_rung) == ("Older adults", "informing", "co-production")
    assert a.where_meeting_often == "Fortnightly, 30 minutes"
    assert a.aim == "Halve the gap in DNA rates by March 2027"
    assert a.progress_score == 1.5 and a.progress_stage == "Planning for the project has begun"
    assert (b.learners, b.n_learners, b.target_rung) == ("carol, dan", 2, "co-design")
    assert c.topic == "" and c.problem == "" and c.progress_score != c.progress_score  # NaN: not scored
    assert df.attrs["source"] == "file" and df.attrs["synthetic"] is False
    assert tuple(df.columns) == cohort.GATHER_COLUMNS


def test_gather_shows_a_broken_team_file_as_a_problem_and_goes_on(tmp_path):
    _team(tmp_path, "Team A", "alice", topic="Older adults")
    broken = cohort.join_team(tmp_path, "Team B", "bob")
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    df = cohort.gather(tmp_path).set_index("team")
    assert df.loc["Team A", "topic"] == "Older adults" and df.loc["Team A", "problem"] == ""
    assert str(broken) in df.loc["Team B", "problem"]


def test_summary_html_holds_each_teams_aim_and_is_self_contained(tmp_path):
    _team(tmp_path, "Team A", "alice", aim="Raise uptake among Black African men from 20% to 35% by 2027")
    _team(tmp_path, "Team <B>", "bob", aim="Cut waits for <interpreted> appointments", score=2.0)
    out = cohort.summary_html(tmp_path, tmp_path / "out" / "summary.html")
    html = out.read_text(encoding="utf-8")
    assert "Raise uptake among Black African men from 20% to 35% by 2027" in html
    assert "Cut waits for &lt;interpreted&gt; appointments" in html and "<interpreted>" not in html
    assert "Team &lt;B&gt;" in html and "2 Activity, but no changes" in html
    assert "@media print" in html and "@page" in html
    assert not re.search(r"<script|<link|src=|https?://", html)


def test_copy_curriculum_adds_new_notebooks_and_keeps_a_learners_edits(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "00_start_here.ipynb").write_text("v1", encoding="utf-8")
    home = tmp_path / "home" / "equitylab"
    assert [p.name for p in cohort.copy_curriculum(home, source=source)] == ["00_start_here.ipynb"]
    (home / "00_start_here.ipynb").write_text("learner's version", encoding="utf-8")
    (source / "01_defining_equity.ipynb").write_text("new", encoding="utf-8")
    assert [p.name for p in cohort.copy_curriculum(home, source=source)] == ["01_defining_equity.ipynb"]
    assert (home / "00_start_here.ipynb").read_text(encoding="utf-8") == "learner's version"


def test_project_for_is_the_team_file_once_joined(tmp_path, monkeypatch):
    monkeypatch.delenv("EQUITYLAB_COHORT_DIR", raising=False)
    assert cohort.project_for("alice") is None
    monkeypatch.setenv("EQUITYLAB_COHORT_DIR", str(tmp_path))
    assert cohort.project_for("alice") is None
    path = cohort.join_team(tmp_path, "Team A", "alice")
    assert cohort.project_for("alice") == path
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    assert cohort.project_for() == path


def test_join_form_joins_and_hands_over_the_team_file(tmp_path):
    from equitylab.widgets.cohort import join_team_form

    cohort.create_teams(tmp_path, ["Team A", "Team B"])
    got = []
    form = join_team_form(tmp_path, "alice", on_joined=got.append)
    assert form.team.options == ("Team A", "Team B")
    form.team.value = "Team B"
    form.join_button.click()
    assert got == [tmp_path / "teams" / cohort.slug("Team B") / "project.yaml"]
    assert "You joined Team B" in form.message.value
    again = join_team_form(tmp_path, "alice")
    assert again.team.value == "Team B" and "You are in team Team B" in again.message.value
    bad = join_team_form(tmp_path, "bob", on_joined=got.append)
    bad.team.value = "  "
    bad.join_button.click()
    assert len(got) == 1 and "at least one letter" in bad.message.value


def test_dashboard_refresh_shows_new_teams_and_exports_the_summary(tmp_path):
    from equitylab.widgets.cohort import facilitator_dashboard

    _team(tmp_path, "Team A", "alice", aim="Aim of team A")
    board = facilitator_dashboard(tmp_path)
    assert "Team A" in board.table.value and "Team B" not in board.table.value
    _team(tmp_path, "Team B", "bob", aim="Aim of team B")
    board.refresh_button.click()
    assert "Aim of team B" in board.table.value and board.status.value.startswith("2 team(s)")
    board.export_button.click()
    summary = Path(tmp_path / "cohort_summary.html").read_text(encoding="utf-8")
    assert "Aim of team A" in summary and "Aim of team B" in summary


def test_dashboard_timer_refreshes_by_itself_and_stops(tmp_path, monkeypatch):
    import threading

    from equitylab.widgets.cohort import FacilitatorDashboard

    monkeypatch.setattr(FacilitatorDashboard, "MIN_SECONDS", 0.01)
    board = FacilitatorDashboard(tmp_path)
    refreshed, by_itself = threading.Event(), []
    button_refresh = board.refresh

    def refresh():
        button_refresh()
        by_itself.append(threading.current_thread().name)
        refreshed.set()

    board.refresh = refresh  # the timer's loop calls self.refresh
    _team(tmp_path, "Team Z", "zed")
    assert "Team Z" not in board.table.value
    board.every.min, board.every.value = 0, 0
    board.auto.value = True  # starts the timer
    assert refreshed.wait(60)  # a safety net for a stuck timer, not a time limit on the code
    assert "Team Z" in board.table.value and by_itself[0] == "equitylab-cohort-refresh"
    board.auto.value = False
    board._thread.join(60)
    assert not board._thread.is_alive()


def test_facilitator_notebook_writes_the_summary_for_an_advisor(tmp_path):
    import papermill as pm

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    _team(tmp_path, "Team A", "alice", aim="Aim of team A")
    _team(tmp_path, "Team B", "bob", aim="Aim of team B")
    out = tmp_path / "summary.html"
    pm.execute_notebook(notebooks / "facilitator.ipynb", None, cwd=notebooks, progress_bar=False,
                        parameters={"cohort_dir": str(tmp_path), "summary_file": str(out)})
    html = out.read_text(encoding="utf-8")
    assert "Aim of team A" in html and "Aim of team B" in html


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(9))


@pytest.mark.parametrize("text, words", [
    (ALIAS_BOMB, "repeats blocks by reference"),
    ("title: " + "[" * 200 + "]" * 200 + "\n", "nests more than"),
])
def test_gather_names_and_skips_a_bad_team_file_without_building_it(tmp_path, text, words):
    _team(tmp_path, "Team A", "alice", topic="Older adults")
    bad = cohort.join_team(tmp_path, "Team B", "bob")
    bad.write_text(text, encoding="utf-8")
    df = cohort.gather(tmp_path).set_index("team")
    assert df.loc["Team A", "topic"] == "Older adults"
    assert words in df.loc["Team B", "problem"] and str(bad) in df.loc["Team B", "problem"]


def test_gather_refuses_a_huge_team_file_before_reading_it(tmp_path, monkeypatch):
    from equitylab import safe_yaml

    bad = cohort.join_team(tmp_path, "Team B", "bob")
    monkeypatch.setattr(safe_yaml, "MAX_BYTES", 100)
    problem = cohort.gather(tmp_path).set_index("team").loc["Team B", "problem"]
    assert "too big to be read safely" in problem and str(bad) in problem


def test_gather_survives_any_error_reading_one_team(tmp_path, monkeypatch):
    _team(tmp_path, "Team A", "alice", topic="Older adults")
    broken = cohort.join_team(tmp_path, "Team B", "bob")
    real = cohort.load

    def load(path):
        if path == broken:
            raise RuntimeError("a surprise")
        return real(path)

    monkeypatch.setattr(cohort, "load", load)
    df = cohort.gather(tmp_path).set_index("team")
    assert df.loc["Team A", "topic"] == "Older adults"
    assert df.loc["Team B", "problem"] == f"This team's file could not be read; it may be damaged ({broken})"


def test_an_alias_bomb_in_the_registry_is_refused_in_words(tmp_path):
    (tmp_path / "cohort.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    with pytest.raises(ProjectFileError, match="repeats blocks by reference"):
        cohort.teams(tmp_path)


def test_a_managed_cohort_cannot_be_joined_by_a_learner(tmp_path):
    (tmp_path / "cohort.yaml").write_text("managed: true\nteams: {}\n", encoding="utf-8")
    with pytest.raises(DataError, match="the facilitator puts learners in teams"):
        cohort.join_team(tmp_path, "Team A", "alice")


def test_the_hub_can_name_the_team_file_directly(tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITYLAB_TEAM_FILE", str(tmp_path / "team" / "project.yaml"))
    assert cohort.project_for() == tmp_path / "team" / "project.yaml"
