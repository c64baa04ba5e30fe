"""intersectional() (MAIHDA) against lme4, and its handling of missing categories, small numbers and bad input.

Reference values: ``tests/reference_data/maihda/fit_lme4.R`` fitted each data set there with lme4 1.1-31
(``glmer(..., family = binomial, nAGQ = 10)``; ``lmer(..., REML = TRUE)``) and committed its output
(``lme4_summary.json``, ``lme4_strata_*.csv``). Tolerances are the issue's: between-stratum variances within
2% relative (0.002 absolute below 0.1), VPC and PCV within 0.5 points, predicted proportions within 0.002.
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from scipy.stats import norm

from equitylab.errors import DataError
from equitylab.measures import intersectional

HERE = Path(__file__).parent / "reference_data" / "maihda"
LME4 = json.loads((HERE / "lme4_summary.json").read_text(encoding="utf-8"))


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(HERE / f"{name}.csv")


def _fit(name: str, **kwargs):
    spec = LME4[name]
    outcome = {"numerator": spec["outcome"]} if spec["family"] == "binomial" else {"value": spec["outcome"]}
    return intersectional(_data(spec["data"]), by=spec["by"], **outcome, **kwargs)


def _close_variance(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= (0.002 if theirs < 0.1 else 0.02 * theirs)


@pytest.fixture(scope="module", params=sorted(LME4))
def fitted(request):
    name = request.param
    result = _fit(name)
    lme4 = pd.read_csv(HERE / f"lme4_strata_{name}.csv")
    merged = result.strata.merge(lme4, on=LME4[name]["by"], suffixes=("", "_lme4"), validate="one_to_one")
    return name, LME4[name], result, lme4, merged


def test_variances_vpc_and_pcv_agree_with_lme4(fitted):
    name, spec, result, _, _ = fitted
    assert _close_variance(result.variance, spec["model1"]["sigma2_u"]), name
    assert _close_variance(result.variance_adjusted, spec["model2"]["sigma2_u"]), name
    assert abs(result.vpc - spec["model1"]["vpc"]) <= 0.5
    assert abs(result.pcv - spec["pcv"]) <= 0.5


def test_the_same_strata_and_counts_as_lme4(fitted):
    _, spec, result, lme4, merged = fitted
    assert len(merged) == len(lme4) == len(result.strata) == spec["strata"]
    assert (merged["n"] == merged["n_lme4"]).all()
    assert result.people == spec["n"]
    if spec["family"] == "binomial":
        assert (merged["events"] == merged["events_lme4"]).all()


def test_predicted_values_agree_with_lme4(fitted):
    _, spec, _, _, merged = fitted
    tolerance = 0.002 if spec["family"] == "binomial" else 0.01  # proportions; days for the continuous sets
    assert np.max(np.abs(merged["predicted"] - merged["predicted_lme4"])) <= tolerance


def test_intervals_are_lme4s_fixed_covariance_plus_conditional_variance(fitted):
    """The documented interval, built from lme4's vcov and condVar, is ours to 0.002."""
    _, spec, _, _, m = fitted
    z = norm.ppf(0.975)
    linear = m["m2_fixed"] + m["m2_mode"]
    half = z * np.sqrt(m["m2_fixed_var"] + m["m2_condvar"])
    link = expit if spec["family"] == "binomial" else (lambda x: x)
    tolerance = 0.002 if spec["family"] == "binomial" else 0.01
    assert np.max(np.abs(m["lower_ci"] - link(linear - half))) <= tolerance
    assert np.max(np.abs(m["upper_ci"] - link(linear + half))) <= tolerance


def test_interactions_are_lme4s_stratum_effects(fitted):
    _, spec, _, _, m = fitted
    z = norm.ppf(0.975)
    effect = np.exp if spec["family"] == "binomial" else (lambda x: x)
    tolerance = 0.002 if spec["family"] == "binomial" else 0.01
    assert np.max(np.abs(m["interaction"] - effect(m["m2_mode"]))) <= tolerance
    upper = effect(m["m2_mode"] + z * np.sqrt(m["m2_condvar"]))
    assert np.max(np.abs(m["interaction_upper_ci"] - upper)) <= tolerance


