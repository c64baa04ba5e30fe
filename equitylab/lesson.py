"""What the curriculum notebooks call: one short line per step of the lesson.

A notebook starts a :class:`Session` with its parameters; each method shows a finding, a
form or a summary. Nothing here computes statistics: it calls :mod:`equitylab.findings`,
:mod:`equitylab.widgets` and :mod:`equitylab.workbook`, and turns any equitylab error into a
plain message instead of a traceback, so a learner is never left with a wall of code.
"""
from __future__ import annotations

import functools
import os
import re
import sys
import warnings
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from . import cohort, findings
from ._paths import home_dir
from .charts.theme import enable_offline
from .check import checks
from .errors import EquityLabError
from .findings.finding import inline_svg
from .loaders.areas import area_info, check_area
from .widgets import form
from .widgets.base import ProjectForm, text
from .widgets.cohort import join_team_form
from .workbook import Project, diagram
from .workbook.next_steps import next_steps, stage

DEFAULT_PROJECT = "project.yaml"


def _show(obj) -> None:
    display(obj)


def _md(text: str) -> None:
    display(Markdown(text))


def _friendly(method):
    """Show equitylab errors as a plain message; unexpected errors too unless EQUITYLAB_STRICT is set."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except EquityLabError as exc:
            _md(f"> **This step could not run.** {exc}")
        except Exception as exc:
            if os.environ.get("EQUITYLAB_STRICT"):
                raise
            # a bug of ours: the learner gets no exception name or code, just what to do next
            _md("> **This step could not run.** Your saved answers are safe. Try *Kernel → Restart Kernel and "
                "Run All Cells*; if it happens again, tell your facilitator.")
        return None

    return wrapper


class Session:
    """One learner's (or team's) place in the curriculum: the project file, the area and the
    service data, with a method for each step of the notebooks."""

    def __init__(self, project_file: str = "", area_code: str = "E09000012", service_data: str = "",
                 notebook: str = "", audience: str = "team", mapping: str = "", bad_rows: str = "error"):
        # in a live session a learner who has joined a team writes to the team's shared file
        team_file = None if project_file else cohort.project_for()
        self.project_path = (Path(project_file).expanduser() if project_file
                             else team_file or home_dir() / DEFAULT_PROJECT)
        self.project_path.parent.mkdir(parents=True, exist_ok=True)
        if self.project_path.exists():
            self.project = Project.load(self.project_path)
        else:
            self.project = Project.new(title="Our equity project", area_code=area_code)
            self.project.save(self.project_path)
        self.area_code = check_area(area_code)
        self.area = area_info(self.area_code)
        self.service_path = service_data
        self.service_options = {"mapping": mapping, "bad_rows": bad_rows}  # how read_service_data reads it
        self.notebook = notebook
        self.audience = audience
        self._service = None

    # -- the basics -------------------------------------------------------
    def reload(self):
        self.project = Project.load(self.project_path)
        return self.project

    @property
    def service(self):
        if self._service is None:
            # what reading the extract warns of (rows left out, identifying columns dropped) is shown as a
            # plain note, once, not as a Python warning with a file name and a line of code
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self._service = findings.load_service(self.service_path, self.area_code, **self.service_options)
            for message in dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning)):
                _md("> **Note on your data.** " + re.sub(r"([\\`*_<>\[\]])", r"\\\1", message))
        return self._service

    def hello(self) -> None:
        _md(f"Hello! This box ran. Your area is **{self.area['name']}** and your answers are saved in "
            f"`{self.project_path}`.")

    @_friendly
    def check(self) -> None:
        rows = [{"what": w, "result": "OK" if ok else "FAIL", "detail": d} for w, ok, d in checks()]
        _show(pd.DataFrame(rows))
        failed = sum(r["result"] == "FAIL" for r in rows)
        _md("Everything is ready." if not failed else f"**{failed} problem(s).** Ask your facilitator.")

    @_friendly
    def form(self, name: str, **kwargs):
        if name == "start":
            return _StartForm.make(self.project_path, **kwargs)
        return form(name, self.project_path, **kwargs)

    @_friendly
    def join_team(self):
        """In a live session (``EQUITYLAB_COHORT_DIR`` set), the form to join a breakout team."""
        if not os.environ.get("EQUITYLAB_COHORT_DIR"):
            _md("You are working on your own, so your answers go in your own project file.")
            return None

        def joined(path):
            self.project_path = Path(path)
            self.reload()

        return join_team_form("", on_joined=joined)

    @_friendly
    def area_summary(self) -> None:
        a = self.area
        region = f" in {a['region']}" if a.get("region") and a.get("region") != a["name"] else ""
        _md(f"**{a['name']}** ({a['code']}) is a {a['type']}{region}.")

    @_friendly
    def project_summary(self, full: bool = False) -> None:
        p = self.reload()
        lines = [f"**Project file:** `{self.project_path}`", f"**Title:** {p.title or '(not set)'}",
                 f"**Team:** {p.team or '(not set)'}"]
        if full:
            lines += [f"**Topic:** {p.topic or '(not set)'}",
                      f"**Team members:** {len(p.members)}",
                      f"**Co-production:** now {p.coproduction.current_rung or '(not placed)'}, aiming for "
                      f"{p.coproduction.target_rung or '(not set)'}",
                      f"**Aim:** {p.aim.statement or p.aim.what or '(not written yet)'}",
                      f"**Driver diagram:** {len(p.drivers.nodes)} drivers and ideas",
                      f"**Measures:** {len(p.measures)}; **PDSA cycles:** {len(p.pdsa)}",
                      f"**Stage:** {stage(p)}"]
        _md("  \n".join(lines))

    # -- 01 defining equity -------------------------------------------------
    @_friendly
    def deprivation_profile(self):
        return findings.deprivation_profile(self.area_code)

    @_friendly
    def ethnic_mix(self):
        return findings.ethnic_mix(self.area_code)

    @_friendly
    def england_gradient(self):
        return findings.england_gradient()

    @_friendly
    def life_expectancy_between_areas(self):
        return findings.life_expectancy_between_areas(self.area_code)

    @_friendly
    def within_area_gap(self):
        return findings.within_area_gap(self.area_code)

    # -- 02 building the team -------------------------------------------------
    @_friendly
    def team_mix(self) -> None:
        mix = self.reload().team_mix()
        if mix.ok:
            _md(f"Your team of {mix.size} has lived experience, a decision-maker, a QI coach and a sponsor.")
        else:
            _md("Things to work on:\n\n" + "\n".join(f"- {p}" for p in mix.problems))

    # -- 03 the data exercise -------------------------------------------------
    @_friendly
    def profiles(self):
        return findings.profiles()

    @_friendly
    def population_indicators(self):
        return findings.population_indicators(self.area_code)

    @_friendly
    def published_profile(self, area_code: str = "E09000012"):
        return findings.published_profile(area_code)

    @_friendly
    def service_summary(self):
        return findings.service_summary(self.service)

    @_friendly
    def access(self, by: str = "ethnicity"):
        return findings.access(self.service, self.area_code, by, audience=self.audience)

    @_friendly
    def experience(self, by: str = "ethnicity"):
        return findings.experience(self.service, by, audience=self.audience)

    @_friendly
    def outcomes(self, by="ethnicity"):
        return findings.outcomes(self.service, by, audience=self.audience)

    @_friendly
    def outcomes_by_deprivation(self):
        return findings.outcomes_by_deprivation(self.service, self.area_code, audience=self.audience)

    @_friendly
    def intersections(self, by=None, measure: str = "waiting"):
        return findings.intersections(self.service, by, measure=measure, audience=self.audience)

    # -- 04 aim, driver diagram, measures -----------------------------------
    @_friendly
    def driver_diagram(self) -> None:
        p = self.reload()
        if not p.drivers.nodes:
            _md("Your driver diagram is empty. Add a primary driver in the form above, then run this box again.")
            return
        outline = diagram.outline(p)
        _show(inline_svg(diagram.to_svg(p, page=False), f"Driver diagram. {outline}"))
        _md("*Diagram outline (text version):*\n\n" + outline)

    @_friendly
    def run_chart(self, by=None):
        return findings.over_time(self.service, by=by, audience=self.audience, chart="run")

    @_friendly
    def control_chart(self, by="ethnicity"):
        """SPC charts by group; the aim's target for being seen within 28 days, when it sets one, gives the
        assurance icons."""
        return findings.over_time(self.service, by=by, audience=self.audience,
                                  target=findings.aim_target(self.reload()))

    @_friendly
    def gap_chart(self, group=None, reference=None, by="ethnicity"):
        """The gap over time between the team's group of concern and its comparison group: those the aim
        names, when the extract has them; otherwise the lowest group against the largest."""
        aim = self.project.aim
        known = set(self.service[by].astype(str)) if by in self.service else set()
        group = group or (aim.group if aim.group in known else None)
        reference = reference or (aim.comparison_group if aim.comparison_group in known else None)
        return findings.gap_over_time(self.service, group=group, reference=reference, by=by,
                                      audience=self.audience)

    # -- 05 between sessions -----------------------------------------------------
    @_friendly
    def next_steps(self) -> None:
        p = self.reload()
        steps = next_steps(p)
        head = f"Your team is **{stage(p)}**."
        if not steps:
            _md(head + " Nothing is missing from your project file. Keep testing changes and plotting your data.")
            return
        body = "\n".join(f"{i}. **{s.area.capitalize()}:** {s.step} *({s.why})*" for i, s in enumerate(steps, 1))
        _md(head + " Next steps, from what your project file shows:\n\n" + body)


class _StartForm:
    """The opening form of notebook 00: project title, team and area."""

    @staticmethod
    def make(project_path, **kwargs):
        class StartForm(ProjectForm):
            heading = "Your project"
            intro = "Give your project a title, say which team you are, and the area you work in."

            def build(self):
                p = self.project
                return [
                    self.bind("title", text("Project title"), lambda v: setattr(p, "title", v)),
                    self.bind("team", text("Team name"), lambda v: setattr(p, "team", v)),
                    self.bind("area_code", text("Area code", placeholder="e.g. E09000012"),
                              lambda v: setattr(p, "area_code", v.strip())),
                ]

            def fill(self):
                for name in ("title", "team", "area_code"):
                    self.controls[name].value = getattr(self.project, name)

        return StartForm(project_path, **kwargs)


def start(project_file: str = "", area_code: str = "E09000012", service_data: str = "", *, notebook: str = "",
          audience: str = "team", mapping: str = "", bad_rows: str = "error") -> Session:
    """Open the session for a notebook: make charts work offline, open or create the project file.

    Charts render inside JupyterLab with no internet (``EQUITYLAB_RENDERER=svg`` gives static
    SVG, as reports use).
    """
    # jsonschema (under altair) builds an IRI parser from rfc3987_syntax on import: 1.5 s per
    # notebook for a format check nothing here uses. A curriculum kernel can do without it.
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
    enable_offline(os.environ.get("EQUITYLAB_RENDERER", "jupyter"))
    try:
        return Session(project_file, area_code, service_data, notebook=notebook, audience=audience,
                       mapping=mapping, bad_rows=bad_rows)
    except EquityLabError as exc:
        _md(f"> **The session could not start.** {exc}")
        raise SystemExit(f"equitylab: {exc}") from None
