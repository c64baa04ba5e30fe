"""A cohort in a live session: teams sharing one project file each, and the facilitator's view.

A cohort lives in one shared folder (``EQUITYLAB_COHORT_DIR`` on a JupyterHub)::

    <cohort>/cohort.yaml                  who is in which team (the registry)
    <cohort>/teams/<team-slug>/project.yaml   the team's shared project file

Every member of a team saves into the same ``project.yaml``; the workbook's store merges
their saves field by field under a lock, so two people answering different questions of
one breakout at the same moment both keep their answers. A learner's own notes stay in
their own folder (``EQUITYLAB_HOME``), which nobody else writes to.

>>> from equitylab import cohort
>>> path = cohort.join_team("/srv/equitylab/cohort", "Hackney CMHT", "alice")  # doctest: +SKIP
>>> cohort.gather("/srv/equitylab/cohort")                                      # doctest: +SKIP

No Jupyter imports here: the forms and the dashboard are in :mod:`equitylab.widgets.cohort`.
"""
from __future__ import annotations

import getpass
import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

import pandas as pd
import yaml
from filelock import FileLock, Timeout

from ._paths import notebooks_dir
from .errors import DataError, EquityLabError, ProjectFileError
from .provenance import stamp
from .workbook import Project
from .workbook.model import FOUR_QUESTIONS, LADDER
from .workbook.store import atomic_write, load

REGISTRY = "cohort.yaml"
TEAMS = "teams"
PROJECT = "project.yaml"
LOCK_TIMEOUT = 30.0
SHARED_FILE_MODE = 0o664  # team-mates on a hub may be different system users of one group

GATHER_COLUMNS = (
    "team", "team_slug", "learners", "n_learners", "title", "topic", "current_rung", "target_rung",
    "where_diverse_team", "where_meeting_often", "where_coach_and_sponsor", "where_coproduction",
    "aim", "progress_score", "progress_stage", "saved", "problem", "project_file",
)


@dataclass
class Team:
    """One team of the cohort: its name, the learners who joined it and its shared project file."""

    slug: str
    name: str
    learners: list[str] = field(default_factory=list)
    project_path: Path | None = None


def cohort_folder(cohort_dir: str | os.PathLike | None = None) -> Path:
    """The cohort folder: ``cohort_dir`` if given, else ``EQUITYLAB_COHORT_DIR``.

    Raises :class:`DataError` when neither is set, with the fix in the message.
    """
    value = str(cohort_dir or "").strip() or os.environ.get("EQUITYLAB_COHORT_DIR", "").strip()
    if not value:
        raise DataError("No cohort folder is set, so there are no teams to join or gather",
                        hint="Set EQUITYLAB_COHORT_DIR to the session's shared folder (the hub does this), "
                             "or pass cohort_dir= (the facilitator notebook's first cell)")
    return Path(value).expanduser()


def learner_name() -> str:
    """Who is at this keyboard: the JupyterHub user name, else the computer's user name."""
    return os.environ.get("JUPYTERHUB_USER") or getpass.getuser()


def slug(team_name: str) -> str:
    """The folder name for a team: lower case, letters and digits joined by hyphens ("Team A" -> "team-a")."""
    text = re.sub(r"[^a-z0-9]+", "-", str(team_name).strip().lower()).strip("-")[:48].strip("-")
    if not text:
        raise DataError("A team name needs at least one letter or digit",
                        hint="Type your team's name, for example 'Hackney CMHT'")
    return text


def team_project_path(cohort_dir, team: str) -> Path:
    """Where the shared project file of ``team`` (its name or its slug) is, whether or not it exists yet."""
    return cohort_folder(cohort_dir) / TEAMS / slug(team) / PROJECT


def _lock(folder: Path) -> FileLock:
    return FileLock(str(folder / ".cohort.lock"), timeout=LOCK_TIMEOUT, mode=0o666)


