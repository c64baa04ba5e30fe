"""Behaviour of run_chart, control_chart, gap_chart and aggregate: options, warnings, errors, charts."""

import subprocess
import sys
import warnings
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import provenance
from equitylab.errors import DataError, SmallNumbersWarning
from equitylab.spc import (
    SmallDenominatorWarning,
    TrialLimitsWarning,
    aggregate,
    control_chart,
    gap_chart,
    run_chart,
)
from equitylab.workbook.model import PDSA, Project


def _weekly(groups=("A", "B"), weeks=30, seed=1, p=0.3, n=(40, 80)):
    rng = np.random.default_rng(seed)
    rows = []
    for g in groups:
        for w in range(weeks):
            size = int(rng.integers(*n))
            rows.append(
                (g, pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=w), int(rng.binomial(size, p)), size)
            )
    df = pd.DataFrame(rows, columns=["ethnicity", "week", "seen", "referred"])
    return provenance.stamp(df, source="synthetic", synthetic=True, description="test extract")


def test_phases_recompute_limits_and_freeze_sets_the_baseline():
    y = [10, 12, 11, 9, 10, 11, 12, 10, 9, 11, 10, 12, 20, 22, 21, 19, 20, 21, 22, 20, 19, 21, 20, 22]
    data = pd.DataFrame({"x": range(24), "y": y})
    res = control_chart(data, x="x", y="y", phases=[12], freeze=6)
    s = res.summary
    assert s["phase"].tolist() == [1, 2]
    assert s["centre"].tolist() == pytest.approx([np.mean(y[:6]), np.mean(y[12:18])])
    assert res.points["baseline"].tolist() == ([True] * 6 + [False] * 6) * 2
    assert s["trial_limits"].all()  # 6 points set the limits
    assert "Centre and limits from the first 6 points" in res.caption()


def test_exclude_leaves_a_point_out_of_limits_and_runs_but_still_checks_it():
    y = [5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 40, 5, 6, 5]
    data = pd.DataFrame({"x": range(16), "y": y})
    res = control_chart(data, x="x", y="y", exclude=[12], chart="i")
    assert res.summary["centre"][0] == pytest.approx(np.mean([v for i, v in enumerate(y) if i != 12]))
    assert res.points["excluded"].tolist()[12] and res.points["sigma_signal"][12]
    assert res.summary["n_useful"][0] == 15
    with pytest.raises(DataError, match="exclude"):
        control_chart(data, x="x", y="y", exclude=[99])


def test_never_rebases_automatically():
    y = [1.0] * 5 + [2.0, 1.5] * 5 + [9.0, 9.5] * 10
    res = control_chart(pd.DataFrame({"x": range(len(y)), "y": y}), x="x", y="y")
    assert res.summary["phase"].tolist() == [1]
    assert res.points["signal"].sum() > 10


def test_trial_limit_and_small_denominator_warnings():
    data = pd.DataFrame({"x": range(8), "y": [1, 0, 2, 1, 0, 1, 1, 0], "n": [6, 5, 7, 6, 5, 8, 6, 5]})
    with pytest.warns(TrialLimitsWarning, match="trial limits"):
        with pytest.warns(SmallDenominatorWarning, match="longer periods"):
            with pytest.warns(SmallNumbersWarning):
                res = control_chart(data, x="x", y="y", n="n", chart="p")
    assert any("trial limits" in w for w in res.warnings)
    assert any("longer periods" in w for w in res.warnings)


def test_bad_input_gives_plain_data_errors():
    data = pd.DataFrame({"x": range(4), "y": [1, 2, 9, 1], "n": [5, 5, 5, 5]})
    with pytest.raises(DataError, match="larger than the denominator") as err:
        control_chart(data, x="x", y="y", n="n", chart="p")
    assert err.value.rows == [3] and err.value.column == "y"
    with pytest.raises(DataError, match="needs a column named 'count'"):
        control_chart(data, x="x", y="count")
    with pytest.raises(DataError, match="chart must be one of"):
        control_chart(data, x="x", y="y", chart="xbar")
    with pytest.raises(DataError, match="needs a denominator"):
        control_chart(data, x="x", y="y", chart="p")
    with pytest.raises(DataError, match="Making Data Count rules need control limits"):
        run_chart(data, x="x", y="y", rules="mdc")
    with pytest.raises(DataError, match="must hold numbers"):
        control_chart(data.assign(y=["1", "<5", "2", "3"]), x="x", y="y")


