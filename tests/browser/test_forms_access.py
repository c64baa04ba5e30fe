"""The code-free forms as a person uses them: scrolling by wheel and keys, every control shown whole,
buttons that are buttons, each form completed with the keyboard alone (saved to the YAML), headings
in order, lang en-GB, a failed save shown in words, and axe-core at 100% and 200% zoom."""
from __future__ import annotations

import json
import re

import pytest

from browser_helpers import ARTIFACTS, describe, focus_indicator, no_horizontal_scroll, run_axe, wait_for_file_text
from equitylab.widgets import FORM_NAMES
from test_forms_app import LOAD_TIMEOUT, form_box, open_forms

pytestmark = pytest.mark.browser

ZOOM_200 = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}  # a 1280 x 900 window at 200%

# Every control inside the forms whose box is cut by an ancestor that hides overflow, or whose own
# text does not fit (a label ending in "…", radio options overflowing their box).
CLIPPED_JS = """() => {
    const out = [];
    const page = document.scrollingElement;
    const controls = document.querySelectorAll(
        '.equitylab-form :is(input, select, textarea, button, label, .widget-label, .widget-radio-box)');
    for (const el of controls) {
        const r = el.getBoundingClientRect();
        const name = (el.textContent || el.getAttribute('aria-label') || el.type || el.tagName).trim().slice(0, 60);
        if (getComputedStyle(el).display === 'none' || el.closest('[hidden]')) continue;
        if (r.width < 1 || r.height < 1) { out.push(['no size', name]); continue; }
        if (el.tagName === 'LABEL' || el.classList.contains('widget-label') || el.classList.contains('widget-radio-box')) {
            if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1) {
                out.push(['text does not fit', name, el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]);
            }
        }
        for (let a = el.parentElement; a && a !== page && a !== document.body; a = a.parentElement) {
            const s = getComputedStyle(a);
            if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
            const b = a.getBoundingClientRect();
            if (r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1) {
                out.push(['cut off by ' + a.tagName + '.' + String(a.className).split(' ').slice(-1), name]);
                break;
            }
        }
    }
    return out;
}"""

# how wide a date box must be to show a whole date in this font: an unstyled one, measured
DATE_FITS_JS = """() => {
    const probe = document.createElement('input');
    probe.type = 'date';
    probe.value = '2027-12-31';
    const field = document.querySelector('.equitylab-form input[type=date]');
    const s = getComputedStyle(field);
    Object.assign(probe.style, {fontSize: s.fontSize, fontFamily: s.fontFamily, padding: s.padding,
                                border: s.border, boxSizing: s.boxSizing, width: 'auto'});
    document.body.appendChild(probe);
    const need = probe.getBoundingClientRect().width;
    probe.remove();
    return [field.getBoundingClientRect().width, need];
}"""

HEADINGS_JS = "() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1])"


def _scroll_with(page, key: str) -> int:
    """Press ``key`` and wait for the scrolling it starts to end; returns the page's scroll position.

    Chromium scrolls smoothly and ignores a key pressed while a smooth scroll settles, so each key
    waits for the last one's ``scrollend``.
    """
    page.evaluate("() => { window.__ended = new Promise((done) => "
                  "document.addEventListener('scrollend', done, {once: true})); }")
    page.keyboard.press(key)
    page.evaluate("() => window.__ended")
    return page.evaluate("scrollY")


def test_the_page_scrolls_by_wheel_and_by_keys(new_page, forms):
    page = open_forms(new_page(), forms)
    assert page.evaluate("document.scrollingElement.scrollHeight > innerHeight * 3")
    page.mouse.move(640, 450)
    page.mouse.wheel(0, 800)
    page.wait_for_function("() => scrollY > 0", timeout=10_000)  # the issue: scrollTop stayed 0
    wheel = page.evaluate("scrollY")
    page.evaluate("() => document.activeElement.blur()")
    assert _scroll_with(page, "PageDown") > wheel
    bottom = _scroll_with(page, "End")
    assert bottom + page.evaluate("innerHeight") >= page.evaluate("document.scrollingElement.scrollHeight") - 2
    assert _scroll_with(page, "Home") == 0
    assert _scroll_with(page, "Space") > 0


