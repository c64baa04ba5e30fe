"""The attacker on a project's published measure data (issue 16): the Life QI export (JSON, CSV,
Markdown) and the project on a page, under the default ``audience="publish"``, each read as a
determined reader would (tests/project_reader.py). No count hidden for being 1 to 7 may be left fewer
than six possible values."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from equitylab.findings import onepage
from equitylab.workbook import Measure, Project, sharing
from equitylab.workbook.lifeqi import lifeqi_csv, lifeqi_export, lifeqi_markdown

import project_reader as read
from joint import too_narrow

EXAMPLE = Path(__file__).parent / "fixtures" / "projects" / "example_project.yaml"
# (Black, White) seen within two weeks of referral, each month; the "All" row is their sum
BY_GROUP = [((3, 30), (12, 40)), ((8, 30), (15, 45)), ((10, 32), (6, 41)), ((11, 35), (16, 44)),
            ((5, 9), (16, 44)), ((12, 30), (14, 40))]
ALONE = [(12, 40), (15, 45), (3, 30), (14, 40), (16, 40), (2, 5)]


def _project() -> Project:
    p = Project.load(EXAMPLE)
    by_group = Measure(name="Seen within 2 weeks, by ethnic group", unit="%", stratified_by=["Black", "White"])
    for month, ((bx, bn), (wx, wn)) in enumerate(BY_GROUP, 1):
        by_group.add_period(date(2026, month, 1), "Black", numerator=bx, denominator=bn)
        by_group.add_period(date(2026, month, 1), "White", numerator=wx, denominator=wn)
        by_group.add_period(date(2026, month, 1), "All", numerator=bx + wx, denominator=bn + wn)
    alone = Measure(name="Letters in the person's language", unit="%")
    for month, (x, n) in enumerate(ALONE, 1):
        alone.add_period(date(2026, month, 1), numerator=x, denominator=n)
    p.measures = [by_group, alone]
    return p


def _exports(project: Project, audience: str = "publish") -> dict:
    """Every export of the project's measure data, with its defaults unless ``audience`` is given."""
    kw = {} if audience == "publish" else {"audience": audience}
    return {"Life QI JSON": read.from_json(lifeqi_export(project, **kw)),
            "Life QI CSV": read.from_csv(lifeqi_csv(project, **kw)),
            "Life QI Markdown": read.from_markdown(lifeqi_markdown(project, **kw)),
            "project on a page": read.from_page(onepage.to_html(project, audience=audience))}


@pytest.fixture(scope="module")
def project():
    return _project()


def _truth(project):
    return [[(p.numerator, p.denominator) for p in m.data] for m in project.measures]


def test_every_export_shows_the_same_points(project):
    exports = _exports(project)
    rows = exports["Life QI JSON"]
    assert [len(m) for m in rows] == [len(m.data) for m in project.measures]
    hidden = sum(r["note"] == read.HIDDEN for m in rows for r in m)
    assert hidden >= 5  # 3/30, 6/41, 5/9 and their complements; 3/30 and 2/5 alone
    for name, other in exports.items():
        assert [[(r["numerator"] is None, r["group"]) for r in m] for m in other] == \
               [[(r["numerator"] is None, r["group"]) for r in m] for m in rows], name


@pytest.mark.parametrize("export", ["Life QI JSON", "Life QI CSV", "Life QI Markdown", "project on a page"])
def test_published_measure_data_resists_the_attacker(project, export):
    rows = _exports(project)[export]
    _, ranges = read.attack(rows, [m.multiplier for m in project.measures], _truth(project))
    assert len(ranges) >= 5, "no hidden small count was attacked"
    assert too_narrow(ranges) == []


@pytest.mark.filterwarnings("ignore::equitylab.errors.SmallNumbersWarning")
def test_the_attacker_pins_the_team_view(project):
    """Control: the team's own view shows every count, and the attacker reads each back exactly."""
    rows = _exports(project, audience="team")["Life QI JSON"]
    _, ranges = read.attack(rows, [m.multiplier for m in project.measures], _truth(project), published=False)
    assert ranges and all(lo == hi for _, lo, hi in ranges)


def test_the_attacker_pins_a_point_left_without_its_complement(project, monkeypatch):
    """Control: with only the points resting on 1 to 7 hidden (no complementary point), the "All" row of
    January gives Black's 3 of 30 back by subtraction."""
    monkeypatch.setattr(sharing, "hidden_points", lambda m: {
        i for i, p in enumerate(m.data) if sharing._small(p.numerator) or sharing._small(p.denominator)})
    rows = _exports(project)["Life QI JSON"]
    _, ranges = read.attack(rows, [m.multiplier for m in project.measures], _truth(project))
    assert (0, "2026-01-01", "Black", "numerator") in {key for key, _, _ in too_narrow(ranges)}
