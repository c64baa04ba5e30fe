"""Every exercise form, driven by setting widget values and reading the project file back from disk."""
import shutil
from datetime import date
from pathlib import Path

import ipywidgets as w
import pytest

from equitylab import DataError
from equitylab.widgets import FORM_NAMES, FORM_TITLES, FORMS, form
from equitylab.widgets import forms as forms_module
from equitylab.widgets.base import FORM_CLASS, KeyGuard, ProjectForm
from equitylab.workbook import Project

EXAMPLE = Path(__file__).parent / "fixtures" / "projects" / "example_project.yaml"


@pytest.fixture
def path(tmp_path):
    target = tmp_path / "project.yaml"
    shutil.copy(EXAMPLE, target)
    return target


def disk(path):
    return Project.load(path)


def test_form_names_cover_every_exercise_and_unknown_names_are_refused(path):
    assert FORM_NAMES == ("breakout", "team", "coproduction", "four_questions", "data_plan", "heard", "aim",
                          "driver_diagram", "measures", "pdsa", "progress")
    with pytest.raises(DataError, match="no form called 'charter'"):
        form("charter", path)


@pytest.mark.parametrize("name", FORM_NAMES)
def test_each_form_opens_filled_from_the_file_without_writing_and_is_keyboard_usable(path, name):
    before = path.read_text()
    view = form(name, path, wait=0)
    assert isinstance(view, w.VBox)
    assert path.read_text() == before and view.status.value == "Not saved yet"
    allowed = (w.Text, w.Textarea, w.Dropdown, w.Checkbox, w.RadioButtons, w.DatePicker, w.Button,
               w.BoundedIntText, w.Combobox, w.HTML, w.Label, w.HBox, w.VBox)
    guards = [c for c in view.children if isinstance(c, KeyGuard)]
    assert len(guards) == 1 and FORM_CLASS in view._dom_classes
    stack = [c for c in view.children if not isinstance(c, KeyGuard)]
    while stack:
        control = stack.pop()
        assert isinstance(control, allowed), type(control)
        if isinstance(control, (w.HBox, w.VBox)):
            stack += list(control.children)
        elif not isinstance(control, (w.HTML, w.Label)):
            assert control.description.strip(), f"{type(control).__name__} without a plain-English label"


def test_a_missing_file_is_created(tmp_path):
    view = form("breakout", tmp_path / "our_project.yaml", wait=0)
    assert disk(tmp_path / "our_project.yaml").title == "our project"
    assert view.controls["title"].value == "our project"


def test_breakout_form(path):
    view = form("breakout", path, wait=0)
    assert view.controls["barriers"].value.startswith("Mistrust of mental health services\n")
    view.controls["topic"].value = "Access to perinatal mental health care"
    view.controls["barriers"].value = "Stigma\n\n  Cost of travel  \n"
    view.controls["enablers"].value = "Health visitors"
    p = disk(path)
    assert p.topic == "Access to perinatal mental health care"
    assert p.barriers == ["Stigma", "Cost of travel"] and p.enablers == ["Health visitors"]
    assert view.status.value.startswith("Saved ")


class FakeTimer:
    """A timer that never fires by itself, so a test controls when the pause ends."""

    def __init__(self, wait, fn):
        self.daemon = False

    def start(self):
        pass

    def cancel(self):
        pass


def test_saves_wait_for_a_pause_then_one_write(path):
    view = form("breakout", path, wait=2, timer=FakeTimer)
    for text in ("A", "An", "Ant", "Anti"):
        view.controls["topic"].value = text
    assert view.status.value == "Saving…" and disk(path).topic != "Anti"
    view.save()  # on blur, or the "Save now" button
    assert disk(path).topic == "Anti" and view.saver.debouncer.calls == 1


