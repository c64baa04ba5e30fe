"""'Where disadvantages meet' as a finding: its words, chart and tables agree with the MAIHDA result and its
audience. The statistics themselves are checked against lme4 in test_measures_maihda.py."""
import numpy as np
import pytest

from equitylab import findings
from equitylab.errors import DataError
from equitylab.findings.intersectional import _person
from equitylab.synthetic import service_data

HACKNEY = "E09000012"


@pytest.fixture(scope="module")
def service():
    return service_data(HACKNEY)


def test_team_finding_names_the_strata_of_concern_as_people_say_them(service):
    f = findings.intersections(service, audience="team")
    result = f.extra["result"]
    concern = result.strata[result.concern()]
    assert len(concern) > 0  # the synthetic extract has longer waits built in for some groups
    first = concern.iloc[0]
    name = _person(first.to_dict(), result.by)
    assert f.text.startswith(f"For {len(concern)} of the {result.total_strata} combinations of ethnic group, sex "
                             "and deprivation, waiting time to first appointment is higher than the overall "
                             f"{result.overall:.1f} days by more than chance; the highest is {name}: "
                             f"{first['predicted']:.1f} days")
    assert f.banner == "Small numbers: for the team only, do not share." and f.synthetic
    assert len(f.export) == result.total_strata and len(f.table) <= len(f.export)
    f.chart.to_dict(validate=True)


def test_published_finding_shows_no_small_stratum_anywhere(service):
    f = findings.intersections(service, audience="publish")
    result = f.extra["result"]
    assert result.hidden_strata > 0 and f.banner is None
    assert f"{result.hidden_strata} of {result.total_strata} strata are not shown" in f.text
    for table in (f.table, f.export):
        assert not table["people"].between(1, 7).any()
    rows = f.chart.to_dict()["datasets"]
    assert all(r["people"] > 7 for data in rows.values() for r in data)
    shown = set(f.export["stratum"])
    team = findings.intersections(service, audience="team")
    hidden = set(team.export["stratum"]) - shown
    assert len(hidden) == result.hidden_strata
    assert not any(h in f.text or h in f.alt_text for h in hidden)


def test_a_binary_outcome_reads_in_percentages(service):
    f = findings.intersections(service, ["ethnicity", "sex"], measure="readmitted", audience="team")
    result = f.extra["result"]
    assert result.binary and "readmission within 90 days" in f.text
    assert "observed %" in f.export and np.allclose(f.export["observed %"],
                                                    np.round(100 * result.strata["observed"], 1))
    assert "have no record of readmission within 90 days" in f.text  # not yet discharged


def test_people_are_named_in_words():
    by = ["ethnicity", "sex", "imd_quintile"]
    assert _person({"ethnicity": "Black", "sex": "Male", "imd_quintile": 1}, by) == \
        "Black men in the most deprived fifth of areas"
    assert _person({"ethnicity": "Other", "sex": "Female", "imd_quintile": 3}, by) == \
        "Women of other ethnic groups in deprivation quintile 3"
    assert _person({"ethnicity": "Asian", "sex": "Male", "imd_quintile": 5}, by, short=True) == \
        "Asian men, least deprived fifth"
    assert _person({"ethnicity": "Mixed", "sex": "Female", "imd_quintile": 2}, by, short=True) == \
        "Mixed-ethnicity women, quintile 2"


def test_one_group_column_is_not_enough(service):
    with pytest.raises(DataError, match="at least two group columns"):
        findings.intersections(service.drop(columns=["sex", "imd_decile", "imd_quintile"]))
    with pytest.raises(DataError, match="unknown measure"):
        findings.intersections(service, measure="height")
