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


def test_files_that_leave_the_team_hide_small_counts_by_default(tmp_path):
    """Life QI exports blank a point resting on 1 to 7, and one more in its period, so the All row
    minus the other group cannot give it back."""
    import datetime as dt
    import inspect
    import json

    from equitylab.findings import onepage
    from equitylab.workbook import Measure, Project
    from equitylab.workbook.lifeqi import lifeqi_csv, lifeqi_export, lifeqi_markdown

    for writer in (onepage.save, lifeqi_export, lifeqi_csv, lifeqi_markdown):
        assert inspect.signature(writer).parameters["audience"].default == "publish", writer.__name__
    project = Project.new(title="Waits")
    m = Measure(name="seen in 28 days", stratified_by=["Black", "White"])
    day = dt.date(2025, 4, 1)
    m.add_period(day, numerator=33, denominator=100, group="All")
    m.add_period(day, numerator=3, denominator=30, group="Black")
    m.add_period(day, numerator=30, denominator=70, group="White")
    project.measures.append(m)
    data = json.loads(onepage.save(project, tmp_path / "x.json").read_text())["Measures"][0]["Data"]
    shown = {d["Group"]: d["Numerator"] for d in data}
    assert shown["Black"] is None and shown["White"] is None and shown["All"] == 33
    team = lifeqi_export(project, "team")["Measures"][0]["Data"]
    assert {d["Group"]: d["Numerator"] for d in team} == {"All": 33, "Black": 3, "White": 30}
