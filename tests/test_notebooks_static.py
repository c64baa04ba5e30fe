"""The curriculum notebooks as files: clean, in step with their sources, shaped as STYLE.md asks,
and written in plain English."""
import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from readability import reading_ease

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EXPECTED = ["00_start_here", "01_defining_equity", "02_building_the_team", "03_running_the_data_exercise",
            "04_drafting_the_aim_and_driver_diagram", "05_between_sessions"]
# Flesch Reading Ease 60 is the lower edge of "plain English" (Flesch 1948); facilitator notes and
# reference lists are not learner text and are left out.
READING_EASE_MIN = 60


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def markdown(nb):
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def test_the_curriculum_follows_the_session_in_order():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


def test_notebooks_are_built_from_their_sources():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_committed_without_outputs():
    every = sorted((ROOT / "notebooks").glob("*.ipynb"))
    result = subprocess.run([sys.executable, "-m", "nbstripout", "--verify", "--extra-keys",
                             "metadata.papermill cell.metadata.papermill", *map(str, every)],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"notebooks with outputs or metadata to strip: {result.stdout}"
    for path in every:
        for cell in load(path)["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_opening_parameters_and_closing(path):
    nb = load(path)
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith(f"# {path.stem[:2]} · ")
    assert "In this notebook you will" in first and "**Time:**" in first
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = code[0]
    assert params["metadata"].get("tags") == ["parameters"]
    tree = ast.parse("".join(params["source"]))
    names = []
    for node in tree.body:
        # typed literals only, so papermill --help-notebook documents them and nothing is derived
        assert isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant), ast.dump(node)
        names.append(node.target.id)
    assert names == ["project_file", "area_code", "service_data", "mapping", "bad_rows"]
    assert all("#" in line for line in "".join(params["source"]).splitlines()[1:])
    setup = code[1]
    assert setup["metadata"]["jupyter"]["source_hidden"] is True
    text = markdown(nb)
    assert "## Recap" in text and "What you saved" in text
    assert text.rstrip().split("### Facilitator notes")[-1] != text, "facilitator notes come last"
    last = "".join(nb["cells"][-1]["source"])
    assert "### Facilitator notes" in last


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_analysis_logic_in_notebooks(path):
    for cell in load(path)["cells"][2:]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        lines = [line for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
        assert len(lines) <= 3, f"{path.name}: a learner cell should be a short call to the library:\n{source}"
        assert "import pandas" not in source and "groupby" not in source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_learner_text_is_plain_english(path):
    text = markdown(load(path)).split("### Facilitator notes")[0].split("### Sources")[0]
    assert reading_ease(text) >= READING_EASE_MIN


def test_readability_score_can_fail():
    dense = ("Notwithstanding institutional heterogeneity, operationalisation of multidimensional "
             "epidemiological stratification necessitates methodological circumspection regarding "
             "confounding socioeconomic determinants.")
    assert reading_ease(dense) < READING_EASE_MIN