@pytest.mark.parametrize("zoom", ["100", "200"])
def test_every_control_is_shown_whole(new_page, forms, zoom):
    page = open_forms(new_page(**(ZOOM_200 if zoom == "200" else {})), forms)
    page.screenshot(path=str(ARTIFACTS / f"forms_{zoom}.png"), full_page=True)
    clipped = page.evaluate(CLIPPED_JS)
    assert clipped == [], clipped[:20]
    radios = page.locator(".equitylab-form input[type=radio]")
    assert radios.count() == 3
    for i in range(radios.count()):  # the issue: the third ladder option had no visible circle
        box = radios.nth(i).bounding_box()
        assert box and box["width"] >= 12 and box["height"] >= 12
    field, need = page.evaluate(DATE_FITS_JS)
    assert field >= need - 1, f"date box {field:.0f} px wide, a whole date needs {need:.0f} px"
    fits, scroll, client = no_horizontal_scroll(page)
    assert fits, f"page is {scroll} px wide in a {client} px viewport"


def test_buttons_look_like_buttons_and_show_focus(new_page, forms):
    page = open_forms(new_page(), forms, "?form=team")
    box = form_box(page, "team")
    for name in ("Add team member", "Remove team member", "Save now"):
        button = box.get_by_role("button", name=name)
        style = button.evaluate("""(b) => { const s = getComputedStyle(b);
            return {tag: b.tagName, border: parseFloat(s.borderTopWidth), borderStyle: s.borderTopStyle,
                    height: b.getBoundingClientRect().height, cursor: s.cursor}; }""")
        assert style["tag"] == "BUTTON" and style["borderStyle"] == "solid" and style["border"] >= 2, style
        assert style["height"] >= 24 and style["cursor"] == "pointer", style  # WCAG 2.5.8 target size
        button.focus()
        assert focus_indicator(page, button.element_handle())["ring"], name


def test_headings_are_in_order_and_the_language_is_british_english(new_page, forms):
    page = open_forms(new_page(), forms)
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    levels = page.evaluate(HEADINGS_JS)
    assert levels[0] == 1 and levels.count(1) == 1
    jumps = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
    assert jumps == [], levels
    assert levels.count(2) == len(FORM_NAMES)


@pytest.mark.parametrize("zoom", ["100", "200"])
def test_axe_finds_no_violations(new_page, forms, zoom):
    page = open_forms(new_page(**(ZOOM_200 if zoom == "200" else {})), forms)
    violations = run_axe(page)
    (ARTIFACTS / f"axe_forms_{zoom}.json").write_text(json.dumps(violations, indent=1))
    assert violations == [], describe(violations)


def test_a_save_that_fails_is_shown_in_the_form_in_words(new_page, forms):
    page = open_forms(new_page(), forms, "?form=breakout")
    box = form_box(page, "breakout")
    good = forms.project.read_text(encoding="utf-8")
    try:
        forms.project.write_text("title: [broken by hand\n", encoding="utf-8")
        box.get_by_label("Team name").fill("A team whose save fails")
        box.get_by_role("button", name="Save now").click()
        alert = box.get_by_role("alert")
        alert.wait_for(timeout=30_000)
        assert "Not saved" in alert.inner_text() and alert.is_visible()
        page.wait_for_function("(el) => /Not saved/.test(el.innerText)", arg=box.element_handle(), timeout=30_000)
        page.screenshot(path=str(ARTIFACTS / "forms_save_failed.png"), full_page=True)
    finally:
        forms.project.write_text(good, encoding="utf-8")