def test_log_likelihoods_agree_with_lme4(fitted):
    _, spec, result, _, _ = fitted
    assert result.models["model1"].loglik == pytest.approx(spec["model1"]["logLik"], abs=1e-3)
    assert result.models["model2"].loglik == pytest.approx(spec["model2"]["logLik"], abs=1e-3)


def test_aggregated_counts_give_the_same_fit_as_patient_rows():
    spec = LME4["binary_interaction"]
    rows = _data("binary_interaction")
    counts = (rows.groupby(spec["by"], dropna=False).agg(events=("readmitted", "sum"), people=("readmitted", "size"))
              .reset_index())
    a = intersectional(rows, by=spec["by"], numerator="readmitted")
    b = intersectional(counts, by=spec["by"], numerator="events", denominator="people")
    assert b.variance == pytest.approx(a.variance, rel=1e-6)
    assert b.variance_adjusted == pytest.approx(a.variance_adjusted, rel=1e-6)
    assert np.allclose(b.strata["predicted"], a.strata["predicted"], atol=1e-8)
    assert b.left_out_rows == a.left_out_rows


def test_missing_categories_are_left_out_and_counted():
    rows = _data("binary_small")
    result = intersectional(rows, by=["ethnicity", "sex", "imd_quintile"], numerator="readmitted")
    for column, label in (("ethnicity", "Not stated"), ("sex", "Not known")):
        assert label not in set(result.strata[column])
        assert result.left_out[column][label] == int((rows[column] == label).sum())
    assert result.left_out["imd_quintile"]["blank"] == int(rows["imd_quintile"].isna().sum())
    missing = (rows["ethnicity"] == "Not stated") | (rows["sex"] == "Not known") | rows["imd_quintile"].isna()
    assert result.left_out_rows == int(missing.sum())
    assert result.people == int((~missing).sum())
    assert f"{int(missing.sum())} rows are left out" in result.describe()


def test_rows_without_an_outcome_are_left_out_and_counted():
    rows = _data("gaussian_interaction")
    rows.loc[rows.index[:25], "waiting_days"] = np.nan
    result = intersectional(rows, by=["ethnicity", "sex", "imd_quintile"], value="waiting_days")
    assert result.outcome_missing == 25
    assert "25 rows have no waiting_days recorded" in result.describe()


def test_a_stratum_with_no_events_is_kept_and_estimated():
    result = _fit("binary_small")
    zero = result.strata.query("ethnicity == 'Black' and sex == 'Female' and imd_quintile == 2").iloc[0]
    assert zero["events"] == 0 and zero["n"] > 7
    assert 0 < zero["lower_ci"] < zero["predicted"] < zero["upper_ci"]  # shrunk away from the observed 0%


def test_publish_hides_small_strata_in_full_and_says_how_many():
    team = _fit("binary_small")
    publish = _fit("binary_small", audience="publish")
    t = team.strata
    small = (t["n"].between(1, 7) | t["events"].between(1, 7) | (t["n"] - t["events"]).between(1, 7))
    shown = publish.strata
    assert not (shown["n"].between(1, 7) | shown["events"].between(1, 7)
                | (shown["n"] - shown["events"]).between(1, 7)).any()
    assert len(shown) == len(t) - publish.hidden_strata and publish.hidden_strata >= small.sum()
    key = ["ethnicity", "sex", "imd_quintile"]
    hidden = t.merge(shown[key], on=key, how="left", indicator=True).query("_merge == 'left_only'")
    for column in key:  # no group is left with a single hidden stratum to be worked out from its total
        assert not (hidden[column].value_counts() == 1).any()
    text = publish.describe()
    assert f"{publish.hidden_strata} of {len(t)} strata are not shown" in text
    assert "Small numbers" not in text and publish.banner is None
    assert f"lies between the {len(t)} strata (the variance" in text  # no total that hidden strata could come from


