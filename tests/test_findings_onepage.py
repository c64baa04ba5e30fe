"""Project on a page, the Life QI export and the `equitylab project` command."""
import json
import re
import subprocess
import sys
from datetime import date
from html import escape
from pathlib import Path

import pytest

from equitylab.cli.project import main
from equitylab.findings import onepage
from equitylab.workbook import Measure, Project

EXAMPLE = Path(__file__).parent / "fixtures" / "projects" / "example_project.yaml"


@pytest.fixture
def project():
    p = Project.load(EXAMPLE)
    p.members[1].name = "Jo Carer"  # a carer who has not agreed to be named
    p.heard[0].consent = False
    p.measures[1].add_period(__import__("datetime").date(2025, 5, 1), numerator=5, denominator=40)
    return p


def test_page_respects_naming_consent_quote_consent_and_small_numbers(project):
    team = onepage.to_html(project, audience="team", charts=False)
    public = onepage.to_html(project, audience="publish", charts=False)
    for page in (team, public):
        assert "Jo Carer" not in page and "Amara (service user)" in page
        assert "Rung 4 of 7, consultation" in page and "Reduce the gap in referrals" in page
        assert "<script" not in page and "@page{size:A4 portrait" in page
    assert "Small numbers: do not share" in team and "<td>5</td>" in team
    assert "Small numbers" not in public and "<td>*</td>" in public
    assert "I only got help" in team and "I only got help" not in public
    assert "Synthetic teaching data" in team


def test_page_includes_run_charts_when_spc_is_available(project):
    html = onepage.to_html(project, audience="publish")
    assert html.count("<svg") == 1  # the driver diagram
    assert html.count("<img src='data:image/svg+xml;base64,") >= 1  # a run chart, as an image with its words
    assert "could not be drawn" not in html


def _headings(html: str) -> list[tuple[str, str]]:
    """Each h2 and what follows it up to the next h2 (or the end)."""
    parts = re.split(r"<h2>(.*?)</h2>", html)
    return list(zip(parts[1::2], parts[2::2]))


def test_page_holds_everything_the_team_wrote_for_sharing(project):
    html = onepage.to_html(project, audience="publish", charts=False)
    p = project
    for text in (p.title, p.team, p.topic, p.why_it_matters, *p.barriers, *p.enablers, "Amara (service user)",
                 "Rung 4 of 7", p.aim.sentence(), *[n.text for n in p.drivers.nodes], *[m.name for m in p.measures],
                 p.pdsa[0].objective, p.pdsa[0].learned, *[q.text for q in p.heard if q.consent], *p.next_steps,
                 p.best_chance.diverse_team.where_we_are, p.data_plan[0].what):
        assert escape(text) in html, text
    headings = [h for h, _ in _headings(html)]
    assert headings == ["Our topic", "What helps and what gets in the way", "Our team",
                        "Giving our work the best chance", "Our aim", "The data we are gathering", "Measures",
                        "PDSA cycles", "What we heard", "Next steps", "Driver diagram"]
    assert "lang='en-GB'" in html


def test_an_empty_section_is_left_out_not_printed_as_a_heading():
    p = Project.new(title="Just started", team="Ward 3")
    p.topic = "Waiting times for interpreters"
    html = onepage.to_html(p, audience="publish")
    assert [h for h, _ in _headings(html)] == ["Our topic"]
    for heading, body in _headings(onepage.to_html(Project.load(EXAMPLE), audience="publish", charts=False)):
        assert re.sub(r"<[^>]+>|\s", "", body), f"{heading} is empty"


def test_published_run_chart_rests_on_no_hidden_count():
    """One month's numerator is 5 (1 to 7: hidden). The published chart leaves that point out and
    draws the median from the four points shown: median(25, 30, 35, 40) = 32.5 per cent; with the
    hidden 12.5 in it the median would be 30."""
    m = Measure(name="Seen within 2 weeks", unit="%")
    for month, seen in zip(range(1, 6), (10, 12, 5, 14, 16)):
        m.add_period(date(2026, month, 1), numerator=seen, denominator=40)
    svg, caption, alt = onepage._chart(m, "publish")
    assert "Median 32.5" in svg and "Median 30" not in svg
    assert ">Per cent<" in svg and "numerator" not in svg and "denominator" not in svg
    assert "1 point(s) left out" in caption and alt
    team_svg, _, _ = onepage._chart(m, "team")
    assert "Median 30" in team_svg  # the team's own view draws every point
    points = re.compile(r'<path transform="translate\([^)]*\)" d="M3\.708')  # one circle a point
    assert len(points.findall(team_svg)) - len(points.findall(svg)) == 1


def test_pdf_without_a_browser_says_what_to_do_without_a_traceback(tmp_path, monkeypatch, capsys):
    pytest.importorskip("playwright")
    from equitylab import pdf

    monkeypatch.delenv("EQUITYLAB_CHROMIUM", raising=False)
    monkeypatch.setattr(pdf, "BROWSERS", ())
    monkeypatch.setattr(pdf, "CHANNELS", ())
    assert main(["export", str(EXAMPLE), "--format", "pdf", "--out", str(tmp_path / "page.pdf")]) == 2
    err = capsys.readouterr().err
    assert "No PDF was written" in err and "print it to PDF" in err and "Traceback" not in err
    assert not (tmp_path / "page.pdf").exists()