def _read_registry(folder: Path) -> dict:
    path = folder / REGISTRY
    if not path.exists():
        return {"teams": {}}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ProjectFileError("The cohort's list of teams cannot be read", file=str(path),
                               line=None if line is None else line + 1,
                               hint="Fix that line, or delete the file: it is rebuilt as learners join again")
    teams = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(teams, dict):
        raise ProjectFileError("The cohort's list of teams has no 'teams:' section", file=str(path),
                               hint="Delete the file: it is rebuilt as learners join again")
    for key, entry in list(teams.items()):
        if not isinstance(entry, dict):
            entry = {}
        teams[key] = {"name": str(entry.get("name") or key),
                      "learners": [str(x) for x in (entry.get("learners") or [])]}
    return {"teams": teams}


def _write_registry(folder: Path, data: dict) -> None:
    path = folder / REGISTRY
    text = ("# equitylab cohort: which learner is in which team. Written by equitylab under a lock.\n"
            + yaml.safe_dump(data, sort_keys=True, allow_unicode=True))
    atomic_write(path, text)
    _share(path)


def _share(path: Path) -> None:
    """Let team-mates who are other system users of the same group read and write ``path``."""
    try:
        os.chmod(path, SHARED_FILE_MODE)
    except OSError:
        pass


def _make_folder(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o2775)  # setgid: new files keep the cohort folder's group
    except OSError:
        pass


def _create_team(folder: Path, name: str) -> Path:
    """Create the team's folder and empty project file if missing (caller holds the cohort lock)."""
    path = folder / TEAMS / slug(name) / PROJECT
    _make_folder(folder / TEAMS)
    _make_folder(path.parent)
    if not path.exists():
        Project.new(title=name, team=name).save(path)
        _share(path)
    return path


def create_teams(cohort_dir, names) -> list[Path]:
    """Set up teams before the session (the facilitator's job), so learners pick from a list.

    Returns the path of each team's project file. Teams that exist already are left as they are.
    """
    folder = cohort_folder(cohort_dir)
    _make_folder(folder)
    out = []
    try:
        with _lock(folder):
            data = _read_registry(folder)
            for name in names:
                key = slug(name)
                data["teams"].setdefault(key, {"name": str(name).strip(), "learners": []})
                out.append(_create_team(folder, data["teams"][key]["name"]))
            _write_registry(folder, data)
    except Timeout:
        raise _busy(folder) from None
    return out


def join_team(cohort_dir, team_name: str, learner: str | None = None) -> Path:
    """Put ``learner`` in the team called ``team_name`` and return the team's shared project file.

    The team and its project file are created if this is the first member. A learner is in
    one team at a time: joining another team moves them. The registry is changed under a
    lock and written atomically, so a room of people joining at once all end up listed.
    """
    learner = (learner or learner_name()).strip()
    if not learner:
        raise DataError("Joining a team needs the learner's user name", hint="Pass learner='your user name'")
    key = slug(team_name)
    folder = cohort_folder(cohort_dir)
    _make_folder(folder)
    try:
        with _lock(folder):
            data = _read_registry(folder)
            for other_key, entry in data["teams"].items():
                if other_key != key and learner in entry["learners"]:
                    entry["learners"].remove(learner)
            entry = data["teams"].setdefault(key, {"name": str(team_name).strip(), "learners": []})
            if learner not in entry["learners"]:
                entry["learners"].append(learner)
            path = _create_team(folder, entry["name"])
            _write_registry(folder, data)
    except Timeout:
        raise _busy(folder) from None
    return path


def _busy(folder: Path) -> EquityLabError:
    return ProjectFileError("Someone else has held the cohort's list of teams for too long",
                            file=str(folder / REGISTRY), hint="Wait a moment and try again")


