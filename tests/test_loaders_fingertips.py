"""Fingertips loader offline: header spellings, the embedded snapshot, published figures.

Expected values come from the raw public files (cited next to each), never from our output.
"""
from __future__ import annotations

import re
import socket
from pathlib import Path

import pandas as pd
import pytest

from equitylab import provenance
from equitylab.errors import DataError, SourceUnavailable
from equitylab.loaders import fingertips as ft

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fingertips"
LONDON = FIXTURES / "fingertips_export_41001_suicide_london_countyua.csv"
DATA = Path(__file__).resolve().parents[1] / "data" / "fingertips"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("EQUITYLAB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EQUITYLAB_FINGERTIPS_DATA", raising=False)
    # nothing listens on this port: live calls fail at once with "connection refused"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("EQUITYLAB_FINGERTIPS_URL", f"http://127.0.0.1:{port}/api/")


def _respelt(style: str) -> str:
    """The London export with its header rewritten in one of the four spellings seen in use."""
    text = LONDON.read_text(encoding="utf-8")
    header, rest = text.split("\n", 1)
    canonical = [ft._KNOWN_HEADERS[ft._header_key(c)] for c in header.split(",")]
    if style == "spaces":
        names = canonical
    elif style == "fingertipsR":
        names = [c.replace(" ", "") for c in canonical]
    elif style == "dots":
        names = [c.replace(" ", ".") for c in canonical]
    else:
        names = [c.replace(" ", "_") for c in canonical]
    return ",".join(names) + "\n" + rest


@pytest.mark.parametrize("style", ["spaces", "fingertipsR", "dots", "underscores"])
def test_each_header_spelling_gives_hackney_value_from_raw_file(style):
    df = ft.read_export(_respelt(style))
    assert list(df.columns[: len(ft.CANONICAL_COLUMNS)]) == ft.CANONICAL_COLUMNS
    row = df[(df["Area Code"] == "E09000012") & (df["Indicator ID"] == 41001)]
    assert len(row) == 1
    # raw file line 15: Hackney, Male, 2015 - 17, suicide rate 13.996202968791 (42 deaths, 348084)
    assert row["Value"].iloc[0] == pytest.approx(13.996202968791, abs=1e-12)
    assert row["Count"].iloc[0] == 42 and row["Denominator"].iloc[0] == 348084
    assert row["Time period"].iloc[0] == "2015 - 17"
    assert row["Time period Sortable"].iloc[0] == 20150000


def test_the_raw_mixed_header_file_reads_the_same():
    df = ft.read_export(LONDON)
    assert df.shape[0] == 175
    assert df.loc[df["Area Code"] == "E09000012", "Value"].iloc[0] == pytest.approx(13.996202968791)


def test_embedded_newline_in_indicator_name_is_one_record():
    df = ft.read_export(FIXTURES / "fingertips_export_93356_campylobacter_countyua_2015.csv")
    assert len(df) == 852  # 852 records although the file has 1,705 lines
    assert set(df["Indicator Name"]) == {"Campylobacter incidence rate/100,000"}


def test_not_a_fingertips_file_is_a_plain_error():
    with pytest.raises(DataError, match="no Indicator ID, Area Code"):
        ft.read_export("a,b\n1,2\n")


def test_area_type_names_and_ids():
    assert ft.area_type_id(15) == 15 and ft.area_type_id("402") == 402
    assert ft.area_type_id("County & UA") == 502
    assert ft.area_type_id("districts & uas") == 501
    assert ft.area_type_id("Counties & UAs (from Apr 2021)") == 402
    assert ft.area_type_id("region") == 6
    with pytest.raises(DataError, match="area type 'MSOA'"):
        ft.area_type_id("MSOA")
    with pytest.raises(DataError):
        ft.area_type_id(999)


def test_imd_score_for_hackney_is_the_mhclg_figure():
    # MHCLG English Indices of Deprivation 2019, local authority summary: Hackney (E09000012)
    # average score 32.526 (rank 22 of 317).
    df = ft.fingertips_data(93553, 201, area_codes=["E09000012"], source="snapshot")
    assert len(df) == 1
    assert df["Value"].iloc[0] == 32.526
    assert df["Indicator Name"].iloc[0] == "Deprivation score (IMD 2019)"
    assert "MHCLG" in df["Data source"].iloc[0]
    latest = ft.fingertips_data(93553, "District & UA", area_codes=["E09000012"], source="snapshot")
    assert round(latest["Value"].iloc[0], 3) == 32.526