def test_team_form_adds_removes_and_checks_the_mix(path, tmp_path):
    view = form("team", path, wait=0)
    c = view.controls
    c["role"].value = "expert by experience"
    c["name"].value = "Kemi"
    c["consent_to_name"].value = False
    c["add"].click()
    p = disk(path)
    assert p.members[-1].role == "expert by experience" and p.members[-1].name == "Kemi"
    assert not p.members[-1].consent_to_name
    assert "Kemi" not in c["roster"].value and "Expert by experience" in c["roster"].value
    assert "looks right" in c["mix"].value
    sponsor = next(m for m in p.members if m.role == "sponsor")
    c["member"].value = sponsor.id
    c["remove"].click()
    assert all(m.role != "sponsor" for m in disk(path).members)
    assert "No sponsor" in c["mix"].value


def test_coproduction_form(path):
    view = form("coproduction", path, wait=0)
    assert view.controls["current_rung"].value == "consultation"
    view.controls["current_rung"].value = "engagement"
    view.controls["involvement"].value = "full team members"
    view.controls["evidence"].value = "Two service users joined in May."
    co = disk(path).coproduction
    assert (co.current_rung, co.involvement, co.evidence) == ("engagement", "full team members",
                                                             "Two service users joined in May.")


def test_four_questions_form(path):
    view = form("four_questions", path, wait=0)
    view.controls["meeting_often.where_we_are"].value = "Every fortnight now"
    view.controls["coach_and_sponsor.next_steps"].value = "Sponsor at every third meeting"
    bc = disk(path).best_chance
    assert bc.meeting_often.where_we_are == "Every fortnight now"
    assert bc.coach_and_sponsor.next_steps == "Sponsor at every third meeting"
    assert bc.diverse_team.where_we_are == "We have not yet talked openly about bias."


def test_data_plan_form(path):
    view = form("data_plan", path, wait=0)
    c = view.controls
    before = disk(path).data_plan
    c["question"].value = "staff"
    c["kind"].value = "pictures"
    c["what"].value = "Photos of the referral pathway whiteboard"
    c["how_to_collect"].value = "Team meeting"
    c["add"].click()
    item = disk(path).data_plan[-1]
    assert (item.question, item.kind, item.what, item.how_to_collect) == (
        "staff", "pictures", "Photos of the referral pathway whiteboard", "Team meeting")
    assert "Photos of the referral pathway whiteboard" in c["plan"].value
    c["item"].value = item.id
    c["remove"].click()
    assert disk(path).data_plan == before  # the added line removed, the others untouched


def test_heard_form_refuses_identifiers_and_keeps_role_not_name(path):
    view = form("heard", path, wait=0)
    c = view.controls
    before = disk(path).heard
    c["text"].value = "My name is Grace and I gave up waiting"
    c["speaker_role"].value = "service user"
    c["add"].click()
    assert disk(path).heard == before  # refused: nothing written
    assert "could identify someone" in view.message.value and "Grace" not in view.message.value
    c["text"].value = "I gave up waiting after three letters"
    c["consent"].value = True
    c["driver"].value = disk(path).drivers.nodes[0].id
    c["add"].click()
    q = disk(path).heard[-1]
    assert (q.text, q.speaker_role, q.consent, q.driver) == ("I gave up waiting after three letters", "service user",
                                                              True, disk(path).drivers.nodes[0].id)


def test_aim_form_gives_live_feedback_and_saves(path):
    view = form("aim", path, wait=0)
    c = view.controls
    assert "This aim says what" in c["feedback"].value
    c["baseline"].value = ""
    assert "no baseline" in c["feedback"].value
    c["group"].value = ""
    assert "No group is named" in c["feedback"].value
    c["group"].value = "Somali women"
    c["baseline"].value = "5.5"
    c["target"].value = "2"
    c["by_when"].value = date(2027, 6, 30)
    aim = disk(path).aim
    assert (aim.group, aim.baseline, aim.target, aim.by_when) == ("Somali women", 5.5, 2.0, date(2027, 6, 30))
    assert "Somali women" in c["sentence"].value
    c["target"].value = "two"
    assert view.message.value == ('<div class="equitylab-message error" role="alert">'
                                  'The target must be a number, such as 12 or 4.5.</div>')
    assert disk(path).aim.target == 2.0


