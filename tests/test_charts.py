"""Charts of measures: valid Vega-Lite, render to SVG offline, and describe themselves from the numbers."""
import re

import numpy as np
import pandas as pd
import pytest
import vl_convert

from equitylab import provenance
from equitylab.charts.measures import access_chart, compare_groups, deprivation_gradient, describe, funnel_plot
from equitylab.measures import sii


def _deciles(synthetic=True):
    d = pd.DataFrame({"quantile": range(1, 11), "value": [70.0 + 1.5 * i for i in range(10)],
                      "population": [5000] * 10, "se": [1.0] * 10})
    d["lower_ci"], d["upper_ci"] = d["value"] - 2, d["value"] + 2
    return provenance.stamp(d, source="synthetic", synthetic=synthetic) if synthetic else provenance.stamp(
        d, source="snapshot", licence=provenance.OGL, description="OHID Fingertips")


def _svg_offline(chart):
    spec = chart.to_dict(validate=True)
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.lstrip().startswith("<svg")
    assert not re.search(r"https?://(?!www\.w3\.org)", svg), "the SVG refers to the internet"
    return spec, svg


def test_deprivation_gradient_names_deciles_sii_and_synthetic():
    d = _deciles()
    result = sii(d, quantile="quantile", value="value", population="population", se="se", reps=1000, seed=1)
    chart = deprivation_gradient(d, sii=result, national_or_local="within-area", indicator="Life expectancy")
    spec, svg = _svg_offline(chart)
    text = describe(chart)
    assert "within-area" in " ".join(spec["title"]["text"])
    # the description states the numbers: 70 in the most deprived decile, 83.5 in the least, SII 15
    assert "70" in text and "83.5" in text
    assert f"{result['sii'].iloc[0]:,.3g}" in text
    assert "not its cause" in text
    assert provenance.SYNTHETIC_LABEL in " ".join(spec["title"]["subtitle"])
    assert "SYNTHETIC" in svg
    assert len(spec["datasets"]) <= 3 and all(len(v) <= 20 for v in spec["datasets"].values())


def test_real_data_caption_names_source_not_synthetic():
    chart = deprivation_gradient(_deciles(synthetic=False), national_or_local="national")
    spec, _ = _svg_offline(chart)
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "OHID Fingertips" in subtitle and "Open Government Licence" in subtitle
    assert "SYNTHETIC" not in subtitle
    assert "national" in " ".join(spec["title"]["text"])


def test_compare_groups_says_which_intervals_clear_the_reference():
    d = provenance.stamp(pd.DataFrame({"group": ["White", "Asian", "Black", "Mixed"], "value": [50.0, 40, 62, 49],
                                       "lower_ci": [48.0, 36, 58, 41], "upper_ci": [52.0, 44, 66, 57]}),
                         source="synthetic", synthetic=True)
    chart = compare_groups(d, by="group", value="value", reference="White", indicator="Uptake %")
    _svg_offline(chart)
    text = describe(chart)
    assert "wholly above it: Black" in text and "wholly below it: Asian" in text


def test_compare_groups_without_a_reference_draws_no_comparison_legend():
    # with no reference every group is just "a group": a legend of higher/lower/similar would mislead
    d = pd.DataFrame({"group": ["A", "B"], "value": [50.0, 40], "lower_ci": [48.0, 36], "upper_ci": [52.0, 44]})
    spec, svg = _svg_offline(compare_groups(d, by="group", value="value", indicator="Uptake %"))
    assert all("color" not in layer.get("encoding", {}) for layer in spec["layer"])
    assert "against" not in svg
    with_ref, svg_ref = _svg_offline(compare_groups(d, by="group", value="value", reference="A"))
    # direct labels, not a legend: each row says in a word how it compares, under "against A"
    assert ">against<" in svg_ref and ">A<" in svg_ref and ">reference<" in svg_ref and ">lower<" in svg_ref
    assert 'class="role-legend' not in svg_ref
    # against the overall value: B's interval (36 to 44) lies wholly below 47, A's (48 to 52) wholly above
    overall = compare_groups(d, by="group", value="value", overall=47.0, indicator="Uptake %")
    _, svg_overall = _svg_offline(overall)
    assert ">against<" in svg_overall and ">overall<" in svg_overall and ">higher<" in svg_overall and ">lower<" in svg_overall
    assert "Intervals wholly above it: A; wholly below it: B" in describe(overall)


def test_access_chart_lists_gaps():
    d = pd.DataFrame({"group": ["A", "B", "C"], "service": [0.2, 0.5, 0.3], "population": [0.4, 0.4, 0.2]})
    chart = access_chart(d, by="group", service_share="service", population_share="population")
    _, svg = _svg_offline(chart)
    # the first group's two bars are labelled in words at their ends, in place of a legend
    assert ">service users<" in svg and ">population<" in svg and 'class="role-legend' not in svg
    text = describe(chart)
    assert "less than their population share: A (-0.2)" in text
    assert "B (0.1)" in text and "C (0.1)" in text


def test_funnel_plot_names_outliers():
    n = np.array([100, 500, 1000, 5000])
    limits = pd.DataFrame({"denominator": n, "lower_limit_95": 50 - 100 / np.sqrt(n), "upper_limit_95": 50 + 100 / np.sqrt(n),
                           "lower_limit_99_8": 50 - 150 / np.sqrt(n), "upper_limit_99_8": 50 + 150 / np.sqrt(n)})
    units = pd.DataFrame({"practice": ["P1", "P2", "P3"], "pct": [52.0, 60, 30], "n": [200, 1000, 3000]})
    chart = funnel_plot(units, by="practice", value="pct", denominator="n", limits=limits, centre=50)
    _svg_offline(chart)
    text = describe(chart)
    assert "Above the 3 SD limit: P2" in text and "below it: P3" in text


def test_bad_option_is_a_data_error():
    from equitylab.errors import DataError
    with pytest.raises(DataError, match=r"national_or_local must be 'national' or 'within-area'"):
        deprivation_gradient(_deciles(), national_or_local="regional")


def test_every_chart_of_an_equity_report_is_valid_vega_lite():
    # charts set their properties without altair's per-property check (equitylab.charts.theme.
    # set_properties), so each whole spec is checked against the Vega-Lite schema here
    from equitylab import findings

    service = findings.load_service("", "E09000012")
    shown = [findings.deprivation_profile("E09000012"), findings.ethnic_mix("E09000012", "E92000001"),
                findings.life_expectancy_between_areas("E09000012"),
                findings.access(service, "E09000012", "ethnicity", audience="publish"),
                findings.experience(service, by="ethnicity", audience="publish"),
                findings.outcomes_by_deprivation(service, "E09000012", audience="publish"),
                findings.over_time(service, by="ethnicity", audience="publish"),
                findings.gap_over_time(service, by="ethnicity", audience="publish")]
    charts = [c for f in shown for c in f.charts]
    assert len(charts) >= 8  # experience and outcome measures get a chart only where a group differs
    for chart in charts:
        spec = chart.to_dict(validate=True)
        assert spec["description"] and spec["title"]
