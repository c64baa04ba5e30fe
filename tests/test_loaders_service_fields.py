"""Each field checked and converted: codes, numbers in range, dates, ages, cross-field checks.

Every check adds to the file's problems instead of raising, so these tests read the
problems the check left, or the DataError the whole read raises.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from equitylab import DataError, IdentifiableDataWarning
from equitylab.loaders import codes
from equitylab.loaders.service import fields as F
from equitylab.loaders.service import read_service_data
from equitylab.loaders.service.problems import Problems
from extract_files import read_quietly as _read
from extract_files import write_extract as _write

TODAY = dt.date(2026, 6, 30)


def _check(fn, values, **kw):
    problems = Problems("x.csv")
    out = fn(pd.Series(pd.Categorical(values)), "col", problems, **kw)
    return out, {p.problem: (problems.row_numbers(p.positions).tolist()) for p in problems.found}


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


@pytest.mark.parametrize("value", ["inf", "1e30", "99999999999999999999", "-inf"])
def test_counts_that_are_not_finite_whole_numbers_up_to_a_billion_never_wrap(value):
    # these loaded as -9223372036854775808 (a cast that wrapped) before
    out, found = _check(F.count, ["5", value])
    assert out.dtype == "Int64" and out.iloc[0] == 5 and pd.isna(out.iloc[1])
    assert list(found.values()) == [[3]]
    assert set(found) <= {"not a finite number", "above 1,000,000,000", "negative"}


def test_missed_appointments_of_inf_is_a_problem_not_zero():
    out, found = _check(F.missed_appointments, ["0", "inf", "2"])
    assert found == {"not a finite number": [3]}
    assert out.tolist()[::2] == [0, 2] and out.dtype == "Int32"


def test_waiting_days_beyond_100_years_are_a_problem_not_a_negative_number(tmp_path):
    # 3,000,000,000 does not fit an Int32 and wrapped to a negative number before
    out, found = _check(F.waiting_days, ["3000000000", "36500", "36501"])
    assert found == {"above 36,500": [2, 4]}
    assert out.iloc[1] == 36500
    p = tmp_path / "w.parquet"
    pd.DataFrame({"waiting days": np.array([3_000_000_000, 5], dtype=np.int64),
                  "ethnicity": ["A", "B"]}).to_parquet(p)
    with pytest.raises(DataError, match="'waiting days' is above 36,500") as info:
        read_service_data(p)
    assert info.value.rows == [1] and "3000000000" not in str(info.value)


def test_ages_run_from_0_to_120():
    out, found = _check(F.age, ["0", "120", "121", "-1", "30.5"])
    assert found == {"above 120": [4], "negative": [5], "not a whole number": [6]}
    assert out.tolist()[:2] == [0, 120] and out.dtype == "Int16"


def test_decimal_commas_are_not_read_as_ten_times_the_number(tmp_path):
    # "2,5" in a semicolon file is two and a half, never 25
    p = _write(tmp_path, "ethnicity;count\nA;2,5\nB;3\n")
    with pytest.raises(DataError, match=r"'count' is not a whole number \('2,5'\)"):
        read_service_data(p)


def test_a_comma_that_could_be_either_stops_the_load_even_when_excluding(tmp_path):
    p = _write(tmp_path, "ethnicity;count\nA;1,250\nB;3\n")
    with pytest.raises(DataError, match="decimal comma or a thousands separator"):
        _read(p, bad_rows="exclude")


def test_thousands_separators_in_a_comma_separated_file_are_read(tmp_path):
    p = _write(tmp_path, 'ethnicity,count\nA,"1,250"\nB,3\n')
    assert _read(p)["count"].tolist() == [1250, 3]


def test_dates_before_1900_after_2100_or_in_the_future_are_problems():
    out, found = _check(F.dates, ["01/01/0001", "31/12/9999", "2026-07-01", "30/06/2026",
                                  "1899-12-31", "1900-01-01"], today=TODAY)
    assert found == {"before 1900": [2, 6], "after 2100": [3],
                     "in the future (after 30/06/2026)": [4]}
    assert out.dtype == "datetime64[ns]"
    assert out.iloc[3] == pd.Timestamp("2026-06-30") and out.iloc[5] == pd.Timestamp("1900-01-01")


def test_unreadable_dates_say_the_format_and_never_show_a_date_of_birth():
    problems = Problems("x.csv")
    F.dates(pd.Series(["31/02/1977", "01/02/1980"]), "DOB", problems, today=TODAY,
            identifying=True)
    (p,) = problems.found
    assert p.problem == "not a date" and p.examples == ()
    assert "dd/mm/yyyy" in p.hint


def test_first_contact_and_discharge_fall_on_or_after_referral(tmp_path):
    p = _write(tmp_path, "Referral Date,First Contact Date,Discharge Date,Ethnicity\n"
                         "01/03/2024,01/03/2024,05/03/2024,A\n"
                         "10/03/2024,09/03/2024,,B\n"
                         "10/03/2024,,09/03/2024,C\n")
    with pytest.raises(DataError) as info:
        read_service_data(p)
    table = info.value.problems
    assert table[["row", "column", "problem"]].values.tolist() == [
        [3, "First Contact Date", "before the referral date"],
        [4, "Discharge Date", "before the referral date"]]


def test_age_bands_can_be_any_rising_whole_numbers_and_only_those(tmp_path):
    p = _write(tmp_path, "age,sex\n17,1\n18,2\n64,1\n65,2\n")
    df = _read(p, age_bands=iter([0, 18, 65]))
    assert df["age_band"].astype(str).tolist() == ["0-17", "18-64", "18-64", "65+"]
    for bad in ([0, 65, 18], [0, 17.5], [-5, 10], [], "young"):
        with pytest.raises(DataError, match="age_bands should be the lower bounds"):
            _read(p, age_bands=bad)
