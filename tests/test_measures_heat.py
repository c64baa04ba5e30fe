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
                           simulations=50, seed=1).set_index("measure")["value"]
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
