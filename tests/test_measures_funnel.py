"""funnel_limits() and funnel_significance() against PHEindicatormethods' own test data.

Expected values: ukhsa-collaboration/PHEindicatormethods@093fd28:tests/testthat/testdata_funnel_*.csv,
copied to tests/reference_data/phe/funnel_*.csv. The upstream CSVs are rounded to 7-10 significant
figures and the upstream ratio/rate limits come from a bisection stopped at 1e-7, so the tolerances
below are those of the published figures, not of our arithmetic.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitylab.errors import DataError
from equitylab.measures import funnel_limits
from equitylab.measures.funnel import funnel_significance
from equitylab.provenance import is_synthetic, stamp

REF = Path(__file__).parent / "reference_data" / "phe"


def _close(ours, theirs, rtol):
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float), rtol=rtol, atol=1e-6)


def test_proportion_funnel_matches_phe():
    inputs = pd.read_csv(REF / "funnel_prop_inputs.csv")
    expected = pd.read_csv(REF / "funnel_prop_outputs.csv")
    out = funnel_limits(inputs, "numerator", "denominator", statistic="proportion", multiplier=100)
    assert list(out["denominator"]) == list(expected["Population"])
    _close(out["lower_limit_95"], expected["Lower2s0025limit"], 1e-6)
    _close(out["upper_limit_95"], expected["Upper2s0025limit"], 1e-6)
    _close(out["lower_limit_99_8"], expected["Lower3s0001limit"], 1e-6)
    _close(out["upper_limit_99_8"], expected["Upper3s0001limit"], 1e-6)
    # measures.md: av = 0.8064244785714955
    assert out.attrs["average"] == pytest.approx(0.8064244785714955, rel=1e-12)


def test_proportion_funnel_axis_variation_matches_phe():
    inputs = pd.read_csv(REF / "funnel_prop_inputs.csv")
    expected = pd.read_csv(REF / "funnel_prop_outputs_with_axis_variation.csv")
    out = funnel_limits(inputs[inputs["denominator"] < 31000], "numerator", "denominator")
    assert list(out["denominator"]) == list(expected["Population"])
    _close(out["lower_limit_95"], expected["Lower2s0025limit"], 1e-8)
    _close(out["upper_limit_99_8"], expected["Upper3s0001limit"], 1e-8)
    _close(out["baseline"], expected["Baseline"], 1e-8)


@pytest.mark.parametrize("ratio_type,suffix", [("isr", "isr"), ("count", "count")])
def test_ratio_funnel_matches_phe(ratio_type, suffix):
    inputs = pd.read_csv(REF / "funnel_ratio_inputs.csv")
    expected = pd.read_csv(REF / "funnel_ratio_outputs.csv")
    out = funnel_limits(inputs, "obs", "expected", statistic="ratio", multiplier=100, ratio_type=ratio_type)
    assert list(out["observed"]) == list(expected["Observed_events"])
    # bisection to 1e-7 upstream: expected counts near 0.001 carry ~5e-5 relative error there
    big = expected["upper_3s_exp_events"] > 1
    for ours, theirs in [("lower_limit_95", f"lower_2s_{suffix}"), ("upper_limit_95", f"upper_2s_{suffix}"),
                         ("lower_limit_99_8", f"lower_3s_{suffix}"), ("upper_limit_99_8", f"upper_3s_{suffix}")]:
        _close(out[ours], expected[theirs], 1e-4)
        _close(out.loc[big, ours], expected.loc[big, theirs], 2e-6)
    _close(out["expected_lower_95"], expected["lower_2s_exp_events"], 1e-6)


def test_rate_funnel_dsr_matches_phe():
    inputs = pd.read_csv(REF / "funnel_rate_input_funnels.csv")
    expected = pd.read_csv(REF / "funnel_rate_outputs.csv")
    out = funnel_limits(inputs, "ev", value="rate", multiplier=1e5, statistic="rate", rate_type="dsr", years_of_data=3)
    assert list(out["events"]) == list(expected["Events"])
    big = expected["Events"] >= 10
    for ours, theirs in [("lower_limit_95", "lower_2s_limit"), ("upper_limit_95", "upper_2s_limit"),
                         ("lower_limit_99_8", "lower_3s_limit"), ("upper_limit_99_8", "upper_3s_limit"),
                         ("population_lower_95", "lower_2s_population_1_year")]:
        _close(out.loc[big, ours], expected.loc[big, theirs], 2e-6)
    # measures.md: E=10 -> 63.17010446 / 242.2579623 (2 sigma), 48.13632908 / 392.4043292 (3 sigma)
    row = out[out["events"] == 10].iloc[0]
    assert row["lower_limit_95"] == pytest.approx(63.17010446, rel=1e-6)
    assert row["upper_limit_99_8"] == pytest.approx(392.4043292, rel=1e-6)
    assert out["baseline"][0] == pytest.approx(116.1720835, rel=1e-8)


def test_rate_funnel_crude_variants_match_phe():
    inputs = pd.read_csv(REF / "funnel_rate_input_funnels.csv")
    second = inputs.copy()
    second.loc[second["ev"] == second["ev"].max(), "ev"] = 5
    out = funnel_limits(second, "ev", value="rate", multiplier=1e5, statistic="rate", rate_type="crude",
                        years_of_data=3)
    expected = pd.read_csv(REF / "funnel_rate_outputs_2.csv")
    assert list(out["events"]) == list(expected["Events"])
    _close(out["baseline"], expected["baseline"], 1e-8)
    _close(out["lower_limit_95"], expected["lower_2s_limit"], 1e-4)

    third = inputs[["ev", "rate"]].copy()
    third["pop"] = 1e5 * third["ev"] / third["rate"]
    top = third["ev"] == third["ev"].max()
    third.loc[top, ["ev", "rate"]] = 0
    third = third[third["pop"] > third["pop"].max() / 2]
    out = funnel_limits(third, "ev", "pop", value="rate", multiplier=1e5, statistic="rate", rate_type="crude",
                        years_of_data=3)
    expected = pd.read_csv(REF / "funnel_rate_outputs_3.csv")
    assert list(out["events"]) == list(expected["Events"])
    _close(out["upper_limit_99_8"], expected["upper_3s_limit"], 2e-6)


def test_significance_flags_match_phe():
    prop = pd.read_csv(REF / "funnel_prop_inputs.csv")
    flagged = funnel_significance(prop, "numerator", "denominator", statistic="proportion")
    assert (flagged["significance"] == prop["significance"]).all()
    ratio = pd.read_csv(REF / "funnel_ratio_inputs.csv")
    flagged = funnel_significance(ratio, "obs", "expected", statistic="ratio")
    assert (flagged["significance"] == ratio["significance"]).all()
    rates = pd.read_csv(REF / "funnel_rate_dsr_inputs.csv")
    for column, rate_col, kind, mult in [("dsr_per_100000_with_0", "rate_dsr", "dsr", 1e5),
                                         ("crude_per_100000_with_0", "rate_crude_per_100000", "crude", 1e5),
                                         ("crude_per_100_with_0", "rate_crude_per_100", "crude", 100)]:
        flagged = funnel_significance(rates, "count", "pop", value=rate_col, statistic="rate", rate_type=kind,
                                      multiplier=mult)
        assert (flagged["significance"] == rates[column]).all(), column


def test_funnel_errors_and_provenance():
    with pytest.raises(DataError, match="rate"):
        funnel_limits(pd.DataFrame({"ev": [1]}), "ev", statistic="rate")
    with pytest.raises(DataError, match="'denominator'"):
        funnel_limits(pd.DataFrame({"x": [1]}), "x", "denominator")
    with pytest.raises(DataError, match="0 events"):
        funnel_limits(pd.DataFrame({"ev": [0, 5], "rate": [0, 10]}), "ev", value="rate", multiplier=1e5,
                      statistic="rate", rate_type="crude")
    data = stamp(pd.DataFrame({"x": [10, 20, 30], "n": [100, 150, 400]}), source="synthetic", synthetic=True)
    assert is_synthetic(funnel_limits(data, "x", "n"))
    assert is_synthetic(funnel_significance(data, "x", "n"))
