"""Generated HTML for managers and advisors, checked in Chromium: an equity report
(``equitylab.reports.run``) and the project on a page (``equitylab project export --format html``).
WCAG 2.2 AA by axe-core, reflow at 320 CSS px, text alternatives for charts and Making Data Count icons,
and no requests off this machine."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from browser_helpers import ARTIFACTS, describe, no_horizontal_scroll, run_axe
from conftest import seed_driver_diagram

pytestmark = pytest.mark.browser

CHARTS_WITHOUT_TEXT_JS = """() => {
    const charts = Array.from(document.querySelectorAll('svg, canvas, img')).filter(e => {
        const r = e.getBoundingClientRect();
        return r.width >= 150 && r.height >= 100 && !e.parentElement.closest('svg');
    });
    const described = e => {
        const label = (e.getAttribute('aria-label') || e.getAttribute('alt') || '').trim();
        const title = e.querySelector && e.querySelector(':scope > title, :scope > desc');
        const by = e.getAttribute('aria-labelledby') || e.getAttribute('aria-describedby');
        const fig = e.closest('figure');
        const caption = fig && fig.querySelector('figcaption');
        const box = e.closest('.vega-embed, figure, section, div');
        const nearby = box && /chart description|this chart shows|in words:|text version|outline/i.test(box.innerText);
        return label.length > 10 || (title && title.textContent.trim().length > 10) || by ||
               (caption && caption.textContent.trim().length > 10) || nearby;
    };
    return {count: charts.length, missing: charts.filter(e => !described(e)).map(e => e.outerHTML.slice(0, 150))};
}"""

ICONS_WITHOUT_TEXT_JS = """() => Array.from(document.querySelectorAll(
        '[class*=mdc i] img, [class*=mdc i] svg, img[class*=mdc i], svg[class*=mdc i], img[class*=icon i], svg[class*=icon i]'))
    .filter(e => !(e.getAttribute('alt') || e.getAttribute('aria-label') || (e.querySelector && e.querySelector('title'))
                 || (e.getAttribute('aria-hidden') === 'true' && e.parentElement.innerText.trim().length > 3)))
    .map(e => e.outerHTML.slice(0, 150))"""


@pytest.fixture(scope="module")
def onepage(browser_ready, tmp_path_factory):
    work = tmp_path_factory.mktemp("onepage")
    project = work / "project.yaml"
    seed_driver_diagram(project)
    out = work / "project.html"
    done = subprocess.run([sys.executable, "-m", "equitylab", "project", "export", str(project), "--format", "html",
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return out


def check_html(new_page, path, label: str):
    page = new_page()
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    page.screenshot(path=str(ARTIFACTS / f"{label}.png"), full_page=True)
    violations = run_axe(page)
    (ARTIFACTS / f"axe_{label}.json").write_text(json.dumps(violations, indent=1))
    charts = page.evaluate(CHARTS_WITHOUT_TEXT_JS)
    icons = page.evaluate(ICONS_WITHOUT_TEXT_JS)
    narrow = new_page(viewport={"width": 320, "height": 640}, device_scale_factor=2)
    narrow.goto(path.as_uri())
    narrow.wait_for_load_state("load")
    narrow.screenshot(path=str(ARTIFACTS / f"{label}_320px.png"), full_page=True)
    fits, scroll, client = no_horizontal_scroll(narrow)
    blocked = page.guard.blocked + narrow.guard.blocked
    return violations, charts, icons, (fits, scroll, client), blocked


def _assert_accessible(result, label, known=()):
    violations, charts, icons, (fits, scroll, client), blocked = result
    violations = [v for v in violations if v["id"] not in known]
    assert violations == [], f"{label}: " + describe(violations)
    assert charts["missing"] == [], f"{label}: charts without a text alternative: {charts['missing']}"
    assert icons == [], f"{label}: Making Data Count icons without a text equivalent: {icons}"
    assert fits, f"{label}: {scroll} px wide in a {client} px viewport at 200% zoom"
    assert blocked == [], f"{label} tried to reach the internet: {blocked}"


def test_project_on_a_page_is_accessible(new_page, onepage):
    result = check_html(new_page, onepage, "project_on_a_page")
    assert result[1]["count"] >= 1, "the driver diagram is not on the page"
    _assert_accessible(result, "project on a page")


def test_equity_report_is_accessible(new_page, report):
    result = check_html(new_page, report, "report_hackney")
    assert result[1]["count"] >= 1, "no charts in the report"
    _assert_accessible(result, "report")


def test_report_tables_scroll_by_keyboard(new_page, report):
    """Table boxes that scroll sideways take keyboard focus and have a name (axe scrollable-region-focusable)."""
    page = new_page()
    page.goto(report.as_uri())
    violations = [v for v in run_axe(page) if v["id"] == "scrollable-region-focusable"]
    assert violations == [], describe(violations)