def test_lifeqi_export_has_the_platform_sections(project, tmp_path):
    data = json.loads(onepage.save(project, tmp_path / "x.json").read_text())
    assert list(data) == ["General", "Team members", "Aim", "Driver diagram", "Measures", "PDSA cycles", "Equity work"]
    assert data["General"]["Progress score"] == 2.0 and data["General"]["Progress stage"] == "Activity, but no changes"
    assert {"Name": "Carer", "Role": "carer"} in data["Team members"]
    assert data["PDSA cycles"][0]["Act"] == "adapt"
    assert data["Aim"]["By when"] == "2027-03-31"
    assert len(data["Driver diagram"]["Change ideas"]) == 16
    assert all(q["Quote"] != project.heard[0].text for q in data["Equity work"]["What we heard"])
    csv_text = onepage.save(project, tmp_path / "x.csv").read_text()
    assert csv_text.startswith("section,field,value") and "Aim,Target,1.0" in csv_text
    assert "## PDSA cycles" in onepage.save(project, tmp_path / "x.md").read_text()


def test_cli_new_show_export_restore(tmp_path, capsys):
    out = tmp_path / "p.yaml"
    assert main(["new", "--title", "Talking therapies", "--team", "Riverside", "--out", str(out)]) == 0
    assert Project.load(out).title == "Talking therapies"
    assert main(["new", "--title", "Again", "--out", str(out)]) == 2
    assert main(["show", str(EXAMPLE)]) == 0
    shown = capsys.readouterr().out
    assert "Driver diagram: 4 primary, 10 secondary drivers, 16 change ideas" in shown
    assert "Co-production: rung 4 of 7 (consultation), aiming for co-production" in shown
    assert main(["export", str(EXAMPLE), "--format", "svg", "--out", str(tmp_path / "d.svg")]) == 0
    assert (tmp_path / "d.svg").read_text().startswith("<svg")
    assert main(["export", str(EXAMPLE), "--format", "lifeqi", "--out", str(tmp_path / "l.json")]) == 0
    p = Project.load(out)
    p.topic = "second version"
    p.save(out)
    assert main(["restore", str(out), "--list"]) == 0
    assert len([x for x in capsys.readouterr().out.splitlines() if x.strip()[:1].isdigit()]) == 2
    assert main(["restore", str(out), "--backup", "1"]) == 0
    assert Project.load(out).topic == ""


def test_broken_file_gives_its_message_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: Our project\nteam: [Riverside\nmembers: []\n")
    run = subprocess.run([sys.executable, "-m", "equitylab", "project", "show", str(bad)],
                         check=False, capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "not valid YAML" in run.stderr and "line " in run.stderr


def test_cli_new_checks_the_area_code_as_the_report_does(tmp_path, capsys):
    from equitylab.cli import main as equitylab

    assert equitylab(["report", "--area", "E99999999", "--out", str(tmp_path / "r")]) == 2
    report = capsys.readouterr().err.split(":", 1)[1].strip()
    assert equitylab(["project", "new", "--title", "T", "--area", "E99999999", "--out", str(tmp_path / "p.yaml")]) == 2
    project = capsys.readouterr().err.split(":", 1)[1].strip()
    assert project == report and "E99999999" in project and "Traceback" not in project
    assert not (tmp_path / "p.yaml").exists()
    assert main(["new", "--title", "T", "--area", "e09000012", "--out", str(tmp_path / "p.yaml")]) == 0
    assert Project.load(tmp_path / "p.yaml").area_code == "E09000012"  # Hackney, tidied to upper case


def test_cli_show_lists_each_thing_to_check(tmp_path, capsys):
    from datetime import date

    from equitylab.cli.project import summary

    p = Project.new(title="Small team")
    p.add_member("nurse")
    p.add_member("manager")
    p.aim.what, p.aim.group, p.aim.baseline, p.aim.target = "waiting time", "Roma families", 10, 10
    p.aim.by_when, p.aim.where = date(2027, 3, 31), "Leeds"
    text = summary(p, today=date(2026, 12, 2))
    # two members, no lived experience, no coach, no sponsor (the manager decides): ELFT's team checks
    assert "Team members: 2 (4 things to check)" in text
    checks = [line for line in text.splitlines() if line.startswith("  - to check:")]
    assert any("lived experience" in c for c in checks) and any("No QI coach" in c for c in checks)
    assert any("No sponsor" in c for c in checks) and any("5 to 8" in c for c in checks)
    assert any("same as the baseline" in c for c in checks)
    assert len(checks) == 5


def test_a_run_chart_calls_a_signal_improvement_or_concern_only_when_the_team_says_which_way_is_better():
    """Six points above the median, then six below: each run is a shift of 6 (IHI run-chart rules, Provost
    and Murray 2011). Lower is better: the later run is an improvement and the earlier a concern. With no
    direction stated, neither is called improvement nor concern, and the page says so."""
    m = Measure(name="Days to first contact", unit="days")
    for month, days in zip(range(1, 13), (30, 32, 31, 33, 30, 32, 20, 21, 19, 20, 22, 21)):
        m.add_period(date(2026, month, 1), value=days)
    svg, _, alt = onepage._chart(m, "team")
    assert ">Special cause<" in svg and "Improvement" not in svg and "Concern" not in svg
    assert "neither improvement nor concern" in alt
    assert ">Days<" in svg and ">value<" not in svg  # the axis in words with its unit, not the column's name
    assert "No direction stated." in onepage._measure(m, "team", charts=False)
    m.improvement = "decrease"
    svg, _, alt = onepage._chart(m, "team")
    assert "Improvement" in svg and "Concern" in svg and "no direction stated" not in svg
    assert "Lower is better." in onepage._measure(m, "team", charts=False)
