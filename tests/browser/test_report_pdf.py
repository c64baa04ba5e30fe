"""The Hackney report on paper: the PDF the runner prints beside the HTML is A4 portrait, the default
report within the issue's 12 pages with its main points on page 1, and under print media nothing on
the page runs past the right margin (a table that does is clipped on paper, and Chromium shrinks the
whole print to fit it)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from browser_helpers import ARTIFACTS
from equitylab.reports.html import CSS

pytestmark = pytest.mark.browser

MM = 96 / 25.4  # CSS pixels in a millimetre
A4_POINTS = (595.28, 841.89)  # 210 x 297 mm in PDF points (1/72 inch)
MOST_PAGES = 12  # issue 18: the Hackney default report prints on at most 12 A4 pages


def page_box() -> tuple[float, float]:
    """The printed page's content box in CSS px: A4 less the report's own @page margins."""
    rule = re.search(r"@page\s*{[^}]*margin:\s*([^;]+);", CSS).group(1)
    v = [float(x.removesuffix("mm")) for x in rule.split()]
    # CSS shorthand: top, right, bottom, left, the missing ones taken from the opposite side
    top, right, bottom, left = (v * 4)[:4] if len(v) == 1 else (v + v)[:4] if len(v) == 2 else (v + v[1:2])[:4]
    return (210 - left - right) * MM, (297 - top - bottom) * MM


def pdf_pages(data: bytes) -> list[tuple[float, float]]:
    """Each page's size in points. Chromium (Skia) writes page dictionaries uncompressed, each with
    its /MediaBox, so they can be read without a PDF library."""
    pages = []
    for obj in data.split(b"endobj"):
        if not re.search(rb"/Type\s*/Page\b", obj):
            continue
        box = re.search(rb"/MediaBox\s*\[\s*([\d.\s-]+)\]", obj)
        x0, y0, x1, y1 = (float(v) for v in box.group(1).split())
        pages.append((x1 - x0, y1 - y0))
    return pages


@pytest.fixture(scope="module", params=["default", "with a project"])
def report_for_print(request, hackney_default_report, hackney_report):
    return request.param, hackney_default_report if request.param == "default" else hackney_report


@pytest.fixture(scope="module")
def printed(hackney_default_report):
    report = hackney_default_report
    assert report.pdf, f"no PDF beside the report: {report.result.pdf_note}"
    pages = pdf_pages(report.pdf.read_bytes())
    (ARTIFACTS / "report_hackney_pdf.json").write_text(json.dumps({"pages": len(pages)}))
    if shutil.which("pdftoppm"):  # to look at: the pages as PNG
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(report.pdf), str(ARTIFACTS / "report_hackney_page")],
                       check=False, timeout=120)
    return pages


def test_the_report_pdf_is_a4_portrait(printed):
    assert printed, "the PDF has no pages"
    for i, (w, h) in enumerate(printed, start=1):
        assert w == pytest.approx(A4_POINTS[0], abs=1.5) and h == pytest.approx(A4_POINTS[1], abs=1.5), (
            f"page {i} is {w:.0f} x {h:.0f} points, not A4 portrait (595 x 842)")


def test_the_hackney_report_prints_on_at_most_12_pages(printed):
    assert len(printed) <= MOST_PAGES, f"{len(printed)} pages"


def _print_layout(new_page, html):
    width, height = page_box()
    page = new_page(viewport={"width": round(width), "height": round(height)})
    page.emulate_media(media="print")
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return page, width, height


OVERFLOW_JS = """(width) => {
    const wide = new Set();
    for (const e of document.querySelectorAll('body *')) {
        const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
        if (r.width && r.height && cs.visibility !== 'hidden' && r.right > width + 1) wide.add(e);
    }
    // the outermost element that runs over, not each of its cells
    return [...wide].filter(e => !wide.has(e.parentElement)).map(e => ({
        element: e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : ''),
        right: Math.round(e.getBoundingClientRect().right),
        text: (e.querySelector('caption') || e).textContent.trim().slice(0, 70)}));
}"""


def test_nothing_runs_past_the_right_margin_in_print(new_page, report_for_print):
    label, report = report_for_print
    page, width, _ = _print_layout(new_page, report.html)
    over = page.evaluate(OVERFLOW_JS, width)
    (ARTIFACTS / f"report_hackney_print_overflow_{label.replace(' ', '_')}.json").write_text(json.dumps(over))
    assert over == [], f"{len(over)} elements run past the {width:.0f} px printed width: " + "; ".join(
        f"{o['element']} to {o['right']} px ({o['text']!r})" for o in over[:8])


def test_the_main_points_are_on_page_one(new_page, hackney_default_report):
    page, _, height = _print_layout(new_page, hackney_default_report.html)
    box = page.evaluate("() => { const s = document.querySelector('.summary');"
                        " if (!s) return null; const r = s.getBoundingClientRect(); return [r.top, r.bottom]; }")
    assert box, "the report has no summary of its main points"
    assert box[1] <= height, f"the main points end {box[1]:.0f} px down; page 1 holds {height:.0f} px"
