"""read_service_data: header mapping, code lists, validation messages, provenance."""
from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from equitylab import DataError, IdentifiableDataWarning
from equitylab.loaders import codes
from equitylab.loaders.service import SCHEMA_COLUMNS, read_service_data

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
