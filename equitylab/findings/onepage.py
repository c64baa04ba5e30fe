"""The project on a page: everything a team wrote for sharing, for a screen and for A4 paper.

The page holds the title and team, the topic and why it matters, the barriers and enablers, the
team (names only with ``consent_to_name``) with its mix and rung on the ladder of co-production,
the best-chance answers, the aim, the data plan, each measure with a small run chart, the PDSA
cycles, what we heard (quotes only with consent), the next steps and the driver diagram. A section
with nothing in it is left out, never printed as an empty heading.

Printing: A4 portrait pages; the driver diagram alone on an A4 landscape page (a named CSS page)
that it fills, so its text prints at 8 points or more (:func:`equitylab.workbook.diagram.printed_font_size`).
The PDF is this HTML printed by Chromium (:mod:`equitylab.pdf`, the engine the reports use), so the
PDF and a browser's own print are the same page.

``audience="publish"`` follows the disclosure rule for files that leave the team
(:mod:`equitylab.workbook.sharing`): a point resting on a count of 1 to 7, or one that would let such
a count be worked out, is left out of the tables and of the run charts, whose medians are drawn from
the points shown only, so no point and no line rests on a hidden count. ``audience="team"`` shows
everything under a "small numbers: do not share" banner.
"""
from __future__ import annotations

import json
import tempfile
from datetime import date
from html import escape
from pathlib import Path

import pandas as pd

from ..charts import render
from ..errors import DataError, EquityLabError
from ..pdf import html_to_pdf
from ..provenance import stamp
from ..spc import run_chart
from ..workbook import diagram
from ..workbook.aim import check_aim
from ..workbook.lifeqi import lifeqi_csv, lifeqi_export, lifeqi_markdown, rung_words, shareable_quotes
from ..workbook.model import DATA_QUESTIONS, FOUR_QUESTIONS, Measure, Project
from ..workbook.sharing import hidden_points, shared_points
from .html import figure

AUDIENCES = ("team", "publish")

CSS = """
html{font-family:Arial,Helvetica,'DejaVu Sans',sans-serif;color:#111;line-height:1.4}
body{max-width:62rem;margin:1em auto;padding:0 1em}
h1{font-size:1.7em;margin:.2em 0}h2{font-size:1.25em;border-bottom:2px solid #0b3d91;margin:1.1em 0 .4em}
h3{font-size:1.05em;margin:.9em 0 .2em}
table{border-collapse:collapse;font-size:.9em;width:100%;margin:.3em 0}
td,th{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}
.banner{background:#fde7e9;border:2px solid #b00020;padding:.4em .8em;font-weight:bold}
.muted{color:#444;font-size:.92em}blockquote{margin:.4em 1em;font-style:italic}
.two{display:grid;grid-template-columns:1fr 1fr;gap:0 1.5em}.two h3{margin-top:.3em}
figure{margin:.4em 0}figure img{max-width:100%;height:auto}figcaption{color:#444;font-size:.92em}
.diagram svg{display:block;max-width:100%;height:auto}
@page{size:A4 portrait;margin:14mm 12mm}
@page diagram{size:A4 landscape;margin:0}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10pt}
 h2,h3{break-after:avoid}figure,blockquote,tr{break-inside:avoid}
 .diagram{page:diagram;break-before:page;height:209mm;overflow:hidden}
 .diagram h2,.diagram details{display:none}
 .diagram svg{width:297mm;height:209mm;max-width:none}
 details{display:none}
}
@media (max-width:40rem){.two{grid-template-columns:1fr}}
"""


def _check(audience: str) -> None:
    if audience not in AUDIENCES:
        raise DataError(f"audience is 'team' or 'publish', not {audience!r}")


def _small_numbers(m: Measure) -> bool:
    return any(p.numerator is not None and float(p.numerator).is_integer() and 1 <= p.numerator <= 7
               for p in m.data)


def _f(x) -> str:
    return "" if x is None else f"{x:g}"


def _chart(m: Measure, audience: str) -> tuple[str, str, str]:
    """(svg, caption, text alternative) of the measure's run chart from the points that may be shown,
    or ("", why not, "")."""
    hidden = hidden_points(m) if audience == "publish" else set()
    rows = [{"period": p.period, "group": p.group, "numerator": p.numerator, "denominator": p.denominator,
             "value": p.result(m.multiplier)}
            for i, p in enumerate(m.data) if p.period is not None and i not in hidden]
    left_out = (f" {len(hidden)} point(s) left out: each rests on a count of 1 to 7, or would let one be "
                "worked out; the medians are drawn from the points shown.") if hidden else ""
    if len({r["period"] for r in rows}) < 2:
        return "", ("Too few periods to chart yet." if not hidden else "Too few periods can be shown." + left_out), ""
    frame = stamp(pd.DataFrame(rows), source="file", description=f"{m.name}: the team's own measure data",
                  synthetic=any("synthetic" in p.note.lower() for p in m.data))
    frame["period"] = pd.to_datetime(frame["period"])
    improvement = m.improvement or "neutral"  # no stated direction: a signal is neither improvement nor concern
    try:
        if all(r["numerator"] is not None and r["denominator"] for r in rows):
            result = run_chart(frame, x="period", y="numerator", n="denominator", by="group",
                               multiplier=m.multiplier, improvement=improvement)
        else:
            result = run_chart(frame, x="period", y="value", by="group", improvement=improvement)
        # panels sized so the chart prints at its own size across the page: its text stays at 8 points
        groups = len({r["group"] for r in rows})
        chart = result.chart(audience=audience, title=m.name, width=280 if groups > 1 else 600, height=120,
                             y_title=_axis_words(m))
        return render.svg(chart), left_out.strip(), result.describe(audience)
    except EquityLabError as exc:  # the page must still build; say why the chart is missing
        return "", f"The run chart could not be drawn: {exc}", ""