def test_driver_diagram_form_adds_links_and_attaches_measures(path):
    view = form("driver_diagram", path, wait=0)
    c = view.controls
    c["kind"].value = "primary"
    c["text"].value = "Families feel welcome"
    c["linked_to"].value = "aim"
    c["add"].click()
    p = disk(path)
    new = p.drivers.nodes[-1]
    assert new.text == "Families feel welcome" and any(lk.source == "aim" and lk.target == new.id for lk in p.drivers.links)
    idea = next(n for n in p.drivers.nodes if n.kind == "change_idea")
    c["source"].value = new.id
    c["target"].value = idea.id
    c["link_strength"].value = "weak"
    c["link"].click()
    assert any(lk.source == new.id and lk.target == idea.id and lk.strength == "weak" for lk in disk(path).drivers.links)
    c["node"].value = new.id
    c["measure"].value = p.measures[1].id
    c["attach"].click()
    assert disk(path).drivers.node(new.id).measures == [p.measures[1].id]
    assert "Families feel welcome" in c["picture"].value and "Families feel welcome" in c["outline"].value
    c["remove"].click()
    assert all(n.id != new.id for n in disk(path).drivers.nodes)


def test_measures_form_adds_a_measure_and_this_period(path):
    view = form("measures", path, wait=0)
    c = view.controls
    c["name"].value = "Attended first appointment"
    c["kind"].value = "process"
    c["definition"].value = "Share of first appointments attended"
    c["groups"].value = "Black African, White British"
    c["add"].click()
    m = disk(path).measures[-1]
    assert (m.name, m.kind, m.stratified_by) == ("Attended first appointment", "process", ["Black African", "White British"])
    assert c["measure"].value == m.id
    c["period"].value = date(2025, 7, 1)
    c["group"].value = "Black African"
    c["numerator"].value = "30"
    c["denominator"].value = "45"
    c["add_period"].click()
    point = disk(path).measure(m.id).data[0]
    assert (point.period, point.group, point.numerator, point.denominator) == (date(2025, 7, 1), "Black African", 30, 45)
    assert "66.67" in c["table"].value
    c["numerator"].value = "50"
    c["denominator"].value = "45"
    c["add_period"].click()
    assert "between zero and the denominator" in view.message.value
    assert disk(path).measure(m.id).data[0].numerator == 30


def test_pdsa_form_starts_and_fills_a_cycle(path):
    view = form("pdsa", path, wait=0)
    c = view.controls
    first = disk(path).pdsa[0]
    assert c["cycle_choice"].value == first.id and c["objective"].value == first.objective
    c["new"].click()
    p = disk(path)
    assert len(p.pdsa) == 2 and p.pdsa[1].cycle == 2 and p.pdsa[1].change_idea == first.change_idea
    assert c["cycle_choice"].value == p.pdsa[1].id
    c["objective"].value = "Do evening calls reach more people?"
    c["predictions"].value = "Two in three reached"
    c["plan.who"].value = "Peer worker"
    c["what_happened"].value = "12 of 15 reached"
    c["act"].value = "adopt"
    c["end"].value = date(2025, 6, 14)
    cycle = disk(path).pdsa[1]
    assert (cycle.objective, cycle.predictions, cycle.plan.who, cycle.what_happened, cycle.act, cycle.end) == (
        "Do evening calls reach more people?", "Two in three reached", "Peer worker", "12 of 15 reached", "adopt",
        date(2025, 6, 14))
    assert disk(path).pdsa[0] == first


def test_progress_form_starts_not_scored_and_can_go_back_to_it(tmp_path):
    view = form("progress", tmp_path / "new.yaml", wait=0)
    score = view.controls["progress_score"]
    assert score.index == 0 and score.label == "(not scored yet)"  # chosen, so the arrow keys move from it
    score.index = 1
    assert disk(tmp_path / "new.yaml").progress_score == 0.5
    score.index = 0
    assert disk(tmp_path / "new.yaml").progress_score is None


