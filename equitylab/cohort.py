"""A cohort in a live session: teams sharing one project file each, and the facilitator's view.

A cohort lives in one shared folder (``EQUITYLAB_COHORT_DIR`` on a JupyterHub)::

    <cohort>/cohort.yaml                        who is in which team (the registry)
    <cohort>/teams/<readable-slug>-<hash>/project.yaml   the team's shared project file

Every member of a team saves into the same ``project.yaml``; the workbook's store merges
their saves field by field under a lock, so two people answering different questions of
one breakout at the same moment both keep their answers. A learner's own notes stay in
their own folder (``EQUITYLAB_HOME``), which nobody else writes to.

On a hub with a system user per learner (TLJH) the cohort is *managed*: root sets it up with
``equitylab cohort add DIR --team NAME --user LOGIN`` (:mod:`equitylab.cohort_admin`), each team
is a POSIX group, and no team can read another's folder. Learners then cannot write the
registry; :func:`join_team` is for an open cohort (a workshop where every learner is one
system user, or Kubernetes where the hub mounts only the team's folder).

>>> from equitylab import cohort
>>> cohort.project_for("jupyter-alice", cohort_dir="/srv/equitylab/cohort")   # doctest: +SKIP
>>> cohort.gather("/srv/equitylab/cohort")                                   # doctest: +SKIP

No Jupyter imports here: the forms and the dashboard are in :mod:`equitylab.widgets.cohort`.
"""
from __future__ import annotations

import getpass
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path

import pandas as pd
from filelock import Timeout

from ._paths import notebooks_dir
from .cohort_admin import (
    FACILITATOR_FOLDER,
    PROJECT,
    REGISTRY,
    TEAMS,
    Registry,
    read_registry,
    registry_lock,
    slug,
    write_registry,
)
from .errors import DataError, EquityLabError, ProjectFileError
from .provenance import stamp
from .workbook import Project
from .workbook.model import FOUR_QUESTIONS, LADDER
from .workbook.store import atomic_write, load

OPEN_FOLDER_MODE = 0o2770  # an open cohort: one group (or one user) shares it; nobody else reads it
OPEN_FILE_MODE = 0o660

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
    group: str = ""


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


def _names_of_me() -> list[str]:
    """The names a registry may list this learner under: the hub's name and the system login (TLJH's
    ``jupyter-<name>``)."""
    names = [os.environ.get("JUPYTERHUB_USER", ""), getpass.getuser()]
    return [n for i, n in enumerate(names) if n and n not in names[:i]]


def team_project_path(cohort_dir, team: str) -> Path:
    """Where the shared project file of ``team`` (its name or its folder's name) is, whether or not it exists yet."""
    teams_dir = cohort_folder(cohort_dir) / TEAMS
    if team and "/" not in team and (teams_dir / team / PROJECT).exists():
        return teams_dir / team / PROJECT
    return teams_dir / slug(team) / PROJECT


def _make_folder(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, OPEN_FOLDER_MODE)  # setgid: new files keep the cohort folder's group
    except OSError:
        pass


def _open_registry(folder: Path) -> Registry:
    registry = read_registry(folder)
    if registry.managed:
        raise DataError("On this hub the facilitator puts learners in teams, so you cannot join one here",
                        hint="Ask your facilitator to run 'equitylab cohort add' for you, then restart your "
                             "server (hub Control Panel: Stop My Server, then Start My Server)")
    return registry


def _create_team(folder: Path, name: str) -> Path:
    """Create the team's folder and empty project file if missing (caller holds the cohort lock)."""
    path = folder / TEAMS / slug(name) / PROJECT
    _make_folder(folder / TEAMS)
    _make_folder(path.parent)
    if not path.exists():
        Project.new(title=name, team=name).save(path)
    return path


def _changing(folder: Path, fn):
    """Run ``fn(registry)`` on an open cohort's registry under its lock and write it back."""
    _make_folder(folder)
    try:
        with registry_lock(folder):
            registry = _open_registry(folder)
            out = fn(registry)
            write_registry(folder, registry, mode=OPEN_FILE_MODE)
    except Timeout:
        raise ProjectFileError("Someone else has held the cohort's list of teams for too long",
                               file=str(folder / REGISTRY), hint="Wait a moment and try again") from None
    except PermissionError as exc:
        raise ProjectFileError("You may not change this cohort's list of teams", file=str(exc.filename or folder),
                               hint="Ask your facilitator to add you ('equitylab cohort add')") from None
    return out


def create_teams(cohort_dir, names) -> list[Path]:
    """Set up teams of an open cohort before the session, so learners pick from a list.

    Returns the path of each team's project file. Teams that exist already are left as they are.
    (A managed cohort's teams are made by ``equitylab cohort add``.)
    """
    folder = cohort_folder(cohort_dir)

    def add(registry: Registry) -> list[Path]:
        out = []
        for name in names:
            entry = registry.teams.setdefault(slug(name), {"name": " ".join(str(name).split()), "learners": [],
                                                           "group": ""})
            out.append(_create_team(folder, entry["name"]))
        return out

    return _changing(folder, add)