# Keyboard only: Tab from the form's heading through every control, typing into text boxes, ArrowDown
# in lists and radio groups, Space on check boxes, and Enter (or Space) on the buttons named here.
KEYS = {
    "breakout": ({"Project title": "Kb title", "Team name": "Kb team", "Area code": "E09000012",
                  "Topic": "Kb topic", "Why it matters to the people affected": "Kb matters",
                  "Barriers (one a line)": "Kb barrier", "Enablers (one a line)": "Kb enabler"},
                 {"Save now": "Enter"}, ["Kb title", "Kb topic", "Kb matters", "Kb barrier", "Kb enabler"]),
    "team": ({"Name (optional)": "Kb Member", "They agree to be named": " "},
             {"Add team member": " ", "Save now": "Enter"}, ["Kb Member", "consent_to_name: true"]),
    "coproduction": ({"Where we are now": "ArrowDown", "Service users are": "ArrowDown",
                      "What tells us this (evidence)": "Kb evidence", "Our next steps": "Kb copro steps"},
                     {"Save now": "Enter"}, ["current_rung: coercion", "involvement: consulted", "Kb evidence"]),
    "four_questions": ({"Where are you now?": "Kb where", "Your next steps": "Kb next"}, {"Save now": "Enter"},
                       ["Kb where", "Kb next"]),
    "data_plan": ({"Numbers, words or pictures": "ArrowDown", "What data would help": "Kb data",
                   "What we could ask people": "Kb ask", "How we will collect it": "Kb collect"},
                  {"Add to data plan": "Enter", "Save now": "Enter"}, ["Kb data", "Kb collect", "kind: words"]),
    "heard": ({"What was said": "Kb letters arrive late", "They agreed we can share this": " ", "Theme": "Kb theme"},
              {"Add what we heard": "Enter"}, ["Kb letters arrive late", "Kb theme"]),
    "aim": ({"What will change": "Kb what", "Group experiencing the inequity": "Kb group",
             "Compared with": "Kb others", "Where we are now (a number; with two groups, the gap between them)": "12",
             "Where we aim to be (a number; with two groups, the gap you aim for)": "4", "Unit (e.g. %, per 1,000)": "%",
             "By when": "date:2027-03-31", "Where (service or area)": "Kb ward"},
            {"Save now": "Enter"}, ["Kb what", "baseline: 12", "target: 4", "by_when: 2027-03-31", "Kb ward"]),
    "driver_diagram": ({"Text": "Kb driver box"}, {"Add box": "Enter"}, ["Kb driver box"]),
    "measures": ({"Measure name": "Kb measure", "Operational definition": "Kb definition",
                  "Period starting": "date:2026-04-01", "Numerator": "9", "Denominator": "30"},
                 {"Add measure": "Enter", "Add this period": "Enter"},
                 ["Kb measure", "Kb definition", "numerator: 9", "denominator: 30"]),
    "pdsa": ({"Objective of this cycle": "Kb objective", "What we learned": "Kb learned", "Act": "ArrowDown"},
             {"Start a new cycle": "Enter", "Save now": "Enter"}, ["Kb objective", "Kb learned", "act: adopt"]),
    "progress": ({"Progress score": "ArrowDown", "How often we meet": "Kb weekly"}, {"Save now": "Enter"},
                 ["progress_score: 0.5", "Kb weekly"]),
}

# The order in which a date box takes day, month and year follows the browser's own language, not
# the page's: find it by typing 01, 02, 2003 into a spare date box.
DATE_ORDER_JS = """() => { const probe = document.createElement('input'); probe.type = 'date';
    probe.id = 'date-order-probe'; document.body.appendChild(probe); probe.focus(); }"""


def _date_keys(page, iso: str) -> str:
    page.evaluate(DATE_ORDER_JS)
    page.keyboard.type("01022003")
    probe = page.evaluate("() => { const p = document.getElementById('date-order-probe'); const v = p.value; "
                          "p.remove(); return v; }")
    year, month, day = iso.split("-")
    return {"2003-01-02": month + day + year, "2003-02-01": day + month + year}.get(probe, year + month + day)


FOCUSED_JS = """() => {
    const el = document.activeElement;
    if (!el || !el.closest('.equitylab-form')) return null;
    const own = el.type === 'radio' ? (el.closest('[role=radiogroup]') || el).getAttribute('aria-label')
        : (el.labels && el.labels.length ? el.labels[0].textContent : '');
    return {tag: el.tagName, type: el.type || '', label: (own || el.textContent || '').trim(),
            form: el.closest('.equitylab-form').querySelector('h2').textContent};
}"""


@pytest.mark.parametrize("name", FORM_NAMES)
def test_each_form_can_be_completed_with_the_keyboard_alone(new_page, forms, name):
    assert set(KEYS) == set(FORM_NAMES)
    answers, presses, expected = KEYS[name]
    page = new_page(locale="en-GB")
    page.goto(forms.url + f"/?form={name}", timeout=LOAD_TIMEOUT)
    page.wait_for_selector("button:has-text('Save now')", timeout=LOAD_TIMEOUT)
    dates = {label: _date_keys(page, key[5:]) for label, key in answers.items() if key.startswith("date:")}
    answers = {**answers, **dates}
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")  # to the forms
    done, seen = set(), 0
    for _ in range(120):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            if seen:
                break  # Tab has left the form
            continue
        seen += 1
        label, tag, kind = focused["label"], focused["tag"], focused["type"]
        key = presses.get(label) if tag == "BUTTON" else answers.get(label)
        if key is None or (tag == "BUTTON" and label in done):
            continue
        done.add(label)
        if key in ("ArrowDown", "Enter") or (key == " " and (tag == "BUTTON" or kind == "checkbox")):
            page.keyboard.press("Space" if key == " " else key)
        else:
            page.keyboard.type(key)
        page.wait_for_timeout(150)  # let the kernel take the change before moving on
    missed = (set(answers) | set(presses)) - done
    assert not missed, f"Tab never reached {missed} in the {name} form"
    text = wait_for_file_text(forms.project, *expected, timeout=60)
    assert all(x in text for x in expected)
    assert not re.search(r"Traceback|Error", page.locator(".equitylab-form").first.inner_text())