def teams(cohort_dir=None) -> list[Team]:
    """Every team in the cohort, in name order: those in the registry and any team folder on disk."""
    folder = cohort_folder(cohort_dir)
    data = _read_registry(folder) if folder.is_dir() else {"teams": {}}
    found = {key: Team(key, entry["name"], list(entry["learners"])) for key, entry in data["teams"].items()}
    team_root = folder / TEAMS
    if team_root.is_dir():
        for sub in team_root.iterdir():
            if sub.is_dir() and (sub / PROJECT).exists() and sub.name not in found:
                found[sub.name] = Team(sub.name, sub.name.replace("-", " "), [])
    for team in found.values():
        team.project_path = folder / TEAMS / team.slug / PROJECT
    return sorted(found.values(), key=lambda t: t.name.lower())


def team_of(cohort_dir, learner: str | None = None) -> Team | None:
    """The team ``learner`` joined (default: whoever is logged in), or None."""
    learner = learner or learner_name()
    for team in teams(cohort_dir):
        if learner in team.learners:
            return team
    return None


def project_for(learner: str | None = None, cohort_dir=None) -> Path | None:
    """The project file a learner's forms should save into during a cohort session.

    The learner's team file if a cohort folder is set and they have joined a team, else None
    (then the learner works in their own project file, as in self-study).
    """
    value = str(cohort_dir or "").strip() or os.environ.get("EQUITYLAB_COHORT_DIR", "").strip()
    if not value or not Path(value).expanduser().is_dir():
        return None
    team = team_of(value, learner)
    return team.project_path if team else None


def gather(cohort_dir=None):
    """One row per team, for the plenary: topic, ladder rungs, where-are-you answers, aim, progress.

    Columns: ``team``, ``team_slug``, ``learners`` (user names, comma separated),
    ``n_learners``, ``title``, ``topic``, ``current_rung`` and ``target_rung`` (ladder of
    co-production), ``where_diverse_team``, ``where_meeting_often``,
    ``where_coach_and_sponsor``, ``where_coproduction`` (the "where are you now?" answers to
    the four best-chance questions), ``aim`` (the team's wording, else built from its
    fields), ``progress_score`` (IHI 0.5 to 5.0, empty if not scored) and ``progress_stage``,
    ``saved`` (when the file last changed), ``problem`` (why a file could not be read, else
    empty) and ``project_file``. A broken team file gives a row with ``problem`` set rather
    than stopping the whole view.
    """
    folder = cohort_folder(cohort_dir)
    rows = []
    for team in teams(folder):
        row = {c: "" for c in GATHER_COLUMNS}
        row.update(team=team.name, team_slug=team.slug, learners=", ".join(team.learners),
                   n_learners=len(team.learners), progress_score=None, saved=pd.NaT,
                   project_file=str(team.project_path))
        path = team.project_path
        if not path.exists():
            row["problem"] = "No project file yet"
        else:
            try:
                p = load(path)
            except EquityLabError as exc:
                row["problem"] = str(exc)
            else:
                bc = p.best_chance
                row.update(
                    title=p.title, topic=p.topic,
                    current_rung=p.coproduction.current_rung, target_rung=p.coproduction.target_rung,
                    where_diverse_team=bc.diverse_team.where_we_are,
                    where_meeting_often=bc.meeting_often.where_we_are,
                    where_coach_and_sponsor=bc.coach_and_sponsor.where_we_are,
                    where_coproduction=bc.coproduction.where_we_are,
                    aim=p.aim.sentence(), progress_score=p.progress_score, progress_stage=p.progress_stage,
                )
            row["saved"] = pd.Timestamp(datetime.fromtimestamp(path.stat().st_mtime))
        rows.append(row)
    df = pd.DataFrame(rows, columns=list(GATHER_COLUMNS))
    df["n_learners"] = df["n_learners"].astype("int64")
    df["progress_score"] = pd.to_numeric(df["progress_score"], errors="coerce").astype("float64")
    return stamp(df, source="file", licence="the teams' own work (internal to the session)",
                 description=f"Team project files in the cohort folder {folder}")


def _rung(value: str) -> str:
    if not value:
        return "not placed"
    return f"{LADDER.index(value) + 1}. {value}" if value in LADDER else value


