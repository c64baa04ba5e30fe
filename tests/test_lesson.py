"""The notebooks' facade: project file created outside the repository, errors shown as plain words."""
from pathlib import Path

import pytest

from equitylab import lesson
from equitylab.errors import DataError


def test_session_creates_the_project_file_in_the_learners_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITYLAB_HOME", str(tmp_path / "home"))
    s = lesson.Session("", "E09000012", "")
    assert s.project_path == tmp_path / "home" / "project.yaml"
    assert s.project_path.exists()
    assert s.project.area_code == "E09000012"
    assert not str(s.project_path).startswith(str(Path(lesson.__file__).parents[1]))


def test_existing_answers_are_kept(tmp_path):
    from equitylab.workbook import Project

    path = tmp_path / "team.yaml"
    Project.new(title="Waiting times for Black African men", area_code="E08000003").save(path)
    s = lesson.Session(str(path), "E08000003", "")
    assert s.project.title == "Waiting times for Black African men"


def test_an_unknown_area_stops_the_session_with_a_message(tmp_path, capsys):
    with pytest.raises(SystemExit, match="E09999999"):
        lesson.start(str(tmp_path / "p.yaml"), "E09999999", "")


def test_equitylab_errors_become_plain_messages(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(lesson, "_md", shown.append)
    s = lesson.Session(str(tmp_path / "p.yaml"), "E09000012", "")

    def broken(*args, **kwargs):
        raise DataError("Ethnicity code not recognised", file="extract.csv", column="ethnicity", rows=[4])

    monkeypatch.setattr(lesson.findings, "ethnic_mix", broken)
    assert s.ethnic_mix() is None
    assert shown and "could not run" in shown[0] and "extract.csv" in shown[0] and "row 4" in shown[0]


def test_an_unexpected_error_reaches_the_learner_without_its_name_or_code(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(lesson, "_md", shown.append)
    monkeypatch.delenv("EQUITYLAB_STRICT", raising=False)
    s = lesson.Session(str(tmp_path / "p.yaml"), "E09000012", "")

    def broken(*args, **kwargs):
        raise KeyError("readmitted")

    monkeypatch.setattr(lesson.findings, "ethnic_mix", broken)
    assert s.ethnic_mix() is None
    assert shown and "could not run" in shown[0] and "saved answers are safe" in shown[0]
    assert "KeyError" not in shown[0] and "readmitted" not in shown[0]


def test_what_reading_the_extract_warns_of_is_a_plain_note_once(tmp_path, monkeypatch):
    """Rows left out and identifying columns dropped are told to the learner in words, once, never as a
    Python warning with a file name and a line of code (as notebook 03 showed for an extract with bad rows)."""
    import sys
    import warnings

    sys.path.insert(0, str(Path(__file__).parent))
    from nhs_extract import nhs_extract

    path, _ = nhs_extract(tmp_path)
    shown = []
    monkeypatch.setattr(lesson, "_md", shown.append)
    s = lesson.Session(project_file=str(tmp_path / "p.yaml"), service_data=str(path), bad_rows="exclude")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning escaping to the notebook fails the test
        assert len(s.service) == 24 - 8
        s.service  # noqa: B018 - read once: the notes are not shown again
    notes = [m for m in shown if m.startswith("> **Note on your data.**")]
    assert len(notes) == 2, shown
    assert "8 of 24 rows were left out" in notes[0] and "NHS Number" in notes[1]
    assert not any(".py" in m or "attrs" in m or "Warning" in m for m in notes)
