"""SII/RII against PHEindicatormethods' and healthequal's own published numbers, plus invariants.

PHE expected values: ukhsa-collaboration/PHEindicatormethods@093fd28:tests/testthat/testdata_SII.xlsx
(transcribed to tests/reference_data/sii/testdata_SII.csv); the arguments for each block are those of
the same repository's tests/testthat/testSII.R. HEAT expected values: WHOequity/healthequal@3e7e040:
tests/testthat/test-sii.R and test-rii.R.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from equitylab import provenance
from equitylab.errors import DataError
from equitylab.measures import sii

REF = Path(__file__).parent / "reference_data"
PHE = pd.read_csv(REF / "sii" / "testdata_SII.csv")

# (first record of the 2-area block, number of rows, phe_sii arguments as in testSII.R, confidence levels
# whose expected limits are in the sheet's *_1 and *_2 columns)
CASES = [
    (1, 20, dict(se="StandardError"), [0.95]),
    (1, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL"), [0.95]),
    (21, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", confidence=0.99), [0.99]),
    # the sheet's limits for this block came from 10 000 repetitions (its Repetitions column), so they carry
    # about 2% Monte Carlo error of their own: compared at PHE's own tolerance (5%) below
    (41, 20, dict(se="StandardError"), [0.95]),
    (61, 10, dict(se="StandardError"), []),  # quintiles: the sheet has point estimates only
    (71, 20, dict(se="StandardError", value_type=1), [0.95]),
    (71, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=1), [0.95]),
    (91, 20, dict(se="StandardError", value_type=2), [0.95]),
    (111, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=2, multiplier=100), [0.95]),
    (131, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=2, multiplier=-100), [0.95]),
    (226, 20, dict(se="StandardError", confidence=[0.95, 0.99]), [0.95, 0.99]),
    (246, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL"), [0.95]),
    (266, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=1), [0.95]),
    (306, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=1, transform=True), [0.95]),
    (326, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=2, transform=True), [0.95]),
    (346, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=2, transform=True, multiplier=-1), [0.95]),
    (366, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=1, transform=True,
                   confidence=[0.95, 0.98]), [0.95, 0.98]),
    (386, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=1, transform=True, multiplier=-1), [0.95]),
    # the sheet's Confidence column says 95 but the limits are 98% (measures.md section 4.5)
    (406, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=1, transform=True, confidence=0.98), [0.98]),
    (426, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=1, transform=True), [0.95]),
    (446, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=2, transform=True), [0.95]),
    (466, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=2, transform=True, confidence=0.98), [0.98]),
    (486, 20, dict(lower_ci="LowerCL", upper_ci="UpperCL", value_type=2, transform=True,
                   confidence=[0.95, 0.98]), [0.95, 0.98]),
]


def _suffix(level, levels):
    if len(levels) == 1:
        return ""
    return "_" + f"{level * 100:.10g}".replace(".", "_")


@pytest.mark.parametrize("first, rows, kwargs, levels", CASES, ids=[f"record{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_phe_published_values(first, rows, kwargs, levels):
    block = PHE.iloc[first - 1:first - 1 + rows]
    out = sii(block, quantile="Quantile", value="Value", population="Population", by="Area", seed=20240601,
              **kwargs)
    expected = block[block["sii"].notna()].set_index("Area")
    out = out.set_index("Area").loc[expected.index]
    # point estimates are exact: 1e-8 relative
    np.testing.assert_allclose(out["sii"], expected["sii"], rtol=1e-8)
    if expected["rii"].notna().all():
        np.testing.assert_allclose(out["rii"], expected["rii"], rtol=1e-8)
    if expected["Intercept"].notna().all():
        np.testing.assert_allclose(out["intercept"], expected["Intercept"], rtol=1e-6)
    # Monte Carlo limits (100 000 reps, fixed seed): within 2% of the distance between PHE's limit and its
    # point estimate. (A plain 2% of the limit is not attainable for limits near 0: PHE's own published
    # limits carry Monte Carlo error, e.g. record 21's 99% lower SII limit 1.9243 is 2.2% above the exact
    # limit 1.8818 of the distribution PHE simulates; see test_identity_limits_match_exact_normal_limits.)
    all_levels = kwargs.get("confidence", 0.95)
    all_levels = all_levels if isinstance(all_levels, list) else [all_levels]
    share = 0.05 if block["Repetitions"].iloc[0] == 10_000 else 0.02
    for k, level in enumerate(levels, start=1):
        sfx = _suffix(level, all_levels)
        for stat in ("sii", "rii"):
            for side, ours in (("lowercl", "lower_ci"), ("uppercl", "upper_ci")):
                exp = expected[f"{stat}_{side}_{k}"]
                if exp.notna().all():
                    tol = share * (exp - expected[stat]).abs()
                    diff = (out[f"{stat}_{ours}{sfx}"] - exp).abs()
                    assert (diff <= tol).all(), (stat, side, level, out[f"{stat}_{ours}{sfx}"].tolist(), exp.tolist())


def test_identity_limits_match_exact_normal_limits():
    # On the identity scale the simulated slope is exactly normal: b1 +/- z sd(b1), with
    # sd(b1)^2 = sum(c_j^2 se_j^2). PHE's record 1/21 inputs give b1 = 6.934616 (published) and
    # limits 3.0899 / 10.7793 (95%) and 1.8818 / 11.9874 (99%), which the simulation must reproduce
    # to Monte Carlo accuracy: within 4 standard errors of a sample quantile, sqrt(q(1-q)/R) / phi(z) sd.
    block = PHE.iloc[0:10]
    out = sii(block, quantile="Quantile", value="Value", population="Population", se="StandardError",
              confidence=[0.95, 0.99], seed=5).iloc[0]
    pop = block["Population"].to_numpy(float)
    p = pop / pop.sum()
    x = np.cumsum(p) - p / 2
    c = p * (x - 0.5) / (p * (x - 0.5) ** 2).sum()
    sd = np.sqrt((c ** 2 * block["StandardError"].to_numpy() ** 2).sum())
    for level, sfx in ((0.95, "_95"), (0.99, "_99")):
        z = stats.norm.ppf(0.5 + level / 2)
        q = (1 - level) / 2
        mc_se = np.sqrt(q * (1 - q) / 100_000) / stats.norm.pdf(z) * sd
        assert out[f"sii_lower_ci{sfx}"] == pytest.approx(6.934616474 - z * sd, abs=4 * mc_se)
        assert out[f"sii_upper_ci{sfx}"] == pytest.approx(6.934616474 + z * sd, abs=4 * mc_se)


HEAT5 = pd.read_csv(REF / "heat" / "ordered_5_inputs.csv")


def test_heat_method_matches_healthequal():
    out = sii(HEAT5, quantile="order", value="estimate", population="population", method="heat", multiplier=100)
    row = out.iloc[0]
    # healthequal test-sii.R: 44.44502, se 0.02190822 (0-1 scale), CI 40.15109-48.73895
    assert row["sii"] == pytest.approx(44.44502, rel=1e-6)
    assert row["sii_se"] / 100 == pytest.approx(0.02190822, rel=1e-5)
    assert row["sii_lower_ci"] == pytest.approx(40.15109, rel=1e-6)
    assert row["sii_upper_ci"] == pytest.approx(48.73895, rel=1e-6)
    # healthequal test-rii.R: 3.159506, ln-se 0.07644001, CI 2.719902-3.67016
    assert row["rii"] == pytest.approx(3.159506, rel=1e-6)
    assert row["rii_log_se"] == pytest.approx(0.07644001, rel=1e-5)
    assert row["rii_lower_ci"] == pytest.approx(2.719902, rel=1e-6)
    assert row["rii_upper_ci"] == pytest.approx(3.67016, rel=1e-6)


def test_phe_linear_on_heat_example_differs_from_heat():
    # measures.md section 4.1: on the same data PHE-linear gives SII 46.254 / RII 3.556
    data = HEAT5.assign(p=HEAT5["estimate"] / 100, s=HEAT5["se"] / 100)
    out = sii(data, quantile="order", value="p", population="population", se="s", multiplier=100,
              reps=1000, seed=1)
    assert out["sii"].iloc[0] == pytest.approx(46.254, abs=5e-4)
    assert out["rii"].iloc[0] == pytest.approx(3.556, abs=5e-4)


def test_missing_quantile_gives_na_with_note_not_an_error():
    block = PHE.iloc[0:20].drop(index=[13])  # area2 loses decile 4
    out = sii(block, quantile="Quantile", value="Value", population="Population", se="StandardError",
              by="Area", reps=1000, seed=1).set_index("Area")
    assert np.isfinite(out.loc["area1", "sii"])
    assert np.isnan(out.loc["area2", ["sii", "sii_lower_ci", "rii"]].astype(float)).all()
    assert "4" in out.loc["area2", "note"] and "missing" in out.loc["area2", "note"]
    assert out.loc["area1", "note"] == ""


def test_seed_repeats_and_output_columns():
    block = PHE.iloc[0:20]
    a = sii(block, quantile="Quantile", value="Value", population="Population", se="StandardError", by="Area",
            reps=2000, seed=7)
    b = sii(block, quantile="Quantile", value="Value", population="Population", se="StandardError", by="Area",
            reps=2000, seed=7)
    pd.testing.assert_frame_equal(a, b)
    for col in ("Area", "sii", "sii_lower_ci", "sii_upper_ci", "rii", "rii_lower_ci", "rii_upper_ci",
                "method", "confidence", "note"):
        assert col in a.columns


def test_bad_input_is_a_plain_data_error():
    block = PHE.iloc[0:10].copy()
    with pytest.raises(DataError, match="either a standard error"):
        sii(block, quantile="Quantile", value="Value", population="Population")
    with pytest.raises(DataError, match="between 0 and 1"):
        sii(block, quantile="Quantile", value="Value", population="Population", se="StandardError", value_type=2)
    with pytest.raises(DataError, match="Popn"):
        sii(block, quantile="Quantile", value="Value", population="Popn", se="StandardError")
    block["Value"] = block["Value"].astype(object)
    block.loc[block.index[2], "Value"] = "n/a"
    with pytest.raises(DataError, match="row 3"):
        sii(block, quantile="Quantile", value="Value", population="Population", se="StandardError")


def _deciles(values, pops, ses):
    return pd.DataFrame({"q": range(1, len(values) + 1), "v": values, "n": pops, "s": ses})


values_st = st.lists(st.floats(5, 95), min_size=5, max_size=10)


@settings(max_examples=40, deadline=None)
@given(values=values_st, data=st.data())
def test_invariants(values, data):
    k = len(values)
    pops = data.draw(st.lists(st.integers(100, 10_000), min_size=k, max_size=k))
    ses = data.draw(st.lists(st.floats(0.1, 5), min_size=k, max_size=k))
    frame = _deciles(values, pops, ses)
    provenance.stamp(frame, source="synthetic", synthetic=True)
    out = sii(frame, quantile="q", value="v", population="n", se="s", reps=1000, seed=3)
    row = out.iloc[0]
    # intervals contain the estimate
    assert row["sii_lower_ci"] <= row["sii"] <= row["sii_upper_ci"]
    # the fitted line is b0 + b1 x with b0 = intercept and b1 = sii: the RII = (b0 + b1) / b0 means
    # something only while the line is above 0 at both ends
    if row["intercept"] > 0 and row["intercept"] + row["sii"] > 0:
        assert row["rii_lower_ci"] <= row["rii"] <= row["rii_upper_ci"]
    else:
        assert np.isnan(row["rii"]) and "RII not calculated" in row["note"]
    # synthetic in, synthetic out
    assert provenance.is_synthetic(out)
    # reversing the order of the quantiles flips the sign of the SII
    flipped = frame.assign(q=k + 1 - frame["q"])
    back = sii(flipped, quantile="q", value="v", population="n", se="s", reps=1000, seed=3)
    assert back["sii"].iloc[0] == pytest.approx(-row["sii"], rel=1e-9, abs=1e-9)
    # a negative multiplier flips the sign and inverts the RII
    neg = sii(frame, quantile="q", value="v", population="n", se="s", multiplier=-1, reps=1000, seed=3)
    assert neg["sii"].iloc[0] == pytest.approx(-row["sii"], rel=1e-9, abs=1e-9)
    assert neg["rii"].iloc[0] == pytest.approx(1 / row["rii"], rel=1e-9, nan_ok=True)


@settings(max_examples=20, deadline=None)
@given(percent=st.integers(1, 99), k=st.integers(5, 10), data=st.data())
def test_identical_groups_give_no_gap(percent, k, data):
    # populations in hundreds so that HEAT's rounding of value x population to counts is exact
    level = percent / 100
    pops = [100 * m for m in data.draw(st.lists(st.integers(1, 100), min_size=k, max_size=k))]
    frame = _deciles([level] * k, pops, [0.1] * k)
    phe = sii(frame, quantile="q", value="v", population="n", se="s", value_type=2, reps=1000, seed=1)
    assert phe["sii"].iloc[0] == pytest.approx(0, abs=1e-9)
    assert phe["rii"].iloc[0] == pytest.approx(1, abs=1e-9)
    heat = sii(frame.assign(v=frame["v"] * 100), quantile="q", value="v", population="n", method="heat",
               multiplier=100)
    assert heat["sii"].iloc[0] == pytest.approx(0, abs=1e-6)
    assert heat["rii"].iloc[0] == pytest.approx(1, abs=1e-6)


def test_many_groups_in_one_call_match_one_at_a_time():
    block = PHE.iloc[70:90]
    both = sii(block, quantile="Quantile", value="Value", population="Population", se="StandardError",
               value_type=1, by="Area", reps=1000, seed=2)
    one = sii(block[block["Area"] == "area2"], quantile="Quantile", value="Value", population="Population",
              se="StandardError", value_type=1, reps=1000, seed=2)
    assert both["sii"].iloc[1] == pytest.approx(one["sii"].iloc[0], rel=1e-12)


# --- issue 21: a clear DataError, or NA with a note stating the true reason ---

def _five(values, **cols):
    return pd.DataFrame({"q": range(1, 6), "v": values, "n": [1000] * 5, **cols})


def test_lower_limits_above_upper_limits_are_refused():
    frame = _five([10.0, 12, 14, 16, 18], lo=[9.0, 11, 15, 15, 17], hi=[11.0, 13, 13, 17, 19])
    with pytest.raises(DataError) as err:
        sii(frame, quantile="q", value="v", population="n", lower_ci="lo", upper_ci="hi")
    assert "above its upper limit" in str(err.value) and "row 3" in str(err.value) and "'lo'" in str(err.value)


def test_notes_name_the_true_reason_a_quantile_cannot_be_used():
    # a rate of 0 has no log, the scale PHE simulates rates on (it was reported as "missing")
    rates = sii(_five([0.0, 2, 3, 4, 5], s=[0.1] * 5), quantile="q", value="v", population="n", se="s",
                value_type=1, reps=1000, seed=1)
    assert np.isnan(rates["sii"][0])
    assert rates["note"][0].startswith("not calculated: quantile 1 with a rate of 0, whose log")
    assert "missing" not in rates["note"][0]
    # a proportion of 1 has no logit
    props = sii(_five([0.2, 0.4, 0.6, 0.8, 1.0], s=[0.1] * 5), quantile="q", value="v", population="n", se="s",
                value_type=2, reps=1000, seed=1)
    assert "quantile 5 with a proportion of 0 or 1, whose logit" in props["note"][0]
    # a lower limit of 0 gives no standard error on the log scale
    limits = sii(_five([1.0, 2, 3, 4, 5], lo=[0.0, 1, 2, 3, 4], hi=[2.0, 3, 4, 5, 6]), quantile="q", value="v",
                 population="n", lower_ci="lo", upper_ci="hi", value_type=1, reps=1000, seed=1)
    assert "quantile 1 with a confidence limit whose log is undefined" in limits["note"][0]
    # a quantile with no population, and one with no row at all
    gaps = _five([1.0, 2, 3, 4, 5], s=[0.1] * 5).assign(n=[1000, 0, 1000, 1000, 1000]).drop(index=4)
    out = sii(pd.concat([gaps, _five([1.0, 2, 3, 4, 5], s=[0.1] * 5).assign(q=range(6, 11))]).assign(
        a=["x"] * 4 + ["y"] * 5), quantile="q", value="v", population="n", se="s", by="a", reps=1000, seed=1)
    # the quantiles are those found in any group: 1-4 and 6-10
    assert "quantile 2 with no population" in out["note"][0] and "quantiles 6, 7, 8, 9, 10 missing" in out["note"][0]


def test_heat_sii_at_equality_or_with_an_infinitely_steep_fit():
    # healthequal stops at exact equality ("SII not calculated - all estimates have the same value");
    # here the SII is 0 and the RII 1, with no interval and the reason
    flat = sii(_five([30.0] * 5), quantile="q", value="v", population="n", method="heat", multiplier=100)
    assert flat["sii"][0] == 0 and flat["rii"][0] == 1
    assert np.isnan(flat["sii_lower_ci"][0]) and np.isnan(flat["rii_upper_ci"][0])
    assert "same value" in flat["note"][0]
    zero = sii(_five([0.0] * 5), quantile="q", value="v", population="n", method="heat", multiplier=100)
    assert np.isnan(zero["sii"][0]) and "value of 0" in zero["note"][0]
    # 0% in the two most deprived fifths and 100% in the rest: the logistic MLE is infinitely steep
    steep = sii(_five([0.0, 0, 100, 100, 100]), quantile="q", value="v", population="n", method="heat",
                multiplier=100)
    assert np.isnan(steep["sii"][0]) and "no finite fit" in steep["note"][0]
    # a steep but finite gradient keeps its limits within -100 to 100 percentage points
    near = sii(_five([1.0, 2, 50, 98, 99]), quantile="q", value="v", population="n", method="heat", multiplier=100)
    assert -100 <= near["sii_lower_ci"][0] <= near["sii"][0] <= near["sii_upper_ci"][0] <= 100
