"""The project on a page (HTML for screens and A4 print, PDF), with each measure's run chart.

The page shows the aim, the team (respecting naming consent) and its rung on the ladder of
co-production, the driver diagram, each measure with its run chart, the PDSA log and what
we heard. ``audience="publish"`` hides counts of 1 to 7 and anything not agreed for sharing;
``audience="team"`` shows them under a "small numbers: do not share" banner.

PDF: WeasyPrint is not a dependency (it needs Pango, which a Windows laptop lacks), so the
PDF is an A4 SVG page drawn by our own code and converted by ``vl_convert.svg_to_pdf``
(resvg, inside the vl-convert-python wheel); it carries the same sections in shorter form.
"""
from __future__ import annotations

import json
import textwrap
from datetime import date
from html import escape
from pathlib import Path

import pandas as pd
import vl_convert

from ..charts import render
from ..errors import DataError
from ..provenance import stamp
from ..spc import run_chart
from ..workbook import diagram
from ..workbook.aim import check_aim
from ..workbook.lifeqi import lifeqi_csv, lifeqi_export, lifeqi_markdown, rung_words, shareable_quotes
from ..workbook.model import FOUR_QUESTIONS, Measure, Project

SMALL = range(1, 8)  # counts of 1 to 7 are suppressed when published (NHS disclosure practice)


def _small(m: Measure) -> bool:
    return any(p.numerator is not None and int(p.numerator) in SMALL and p.numerator == int(p.numerator)
               for p in m.data)


def _chart_svg(m: Measure, audience: str) -> tuple[str, str]:
    """(svg, caption) of the measure's run chart, or ("", reason) when it cannot be drawn."""
    rows = [{"period": p.period, "group": p.group, "numerator": p.numerator, "denominator": p.denominator,
             "value": p.result(m.multiplier)} for p in m.data if p.period is not None]
    if len(rows) < 2:
        return "", "Too few periods for a run chart yet."
    frame = stamp(pd.DataFrame(rows), source="file", description=f"{m.name}: the team's own measure data",
                  synthetic=any("synthetic" in p.note.lower() for p in m.data))
    frame["period"] = pd.to_datetime(frame["period"])
    try:
        if all(r["numerator"] is not None and r["denominator"] for r in rows):
            result = run_chart(frame, x="period", y="numerator", n="denominator", by="group",
                               multiplier=m.multiplier)
        else:
            result = run_chart(frame, x="period", y="value", by="group")
        chart = result.chart(audience=audience, title=m.name)
        svg = render.svg(chart)
        return svg, result.caption(audience=audience)
    except Exception as exc:  # the page must still build; say why the chart is missing
        return "", f"Run chart could not be drawn ({type(exc).__name__}: {exc})."


