"""The Hackney report on paper: the PDF the runner prints beside the HTML is A4 portrait, within the
issue's 12 pages, with the main points on page 1, and under print media nothing on the page runs past
the right margin (a table that does is clipped on paper)."""
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


@pytest.fixture(scope="module")
def printed(hackney_report):
    assert hackney_report.pdf, f"no PDF beside the report: {hackney_report.result.pdf_note}"
    pages = pdf_pages(hackney_report.pdf.read_bytes())
    (ARTIFACTS / "report_hackney_pdf.json").write_text(json.dumps({"pages": len(pages)}))
    if shutil.which("pdftoppm"):  # to look at: the first pages as PNG
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-l", "3", str(hackney_report.pdf),
                        str(ARTIFACTS / "report_hackney_page")], check=False, timeout=120)
    return pages


def test_the_report_pdf_is_a4_portrait(printed):
    assert printed, "the PDF has no pages"
    for i, (w, h) in enumerate(printed, start=1):
        assert w == pytest.approx(A4_POINTS[0], abs=1.5) and h == pytest.approx(A4_POINTS[1], abs=1.5), (
            f"page {i} is {w:.0f} x {h:.0f} points, not A4 portrait (595 x 842)")


@pytest.mark.xfail(strict=True, reason=("the Hackney report (with a project and its driver diagram) prints on 38 A4 "
                                        "pages (issue 18's target: at most 12)"))
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


@pytest.mark.xfail(strict=True, reason=(
    "printed (680 px between the margins), 8 of the report's tables run past the right margin and are clipped: "
    "the Experience tables by ethnic group, sex, age band and deprivation decile (1,585-1,786 px), Outcomes: "
    "readmission within 90 days (1,925 px), Access by age (815 px), Access by deprivation (723 px) and "
    "Outcomes by deprivation within Hackney (705 px); Chromium then prints the whole report at 75% (its smallest "
    "shrink to fit), so body text is about 8 pt, and still clips them"))
def test_nothing_runs_past_the_right_margin_in_print(new_page, hackney_report):
    page, width, _ = _print_layout(new_page, hackney_report.html)
    over = page.evaluate(OVERFLOW_JS, width)
    (ARTIFACTS / "report_hackney_print_overflow.json").write_text(json.dumps(over, indent=1))
    assert over == [], f"{len(over)} elements run past the {width:.0f} px printed width: " + "; ".join(
        f"{o['element']} to {o['right']} px ({o['text']!r})" for o in over[:8])


@pytest.mark.xfail(strict=True, reason=(
    "the main points do not fit on page 1: at the printed width the 'In brief' list (16 long bullets, after the "
    "header, facts table and privacy note) ends about 2,000 px down, on page 3 (page 1 holds 994 px); today's PDF "
    "shows it ending on page 2 only because the wide tables shrink the whole print to 75%"))
def test_the_main_points_are_on_page_one(new_page, hackney_report):
    page, _, height = _print_layout(new_page, hackney_report.html)
    box = page.evaluate("() => { const s = document.querySelector('.summary');"
                        " if (!s) return null; const r = s.getBoundingClientRect(); return [r.top, r.bottom]; }")
    assert box, "the report has no summary of its main points"
    assert box[1] <= height, f"the main points end {box[1]:.0f} px down; page 1 holds {height:.0f} px"