def test_team_shows_every_stratum_under_the_banner():
    result = _fit("binary_small")
    assert len(result.strata) == LME4["binary_small"]["strata"]
    assert result.banner == "Small numbers: for the team only, do not share."
    assert result.describe().startswith(result.banner)
    assert result.strata.attrs["banner"] == result.banner


def test_pcv_is_na_with_a_note_when_the_strata_do_not_differ():
    grid = pd.MultiIndex.from_product([["A", "B", "C"], ["F", "M"], [1, 2, 3]], names=["g1", "g2", "g3"])
    same = pd.DataFrame(index=grid).reset_index().assign(events=20, people=100)
    result = intersectional(same, by=["g1", "g2", "g3"], numerator="events", denominator="people")
    assert result.variance == pytest.approx(0, abs=1e-6)
    assert np.isnan(result.pcv)
    assert "cannot be worked out" in result.describe()
    assert np.allclose(result.strata["predicted"], 0.2, atol=1e-6)


def test_model2_variance_near_zero_means_pcv_100_and_no_interaction_named():
    result = _fit("binary_additive")
    assert result.variance_adjusted < 1e-6 and result.pcv == pytest.approx(100, abs=0.5)
    assert (result.strata["beyond_main_effects"] == "as predicted").all()
    assert "PCV 100%" in result.describe()


def test_groups_of_concern_follow_the_polarity():
    low = _fit("gaussian_interaction", polarity="low_is_good")
    assert set(low.strata.loc[low.concern(), "versus_overall"]) == {"higher"}
    high = _fit("gaussian_interaction", polarity="high_is_good")
    assert set(high.strata.loc[high.concern(), "versus_overall"]) == {"lower"}
    count = int(low.concern().sum())
    assert f"For {count} of the 50 combinations of ethnicity, sex and imd_quintile, waiting_days is higher than " \
           f"the overall {low.overall:.1f} by more than chance" in low.describe()
    first = low.strata.iloc[0]
    assert first["lower_ci"] > low.overall  # the top stratum by estimate is clearly above the overall mean


def test_describe_names_strata_beyond_their_main_effects():
    result = _fit("gaussian_interaction")
    beyond = result.strata[result.strata["beyond_main_effects"] == "higher"].iloc[0]
    assert beyond["interaction_lower_ci"] > 0
    label = f"{beyond['ethnicity']}, {beyond['sex']}, imd_quintile {beyond['imd_quintile']:g}"
    assert (f"Beyond what their ethnicity, sex and imd_quintile alone predict: {label}, {beyond['predicted']:.1f} "
            f"against {beyond['main_effects']:.1f} predicted") in result.describe()


def test_strata_carry_the_inputs_provenance():
    rows = _data("binary_interaction")
    rows.attrs.update(source="synthetic", synthetic=True, licence="n/a (synthetic)")
    result = intersectional(rows, by=["ethnicity", "sex"], numerator="readmitted", audience="publish")
    assert result.strata.attrs["synthetic"] is True and result.strata.attrs["source"] == "synthetic"


@pytest.mark.parametrize("kwargs, words", [
    ({"by": ["ethnicity"], "numerator": "readmitted"}, "two or more group columns"),
    ({"by": ["ethnicity", "sex"]}, "either numerator="),
    ({"by": ["ethnicity", "sex"], "numerator": "readmitted", "value": "readmitted"}, "either numerator="),
    ({"by": ["ethnicity", "sex"], "value": "readmitted", "denominator": "n"}, "denominator= goes with"),
    ({"by": ["ethnicity", "postcode"], "numerator": "readmitted"}, "column named 'postcode'"),
    ({"by": ["ethnicity", "sex"], "numerator": "readmitted", "audience": "public"}, "audience must be"),
    ({"by": ["ethnicity", "sex"], "numerator": "readmitted", "polarity": "up"}, "polarity must be"),
    ({"by": ["ethnicity", "sex"], "numerator": "imd_quintile"}, "must hold 0 or 1"),
    ({"by": ["ethnicity", "readmitted"], "numerator": "readmitted"}, "both a group column and the outcome"),
])
def test_bad_input_is_a_plain_data_error(kwargs, words):
    with pytest.raises(DataError, match=words.replace("(", r"\(")):
        intersectional(_data("binary_small"), **kwargs)


