"""dsr() and isr() against PHEindicatormethods' own test data.

Expected values: ukhsa-collaboration/PHEindicatormethods@093fd28:tests/testthat/testdata_DSR_ISR.xlsx,
sheets testresults_DSR and testresults_ISR (inputs: testdata_multiarea, testdata_nonindepe,
testdata_1976, refdata), copied to tests/reference_data/phe/.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from equitylab.errors import DataError
from equitylab.measures import dsr, isr
from equitylab.measures._standards import ESP2013, ESP2013_85PLUS
from equitylab.provenance import is_synthetic, stamp

REF = Path(__file__).parent / "reference_data" / "phe"
RTOL = 1e-8
COLS = [("value", "value"), ("lower_ci_95", "lower95_0cl"), ("upper_ci_95", "upper95_0cl"),
        ("lower_ci_99_8", "lower99_8cl"), ("upper_ci_99_8", "upper99_8cl")]


def _expected(sheet, rows):
    """Rows (0-based, as in the upstream sheet) of the expected results."""
    return pd.read_csv(REF / sheet).iloc[rows].set_index("area")


def _assert_matches(out, expected, cols=COLS, rtol=RTOL):
    out = out.set_index("area").loc[expected.index]
    for ours, theirs in cols:
        np.testing.assert_allclose(out[ours].to_numpy(float), expected[theirs].to_numpy(float),
                                   rtol=rtol, equal_nan=True, err_msg=ours)


def test_standard_populations():
    assert sum(ESP2013.values()) == 100_000 and len(ESP2013) == 19
    assert ESP2013_85PLUS["85+"] == 2500 and len(ESP2013_85PLUS) == 18 and sum(ESP2013_85PLUS.values()) == 100_000
    # the values in the project's shared copy of the standard (transcribed from Eurostat 2013)
    assert [ESP2013[b] for b in ("0-4", "35-39", "55-59", "80-84", "85-89", "90+")] == [5000, 7000, 6500, 2500, 1500, 1000]


def test_dsr_matches_phe_testresults():
    data = pd.read_csv(REF / "dsr_multiarea.csv")
    out = dsr(data, "count", "pop", age_band="ageband", by="area", confidence=[0.95, 0.998])
    # testresults_DSR rows 5-7 (per 100,000): big 10430.247991469423 (9717.709067985681-11178.940915479250)
    _assert_matches(out, _expected("dsr_results.csv", [4, 5, 6]))
    tiny = out.set_index("area").loc["testdata_tiny"]
    assert tiny["numerator"] == 9 and "fewer than 10" in tiny["note"]


def test_dsr_per_10000_and_padded_band_labels():
    data = pd.read_csv(REF / "dsr_multiarea.csv")
    data["ageband"] = data["ageband"].str.replace(r"^(\d)-(\d)$", r"0\1-0\2", regex=True)  # "00-04" as upstream
    out = dsr(data, "count", "pop", age_band="ageband", by="area", multiplier=10_000, confidence=[0.95, 0.998])
    _assert_matches(out, _expected("dsr_results.csv", [0, 1, 2]))


def test_dsr_non_independent_events_matches_phe():
    wide = pd.read_csv(REF / "dsr_nonindependent.csv")
    long = wide.melt(id_vars=["area", "ageband", "pop"], value_vars=["f1", "f2", "f3", "f4"],
                     var_name="freq", value_name="persons")
    long["freq"] = long["freq"].str[1:].astype(int)
    # upstream drops frequency 4 for these areas (data-raw/LoadTestdata.R)
    long = long[~(long["area"].isin(["testdata_nonind_dummy", "testdata_nonind_small", "testdata_nonind_tiny"])
                  & (long["freq"] == 4))]
    out = dsr(long, "persons", "pop", age_band="ageband", by="area", confidence=[0.95, 0.998],
              independent_events=False, events_per_person="freq")
    # testresults_DSR publishes these to 8 decimal places (e.g. big 9532.94977862)
    _assert_matches(out, _expected("dsr_results.csv", [8, 9, 10, 11]), rtol=1e-10)
    assert out.set_index("area").loc["testdata_nonind_big", "numerator"] == 895


def test_dsr_own_standard_column():
    data = pd.read_csv(REF / "dsr_esp1976.csv")
    out = dsr(data, "count", "pop", age_band="Age Band", standard="esp1976")
    # testresults_DSR row testdata_1976 per 100,000: 8592.097585022366 (7991.160931442103, 9225.253880318318)
    assert out["value"][0] == pytest.approx(8592.097585022366, rel=RTOL)
    assert out["lower_ci"][0] == pytest.approx(7991.160931442103, rel=RTOL)
    assert out["upper_ci"][0] == pytest.approx(9225.253880318318, rel=RTOL)


def test_dsr_bands_errors():
    data = pd.read_csv(REF / "dsr_multiarea.csv")
    bad = data.copy()
    bad.loc[3, "ageband"] = "15-20"
    with pytest.raises(DataError) as err:
        dsr(bad, "count", "pop", age_band="ageband", by="area")
    assert "15-20" in str(err.value) and "ageband" in str(err.value) and "row 4" in str(err.value)
    short = data.drop(index=5)
    with pytest.raises(DataError, match="25-29"):
        dsr(short, "count", "pop", age_band="ageband", by="area")
    with pytest.raises(DataError, match="events_per_person="):
        dsr(data, "count", "pop", age_band="ageband", independent_events=False)


def test_negative_counts_are_refused():
    """Issue 21: dsr with one band of x = -5 returned 450; isr with x = -3 returned -300 (0 to NaN)."""
    data = pd.read_csv(REF / "dsr_multiarea.csv")
    big = data[data["area"] == "testdata_big"].reset_index(drop=True)
    bad = big.copy()
    bad.loc[3, "count"] = -5
    with pytest.raises(DataError) as err:
        dsr(bad, "count", "pop", age_band="ageband")
    assert "negative" in str(err.value) and "row 4" in str(err.value) and "'count'" in str(err.value)
    rates = {b: 0.01 for b in ESP2013}
    with pytest.raises(DataError, match="negative"):
        isr(bad.assign(count=bad["count"].where(bad["count"] >= 0, -3)), "count", "pop", age_band="ageband",
            reference_rates=rates)
    with pytest.raises(DataError, match="negative"):
        dsr(big.assign(pop=-big["pop"]), "count", "pop", age_band="ageband")
    with pytest.raises(DataError, match="reference_rates"):
        isr(big, "count", "pop", age_band="ageband", reference_rates={**rates, "0-4": -0.1})


def test_dsr_lower_limit_stops_at_zero():
    """Dobson's lower limit, worked by hand: band a has 1 event in a population of 1 with standard
    weight 1000; band b has 10 000 events in 1e9 people with weight 1. A = 1000 + 1e-5,
    V = 1e6 + 1e-14, O = 10 001, so the limit (A + sqrt(V/O)(Byar_lower(O) - O)) / W is
    (1000 - 9.9995 x 195.97) / 1001 < 0. A rate cannot be negative: the limit is 0."""
    data = pd.DataFrame({"band": ["a", "b"], "x": [1.0, 10_000.0], "n": [1.0, 1e9], "std": [1000.0, 1.0]})
    out = dsr(data, "x", "n", age_band="band", standard="std", multiplier=1)
    byar_lower = 10_001 * (1 - 1 / (9 * 10_001) - 1.959964 / (3 * np.sqrt(10_001))) ** 3
    raw = (1000 + 1e-5 + np.sqrt((1e6 + 1e-14) / 10_001) * (byar_lower - 10_001)) / 1001
    assert raw < 0
    assert out["value"][0] == pytest.approx((1000 + 1e-5) / 1001)
    assert out["lower_ci"][0] == 0


def test_dsr_85plus_standard():
    data = pd.read_csv(REF / "dsr_multiarea.csv")
    big = data[data["area"] == "testdata_big"].copy()
    top = big[big["ageband"].isin(["85-89", "90+"])]
    merged = pd.concat([big[~big["ageband"].isin(["85-89", "90+"])],
                        pd.DataFrame({"area": ["testdata_big"], "ageband": ["85+"],
                                      "count": [top["count"].sum()], "pop": [top["pop"].sum()]})])
    out = dsr(merged, "count", "pop", age_band="ageband", standard="esp2013_85plus")
    by_hand = sum(ESP2013_85PLUS[b] * c / p for b, c, p in zip(merged["ageband"], merged["count"], merged["pop"]))
    assert out["value"][0] == pytest.approx(by_hand, rel=1e-12)
    assert out["lower_ci"][0] < out["value"][0] < out["upper_ci"][0]


def _isr_input():
    data = pd.read_csv(REF / "dsr_multiarea.csv")
    ref = pd.read_csv(REF / "isr_refdata.csv").rename(columns={"Age Band": "ageband"})
    return data.merge(ref, on="ageband")


@pytest.mark.parametrize("statistic,multiplier,rows", [
    ("ratio", 100, [9, 10, 11]), ("ratio", 1, [6, 7, 8]),
    ("rate", 100_000, [0, 1, 2]), ("rate", 1000, [3, 4, 5])])
def test_isr_matches_phe_testresults(statistic, multiplier, rows):
    out = isr(_isr_input(), "count", "pop", age_band="ageband", reference_numerator="refcount",
              reference_denominator="refpop", by="area", statistic=statistic, multiplier=multiplier, confidence=[0.95, 0.998])
    expected = _expected("isr_results.csv", rows)
    _assert_matches(out, expected)
    o = out.set_index("area")
    np.testing.assert_allclose(o.loc[expected.index, "expected"], expected["expected"], rtol=RTOL)
    assert list(o.loc[expected.index, "method"]) == list(expected["method"])
    if statistic == "rate":
        np.testing.assert_allclose(o["reference_rate"], expected["ref_rate"].iloc[0], rtol=RTOL)


def test_isr_with_reference_rates_mapping():
    data = _isr_input()
    ref = pd.read_csv(REF / "isr_refdata.csv")
    rates = dict(zip(ref["Age Band"], ref["refcount"] / ref["refpop"]))
    out = isr(data, "count", "pop", age_band="ageband", reference_rates=rates, by="area")
    # testresults_ISR: big ISR x 100 = 107.072329390203
    assert out.set_index("area").loc["testdata_big", "value"] == pytest.approx(107.072329390203, rel=RTOL)


def test_synthetic_in_synthetic_out():
    data = stamp(pd.read_csv(REF / "dsr_multiarea.csv"), source="synthetic", synthetic=True)
    assert is_synthetic(dsr(data, "count", "pop", age_band="ageband", by="area"))
    data = stamp(_isr_input(), source="synthetic", synthetic=True)
    assert is_synthetic(isr(data, "count", "pop", age_band="ageband", reference_numerator="refcount",
                            reference_denominator="refpop", by="area"))
