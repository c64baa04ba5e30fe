"""Drawing the driver diagram: a left-to-right SVG made by our own code.

Columns run aim → primary drivers → secondary drivers → change ideas (IHI QI Essentials
Toolkit). Links are curves, solid when the relationship is strong and dashed when weak.
No Graphviz or other program is needed, so it works the same on a locked-down laptop.

The page is A4 landscape. Each column's width is chosen so that the whole diagram prints as
large as the page allows: a column of many boxes (change ideas, usually) is made wider so its
boxes take fewer lines, a column of few is kept narrow, and any room left over spreads the
columns and boxes across the page. Text is wrapped by the widths of DejaVu Sans's letters, the
widest of the fonts the SVG names, so a line never runs past its box in any of them.
PNG and PDF files of it are written by :func:`equitylab.findings.project.save_diagram`.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from .model import NODE_KIND_NAMES, DriverDiagram, Project

A4 = (297.0, 210.0)  # mm, landscape
MM_TO_PT = 72 / 25.4
MAX_PRINTED = 18.0  # points: the largest the boxes' text is printed
FONT = 13.0
LINE = 16.5
PAD = 8.0
GAP_Y = 14.0
MAX_GAP_Y = 48.0  # boxes spread to fill the page's height, but stay near each other
GAP_X = 56.0
MAX_GAP_X = 130.0
MARGIN = 24.0
HEADER = 58.0  # the diagram's title and the column titles
LEGEND = 34.0
WIDTHS = tuple(range(150, 511, 30))  # column widths tried, in SVG units
COLUMNS = ("aim", "primary", "secondary", "change_idea")
TITLES = {"aim": "Aim", "primary": "Primary drivers", "secondary": "Secondary drivers",
          "change_idea": "Change ideas"}
FILL = {"aim": "#0b3d91", "primary": "#d6e6f5", "secondary": "#e8f1e0", "change_idea": "#fff3d6"}
STROKE = {"aim": "#0b3d91", "primary": "#0072b2", "secondary": "#009e73", "change_idea": "#b07800"}
FONT_FAMILY = "Arial, Helvetica, 'DejaVu Sans', sans-serif"

# Advance widths of the printable ASCII letters (space to ~) in thousandths of an em, read from
# DejaVu Sans 2.37 and DejaVu Sans Bold (their hmtx tables); any other letter counts as a full em.
_REGULAR = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636, 636,
    636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295,
    656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392,
    634, 592, 818, 592, 592, 525, 636, 337, 636, 838)
_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696,
    696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372,
    372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838,
    500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595,
    478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838)


def text_width(text: str, size: float = FONT, *, bold: bool = False) -> float:
    """How wide ``text`` is at ``size`` (SVG units) in DejaVu Sans, the widest of the fonts named."""
    table = _BOLD if bold else _REGULAR
    return sum(table[ord(c) - 32] if 32 <= ord(c) < 127 else 1000 for c in text) * size / 1000


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


def _wrap(text: str, width: float, size: float = FONT, *, bold: bool = False) -> list[str]:
    """Break ``text`` into lines that fit inside a box ``width`` wide (a word too long is split)."""
    room = width - 2 * PAD
    lines: list[str] = []
    line = ""
    for word in (text.strip() or "(blank)").split():
        while text_width(word, size, bold=bold) > room:  # a word wider than the box: split it
            cut = max(1, max(i for i in range(1, len(word) + 1)
                             if i == 1 or text_width(word[:i] + "-", size, bold=bold) <= room))
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:cut] + "-")
            word = word[cut:]
        joined = f"{line} {word}" if line else word
        if text_width(joined, size, bold=bold) <= room:
            line = joined
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


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


def _column(project: Project, kind: str, nodes: list, width: float) -> list[Box]:
    """The boxes of one column at one width (placed later)."""
    if kind == "aim":
        lines = _wrap(_aim_text(project), width, bold=True)
        return [Box("aim", "aim", 0, 0, width, len(lines) * LINE + 2 * PAD, lines, [],
                    "Aim: " + _aim_text(project))]
    names = {m.id: m.name for m in project.measures}
    out = []
    for node in nodes:
        lines = _wrap(node.text, width)
        measure_lines = [x for mid in node.measures if mid in names
                         for x in _wrap("Measure: " + names[mid], width)]
        height = (len(lines) + len(measure_lines)) * LINE + 2 * PAD
        out.append(Box(node.id, kind, 0, 0, width, height, lines, measure_lines,
                       f"{NODE_KIND_NAMES[kind]}: {node.text}"))
    return out


def _stack(boxes: list[Box]) -> float:
    return sum(b.height for b in boxes) + GAP_Y * max(0, len(boxes) - 1)


def layout(project: Project, page: tuple[float, float] = A4) -> tuple[list[Box], float, float]:
    """Place every box on a canvas of the page's shape; returns (boxes, canvas width, canvas height)
    in SVG units. The widths chosen make the diagram as large as the page (``(width, height)`` in mm)
    allows; the room left over spreads the columns and the boxes in each column."""
    by_col: dict[str, list] = {k: [] for k in COLUMNS[1:]}
    for node in project.drivers.nodes:
        by_col[node.kind].append(node)
    _order(project.drivers, by_col, {"aim": 0.0})
    # a column with no boxes yet takes no room
    active = [k for k in COLUMNS if k == "aim" or by_col[k]]
    gaps = len(active) - 1
    options = {kind: {w: _column(project, kind, by_col.get(kind, []), float(w)) for w in WIDTHS}
               for kind in active}
    best = None
    for tallest in sorted({_stack(col) for cols in options.values() for col in cols.values()}):
        widths = {}
        for kind in active:
            fits = [w for w in WIDTHS if _stack(options[kind][w]) <= tallest]
            if not fits:
                break
            widths[kind] = min(fits)
        else:
            width = sum(widths.values()) + gaps * GAP_X + 2 * MARGIN
            height = tallest + 2 * MARGIN + HEADER + LEGEND
            scale = min(page[0] / width, page[1] / height)
            if best is None or scale > best[0] + 1e-9:
                best = (scale, widths, width, height)
    scale, widths, width, height = best
    scale = min(scale, MAX_PRINTED / (FONT * MM_TO_PT))  # a diagram of three boxes is not drawn in 40-point type
    canvas_w, canvas_h = page[0] / scale, page[1] / scale
    gap_x = min(MAX_GAP_X, (canvas_w - 2 * MARGIN - sum(widths.values())) / max(1, gaps))
    x = (canvas_w - sum(widths.values()) - gaps * gap_x) / 2
    room = canvas_h - 2 * MARGIN - HEADER - LEGEND
    boxes: list[Box] = []
    for kind in active:
        col = options[kind][widths[kind]]
        gap = GAP_Y if len(col) < 2 else min(MAX_GAP_Y, max(GAP_Y, (room - sum(b.height for b in col)) / (len(col) - 1)))
        y = MARGIN + HEADER + (room - sum(b.height for b in col) - gap * max(0, len(col) - 1)) / 2
        for box in col:
            box.x, box.y = x, y
            y += box.height + gap
            boxes.append(box)
        x += widths[kind] + gap_x
    return boxes, canvas_w, canvas_h


def printed_font_size(project: Project, page: tuple[float, float] = A4) -> float:
    """The size in points the boxes' text prints at on the page (``(width, height)`` in mm)."""
    _boxes, canvas_w, _h = layout(project, page)
    return FONT * page[0] * MM_TO_PT / canvas_w


