"""equitylab.spc against the published outputs of qicharts2 and NHSRplotthedots.

Every expected number is upstream's own (see tests/reference_data/spc/README.md for the
repository, commit and path), or a test vector from /work/shared/reference/spc-and-qi.md §3.
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitylab.spc import control_chart, run_chart

REF = Path(__file__).parent / "reference_data" / "spc"

warnings.simplefilter("ignore", UserWarning)


def _ref(name):
    return pd.read_csv(REF / f"qicharts2_{name}.csv")


# (file, chart options as qicharts2 was called; phases are given as the first x of each new part)
QICHARTS2_CASES = [
    ("ex_6_5_3", dict(chart="i", freeze=20), "y"),  # qic(weeks, cost, chart='i', freeze=20)
    ("ex_7_1_5", dict(chart="p", n="n", exclude=[15, 23], phases=[31]), "y.sum"),  # part = 30
    ("tbl_7_4_1", dict(chart="p", n="n"), "y.sum"),
    ("ex_7_3_3", dict(chart="c", exclude=[6, 20], freeze=26), "y.sum"),
    ("ex_7_4_1", dict(chart="u", n="n"), "y.sum"),
    ("ex_7_5_1", dict(chart="u", n="n", multiplier=50), "y.sum"),  # multiply = 50
    ("ex_7_6_1", dict(chart="t"), "y"),
]


@pytest.mark.parametrize("name,options,ycol", QICHARTS2_CASES, ids=[c[0] for c in QICHARTS2_CASES])
def test_limits_signals_and_runs_match_qicharts2(name, options, ycol):
    ref = _ref(name)
    ref["x"] = np.arange(1, len(ref) + 1)
    res = control_chart(ref, x="x", y=ycol, rules="anhoej", screen_mr=True, **options)
    p = res.points
    for ours, theirs in (("y", "y"), ("centre", "cl"), ("lower_limit", "lcl"), ("upper_limit", "ucl")):
        np.testing.assert_allclose(
            p[ours].to_numpy(), ref[theirs].to_numpy(), atol=1e-6, rtol=1e-9, err_msg=f"{name}: {ours}"
        )
    assert (p["sigma_signal"].to_numpy() == ref["sigma.signal"].to_numpy()).all()
    assert (p["baseline"].to_numpy() == ref["baseline"].to_numpy()).all()
    assert (p["excluded"].to_numpy() == ~ref["include"].to_numpy()).all()
    assert (p["phase"].to_numpy() == ref["part"].to_numpy()).all()
    parts = ref.groupby("part").first()
    s = res.summary.set_index("phase")
    for ours, theirs in (
        ("n_useful", "n.useful"),
        ("longest_run", "longest.run"),
        ("longest_run_max", "longest.run.max"),
        ("crossings", "n.crossings"),
        ("crossings_min", "n.crossings.min"),
        ("runs_signal", "runs.signal"),
    ):
        assert s[ours].tolist() == parts[theirs].tolist(), f"{name}: {ours}"


def test_moving_range_chart_matches_qicharts2_ex_6_5_4():
    ref = _ref("ex_6_5_4")
    raw = _ref("ex_6_5_3")  # the MR chart is drawn from the same costs
    data = pd.DataFrame({"x": np.arange(1, 41), "cost": raw["y"]})
    p = control_chart(data, x="x", y="cost", chart="mr", freeze=20).points
    np.testing.assert_allclose(p["y"].to_numpy()[1:], ref["y"].to_numpy()[1:], atol=1e-9)
    np.testing.assert_allclose(p["centre"], ref["cl"], atol=1e-9)  # 7.7894737
    np.testing.assert_allclose(p["upper_limit"], ref["ucl"], atol=1e-9)  # 25.448211
    assert p["sigma_signal"].tolist() == ref["sigma.signal"].tolist()


def test_ex_6_5_3_limits_do_not_depend_on_screening():
    # no moving range in Montgomery 6.5 exceeds 3.267 x AMR, so both settings give qicharts2's limits
    ref = _ref("ex_6_5_3")
    ref["x"] = np.arange(1, 41)
    off = control_chart(ref, x="x", y="y", chart="i", freeze=20, screen_mr=False).points
    np.testing.assert_allclose(off["upper_limit"], ref["ucl"], atol=1e-6)


def _hospital_infections():
    return pd.read_csv(REF / "qicharts2_hospital_infections.csv", parse_dates=["month"])


def test_u_chart_of_hospital_infections_matches_hai_1_summary():
    # qicharts2 tests/testthat/hai_1.rds: several rows per month are summed (sum n / sum days)
    hai = _hospital_infections()
    ref = pd.read_csv(REF / "qicharts2_hai_1_summary.csv").iloc[0]
    res = control_chart(hai, x="month", y="n", n="days", chart="u", rules="anhoej")
    s = res.summary.iloc[0]
    assert s["centre"] == pytest.approx(ref["CL"], rel=1e-9)  # 0.001824 per patient-day
    assert round(s["centre"], 6) == 0.001824
    assert res.points["lower_limit"].mean() == pytest.approx(ref["aLCL"], rel=1e-9)
    assert res.points["upper_limit"].mean() == pytest.approx(ref["aUCL"], rel=1e-9)
    assert s["n_points"] == ref["n.obs"] == 24
    assert (s["longest_run"], s["longest_run_max"], s["crossings"], s["crossings_min"]) == (4, 8, 12, 8)
    assert s["sigma_signals"] == ref["sigma.signal"] == 0
    assert not s["runs_signal"]


def test_u_chart_by_infection_matches_hai_2_summary():
    hai = _hospital_infections()
    ref = pd.read_csv(REF / "qicharts2_hai_2_summary.csv").set_index("facet1")
    res = control_chart(hai, x="month", y="n", n="days", chart="u", by="infection", rules="anhoej")
    s = res.summary.set_index("group")
    for infection in ("BAC", "CDI", "UTI"):
        assert s.loc[infection, "centre"] == pytest.approx(ref.loc[infection, "CL"], rel=1e-9)
        lim = res.points[res.points["group"] == infection]
        assert lim["lower_limit"].mean() == pytest.approx(ref.loc[infection, "aLCL"], rel=1e-9)
        assert lim["upper_limit"].mean() == pytest.approx(ref.loc[infection, "aUCL"], rel=1e-9)
        assert s.loc[infection, "longest_run"] == ref.loc[infection, "longest.run"]
        assert s.loc[infection, "crossings"] == ref.loc[infection, "n.crossings"]
        assert s.loc[infection, "crossings_min"] == ref.loc[infection, "n.crossings.min"] == 8
        assert not s.loc[infection, "runs_signal"]


# --- NHSRplotthedots ---------------------------------------------------------------------

T1 = [1, 2, 1, 2, 10, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1]


@pytest.mark.parametrize("screen,lower,upper", [(True, -0.7156, 4.6044), (False, -3.0626, 6.9515)])
def test_mdc_screening_matches_plotthedots_deviations_vignette(screen, lower, upper):
    # NHSRplotthedots vignettes/deviations.Rmd: UPL 4.6 / LPL -0.72 screened, 6.95 / -3.06 as Excel
    res = control_chart(pd.DataFrame({"day": range(18), "y": T1}), x="day", y="y", screen_mr=screen)
    s = res.summary.iloc[0]
    assert round(s["centre"], 4) == 1.9444
    assert round(s["lower_limit"], 4) == lower and round(s["upper_limit"], 4) == upper
    types = res.points["point_type"].tolist()
    assert types[4] == "improvement" and res.points["rule"][4] == "outside the limits"
    assert set(types[:4] + types[5:]) == {"common_cause"}
    assert ("screened (above 3.267" in res.caption()) == screen


# set.seed(123); rnorm(20) in R; the first five are printed in the snapshot
RNORM_123 = [
    -0.56047565,
    -0.23017749,
    1.55870831,
    0.07050839,
    0.12928774,
    1.71506499,
    0.46091621,
    -1.26506123,
    -0.68685285,
    -0.44566197,
    1.22408180,
    0.35981383,
    0.40077145,
    0.11068272,
    -0.55584113,
    1.78691314,
    0.49785048,
    -1.96661716,
    0.70135590,
    -0.47279141,
]


@pytest.mark.parametrize(
    "outlier,screen,mean,lpl,upl",
    [
        (False, True, 0.1416238, -3.01138, 3.294627),
        (True, True, 0.6694159, -2.383666, 3.722497),
        (True, False, 0.6694159, -4.596625, 5.935457),
    ],
)
def test_xmr_matches_plotthedots_standard_snapshot(outlier, screen, mean, lpl, upl):
    # NHSRplotthedots tests/testthat/_snaps/ptd_spc_standard.md (r1, r2, r3)
    y = list(RNORM_123)
    if outlier:
        y[14] = 10
    s = control_chart(pd.DataFrame({"x": range(20), "y": y}), x="x", y="y", screen_mr=screen).summary.iloc[0]
    assert s["centre"] == pytest.approx(mean, abs=1e-7)
    assert s["lower_limit"] == pytest.approx(lpl, abs=1e-5)
    assert s["upper_limit"] == pytest.approx(upl, abs=1e-6)


def test_two_in_three_across_the_mean_is_common_cause():
    # NHSRplotthedots test-ptd_spc_standard.R: alternating +-1, then 5.5 and -5.5
    y = [1.0, -1.0] * 8
    y[14], y[15] = 5.5, -5.5
    res = control_chart(pd.DataFrame({"d": range(16), "y": y}), x="d", y="y", screen_mr=True)
    assert res.points["point_type"].tolist()[-2:] == ["common_cause", "common_cause"]


def test_nhspy_plotthedots_vector():
    # spc-and-qi.md T4 (nhs-pycom/nhspy-plotthedots tests/unittests/test_pandas_spc_x_calc.py)
    y = [89, 86, 75, 77, 81, 74, 72, 78, 76, 82, 77, 54, 66, 77, 86]
    res = control_chart(pd.DataFrame({"x": range(15), "y": y}), x="x", y="y")
    s = res.summary.iloc[0]
    assert (round(s["centre"], 2), round(s["lower_limit"], 2), round(s["upper_limit"], 2)) == (
        76.67,
        57.10,
        96.24,
    )
    assert np.flatnonzero(res.points["sigma_signal"]).tolist() == [11]


@pytest.mark.parametrize(
    "improvement,expected",
    [
        ("increase", ["fail", "pass", "inconsistent"]),
        ("decrease", ["pass", "fail", "inconsistent"]),
        ("neutral", [None, None, None]),
    ],
)
def test_assurance_matches_plotthedots(improvement, expected):
    # test-ptd_calculate_assurance_type.R: (lpl, mean, upl) = (1,2,3), (5,6,7), (1,4,5), target 4
    from equitylab.spc.signals import assurance as _assurance

    rows = [(1, 3), (5, 7), (1, 5)]
    assert [_assurance(4, lo, up, improvement) for lo, up in rows] == expected


# --- reference-document vectors computed from qicharts2 data (spc-and-qi.md T11, T12) ----------


def test_laney_p_prime_removes_over_signalling_of_huge_denominators():
    acc = _ref("nhs_accidents")
    p = control_chart(acc, x="i", y="r", n="n", chart="p", rules="anhoej")
    pp = control_chart(acc, x="i", y="r", n="n", chart="pp", rules="anhoej", screen_mr=True)
    assert round(p.summary["centre"][0], 6) == 0.9529
    assert p.points[["lower_limit", "upper_limit"]].iloc[0].round(6).tolist() == [0.9517, 0.9541]
    assert (np.flatnonzero(~p.points["sigma_signal"]) + 1).tolist() == [5, 7, 18, 20]
    assert round(pp.summary["sigma_z"][0], 4) == 10.6404
    assert pp.points[["lower_limit", "upper_limit"]].iloc[0].round(6).tolist() == [0.94013, 0.96567]
    assert pp.summary["sigma_signals"][0] == 0
    assert (pp.summary["longest_run"][0], pp.summary["crossings"][0]) == (5, 9)
    assert (pp.summary["longest_run_max"][0], pp.summary["crossings_min"][0]) == (7, 6)


def _cdi():
    return pd.read_csv(REF / "qicharts2_cdi.csv", parse_dates=["month"])


def test_cdi_run_chart_anhoej_and_ihi():
    cdi = _cdi()
    a = run_chart(cdi, x="month", y="n", n="days", multiplier=1e4, rules="anhoej").summary.iloc[0]
    assert round(a["centre"], 3) == 11.548
    assert (a["longest_run"], a["longest_run_max"], a["crossings"], a["crossings_min"]) == (14, 8, 6, 13)
    assert a["runs_signal"]
    ihi = run_chart(cdi, x="month", y="n", n="days", multiplier=1e4, rules="ihi")
    s = ihi.summary.iloc[0]
    assert (s["n_useful"], s["runs"]) == (36, 7)
    shift = (ihi.points["rule"] == "shift of 6").to_numpy()
    expected = np.zeros(36, bool)
    for lo, hi in ((3, 11), (13, 19), (23, 36)):
        expected[lo - 1 : hi] = True
    assert (shift == expected).all()
    assert not ihi.points["rule"].str.startswith("trend").any()


def test_cdi_u_chart_before_and_after():
    cdi = _cdi()
    res = control_chart(
        cdi, x="month", y="n", n="days", chart="u", multiplier=1e4, phases=[cdi["month"][24]], rules="anhoej"
    )
    s = res.summary[["centre", "lower_limit", "upper_limit", "sigma_signals"]].round(2)
    assert s[["centre", "lower_limit", "upper_limit"]].to_numpy().tolist() == [
        [13.02, 3.99, 22.06],
        [5.01, 0.0, 10.66],
    ]
    assert s["sigma_signals"].sum() == 0


def test_xmr_by_facet_matches_plotthedots_summary_snapshot():
    # NHSRplotthedots tests/testthat/_snaps/ptd_spc.md: rnorm(20), facet = rep(c(0, 1), each = 10),
    # screen_outliers = TRUE; printed to 3 significant figures, all 10 points common cause in each facet
    data = pd.DataFrame({"x": range(20), "y": RNORM_123, "facet": [0] * 10 + [1] * 10})
    res = control_chart(data, x="x", y="y", by="facet", screen_mr=True)
    s = res.summary.set_index("group")
    assert s.loc["0", ["centre", "lower_limit", "upper_limit"]].astype(float).round(2).tolist() == [
        0.07,
        -2.60,
        2.75,
    ]
    assert round(s.loc["0", "centre"], 4) == 0.0746
    assert s.loc["1", ["centre", "lower_limit", "upper_limit"]].astype(float).round(2).tolist() == [
        0.21,
        -3.28,
        3.70,
    ]
    assert round(s.loc["1", "centre"], 3) == 0.209
    assert s["common_cause"].tolist() == [10, 10] and (s["improvement"] + s["concern"]).sum() == 0
    assert (s["variation"] == "common_cause").all()