def test_a_period_with_a_denominator_of_zero_is_named_not_misdescribed_or_dropped_silently():
    """Issue 21: n = 0 with x > 0 said "count larger than denominator"; x = 0, n = 0 vanished unnoted."""
    data = pd.DataFrame({"x": range(14), "y": [3, 4, 2, 5, 4, 3, 4, 5, 3, 4, 5, 4, 3, 4], "n": [20] * 14})
    with pytest.raises(DataError, match="the denominator 'n' is 0 where the count 'y' is above 0") as err:
        control_chart(data.assign(n=[20, 20, 0] + [20] * 11), x="x", y="y", n="n", chart="p")
    assert err.value.rows == [3] and err.value.column == "n"
    empty = data.assign(y=[3, 4, 0] + data["y"].tolist()[3:], n=[20, 20, 0] + [20] * 11)
    with pytest.warns(UserWarning, match=r"1 period\(s\) with a denominator of 0 \(x: 2\)"):
        res = control_chart(empty, x="x", y="y", n="n", chart="p")
    assert 2 not in res.points["x"].tolist() and len(res.points) == 13
    assert any("denominator of 0" in w for w in res.warnings)
    with pytest.warns(UserWarning, match="1 row\\(s\\) with no count or no denominator"):
        run_chart(data.assign(n=[20, None] + [20] * 12), x="x", y="y", n="n")


def test_stratified_chart_points_summary_provenance_and_caption():
    data = _weekly()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = control_chart(
            data,
            x="week",
            y="seen",
            n="referred",
            chart="p",
            by="ethnicity",
            phases=["2024-04-01"],
            multiplier=100,
            target=35,
        )
    p, s = res.points, res.summary
    for col in (
        "x",
        "y",
        "n",
        "phase",
        "group",
        "centre",
        "lower_limit",
        "upper_limit",
        "lower_2sigma",
        "upper_2sigma",
        "sigma_signal",
        "rule",
        "point_type",
    ):
        assert col in p.columns
    for col in (
        "centre",
        "lower_limit",
        "upper_limit",
        "n_useful",
        "longest_run",
        "longest_run_max",
        "crossings",
        "crossings_min",
        "runs_signal",
        "variation",
        "assurance",
    ):
        assert col in s.columns
    assert sorted(s["group"].unique()) == ["A", "B"] and set(s["phase"]) == {1, 2}
    # same phases for every group, y as a percentage of seen/referred
    assert p.groupby("group")["phase"].apply(lambda v: tuple(v)).nunique() == 1
    assert p["y"].iloc[0] == pytest.approx(100 * data["seen"][0] / data["referred"][0])
    assert s.loc[s["phase"] == 1, "assurance"].isna().all()  # assurance only for the latest phase
    assert s.loc[s["phase"] == 2, "assurance"].notna().all()
    assert provenance.is_synthetic(p) and provenance.is_synthetic(s)
    caption = res.caption()
    assert provenance.SYNTHETIC_LABEL in caption
    assert "Making Data Count rules" in caption and "Moving ranges" not in caption and "multiplied" not in caption


