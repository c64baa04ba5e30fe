"""Next steps between learning sessions, worked out from what a team has saved.

The session's closing slide gives two lists: one for teams just starting (build a
representative team that meets regularly, collect some data, get a coach and sponsor) and
one for teams under way (review the team, review or start the aim and driver diagram, test
a change, get help with a measurement plan). :func:`next_steps` picks from those ideas the
ones the project file shows are still open, and says why.
"""
from __future__ import annotations

from dataclasses import dataclass

from .aim import check_aim
from .model import Project


@dataclass(frozen=True)
class Step:
    area: str  # team, data, aim and driver diagram, change to test, measurement plan, support
    step: str
    why: str


def stage(project: Project) -> str:
    """"just starting" or "under way": under way once there is an aim, a driver, a PDSA cycle
    or a progress score of 2.0 (activity) or more."""
    started = (bool(project.aim.statement or project.aim.what) or bool(project.drivers.nodes)
               or bool(project.pdsa) or (project.progress_score or 0) >= 2.0)
    return "under way" if started else "just starting"


def next_steps(project: Project) -> list[Step]:
    """The open next steps for ``project``, most basic first."""
    steps: list[Step] = []
    mix = project.team_mix()
    under_way = stage(project) == "under way"
    if not project.members:
        steps.append(Step("team", "Create a representative team, including people from the population you are "
                                  "working with, and meet regularly (for example 30 minutes every fortnight).",
                          "No team members are recorded yet."))
    else:
        if not mix.lived_experience:
            steps.append(Step("team", "Invite people with lived experience of the service to join the team as "
                                      "members, from the start.", "No team member has a lived-experience role."))
        if not mix.decision_maker:
            steps.append(Step("team", "Bring in someone who can make decisions about the service.",
                              "No team member is marked as a decision-maker."))
        if under_way:
            steps.append(Step("team", "Review your team: do you have the right people, including service users, "
                                      "to make a difference to the issue?", "Teams under way review their make-up."))
    if not project.meeting_cadence:
        steps.append(Step("team", "Agree when and how often you will meet, at times that suit everyone.",
                          "No meeting pattern is recorded."))
    if not (mix.qi_coach and mix.sponsor):
        missing = [w for w, ok in (("a QI coach", mix.qi_coach), ("a sponsor", mix.sponsor)) if not ok]
        steps.append(Step("support", "Speak to your improvement advisor to get support from "
                                     + " and ".join(missing) + ".", "The team list has no " + " or ".join(
                                         m.split(" ", 1)[1] for m in missing) + "."))
    if not project.data_plan:
        steps.append(Step("data", "Collect some data to help you understand the issue: service data, and what "
                                  "the people affected and staff say.", "The data plan is empty."))
    else:
        kinds = {item.kind for item in project.data_plan}
        if not {"words", "pictures"} & kinds:
            steps.append(Step("data", "Add words and pictures to your data plan: what will you ask the people "
                                      "affected and the staff?", "The data plan has numbers only."))
    if not project.heard:
        steps.append(Step("data", "Talk to people who face the inequity and note what you hear (roles, not names).",
                          "Nothing is recorded under 'what we heard'."))
    aim_set = bool(project.aim.statement or project.aim.what)
    if not aim_set:
        steps.append(Step("aim and driver diagram", "Start drafting an equity aim: what, how much, by when, for "
                                                    "whom, and the gap between which groups.", "No aim yet."))
    else:
        problems = check_aim(project.aim)
        if problems:
            steps.append(Step("aim and driver diagram", "Review your aim: " + problems[0],
                              f"The aim checker found {len(problems)} thing(s) to improve."))
    if not project.drivers.nodes:
        steps.append(Step("aim and driver diagram", "Start your driver diagram: the main drivers of your aim and "
                                                    "the change ideas they suggest.", "No driver diagram yet."))
    elif under_way:
        steps.append(Step("aim and driver diagram", "Review your driver diagram with the whole team, including "
                                                    "service users.", "Teams under way keep it up to date."))
    ideas = [n for n in project.drivers.nodes if n.kind == "change_idea"]
    if not project.pdsa:
        if ideas or under_way:
            steps.append(Step("change to test", "Choose a change idea and plan a small test of it (a PDSA cycle).",
                              "No PDSA cycle is recorded."))
    else:
        open_cycles = [c for c in project.pdsa if not c.act]
        if open_cycles:
            steps.append(Step("change to test", f"Finish your PDSA cycle on '{open_cycles[0].change_idea}': what "
                                                "happened, what you learned, and whether to adopt, adapt or abandon.",
                              "A cycle has no 'act' decision yet."))
    if not project.measures:
        steps.append(Step("measurement plan", "Do you need help to develop a measurement plan? Ask your "
                                              "improvement advisor.", "No measures are recorded."))
    else:
        flat = [m.name for m in project.measures if not m.stratified_by]
        if flat:
            steps.append(Step("measurement plan", f"Stratify '{flat[0]}' by the groups your aim names, so you can "
                                                  "see whether the gap closes.", "A measure is not split by group."))
        empty = [m.name for m in project.measures if not m.data]
        if empty:
            steps.append(Step("measurement plan", f"Start collecting data for '{empty[0]}' and plot it on a run chart.",
                              "A measure has no data yet."))
    return steps
