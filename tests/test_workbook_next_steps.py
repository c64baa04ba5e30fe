"""Next steps between sessions follow the session's two lists and what the project file holds."""
from equitylab.workbook import PDSA, Project
from equitylab.workbook.model import Member
from equitylab.workbook.next_steps import next_steps, stage


def texts(project):
    return [s.step for s in next_steps(project)]


def test_a_new_project_is_just_starting_and_gets_the_starting_list():
    p = Project.new(title="Memory clinic access")
    assert stage(p) == "just starting"
    steps = " ".join(texts(p))
    assert "Create a representative team" in steps
    assert "Collect some data" in steps
    assert "coach" in steps and "sponsor" in steps
    assert "Finish your PDSA" not in steps


def test_a_team_under_way_is_asked_to_review_and_test():
    p = Project.new(title="Memory clinic access")
    p.members = [Member(role="service user"), Member(role="QI coach"), Member(role="sponsor"),
                 Member(role="clinician", decision_maker=True)]
    p.meeting_cadence = "30 minutes every fortnight"
    p.aim.statement = "Reduce the gap in missed first appointments between Black and White patients from 12% to 5% by March 2027"
    p.drivers.add("primary", "Reminders people can use")
    p.pdsa = [PDSA(change_idea="Text reminders in Turkish")]
    assert stage(p) == "under way"
    steps = " ".join(texts(p))
    assert "Review your team" in steps
    assert "Finish your PDSA cycle on 'Text reminders in Turkish'" in steps
    assert "Create a representative team" not in steps
    assert "speak to your improvement advisor to get support" not in steps.lower()
    p.pdsa[0].act = "adapt"
    assert "Finish your PDSA" not in " ".join(texts(p))
