"""The curriculum runs headless for two different areas, in order, against one fresh project file,
as an improvement advisor would run it with papermill."""
import json
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.notebooks, pytest.mark.slow]

AREAS = {"E09000012": "Hackney", "E08000003": "Manchester"}  # as tests/conftest.py runs them
# the learning session's order, as the README's curriculum table lists it
CURRICULUM = [
    "00_start_here.ipynb",
    "01_defining_equity.ipynb",
    "02_building_the_team.ipynb",
    "03_running_the_data_exercise.ipynb",
    "04_drafting_the_aim_and_driver_diagram.ipynb",
    "05_between_sessions.ipynb",
]


def outputs(path: Path) -> str:
    """All text and markdown the executed notebook shows (not its code)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    shown = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name}: {out.get('ename')}: {out.get('evalue')}"
            data = out.get("data", {})
            shown.append("".join(data.get("text/markdown", "")) + "".join(data.get("text/plain", "")))
            if out.get("output_type") == "stream":
                shown.append("".join(out.get("text", "")))
    return "\n".join(shown)


@pytest.fixture
def run(curriculum_run):
    """The curriculum run once per area for the whole session (tests/conftest.py), shared with
    tests/test_notebook_outputs.py."""
    return curriculum_run


def test_every_notebook_ran_in_order(run):
    area, out, records = run
    assert [r["notebook"] for r in records] == CURRICULUM
    for r in records:
        assert Path(r["output"]).exists()


def test_project_file_was_created_for_the_area(run):
    area, out, _ = run
    data = yaml.safe_load((out / "project.yaml").read_text(encoding="utf-8"))
    assert data["schema_version"] >= 1
    assert data["area_code"] == area


def test_notebooks_speak_of_the_chosen_area(run):
    area, out, _ = run
    name = AREAS[area]
    text01 = outputs(out / "01_defining_equity.ipynb")
    assert f"How deprived are {name}'s neighbourhoods?" in text01
    assert f"Who lives in {name}?" in text01
    if area == "E09000012":
        # PHE Local Authority Health Profile 2019 (Hackney), quoted
        assert "6.3 years lower for men" in text01
    else:
        assert "does not hold the gap in life expectancy inside Manchester" in text01
        assert "6.3 years" not in text01


def test_synthetic_data_is_labelled_where_shown(run):
    area, out, _ = run
    text03 = outputs(out / "03_running_the_data_exercise.ipynb")
    assert "SYNTHETIC teaching data" in text03


def test_next_steps_come_from_the_project_file(run):
    area, out, _ = run
    text05 = outputs(out / "05_between_sessions.ipynb")
    assert "just starting" in text05
    assert "Create a representative team" in text05
