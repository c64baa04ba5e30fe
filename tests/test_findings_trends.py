"""SPC findings for many groups: the Making Data Count summary table first, the improvement direction from
the measure's definition, and assurance only against the aim's target.

Expected verdicts follow Making Data Count's rules (NHS England, "Making data count: strengthening your
decisions", 2019): a point outside the p-chart's 3-sigma limits, p-bar +/- 3 sqrt(p-bar (1 - p-bar) / n)
(Montgomery, Introduction to Statistical Quality Control, 7th ed., 7.2), is special cause; whether it is an
improvement or a concern follows the measure's direction; a target beyond the limits on the good side is
passed consistently, beyond them on the bad side failed consistently, and between them hit and missed.
"""
import math

import pandas as pd
import pytest

from equitylab import findings
from equitylab.charts.icons import Icon
from equitylab.workbook import Project
from equitylab.workbook.aim import stated_target
from equitylab.workbook.model import Aim

MONTHS = pd.date_range("2023-04-01", periods=24, freq="MS")


def _service(last_white: int = 30) -> pd.DataFrame:
    """100 referrals a month for each of two groups; 'seen' of them within 28 days (10 days' wait), the rest
    after 40 days. White: 58 or 62 seen a month, then ``last_white`` in the last month; Asian: 48 or 52."""
    rows = []
    for i, month in enumerate(MONTHS):
        for group, seen in (("White", last_white if i == len(MONTHS) - 1 else 58 + 4 * (i % 2)),
                            ("Asian", 48 + 4 * (i % 2))):
            rows += [{"referral_date": month + pd.Timedelta(days=3), "ethnicity": group,
                      "waiting_days": 10 if k < seen else 40} for k in range(100)]
    return pd.DataFrame(rows)


def _limits(seen: list[int], n: int = 100) -> tuple[float, float, float]:
    p = sum(seen) / (n * len(seen))
    half = 3 * math.sqrt(p * (1 - p) / n)
    return 100 * (p - half), 100 * p, 100 * (p + half)


WHITE = [58 + 4 * (i % 2) for i in range(23)] + [30]


def test_summary_table_gives_each_groups_variation_icon_latest_value_and_centre():
    f = findings.over_time(_service(), by="ethnicity")
    table = f.table.set_index("group")
    lower, centre, _ = _limits(WHITE)
    assert 30 < lower  # the last White month lies below the lower limit
    # higher is better for being seen within 28 days (its definition), so a low point is a concern
    white = table.loc["White", "variation"]
    assert isinstance(white, Icon) and str(white) == "special cause \u2013 concern, lower values"
    assert white.letter == "L"
    assert str(table.loc["Asian", "variation"]) == "common cause \u2013 no significant change"
    assert table.loc["White", "latest (%)"] == 30
    assert table.loc["White", "mean (%)"] == pytest.approx(centre, abs=0.05)
    assert "assurance" not in table  # no target: no assurance icon and no empty column
    assert "special cause \u2013 concern, lower values" in f.text


def test_summary_table_comes_before_the_small_multiples_in_the_report_and_the_notebook(monkeypatch):
    f = findings.over_time(_service(), by="ethnicity")
    page = f.html()
    assert page.index("<table") < page.index("<figure")
    assert page.count("<table") == 1
    # the icon is drawn inline (no image fetched), hidden from screen readers, with its words beside it
    assert "<svg" in page and "aria-hidden='true'" in page and "http://www.w3.org/2000/svg" in page
    assert "src='http" not in page and 'src="http' not in page
    shown = []
    monkeypatch.setattr("equitylab.findings.finding.display", lambda obj, *a, **k: shown.append(obj))
    f.display()
    kinds = [type(o).__name__ for o in shown]
    table_at = next(i for i, o in enumerate(shown) if "<table" in str(getattr(o, "data", "")))
    chart_at = next(i for i, k in enumerate(kinds) if k not in ("Markdown", "HTML"))
    assert table_at < chart_at


@pytest.mark.parametrize("target, words", [(80, "consistently misses the target"),
                                           (55, "hits and misses the target"),
                                           (30, "consistently hits the target")])