def test_imd_score_covers_every_district_and_single_tier_counties_only():
    lad = ft.fingertips_data(93553, 201, source="snapshot")
    assert lad["Area Code"].nunique() == 317  # every LAD 2019 in the IoD2019 summary
    utla = ft.fingertips_data(93553, 502, source="snapshot")
    assert not utla["Area Code"].str.startswith(("E07", "E10")).any()
    assert "E09000012" in set(utla["Area Code"])


def test_active_lives_england_has_ten_deciles_per_period_sex_age():
    df = ft.fingertips_data(93014, 15, source="snapshot")
    deciles = df[df["Category Type"] == "LSOA11 deprivation deciles within area (IMD  trend)"]
    counts = deciles.groupby(["Time period", "Sex", "Age"]).size()
    assert len(counts) == 10 and (counts == 10).all()  # 2015/16 ... 2024/25
    assert df["Parent Code"].isna().all()
    assert not df.duplicated(subset=ft.CANONICAL_COLUMNS).any()
    assert provenance.is_synthetic(df) is False
    assert df.attrs["source"] == "snapshot" and df.attrs["licence"] == provenance.OGL


def test_active_lives_value_matches_raw_export():
    raw = pd.read_csv(FIXTURES / "fingertips_export_active_lives_inequalities_england.csv", dtype=str,
                      keep_default_na=False)
    raw = raw[(raw["Parent Code"] == "") & (raw["Indicator ID"] == "93015") & (raw["Time period"] == "2023/24")
              & (raw["Category"] == "Most deprived decile")]
    df = ft.fingertips_data(93015, 15, source="snapshot")
    ours = df[(df["Time period"] == "2023/24") & (df["Category"] == "Most deprived decile")]
    assert len(raw) == len(ours) >= 1
    # raw export: 93015, 2023/24, Persons 19+, most deprived decile = 35.25158 (denominator 12507)
    assert ours["Value"].iloc[0] == float(raw["Value"].iloc[0]) == 35.25158
    assert ours["Denominator"].iloc[0] == 12507


def test_north_west_obesity_by_ethnicity_and_quintile_is_clean():
    df = ft.fingertips_data(92033, 502, source="snapshot")
    las = df[df["Area Code"] != "E92000001"]
    assert las["Area Code"].nunique() == 24  # 8 UAs, 15 metropolitan districts, Lancashire
    assert set(las["Category Type"].dropna()) == {
        "Ethnic groups", "Ethnic groups (w unknown)", "LSOA11 deprivation quintiles within area (IMD  trend)"}
    assert not df["Category"].fillna("").str.contains('"').any()
    assert df["Time period"].str.fullmatch(r"\d{4} \(first year of period\)").all()
    key = ["Area Code", "Time period", "Sex", "Age", "Category Type", "Category"]
    assert not df.duplicated(subset=key).any()
    manchester = las[(las["Area Code"] == "E08000003")
                     & (las["Category Type"] == "LSOA11 deprivation quintiles within area (IMD  trend)")]
    assert manchester.groupby("Time period").size().eq(5).all()
    districts = ft.fingertips_data(92033, 501, source="snapshot")
    assert districts["Area Code"].str.startswith("E07").sum() > 0


def test_campylobacter_england_deprivation_deciles():
    df = ft.fingertips_data(93356, 502, area_codes=["E92000001"], source="snapshot")
    county = df[df["Category Type"] == "County & UA deprivation deciles in England (IMD2015)"]
    assert county.groupby("Time period").size().to_dict() == {"2015": 10, "2016": 10, "2017": 10}
    county = county[county["Time period"] == "2015"]
    # raw export line 3: Most deprived decile (IMD2015), 2015: 69.6234924331395 (3541 / 5085927)
    top = county[county["Category"] == "Most deprived decile (IMD2015)"]
    assert top["Value"].iloc[0] == pytest.approx(69.6234924331395) and top["Count"].iloc[0] == 3541


def test_area_type_filter_keeps_benchmarks_and_tier():
    df = ft.fingertips_data(41001, 502, source="snapshot")
    assert {"E92000001", "E12000007", "E09000012"} <= set(df["Area Code"])
    assert ft.fingertips_data(41001, 15, source="snapshot")["Area Code"].unique().tolist() == ["E92000001"]


def test_offline_unknown_indicator_says_which_and_how():
    with pytest.raises(SourceUnavailable) as info:
        ft.fingertips_data(90366, 502)
    text = str(info.value)
    assert "90366" in text and "equitylab data refresh" in text and "internet" in text
    assert "Connection refused" in text


def test_offline_known_indicator_unknown_area():
    with pytest.raises(SourceUnavailable, match=r"92033.*E09000012"):
        ft.fingertips_data(92033, 502, area_codes=["E09000012"], source="snapshot")