_CSS = """
body{font-family:"Segoe UI",Arial,sans-serif;font-size:10.5pt;color:#1a1a1a;margin:1.5em}
h1{font-size:16pt;margin:0 0 .2em} p.meta{color:#444;margin:0 0 1em}
table{border-collapse:collapse;width:100%} th,td{border:1px solid #999;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#e8eef4} td.num{text-align:right;white-space:nowrap} .missing{color:#767676;font-style:italic}
ul{margin:0;padding-left:1.1em} .problem{color:#b00020}
@page{size:A4 landscape;margin:12mm}
@media print{body{margin:0;font-size:9pt} tr{page-break-inside:avoid} a{color:inherit;text-decoration:none}}
"""


def summary_html(cohort_dir, path) -> Path:
    """Write a one-page summary of the cohort for the plenary: a self-contained HTML file.

    One row per team: topic, where it is on the ladder of co-production now and where it
    aims to be, its "where are you now?" answers, its aim and its IHI progress score. No
    scripts or external files, and print CSS for one A4 landscape page. Returns the path.
    """
    df = gather(cohort_dir)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    def cell(value) -> str:
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value).strip()
        return escape(text) if text else '<span class="missing">not yet</span>'

    short = {"diverse_team": "Diverse team", "meeting_often": "Meeting often",
             "coach_and_sponsor": "Coach and sponsor", "coproduction": "Co-production"}
    body = []
    for _, r in df.iterrows():
        where = "".join(f"<li><b>{short[k]}:</b> {cell(r['where_' + k])}</li>" for k in FOUR_QUESTIONS)
        score = "" if r["progress_score"] != r["progress_score"] else f"{r['progress_score']:g}"
        progress = f"{score} {escape(r['progress_stage'])}".strip()
        problem = f'<div class="problem">{escape(r["problem"])}</div>' if r["problem"] else ""
        body.append(
            "<tr>"
            f"<td><b>{escape(r['team'])}</b><br>{r['n_learners']} learner(s){problem}</td>"
            f"<td>{cell(r['topic'])}</td>"
            f"<td>now: {escape(_rung(r['current_rung']))}<br>aim: {escape(_rung(r['target_rung']))}</td>"
            f"<td><ul>{where}</ul></td>"
            f"<td>{cell(r['aim'])}</td>"
            f"<td class=\"num\">{cell(progress)}</td>"
            "</tr>")
    if not body:
        body.append('<tr><td colspan="6" class="missing">No team has joined yet.</td></tr>')
    when = datetime.now().strftime("%d %B %Y, %H:%M")
    html = (
        "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
        "<title>Cohort summary</title>"
        f"<style>{_CSS}</style></head><body>"
        f"<h1>Pursuing equity: where the teams are</h1>"
        f"<p class=\"meta\">{len(df)} team(s); gathered from the teams' project files on {escape(when)}. "
        "For the session only: these are the teams' own working notes.</p>"
        "<table><thead><tr><th>Team</th><th>Topic</th><th>Ladder of co-production</th>"
        "<th>Where are you now?</th><th>Aim</th><th>Progress score (IHI)</th></tr></thead><tbody>"
        + "".join(body) + "</tbody></table></body></html>\n")
    path.write_text(html, encoding="utf-8")
    return path


def copy_curriculum(target, *, source=None, owner: tuple[int, int] | None = None) -> list[Path]:
    """Copy the curriculum notebooks into ``target`` (a learner's home on a hub), keeping their edits.

    Notebooks already in ``target`` are left alone, so a learner's work survives a restart;
    new notebooks from an update are added. ``owner`` = (uid, gid) hands the copies to the
    learner when the hub runs as root. Returns the files copied.
    """
    source = Path(source) if source else notebooks_dir()
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for nb in sorted(source.glob("*.ipynb")):
        dest = target / nb.name
        if not dest.exists():
            shutil.copy2(nb, dest)
            copied.append(dest)
    if owner is not None:
        for p in [target, *copied]:
            os.chown(p, *owner)
    return copied
