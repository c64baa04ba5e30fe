"""What a reader sees in a chart, read from its Vega scenegraph and SVG (vl-convert, no browser).

Each check returns a list of faults in words (empty when the chart is fine), so a test can show
every fault at once. The scenegraph is the drawn chart: every mark's items with their pixel
positions and colours, inside the group (view, facet cell, concatenated panel) that holds them.

Contrast is WCAG 2.2's: relative luminance of sRGB colours and (L1 + 0.05) / (L2 + 0.05)
(https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio), 4.5:1 for text (1.4.3) and 3:1 for the
graphical objects that carry the data (1.4.11), against the white page.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert

# groups that hold axes, legends, titles and facet headers: chart furniture, not data
FURNITURE = {"axis", "legend", "title", "row-header", "column-header", "row-footer", "column-footer",
             "row-title", "column-title", "header", "footer"}
# gridlines are a faint background on purpose (WCAG 1.4.11 does not ask them to stand out)
DECORATIVE = {"axis-grid"}
TOLERANCE = 1.5  # pixels: anti-aliasing and the half-pixel offsets Vega adds to crisp lines
TEXT_CONTRAST, MARK_CONTRAST = 4.5, 3.0

# bare column names and placeholders that say nothing to a reader as an axis title
BARE_TITLES = {"x", "y", "n", "value", "values", "period", "group", "share", "count", "rate", "measure",
               "quantile", "denominator", "numerator", "line_value", "label_y", "fit", "lower", "upper",
               "indicator"}
CODE_ADVICE = ("audience=", "chart(", "equitylab.", ".py", "data/examples")

NAMED = {"black": "#000000", "white": "#ffffff", "transparent": None, "none": None,
         "steelblue": "#4682b4", "gray": "#808080", "grey": "#808080", "red": "#ff0000",
         "orange": "#ffa500", "blue": "#0000ff", "green": "#008000", "purple": "#800080"}


@dataclass
class Drawn:
    """One drawn item: its mark (marktype, role, name), the item, its group's origin, and the
    plot area it belongs to (x, y, width, height in the same coordinates), None outside any."""
    mark: dict
    item: dict
    ox: float
    oy: float
    cell: tuple | None
    furniture: bool
    span: tuple = (0.0, 0.0)  # the width and height of the nearest group that has them (a facet's header too)

    @property
    def role(self) -> str:
        return self.mark.get("role") or ""

    @property
    def marktype(self) -> str:
        return self.mark.get("marktype") or ""

    def where(self) -> str:
        name = self.mark.get("name") or self.role
        text = self.item.get("text")
        return f"{self.marktype} '{name}'" + (f" ({_text(text)!r})" if text else "")


def _text(text) -> str:
    return " ".join(map(str, text)) if isinstance(text, list) else str(text)


def scenegraph(spec: dict) -> dict:
    return vlc.vegalite_to_scenegraph(spec, vl_version=vl_version_for_vl_convert())


def svg(spec: dict) -> str:
    return vlc.vegalite_to_svg(spec, vl_version=vl_version_for_vl_convert())


def walk(sg: dict) -> list[Drawn]:
    """Every item of every non-group mark, with where it sits."""
    out: list[Drawn] = []

    def visit(mark: dict, ox: float, oy: float, cell, furniture: bool, span: tuple) -> None:
        furniture = furniture or (mark.get("role") in FURNITURE)
        for item in mark.get("items", []):
            if mark.get("marktype") == "group":
                x, y = ox + (item.get("x") or 0), oy + (item.get("y") or 0)
                here = cell
                if not furniture and "width" in item and "height" in item:
                    here = (x, y, item["width"], item["height"])
                size = (item.get("width") or span[0], item.get("height") or span[1])
                for child in item.get("items", []):
                    visit(child, x, y, here, furniture, size)
            else:
                out.append(Drawn(mark, item, ox, oy, cell, furniture, span))

    visit(sg["scenegraph"], 0.0, 0.0, None, False, (0.0, 0.0))
    return out


def _points(d: Drawn) -> list[tuple[float | None, float | None]]:
    it = d.item
    x, y = it.get("x"), it.get("y")
    if d.marktype == "rect":
        w, h = it.get("width"), it.get("height")
        x2 = it.get("x2", None if x is None or w is None else x + w)
        y2 = it.get("y2", None if y is None or h is None else y + h)
        return [(x, y), (x2, y2)]
    if d.marktype in ("rule", "area"):
        return [(x, y), (it.get("x2", x), it.get("y2", y))]
    return [(x, y)]


def _bad(v) -> bool:
    return v is None or (isinstance(v, float) and not math.isfinite(v))


def marks_outside(sg: dict, tol: float = TOLERANCE) -> list[str]:
    """Data marks drawn outside their plot area, or with no position at all."""
    faults = []
    for d in walk(sg):
        if d.furniture or d.role != "mark" or d.cell is None:
            continue
        if d.item.get("opacity") == 0:
            continue
        cx, cy, w, h = d.cell
        for px, py in _points(d):
            if _bad(px) or _bad(py):
                if d.marktype in ("line", "area", "trail"):
                    continue  # a gap in a line: how Vega draws a missing (or hidden) value
                faults.append(f"{d.where()} has no position (x={px}, y={py})")
                continue
            ax, ay = d.ox + px - cx, d.oy + py - cy
            if not (-tol <= ax <= w + tol and -tol <= ay <= h + tol):
                faults.append(f"{d.where()} at ({ax:.0f}, {ay:.0f}) is outside its {w:.0f} x {h:.0f} plot area")
    return faults


def axis_titles(sg: dict) -> list[str]:
    return [_text(d.item.get("text")) for d in walk(sg) if d.role == "axis-title" and d.item.get("text")]


def bad_axis_titles(sg: dict) -> list[str]:
    """Axis titles that are a single letter, a bare column name or a placeholder."""
    faults = []
    for title in axis_titles(sg):
        t = title.strip()
        if len(t) <= 1:
            faults.append(f"axis title {t!r} is a single letter")
        elif "_" in t:
            faults.append(f"axis title {t!r} is a column name")
        elif t.lower() in BARE_TITLES:
            faults.append(f"axis title {t!r} is a bare column name")
    return faults


def parse_colour(value) -> tuple[int, int, int] | None:
    """'#rgb', '#rrggbb', 'rgb(r,g,b)' or a CSS name as 0-255 sRGB; None when nothing is painted."""
    if value is None:
        return None
    v = str(value).strip().lower()
    if v in NAMED:
        v = NAMED[v]
        if v is None:
            return None
    if m := re.fullmatch(r"#([0-9a-f]{3})", v):
        return tuple(int(c * 2, 16) for c in m.group(1))
    if m := re.fullmatch(r"#([0-9a-f]{6})", v):
        return tuple(int(m.group(1)[i:i + 2], 16) for i in (0, 2, 4))
    if m := re.fullmatch(r"rgba?\(([^)]*)\)", v):
        parts = [p.strip() for p in m.group(1).split(",")]
        return tuple(int(float(p)) for p in parts[:3])
    raise ValueError(f"colour {value!r} is not one this check reads")


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour (0-255 channels)."""
    def lin(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b=(255, 255, 255)) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def on_white(rgb, alpha: float) -> tuple[float, float, float]:
    """The colour seen when painted at ``alpha`` over white."""
    return tuple(alpha * c + (1 - alpha) * 255 for c in rgb)


