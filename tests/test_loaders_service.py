"""read_service_data: header mapping, code lists, validation messages, provenance."""
from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from nhs_extract import PLANTED, nhs_extract

from equitylab import DataError, IdentifiableDataWarning
from equitylab.loaders import codes
from equitylab.loaders.service import SCHEMA_COLUMNS, read_service_data
from equitylab.synthetic import service_data
from extract_files import read_quietly as _read
from extract_files import write_extract as _write

HERE = Path(__file__).resolve().parent
MALFORMED = HERE / "malformed"
EXAMPLES = HERE.parent / "data" / "examples"
EXPECTED = yaml.safe_load((MALFORMED / "expected.yaml").read_text(encoding="utf-8"))


def test_every_malformed_file_has_an_expected_outcome():
    files = {p.name for p in MALFORMED.iterdir() if p.name != "expected.yaml"}
    assert len(files) >= 100
    assert files == set(EXPECTED), "every malformed file needs an entry in expected.yaml"


LOADS = sorted(name for name, spec in EXPECTED.items() if "loads" in spec)
FAILS = sorted(name for name in EXPECTED if name not in LOADS)


@pytest.mark.parametrize("name", FAILS)
def test_malformed_file_gives_its_message(name):
    spec = EXPECTED[name]
    with pytest.raises(DataError) as info:
        _read(MALFORMED / name, **(spec.get("kwargs") or {}))
    err = info.value
    message = str(err)
    for phrase in spec["contains"]:
        assert phrase.lower() in message.lower(), f"{name}: {phrase!r} not in {message!r}"
    if not spec.get("no_file") and name != "mapping_unknown_target.csv":
        assert name in message, "the message names the file"
    if "rows" in spec:
        assert err.rows == spec["rows"]
    if "column" in spec:
        assert err.column == spec["column"]
    if "count" in spec:
        assert err.count == spec["count"]
    if "problems" in spec:
        assert len(err.problems) == spec["problems"]
    for secret in spec.get("absent", []):
        assert secret not in message
    assert err.hint, "every message says how to fix it"


@pytest.mark.parametrize("name", LOADS)
def test_hostile_file_that_should_load_loads_and_says_what_it_did(name):
    spec = EXPECTED[name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = read_service_data(MALFORMED / name, **(spec.get("kwargs") or {}))
    assert len(df) == spec["loads"]["rows"]
    assert df.attrs["excluded"]["rows"] == spec["loads"]["excluded"]
    said = " ".join(str(w.message) for w in caught)
    for phrase in spec.get("warns", []):
        assert phrase in said, f"{name}: {phrase!r} not in {said!r}"
    for column, value in (spec.get("first") or {}).items():
        got = df[column].iloc[0]
        expected = pd.Timestamp(value) if isinstance(got, pd.Timestamp) else value
        assert got == expected, f"{name}: {column} is {got!r}, not {expected!r}"
    notes = df.attrs["validation"]["notes"]
    for phrase in spec.get("notes", []):
        assert any(phrase in n for n in notes), f"{name}: {phrase!r} not in {notes!r}"


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


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_a_frame_saved_from_equitylab_reads_back_the_same(tmp_path, suffix):
    """A team that saves the schema frame (here the synthetic teaching extract) and shares
    the file gets the same frame back: the columns equitylab derives ('ethnicity' and
    'ethnic_group_detail' from 'ethnicity_code') are made again, and every label it writes
    ('Not working, not seeking work', 'Homemaker or carer') is one it reads."""
    df = service_data(n=400, seed=7)
    p = tmp_path / f"saved{suffix}"
    {".csv": lambda: df.to_csv(p, index=False), ".parquet": lambda: df.to_parquet(p),
     ".xlsx": lambda: df.to_excel(p, index=False)}[suffix]()
    back = _read(p)
    assert list(back.columns) == list(df.columns)
    for col in df.columns:
        assert back[col].astype(object).where(back[col].notna(), None).equals(
            df[col].astype(object).where(df[col].notna(), None)), col
        assert str(back[col].dtype) == str(df[col].dtype), col
    assert "'ethnicity' made again from 'ethnicity_code' (the file's copy was not used)" in \
        back.attrs["validation"]["notes"]


def test_every_label_equitylab_writes_is_one_it_reads():
    for lookup, labels in ((codes.employment_lookup, codes.EMPLOYMENT_CATEGORIES),
                           (codes.housing_lookup, codes.HOUSING_CATEGORIES),
                           (codes.smoking_lookup, codes.SMOKING_CATEGORIES),
                           (codes.experience_lookup, codes.EXPERIENCE_CATEGORIES),
                           (codes.sex_lookup, codes.SEX_CATEGORIES)):
        assert [lookup(x) for x in labels] == list(labels)
    assert codes.employment_lookup("Not working, not seeking work") == \
        codes.employment_lookup("06")


def test_two_columns_that_both_name_ethnicity_in_words_still_need_a_mapping(tmp_path):
    p = _write(tmp_path, "ethnicity,ethnic origin,age\nA,A,30\n")
    with pytest.raises(DataError, match="both look like ethnicity"):
        _read(p)


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


# ---- a realistic extract, end to end ---------------------------------------------------------

def test_a_realistic_extract_reports_every_planted_defect_in_one_error(tmp_path):
    path, numbers = nhs_extract(tmp_path)
    with pytest.raises(DataError) as info:
        _read(path)
    err = info.value
    table = err.problems
    assert [tuple(r) for r in table[["row", "column", "problem"]].itertuples(index=False)] == PLANTED
    assert (table["count"] == 1).all()
    message = str(err)
    assert message.startswith("8 problems in 8 rows, listed below; nothing was loaded "
                              "(in cmht_extract.csv, rows 4, 6, 8, 10, 12, 14, 16, 18)")
    assert message.count("\n  - ") == 8
    assert not any(n in message for n in numbers), "no NHS number is ever shown"
    assert "E01999999" not in message and "31/02/2024" not in message


def test_a_realistic_extract_loads_without_its_bad_rows_and_says_why(tmp_path):
    path, numbers = nhs_extract(tmp_path)
    with pytest.warns(UserWarning) as caught:
        df = read_service_data(path, bad_rows="exclude")
    assert len(df) == 24 - len(PLANTED)
    excluded = df.attrs["excluded"]
    assert excluded["rows"] == 8
    assert [(r["column"], r["problem"], r["rows"]) for r in excluded["reasons"]] == \
        [(column, problem, [row]) for row, column, problem in PLANTED]
    said = [str(w.message) for w in caught]
    assert any("8 of 24 rows were left out" in s for s in said)
    assert any(isinstance(w.message, IdentifiableDataWarning) and "'NHS Number'" in str(w.message)
               for w in caught)
    assert "NHS Number" not in df.columns
    assert not any(n in df.to_csv() for n in numbers)
    # the rows kept are read as the NHS codes say (Data Dictionary: A White British,
    # gender 1 Male, 2 Female, 9 Indeterminate, 0 Not known)
    first = df.iloc[0]
    assert (first["ethnicity"], first["ethnic_group_detail"], first["sex"]) == \
        ("White", "White British", "Male")
    assert set(df["sex"].astype(str)) == {"Male", "Female", "Indeterminate", "Not known"}
    assert df["referral_date"].min() == pd.Timestamp("2024-03-01")
    assert df["missed_appointments"].dtype == "Int32" and df["imd_decile"].notna().all()