def _axis_words(m: Measure) -> str:
    """The y axis of a measure's run chart in words with its unit (the chart's title names the measure):
    "Per cent", "Per 1,000", "Days"."""
    unit = (m.unit or "").strip()
    words = "per cent" if unit == "%" else unit or m.name or "per cent"
    return words[:1].upper() + words[1:]


def _measure(m: Measure, audience: str, charts: bool) -> str:
    parts = [(f"<div class='measure'><h3>{escape(m.name or 'A measure')} "
             f"<span class='muted'>({escape(m.kind)} measure)</span></h3>")]
    definition = m.definition.strip()
    if definition and definition[-1] not in ".!?":
        definition += "."
    direction = m.direction_words[:1].upper() + m.direction_words[1:] + "."
    about = " ".join(x for x in (definition, direction, f"Source: {m.data_source}." if m.data_source else "") if x)
    if about:
        parts.append(f"<p class='muted'>{escape(about)}</p>")
    if m.data and charts:
        svg, caption, alt = _chart(m, audience)
        if svg:  # an image with its words, as in the reports: the chart's own marks reach no one
            parts.append(figure(svg, alt, caption))
        elif caption:
            parts.append(f"<p class='muted'>{escape(caption)}</p>")
    rows = shared_points(m, audience)
    if rows:
        body = "".join(
            f"<tr><td>{r['period'] or ''}</td><td>{escape(r['group'])}</td>"
            + "".join(f"<td>{'*' if r['note'] == 'hidden: small numbers' else _f(r[k])}</td>"
                      for k in ("numerator", "denominator"))
            + f"<td>{'*' if r['value'] is None and r['note'] == 'hidden: small numbers' else _value(r['value'])}"
              f"</td><td>{escape(r['note'])}</td></tr>" for r in rows)
        parts.append("<table><tr><th>Period</th><th>Group</th><th>Numerator</th><th>Denominator</th>"
                     f"<th>Value ({escape(m.unit)})</th><th>Note</th></tr>{body}</table>")
    return "".join(parts) + "</div>"


def _value(v) -> str:
    return "" if v is None else f"{v:.1f}"


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{escape(x)}</li>" for x in items) + "</ul>" if items else ""


def _team(p: Project) -> str:
    if not p.members and not p.coproduction.current_rung:
        return ""
    parts = [_list([m.display() for m in p.members])]
    if p.members:
        mix = p.team_mix()
        missing = [what for has, what in ((mix.lived_experience, "someone with lived experience"),
                                          (mix.decision_maker, "a decision-maker"), (mix.qi_coach, "a QI coach"),
                                          (mix.sponsor, "a sponsor")) if not has]
        parts.append(f"<p>{len(p.members)} member{'s' if len(p.members) != 1 else ''}"
                     + (f"; still to find: {', '.join(missing)}." if missing else
                        ", including lived experience, a decision-maker, a QI coach and a sponsor.") + "</p>")
    if p.coproduction.current_rung:
        parts.append(f"<p><b>Ladder of co-production:</b> {escape(rung_words(p))}</p>")
    if p.coproduction.evidence:
        parts.append(f"<p class='muted'>{escape(p.coproduction.evidence)}</p>")
    return "".join(parts)


def _best_chance(p: Project) -> str:
    answered = [(q, getattr(p.best_chance, k)) for k, q in FOUR_QUESTIONS.items()]
    answered = [(q, a) for q, a in answered if a.where_we_are or a.next_steps]
    if not answered:
        return ""
    return ("<table><tr><th>Question</th><th>Where we are</th><th>Next steps</th></tr>"
            + "".join(f"<tr><td>{escape(q)}</td><td>{escape(a.where_we_are)}</td><td>{escape(a.next_steps)}</td></tr>"
                      for q, a in answered) + "</table>")


def _data_plan(p: Project) -> str:
    if not p.data_plan:
        return ""
    return ("<table><tr><th>Question</th><th>Kind</th><th>What</th><th>How we will collect it</th></tr>"
            + "".join(f"<tr><td>{escape(DATA_QUESTIONS.get(d.question, d.question))}</td><td>{escape(d.kind)}</td>"
                      f"<td>{escape(d.what or d.ask)}</td><td>{escape(d.how_to_collect)}</td></tr>"
                      for d in p.data_plan) + "</table>")