def _paint(d: Drawn) -> tuple[str, object, float] | None:
    """(what, colour, alpha) that makes the item visible: text fill, a line's stroke, a shape's fill
    (or its stroke when it has no fill)."""
    it = d.item
    opacity = it.get("opacity", 1)
    opacity = 1 if opacity is None else opacity
    if d.marktype == "text":
        return "text", it.get("fill", "#000"), opacity * (it.get("fillOpacity") or 1)
    if d.marktype in ("line", "rule"):
        return "line", it.get("stroke"), opacity * (it.get("strokeOpacity") or 1)
    fill = it.get("fill")
    if fill not in (None, "transparent", "none") and (it.get("fillOpacity", 1) or 0) > 0:
        return "fill", fill, opacity * (it.get("fillOpacity") or 1)
    return "outline", it.get("stroke"), opacity * (it.get("strokeOpacity") or 1)


def low_contrast(sg: dict) -> list[str]:
    """Text under 4.5:1 and data marks (and their legend symbols) under 3:1 against white."""
    faults, seen = [], set()
    for d in walk(sg):
        if d.role in DECORATIVE or d.marktype == "group":
            continue
        if d.marktype != "text" and d.furniture and d.role not in ("legend-symbol", "axis-domain", "axis-tick"):
            continue
        paint = _paint(d)
        if paint is None:
            continue
        what, colour, alpha = paint
        rgb = parse_colour(colour)
        if rgb is None or alpha == 0 or (what == "text" and not d.item.get("text")):
            continue
        need = TEXT_CONTRAST if what == "text" else MARK_CONTRAST
        ratio = contrast(on_white(rgb, alpha))
        if ratio < need:
            key = (d.role, d.mark.get("name"), what, str(colour), round(alpha, 2))
            if key not in seen:
                seen.add(key)
                shown = f"{colour}" + (f" at opacity {alpha:g}" if alpha < 1 else "")
                faults.append(f"{d.where()}: {what} {shown} has contrast {ratio:.1f}:1 (needs {need}:1)")
    return faults


