"""Findings: findings whose words match the published numbers behind them."""
import pandas as pd
import pytest

from equitylab import findings
from equitylab.findings.area import decile_number

HACKNEY, MANCHESTER = "E09000012", "E08000003"


def test_deprivation_profile_states_published_counts():
    f = findings.deprivation_profile(HACKNEY)
    # MHCLG IoD2019 File 1: Hackney's 144 LSOAs, 16 in national decile 1, deciles 1-6 only;
    # average-score rank 22 of 317 districts
    assert "144 small areas" in f.text
    assert "16 of them (11%)" in f.text
    assert "deciles 1 to 6" in f.text
    assert "ranks 22 of 317" in f.text
    assert f.chart is not None and "Decile 1: 16." in f.alt_text
    assert "Open Government Licence" in f.source and not f.synthetic


def test_ethnic_mix_compares_with_england():
    f = findings.ethnic_mix(HACKNEY)
    assert f.table["share"].sum() == pytest.approx(1.0)
    # gov.uk Ethnicity facts and figures (Census 2021): Hackney 21% Black against 4% in England
    assert "21% Black" in f.text and "Black (21% against 4%)" in f.text
    # the headline total is the one ONS publishes for the borough (259,147; ethnicity_5group_by_utla_2021.csv,
    # gov.uk Ethnicity facts and figures), not the sum of its LSOAs (259,112), which ONS perturbs
    assert "Hackney's 259,147 residents" in f.text
    assert f.table["population"].sum() == 259147


def test_within_area_gap_is_quoted_for_hackney_only():
    f = findings.within_area_gap(HACKNEY)
    # PHE Local Authority Health Profile 2019, Hackney: 6.3 years (men), 4.5 years (women)
    assert "6.3 years lower for men" in f.text and "4.5 years lower for women" in f.text
    assert "Local Authority Health Profile 2019" in f.text
    other = findings.within_area_gap(MANCHESTER)
    assert "does not hold" in other.text and "92901" in other.text
    # nothing is drawn for another area: a between-area chart must not stand in for the gap
    assert other.chart is None and other.table is None
    assert not any(ch.isdigit() and ch != "9" for ch in other.text.split("92901")[0])


def test_england_gradient_reports_the_snapshot_values_and_a_negative_sii():
    from equitylab.loaders.fingertips import fingertips_data

    f = findings.england_gradient()
    rows = fingertips_data([93015], "England", area_codes=["E92000001"], source="snapshot")
    latest = f.table
    most = latest.loc[latest["decile"] == 1, "Value"].iloc[0]
    least = latest.loc[latest["decile"] == 10, "Value"].iloc[0]
    assert f"{most:.1f}% in the most deprived" in f.text and f"{least:.1f}% in the least" in f.text
    assert most in set(rows["Value"]) and len(latest) == 10
    s = f.extra["sii"].iloc[0]
    # inactivity is higher in deprived deciles, so the line falls from rank 0 to rank 1
    assert s["sii"] < 0 and s["sii_lower_ci"] <= s["sii"] <= s["sii_upper_ci"]
    assert abs(s["sii"]) < 2 * (most - least) + 1


def test_life_expectancy_is_labelled_between_areas():
    f = findings.life_expectancy_between_areas(HACKNEY)
    # ONS life expectancy for local areas, 2023: Hackney men 78.16, women 82.62
    assert "78.2 years for men and 82.6 years for women" in f.text
    assert "compares whole areas" in f.text


@pytest.mark.parametrize("label,number", [
    ("Most deprived decile", 1), ("Second most deprived decile", 2), ("Fifth more deprived decile", 5),
    ("Fifth less deprived decile", 6), ("Second least deprived decile", 9), ("Least deprived decile", 10),
    ("Most deprived decile (IMD2019)", 1), ("Most deprived quintile", 1), ("Least deprived quintile", 5),
])
def test_decile_labels(label, number):
    assert decile_number(label) == number


def test_publish_hides_small_counts_in_service_findings():
    from equitylab.synthetic import service_data

    service = service_data(HACKNEY, n=600, seed=7)
    f = findings.outcomes_by_deprivation(service, HACKNEY, audience="publish")
    team = findings.outcomes_by_deprivation(service, HACKNEY, audience="team")
    small = team.export["numerator"].between(1, 7)
    assert small.any(), "this seed must give the team a count of 1 to 7 to test hiding it"
    assert team.banner == "Small numbers: for the team only, do not share."
    assert f.banner is None
    for col in ("numerator", "denominator"):
        v = pd.to_numeric(f.export[col], errors="coerce")
        assert not ((v >= 1) & (v <= 7)).any()
    # the small count, the rate built on it, and one more count (so the small one cannot be worked
    # out from a total) are hidden; every number left is the team's number
    hidden = f.export["numerator"].isna()
    assert hidden[small].all() and hidden.sum() >= 2
    assert f.export.loc[hidden, ["value", "lower_ci", "upper_ci"]].isna().all().all()
    kept = ~hidden
    pd.testing.assert_frame_equal(
        f.export.loc[kept, ["numerator", "denominator", "value"]],
        team.export.loc[kept, ["numerator", "denominator", "value"]],
    )
    assert f.synthetic and "SYNTHETIC" in f.source


def test_team_banner_only_when_there_are_small_numbers():
    from equitylab.synthetic import service_data

    team = findings.outcomes_by_deprivation(service_data(HACKNEY, n=3000, seed=7), HACKNEY, audience="team")
    assert not team.export["numerator"].between(1, 7).any()
    assert team.banner is None


def test_audience_must_be_known():
    from equitylab import DataError
    from equitylab.synthetic import service_data

    with pytest.raises(DataError, match="audience"):
        findings.outcomes_by_deprivation(service_data(HACKNEY, n=200, seed=1), HACKNEY, audience="everyone")


def test_views_follow_the_columns_an_extract_has():
    """An extract with referral dates, ethnicity and missed appointments, but no readmission, discharge,
    experience or LSOA: the views it can run, run; the others say in one sentence which column they need."""
    from equitylab.synthetic import service_data

    service = service_data(HACKNEY, n=800, seed=3)[["referral_date", "ethnicity", "missed_appointments"]]
    experience = findings.experience(service, by=["ethnicity", "sex"], audience="publish")
    assert experience.title == "Experience by ethnic group"  # no sex column: that grouping is left out
    assert set(experience.export["measure"]) == {"missed at least one appointment"}
    outcomes = findings.outcomes(service, by=["ethnicity"], audience="publish")
    assert outcomes.text.startswith("Not shown: the extract has no column saying whether each person was "
                                    "readmitted within 90 days (readmitted_90d).")
    assert "shown under experience" in outcomes.text  # where the outcomes it does have are
    alone = findings.outcomes(service[["referral_date", "ethnicity"]], by=["ethnicity"], audience="publish")
    assert alone.text == ("Not shown: this view needs a column, which the extract does not have: "
                          "readmitted_90d (whether the person was readmitted within 90 days).")
    by_deprivation = findings.outcomes_by_deprivation(service, HACKNEY, audience="publish")
    assert "lsoa_code" in by_deprivation.text and by_deprivation.chart is None
    trend = findings.over_time(service, by="ethnicity", audience="publish")
    assert trend.text.startswith("Not shown") and "waiting_days" in trend.text and trend.chart is None
