"""Nothing a team typed runs when a file equitylab wrote is opened (OWASP CSV injection guidance)."""
from __future__ import annotations

import csv
import io
import zipfile

import pandas as pd
import pytest

from equitylab.safe import markdown_text, spreadsheet_frame, spreadsheet_text

RUNNABLE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", RUNNABLE)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("value", ["Black African", "a-b", "", 5, -3.5, None])
def test_other_values_are_left_alone(value):
    assert spreadsheet_text(value) == value


def test_frames_keep_numbers_and_protect_text_and_headers():
    frame = pd.DataFrame({"=group": ["=1+1", "White"], "value": [-4.5, 3.0]})
    out = spreadsheet_frame(frame)
    assert list(out.columns) == ["'=group", "value"]
    assert out["'=group"].tolist() == ["'=1+1", "White"] and out["value"].tolist() == [-4.5, 3.0]


def test_markdown_escapes_markup_and_script_links():
    text = markdown_text("<script>alert(1)</script> [x](javascript:alert(1))\nnext")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "javascript:" not in text.lower() and "\n" not in text


def test_measure_template_and_life_qi_exports_carry_no_live_formula(tmp_path):
    from equitylab.findings import onepage
    from equitylab.workbook import Measure, Project, measure_template

    project = Project.new(title="=HYPERLINK(\"http://evil\",\"click\")", team="@team")
    project.measures.append(Measure(name="=1+1", stratified_by=["-Black"]))
    xlsx = measure_template(tmp_path / "t.xlsx", project)
    with zipfile.ZipFile(xlsx) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "<f>" not in sheets and "=1+1" in strings  # the name is there, as text
    template_rows = list(csv.reader(io.StringIO(measure_template(tmp_path / "t.csv", project).read_text())))
    assert template_rows[1][:3] == ["'=1+1", "", "'-Black"]
    rows = list(csv.reader(io.StringIO(onepage.save(project, tmp_path / "x.csv").read_text())))
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    md = onepage.save(project, tmp_path / "x.md").read_text()
    assert "=HYPERLINK" in md and "<script" not in md