def _measure_table(m: Measure, audience: str) -> str:
    rows = []
    for p in m.data:
        hidden = audience == "publish" and p.numerator is not None and p.numerator == int(p.numerator) \
            and int(p.numerator) in SMALL
        value = p.result(m.multiplier)
        cells = ["*", "*", "*"] if hidden else [_f(p.numerator), _f(p.denominator),
                                                "" if value is None else f"{value:.1f}"]
        rows.append(f"<tr><td>{p.period or ''}</td><td>{escape(p.group)}</td>"
                    + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{escape(p.note)}</td></tr>")
    if not rows:
        return "<p><i>No data yet.</i></p>"
    return ("<table><tr><th>Period</th><th>Group</th><th>Numerator</th><th>Denominator</th>"
            f"<th>Value ({escape(m.unit)})</th><th>Note</th></tr>" + "".join(rows) + "</table>")


def _f(x):
    return "" if x is None else f"{x:g}"


CSS = """
body{font-family:Arial,Helvetica,sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#111;line-height:1.35}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;border-bottom:2px solid #0b3d91;margin-top:1.2em}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #bbb;padding:2px 6px;text-align:left}
.banner{background:#fde7e9;border:2px solid #b00020;padding:.4em .8em;font-weight:bold}
.muted{color:#555;font-size:.9em}blockquote{margin:.4em 1em;font-style:italic}
@media print{@page{size:A4 portrait;margin:12mm}body{max-width:none;margin:0;font-size:10pt}
h2{break-after:avoid}table,figure,svg{break-inside:avoid}.noprint{display:none}}
"""


def to_html(project: Project, *, audience: str = "team", charts: bool = True) -> str:
    """The project on a page as one self-contained HTML file (no scripts, no web fonts)."""
    if audience not in ("team", "publish"):
        raise DataError("audience is 'team' or 'publish'")
    p = project
    parts = [f"<h1>{escape(p.title or 'Our improvement project')}</h1>",
             f"<p class='muted'>{escape(p.team)}{' · ' + escape(p.area_code) if p.area_code else ''}"
             f"{' · progress ' + format(p.progress_score, 'g') + ': ' + p.progress_stage if p.progress_score else ''}"
             f"{' · meets ' + escape(p.meeting_cadence) if p.meeting_cadence else ''}</p>"]
    if audience == "team" and any(_small(m) for m in p.measures):
        parts.append("<p class='banner'>Small numbers: do not share. This page shows counts of 1 to 7 for the "
                     "team's own use; export with audience 'publish' to hide them.</p>")
    if "synthetic" in (p.title + " ".join(x.note for m in p.measures for x in m.data)).lower():
        parts.append("<p class='banner'>Synthetic teaching data: these numbers are made up for practice.</p>")
    parts.append("<h2>Aim</h2>")
    parts.append(f"<p><b>{escape(p.aim.sentence() or 'Not written yet.')}</b></p>")
    problems = check_aim(p.aim) if (p.aim.what or p.aim.statement) else []
    if problems and audience == "team":
        parts.append("<ul class='muted'>" + "".join(f"<li>{escape(x)}</li>" for x in problems) + "</ul>")
    if p.topic or p.why_it_matters:
        parts.append(f"<p>{escape(p.topic)}</p><p><i>Why it matters:</i> {escape(p.why_it_matters)}</p>")
    parts.append("<h2>Team and co-production</h2><ul>"
                 + "".join(f"<li>{escape(m.display())}</li>" for m in p.members) + "</ul>")
    parts.append(f"<p>{escape(rung_words(p))}</p>")
    answered = [(FOUR_QUESTIONS[k], getattr(p.best_chance, k)) for k in FOUR_QUESTIONS]
    answered = [(q, a) for q, a in answered if a.where_we_are or a.next_steps]
    if answered:
        parts.append("<table><tr><th>Best chance of success</th><th>Where we are</th><th>Next steps</th></tr>"
                     + "".join(f"<tr><td>{escape(q)}</td><td>{escape(a.where_we_are)}</td>"
                               f"<td>{escape(a.next_steps)}</td></tr>" for q, a in answered) + "</table>")
    parts.append("<h2>Driver diagram</h2>")
    if p.drivers.nodes:
        parts.append(f"<figure>{diagram.to_svg(p, page=False)}</figure>")
        parts.append(f"<details><summary>Text outline</summary><pre>{escape(diagram.outline(p))}</pre></details>")
    else:
        parts.append("<p><i>No driver diagram yet.</i></p>")
    parts.append("<h2>Measures</h2>")
    for m in p.measures:
        parts.append(f"<h3>{escape(m.name)} <span class='muted'>({m.kind} measure)</span></h3>"
                     f"<p class='muted'>{escape(m.definition)}{' Source: ' + escape(m.data_source) if m.data_source else ''}</p>")
        svg, caption = _chart_svg(m, audience) if charts else ("", "")
        if svg:
            parts.append(f"<figure>{svg}<figcaption class='muted'>{escape(caption)}</figcaption></figure>")
        elif caption:
            parts.append(f"<p class='muted'>{escape(caption)}</p>")
        parts.append(_measure_table(m, audience))
    if not p.measures:
        parts.append("<p><i>No measures yet.</i></p>")
    parts.append("<h2>PDSA cycles</h2>")
    names = {n.id: n.text for n in p.drivers.nodes}
    if p.pdsa:
        parts.append("<table><tr><th>Cycle</th><th>Change idea</th><th>Prediction</th><th>What happened</th>"
                     "<th>Learned</th><th>Act</th><th>Dates</th></tr>" + "".join(
                         f"<tr><td>{c.cycle}</td><td>{escape(names.get(c.change_idea, c.change_idea))}</td>"
                         f"<td>{escape(c.predictions)}</td><td>{escape(c.what_happened)}</td>"
                         f"<td>{escape(c.learned)}</td><td>{c.act}</td>"
                         f"<td>{c.start or ''} to {c.end or ''}</td></tr>" for c in p.pdsa) + "</table>")
    else:
        parts.append("<p><i>No PDSA cycles yet.</i></p>")
    parts.append("<h2>What we heard</h2>")
    quotes = shareable_quotes(p, audience)
    parts += [f"<blockquote>“{escape(q.text)}” ({escape(q.speaker_role)}){' — ' + escape(q.theme) if q.theme else ''}"
              "</blockquote>" for q in quotes] or ["<p><i>Nothing recorded for sharing yet.</i></p>"]
    if p.next_steps:
        parts.append("<h2>Next steps</h2><ul>" + "".join(f"<li>{escape(s)}</li>" for s in p.next_steps) + "</ul>")
    parts.append(f"<p class='muted'>Made with equitylab on {date.today():%d %B %Y}.</p>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{escape(p.title or 'Project on a page')}</title><style>{CSS}</style></head><body>"
            + "\n".join(parts) + "</body></html>")


def to_pdf(project: Project, *, audience: str = "team") -> bytes:
    """An A4 PDF of the project on a page (drawn as SVG, converted by vl_convert)."""

    return vl_convert.svg_to_pdf(to_page_svg(project, audience=audience))


def to_page_svg(project: Project, *, audience: str = "team") -> str:
    """The A4 portrait page the PDF is made from (595 x 842 points)."""
    p = project
    W, H, M = 595.0, 842.0, 32.0
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 {W:g} {H:g}" '
           'font-family="Arial, Helvetica, \'DejaVu Sans\', sans-serif">',
           f"<title>{escape(p.title)}</title>", f'<rect width="{W:g}" height="{H:g}" fill="#fff"/>']
    y = M
    full = False

    def para(text, size=9.0, bold=False, italic=False, gap=3.0, indent=0.0):
        nonlocal y, full
        if full:
            return
        chars = int((W - 2 * M - indent) / (size * (0.68 if bold else 0.6)))
        for line in textwrap.wrap(text, chars) or [""]:
            if y + size > H - M - 12:
                full = True
                out.append(f'<text x="{M:g}" y="{H - M:g}" font-size="8" fill="#555">More in the HTML version '
                           '(equitylab project export --format html).</text>')
                return
            y += size * 1.25
            style = (' font-weight="bold"' if bold else "") + (' font-style="italic"' if italic else "")
            out.append(f'<text x="{M + indent:g}" y="{y:.1f}" font-size="{size:g}"{style}>{escape(line)}</text>')
        y += gap

    para(p.title or "Our improvement project", 16, bold=True)
    para(" · ".join(x for x in (p.team, p.area_code, f"progress {p.progress_score:g}: {p.progress_stage}"
                                if p.progress_score else "") if x), 9)
    if audience == "team" and any(_small(m) for m in p.measures):
        para("Small numbers: do not share.", 10, bold=True)
    para("Aim", 12, bold=True)
    para(p.aim.sentence() or "Not written yet.", 10, bold=True)
    para("Team and co-production", 12, bold=True)
    para("; ".join(m.display() for m in p.members) or "No team members yet.")
    para(rung_words(p))
    if p.drivers.nodes and not full:
        para("Driver diagram", 12, bold=True)
        height = min(360.0, H - M - y - 120)
        if height > 120:
            out.append(diagram.to_svg(p, page=False, box=(M, y, W - 2 * M, height)).split("?>")[-1])
            y += height + 4
    para("Measures", 12, bold=True)
    for m in p.measures:
        latest = {}
        for point in m.data:
            latest[point.group] = point
        bits = []
        for group, point in latest.items():
            value = point.result(m.multiplier)
            hidden = audience == "publish" and point.numerator is not None and int(point.numerator) in SMALL
            bits.append(f"{group} {point.period}: " + ("*" if hidden else "" if value is None else f"{value:.1f} {m.unit}"))
        para(f"{m.name} ({m.kind}): " + ("; ".join(bits) if bits else "no data yet"), 9)
    para("PDSA cycles", 12, bold=True)
    names = {n.id: n.text for n in p.drivers.nodes}
    for c in p.pdsa or []:
        para(f"Cycle {c.cycle} ({names.get(c.change_idea, c.change_idea)}): {c.objective} Learned: {c.learned} "
             f"Act: {c.act or 'not yet'}.", 9)
    if not p.pdsa:
        para("None yet.", 9)
    para("What we heard", 12, bold=True)
    for q in shareable_quotes(p, audience)[:4]:
        para(f"“{q.text}” ({q.speaker_role})", 9, italic=True)
    out.append("</svg>")
    return "\n".join(out)


def save(project: Project, path, *, audience: str = "publish") -> Path:
    """Write the page as ``.html`` or ``.pdf``, or the Life QI export as ``.json``, ``.md`` or ``.csv``.

    A file leaves the team, so small numbers are hidden by default; ``audience="team"`` keeps them,
    under a do-not-share banner on the page."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        path.write_text(to_html(project, audience=audience), encoding="utf-8")
    elif suffix == ".pdf":
        path.write_bytes(to_pdf(project, audience=audience))
    elif suffix == ".json":
        path.write_text(json.dumps(lifeqi_export(project, audience), indent=2, ensure_ascii=False, default=str),
                        encoding="utf-8")
    elif suffix == ".md":
        path.write_text(lifeqi_markdown(project, audience), encoding="utf-8")
    elif suffix == ".csv":
        path.write_text(lifeqi_csv(project, audience), encoding="utf-8")
    else:
        raise DataError("The project page can be saved as .html or .pdf, and the Life QI export as .json, "
                        ".md or .csv", file=str(path))
    return path
