"""access_vs_population(): service users' shares against population shares."""
import pandas as pd
import pytest

from equitylab.errors import DataError
from equitylab.measures import access_vs_population
from equitylab.provenance import is_synthetic, stamp

# Census 2021 Hackney ethnicity (5 groups), /work/shared/data/census2021/ethnicity_5group_by_utla_2021.csv
HACKNEY = pd.DataFrame({"group": ["White", "Black", "Asian", "Mixed", "Other"],
                        "population": [137_709, 54_645, 26_885, 17_487, 22_421]})


def _service():
    rows = ["White"] * 60 + ["Black"] * 10 + ["Asian"] * 20 + [None] * 5 + ["Not stated"] * 5
    return stamp(pd.DataFrame({"ethnicity": rows}), source="synthetic", synthetic=True)


def test_observed_expected_and_missing_reported_separately():
    with pytest.warns(UserWarning, match="no ages for ethnicity"):
        out = access_vs_population(_service(), HACKNEY, dimension="ethnicity", eligible_ages=(18, None))
    out = out.set_index("group")
    total = 90  # the 10 unknown/not stated users are not in the shares
    share_black = 54_645 / 259_147
    assert out.loc["Black", "observed"] == 10
    assert out.loc["Black", "expected"] == pytest.approx(total * share_black)
    assert out.loc["Black", "share_population"] == pytest.approx(100 * share_black)
    assert out.loc["Black", "share_service"] == pytest.approx(100 * 10 / 90)
    assert "fewer users than expected" in out.loc["Black", "note"]
    # 20 Asian users: Byar's 95% limits for 20 events are 12.2114288348759 and 30.8898803691971
    # (PHEindicatormethods testdata_Rate, Area3: 20 events per 100 people), over the expected users
    expected_asian = total * 26_885 / 259_147
    assert out.loc["Asian", "lower_ci"] == pytest.approx(12.2114288348759 / expected_asian, rel=1e-10)
    assert out.loc["Asian", "upper_ci"] == pytest.approx(30.8898803691971 / expected_asian, rel=1e-10)
    assert out.loc["Asian", "method"] == "Byars Poisson interval of users / expected"
    assert "more users than expected" in out.loc["Asian", "note"]
    assert out.loc["Mixed", "observed"] == 0 and out.loc["Mixed", "ratio"] == 0
    assert out.attrs["missing_count"] == 10 and out.attrs["missing_percent"] == pytest.approx(10.0)
    assert "could not be limited" in out.attrs["summary"]
    assert is_synthetic(out)


def test_aggregated_service_counts_give_the_same_answer():
    agg = pd.DataFrame({"eth": ["White", "Black", "Asian", "unknown"], "users": [60, 10, 20, 10]})
    a = access_vs_population(agg, HACKNEY, dimension="ethnicity", by="eth", count="users")
    b = access_vs_population(_service(), HACKNEY, dimension="ethnicity")
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_age_restriction_and_need_weights():
    pop = pd.DataFrame({"group": ["0-17", "18-64", "65+"], "population": [100, 300, 100]})
    svc = pd.DataFrame({"age": ["18-64", "65+", "0-17"], "n": [30, 20, 1]})
    out = access_vs_population(svc, pop, dimension="age", count="n", eligible_ages=(18, None)).set_index("group")
    assert list(out.index) == ["18-64", "65+"]
    assert out.loc["65+", "expected"] == pytest.approx(50 * 100 / 400)
    assert out.attrs["unmatched"] == ["0-17"]
    need = access_vs_population(svc, pop, dimension="age", count="n", eligible_ages=(18, None),
                                need={"0-17": 0.01, "18-64": 0.05, "65+": 0.2}).set_index("group")
    # need: 300 x 0.05 = 15 and 100 x 0.2 = 20 -> 65+ expected = 50 x 20/35
    assert need.loc["65+", "expected"] == pytest.approx(50 * 20 / 35)
    assert "share_need" in need.columns and "share_population" not in need.columns


def test_errors_name_the_column():
    with pytest.raises(DataError, match="'ethnicity'"):
        access_vs_population(pd.DataFrame({"eth": ["White"]}), HACKNEY, dimension="ethnicity")
    with pytest.raises(DataError, match="'population'"):
        access_vs_population(_service(), HACKNEY.rename(columns={"population": "pop"}), dimension="ethnicity")