def to_svg(project: Project, *, page: bool = True) -> str:
    """The driver diagram as an SVG document, with a title and a text outline for screen readers.

    Parameters
    ----------
    project : Project
    page : bool
        True sizes the SVG as an A4 landscape page (297 x 210 mm) that the diagram fills; False
        crops it to the diagram and lets it scale with its container (for web pages and forms).
    """
    boxes, page_w, page_h = layout(project)
    title = f"Driver diagram: {project.title}" if project.title else "Driver diagram"
    view = (0.0, 0.0, page_w, page_h)
    top = min(b.y for b in boxes)
    bottom = max(b.y + b.height for b in boxes)
    if not page:  # cropped to what is drawn: no blank bands above and below on a web page
        view = (0.0, top - 36, page_w, bottom - top + 36 + LEGEND + 4)
    size = (f'width="{A4[0]:g}mm" height="{A4[1]:g}mm"' if page
            else 'width="100%" style="max-width:100%;height:auto"')
    out = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" {size} viewBox="{" ".join(f"{v:.1f}" for v in view)}" '
         f'role="img" aria-labelledby="dd-title dd-desc" font-family="{FONT_FAMILY}">'),
        f'<title id="dd-title">{escape(title)}</title>',
        f'<desc id="dd-desc">{escape(outline(project))}</desc>',
        f'<rect x="{view[0]:.1f}" y="{view[1]:.1f}" width="{view[2]:.1f}" height="{view[3]:.1f}" fill="#ffffff"/>',
    ]
    if page:
        out.append(f'<text x="{MARGIN:.1f}" y="{MARGIN + FONT * 1.4:.1f}" font-size="{FONT * 1.4:.1f}" '
                   f'font-weight="bold" fill="#111">{escape(title)}</text>')
    for kind in COLUMNS:
        col = [b for b in boxes if b.kind == kind]
        x = col[0].x + col[0].width / 2 if col else None
        if x is not None:
            out.append(f'<text x="{x:.1f}" y="{top - 14:.1f}" text-anchor="middle" font-size="{FONT * 1.15:.1f}" '
                       f'font-weight="bold" fill="#222">{TITLES[kind]}</text>')
    out.append('<g class="links" fill="none">')
    centre = {b.id: b for b in boxes}
    for link in project.drivers.links:
        a, b = centre.get(link.source), centre.get(link.target)
        if a is None or b is None:
            continue
        x1, y1 = a.x + a.width, a.y + a.height / 2
        x2, y2 = b.x, b.y + b.height / 2
        bend = max(20.0, (x2 - x1) / 2)
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
            out.append(f'<text x="{b.x + PAD:.1f}" y="{y:.1f}" font-size="{FONT:g}" font-style="italic" '
                       f'fill="#333">{escape(line)}</text>')
            y += LINE
        out.append("</g>")
    ly = bottom + LEGEND - 8 if not page else page_h - MARGIN - 8
    lx = boxes[0].x
    out.append(f'<g class="legend" font-size="{FONT:g}" fill="#222">'
               f'<path d="M{lx:.1f},{ly:.1f} h40" stroke="#555" stroke-width="1.6"/>'
               f'<text x="{lx + 48:.1f}" y="{ly + 4:.1f}">strong relationship</text>'
               f'<path d="M{lx + 220:.1f},{ly:.1f} h40" stroke="#555" stroke-width="1.6" stroke-dasharray="7 5"/>'
               f'<text x="{lx + 268:.1f}" y="{ly + 4:.1f}">weaker relationship</text></g>')
    out.append("</svg>")
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
    return ("<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            f"<title>{escape('Driver diagram: ' + project.title)}</title>"
            "<style>@page{size:A4 landscape;margin:8mm}body{font-family:Arial,sans-serif;margin:1em}"
            "details{margin-top:1em}pre{white-space:pre-wrap}</style></head><body>"
            f"<h1>{escape('Driver diagram: ' + project.title)}</h1>{to_svg(project, page=False)}"
            f"<details><summary>Text outline of the diagram</summary><pre>{escape(outline(project))}</pre>"
            "</details></body></html>")