def texts(spec: dict) -> list[str]:
    """The words a chart shows around its marks: titles, subtitles and its description, at any depth."""
    found = []

    def visit(node):
        if isinstance(node, dict):
            for key in ("title", "subtitle", "description"):
                v = node.get(key)
                if isinstance(v, str):
                    found.append(v)
                elif isinstance(v, list):
                    found.extend(str(x) for x in v if isinstance(x, str))
                elif isinstance(v, dict):
                    visit(v)
                    for k in ("text", "subtitle"):
                        w = v.get(k)
                        found.extend([w] if isinstance(w, str) else [str(x) for x in (w or []) if isinstance(x, str)])
            for key, v in node.items():
                if key not in ("data", "datasets") and isinstance(v, dict | list):
                    visit(v)
        elif isinstance(node, list):
            for v in node:
                visit(v)

    visit(spec)
    return list(dict.fromkeys(found))


def code_advice(words: list[str]) -> list[str]:
    return [f"{w[:90]!r} contains {c!r}" for w in words for c in CODE_ADVICE if c in w]


def _box(d: Drawn) -> tuple[float, float, float, float]:
    """An axis title's box, estimated at half an em a character (bold Arial's lower case averages about that)."""
    it = d.item
    text = it.get("text")
    rows = text if isinstance(text, list) else [text]
    size = it.get("fontSize") or 11
    w = max(len(str(r)) for r in rows) * 0.5 * size
    h = len(rows) * size * 1.2
    x, y = d.ox + (it.get("x") or 0), d.oy + (it.get("y") or 0)
    if abs(it.get("angle") or 0) % 180 == 90:
        w, h = h, w
        return x - w / 2, y - h / 2, x + w / 2, y + h / 2
    align = it.get("align") or "center"
    left = x - w / 2 if align == "center" else x - w if align == "right" else x
    return left, y - h / 2, left + w, y + h / 2


def overlapping_titles(sg: dict) -> list[str]:
    """Axis titles that run into each other (each facet panel draws its own)."""
    boxes = [(d, _box(d)) for d in walk(sg) if d.role == "axis-title" and d.item.get("text")]
    faults = []
    for i, (a, ba) in enumerate(boxes):
        for b, bb in boxes[i + 1:]:
            if ba[0] < bb[2] and bb[0] < ba[2] and ba[1] < bb[3] and bb[1] < ba[3]:
                faults.append(f"axis titles {_text(a.item['text'])!r} and {_text(b.item['text'])!r} overlap")
    return faults


MISSING = {"not stated", "not known", "unknown", "missing", "not recorded"}


def axis_labels(sg: dict) -> list[str]:
    return [_text(d.item.get("text")) for d in walk(sg) if d.role == "axis-label" and d.item.get("text")]


def missing_as_groups(sg: dict) -> list[str]:
    """Missing categories ("Not stated") drawn as a group on an axis: they are data quality, not equity."""
    return [f"'{t}' is drawn as a group" for t in dict.fromkeys(axis_labels(sg)) if t.strip().lower() in MISSING]


def groups_drawn(sg: dict) -> int:
    """How many groups a group comparison draws: the distinct rows of its points or bars."""
    rows = {round(d.oy + (d.item.get("y") or 0)) for d in walk(sg)
            if d.role == "mark" and d.marktype in ("symbol", "rect") and d.item.get("y") is not None}
    return len(rows)


def titles_past_their_axis(sg: dict, slack: float = 1.25) -> list[str]:
    """Axis titles longer than the side of the plot they name (a y title taller than the plot runs
    into the chart's title above it), estimated as in :func:`overlapping_titles`."""
    faults = []
    for d in walk(sg):
        if d.role != "axis-title" or not d.item.get("text"):
            continue
        left, top, right, bottom = _box(d)
        vertical = abs(d.item.get("angle") or 0) % 180 == 90
        length, side = (bottom - top, d.span[1]) if vertical else (right - left, d.span[0])
        if side and length > side * slack:
            faults.append(f"axis title {_text(d.item['text'])!r} is about {length:.0f} px long beside a "
                          f"{side:.0f} px axis")
    return faults


def legend_lookalikes(sg: dict) -> list[str]:
    """Legend entries whose symbols look the same (colour and shape) but name different things."""
    symbols, labels = {}, {}
    for d in walk(sg):
        where = (round(d.ox), round(d.oy))  # an entry's symbol and label share their group's origin
        if d.role == "legend-symbol":
            symbols[where] = (str(d.item.get("fill") or d.item.get("stroke")).lower(), d.item.get("shape"),
                              str(d.item.get("strokeDash")))
        elif d.role == "legend-label" and d.item.get("text"):
            labels[where] = _text(d.item["text"])
    looks: dict[tuple, set] = {}
    for where, look in symbols.items():
        if where in labels:
            looks.setdefault(look, set()).add(labels[where])
    return [f"legend entries {sorted(names)} look the same ({look[0]} {look[1]})"
            for look, names in looks.items() if len(names) > 1]
