"""Findings about the team's own project: its aim, co-production rung, driver diagram and measures."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import vl_convert

from .. import provenance
from ..errors import DataError
from ..workbook import Project, check_aim
from ..workbook import diagram as drawing
from ..workbook.aim import stated_target
from .finding import Finding, check_audience, make


def project_overview(project_path: str | Path, *, audience: str = "publish") -> Finding:
    """The team's aim (with the aim checker's comments), co-production rung, driver diagram and measures.

    The driver diagram is in ``extra["svg"]`` (drawn by :mod:`equitylab.workbook.diagram`) with a text
    outline in ``extra["outline"]``. Team members appear by role only when ``audience="publish"``.
    """

    check_audience(audience)
    project = Project.load(project_path)
    aim = project.aim.statement or (project.aim.sentence() if hasattr(project.aim, "sentence") else "")
    sentences = [f"Project: {project.title or 'untitled'}" + (f" ({project.team})." if project.team else ".")]
    if aim:
        sentences.append(f"Aim: {aim}")
        problems = check_aim(project.aim)
        if problems:
            sentences.append("The aim checker suggests: " + " ".join(problems))
    else:
        sentences.append("The team has not written its aim yet.")
    rung = project.coproduction
    if rung.current_rung:
        sentences.append(f"Co-production: the team places itself at '{rung.current_rung}' on the ladder"
                         + (f", aiming for '{rung.target_rung}'." if rung.target_rung else "."))
    roles = sorted({m.role for m in project.members})
    if roles:
        sentences.append(f"The team has {len(project.members)} members: " + ", ".join(roles) + ".")
    text = "\n\n".join(sentences)
    rows = [{"measure": m.name, "kind": m.kind, "definition": m.definition,
             "stratified by": ", ".join(m.stratified_by), "data points": len(m.data)} for m in project.measures]
    table = pd.DataFrame(rows, columns=["measure", "kind", "definition", "stratified by", "data points"])
    provenance.stamp(table, source="file", licence="the team's own", description=f"project file {Path(project_path).name}")
    extra = {}
    if project.drivers.nodes:
        extra["svg"] = drawing.to_svg(project, page=False)
        extra["outline"] = drawing.outline(project)
    return make("The team's aim and driver diagram", text, data=table, table=table if rows else None,
                    alt_text=extra.get("outline", ""), extra=extra)



# words that tie an aim to a service measure: an aim about being seen within 28 days names "28 days"
_AIM_WORDS = {"seen_28": ("28 days", "28-day", "28 day")}


def aim_target(project: Project | str | Path | None, measure: str = "seen_28") -> float | dict | None:
    """The target the team's aim sets for a service measure, for the Making Data Count assurance icon.

    ``{group: target}`` when the aim names its group, the target alone when it names none, and None (so no
    assurance icon) when there is no project, its aim is about another measure, it sets no target, its
    target is not a percentage, or its numbers are a gap between two groups (a gap is no level for a group).
    """
    if not project:
        return None
    project = project if isinstance(project, Project) else Project.load(project)
    aim = project.aim
    words = f"{aim.what} {aim.statement}".lower()
    if not any(w in words for w in _AIM_WORDS.get(measure, ())):
        return None
    stated = stated_target(aim)
    if stated is None or stated[1] not in ("%", "") or not 0 <= stated[0] <= 100:
        return None
    return {aim.group.strip(): stated[0]} if aim.group.strip() else stated[0]


def _in_points(svg: str) -> str:
    """The A4 page's size in points: resvg takes an SVG pixel for a point (PDF) or 1/72 inch (PNG),
    so "297mm" would come out as 396 mm."""
    width, height = (x * drawing.MM_TO_PT for x in drawing.A4)
    return svg.replace(f'width="{drawing.A4[0]:g}mm" height="{drawing.A4[1]:g}mm"',
                       f'width="{width:.2f}" height="{height:.2f}"', 1)


def save_diagram(project: Project, path, *, ppi: float = 150) -> Path:
    """Save the driver diagram as ``.svg``, ``.png``, ``.pdf`` or ``.html`` (chosen by the file's suffix).

    PNG and PDF are drawn from the SVG by resvg, inside the vl-convert-python wheel (no browser, no
    system libraries); the page is A4 landscape, about 1754 x 1240 pixels at 150 pixels per inch.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".svg":
        path.write_text(drawing.to_svg(project), encoding="utf-8")
    elif suffix == ".png":
        path.write_bytes(vl_convert.svg_to_png(_in_points(drawing.to_svg(project)), ppi=ppi))
    elif suffix == ".pdf":
        path.write_bytes(vl_convert.svg_to_pdf(_in_points(drawing.to_svg(project))))
    elif suffix in (".html", ".htm"):
        path.write_text(drawing.to_html(project), encoding="utf-8")
    else:
        raise DataError("A driver diagram can be saved as .svg, .png, .pdf or .html", file=str(path))
    return path
