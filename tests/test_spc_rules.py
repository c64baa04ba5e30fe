"""Rule functions: NHSRplotthedots' rule test vectors, Anhøj and IHI tables, and invariants."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab.errors import DataError
from equitylab.spc import _rules, control_chart, mdc_rules, run_chart
from equitylab.spc._rules import IHI_RUNS_TABLE

warnings.simplefilter("ignore", UserWarning)


# NHSRplotthedots tests/testthat/test-ptd_calculate_point_type.R (flags of whole patterns)
@pytest.mark.parametrize(
    "y,expected",
    [
        (list(range(1, 7)), [0] * 6),
        ([1, 2, 3, 3, 4, 5, 6], [0] * 7),  # a tie breaks the trend
        (list(range(1, 8)), [1] * 7),
        ([2, *range(1, 8), 3], [0, 1, 1, 1, 1, 1, 1, 1, 0]),
        (list(range(7, 0, -1)), [1] * 7),
        ([2, *range(7, 0, -1), 3], [0, 1, 1, 1, 1, 1, 1, 1, 0]),
    ],
)
def test_seven_point_trend(y, expected):
    flagged, direction = _rules.trends(np.array(y, float), 7, skip_ties=False)
    assert flagged.astype(int).tolist() == expected
    if any(expected):
        assert set(direction[flagged]) == ({1} if y[2] < y[3] else {-1})


@pytest.mark.parametrize(
    "side,expected",
    [
        ([1] * 6, [0] * 6),
        ([1] * 6 + [-1], [0] * 7),
        ([1] * 8 + [-1], [1] * 8 + [0]),
        ([-1] * 8 + [1], [1] * 8 + [0]),
        ([1, 1, 1, 0, 1, 1, 1, 1], [0] * 8),  # MDC: a point on the mean breaks the run
    ],
)
def test_seven_on_one_side(side, expected):
    assert _rules.long_runs(np.array(side), 7, skip_zero=False).astype(int).tolist() == expected


@pytest.mark.parametrize(
    "close,side,expected",
    [
        ([1, 0, 1], [1, 1, 1], [1, 0, 1]),
        ([0, 1, 1], [1, 1, 1], [0, 1, 1]),
        ([1, 1, 0], [1, 1, 1], [1, 1, 0]),
        ([0, 0, 1, 0, 1, 0, 0], [1] * 7, [0, 0, 1, 0, 1, 0, 0]),
        ([0, 0, 1, 1, 0, 0, 0], [1] * 7, [0, 0, 1, 1, 0, 0, 0]),
        ([1, 0, 0, 1], [1] * 4, [0, 0, 0, 0]),
        ([1, 0, 0, 1, 1], [1] * 5, [0, 0, 0, 1, 1]),
        ([1, 0, 1], [1, -1, 1], [0, 0, 0]),  # opposite sides of the mean (#143)
        ([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1], [0] * 7),
        ([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1], [0] * 7),
    ],
)
def test_two_in_three(close, side, expected):
    out = _rules.two_of_three(np.array(close, bool), np.array(side))
    assert out.astype(int).tolist() == expected


# Precedence (spc-and-qi.md §2, NHSRplotthedots ptd_special_cause_type): outside the limits, then
# trend of 7, then 2 of 3 beyond 2 sigma, then run of 7. Each series below shares a frozen baseline of
# 12 points alternating 9, 11: mean 10, mean moving range 2, so by hand the limits are 10 ± 2.66·2 =
# 4.68 .. 15.32 and the 2-sigma lines 10 ± (2/3)·2.66·2 = 6.453 .. 13.547. The baseline itself has no
# signal (no run, trend or point beyond 2 sigma), and point 11 (value 11) lies above the mean.
PRECEDENCE_BASELINE = [9, 11] * 6
TREND, OUT, TWO, RUN = "trend of 7", "outside the limits", "2 of 3 beyond 2 sigma", "run of 7"


@pytest.mark.parametrize(
    "tail,expected",
    [
        # 9.5 .. 16 rise strictly over 7 points; 16 is above 15.32, so outside beats the trend
        ([9.5, 10.5, 11, 12, 13, 14, 16, 9], [""] + [TREND] * 6 + [OUT, ""]),
        # 14 and 15 are 2 of 3 beyond 13.547 (inside 15.32) and end a trend of 7: the trend wins
        ([9.5, 10.5, 11, 12, 13, 14, 15, 9], [""] + [TREND] * 7 + [""]),
        # the same two points with the trend broken by 10.8: now they are 2 of 3 beyond 2 sigma
        ([9.5, 10.5, 11, 10.8, 13, 14, 15, 9], [""] * 6 + [TWO, TWO, ""]),
        # points 11 .. 18 are all above the mean (a run of 8); 14 and 14.5 are 2 of 3 beyond 2 sigma
        # and take that label over the run's
        ([10.5, 11, 10.6, 14, 10.7, 14.5, 10.8, 9], [RUN] * 4 + [TWO, RUN, TWO, RUN, ""]),
    ],
)
def test_mdc_precedence_outside_then_trend_then_two_of_three_then_run(tail, expected):
    y = PRECEDENCE_BASELINE + tail
    res = control_chart(pd.DataFrame({"x": range(len(y)), "y": y}), x="x", y="y", freeze=12)
    assert res.points["rule"].tolist() == [""] * 11 + expected  # expected: points 11 .. 19


def test_ihi_shift_skips_points_on_the_median_and_trend_skips_ties():
    # 3 above, 1 on the median, 3 above = a shift of 6 under IHI (the median point neither adds nor breaks)
    side = np.array([1, 1, 1, 0, 1, 1, 1, -1])
    assert _rules.long_runs(side, 6, skip_zero=True).astype(int).tolist() == [1, 1, 1, 0, 1, 1, 1, 0]
    flagged, _ = _rules.trends(np.array([1, 2, 2, 3, 4, 5, 1.0]), 5, skip_ties=True)
    assert flagged.astype(int).tolist() == [1, 1, 1, 1, 1, 1, 0]
    flagged, _ = _rules.trends(np.array([1, 2, 2, 3, 4, 5, 1.0]), 5, skip_ties=False)
    assert not flagged.any()


# spc-and-qi.md §2, Anhøj table (round(log2 n) + 3, qbinom(0.05, n - 1, 0.5))
ANHOEJ = {
    10: (6, 2),
    12: (7, 3),
    15: (7, 4),
    20: (7, 6),
    24: (8, 8),
    25: (8, 8),
    28: (8, 9),
    30: (8, 10),
    36: (8, 13),
    40: (8, 14),
    44: (8, 16),
    50: (9, 19),
    64: (9, 25),
    100: (10, 41),
}


@pytest.mark.parametrize("n", sorted(ANHOEJ))
def test_anhoej_limits_table(n):
    y = np.resize([1.0, -1.0], n)
    out = _rules.anhoej(y, np.zeros(n))
    assert (out["longest_run_max"], out["crossings_min"]) == ANHOEJ[n]
    assert out["n_useful"] == n and out["crossings"] == n - 1 and not out["anhoej_signal"]


def test_anhoej_skips_points_on_the_centre():
    out = _rules.anhoej(np.array([1, 0, 1, 0, -1, 2.0]), np.zeros(6))
    assert (out["n_useful"], out["longest_run"], out["crossings"]) == (4, 2, 2)


def test_ihi_runs_table_is_the_swed_eisenhart_computation():
    # spc-and-qi.md §2 [computed]: exact Swed-Eisenhart, 2.5% per tail: 10:(3,9), 20:(7,15), 30:(11,21)
    assert IHI_RUNS_TABLE[10] == (3, 9)
    assert IHI_RUNS_TABLE[20] == (7, 15)
    assert IHI_RUNS_TABLE[30] == (11, 21)
    lows = [IHI_RUNS_TABLE[n][0] for n in range(10, 101)]
    assert lows == sorted(lows)
    assert np.isnan(_rules.ihi_runs_limits(9)[0])


def test_too_few_runs_signal_under_ihi():
    y = [1.0] * 10 + [3.0] * 10  # 2 runs among 20 useful points: fewer than 7
    s = run_chart(pd.DataFrame({"x": range(20), "y": y}), x="x", y="y").summary.iloc[0]
    assert s["runs"] == 2 and s["runs_lower"] == 7 and s["runs_signal"]


def test_rule_set_names_and_options():
    assert _rules.rule_set("Anhøj").name == "anhoej"
    assert _rules.rule_set("mdc2023").two_of_three == "2023"
    assert mdc_rules(run=6).shift == 6
    with pytest.raises(DataError):
        _rules.rule_set("western electric")
    with pytest.raises(DataError):
        mdc_rules(run=8)


def test_mdc_2023_counts_points_beyond_the_limits_towards_two_of_three():
    # the centre line is fixed from a stable baseline; then one point beyond 3 sigma and one between
    # 2 and 3 sigma on the same side: only the 2023 variant flags the 2-sigma point as "2 of 3"
    base = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9]
    y = base + [10.5, 16, 13.0, 9.5]
    data = pd.DataFrame({"x": range(len(y)), "y": y})
    old = control_chart(data, x="x", y="y", freeze=12)
    new = control_chart(data, x="x", y="y", freeze=12, rules="mdc2023")
    upper, upper2 = old.points["upper_limit"][0], old.points["upper_2sigma"][0]
    assert y[13] > upper and upper2 < y[14] < upper
    assert old.points["rule"][14] == ""
    assert new.points["rule"][14] == "2 of 3 beyond 2 sigma"


finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=20, deadline=None)
@given(st.lists(finite, min_size=3, max_size=40))
def test_xmr_limits_are_symmetric_about_the_mean(values):
    p = control_chart(pd.DataFrame({"x": range(len(values)), "y": values}), x="x", y="y").points
    np.testing.assert_allclose(p["upper_limit"] - p["centre"], p["centre"] - p["lower_limit"], atol=1e-6)
    np.testing.assert_allclose(p["centre"], np.mean(values), rtol=1e-9, atol=1e-9)


@settings(max_examples=15, deadline=None)
@given(
    finite,
    st.integers(min_value=2, max_value=60),
    st.sampled_from(["mdc", "mdc6", "mdc2023", "anhoej", "ihi"]),
)
def test_a_constant_series_has_no_signals(value, length, rules):
    data = pd.DataFrame({"x": range(length), "y": [value] * length})
    res = control_chart(data, x="x", y="y", rules=rules)
    assert not res.points["signal"].any() and not res.points["sigma_signal"].any()
    assert not res.summary["runs_signal"].any()
    assert (res.summary["variation"] == "common_cause").all()
    if rules != "mdc":
        assert (
            not run_chart(data, x="x", y="y", rules=rules if rules in ("ihi", "anhoej") else "ihi")
            .points["signal"]
            .any()
        )


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.floats(min_value=0.01, max_value=100), min_size=7, max_size=30, unique=True), st.booleans()
)
def test_a_monotone_series_flags_a_trend(values, rising):
    y = sorted(values, reverse=not rising)
    data = pd.DataFrame({"x": range(len(y)), "y": y})
    mdc = control_chart(data, x="x", y="y")
    assert mdc.points["signal"].all()
    ihi = run_chart(data, x="x", y="y")
    assert ihi.points["rule"].str.contains("trend|shift").any()
    expected = "improvement" if rising else "concern"
    assert expected in set(mdc.points["point_type"])