def test_chart_spec_has_caption_description_banner_and_hides_small_numbers_when_publishing():
    data = _weekly(groups=("A",), weeks=14, n=(3, 12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = control_chart(
            data,
            x="week",
            y="seen",
            n="referred",
            chart="xmr",
            annotations=[("2024-02-05", "PDSA 1: text reminders")],
        )
    team = res.chart().to_dict()
    assert team["title"]["subtitle"][0] == "SMALL NUMBERS: DO NOT SHARE (for the team only)"
    assert "Moving ranges not screened" in " ".join(team["title"]["subtitle"])
    assert team["description"] == res.describe() and "No sign of change (common cause variation only)." in team["description"]
    (rows,) = team["datasets"].values()
    assert any(r.get("note") == "PDSA 1: text reminders" for r in rows)
    small = int(res.points["small_number"].sum())
    assert small > 0
    published = res.chart(audience="publish").to_dict()
    prow = [r for rows in published.get("datasets", {}).values() for r in rows]
    shown = [r for r in prow if r["row"] == "point" and "y" in r]
    assert len(shown) == len(res.points) - small
    assert all("n" not in r for r in prow)
    if small == len(res.points):  # every point hidden: no line either, and the chart says why
        assert not any("centre" in r for r in prow)
        assert "Every point is hidden" in str(published)
    text = " ".join(published["title"]["subtitle"])
    assert f"{small} point(s) based on counts of 1 to 7 hidden" in text and "DO NOT SHARE" not in text
    with pytest.raises(DataError):
        res.chart(audience="everyone")


def test_describe_names_verdicts_in_words():
    y = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 14, 15, 14, 15, 14, 15, 14, 15]
    res = control_chart(
        pd.DataFrame({"x": range(20), "y": y}), x="x", y="y", freeze=12, improvement="decrease", target=5
    )
    text = res.describe()
    # Making Data Count's words: a special cause of concern in higher values, and a target below the lower
    # limit when lower is better, so the process will consistently miss it
    assert "Special cause \u2013 concern, higher values; latest mean 10; assurance: consistently misses the target." in text
    assert res.summary["variation"][0] == "concern_high"


def test_annotations_accept_tuples_dicts_and_pdsa_objects():
    cycle = SimpleNamespace(start=pd.Timestamp("2024-03-04"), title="PDSA 2")
    notes = [
        ("2024-02-05", "PDSA 1"),
        {"date": "2024-02-19", "label": "new form"},
        cycle,
        {"label": "no date"},
    ]
    res = run_chart(
        _weekly(groups=("A",)),
        x="week",
        y="seen",
        n="referred",
        annotations=notes,
        phases=[{"date": "2024-04-01", "label": "new pathway"}],
    )
    labels = [label for _, label in res.annotations]
    assert labels == ["PDSA 1", "new form", "PDSA 2", "new pathway"]
    assert res.summary["phase"].tolist() == [1, 2]


def test_aggregate_counts_per_week_with_empty_weeks_as_zero():
    rows = pd.DataFrame(
        {
            "referral_date": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-17", "2024-01-01"],
            "seen": [1, 0, 1, 1, 0],
            "ethnicity": ["A", "A", "B", "A", "B"],
        }
    )
    provenance.stamp(rows, source="synthetic", synthetic=True)
    out = aggregate(rows, date="referral_date", outcome="seen", by="ethnicity", freq="W")
    a = out[out["ethnicity"] == "A"]
    assert a["period"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-08", "2024-01-15"]
    assert a["y"].tolist() == [1, 0, 1] and a["n"].tolist() == [2, 0, 1]
    assert provenance.is_synthetic(out)
    counts = aggregate(rows, date="referral_date", freq="MS")
    assert counts["y"].tolist() == [5] and "n" not in counts
    with pytest.raises(DataError, match="must hold dates") as err:
        aggregate(
            rows.assign(referral_date=["x", "2024-01-01", "2024-01-01", "2024-01-01", "y"]),
            date="referral_date",
        )
    assert err.value.rows == [2, 6] and "x" not in str(err.value).split("(")[0]


def _levelling_down_data():
    # reference group gets much worse after week 20; the comparison group stays put
    rows = []
    for w in range(40):
        week = pd.Timestamp("2024-01-01") + pd.Timedelta(weeks=w)
        ref_rate = 0.6 if w < 20 else 0.45
        rows.append(("White", week, int(round(ref_rate * 200)), 200))
        rows.append(("Black", week, int(round((0.4 + 0.01 * (w % 3)) * 200)), 200))
    return pd.DataFrame(rows, columns=["ethnicity", "week", "seen", "referred"])


def test_gap_chart_flags_levelling_down():
    data = _levelling_down_data()
    res = gap_chart(
        data,
        x="week",
        y="seen",
        n="referred",
        by="ethnicity",
        group="Black",
        reference="White",
        phases=["2024-05-20"],
    )
    p = res.points
    first = p.iloc[0]
    assert first["y"] == pytest.approx(first["value_group"] - first["value_reference"])
    row = res.summary.iloc[-1]
    assert row["gap_narrowed"] and row["levelling_down"]
    assert "levelling down" in row["verdict"] and "levelling down" in res.describe()
    assert res.series.summary["group"].nunique() == 2
    spec = res.chart().to_dict()
    assert len(spec["vconcat"]) == 2 and "levelling down" in " ".join(spec["title"]["subtitle"])


def test_gap_chart_ratio_and_experimental_limits():
    data = _levelling_down_data()
    res = gap_chart(
        data,
        x="week",
        y="seen",
        n="referred",
        by="ethnicity",
        reference="White",
        measure="ratio",
        limits=True,
    )
    first = res.points.iloc[0]
    assert first["y"] == pytest.approx(np.log(first["value_group"] / first["value_reference"]))
    assert "upper_limit" in res.points and res.points["upper_limit"].notna().all()
    assert res.caption().startswith("Experimental")
    assert res.warnings[0].startswith("Experimental")
    improving = data.copy()
    improving.loc[improving["ethnicity"] == "White", "seen"] = 120
    improving.loc[(improving["ethnicity"] == "Black") & (improving["week"] >= "2024-05-20"), "seen"] = 110
    ok = gap_chart(improving, x="week", y="seen", n="referred", by="ethnicity", reference="White")
    assert ok.summary["gap_narrowed"].all() and not ok.summary["levelling_down"].any()
    with pytest.raises(DataError, match="reference group"):
        gap_chart(data, x="week", y="seen", n="referred", by="ethnicity", reference="Asian")


def test_statistics_do_not_import_altair():
    code = (
        "import sys, pandas as pd; from equitylab.spc import control_chart, gap_chart; "
        "control_chart(pd.DataFrame({'x': range(15), 'y': range(15)}), x='x', y='y'); "
        "print('altair' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_annotations_from_a_workbook_project():
    project = Project()
    project.pdsa = [
        PDSA(change_idea="text reminders", cycle=1, start=pd.Timestamp("2024-02-05").date()),
        PDSA(change_idea="no start date yet", cycle=2),
    ]
    res = run_chart(_weekly(groups=("A",)), x="week", y="seen", n="referred", annotations=project)
    assert res.annotations == [(np.datetime64("2024-02-05"), "PDSA 1: text reminders")]


def test_synthetic_extract_to_monthly_chart_and_gap():
    from equitylab._paths import data_dir

    path = data_dir() / "examples" / "synthetic_cmht_hackney.csv"
    extract = provenance.stamp(
        pd.read_csv(path), source="synthetic", synthetic=True, description="synthetic CMHT extract"
    )
    extract["white"] = np.where(
        extract["ethnic_category"].isin(["A", "B", "C"]), "White", "Other ethnic groups"
    )
    monthly = aggregate(extract, date="referral_date", outcome="readmitted_90d", by="white", freq="MS")
    assert monthly["n"].sum() == len(extract)
    assert monthly["y"].sum() == (extract["readmitted_90d"] == "Y").sum()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = control_chart(
            monthly, x="period", y="y", n="n", chart="p", by="white", multiplier=100, improvement="decrease"
        )
        gap = gap_chart(
            monthly,
            x="period",
            y="y",
            n="n",
            by="white",
            reference="White",
            multiplier=100,
            improvement="decrease",
        )
    assert res.summary["n_points"].tolist() == [24, 24]
    assert provenance.SYNTHETIC_LABEL in res.caption() and provenance.SYNTHETIC_LABEL in gap.caption()
    assert provenance.is_synthetic(gap.points)


@settings(derandomize=True, deadline=None, max_examples=40)
@given(st.lists(st.tuples(st.one_of(st.integers(0, 50), st.integers(-3, 3)),
                          st.one_of(st.integers(0, 60), st.just(0), st.integers(-3, 3))), min_size=2, max_size=16),
       st.sampled_from(["p", "pp", "u", "up"]))
def test_control_chart_limits_hold_the_centre_or_the_data_is_refused(rows, chart):
    """Issue 21's contract for SPC: any counts give limits around the centre (inside 0-100% for a P chart), a
    period left out with a warning, or a DataError."""
    data = pd.DataFrame({"x": range(len(rows)), "y": [r[0] for r in rows], "n": [r[1] for r in rows]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = control_chart(data, x="x", y="y", n="n", chart=chart, multiplier=100)
        except DataError:
            return
    p = res.points.dropna(subset=["centre", "lower_limit", "upper_limit"])
    assert (p["lower_limit"] <= p["centre"] + 1e-9).all() and (p["centre"] <= p["upper_limit"] + 1e-9).all()
    assert (p["lower_limit"] >= 0).all()
    if chart in ("p", "pp"):
        assert (p["upper_limit"] <= 100 + 1e-9).all()
    dropped = len(data) - len(res.points)
    assert dropped == 0 or any("left out" in w for w in res.warnings)
