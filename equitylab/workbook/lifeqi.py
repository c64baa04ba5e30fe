"""The project's fields grouped the way QI platforms such as Life QI ask for them (JSON, Markdown, CSV),
so that nothing is typed twice."""
from __future__ import annotations

import csv
import io

from ..safe import markdown_text, spreadsheet_text
from . import diagram
from .model import DATA_QUESTIONS, FOUR_QUESTIONS, LADDER, LADDER_MEANING, Project
from .sharing import shared_points


def shareable_quotes(project: Project, audience: str = "publish"):
    """Quotes fit to show: never ones with identifiers; only agreed ones when published."""
    return [q for q in project.heard if not q.identifiers() and (q.consent or audience == "team")]


def rung_words(project: Project) -> str:
    co = project.coproduction
    if not co.current_rung:
        return "Not yet placed on the ladder of co-production."
    n = LADDER.index(co.current_rung) + 1
    text = f"Rung {n} of 7, {co.current_rung} ({LADDER_MEANING[co.current_rung]})"
    if co.target_rung:
        text += f"; aiming for {co.target_rung} (rung {LADDER.index(co.target_rung) + 1})"
    if co.involvement:
        text += f". Service users are {co.involvement}"
    return text + "."


def lifeqi_export(project: Project, audience: str = "publish") -> dict:
    """Project fields grouped the way QI platforms such as Life QI ask for them, so nothing
    is typed twice: general, team, aim, driver diagram, measures, PDSA cycles, and the
    equity work from the learning session. Names follow naming consent; quotes are only
    those agreed for sharing with no identifiers. ``audience="publish"`` (the default: this is a
    file that leaves the team) blanks measure data that rests on counts of 1 to 7 and the points
    they could be worked out from (:mod:`equitylab.workbook.sharing`)."""
    p = project
    names = {n.id: n.text for n in p.drivers.nodes}
    return {
        "General": {
            "Project title": p.title, "Team": p.team, "Area code": p.area_code,
            "Problem / description": p.topic, "Why it matters": p.why_it_matters,
            "Progress score": p.progress_score, "Progress stage": p.progress_stage,
            "Service user involvement": p.coproduction.involvement,
            "Service user involvement notes": rung_words(p) + (" " + p.coproduction.evidence if p.coproduction.evidence else ""),
            "Meeting frequency": p.meeting_cadence,
        },
        "Team members": [{"Name": m.display(), "Role": m.role} for m in p.members],
        "Aim": {"Aim statement": p.aim.sentence(), "What": p.aim.what, "Group experiencing the inequity": p.aim.group,
                "Compared with": p.aim.comparison_group, "Baseline": p.aim.baseline, "Target": p.aim.target,
                "Unit": p.aim.unit, "By when": p.aim.by_when.isoformat() if p.aim.by_when else "",
                "For whom": p.aim.for_whom, "Where": p.aim.where},
        "Driver diagram": {
            "Outline": diagram.outline(p),
            "Primary drivers": [n.text for n in p.drivers.nodes if n.kind == "primary"],
            "Secondary drivers": [n.text for n in p.drivers.nodes if n.kind == "secondary"],
            "Change ideas": [n.text for n in p.drivers.nodes if n.kind == "change_idea"],
        },
        "Measures": [{"Name": m.name, "Type": m.kind, "Operational definition": m.definition,
                      "Numerator": m.numerator, "Denominator": m.denominator, "Data source": m.data_source,
                      "Stratified by": ", ".join(m.stratified_by), "Improvement direction": m.direction_words,
                      "Data": [{"Date": x["period"].isoformat() if x["period"] else "", "Group": x["group"],
                                "Numerator": x["numerator"], "Denominator": x["denominator"],
                                "Value": x["value"], "Note": x["note"]} for x in shared_points(m, audience)]}
                     for m in p.measures],
        "PDSA cycles": [{"Change idea": names.get(c.change_idea, c.change_idea), "Cycle": c.cycle,
                         "Objective": c.objective, "Questions": c.questions, "Predictions": c.predictions,
                         "Plan - who": c.plan.who, "Plan - what": c.plan.what, "Plan - when": c.plan.when,
                         "Plan - where": c.plan.where, "Do - what happened": c.what_happened,
                         "Study - what we learned": c.learned, "Act": c.act, "Next steps": c.next_steps,
                         "Start date": c.start.isoformat() if c.start else "",
                         "End date": c.end.isoformat() if c.end else ""} for c in p.pdsa],
        "Equity work": {
            "Barriers": p.barriers, "Enablers": p.enablers,
            "Ladder of co-production": {"Now": p.coproduction.current_rung, "Aiming for": p.coproduction.target_rung},
            "Best chance of success": {FOUR_QUESTIONS[k]: {"Where we are": getattr(p.best_chance, k).where_we_are,
                                                           "Next steps": getattr(p.best_chance, k).next_steps}
                                       for k in FOUR_QUESTIONS},
            "Data plan": [{"Question": DATA_QUESTIONS[d.question], "Kind": d.kind, "What": d.what, "Ask": d.ask,
                           "How to collect": d.how_to_collect, "Challenges": d.challenges} for d in p.data_plan],
            "What we heard": [{"Quote": q.text, "Speaker role": q.speaker_role, "Theme": q.theme,
                               "Driver": names.get(q.driver, q.driver)} for q in shareable_quotes(p, "publish")],
            "Next steps": p.next_steps,
        },
    }


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix} / {k}" if prefix else k)
    elif isinstance(value, list):
        for i, v in enumerate(value, 1):
            yield from _flatten(v, f"{prefix} {i}")
    else:
        yield prefix, "" if value is None else value


def lifeqi_markdown(project: Project, audience: str = "publish") -> str:
    data = lifeqi_export(project, audience)
    lines = [f"# {markdown_text(project.title)}", ""]
    for section, body in data.items():
        lines += [f"## {section}", ""]
        lines += [f"- **{markdown_text(k)}**: {markdown_text(v)}" for k, v in _flatten(body)]
        lines.append("")
    return "\n".join(lines)


def lifeqi_csv(project: Project, audience: str = "publish") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["section", "field", "value"])
    for section, body in lifeqi_export(project, audience).items():
        for k, v in _flatten(body):
            writer.writerow([spreadsheet_text(section), spreadsheet_text(k), spreadsheet_text(v)])
    return buf.getvalue()
