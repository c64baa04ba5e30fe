"""Area lookups against ONS/MHCLG published geography counts."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab.errors import DataError
from equitylab.loaders import areas as A
from equitylab.provenance import OGL


def test_hackney_facts():
    info = A.area_info("E09000012")
    assert info["name"] == "Hackney"
    assert info["type"] == "London borough"
    assert info["region"] == "London" and info["region_code"] == "E12000007"
    assert info["utla_code"] == "E09000012"
    assert info["status"] == "current"
    # ONS mid-2023 population estimate for Hackney (ONS MYE, via the shared population file)
    assert info["population_mid2023"] == 263282


def test_district_has_county_as_parent():
    burnley = A.area_info("E07000117")
    assert burnley["type"] == "non-metropolitan district"
    assert burnley["utla_code"] == "E10000017" and burnley["utla_name"] == "Lancashire"
    assert burnley["region"] == "North West"
    assert A.area_info("E10000017")["type"] == "county council"
    assert A.area_info("E08000003")["type"] == "metropolitan district"  # Manchester
    assert A.area_info("E06000001")["type"] == "unitary authority"  # Hartlepool
    assert A.area_info("E92000001")["type"] == "England"
    assert A.area_info("E12000001")["type"] == "region"


def test_abolished_district_points_to_successor():
    # Allerdale was merged into Cumberland on 1 April 2023 (Cumbria (Structural Changes) Order 2022).
    allerdale = A.area_info("E07000026")
    assert allerdale["status"] == "abolished 2023"
    assert allerdale["successor_code"] == "E06000063"
    assert A.area_info("E06000063")["name"] == "Cumberland"


def test_geography_counts_match_ons():
    # ONS Register of Geographic Codes / MHCLG: from April 2023 England has 296 local authority
    # districts and 153 upper-tier authorities (21 county councils); 9 regions; 33 London
    # boroughs including the City of London; 36 metropolitan districts.
    assert len(A.areas("lad")) == 296
    assert len(A.areas("utla")) == 153
    assert len(A.areas("county council")) == 21
    assert len(A.areas("region")) == 9
    assert len(A.areas("London borough")) == 33
    assert len(A.areas("metropolitan district")) == 36


def test_every_2019_district_is_known():
    # MHCLG IoD2019 was published for 317 local authority districts (2019 boundaries).
    from equitylab.loaders.census import lsoa_imd

    lad19 = set(lsoa_imd()["lad19_code"])
    assert len(lad19) == 317
    for code in lad19:
        A.check_area(code)


def test_areas_carries_provenance_and_rejects_unknown_kind():
    df = A.areas("region")
    assert df.attrs["licence"] == OGL and df.attrs["source"] == "snapshot"
    with pytest.raises(DataError, match="not a kind of area"):
        A.areas("parish")


def test_unknown_code_suggests_close_match():
    with pytest.raises(DataError) as err:
        A.check_area("E0900012")  # a digit missing
    assert "Hackney (E09000012)" in str(err.value)
    with pytest.raises(DataError, match="not in equitylab's list"):
        A.check_area("E09000099")
    with pytest.raises(DataError, match="Hackney \\(E09000012\\)"):
        A.check_area("Hackny")
    with pytest.raises(DataError, match="not an area code"):
        A.check_area(None)


def test_find_area_by_name():
    assert A.find_area("Hackney")["code"] == "E09000012"
    assert A.find_area("  hackney ")["code"] == "E09000012"
    assert A.find_area("London Borough of Hackney")["code"] == "E09000012"
    assert A.find_area("Kingston upon Hull")["code"] == "E06000010"
    assert A.find_area("St Helens")["code"] == "E08000013"  # ONS spells it "St. Helens"
    with pytest.raises(DataError, match="Hackney \\(E09000012\\)"):
        A.find_area("Hackny")


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(A._table().index)))
def test_codes_round_trip(code):
    assert A.check_area(code.lower()) == code
    info = A.area_info(code)
    assert info["code"] == code and info["type"] in A.KINDS
    if info["status"] == "current":
        assert A.find_area(info["name"])["code"] == code
    if info["type"] not in ("England", "region"):
        assert info["region_code"].startswith("E12")


def test_a_name_as_written_beats_a_loose_match():
    # "City of London" loosely keys to "london" too; ONS codes: London region E12000007,
    # City of London E09000001
    assert A.find_area("London")["code"] == "E12000007"
    assert A.find_area("City of London")["code"] == "E09000001"
    assert A.find_area("london borough of hackney")["code"] == "E09000012"