def join_team(cohort_dir, team_name: str, learner: str | None = None) -> Path:
    """Put ``learner`` in the team called ``team_name`` of an open cohort; returns the team's project file.

    The team and its project file are created if this is the first member. A learner is in
    one team at a time: joining another team moves them. The registry is changed under a
    lock and written atomically, so a room of people joining at once all end up listed.
    In a managed cohort (set up by ``equitylab cohort``) this refuses, in words.
    """
    learner = (learner or learner_name()).strip()
    if not learner:
        raise DataError("Joining a team needs the learner's user name", hint="Pass learner='your user name'")
    key = slug(team_name)
    folder = cohort_folder(cohort_dir)

    def join(registry: Registry) -> Path:
        for other_key, entry in registry.teams.items():
            if other_key != key and learner in entry["learners"]:
                entry["learners"].remove(learner)
        entry = registry.teams.setdefault(key, {"name": " ".join(str(team_name).split()), "learners": [],
                                                "group": ""})
        if learner not in entry["learners"]:
            entry["learners"].append(learner)
        return _create_team(folder, entry["name"])

    return _changing(folder, join)


def teams(cohort_dir=None) -> list[Team]:
    """Every team in the cohort, in name order: those in the registry and any team folder on disk."""
    folder = cohort_folder(cohort_dir)
    registry = read_registry(folder) if folder.is_dir() else Registry()
    found = {key: Team(key, entry["name"], list(entry["learners"]), group=entry["group"])
             for key, entry in registry.teams.items()}
    team_root = folder / TEAMS
    try:
        subs = list(team_root.iterdir()) if team_root.is_dir() else []
    except PermissionError:
        subs = []  # a learner of a managed cohort sees the registry's list only
    for sub in subs:
        if sub.name not in found and sub.is_dir() and os.access(sub, os.X_OK) and (sub / PROJECT).exists():
            found[sub.name] = Team(sub.name, sub.name.rsplit("-", 1)[0].replace("-", " "), [])
    for team in found.values():
        team.project_path = folder / TEAMS / team.slug / PROJECT
    return sorted(found.values(), key=lambda t: t.name.lower())


def team_of(cohort_dir, learner: str | None = None) -> Team | None:
    """The team ``learner`` is in (default: whoever is logged in, by hub name or system login), or None."""
    names = [learner] if learner else _names_of_me()
    for team in teams(cohort_dir):
        if any(n in team.learners for n in names):
            return team
    return None


def project_for(learner: str | None = None, cohort_dir=None) -> Path | None:
    """The project file a learner's forms should save into during a cohort session.

    ``EQUITYLAB_TEAM_FILE`` if the hub set it (Kubernetes mounts only the team's folder); else the
    learner's team file if a cohort folder is set and they are in a team; else None (then the
    learner works in their own project file, as in self-study).
    """
    if learner is None and os.environ.get("EQUITYLAB_TEAM_FILE"):
        return Path(os.environ["EQUITYLAB_TEAM_FILE"])
    value = str(cohort_dir or "").strip() or os.environ.get("EQUITYLAB_COHORT_DIR", "").strip()
    folder = Path(value).expanduser() if value else None
    if folder is None or not folder.is_dir():
        return None
    if not os.access(folder, os.X_OK) or (
            (folder / REGISTRY).exists() and not os.access(folder / REGISTRY, os.R_OK)):
        return None  # not in this (managed) cohort, or not since their server started: their own file
    team = team_of(folder, learner)
    return team.project_path if team else None


def summary_folder(cohort_dir=None) -> Path:
    """Where the facilitator's summary goes: the cohort's facilitator folder when it has one."""
    folder = cohort_folder(cohort_dir)
    return folder / FACILITATOR_FOLDER if (folder / FACILITATOR_FOLDER).is_dir() else folder


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
        try:
            row.update(_answers(team.project_path))
        except EquityLabError as exc:
            row["problem"] = str(exc)
        except PermissionError:
            row["problem"] = f"You may not read this team's file ({team.project_path})"
        except Exception as exc:  # noqa: BLE001  (one bad file is named and skipped, never stops the view)
            row["problem"] = f"This team's file could not be read; it may be damaged ({team.project_path})"
        rows.append(row)
    df = pd.DataFrame(rows, columns=list(GATHER_COLUMNS))
    df["n_learners"] = df["n_learners"].astype("int64")
    df["progress_score"] = pd.to_numeric(df["progress_score"], errors="coerce").astype("float64")
    return stamp(df, source="file", licence="the teams' own work (internal to the session)",
                 description=f"Team project files in the cohort folder {folder}")


def _answers(path: Path) -> dict:
    """One team's answers for :func:`gather` (raises if the file cannot be read)."""
    if not path.exists():
        return {"problem": "No project file yet"}
    p = load(path)
    bc = p.best_chance
    return dict(
        title=p.title, topic=p.topic,
        current_rung=p.coproduction.current_rung, target_rung=p.coproduction.target_rung,
        where_diverse_team=bc.diverse_team.where_we_are, where_meeting_often=bc.meeting_often.where_we_are,
        where_coach_and_sponsor=bc.coach_and_sponsor.where_we_are, where_coproduction=bc.coproduction.where_we_are,
        aim=p.aim.sentence(), progress_score=p.progress_score, progress_stage=p.progress_stage,
        saved=pd.Timestamp(datetime.fromtimestamp(path.stat().st_mtime)))


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
    atomic_write(path, html)  # the folder's sharing, never world-readable in a closed folder
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