def test_progress_form(path):
    view = form("progress", path, wait=0)
    assert view.controls["progress_score"].value == 2.0
    view.controls["progress_score"].value = 2.5
    view.controls["next_steps"].value = "Test evening calls\nReview the team"
    p = disk(path)
    assert p.progress_score == 2.5 and p.progress_stage == "Changes tested, but no improvement"
    assert p.next_steps == ["Test evening calls", "Review the team"]


def test_two_forms_open_on_one_file_keep_each_others_answers(path):
    aim = form("aim", path, wait=0)
    breakout = form("breakout", path, wait=0)
    aim.controls["target"].value = "0.5"
    breakout.controls["topic"].value = "Changed in the other form"
    p = disk(path)
    assert p.aim.target == 0.5 and p.topic == "Changed in the other form"
    assert breakout.project.aim.target == 0.5  # merged back into the open form's project


def test_every_form_class_opens_by_its_name_under_its_own_heading(path):
    defined = {c for c in vars(forms_module).values()
               if isinstance(c, type) and issubclass(c, ProjectForm) and c is not ProjectForm}
    assert set(FORMS.values()) == defined  # a new form class cannot be left out of form()
    headings = []
    for name, cls in FORMS.items():
        view = form(name, path, wait=0)
        assert type(view) is cls
        style, title = view.children[:2]
        assert isinstance(style, w.HTML) and style.value.startswith("<style>")
        assert isinstance(title, w.HTML) and title.value == f"<h2>{FORM_TITLES[name]}</h2>"
        headings.append(FORM_TITLES[name])
    assert len(set(headings)) == len(headings)  # the browser tests find each form by its heading


def test_an_identical_driver_box_is_refused_in_words(path):
    view = form("driver_diagram", path, wait=0)
    c = view.controls
    existing = next(n for n in disk(path).drivers.nodes if n.kind == "primary")
    before = len(disk(path).drivers.nodes)
    c["kind"].value = "primary"
    c["text"].value = "  " + existing.text.upper() + ". "  # the same words, shouted, with a full stop
    c["add"].click()
    assert len(disk(path).drivers.nodes) == before
    assert 'role="alert"' in view.message.value and "There is already a primary driver box" in view.message.value
    assert c["text"].value.strip()  # the text stays, so it can be changed
    c["kind"].value = "secondary"  # the same words as a secondary driver are a different box
    c["add"].click()
    assert len(disk(path).drivers.nodes) == before + 1


def test_a_save_that_fails_is_shown_in_words(path):
    view = form("breakout", path, wait=0)
    path.write_text("title: [broken by hand\n", encoding="utf-8")  # as if someone edited the file badly
    view.controls["topic"].value = "Access for carers"
    assert view.status.value == "Not saved: see the message above"
    assert 'role="alert"' in view.message.value and "Not saved" in view.message.value
    assert "Traceback" not in view.message.value
    shutil.copy(EXAMPLE, path)  # mended: "Save now" tries again, and the message goes
    view.save()
    assert disk(path).topic == "Access for carers" and view.status.value.startswith("Saved ")
    assert view.message.value == ""


@pytest.mark.parametrize("name", FORM_NAMES)
def test_each_form_has_its_heading_then_only_subheadings(path, name):
    """Under the page's h1, a form is an h2 with h3s inside: no level is skipped (WCAG 1.3.1)."""
    import re

    view = form(name, path, wait=0)
    html = []
    stack = list(view.children)
    while stack:
        control = stack.pop(0)
        if isinstance(control, (w.HBox, w.VBox)):
            stack = list(control.children) + stack
        elif isinstance(control, w.HTML):
            html.append(control.value)
    levels = [int(x) for x in re.findall(r"<h([1-6])\b", "".join(html))]
    assert levels[0] == 2 and levels.count(2) == 1 and set(levels) <= {2, 3}, levels
