"""From an executed report notebook to what is published: one HTML file and its tables.

The HTML is self-contained and has no code: no input cells, no prompts, no scripts, no
links to the internet. Charts are SVG images embedded as data, each with its text
alternative; the stylesheet is inline and prints on A4. The tables are :mod:`.tables`'.
"""
from __future__ import annotations

import base64
import html as _html
import re

import mistune

from ..errors import EquityLabError
from .display import PLACE_KEY
from .scrub import contains_identifier

CSS = """
@page { size: A4; margin: 16mm 15mm 18mm 15mm; }
:root { --ink: #1d1d1b; --muted: #4c6272; --line: #d8dde0; --nhs: #005eb8; --warn: #ffeb3b; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { font-family: Arial, "Helvetica Neue", Helvetica, sans-serif; color: var(--ink); line-height: 1.5;
       max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; background: #fff; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 1rem; color: var(--nhs); }
h2 { font-size: 1.5rem; margin: 2.2rem 0 .6rem; padding-top: .6rem; border-top: 3px solid var(--nhs); }
h3 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; }
p, li { max-width: 46rem; }
a { color: var(--nhs); }
figure { margin: 1rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { max-width: 100%; height: auto; display: block; }
figcaption, .source, .note, .more { font-size: .85rem; color: var(--muted); }
.table-wrap { overflow-x: auto; margin: .6rem 0; }
.table-wrap:focus { outline: 3px solid #005eb8; outline-offset: 2px; }
table.data { border-collapse: collapse; font-size: .85rem; min-width: 50%; }
table.data caption { text-align: left; font-weight: bold; padding: .3rem 0; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left;
                               vertical-align: top; }
table.data thead th { border-bottom: 2px solid var(--ink); }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
table.data td.long { min-width: 14rem; }
table.data td.na { text-align: center; color: var(--muted); }
table.data tbody tr:nth-child(even) { background: #f4f6f7; }
table.facts th { text-align: left; padding: .15rem 1rem .15rem 0; color: var(--muted); font-weight: normal; }
.synthetic, .synthetic-banner { background: var(--warn); padding: .15rem .4rem; font-weight: bold; }
.synthetic-banner { padding: .6rem .8rem; border-left: 6px solid var(--ink); font-weight: normal; }
.banner { border-left: 6px solid #d5281b; padding: .4rem .8rem; font-weight: bold; }
.summary { background: #eef7ff; padding: .4rem 1.2rem 1rem; border-left: 6px solid var(--nhs); }
.summary h2 { border-top: 0; margin-top: .6rem; }
.contents ol { list-style: none; padding-left: 0; columns: 2; }
.contents h2 { border-top: 0; }
.status-ok { color: #007f3b; font-weight: bold; }
.status-failed { color: #d5281b; font-weight: bold; }
footer { margin-top: 3rem; font-size: .85rem; color: var(--muted); border-top: 1px solid var(--line); }
@media print {
  html { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  h2 { break-before: auto; break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  table.data { font-size: 8.5pt; }
  .table-wrap { overflow: visible; }
  tr, figure, table.data, .finding > p { break-inside: avoid; page-break-inside: avoid; }
  figure img { max-height: 150mm; width: auto; }
  a { color: inherit; text-decoration: none; }
}
"""


class NotPublishable(EquityLabError):
    """A report's output held something that must not be published; nothing was written."""


def _markdown(text: str) -> str:
    return mistune.html(text)


def _output_html(output) -> str:
    data = output.get("data", {})
    if "text/html" in data:
        return _join(data["text/html"])
    alt = (output.get("metadata") or {}).get("alt") or "Chart; its numbers are in the report's tables."
    if "image/svg+xml" in data:
        svg = _join(data["image/svg+xml"]).encode("utf-8")
        return (f"<figure><img src='data:image/svg+xml;base64,{base64.b64encode(svg).decode()}' "
                f"alt='{_html.escape(alt, quote=True)}'></figure>")
    if "image/png" in data:
        return (f"<figure><img src='data:image/png;base64,{_join(data['image/png']).strip()}' "
                f"alt='{_html.escape(alt, quote=True)}'></figure>")
    if "text/markdown" in data:
        return _markdown(_join(data["text/markdown"]))
    return ""  # plain text reprs, streams and warnings are not part of the published report


def _join(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_to_html(nb, *, title: str = "Equity report", footer: str = "") -> str:
    """The executed notebook as one self-contained HTML page with no code.

    Markdown cells are rendered; code cells contribute only their rich outputs (HTML, SVG,
    PNG, Markdown), never their source, prompts, plain-text reprs, streams or errors.
    Outputs marked as the header come first, then the summary, then everything else in order.
    """
    header, summary, body = [], [], []
    for cell in nb.cells:
        if "notebook-only" in (cell.metadata.get("tags") or []):
            continue  # words for someone running the notebook, not for the report's readers
        if cell.cell_type == "markdown":
            body.append(_markdown(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            piece = _output_html(output)
            if not piece:
                continue
            place = (output.get("metadata") or {}).get(PLACE_KEY)
            (header if place == "header" else summary if place == "summary" else body).append(piece)
    foot = f"<footer><p>{_html.escape(footer)}</p></footer>" if footer else ""
    body = _numbered_sections(body)
    return ("<!DOCTYPE html>\n<html lang='en-GB'>\n<head>\n<meta charset='utf-8'>\n"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
            f"<title>{_html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(header + summary + [_contents(body)] + body) + f"\n</main>\n{foot}\n</body>\n</html>\n")


_H2 = re.compile(r"<h2>(.*?)</h2>", re.S)


def _numbered_sections(body: list[str]) -> list[str]:
    """Give each section heading (h2) an id the contents can link to."""
    count = iter(range(1, 1000))
    return [_H2.sub(lambda m: f"<h2 id='section-{next(count)}'>{m.group(1)}</h2>", piece) for piece in body]


def _contents(body: list[str]) -> str:
    """The report's table of contents: its section headings, linked."""
    items = [f"<li><a href='#{i}'>{text}</a></li>"
             for piece in body for i, text in re.findall(r"<h2 id='([^']+)'>(.*?)</h2>", piece, re.S)]
    return f"<nav class='contents' aria-label='Contents'><h2>Contents</h2><ol>{''.join(items)}</ol></nav>" if items else ""


def check_page(page: str) -> None:
    """Raise :class:`NotPublishable` if the page's text holds an identifier, or it refers to anything online."""

    text = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", page)
    kind = contains_identifier(re.sub(r"<[^>]+>", " ", text))
    if kind:
        raise NotPublishable(f"The report's text holds something that looks like a {kind}; "
                             "the report was not written.")
    offline = re.findall(r"<(?:script|link|iframe|object|embed)\b|(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//",
                         text, re.IGNORECASE)
    if offline:
        raise NotPublishable("The report's HTML refers to a script or a web address; it must open offline.")


