"""Widgets for a live cohort: joining a team, and the facilitator's dashboard.

>>> from equitylab.widgets.cohort import join_team_form, facilitator_dashboard
>>> join_team_form(cohort_dir, "alice", on_joined=print)        # doctest: +SKIP
>>> facilitator_dashboard(cohort_dir, refresh_seconds=30)        # doctest: +SKIP

Thin views over :mod:`equitylab.cohort`; all the logic (teams, gathering, the summary) is there.
"""
from __future__ import annotations

import threading
from datetime import datetime
from html import escape
from pathlib import Path

import ipywidgets as w

from .. import cohort
from ..errors import EquityLabError
from .base import STYLE, WIDE, button


def _say(label: w.HTML, message: str, *, error: bool = False) -> None:
    colour = "#b00020" if error else "#1b5e20"
    label.value = f'<p style="color:{colour}">{escape(message)}</p>' if message else ""


class JoinTeamForm(w.VBox):
    """Pick or type a team name and join it; calls ``on_joined(project_path)`` once joined.

    Parameters
    ----------
    cohort_dir : the cohort folder ("" means ``EQUITYLAB_COHORT_DIR``)
    learner : the learner's user name ("" means the JupyterHub user)
    on_joined : called with the team's shared project file (a :class:`~pathlib.Path`)
    """

    heading = "Join your team"
    intro = ("Type your team's name (or pick it from the list) and press <b>Join team</b>. "
             "Your team's answers are then saved together in one shared file.")

    def __init__(self, cohort_dir="", learner: str = "", on_joined=None, **kwargs):
        self.cohort_dir = cohort_dir
        self.learner = learner or cohort.learner_name()
        self.on_joined = on_joined
        self.joined: Path | None = None
        self.team = w.Combobox(description="Team name", placeholder="e.g. Hackney CMHT", ensure_option=False,
                               layout=WIDE, style=STYLE)
        self.join_button = button("Join team", self.join, style="primary")
        self.message = w.HTML()
        self.refresh_options()
        current = self._current()
        if current is not None:
            self.team.value = current.name
            _say(self.message, f"You are in team {current.name}. Press Join team to carry on with it, "
                               "or type another team's name to move.")
        super().__init__(children=[w.HTML(f"<h3>{self.heading}</h3><p>{self.intro}</p>"), self.team,
                                   self.join_button, self.message], **kwargs)

    def _current(self):
        try:
            return cohort.team_of(self.cohort_dir, self.learner)
        except EquityLabError:
            return None

    def refresh_options(self) -> None:
        try:
            self.team.options = tuple(t.name for t in cohort.teams(self.cohort_dir))
        except EquityLabError as exc:
            _say(self.message, str(exc), error=True)

    def join(self) -> Path | None:
        """Join the team named in the box (also bound to the button)."""
        try:
            path = cohort.join_team(self.cohort_dir, self.team.value, self.learner)
        except EquityLabError as exc:
            _say(self.message, str(exc), error=True)
            return None
        self.joined = path
        team = cohort.team_of(self.cohort_dir, self.learner)
        others = [x for x in (team.learners if team else []) if x != self.learner]
        with_whom = f" with {', '.join(others)}" if others else " (you are the first one here)"
        _say(self.message, f"You joined {team.name if team else self.team.value}{with_whom}. "
                           "Your team's answers are saved together from now on.")
        self.refresh_options()
        if self.on_joined is not None:
            self.on_joined(path)
        return path


def join_team_form(cohort_dir="", learner: str = "", on_joined=None) -> JoinTeamForm:
    """The join-a-team form: ``on_joined(project_path)`` runs when the learner has joined."""
    return JoinTeamForm(cohort_dir, learner, on_joined)


