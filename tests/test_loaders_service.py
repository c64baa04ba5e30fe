"""read_service_data: header mapping, code lists, validation messages, provenance."""
from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import DataError, IdentifiableDataWarning
from equitylab.loaders import codes
from equitylab.loaders.service import SCHEMA_COLUMNS, SYNONYMS, _key, read_service_data

HERE = Path(__file__).resolve().parent
MALFORMED = HERE / "malformed"
EXAMPLES = HERE.parent / "data" / "examples"
EXPECTED = yaml.safe_load((MALFORMED / "expected.yaml").read_text(encoding="utf-8"))


def _write(tmp_path, text, name="extract.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_text(text, encoding=encoding, newline="")
    return p


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_service_data(path, **kw)


# ---- malformed files -------------------------------------------------------------------

def test_at_least_twenty_malformed_files_each_with_an_expected_message():
    files = {p.name for p in MALFORMED.iterdir() if p.name != "expected.yaml"}
    assert len(files) >= 20
    assert files == set(EXPECTED), "every malformed file needs an entry in expected.yaml"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_gives_its_message(name):
    spec = EXPECTED[name]
    with pytest.raises(DataError) as info:
        _read(MALFORMED / name, **(spec.get("kwargs") or {}))
    err = info.value
    message = str(err)
    for phrase in spec["contains"]:
        assert phrase.lower() in message.lower(), f"{name}: {phrase!r} not in {message!r}"
    if name not in ("mapping_unknown_target.csv",):
        assert name in message, "the message names the file"
    if "rows" in spec:
        assert err.rows == spec["rows"]
    if "column" in spec:
        assert err.column == spec["column"]
    if "count" in spec:
        assert err.count == spec["count"]
    for secret in spec.get("absent", []):
        assert secret not in message
    assert err.hint, "every message says how to fix it"


# ---- header mapping ----------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(sorted(f for f in SYNONYMS if f != "synthetic")), data=st.data())
def test_headers_match_whatever_the_case_spacing_or_underscores(field, data):
    spelling = data.draw(st.sampled_from(SYNONYMS[field]))
    seps = data.draw(st.lists(st.sampled_from(["", " ", "_", "-", "  "]), min_size=len(spelling),
                              max_size=len(spelling)))
    upper = data.draw(st.lists(st.booleans(), min_size=len(spelling), max_size=len(spelling)))
    header = "".join((ch.upper() if u else ch) + s for ch, u, s in zip(spelling, upper, seps))
    assert _key(header) == spelling


def test_every_synonym_belongs_to_one_field_only():
    seen = {}
    for field, spellings in SYNONYMS.items():
        for s in spellings:
            assert s == _key(s), f"synonym {s!r} is not in normalised form"
            assert s not in seen, f"{s!r} is listed for both {seen.get(s)} and {field}"
            seen[s] = field


def test_mapping_dict_and_yaml_file_give_the_same_table(tmp_path):
    p = _write(tmp_path, "Ethnic Origin Code,Ref Rec'd,Stated Gender,Clinician notes\n"
                         "N,05/03/2024,2,fine\nK,06/03/2024,1,ok\n")
    by_dict = _read(p, mapping={"Ethnic Origin Code": "ethnicity", "Ref Rec'd": "referral_date",
                                "Clinician notes": "drop"})
    ymap = tmp_path / "map.yaml"
    ymap.write_text("columns:\n  Ethnic Origin Code: ethnicity\n  Ref Rec'd: referral_date\n"
                    "  Clinician notes: drop\n")
    by_yaml = _read(p, mapping=ymap)
    pd.testing.assert_frame_equal(by_dict, by_yaml)
    assert list(by_dict.columns) == ["referral_date", "sex", "ethnicity", "ethnic_group_detail",
                                     "ethnicity_code"]
    assert by_dict["referral_date"].tolist() == [pd.Timestamp("2024-03-05"),
                                                 pd.Timestamp("2024-03-06")]
    assert by_dict["ethnic_group_detail"].tolist() == ["Black African", "Bangladeshi"]


def test_example_file_reads_with_the_example_mapping_to_the_same_rows():
    a = _read(EXAMPLES / "synthetic_cmht_hackney.csv")
    b = _read(EXAMPLES / "synthetic_cmht_other_headers.csv",
              mapping=EXAMPLES / "mapping_example.yaml")
    assert len(b) == 300 and list(a.columns) == list(b.columns)
    for col in ("referral_date", "waiting_days", "ethnicity", "imd_decile", "experience",
                "readmitted_90d", "discharge_date", "employment"):
        assert a[col].head(300).astype(object).equals(b[col].astype(object)), col
    assert a.attrs["synthetic"] is True and b.attrs["synthetic"] is True
    assert a.attrs["source"] == "synthetic"


# ---- code lists --------------------------------------------------------------------------

def test_sex_codes_follow_person_stated_gender_code():
    # NHS Data Dictionary PERSON STATED GENDER CODE: 1 Male, 2 Female, 9 Indeterminate,
    # X Not Known; PERSON GENDER CODE CURRENT used 0 for Not Known.
    assert [codes.sex_lookup(v) for v in ("1", "2", "9", "X", "0", "M", "f", "Female", "")] == \
        ["Male", "Female", "Indeterminate", "Not known", "Not known", "Male", "Female", "Female",
         "Not known"]


def test_experience_follows_the_friends_and_family_test_scale(tmp_path):
    # NHS England FFT guidance (2019): 1 Very good ... 5 Very poor, 6 Don't know.
    p = _write(tmp_path, "FFT,ethnicity\n1,A\n2,A\n3,A\n4,A\n5,A\n6,A\n,A\nVery good,A\n")
    df = _read(p)
    assert df["experience"].astype(object).tolist()[:6] == [
        "Very good", "Good", "Neither good nor poor", "Poor", "Very poor", "Don't know"]
    assert df["experience"].cat.ordered
    assert df["experience_positive"].tolist() == [True, True, False, False, False, pd.NA, pd.NA,
                                                  True]


def test_blank_and_not_stated_ethnicity_are_counted_not_dropped(tmp_path):
    p = _write(tmp_path, "ethnicity,age\nA,30\nZ,31\n99,32\n,33\nN,34\n")
    df = _read(p)
    assert len(df) == 5
    assert df["ethnicity"].tolist() == ["White", "Not stated", "Not stated", "Not stated", "Black"]
    assert df.attrs["missing_ethnicity_pct"] == pytest.approx(60.0)


def test_aggregated_counts_weight_the_missing_percentage(tmp_path):
    p = _write(tmp_path, "Ethnic group,Count\nWhite,70\nBlack,20\nNot stated,10\n")
    df = _read(p)
    assert df["count"].dtype == "Int64"
    assert df["count"].tolist() == [70, 20, 10]
    assert df.attrs["missing_ethnicity_pct"] == pytest.approx(10.0)
    assert df.attrs["validation"]["aggregated"] is True


# ---- ages and places -----------------------------------------------------------------------

def test_age_band_from_date_of_birth_at_the_referral_date_and_dob_dropped(tmp_path):
    p = _write(tmp_path, "Date of Birth,Referral Date,Ethnicity\n"
                         "10/03/2000,09/03/2024,A\n10/03/2000,10/03/2024,A\n29/02/1960,2024-12-31,N\n")
    with pytest.warns(IdentifiableDataWarning) as rec:
        df = read_service_data(p)
    # a day before the 24th birthday is 23; on it, 24; 1960 leap-day birth is 64 at end-2024
    assert df["age"].tolist() == [23, 24, 64]
    assert df["age_band"].astype(str).tolist() == ["20-24", "20-24", "60-64"]
    assert "Date of Birth" not in df.columns
    assert {"column": "Date of Birth", "kind": "date of birth"} in df.attrs["dropped_identifiers"]
    text = " ".join(str(w.message) for w in rec)
    assert "10/03/2000" not in text and "age" in text


def test_age_bands_are_the_census_2021_five_year_bands(tmp_path):
    p = _write(tmp_path, "age,sex\n0,1\n4,1\n5,2\n84,2\n85,1\n120,2\n")
    df = _read(p)
    assert df["age_band"].astype(str).tolist() == ["0-4", "0-4", "5-9", "80-84", "85+", "85+"]
    assert len(df["age_band"].cat.categories) == 18


def test_lsoa_gets_its_imd_2019_national_decile(tmp_path):
    # MHCLG IoD2019 File 1: E01001847 Hackney 018B rank 1,315 decile 1; E01001836 Hackney 022A
    # rank 10,064 decile 4; E01000001 City of London 001A rank 29,199 decile 9.
    p = _write(tmp_path, "lsoa11cd,ethnicity\nE01001847,A\ne01001836 ,N\nE01000001,B\nW01000001,A\n")
    df = _read(p)
    assert df["imd_decile"].tolist() == [1, 4, 9, pd.NA]
    assert df["imd_quintile"].tolist() == [1, 2, 5, pd.NA]
    assert df["lsoa_code"].astype(str).tolist()[:2] == ["E01001847", "E01001836"]
    assert any("no IMD 2019 decile" in n for n in df.attrs["validation"]["notes"])


def test_postcodes_need_a_lookup_and_are_dropped(tmp_path):
    p = _write(tmp_path, "postcode,ethnicity\nE8 1AA,A\nN16 5TT,N\n")
    with pytest.warns(UserWarning) as rec:
        df = read_service_data(p)
    kinds = {type(w.message).__name__: str(w.message) for w in rec}
    assert "postcode_lookup=" in kinds["UserWarning"]
    assert "'postcode' (postcode)" in kinds["IdentifiableDataWarning"]
    assert "postcode" not in df.columns and "imd_decile" not in df.columns
    assert df["postcode_district"].astype(str).tolist() == ["E8", "N16"]
    lookup = pd.DataFrame({"pcds": ["E8 1AA", "N16 5TT"], "lsoa11cd": ["E01001847", "E01000001"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read_service_data(p, postcode_lookup=lookup)
    assert df["lsoa_code"].astype(str).tolist() == ["E01001847", "E01000001"]
    assert df["imd_decile"].tolist() == [1, 9]
    assert not any(v in df.to_csv() for v in ("E8 1AA", "N16 5TT"))


# ---- formats --------------------------------------------------------------------------------

def test_semicolons_and_windows_1252_are_read_and_noted(tmp_path):
    p = tmp_path / "x.csv"
    p.write_bytes("ethnicity;team;age\nA;Café team;30\nN;Café team;40\n".encode("cp1252"))
    df = _read(p)
    assert df["team"].astype(str).tolist() == ["Café team", "Café team"]
    v = df.attrs["validation"]
    assert v["encoding"] == "cp1252" and v["delimiter"] == ";"


def test_excel_rows_are_numbered_as_in_the_sheet(tmp_path):
    p = tmp_path / "x.xlsx"
    raw = pd.DataFrame([["Referrals extract", None], [None, None], ["ethnicity", "age"],
                        ["A", 30], ["N", 40], ["B", -2]])
    raw.to_excel(p, header=False, index=False, sheet_name="Data")
    with pytest.raises(DataError) as info:
        read_service_data(p)
    # header on sheet row 3 (after a title and a blank row), bad value on row 6
    assert info.value.rows == [6] and info.value.column == "age"


def test_excel_and_parquet_give_the_same_table_as_csv(tmp_path):
    text = "Ethnicity,Sex,Age,Referral Date,Waiting Days\nA,1,30,2024-01-02,5\nN,2,40,2024-01-09,\n"
    csv_df = _read(_write(tmp_path, text))
    src = pd.read_csv(_write(tmp_path, text, "b.csv"), dtype={"Sex": str})
    src["Referral Date"] = pd.to_datetime(src["Referral Date"])
    src.to_excel(tmp_path / "x.xlsx", index=False)
    src.to_parquet(tmp_path / "x.parquet")
    for name in ("x.xlsx", "x.parquet"):
        other = _read(tmp_path / name)
        for col in ("ethnicity", "sex", "age", "age_band", "referral_date", "waiting_days"):
            assert csv_df[col].astype(object).equals(other[col].astype(object)), (name, col)


def test_columns_reads_only_what_is_needed(tmp_path):
    p = _write(tmp_path, "NHS Number,Ethnicity,Age,Team,Referral Date\n"
                         "4010232137,A,30,North,2024-01-02\n9434765919,N,40,South,2024-01-03\n")
    with pytest.warns(IdentifiableDataWarning, match="NHS Number"):
        df = read_service_data(p, columns=["ethnicity", "age_band"])
    assert list(df.columns) == ["age_band", "ethnicity"]
    assert df.attrs["dropped_identifiers"] == [{"column": "NHS Number", "kind": "NHS number"}]


def test_provenance_of_a_real_file(tmp_path):
    df = _read(_write(tmp_path, "ethnicity,sex\nA,1\n"))
    assert df.attrs["source"] == "file" and df.attrs["synthetic"] is False
    assert "extract.csv" in df.attrs["description"]
    assert df.attrs["validation"]["rows"] == 1
    assert set(df.columns) <= set(SCHEMA_COLUMNS)


def test_the_input_file_is_never_changed(tmp_path):
    p = _write(tmp_path, "NHS Number,Forename,DOB,Ethnicity,Referral Date\n"
                         "4010232137,Ann,1980-02-01,A,2024-01-02\n")
    before = hashlib.sha256(p.read_bytes()).hexdigest()
    _read(p)
    assert hashlib.sha256(p.read_bytes()).hexdigest() == before


def test_waiting_days_are_worked_out_from_the_dates(tmp_path):
    p = _write(tmp_path, "Referral Date,First Appointment Date,ethnicity\n"
                         "2024-01-01,2024-01-29,A\n2024-02-01,,N\n")
    df = _read(p)
    assert df["waiting_days"].tolist() == [28, pd.NA]
    assert df["waiting_days"].dtype == "Int32"


def test_markers_of_disadvantage(tmp_path):
    p = _write(tmp_path, "benefits,employment status,housing status,smoking status,ethnicity\n"
                         "Yes,01,Settled,Current smoker,A\nno,02,Homeless,ex-smoker,N\n"
                         ",ZZ,,never,B\n")
    df = _read(p)
    assert df["benefits"].tolist() == [True, False, pd.NA]
    assert df["employment"].astype(object).tolist() == ["Employed", "Unemployed", "Not stated"]
    assert df["housing"].astype(object).tolist()[:2] == ["Settled", "Homeless"]
    assert df["smoking"].astype(object).tolist() == ["Current smoker", "Ex-smoker", "Never smoked"]


def test_many_rows_are_read_with_vectorised_code(tmp_path):
    n = 200_000
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"ethnicity": rng.choice(list("ABCHNRSZ"), n), "age": rng.integers(18, 90, n),
                       "lsoa": rng.choice(["E01001847", "E01001836"], n),
                       "referral_date": rng.choice(["03/01/2024", "2024-02-05"], n)})
    p = tmp_path / "big.csv"
    df.to_csv(p, index=False)
    out = _read(p)
    assert len(out) == n
    assert out["ethnicity"].isin(codes.ETHNICITY_CATEGORIES).all()
    assert (out["imd_decile"] == np.where(df["lsoa"] == "E01001847", 1, 4)).all()


def test_title_lines_above_the_header_are_skipped_and_rows_still_counted(tmp_path):
    p = _write(tmp_path, "CMHT referrals report\nRun on 01/04/2024\n"
                         "Ethnicity,Age,Sex\nA,30,1\nN,-1,2\n")
    with pytest.raises(DataError) as info:
        read_service_data(p)
    assert info.value.rows == [5] and info.value.column == "Age"
    p = _write(tmp_path, "CMHT referrals report\nEthnicity,Age,Sex\nA,30,1\nN,41,2\n")
    df = _read(p)
    assert df["age"].tolist() == [30, 41]
    assert any("skipped" in n for n in df.attrs["validation"]["notes"])


def test_parquet_written_from_synthetic_data_stays_labelled(tmp_path):
    from equitylab.synthetic import service_data

    extract = service_data(n=50, seed=5, as_extract=True).drop(columns="synthetic")
    extract.to_parquet(tmp_path / "s.parquet")      # pandas keeps attrs in the file
    df = _read(tmp_path / "s.parquet")
    assert df.attrs["synthetic"] is True and df.attrs["source"] == "synthetic"
    assert df["first_appointment_date"].isna().sum() == (extract["first_appointment_date"] == "").sum()