def test_events_above_people_names_the_rows():
    counts = pd.DataFrame({"a": ["u", "u", "v", "v"], "b": ["p", "q", "p", "q"], "e": [1, 9, 2, 3],
                           "n": [5, 8, 5, 5]})
    with pytest.raises(DataError, match=r"cannot be more than 'n'.*row 2"):
        intersectional(counts, by=["a", "b"], numerator="e", denominator="n")


def test_text_in_a_value_column_is_named():
    rows = _data("gaussian_interaction").astype({"waiting_days": object})
    rows.loc[4, "waiting_days"] = "unknown"
    with pytest.raises(DataError, match=r"'waiting_days' must hold numbers \(.*row 5"):
        intersectional(rows, by=["ethnicity", "sex"], value="waiting_days")


def test_strata_that_decide_each_other_are_refused():
    rows = pd.DataFrame({"a": list("uuvvww") * 20, "b": list("ppqqrr") * 20, "y": [0, 1] * 60})
    with pytest.raises(DataError, match="go together"):
        intersectional(rows, by=["a", "b"], numerator="y")


def test_no_warnings_for_clean_input():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _fit("binary_interaction_two")


def test_caterpillar_is_valid_vega_lite_and_names_the_strata_of_concern():
    result = _fit("gaussian_interaction", polarity="low_is_good")
    chart = result.chart(indicator="Waiting time (days)")
    spec = chart.to_dict(validate=True)
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(rows) == len(result.strata)
    worst = result.strata[result.concern()].iloc[0]
    assert f"{worst['ethnicity']}, {worst['sex']}, imd_quintile {worst['imd_quintile']:g}" in chart.description
    assert f"{int(result.concern().sum())} of {len(result.strata)} strata are of concern" in " ".join(
        spec["title"]["text"])


def test_caterpillar_in_publish_draws_no_hidden_stratum():
    result = _fit("binary_additive", audience="publish")  # binary_small hides every stratum when published
    spec = result.chart().to_dict(validate=True)
    rows = spec["datasets"][next(iter(spec["datasets"]))]
    assert len(rows) == len(result.strata) < result.total_strata
    assert min(r["people"] for r in rows) > 7
    assert f"{result.hidden_strata} strata with small numbers are not shown" in result.chart().description


def test_a_group_with_small_strata_also_hides_a_large_one():
    """A group's strata add up to its size, which a report gives elsewhere. Group A (25 people) has
    strata of 2 and 3 beside one of 20: hiding only the 2 and the 3 (the one-complement rule sees two
    hidden and stops) leaves their sum, 5, known, and each is 1 to 4. So A's 20 is hidden too, and the
    attacker leaves each small stratum 1 to 7."""
    from equitylab.measures.maihda_result import hide_small
    from joint import Joint, too_narrow

    table = pd.DataFrame({"g": list("AAABBB"), "h": list("xyzxyz"), "n": [2, 3, 20, 30, 25, 40]})
    small, hidden = hide_small(table, ["g", "h"], binary=False)
    assert small.tolist() == [True, True, False, False, False, False]
    assert hidden[2]  # A's 20

    def attack(hidden_rows):
        j = Joint()
        for i, (g, h, n) in enumerate(table.itertuples(index=False)):
            key = (g, h)
            if not hidden_rows[i]:
                j.shown(key, n)
            elif small[i]:
                j.hidden_small(key)
            else:
                j.hidden_other(key)
        for column in ("g", "h"):  # each group's size is published
            for level, part in table.groupby(column):
                j.add({j.count(tuple(r)): 1 for r in part[["g", "h"]].itertuples(index=False)},
                      part["n"].sum(), part["n"].sum())
        return too_narrow(j.ranges())

    old_rule = np.array([True, True, False, True, True, False])  # the 2, the 3 and their one complements
    assert sorted(lo_hi for _, *lo_hi in attack(old_rule)) == [[1, 4], [1, 4]]
    assert attack(hidden) == []
