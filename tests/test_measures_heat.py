"""WHO HEAT summary measures against healthequal's published test values, plus coverage and invariants.

Expected values: WHOequity/healthequal@3e7e040:tests/testthat/test-*.R, transcribed with their upstream
tolerances into tests/reference_data/heat/expected.csv (the file named in each row).
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import provenance
from equitylab.errors import DataError
from equitylab.measures import summary_measures
from equitylab.measures.heat import MEASURES

REF = Path(__file__).parent / "reference_data" / "heat"
ORD5 = pd.read_csv(REF / "ordered_5_inputs.csv")
NON25 = pd.read_csv(REF / "nonordered_25_inputs.csv")
EXPECTED = pd.read_csv(REF / "expected.csv")


def _run(dataset, reference_given):
    if dataset == "ordered_5":
        return summary_measures(ORD5, by="subgroup", value="estimate", se="se", population="population",
                                ordered="order", favourable=True, seed=1).set_index("measure")
    ref = NON25.loc[NON25["reference"] == 1, "subgroup"].iloc[0] if reference_given == "yes" else None
    return summary_measures(NON25, by="subgroup", value="estimate", se="se", population="population",
                            ordered=None, favourable=True, reference=ref, seed=1).set_index("measure")


# how our reported quantity relates to healthequal's (docs/heat-differences.md)
CONVERT = {
    "estimate": ("value", 1), "se": ("se", 1), "lower_ci": ("lower_ci", 1), "upper_ci": ("upper_ci", 1),
    "estimate_fraction": ("value", 100),     # RCI reported in %, as the Technical Notes define it
    "se_fraction_scale": ("se", None),       # PAF: Walter SE x100 (PAF in %); SII: SE x multiplier
    "se_log_scale": ("se", 1),
    "se_unscaled": ("se", 1000),             # TI/MLD: SE on the x1000 scale of the estimate
}


@pytest.mark.parametrize("row", EXPECTED.to_dict("records"),
                         ids=[f"{r['dataset']}-{r['measure']}-{r['quantity']}" for r in EXPECTED.to_dict("records")])
def test_healthequal_published_values(row):
    out = _run(row["dataset"], row["reference_given"])
    column, factor = CONVERT[row["quantity"]]
    if factor is None:
        factor = 100  # both the SII (multiplier 100) and the PAF (in %) are 100 x healthequal's fraction SE
    got = out.loc[row["measure"], column]
    assert got == pytest.approx(row["expected"] * factor, rel=row["tolerance"]), row["source_file"]


def test_simple_checks_from_the_technical_notes():
    out = _run("ordered_5", "no")
    # measures.md section 5: mu = 41.22449, D = 40 (SE 14.8661), R = 3 (CI 1.53474-5.86419)
    assert out.loc["D", "value"] == 40
    assert out.loc["D", "se"] == pytest.approx(14.8661, rel=1e-5)
    assert out.loc["R", "value"] == 3
    assert out.loc["R", "lower_ci"] == pytest.approx(1.53474, rel=1e-5)
    assert out.loc["R", "upper_ci"] == pytest.approx(5.86419, rel=1e-5)
    # Technical Notes analytic ACI SE with sigma = 5..14 is 2.567 (measures.md section 4.2), not HEAT's 0.294
    assert out.loc["ACI", "se"] == pytest.approx(2.567, abs=5e-4)
    # COV has no upstream test: it is 100 BGSD / mu
    mu = 41.22449
    assert out.loc["COV", "value"] == pytest.approx(100 * out.loc["BGSD", "value"] / mu, rel=1e-6)


def test_output_shape_and_labels():
    out = _run("ordered_5", "no").reset_index()
    assert list(out["measure"]) == [c for c in MEASURES]
    for col in ("measure", "name", "value", "lower_ci", "upper_ci", "se", "interpretation", "ordered_only"):
        assert col in out.columns
    assert out.set_index("measure").loc["SII", "ordered_only"]
    assert not out.set_index("measure").loc["BGV", "ordered_only"]
    assert out["name"].str.len().min() > 3
    # the reference is needed for MDRU/MDRW: NA with a note, not an exception
    assert np.isnan(out.set_index("measure").loc["MDRU", "value"])
    assert "reference" in out.set_index("measure").loc["MDRU", "note"]
    non = _run("nonordered_25", "no")
    assert "SII" not in non.index and "ACI" not in non.index  # ordered-only measures are left out


def test_intervals_contain_estimates_and_confidence_widens_them():
    narrow = summary_measures(ORD5, by="subgroup", value="estimate", se="se", population="population",
                              ordered="order", favourable=True, confidence=[0.9, 0.99], seed=2)
    ok = narrow["value"].notna()
    assert (narrow.loc[ok, "lower_ci_99"] <= narrow.loc[ok, "lower_ci_90"]).all()
    assert (narrow.loc[ok, "upper_ci_99"] >= narrow.loc[ok, "upper_ci_90"]).all()
    analytic = narrow["ci_method"].str.startswith(("analytic", "logistic"))
    assert ((narrow.loc[ok & analytic, "lower_ci_90"] <= narrow.loc[ok & analytic, "value"])
            & (narrow.loc[ok & analytic, "value"] <= narrow.loc[ok & analytic, "upper_ci_90"])).all()


def test_coverage_of_analytic_intervals_by_simulation():
    """Redraw the estimates around known true values: ~95% of the intervals should cover the truth.

    This is the check that shows HEAT's TI/MLD/PAF scaling would fail: an interval 1000x too narrow
    covers the truth almost never.
    """
    rng = np.random.default_rng(11)
    true = pd.DataFrame({"subgroup": list("abcde"), "order": range(1, 6), "population": [800, 900, 1600, 1000, 1100],
                         "estimate": [20.0, 30, 40, 50, 60], "se": [2.0, 2.5, 3, 3, 3.5]})
    codes = ["D", "R", "ACI", "RCI", "TI", "MLD"]
    truth = summary_measures(true, by="subgroup", value="estimate", se="se", population="population",
                             ordered="order", favourable=True, measures=codes).set_index("measure")["value"]
    hits = {c: 0 for c in codes}
    heat_ti_hits = 0
    trials = 300
    for _ in range(trials):
        noisy = true.assign(estimate=true["estimate"] + true["se"] * rng.standard_normal(5))
        out = summary_measures(noisy, by="subgroup", value="estimate", se="se", population="population",
                               ordered="order", favourable=True, measures=codes).set_index("measure")
        for c in codes:
            hits[c] += out.loc[c, "lower_ci"] <= truth[c] <= out.loc[c, "upper_ci"]
        half = 1.959964 * out.loc["TI", "se"] / 1000  # HEAT's unscaled SE on the x1000 estimate
        heat_ti_hits += abs(out.loc["TI", "value"] - truth["TI"]) <= half
    for c in codes:
        assert 0.90 <= hits[c] / trials <= 0.99, (c, hits[c] / trials)
    assert heat_ti_hits / trials < 0.05


@settings(max_examples=25, deadline=None)
@given(level=st.floats(1, 99), k=st.integers(3, 8), data=st.data())
def test_identical_groups_show_no_inequality(level, k, data):
    pops = data.draw(st.lists(st.integers(10, 5000), min_size=k, max_size=k))
    frame = pd.DataFrame({"subgroup": [f"s{i}" for i in range(k)], "order": range(1, k + 1), "population": pops,
                          "estimate": [level] * k, "se": [1.0] * k})
    provenance.stamp(frame, source="synthetic", synthetic=True)
    out = summary_measures(frame, by="subgroup", value="estimate", se="se", population="population",
                           ordered="order", favourable=True, measures=["D", "R", "ACI", "RCI", "BGV", "MDMU",
                                                                       "MDBW", "TI", "MLD", "PAF"],
                           simulations=100, seed=1).set_index("measure")["value"]
    for code in ("D", "ACI", "RCI", "BGV", "MDMU", "MDBW", "TI", "MLD", "PAF"):
        assert out[code] == pytest.approx(0, abs=1e-9), code
    assert out["R"] == pytest.approx(1)


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.floats(1, 99), min_size=3, max_size=8, unique=True), data=st.data())
def test_reversing_the_order_flips_aci_and_synthetic_is_labelled(values, data):
    k = len(values)
    pops = data.draw(st.lists(st.integers(10, 5000), min_size=k, max_size=k))
    frame = pd.DataFrame({"subgroup": [f"s{i}" for i in range(k)], "order": range(1, k + 1), "population": pops,
                          "estimate": values, "se": [1.0] * k})
    provenance.stamp(frame, source="synthetic", synthetic=True)
    kw = dict(by="subgroup", value="estimate", se="se", population="population", favourable=True,
              measures=["ACI", "RCI", "D"])
    a = summary_measures(frame, ordered="order", **kw).set_index("measure")["value"]
    b = summary_measures(frame.assign(order=k + 1 - frame["order"]), ordered="order", **kw)
    assert provenance.is_synthetic(b)
    b = b.set_index("measure")["value"]
    assert b["ACI"] == pytest.approx(-a["ACI"], abs=1e-9)
    assert b["RCI"] == pytest.approx(-a["RCI"], abs=1e-9)
    assert b["D"] == pytest.approx(-a["D"], abs=1e-9)


def test_errors_and_missing_data():
    with pytest.raises(DataError, match="not in column"):
        summary_measures(NON25, by="subgroup", value="estimate", se="se", population="population",
                         ordered=None, favourable=True, reference="nope")
    with pytest.raises(DataError, match="unknown summary measure"):
        summary_measures(ORD5, by="subgroup", value="estimate", se="se", population="population",
                         ordered="order", favourable=True, measures=["GINI"])
    gaps = NON25.copy()
    gaps.loc[:4, "estimate"] = np.nan  # 5 of 25 = 20% missing: HEAT's 15% rule says do not calculate
    out = summary_measures(gaps, by="subgroup", value="estimate", se="se", population="population",
                           ordered=None, favourable=True, measures=["BGV", "TI"])
    assert out["value"].isna().all() and out["note"].str.contains("15%").all()


# --- issue 21: every case gives a clear DataError, or NA with a note stating the true reason ---

def _groups(estimates, *, se=1.0, pops=None, ordered=True, **kw):
    k = len(estimates)
    frame = pd.DataFrame({"subgroup": [f"g{i + 1}" for i in range(k)], "order": range(1, k + 1),
                          "estimate": estimates, "se": se if np.ndim(se) else [se] * k,
                          "population": pops or [1000] * k})
    kw.setdefault("favourable", True)
    return summary_measures(frame, by="subgroup", value="estimate", se="se", population="population",
                            ordered="order" if ordered else None, seed=7, simulations=400,
                            **kw).set_index("measure")


def test_every_estimate_zero_on_an_ordered_dimension_gives_notes_not_an_exception():
    out = _groups([0.0] * 5)  # raised a bare ZeroDivisionError in heat.py
    for code in ("R", "RCI", "COV", "IDISU", "IDISW", "TI", "MLD", "PAF", "SII", "RII"):
        assert np.isnan(out.loc[code, "value"]), code
        assert out.loc[code, "note"].startswith("not calculated") and " 0" in out.loc[code, "note"], code
    assert out.loc["D", "value"] == 0 and out.loc["BGV", "value"] == 0  # 0 - 0, and no spread about 0


def test_mld_with_a_zero_estimate_is_na_and_ti_uses_0_ln_0():
    # y = 0, 10, 20, 30, 40 with equal populations: mu = 20, r = 0, .5, 1, 1.5, 2, so
    # TI = 1000/5 (0 + .5 ln .5 + 0 + 1.5 ln 1.5 + 2 ln 2) = 200 x 1.647918 = 329.5837 (0 ln 0 = 0).
    # HEAT's stand-in of 1e-6 for the 0 gave MLD 3,281 with limits of +-3.9e8.
    out = _groups([0.0, 10, 20, 30, 40])
    assert np.isnan(out.loc["MLD", "value"]) and "g1 has an estimate of 0" in out.loc["MLD", "note"]
    assert out.loc["TI", "value"] == pytest.approx(329.5837, abs=1e-4)
    # the 0 has a standard error of 1, and d(r ln r)/dr = 1 + ln r is infinite at 0: no interval
    assert np.isnan(out.loc["TI", "lower_ci"]) and "infinite" in out.loc["TI", "note"]
    # with a standard error of 0 for the 0 the Technical Notes' variance is finite: t = sum p r(1 + ln r)
    # = 1.3295837; var = 0.04 (1.045978 + 0.108626 + 0.005758 + 0.132178) / 20^2 = 1.29254e-4; SE x1000 = 11.369
    exact = _groups([0.0, 10, 20, 30, 40], se=[0.0, 1, 1, 1, 1])
    assert exact.loc["TI", "se"] == pytest.approx(11.369, abs=1e-3)
    assert exact.loc["TI", "lower_ci"] == pytest.approx(329.5837 - 1.959964 * 11.369, abs=5e-3)
    # the case that gave a negative MLD
    tiny = _groups([0.0, 0, 0, 0, 1e-9])
    assert np.isnan(tiny.loc["MLD", "value"]) and "have estimates of 0" in tiny.loc["MLD", "note"]
    assert tiny.loc["TI", "value"] == pytest.approx(1000 * np.log(5))  # everything in one of five equal groups


def test_estimates_above_100_are_refused_for_percentages():
    with pytest.raises(DataError) as err:
        _groups([50.0, 60, 70, 80, 150], se=5)
    assert "above 100" in str(err.value) and "row 5" in str(err.value) and "'estimate'" in str(err.value)
    # on another scale (per 1,000) the same numbers are fine
    out = _groups([50.0, 60, 70, 80, 150], se=5, multiplier=1000, measures=["BGSD"])
    assert out.loc["BGSD", "lower_ci"] <= out.loc["BGSD", "value"] <= out.loc["BGSD", "upper_ci"]


def test_equal_groups_get_no_simulated_interval_rather_than_one_that_excludes_the_estimate():
    # every group equal: BGSD is 0 and every draw lies above it (an interval of 0.33-1.46 before)
    codes = ["BGSD", "COV", "MDMU", "MDMW", "MDBU", "MDBW", "MDRU", "MDRW", "IDISU", "IDISW"]
    out = _groups([50.0] * 5, measures=codes, reference="g3")
    for code in codes:
        assert out.loc[code, "value"] == 0, code
        assert np.isnan(out.loc[code, "lower_ci"]) and np.isnan(out.loc[code, "upper_ci"]), code
        assert "no valid interval: the groups are too close to equal" in out.loc[code, "note"], code
    # clearly unequal groups: the bias-corrected percentile interval holds the estimate
    apart = _groups([20.0, 35, 50, 65, 80], measures=codes, reference="g3")
    for code in codes:
        assert apart.loc[code, "lower_ci"] <= apart.loc[code, "value"] <= apart.loc[code, "upper_ci"], code
        assert "bias-corrected" in apart.loc[code, "ci_method"]


def test_analytic_limits_stay_within_the_range_of_the_measure():
    # a small spread with large standard errors: BGV = (1 + 0 + 1) / 3 = 0.667 (equal populations) and its
    # symmetric interval would run below 0; the truncated one stops there
    out = _groups([49.0, 50, 51], se=5, measures=["BGV", "TI", "MLD"])
    assert out.loc["BGV", "value"] == pytest.approx(2 / 3)
    for code in ("BGV", "TI", "MLD"):
        assert out.loc[code, "value"] - 1.959964 * out.loc[code, "se"] < 0, code  # the untruncated limit
        assert out.loc[code, "lower_ci"] == 0, code
        assert out.loc[code, "upper_ci"] == pytest.approx(out.loc[code, "value"] + 1.959964 * out.loc[code, "se"])
        assert "within the measure's range" in out.loc[code, "ci_method"]
    # every group equal: the delta-method SE of TI and MLD is 0 although the estimates have SEs
    flat = _groups([50.0] * 4, measures=["TI", "MLD"])
    for code in ("TI", "MLD"):
        assert flat.loc[code, "value"] == 0 and np.isnan(flat.loc[code, "lower_ci"]), code
        assert "standard error is 0" in flat.loc[code, "note"], code


def test_paf_set_to_zero_has_its_interval_truncated_not_symmetric():
    # ordered, favourable: the most advantaged group (g3, 50) is below the average 60, so PAF and PAR are 0
    out = _groups([60.0, 70, 50], se=3)
    for code in ("PAF", "PAR"):
        assert out.loc[code, "value"] == 0, code
        assert out.loc[code, "lower_ci"] == 0 and out.loc[code, "upper_ci"] >= 0, code
        assert "set to 0" in out.loc[code, "note"] and "g3 (the most advantaged)" in out.loc[code, "note"], code
    # adverse indicator, best = lowest: PAF = 100 (50 - 60) / 60 = -16.67, limits between -100 and 0
    bad = _groups([60.0, 70, 50], se=3, ordered=False, favourable=False)
    assert bad.loc["PAF", "value"] == pytest.approx(-100 / 6)
    assert -100 <= bad.loc["PAF", "lower_ci"] <= bad.loc["PAF", "value"] <= bad.loc["PAF", "upper_ci"] <= 0


def test_paf_on_a_non_ordered_dimension_uses_the_best_subgroup_unless_paf_reference_is_given():
    ref = NON25.loc[NON25["reference"] == 1, "subgroup"].iloc[0]
    kw = dict(by="subgroup", value="estimate", se="se", population="population", ordered=None, favourable=True,
              measures=["PAF", "PAR", "MDRU"], seed=1)
    out = summary_measures(NON25, reference=ref, **kw).set_index("measure")
    # healthequal test-paf-nonordered.R: 24.06426 against the best subgroup, whatever reference is given
    assert out.loc["PAF", "value"] == pytest.approx(24.06426, rel=1e-4)
    assert "(the best)" in out.loc["PAF", "note"]
    assert out.loc["MDRU", "value"] == pytest.approx(7.2399998, rel=1e-4)  # healthequal test-mdru.R
    own = summary_measures(NON25, paf_reference=ref, **kw).set_index("measure")
    # the 14th subgroup's estimate of 62 is below the average, so there is nothing to gain: 0
    mu = np.average(NON25["estimate"], weights=NON25["population"])
    assert 62 < mu and own.loc["PAF", "value"] == 0
    assert f"reference subgroup: {ref} (given as paf_reference)" in own.loc["PAF", "note"]
    with pytest.raises(DataError, match="paf_reference"):
        summary_measures(NON25, paf_reference="nope", **kw)


def test_heat_sii_at_exact_equality_has_no_zero_width_interval():
    out = _groups([40.0] * 5, measures=["SII", "RII"])
    assert out.loc["SII", "value"] == 0 and out.loc["RII", "value"] == 1
    for code in ("SII", "RII"):
        assert np.isnan(out.loc[code, "lower_ci"]) and np.isnan(out.loc[code, "upper_ci"]), code
        assert "same value" in out.loc[code, "note"] and "healthequal stops" in out.loc[code, "note"], code
