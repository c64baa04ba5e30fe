"""Populations, IMD deciles and life expectancy against the numbers their publishers print."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab.errors import DataError, SourceUnavailable
from equitylab.loaders import census as P
from equitylab.loaders.areas import areas
from equitylab.provenance import OGL

HACKNEY = "E09000012"


def test_hackney_national_deciles_match_mhclg():
    # MHCLG English Indices of Deprivation 2019, File 1: Hackney has 144 LSOAs (2011), in
    # national IMD deciles 1-6 only: {1: 16, 2: 47, 3: 53, 4: 17, 5: 8, 6: 3}.
    d = P.lsoa_deciles(HACKNEY)
    assert len(d) == 144
    assert d["quantile"].value_counts().sort_index().to_dict() == {1: 16, 2: 47, 3: 53, 4: 17, 5: 8, 6: 3}
    assert (d["scheme"] == "national").all() and "National IMD 2019 decile" in d["note"].iloc[0]
    assert d.attrs["licence"] == OGL and "IoD2019" not in d.attrs.get("source", "")
    assert "Indices of Deprivation 2019" in d.attrs["description"]


def test_hackney_national_quintiles():
    q = P.lsoa_deciles(HACKNEY, n=5)["quantile"].value_counts().sort_index().to_dict()
    assert q == {1: 16 + 47, 2: 53 + 17, 3: 8 + 3}


def test_hackney_local_deciles_are_near_equal_groups():
    d = P.lsoa_deciles(HACKNEY, scheme="local")
    sizes = d["quantile"].value_counts().sort_index()
    assert list(sizes.index) == list(range(1, 11))
    assert sizes.between(14, 15).all() and sizes.sum() == 144
    # Group 1 holds Hackney's most deprived LSOAs: every rank in group 1 is below every rank in group 2.
    assert d.loc[d["quantile"] == 1, "imd_rank"].max() < d.loc[d["quantile"] == 2, "imd_rank"].min()
    assert (d["scheme"] == "local").all() and "within Hackney" in d["note"].iloc[0]


def test_bad_scheme_and_n():
    with pytest.raises(DataError, match="decile scheme"):
        P.lsoa_deciles(HACKNEY, scheme="regional")
    with pytest.raises(DataError, match="deciles or quintiles"):
        P.lsoa_deciles(HACKNEY, n=4)
    with pytest.raises(DataError, match="Cannot cut 144 LSOAs"):
        P.lsoa_deciles(HACKNEY, scheme="local", n=200)


def test_hackney_census_total_from_lsoas():
    # ONS Census 2021 TS021 (Nomis): Hackney's 149 LSOAs (2021) sum to 259,112 usual residents
    # (shared data README); the borough total ONS publishes is 259,147 (disclosure control).
    eth = P.population(HACKNEY, "ethnicity")
    assert eth["population"].sum() == 259112
    assert list(eth["group"]) == ["Asian", "Black", "Mixed", "White", "Other"]
    assert eth["share"].sum() == pytest.approx(1.0)
    assert set(eth.columns) >= {"area_code", "area_name", "group", "population", "share", "source", "year"}
    assert (eth["year"] == 2021).all() and "TS021" in eth["source"].iloc[0]
    assert "TS021" in eth.attrs["description"] and eth.attrs["licence"] == OGL


def test_hackney_ethnicity_matches_published_utla_figures():
    # gov.uk Ethnicity facts and figures, Census 2021 TS021 for Hackney (upper-tier LA):
    # White 137,709; Black 54,645; Asian 26,885; Mixed 17,487; Other 22,421; total 259,147.
    published = {"White": 137709, "Black": 54645, "Asian": 26885, "Mixed": 17487, "Other": 22421}
    ours = P.population(HACKNEY, "ethnicity").set_index("group")["population"]
    for group, value in published.items():
        # ONS perturbs small LSOA counts; sums over ~150 LSOAs drift by tens, not hundreds.
        assert abs(ours[group] - value) <= 50, group
    assert abs(ours.sum() - 259147) <= 0.001 * 259147


def test_every_utla_matches_published_ethnicity_totals():
    # Same gov.uk file for all 152 upper-tier LAs + regions + England (in the snapshot as
    # utla_ethnicity_2021.parquet). It gives Torbay 255,413 and Somerset 455,458, which
    # contradicts ONS's own Census 2021 totals (Torbay about 139,300); their sum matches ours
    # (710,871 vs 710,808), so people were misallocated between the two rows in that file.
    pub = P._utla_ethnicity()
    pub = pub[~pub["area_code"].isin(["E06000027", "E06000066"])]
    for code, g in pub.groupby("area_code"):
        ours = P.population(code, "ethnicity")["population"].sum()
        total = g["population"].sum()
        assert abs(ours - total) <= 0.001 * total, code


def test_england_census_total():
    # ONS Census 2021: 56,490,048 usual residents in England (TS001).
    eth = P.population("E92000001", "ethnicity")["population"].sum()
    age = P.population("E92000001", "age")["population"].sum()
    assert abs(eth - 56490048) <= 0.0001 * 56490048
    assert abs(age - 56490048) <= 0.0001 * 56490048


def test_age_bands():
    age = P.population(HACKNEY, "age")
    assert list(age["group"]) == P.AGE_BANDS and len(age) == 18
    assert age["group"].iloc[0] == "0-4" and age["group"].iloc[-1] == "85+"
    assert "TS007A" in age.attrs["description"]
    assert abs(age["population"].sum() - 259112) <= 100  # TS007A perturbed separately from TS021


def test_england_file6_total_and_hackney():
    # MHCLG IoD2019 File 6: England mid-2015 population (excluding prisoners) 54,728,204;
    # Hackney 268,626.
    dep = P.population("E92000001", "deprivation")
    assert dep["population"].sum() == 54728204
    assert P.population(HACKNEY, "deprivation")["population"].sum() == 268626
    assert (dep["year"] == 2015).all() and "mid-2015" in dep["source"].iloc[0]
    # National deciles hold a tenth of LSOAs each: 32,844 / 10 = 3,284 or 3,285.
    assert dep["lsoas"].between(3284, 3285).all()


def test_hackney_deprivation_profile_and_rank():
    prof = P.deprivation_profile(HACKNEY)
    assert list(prof["quantile"]) == list(range(1, 11))
    assert list(prof["lsoas"]) == [16, 47, 53, 17, 8, 3, 0, 0, 0, 0]
    # MHCLG IoD2019 local authority summary: Hackney average score 32.526, rank 22 of 317.
    assert (prof["imd_score_rank"] == 22).all() and (prof["n_las"] == 317).all()
    la = P.la_deprivation(HACKNEY)
    assert la["imd_score"] == pytest.approx(32.526) and la["imd_score_rank"] == 22
    assert la["imd_la_decile"] == 1
    assert P.la_deprivation("E12000007")["imd_score"] is None


def test_hackney_life_expectancy():
    # ONS life expectancy at birth 2023, Hackney: males 78.16, females 82.62 years.
    le = P.life_expectancy(HACKNEY)
    mine = le[le["focus"]].set_index("sex")["life_expectancy"]
    assert mine["Male"] == pytest.approx(78.16) and mine["Female"] == pytest.approx(82.62)
    assert le["focus"].sum() == 2
    assert (le["comparison"] == "between areas").all()
    assert le.loc[le["area_code"] == HACKNEY, "imd_score_rank"].eq(22).all()
    # 294 districts x 2 sexes; 287 districts have an IoD2019 district score (7 formed after 2019).
    assert len(le) == 588
    assert le.dropna(subset=["imd_score"])["area_code"].nunique() == 287


def test_region_and_county_are_sums_of_districts():
    london = P.population("E12000007", "ethnicity")["population"].sum()
    boroughs = sum(P.population(c, "ethnicity")["population"].sum()
                   for c in areas("London borough")["code"])
    assert london == boroughs
    lancs = P.population("E10000017", "age")["population"].sum()
    districts = areas("non-metropolitan district")
    members = districts.loc[districts["utla_code"] == "E10000017", "code"]
    assert len(members) == 12
    assert lancs == sum(P.population(c, "age")["population"].sum() for c in members)


def test_abolished_district_and_successor():
    allerdale = P.population("E07000026", "ethnicity")["population"].sum()
    cumberland = P.population("E06000063", "ethnicity")["population"].sum()
    assert 0 < allerdale < cumberland
    # Cumbria county = Cumberland + Westmorland and Furness.
    cumbria = P.population("E10000006", "deprivation")["population"].sum()
    parts = sum(P.population(c, "deprivation")["population"].sum() for c in ("E06000063", "E06000064"))
    assert cumbria == parts


def test_sex_and_bad_inputs():
    with pytest.raises(SourceUnavailable, match="Nomis"):
        P.population(HACKNEY, "sex")
    with pytest.raises(DataError, match="not a population dimension"):
        P.population(HACKNEY, "religion")
    with pytest.raises(DataError, match="Hackney \\(E09000012\\)"):
        P.population("E0900012")
    with pytest.raises(DataError, match="not in equitylab's list"):
        P.population("W06000001")  # Welsh: outside the English snapshot


def test_lsoa_imd_table():
    t = P.lsoa_imd()
    assert len(t) == 32844 and t["lsoa11_code"].is_unique
    assert t["imd_rank"].min() == 1 and t["imd_rank"].max() == 32844
    assert set(t["imd_decile"]) == set(range(1, 11))
    assert t.attrs["licence"] == OGL
    # IMD decile = rank tenth: decile 1 is ranks 1-3,284 (MHCLG IoD2019 technical report).
    assert t.loc[t["imd_rank"] <= 3284, "imd_decile"].eq(1).all()


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(areas("lad")["code"])), st.integers(2, 12))
def test_local_groups_invariants(code, n):
    m = len(P.lsoa_deciles(code, scheme="national"))
    if n > m:  # e.g. the Isles of Scilly: one LSOA cannot be cut into groups
        with pytest.raises(DataError, match=f"Cannot cut {m} LSOAs into {n} local groups"):
            P.lsoa_deciles(code, scheme="local", n=n)
        return
    d = P.lsoa_deciles(code, scheme="local", n=n)
    sizes = d["quantile"].value_counts()
    assert sizes.max() - sizes.min() <= 1 and len(sizes) == n
    # Quantile never decreases as LSOAs get less deprived (rank goes up).
    assert np.all(np.diff(d.sort_values("imd_rank")["quantile"].to_numpy()) >= 0)
    dep = P.population(code, "deprivation")
    assert dep["population"].sum() == d["population"].sum()
    assert dep["lsoas"].sum() == len(d)


def test_headline_ethnicity_figures_are_the_published_la_totals():
    # /work/shared/data/census2021/ethnicity_5group_by_utla_2021.csv (gov.uk Ethnicity facts and figures,
    # ONS Census 2021 TS021 by upper-tier LA; in the snapshot as utla_ethnicity_2021.parquet): Hackney
    # White 137,709; Black 54,645; Asian 26,885; Mixed 17,487; Other 22,421; total 259,147. England's row
    # totals 56,490,065 (ONS TS001: 56,490,048; the gov.uk table's rounding of its groups).
    published = {"White": 137709, "Black": 54645, "Asian": 26885, "Mixed": 17487, "Other": 22421}
    ours = P.published_population(HACKNEY)
    assert ours.set_index("group")["population"].to_dict() == published
    assert ours["population"].sum() == 259147 and ours["share"].sum() == pytest.approx(1.0)
    assert "published" in ours.attrs["description"] and ours.attrs["licence"] == OGL
    assert P.published_population("E92000001")["population"].sum() == 56490065
    # a district has no row of its own in the published table: its LSOAs are summed, and it says so
    district = P.published_population("E07000008")  # Cambridge, a district of Cambridgeshire
    assert "LSOA 2021 summed" in district["source"].iloc[0]
