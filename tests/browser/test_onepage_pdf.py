"""The project on a page printed by Chromium: A4 portrait pages and the driver diagram alone on an
A4 landscape page, every part's text extractable (pdftotext), the diagram's text at 8 points or
more, nothing that is not for sharing; and the page on screen at 100% and 200%."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from browser_helpers import ARTIFACTS, describe, no_horizontal_scroll, run_axe, unavailable
from equitylab.findings import onepage
from equitylab.workbook import Project

pytestmark = pytest.mark.browser
EXAMPLE = Path(__file__).parents[1] / "fixtures" / "projects" / "example_project.yaml"
A4 = (595.28, 841.89)  # points, portrait (ISO 216: 210 x 297 mm)


@pytest.fixture(scope="module")
def project():
    p = Project.load(EXAMPLE)
    p.members[1].name = "Jo Carer"  # a carer who has not agreed to be named
    p.heard[0].consent = False
    p.measures[1].add_period(date(2025, 5, 1), numerator=5, denominator=40)
    return p


@pytest.fixture(scope="module")
def printed(browser_ready, project, tmp_path_factory):
    for tool in ("pdftotext", "pdfinfo"):
        if not shutil.which(tool):
            unavailable(f"{tool} is missing: apt-get install poppler-utils (.ci/install-browser.sh does)")
    path = onepage.save(project, tmp_path_factory.mktemp("page") / "project.pdf", audience="publish")
    shutil.copy(path, ARTIFACTS / "project_on_a_page.pdf")
    return path


def _pages(pdf: Path) -> list[tuple[float, float]]:
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "99", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", info)]


def _text(pdf: Path, *pages: int) -> str:
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    return subprocess.run(["pdftotext", *span, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _word_heights(pdf: Path, page: int) -> list[float]:
    xml = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)"[^>]*yMax="([\d.]+)"', xml)]


def test_pages_are_a4_portrait_and_the_diagram_has_an_a4_landscape_page(printed):
    pages = _pages(printed)
    assert len(pages) >= 2
    for w, h in pages[:-1]:
        assert (w, h) == pytest.approx(A4, abs=1)
    assert pages[-1] == pytest.approx(A4[::-1], abs=1)  # the driver diagram, alone on its page
    assert "Driver diagram" in _text(printed, len(pages)) and "Primary drivers" in _text(printed, len(pages))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("- ", "")


def test_every_part_the_team_wrote_for_sharing_is_in_the_pdf_text(printed, project):
    text = _squash(_text(printed))
    p = project
    parts = [p.title, p.team, p.topic, p.why_it_matters, *p.barriers, *p.enablers, "Amara (service user)",
             "Rung 4 of 7", "Reduce the gap in referrals to talking therapies", *[m.name for m in p.measures],
             p.pdsa[0].objective, *[q.text for q in p.heard if q.consent], *p.next_steps,
             *[n.text for n in p.drivers.nodes]]
    missing = [x for x in parts if _squash(x) not in text]
    assert missing == []
    assert "Jo Carer" not in text and p.heard[0].text not in text  # no name or quote without consent
    for heading in ("Our topic", "What helps and what gets in the way", "Our team", "Our aim", "Measures",
                    "PDSA cycles", "What we heard", "Next steps"):
        assert heading in text


def test_the_diagram_prints_at_8_points_or_more(printed, tmp_path):
    """Word heights on the diagram's page, against those of 8-point text printed the same way."""
    from equitylab.pdf import html_to_pdf

    probe = tmp_path / "probe.html"
    probe.write_text("<!DOCTYPE html><html><head><style>@page{size:A4 landscape;margin:10mm}</style></head>"
                     "<body><svg xmlns='http://www.w3.org/2000/svg' width='200mm' height='20mm' "
                     "font-family=\"Arial, Helvetica, 'DejaVu Sans', sans-serif\"><text x='10' y='30' "
                     "font-size='8pt'>Eight point probe text</text></svg></body></html>", encoding="utf-8")
    eight = max(_word_heights(html_to_pdf(probe, tmp_path / "probe.pdf"), 1))
    heights = _word_heights(printed, len(_pages(printed)))
    assert heights and min(heights) >= eight - 0.05, (min(heights), eight)


@pytest.mark.parametrize("zoom", ["100", "200"])
def test_the_page_on_screen(new_page, project, tmp_path, zoom):
    html = onepage.save(project, tmp_path / "project.html", audience="publish")
    options = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2} if zoom == "200" else {}
    page = new_page(**options)
    page.goto(html.resolve().as_uri())
    page.screenshot(path=str(ARTIFACTS / f"project_page_{zoom}.png"), full_page=True)
    fits, scroll, client = no_horizontal_scroll(page)
    assert fits, f"page is {scroll} px wide in a {client} px viewport"
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    violations = run_axe(page)
    assert violations == [], describe(violations)