def _table(df) -> str:
    """The plenary table as HTML (every value escaped)."""
    if df.empty:
        return "<p><i>No team has joined yet.</i></p>"

    def cell(v) -> str:
        if v is None or (isinstance(v, float) and v != v):
            return '<span style="color:#767676">not yet</span>'
        text = str(v).strip()
        return escape(text) if text else '<span style="color:#767676">not yet</span>'

    heads = [("team", "Team"), ("learners", "Learners"), ("topic", "Topic"), ("current_rung", "Ladder now"),
             ("target_rung", "Ladder aim"), ("where_diverse_team", "Diverse team"),
             ("where_meeting_often", "Meeting often"), ("where_coach_and_sponsor", "Coach and sponsor"),
             ("where_coproduction", "Co-production"), ("aim", "Aim"), ("progress_score", "Progress")]
    rows = []
    for _, r in df.iterrows():
        cells = []
        for key, _h in heads:
            value = r[key]
            if key == "progress_score" and value == value and value is not None:
                value = f"{value:g} {r['progress_stage']}"
            cells.append(f"<td>{cell(value)}</td>")
        if r["problem"]:
            cells[0] = f"<td>{cell(r['team'])}<br><span style=\"color:#b00020\">{cell(r['problem'])}</span></td>"
        rows.append("<tr>" + "".join(cells) + "</tr>")
    style = "border:1px solid #999;padding:3px 6px;vertical-align:top;text-align:left"
    head = "".join(f'<th style="{style};background:#e8eef4">{h}</th>' for _k, h in heads)
    return (f'<table class="equitylab-cohort" style="border-collapse:collapse">'
            f"<thead><tr>{head}</tr></thead><tbody>"
            + "".join(rows).replace("<td>", f'<td style="{style}">') + "</tbody></table>")


class FacilitatorDashboard(w.VBox):
    """Every team's answers in one table, refreshed on a button or a timer; exports the summary.

    Parameters
    ----------
    cohort_dir : the cohort folder ("" means ``EQUITYLAB_COHORT_DIR``)
    refresh_seconds : refresh by itself every so many seconds (0 = only on the button)
    summary_path : where "Export summary" writes the one-page HTML (default: in the cohort folder)
    """

    MIN_SECONDS = 5  # a room of teams does not need the files read more often

    def __init__(self, cohort_dir="", *, refresh_seconds: float = 0, summary_path=None, **kwargs):
        self.cohort_dir = cohort_dir
        self.summary_path = summary_path
        self.frame = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.heading = w.HTML("<h3>The teams, for the plenary</h3>")
        self.refresh_button = button("Refresh", self.refresh, style="primary")
        self.auto = w.Checkbox(value=bool(refresh_seconds), description="Refresh by itself", indent=False,
                               layout=w.Layout(width="auto"))
        self.every = w.BoundedIntText(value=int(refresh_seconds) or 30, min=5, max=3600,
                                      description="every (seconds)", style={"description_width": "8em"},
                                      layout=w.Layout(width="16em"))
        self.export_button = button("Export summary", self.export)
        self.status = w.Label(value="")
        self.table = w.HTML()
        self.message = w.HTML()
        self.auto.observe(lambda _c: self._timer(), names="value")
        self.every.observe(lambda _c: self._timer(), names="value")
        super().__init__(children=[
            self.heading, w.HBox([self.refresh_button, self.auto, self.every, self.export_button, self.status]),
            self.message, self.table], **kwargs)
        self.refresh()
        self._timer()

    def refresh(self) -> None:
        """Read every team's project file again and redraw the table."""
        try:
            self.frame = cohort.gather(self.cohort_dir)
        except EquityLabError as exc:
            _say(self.message, str(exc), error=True)
            self.table.value = ""
            return
        self.table.value = _table(self.frame)

        self.status.value = f"{len(self.frame)} team(s), refreshed {datetime.now():%H:%M:%S}"

    def export(self) -> Path | None:
        """Write the one-page summary and show a note of where it went."""
        try:
            target = self.summary_path or cohort.summary_folder(self.cohort_dir) / "cohort_summary.html"
            path = cohort.summary_html(self.cohort_dir, target)
        except (EquityLabError, OSError) as exc:
            _say(self.message, str(exc), error=True)
            return None
        _say(self.message, f"Summary written to {path}. Open it in a browser and print it, or share it.")
        return path

    def _timer(self) -> None:
        self.stop()
        if not self.auto.value:
            return
        self._stop = stop = threading.Event()
        seconds = max(self.MIN_SECONDS, int(self.every.value))

        def loop():
            while not stop.wait(seconds):
                self.refresh()

        self._thread = threading.Thread(target=loop, name="equitylab-cohort-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the timer (the Refresh button still works)."""
        self._stop.set()


def facilitator_dashboard(cohort_dir="", *, refresh_seconds: float = 0, summary_path=None) -> FacilitatorDashboard:
    """The facilitator's view of every team, with Refresh, an optional timer and "Export summary"."""
    return FacilitatorDashboard(cohort_dir, refresh_seconds=refresh_seconds, summary_path=summary_path)
