"""proportion() and rate() against PHEindicatormethods' own test data.

Expected values: ukhsa-collaboration/PHEindicatormethods@093fd28:tests/testthat/testdata_Proportion.xlsx
(sheet testdata_Prop), testdata_Rate.xlsx (testdata_Rate) and testdata_Byars_Wilson.xlsx, copied to
tests/reference_data/phe/ (see its README).
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab.errors import DataError
from equitylab.measures import access_vs_population, compare, funnel_limits, proportion, rate, suppress
from equitylab.measures.rates import byar_interval, wilson_interval
from equitylab.provenance import is_synthetic, stamp

REF = Path(__file__).parent / "reference_data" / "phe"
RTOL = 1e-8


def _check(result, expected, area_col="Area"):
    expected = expected.add_prefix("ref_").rename(columns={f"ref_{area_col}": area_col})
    merged = expected.merge(result, on=area_col, how="left")
    assert len(merged) == len(expected)
    for ours, theirs in [("value", "value"), ("lower_ci_95", "lower95_0cl"), ("upper_ci_95", "upper95_0cl"),
                         ("lower_ci_99_8", "lower99_8cl"), ("upper_ci_99_8", "upper99_8cl")]:
        np.testing.assert_allclose(merged[ours].to_numpy(float), merged["ref_" + theirs].to_numpy(float),
                                   rtol=RTOL, equal_nan=True, err_msg=ours)


@pytest.mark.parametrize("multiplier", [1, 100])
def test_proportion_matches_phe_testdata(multiplier):
    ref = pd.read_csv(REF / "proportion.csv")
    ref = ref[ref["multiplier"] == multiplier]
    out = proportion(ref, "Numerator", "Denominator", by="Area", multiplier=multiplier, confidence=[0.95, 0.998])
    assert (out["method"] == "Wilson").all()
    _check(out, ref)


@pytest.mark.parametrize("multiplier", [100, 100_000])
def test_rate_matches_phe_testdata(multiplier):
    ref = pd.read_csv(REF / "rate.csv")
    ref = ref[ref["multiplier"] == multiplier]
    out = rate(ref, "Numerator", "Denominator", by="Area", multiplier=multiplier, confidence=[0.95, 0.998])
    _check(out, ref)
    merged = ref.merge(out, on="Area")
    known = merged["method_x"].notna()
    assert (merged.loc[known, "method_x"] == merged.loc[known, "method_y"]).all()


def test_measures_md_worked_values():
    # measures.md section 5: x=222, n=3215 per 100,000 -> 6905.1321928460 (6026.5748776527, 7875.7293708719)
    out = rate(pd.DataFrame({"x": [222], "n": [3215]}), "x", "n")
    assert out["value"][0] == pytest.approx(6905.1321928460, rel=1e-10)
    assert out["lower_ci"][0] == pytest.approx(6026.5748776527, rel=1e-10)
    assert out["upper_ci"][0] == pytest.approx(7875.7293708719, rel=1e-10)
    assert out["method"][0] == "Byars"


def test_raw_byars_and_wilson_match_phe():
    ref = pd.read_csv(REF / "byars_wilson.csv")
    for _, row in ref.iterrows():
        level = 0.95 if row["confidence"] == "95%" else 0.998
        if row["method"] == "Byars":
            lo, hi = byar_interval(row["x"], level)
        else:
            lo, hi = wilson_interval(row["x"], row["n"], level)
        np.testing.assert_allclose([lo, hi], [row["lowercl"], row["uppercl"]], rtol=RTOL, equal_nan=True)


def test_one_level_gives_plain_column_names_and_group_sums():
    data = pd.DataFrame({"g": ["a", "a", "b"], "x": [1, 4, 20], "n": [50, 50, 100]})
    out = proportion(data, "x", "n", by="g")
    assert {"lower_ci", "upper_ci", "numerator", "denominator", "method", "confidence", "note"} <= set(out.columns)
    a = out.set_index("g").loc["a"]
    # grouped input is summed first: 5/100 -> PHE Area2 (5, 100): 2.154367915437, 11.175046923192
    assert a["value"] == pytest.approx(5.0)
    assert a["lower_ci"] == pytest.approx(2.154367915437, rel=1e-10)
    assert a["upper_ci"] == pytest.approx(11.175046923192, rel=1e-10)
    assert out["confidence"][0] == "95%"


def test_impossible_inputs_give_na_with_note():
    data = pd.DataFrame({"g": ["zero", "over", "ok"], "x": [1, 12, 3], "n": [0, 10, 10]})
    out = proportion(data, "x", "n", by="g").set_index("g")
    assert np.isnan(out.loc["zero", "value"]) and "denominator" in out.loc["zero", "note"]
    assert np.isnan(out.loc["over", "lower_ci"]) and "larger than the denominator" in out.loc["over", "note"]
    assert out.loc["ok", "note"] == ""
    r = rate(data, "x", "n", by="g").set_index("g")
    assert np.isnan(r.loc["zero", "value"]) and "population" in r.loc["zero", "note"]
    assert r.loc["over", "value"] == pytest.approx(120_000)  # events may exceed the population for a rate


def test_infinite_counts_are_refused_and_overflow_is_noted():
    """Issue 21: rate() with x = inf returned inf. An infinite count is a DataError naming the row;
    finite counts whose total is beyond floating point give NA with a note."""
    with pytest.raises(DataError) as err:
        rate(pd.DataFrame({"x": [3.0, np.inf], "n": [10.0, 10.0]}), "x", "n")
    assert "infinite" in str(err.value) and "row 2" in str(err.value) and "'x'" in str(err.value)
    with pytest.raises(DataError, match="infinite"):
        proportion(pd.DataFrame({"x": [1.0], "n": [np.inf]}), "x", "n")
    # 1e308 + 1e308 is beyond the largest double (about 1.8e308)
    out = rate(pd.DataFrame({"x": [1e308, 1e308], "n": [1.0, 1.0]}), "x", "n")
    assert np.isnan(out["value"][0]) and "too large" in out["note"][0]
    with pytest.raises(DataError, match="multiplier"):
        rate(pd.DataFrame({"x": [1], "n": [2]}), "x", "n", multiplier=0)


def test_wrong_columns_and_text_raise_data_error_naming_column():
    data = pd.DataFrame({"x": [1, "<5"], "n": [10, 10]})
    with pytest.raises(DataError) as err:
        proportion(data, "x", "n")
    assert "'x'" in str(err.value) and "row 2" in str(err.value)
    with pytest.raises(DataError, match="denom"):
        rate(pd.DataFrame({"x": [1]}), "x", "denom")
    with pytest.raises(DataError, match="'area'"):
        rate(pd.DataFrame({"x": [1], "n": [2]}), "x", "n", by="area")


def test_synthetic_in_synthetic_out():
    data = stamp(pd.DataFrame({"x": [3, 4], "n": [10, 20], "g": ["a", "b"]}), source="synthetic", synthetic=True)
    assert is_synthetic(proportion(data, "x", "n", by="g"))
    assert is_synthetic(rate(data, "x", "n", by=["g"]))


counts = st.tuples(st.integers(0, 10_000), st.integers(1, 10_000)).map(lambda t: (min(t), max(t)))


@settings(max_examples=40, deadline=None)
@given(counts, st.sampled_from([1, 100, 1000]), st.sampled_from([0.95, 0.998]))
def test_proportion_interval_contains_estimate_and_stays_in_range(xn, multiplier, level):
    x, n = xn
    out = proportion(pd.DataFrame({"x": [x], "n": [n]}), "x", "n", multiplier=multiplier, confidence=level)
    lo, v, hi = out["lower_ci"][0], out["value"][0], out["upper_ci"][0]
    tol = 1e-9 * multiplier
    assert -tol <= lo <= v + tol and v - tol <= hi <= multiplier + tol


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 100_000), st.integers(1, 10**7), st.sampled_from([0.95, 0.998]))
def test_rate_interval_contains_estimate(x, n, level):
    out = rate(pd.DataFrame({"x": [x], "n": [n]}), "x", "n", confidence=level)
    lo, v, hi = out["lower_ci"][0], out["value"][0], out["upper_ci"][0]
    assert (np.isnan(lo) or lo <= v * (1 + 1e-12)) and v <= hi and out["method"][0] == ("Exact" if x < 10 else "Byars")


@settings(max_examples=8, deadline=None)
@given(st.booleans(), st.lists(st.integers(0, 50), min_size=2, max_size=5))
def test_every_measure_carries_the_synthetic_label(synthetic, xs):
    data = pd.DataFrame({"g": [f"g{i}" for i in range(len(xs))], "x": xs, "n": [x + 10 for x in xs]})
    stamp(data, source="synthetic" if synthetic else "file", synthetic=synthetic)
    pop = pd.DataFrame({"group": data["g"], "population": data["n"] * 100})
    outputs = [proportion(data, "x", "n", by="g"), rate(data, "x", "n", by="g"),
               compare(data, by="g", numerator="x", denominator="n"),
               funnel_limits(data, "x", "n"), suppress(data, count_columns=["x", "n"]),
               access_vs_population(data, pop, dimension="g", count="x")]
    assert all(is_synthetic(o) == synthetic for o in outputs)


def test_groups_follow_category_order_with_missing_labels_last_and_missing_values_noted():
    # Worked by hand: b has rows 0, 2, 5 (x = 1, blank, 1: no total, one row noted), a has rows 1
    # and 4 (x = 0 + 1 of 2), and row 3 has no group: a group of its own, after the categories.
    data = pd.DataFrame({"g": pd.Categorical(["b", "a", "b", None, "a", "b"], categories=["b", "a"]),
                         "x": pd.array([1, 0, None, 1, 1, 1], dtype="Int64"),
                         "n": np.ones(6, dtype="int8")})
    stamp(data, source="file", description="hand-made")
    out = proportion(data, "x", "n", by="g")
    assert out["g"].astype(object).where(out["g"].notna(), None).tolist() == ["b", "a", None]
    assert out["denominator"].tolist() == [3, 2, 1]
    np.testing.assert_array_equal(out["numerator"], [np.nan, 1, 1])
    np.testing.assert_array_equal(out["value"], [np.nan, 50, 100])
    assert np.isnan(out["lower_ci"][0]) and np.isnan(out["upper_ci"][0])
    assert out["note"].tolist() == ["1 row(s) with no x", "", ""]
    assert out.attrs["description"] == "hand-made" and out.attrs["source"] == "file"


def test_two_grouping_columns_sort_each_and_put_a_missing_decile_last():
    # sex F/M by decile (1, 2, blank): four combinations occur; M with decile 2 has a blank event
    data = pd.DataFrame({"sex": ["M", "F", "F", "M", "F", "F"],
                         "decile": pd.array([2, 1, None, 2, 1, 2], dtype="Int8"),
                         "event": pd.array([True, False, True, None, True, False], dtype="boolean")})
    data["people"] = 1
    out = rate(data, "event", "people", by=["sex", "decile"], multiplier=1)
    keys = [(s, None if pd.isna(d) else int(d)) for s, d in zip(out["sex"], out["decile"])]
    assert keys == [("F", 1), ("F", 2), ("F", None), ("M", 2)]
    np.testing.assert_array_equal(out["numerator"], [1, 0, 1, np.nan])
    assert out["denominator"].tolist() == [2, 1, 1, 2]
    assert out["note"].tolist() == ["", "", "", "1 row(s) with no event"]


def test_without_by_everything_is_one_group_even_with_no_rows():
    out = proportion(pd.DataFrame({"x": [3, 4], "n": [10, 10]}), "x", "n")
    assert len(out) == 1 and out["numerator"][0] == 7 and out["denominator"][0] == 20
    empty = rate(pd.DataFrame({"x": pd.Series([], dtype=float), "n": pd.Series([], dtype=float)}), "x", "n")
    assert len(empty) == 1 and np.isnan(empty["value"][0]) and "population is 0" in empty["note"][0]