def test_auto_offline_falls_back_with_a_warning_naming_the_reason_and_date():
    with pytest.warns(ft.FingertipsFallbackWarning, match=r"Connection refused.*snapshot \(built \d{4}-\d\d-\d\d"):
        df = ft.fingertips_data(41001, 502, area_codes=["E09000012"])
    assert df.attrs["source"] == "snapshot"
    assert (df["Value"] > 0).all()


def test_bad_arguments():
    with pytest.raises(DataError, match="source must be one of"):
        ft.fingertips_data(41001, 502, source="internet")
    with pytest.raises(DataError, match="whole numbers"):
        ft.fingertips_data("life expectancy", 502, source="snapshot")


def test_published_figures_hackney_as_printed():
    df = ft.published_figures("E09000012")
    # PHE Local Authority Health Profile 2019, Hackney, published 3 March 2020
    got = {m: (v, c) for m, v, c in zip(df["Measure"], df["Value"], df["Count"])}
    assert got["Life expectancy gap between most and least deprived areas of Hackney, men"][0] == 6.3
    assert got["Life expectancy gap between most and least deprived areas of Hackney, women"][0] == 4.5
    assert got["Year 6 children classified as obese"] == (24.8, 626)
    assert got["Children living in low income families"] == (24.7, 13710)
    assert got["Alcohol-specific hospital admissions, under 18s"] == (16, 10)
    assert set(df["Published"]) == {"2020-03-03"} and set(df["Licence"]) == {provenance.OGL}
    assert "Health Profile 2019" in df.attrs["description"]


def test_published_figures_other_area_is_empty_with_note():
    with pytest.warns(UserWarning, match="only for Hackney"):
        df = ft.published_figures("E08000003")
    assert df.empty and "fingertips_data" in df.attrs["note"]


def test_profiles_offline_lists_the_session_profiles():
    with pytest.warns(ft.FingertipsFallbackWarning):
        df = ft.fingertips_profiles()
    assert df.attrs["source"] == "snapshot"
    names = set(df["name"])
    for name in ["Local Authority Health Profiles", "Marmot indicators", "Child and Maternal Health",
                 "Learning Disability Profiles", "Local Tobacco Control Profiles", "Physical Activity",
                 "Productive Healthy Ageing Profile", "Wider Impacts of COVID-19 on Health"]:
        assert name in names
    lahp = df[df["name"] == "Local Authority Health Profiles"].iloc[0]
    assert lahp["id"] == 26 and lahp["key"] == "health-profiles"
    assert pd.isna(df.loc[df["name"] == "Marmot indicators", "id"].iloc[0])


def test_manifest_lists_every_file_and_snapshot_is_small():
    manifest = pd.read_csv(DATA / "MANIFEST.csv", dtype=str, keep_default_na=False)
    assert list(manifest.columns) == ["file", "source", "source_path", "retrieved", "licence", "description",
                                      "synthetic"]
    files = {p.name for p in DATA.iterdir() if p.name != "MANIFEST.csv"}
    assert files == set(manifest["file"])
    assert (manifest["synthetic"] == "false").all()
    assert manifest["retrieved"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert sum((DATA / f).stat().st_size for f in files) < 3_000_000


def test_snapshot_contents_summary():
    summary = ft.snapshot_contents()
    ids = set(summary["Indicator ID"])
    assert {41001, 93014, 93015, 93088, 93881, 93982, 92026, 92033, 93356, 93553} <= ids
    row = summary[summary["Indicator ID"] == 93553].iloc[0]
    assert row["areas"] >= 317


def test_header_key_ignores_only_separators():
    assert ft._header_key("Lower CI 95.0 limit") == ft._header_key("LowerCI95.0limit") == \
        ft._header_key("Lower_CI_95.0_limit") == ft._header_key("Lower.CI.95.0.limit")
    assert ft._header_key("Lower CI 95.0 limit") != ft._header_key("Lower CI 99.8 limit")
    assert re.fullmatch(r"[0-9a-z]+", ft._header_key("Compared to England value or percentiles"))


from hypothesis import given, strategies as st  # noqa: E402


@given(st.lists(st.sampled_from([" ", "", ".", "_"]), min_size=8, max_size=8), st.booleans())
def test_any_separator_mix_maps_to_the_canonical_header(seps, lower):
    names = []
    for i, col in enumerate(ft.CANONICAL_COLUMNS):
        name = col.replace(" ", seps[i % len(seps)])
        names.append(name.lower() if lower else name)
    df = ft.normalise_headers(pd.DataFrame(columns=names))
    assert list(df.columns) == ft.CANONICAL_COLUMNS
