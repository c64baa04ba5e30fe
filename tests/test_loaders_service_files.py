"""Reading the file: CSV separators and encodings, title lines, Excel sheets, Parquet."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from equitylab import DataError
from equitylab.loaders.service import read_service_data
from extract_files import read_quietly as _read
from extract_files import write_extract as _write


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


@pytest.mark.parametrize("when", [dt.datetime(9999, 12, 31), dt.datetime(1, 1, 1)])
def test_parquet_dates_out_of_pandas_range_are_problems_not_tracebacks(tmp_path, when):
    # pandas holds nanosecond timestamps from 1677 to 2262 only; these used to raise
    # OutOfBoundsDatetime from inside the reader
    p = tmp_path / "x.parquet"
    pq.write_table(pa.table({"Referral Date": pa.array([dt.datetime(2024, 1, 2), when]),
                             "Ethnicity": ["A", "B"]}), p)
    with pytest.raises(DataError) as info:
        read_service_data(p)
    word = "after 2100" if when.year > 2000 else "before 1900"
    assert f"'Referral Date' is {word}" in str(info.value)
    assert info.value.rows == [2]  # Parquet has no header row: the first data row is row 1


def test_a_text_column_of_mostly_distinct_values_stays_text_and_is_still_checked(tmp_path, monkeypatch):
    """Past MAX_CATEGORIES distinct values a column is held as Arrow text, not categories
    (pandas would make a Python string of every category), and is trimmed, blanked and
    searched for identifiers as a categorical column is."""
    from equitylab.loaders.service import files

    monkeypatch.setattr(files, "MAX_CATEGORIES", 3)
    rows = ["A,team 1 ,x", "N,team 2,y", "B, NULL ,x", "A,team 4,z", "N,,x", "B,team 1 ,y"]
    df = _read(_write(tmp_path, "ethnicity,team,note\n" + "\n".join(rows) + "\n"))
    assert isinstance(df["team"].dtype, pd.StringDtype) and df["team"].dtype.storage == "pyarrow"
    assert df["team"].isna().tolist() == [False, False, True, False, True, False]
    assert df["team"].dropna().tolist() == ["team 1", "team 2", "team 4", "team 1"]
    assert isinstance(df["note"].dtype, pd.CategoricalDtype)  # 3 distinct: categories
    # an NHS number in such a column is found by content and the column dropped
    rows[3] = "A,seen 943 476 5919,z"
    with pytest.warns(UserWarning, match="'team'"):
        df = read_service_data(_write(tmp_path, "ethnicity,team\n" + "\n".join(
            r.rsplit(",", 1)[0] for r in rows) + "\n", "b.csv"))
    assert "team" not in df.columns
