"""``equitylab forms PROJECT.yaml``: the code-free forms in Chromium, saving into the project file,
two people at once, WCAG 2.2 AA (axe-core), keyboard focus and reflow at 320 CSS pixels."""
from __future__ import annotations

import json

import pytest

from browser_helpers import ARTIFACTS, describe, focus_indicator, no_horizontal_scroll, run_axe, wait_for_file_text
from equitylab.widgets import FORM_NAMES, FORM_TITLES

pytestmark = pytest.mark.browser
LOAD_TIMEOUT = 240_000  # ms: Voilà starts a kernel per page


def open_forms(page, forms, query: str = ""):
    page.goto(forms.url + "/" + query, timeout=LOAD_TIMEOUT)
    page.wait_for_selector("h1:has-text('Forms for')", timeout=LOAD_TIMEOUT)
    page.wait_for_selector("button:has-text('Save now')", timeout=LOAD_TIMEOUT)
    return page


def form_box(page, name: str):
    return page.locator(".equitylab-form").filter(has=page.locator(f"h2:text-is('{FORM_TITLES[name]}')"))


def test_every_form_is_on_the_page_with_no_code_and_no_internet(new_page, forms):
    page = open_forms(new_page(), forms)
    for name in FORM_NAMES:
        assert form_box(page, name).count() == 1, f"form {name} missing"
    assert page.locator(".jp-InputArea, .jp-CodeMirrorEditor, .cm-editor").count() == 0, "code is visible"
    assert page.locator("nav a").count() == len(FORM_NAMES)
    page.screenshot(path=str(ARTIFACTS / "forms_all.png"), full_page=True)
    assert page.guard.cdn_requests() == [], page.guard.cdn_requests()
    assert page.guard.blocked == [], page.guard.blocked


def test_one_form_chosen_in_the_address(new_page, forms):
    page = open_forms(new_page(), forms, "?form=team")
    assert page.locator(".equitylab-form").count() == 1
    assert form_box(page, "team").count() == 1


def test_answers_typed_in_the_forms_page_reach_the_project_file(new_page, forms):
    page = open_forms(new_page(), forms)
    box = form_box(page, "breakout")
    box.get_by_label("Enablers (one a line)").fill("Peer support workers who speak Somali")
    box.get_by_label("Topic").focus()
    box.get_by_role("button", name="Save now").click()
    wait_for_file_text(forms.project, "Peer support workers who speak Somali")
    page.wait_for_function("(el) => /Saved/.test(el.innerText)", arg=box.element_handle(), timeout=30_000)


def test_two_people_saving_at_once_both_answers_are_kept(new_page, forms):
    """Two browser contexts (two kernels) change different answers and press Save together."""
    first, second = new_page(), new_page()
    open_forms(first, forms)
    open_forms(second, forms)
    a, b = form_box(first, "breakout"), form_box(second, "breakout")
    a.get_by_label("Topic").fill("Access to talking therapies for older Bangladeshi women")
    a.get_by_label("Team name").focus()
    b.get_by_label("Why it matters to the people affected").fill("Women told us the letters never reach them")
    b.get_by_label("Team name").focus()
    team = form_box(second, "team")
    team.get_by_label("Name (optional)").fill("Rukhsana B")
    team.get_by_label("They agree to be named").check()
    # press both Save buttons as close together as the browser allows
    first.evaluate("(el) => setTimeout(() => el.click(), 0)", a.get_by_role("button", name="Save now").element_handle())
    second.evaluate("(el) => el.click()", b.get_by_role("button", name="Save now").element_handle())
    team.get_by_role("button", name="Add team member").click()
    text = wait_for_file_text(forms.project, "Access to talking therapies for older Bangladeshi women",
                              "Women told us the letters never reach them", "Rukhsana B", timeout=60)
    assert text.count("Access to talking therapies") == 1


def test_forms_page_meets_wcag_22_aa(new_page, forms):
    page = open_forms(new_page(), forms)
    violations = run_axe(page)
    (ARTIFACTS / "axe_forms.json").write_text(json.dumps(violations, indent=1))
    assert violations == [], describe(violations)


def test_forms_page_reflows_at_320_css_pixels(new_page, forms):
    """WCAG 1.4.10: 1280 px at 400% (or 640 px at 200%) is a 320 CSS px viewport; no sideways scrolling."""
    page = open_forms(new_page(viewport={"width": 320, "height": 640}, device_scale_factor=2), forms)
    page.screenshot(path=str(ARTIFACTS / "forms_320px.png"), full_page=True)
    fits, scroll, client = no_horizontal_scroll(page)
    assert fits, f"page is {scroll} px wide in a {client} px viewport"


def test_forms_page_keyboard_focus_is_always_visible(new_page, forms):
    page = open_forms(new_page(), forms, "?form=team")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to the forms"
    hidden, reached = [], 0
    for _ in range(12):
        page.keyboard.press("Tab")
        handle = page.evaluate_handle("() => document.activeElement")
        if page.evaluate("(e) => !!e.closest('.equitylab-form')", handle):
            reached += 1
            if not focus_indicator(page, handle)["ring"]:
                hidden.append(page.evaluate("(e) => e.outerHTML.slice(0, 120)", handle))
    assert reached >= 6
    assert hidden == [], f"no focus ring on: {hidden}"
    role = form_box(page, "team").get_by_label("Role")
    role.focus()
    before = role.input_value()
    page.keyboard.press("ArrowDown")  # outside JupyterLab, arrow keys choose an option
    assert role.input_value() != before