def _pdsa(p: Project) -> str:
    if not p.pdsa:
        return ""
    names = {n.id: n.text for n in p.drivers.nodes}
    return ("<table><tr><th>Cycle</th><th>Change idea</th><th>Objective</th><th>Prediction</th>"
            "<th>What happened</th><th>Learned</th><th>Act</th><th>Dates</th></tr>" + "".join(
                f"<tr><td>{c.cycle}</td><td>{escape(names.get(c.change_idea, c.change_idea))}</td>"
                f"<td>{escape(c.objective)}</td><td>{escape(c.predictions)}</td><td>{escape(c.what_happened)}</td>"
                f"<td>{escape(c.learned)}</td><td>{escape(c.act)}</td>"
                f"<td>{c.start or ''}{' to ' + str(c.end) if c.end else ''}</td></tr>" for c in p.pdsa)
            + "</table>")


def sections(project: Project, *, audience: str = "team", charts: bool = True) -> list[tuple[str, str]]:
    """The page's sections as (heading, HTML), in order, each with something in it."""
    _check(audience)
    p = project
    topic = "".join(f"<p>{escape(x)}</p>" for x in (p.topic,) if x) + (
        f"<p><b>Why it matters:</b> {escape(p.why_it_matters)}</p>" if p.why_it_matters else "")
    helps = "".join(f"<div><h3>{name}</h3>{_list(items)}</div>" for name, items in
                    (("What gets in the way", p.barriers), ("What helps", p.enablers)) if items)
    aim = ""
    if p.aim.sentence():
        aim = f"<p><b>{escape(p.aim.sentence())}</b></p>"
        if audience == "team":
            aim += _list(check_aim(p.aim))
    quotes = shareable_quotes(p, audience)
    heard = "".join(f"<blockquote>\u201c{escape(q.text)}\u201d ({escape(q.speaker_role)})"
                    + (f" \u2014 {escape(q.theme)}" if q.theme else "") + "</blockquote>" for q in quotes)
    out = [
        ("Our topic", topic),
        ("What helps and what gets in the way", f"<div class='two'>{helps}</div>" if helps else ""),
        ("Our team", _team(p)),
        ("Giving our work the best chance", _best_chance(p)),
        ("Our aim", aim),
        ("The data we are gathering", _data_plan(p)),
        ("Measures", "".join(_measure(m, audience, charts) for m in p.measures)),
        ("PDSA cycles", _pdsa(p)),
        ("What we heard", heard),
        ("Next steps", _list(p.next_steps)),
    ]
    return [(heading, body) for heading, body in out if body]


def to_html(project: Project, *, audience: str = "team", charts: bool = True) -> str:
    """The project on a page as one self-contained HTML file (no scripts, no web fonts)."""
    _check(audience)
    p = project
    facts = [p.team, p.area_code, f"progress {p.progress_score:g}: {p.progress_stage}" if p.progress_score else "",
             f"meets {p.meeting_cadence}" if p.meeting_cadence else ""]
    parts = [f"<h1>{escape(p.title or 'Our improvement project')}</h1>"]
    if any(facts):
        parts.append(f"<p class='muted'>{escape(' · '.join(x for x in facts if x))}</p>")
    if audience == "team" and any(_small_numbers(m) for m in p.measures):
        parts.append("<p class='banner'>Small numbers: do not share. This page shows counts of 1 to 7 for the "
                     "team's own use; export with audience 'publish' to hide them.</p>")
    if "synthetic" in (p.title + " ".join(x.note for m in p.measures for x in m.data)).lower():
        parts.append("<p class='banner'>Synthetic teaching data: these numbers are made up for practice.</p>")
    parts += [f"<section><h2>{escape(h)}</h2>{body}</section>"
              for h, body in sections(p, audience=audience, charts=charts)]
    parts.append(f"<p class='muted'>Made with equitylab on {date.today():%d %B %Y}.</p>")
    if p.drivers.nodes:
        parts.append(f"<section class='diagram'><h2>Driver diagram</h2>{diagram.to_svg(p)}"
                     f"<details><summary>Text outline of the driver diagram</summary>"
                     f"<pre>{escape(diagram.outline(p))}</pre></details></section>")
    return ("<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{escape(p.title or 'Project on a page')}</title><style>{CSS}</style></head><body><main>"
            + "\n".join(parts) + "</main></body></html>")


def to_pdf(project: Project, *, audience: str = "team") -> bytes:
    """The page printed to PDF by Chromium: A4 portrait, the driver diagram on an A4 landscape page.

    Raises :class:`equitylab.pdf.PdfUnavailable` (a plain message, no traceback) when no browser or
    Playwright is installed; the HTML can then be printed from any browser.
    """
    with tempfile.TemporaryDirectory(prefix="equitylab-page-") as tmp:
        page = Path(tmp) / "project.html"
        page.write_text(to_html(project, audience=audience), encoding="utf-8")
        return html_to_pdf(page, Path(tmp) / "project.pdf").read_bytes()


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
