"""compare(): gaps, ratios and labels."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab.errors import DataError
from equitylab.measures import compare
from equitylab.provenance import is_synthetic, stamp


def test_difference_of_proportions_matches_newcombe_1998():
    # Newcombe RG (1998) Stat Med 17:873-890, Table II example (a): 56/70 - 48/80 = 0.2000,
    # method 10 (score, no continuity correction): 0.0524 to 0.3339.
    data = pd.DataFrame({"g": ["a", "b"], "x": [56, 48], "n": [70, 80]})
    out = compare(data, by="g", reference="b", numerator="x", denominator="n", multiplier=1).set_index("g")
    assert out.loc["a", "difference"] == pytest.approx(0.2)
    assert out.loc["a", "difference_lower_ci_95"] == pytest.approx(0.0524, abs=5e-5)
    assert out.loc["a", "difference_upper_ci_95"] == pytest.approx(0.3339, abs=5e-5)
    assert out.loc["a", "label"] == "higher" and out.loc["b", "label"] == "reference"
    # Katz log interval for the ratio of proportions: se = sqrt(1/56 - 1/70 + 1/48 - 1/80)
    se = np.sqrt(1 / 56 - 1 / 70 + 1 / 48 - 1 / 80)
    assert out.loc["a", "ratio_lower_ci_95"] == pytest.approx((0.8 / 0.6) * np.exp(-1.959963985 * se), rel=1e-8)
    # at 99.8% the gap's interval includes 0, so a 99.8% label would say "similar"
    assert out.loc["a", "difference_lower_ci_99_8"] < 0
    strict = compare(data, by="g", reference="b", numerator="x", denominator="n", confidence=0.998)
    assert strict.set_index("g").loc["a", "label"] == "similar"
    assert strict["confidence"][0] == "99.8%"


def test_overall_reference_uses_group_interval_and_polarity_words():
    data = pd.DataFrame({"g": ["a", "b", "c"], "x": [5, 20, 40], "n": [100, 100, 100]})
    out = compare(data, by="g", numerator="x", denominator="n", polarity="low_is_good").set_index("g")
    assert out["reference_value"].iloc[0] == pytest.approx(65 / 300 * 100)
    assert list(out["label"]) == ["better", "similar", "worse"]
    # Fingertips benchmark method: the group's own 95% Wilson interval against the overall value
    assert out.loc["a", "upper_ci"] < out.loc["a", "reference_value"] < out.loc["b", "upper_ci"]
    high = compare(data, by="g", numerator="x", denominator="n", polarity="high_is_good").set_index("g")
    assert list(high["label"]) == ["worse", "similar", "better"]
    plain = compare(data, by="g", numerator="x", denominator="n").set_index("g")
    assert list(plain["label"]) == ["lower", "similar", "higher"]
    assert "is higher than overall" in plain.loc["c", "sentence"]
    assert "similar to overall" in plain.loc["b", "sentence"]
    for s in plain["sentence"]:
        assert "because" not in s and "cause" not in s


def test_rates_and_ready_made_values():
    data = pd.DataFrame({"area": ["x", "y"], "deaths": [30, 60], "pop": [100_000, 100_000]})
    out = compare(data, by="area", reference="x", numerator="deaths", denominator="pop", kind="rate").set_index("area")
    assert out.loc["y", "ratio"] == pytest.approx(2.0)
    se = np.sqrt(1 / 60 + 1 / 30)
    assert out.loc["y", "ratio_upper_ci_95"] == pytest.approx(2 * np.exp(1.959963985 * se), rel=1e-8)
    ready = pd.DataFrame({"g": ["a", "b"], "v": [10.0, 20.0], "lo": [8.0, 17.0], "hi": [12.0, 23.0]})
    out = compare(ready, by="g", reference=15.0, value="v", lower_ci="lo", upper_ci="hi").set_index("g")
    assert list(out["label"]) == ["lower", "higher"]
    assert out["confidence"].tolist() == ["95%", "95%"]
    # limits given at 99.8%: the results are at that level, and say so
    strict = compare(ready, by="g", reference=15.0, value="v", lower_ci="lo", upper_ci="hi", confidence=0.998)
    assert strict["confidence"][0] == "99.8%"
    assert strict["difference_lower_ci_99_8"].tolist() == [8.0 - 15.0, 17.0 - 15.0]
    assert "difference_lower_ci_95" not in strict.columns
    with pytest.raises(DataError, match="overall"):
        compare(ready, by="g", value="v", lower_ci="lo", upper_ci="hi")
    with pytest.raises(DataError, match="'zz'"):
        compare(ready, by="g", reference="zz", value="v", lower_ci="lo", upper_ci="hi")
    with pytest.raises(DataError, match="lower_ci="):
        compare(ready, by="g", reference=15.0, value="v")


def test_synthetic_in_synthetic_out():
    data = stamp(pd.DataFrame({"g": ["a", "b"], "x": [5, 9], "n": [50, 60]}), source="synthetic", synthetic=True)
    assert is_synthetic(compare(data, by="g", numerator="x", denominator="n"))


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 500), st.integers(0, 500), st.sampled_from(["proportion", "rate"]))
def test_identical_groups_have_no_gap(extra, x, kind):
    n = x + extra
    data = pd.DataFrame({"g": ["a", "b"], "x": [x, x], "n": [n, n]})
    out = compare(data, by="g", reference="a", numerator="x", denominator="n", kind=kind).set_index("g")
    assert out.loc["b", "difference"] == 0
    assert out.loc["b", "label"] in ("similar", "not compared")
    if x > 0:
        assert out.loc["b", "ratio"] == pytest.approx(1.0)
        assert out.loc["b", "difference_lower_ci_95"] <= 0 <= out.loc["b", "difference_upper_ci_95"]
        assert out.loc["b", "ratio_lower_ci_99_8"] <= 1 <= out.loc["b", "ratio_upper_ci_99_8"]


def test_ratios_with_a_zero_say_why_instead_of_inf_or_nan():
    """Issue 21: a reference count of 0 gave ratio = inf, a group count of 0 an upper limit of NaN, unnoted."""
    data = pd.DataFrame({"g": ["a", "b", "c"], "x": [0, 5, 10], "n": [100, 100, 100]})
    zero_ref = compare(data, by="g", reference="a", numerator="x", denominator="n").set_index("g")
    for g in ("b", "c"):
        assert np.isnan(zero_ref.loc[g, "ratio"]) and np.isnan(zero_ref.loc[g, "ratio_upper_ci_95"])
        assert zero_ref.loc[g, "note"] == "no ratio: the value of a is 0, and a ratio divides by it"
    # the gap is still defined: 5% - 0%, with Newcombe's interval
    assert zero_ref.loc["b", "difference"] == pytest.approx(5.0)
    zero_group = compare(data, by="g", reference="b", numerator="x", denominator="n").set_index("g")
    # 0 / 5 = 0, but the Katz log interval needs an event in each group (its SE has 1/x)
    assert zero_group.loc["a", "ratio"] == 0
    assert np.isnan(zero_group.loc["a", "ratio_lower_ci_95"]) and np.isnan(zero_group.loc["a", "ratio_upper_ci_95"])
    assert "no events" in zero_group.loc["a", "note"]
    # 10/5 = 2 with the Katz interval exp(+-1.959964 sqrt(1/10 - 1/100 + 1/5 - 1/100)) = 0.709 to 5.642
    assert zero_group.loc["c", "ratio_lower_ci_95"] == pytest.approx(2 * np.exp(-1.959964 * np.sqrt(0.28)), rel=1e-6)
    assert zero_group.loc["c", "note"] == ""
    bench = compare(data, by="g", reference=0, numerator="x", denominator="n")
    assert bench["ratio"].isna().all() and (bench["note"] == "no ratio: the benchmark is 0, and a ratio divides by it").all()


def test_ready_made_values_outside_their_limits_are_refused():
    data = pd.DataFrame({"g": ["a", "b"], "v": [10.0, 20.0], "lo": [8.0, 22.0], "hi": [12.0, 18.0]})
    with pytest.raises(DataError) as err:
        compare(data, by="g", reference="a", value="v", lower_ci="lo", upper_ci="hi")
    assert "outside its own confidence limits" in str(err.value) and "row 2" in str(err.value)
