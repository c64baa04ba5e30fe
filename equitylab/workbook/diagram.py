"""Drawing the driver diagram: a left-to-right SVG made by our own code.

Columns run aim → primary drivers → secondary drivers → change ideas (IHI QI Essentials
Toolkit). Links are curves, solid when the relationship is strong and dashed when weak.
No Graphviz or other program is needed, so it works the same on a locked-down laptop.
The page is A3 landscape; box width is chosen so the text is as large as it can be.
PNG and PDF files of it are written by :func:`equitylab.findings.project.save_diagram`.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

from .model import NODE_KIND_NAMES, DriverDiagram, Project

A3 = (420.0, 297.0)  # mm, landscape
FONT = 13.0
LINE = 16.5
PAD = 8.0
GAP_Y = 14.0
GAP_X = 100.0
MARGIN = 30.0
HEADER = 34.0
LEGEND = 34.0
# DejaVu Sans, the widest common fallback, averages about 0.6 em a character
CHAR_EM = 0.6
COLUMNS = ("aim", "primary", "secondary", "change_idea")
TITLES = {"aim": "Aim", "primary": "Primary drivers", "secondary": "Secondary drivers",
          "change_idea": "Change ideas"}
FILL = {"aim": "#0b3d91", "primary": "#d6e6f5", "secondary": "#e8f1e0", "change_idea": "#fff3d6"}
STROKE = {"aim": "#0b3d91", "primary": "#0072b2", "secondary": "#009e73", "change_idea": "#b07800"}


@dataclass
class Box:
    id: str
    kind: str
    x: float
    y: float
    width: float
    height: float
    lines: list[str]
    measure_lines: list[str]
    title: str


def _wrap(text: str, width: float, font: float = FONT) -> list[str]:
    chars = max(8, int((width - 2 * PAD) / (font * CHAR_EM)))
    return textwrap.wrap(text.strip() or "(blank)", chars, break_long_words=True) or ["(blank)"]


def _aim_text(project: Project) -> str:
    return project.aim.sentence() or project.title or "(aim not written yet)"


def _order(diagram: DriverDiagram, boxes_by_col: dict[str, list], position: dict[str, float]) -> None:
    """Order each column by the mean position of the boxes it links to on its left
    (a barycentre pass), which keeps most curves short and uncrossed."""
    left_of: dict[str, list[str]] = {}
    for link in diagram.links:
        left_of.setdefault(link.target, []).append(link.source)
    for kind in COLUMNS[1:]:
        nodes = boxes_by_col[kind]
        keyed = []
        for i, node in enumerate(nodes):
            lefts = [position[s] for s in left_of.get(node.id, []) if s in position]
            keyed.append((sum(lefts) / len(lefts) if lefts else float("inf"), i, node))
        keyed.sort(key=lambda k: (k[0], k[1]))
        boxes_by_col[kind] = [k[2] for k in keyed]
        for rank, node in enumerate(boxes_by_col[kind]):
            position[node.id] = rank


def layout(project: Project, box_width: float | None = None) -> tuple[list[Box], float, float]:
    """Place every box; returns (boxes, content width, content height) in SVG units.

    Without ``box_width`` several widths are tried and the one giving the largest text
    on an A3 landscape page is kept.
    """
    if box_width is None:
        best = None
        for width in range(230, 431, 25):
            boxes, w, h = layout(project, float(width))
            page_w, page_h = _page(w, h)
            scale = A3[0] / page_w
            if best is None or scale > best[0] + 1e-9:
                best = (scale, boxes, w, h)
        return best[1], best[2], best[3]
    diagram = project.drivers
    names = {m.id: m.name for m in project.measures}
    by_col: dict[str, list] = {k: [] for k in COLUMNS[1:]}
    for node in diagram.nodes:
        by_col[node.kind].append(node)
    position = {"aim": 0.0}
    _order(diagram, by_col, position)
    boxes: list[Box] = []
    heights = {}
    col_boxes: dict[str, list[Box]] = {}
    aim_width = box_width
    aim_lines = _wrap(_aim_text(project), aim_width)
    col_boxes["aim"] = [Box("aim", "aim", 0, 0, aim_width, len(aim_lines) * LINE + 2 * PAD, aim_lines, [],
                            "Aim: " + _aim_text(project))]
    for kind in COLUMNS[1:]:
        col_boxes[kind] = []
        for node in by_col[kind]:
            lines = _wrap(node.text, box_width)
            measure_lines = []
            for mid in node.measures:
                if mid in names:
                    measure_lines += _wrap("Measure: " + names[mid], box_width, FONT * 0.85)
            height = len(lines) * LINE + len(measure_lines) * LINE * 0.85 + 2 * PAD
            col_boxes[kind].append(Box(node.id, kind, 0, 0, box_width, height, lines, measure_lines,
                                       f"{NODE_KIND_NAMES[kind]}: {node.text}"))
    for kind in COLUMNS:
        heights[kind] = sum(b.height for b in col_boxes[kind]) + GAP_Y * max(0, len(col_boxes[kind]) - 1)
    inner = max(heights.values())
    for i, kind in enumerate(COLUMNS):
        x = MARGIN + i * (box_width + GAP_X)
        y = MARGIN + HEADER + (inner - heights[kind]) / 2
        for box in col_boxes[kind]:
            box.x, box.y = x, y
            y += box.height + GAP_Y
            boxes.append(box)
    width = 2 * MARGIN + 4 * box_width + 3 * GAP_X
    height = 2 * MARGIN + HEADER + inner + LEGEND
    return boxes, width, height


def _page(width: float, height: float) -> tuple[float, float]:
    """Grow the canvas to A3 landscape proportions so it prints without distortion."""
    ratio = A3[0] / A3[1]
    if width / height < ratio:
        return height * ratio, height
    return width, width / ratio


def to_svg(project: Project, *, page: bool = True, box: tuple[float, float, float, float] | None = None) -> str:
    """The driver diagram as an SVG document (A3 landscape), with a title and a text outline.

    Parameters
    ----------
    project : Project
    page : bool
        True sizes the SVG as an A3 landscape page (420 x 297 mm); False leaves it to scale
        with its container (for web pages).
    box : (x, y, width, height), optional
        Place the diagram in this rectangle of a larger SVG (used by the one-page PDF).
    """
    boxes, width, height = layout(project)
    page_w, page_h = _page(width, height)
    dx, dy = (page_w - width) / 2, (page_h - height) / 2
    centre = {b.id: b for b in boxes}
    title = f"Driver diagram: {project.title}" if project.title else "Driver diagram"
    size = (f'width="{A3[0]:g}mm" height="{A3[1]:g}mm"' if page
            else 'width="100%" style="max-width:100%;height:auto"')
    if box is not None:
        size = f'x="{box[0]:.1f}" y="{box[1]:.1f}" width="{box[2]:.1f}" height="{box[3]:.1f}"'
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} viewBox="0 0 {page_w:.1f} {page_h:.1f}" '
        'role="img" aria-labelledby="dd-title dd-desc" '
        'font-family="Arial, Helvetica, \'DejaVu Sans\', sans-serif">',
        f'<title id="dd-title">{escape(title)}</title>',
        f'<desc id="dd-desc">{escape(outline(project))}</desc>',
        f'<rect width="{page_w:.1f}" height="{page_h:.1f}" fill="#ffffff"/>',
        f'<g transform="translate({dx:.1f},{dy:.1f})">',
    ]
    for i, kind in enumerate(COLUMNS):
        col = [b for b in boxes if b.kind == kind]
        x = (col[0].x if col else MARGIN + i * (boxes[0].width + GAP_X)) + (boxes[0].width / 2)
        out.append(f'<text x="{x:.1f}" y="{MARGIN + 14:.1f}" text-anchor="middle" font-size="{FONT * 1.25:.1f}" '
                   f'font-weight="bold" fill="#222">{TITLES[kind]}</text>')
    out.append('<g class="links" fill="none">')
    for link in project.drivers.links:
        a, b = centre.get(link.source), centre.get(link.target)
        if a is None or b is None:
            continue
        x1, y1 = a.x + a.width, a.y + a.height / 2
        x2, y2 = b.x, b.y + b.height / 2
        bend = max(30.0, (x2 - x1) / 2)
        dash = ' stroke-dasharray="7 5"' if link.strength == "weak" else ""
        out.append(f'<path class="link {link.strength}" data-source="{escape(link.source)}" '
                   f'data-target="{escape(link.target)}" d="M{x1:.1f},{y1:.1f} C{x1 + bend:.1f},{y1:.1f} '
                   f'{x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}" stroke="#555" stroke-width="1.6"{dash}/>')
    out.append("</g>")
    for b in boxes:
        text_fill = "#ffffff" if b.kind == "aim" else "#111111"
        out.append(f'<g class="node {b.kind}" id="{escape(b.id)}"><title>{escape(b.title)}</title>')
        out.append(f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.width:.1f}" height="{b.height:.1f}" rx="6" '
                   f'fill="{FILL[b.kind]}" stroke="{STROKE[b.kind]}" stroke-width="1.5"/>')
        y = b.y + PAD + FONT
        weight = ' font-weight="bold"' if b.kind == "aim" else ""
        for line in b.lines:
            out.append(f'<text x="{b.x + PAD:.1f}" y="{y:.1f}" font-size="{FONT:g}" fill="{text_fill}"{weight}>'
                       f'{escape(line)}</text>')
            y += LINE
        for line in b.measure_lines:
            out.append(f'<text x="{b.x + PAD:.1f}" y="{y:.1f}" font-size="{FONT * 0.85:.2f}" font-style="italic" '
                       f'fill="#333">{escape(line)}</text>')
            y += LINE * 0.85
        out.append("</g>")
    ly = height - MARGIN - 8
    out.append(f'<g class="legend" font-size="{FONT:g}" fill="#222">'
               f'<path d="M{MARGIN:.1f},{ly:.1f} h40" stroke="#555" stroke-width="1.6"/>'
               f'<text x="{MARGIN + 48:.1f}" y="{ly + 4:.1f}">strong relationship</text>'
               f'<path d="M{MARGIN + 220:.1f},{ly:.1f} h40" stroke="#555" stroke-width="1.6" stroke-dasharray="7 5"/>'
               f'<text x="{MARGIN + 268:.1f}" y="{ly + 4:.1f}">weaker relationship</text></g>')
    out.append("</g></svg>")
    return "\n".join(out)


def outline(project: Project) -> str:
    """The diagram as indented text, for screen readers and for pasting into other tools."""
    d = project.drivers
    nodes = {n.id: n for n in d.nodes}
    right: dict[str, list] = {}
    for link in d.links:
        right.setdefault(link.source, []).append(link)
    lines = [f"Aim: {_aim_text(project)}"]
    shown = set()

    def walk(node_id, depth, number):
        for i, link in enumerate(right.get(node_id, []), 1):
            node = nodes.get(link.target)
            if node is None:
                continue
            label = f"{number}{i}" if number else f"{i}"
            weak = " (weaker link)" if link.strength == "weak" else ""
            lines.append(f"{'  ' * depth}{label}. {NODE_KIND_NAMES[node.kind]}: {node.text}{weak}")
            shown.add(node.id)
            if depth < 3:
                walk(node.id, depth + 1, label + ".")

    walk("aim", 0, "")
    loose = [n for n in d.nodes if n.id not in shown]
    if loose:
        lines.append("Not linked yet:")
        lines += [f"  - {NODE_KIND_NAMES[n.kind]}: {n.text}" for n in loose]
    return "\n".join(lines)


def to_html(project: Project) -> str:
    """A self-contained web page with the diagram and its text outline."""
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape('Driver diagram: ' + project.title)}</title>"
            "<style>@page{size:A3 landscape;margin:8mm}body{font-family:Arial,sans-serif;margin:1em}"
            "details{margin-top:1em}pre{white-space:pre-wrap}</style></head><body>"
            f"<h1>{escape('Driver diagram: ' + project.title)}</h1>{to_svg(project, page=False)}"
            f"<details><summary>Text outline of the diagram</summary><pre>{escape(outline(project))}</pre>"
            "</details></body></html>")