def test_assurance_follows_where_the_target_lies_against_the_limits(target, words):
    lower, _, upper = _limits(WHITE)
    assert upper < 80 and lower < 55 < upper and 30 < lower
    f = findings.over_time(_service(), by="ethnicity", target={"White": target})
    table = f.table.set_index("group")
    assert str(table.loc["White", "assurance"]) == words
    assert table.loc["Asian", "assurance"] is None  # the aim sets no target for Asian referrals
    assert table.loc["White", "target (%)"] == target


def test_aim_target_reads_the_teams_aim_for_this_measure_only():
    level = Aim(what="the share of referrals seen within 28 days", group="Black", baseline=40, target=60, unit="%")
    assert findings.aim_target(Project(aim=level)) == {"Black": 60}
    assert findings.aim_target(Project(aim=Aim(what="referrals seen within 28 days", baseline=40, target=60,
                                               unit="%"))) == 60
    # a gap between two groups is no level for either
    gap = Aim(what="referrals seen within 28 days", group="Black", comparison_group="White", baseline=12, target=5)
    assert findings.aim_target(Project(aim=gap)) is None
    # an aim about another measure, or none at all
    other = Aim(what="missed appointments", group="Black", baseline=20, target=10, unit="%")
    assert findings.aim_target(Project(aim=other)) is None
    assert findings.aim_target("") is None
    sentence = ("Increase the share of Black residents' referrals seen within 28 days from 40% to 60% "
                "by 31 March 2027.")
    assert findings.aim_target(Project(aim=Aim(statement=sentence))) == 60
    assert stated_target("Reduce the gap in waits between Black and White residents from 12% to 5% by 2027") is None


def test_a_measure_with_no_stated_direction_calls_a_signal_neither_improvement_nor_concern():
    from equitylab.spc import control_chart

    data = pd.DataFrame({"month": MONTHS, "seen": WHITE, "referrals": 100})
    result = control_chart(data, x="month", y="seen", n="referrals", chart="p", multiplier=100,
                           improvement="neutral")
    text = result.describe()
    assert "special cause \u2013 lower values (no direction stated)" in text.lower()
    assert "neither improvement nor concern" in text and "concern, lower" not in text


def test_icons_carry_a_white_letter_at_4_5_to_1_and_read_without_colour():
    import visual  # tests/visual.py: WCAG 2.2 relative luminance and contrast

    from equitylab.charts.icons import SHADE, assurance_icon, variation_icon

    for kind, colour in SHADE.items():
        rgb = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
        assert visual.contrast(rgb) >= 4.5, kind  # white on the circle (WCAG 1.4.3)
    # in grey, the letter and the words still tell the verdicts apart
    letters = {v: variation_icon(v, "").letter for v in ("common_cause", "concern_low", "improvement_high")}
    assert letters == {"common_cause": "~", "concern_low": "L", "improvement_high": "H"}
    assert [assurance_icon(a, "").letter for a in ("pass", "fail", "inconsistent")] == ["P", "F", "?"]


def test_a_group_with_fewer_than_15_months_gets_a_run_chart_and_the_others_keep_theirs():
    """Issue 18: control limits need a baseline of 15 points; a group that has only 10 months of data gets a
    run chart (median of its own 10 values), while the groups with 24 keep their control charts and verdicts."""
    service = _service()
    dates = pd.to_datetime(service["referral_date"])
    service = service[~((service["ethnicity"] == "Asian") & (dates < MONTHS[14]))]  # Asian: the last 10 months
    f = findings.over_time(service, by="ethnicity")
    assert f.title.startswith("SPC and run charts") and len(f.charts) == 2
    rows = f.table.set_index("group")
    assert rows.loc["White", "chart"] == "control chart (mean)"
    assert str(rows.loc["White", "variation"]).startswith("special cause")  # the last month's 30% is below its limit
    assert rows.loc["Asian", "chart"] == "run chart (median)"
    assert rows.loc["Asian", "centre (%)"] == 50.0  # median of five 48s and five 52s
    assert "fewer than 15 months of data get a run chart" in f.text
    full = findings.over_time(_service(), by="ethnicity")
    assert full.title.startswith("SPC chart") and len(full.charts) == 1  # 24 months each: one control chart
