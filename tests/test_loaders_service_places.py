"""Where patients live: LSOA codes checked against the 2011 and 2021 lists, postcodes,
and the IMD 2019 decile of each LSOA."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from equitylab import DataError
from equitylab.loaders.service import read_service_data
from extract_files import read_quietly as _read
from extract_files import write_extract as _write


def test_lsoa_gets_its_imd_2019_national_decile(tmp_path):
    # MHCLG IoD2019 File 1: E01001847 Hackney 018B rank 1,315 decile 1; E01001836 Hackney 022A
    # rank 10,064 decile 4; E01000001 City of London 001A rank 29,199 decile 9.
    p = _write(tmp_path, "lsoa11cd,ethnicity\nE01001847,A\ne01001836 ,N\nE01000001,B\nW01000001,A\n")
    df = _read(p)
    assert df["imd_decile"].tolist() == [1, 4, 9, pd.NA]
    assert df["imd_quintile"].tolist() == [1, 2, 5, pd.NA]
    assert df["lsoa_code"].astype(str).tolist()[:2] == ["E01001847", "E01001836"]
    assert any("no IMD 2019 decile" in n and "Welsh" in n for n in df.attrs["validation"]["notes"])


def test_postcodes_need_a_lookup_and_are_dropped(tmp_path):
    p = _write(tmp_path, "postcode,ethnicity\nE8 1AA,A\nN16 5TT,N\n")
    with pytest.warns(UserWarning) as rec:
        df = read_service_data(p)
    kinds = {type(w.message).__name__: str(w.message) for w in rec}
    assert "postcode_lookup=" in kinds["UserWarning"]
    assert "'postcode' (postcode, by its header)" in kinds["IdentifiableDataWarning"]
    assert "postcode" not in df.columns and "imd_decile" not in df.columns
    assert df["postcode_district"].astype(str).tolist() == ["E8", "N16"]
    lookup = pd.DataFrame({"pcds": ["E8 1AA", "N16 5TT"], "lsoa11cd": ["E01001847", "E01000001"]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read_service_data(p, postcode_lookup=lookup)
    assert df["lsoa_code"].astype(str).tolist() == ["E01001847", "E01000001"]
    assert df["imd_decile"].tolist() == [1, 9]
    assert not any(v in df.to_csv() for v in ("E8 1AA", "N16 5TT"))


def test_each_lsoa_without_a_decile_is_reported_with_its_rows_and_reason(tmp_path):
    # ONS: E01035638 is Hackney 002G, an LSOA 2021 code that did not exist in 2011;
    # W01000001 is Welsh. Neither has an (English) IMD 2019 decile.
    p = _write(tmp_path, "lsoa,ethnicity\nE01001847,A\nW01000001,A\nE01035638,B\n"
                         "E01035638,N\n")
    with pytest.warns(UserWarning) as rec:
        df = read_service_data(p)
    text = " ".join(str(w.message) for w in rec)
    assert "1 row has no IMD 2019 decile (left blank) because the code is a Welsh LSOA code" \
        in text and "(row 3)" in text
    assert "2 rows have no IMD 2019 decile" in text and "(rows 4, 5)" in text
    assert "IMD 2019 is on 2011 LSOAs" in text and "no 2011-to-2021 lookup offline" in text
    assert df["imd_decile"].tolist() == [1, pd.NA, pd.NA, pd.NA]
    reasons = {r["reason"]: r["rows"] for r in df.attrs["validation"]["lsoa_without_decile"]}
    assert reasons == {"welsh": [3], "lsoa21": [4, 5]}


def test_lsoa_codes_that_do_not_exist_or_are_not_lsoa_codes_are_problems(tmp_path):
    p = _write(tmp_path, "lsoa,ethnicity\nE01001847,A\nE01999999,A\nHackney 018B,B\n"
                         "E8 1AA,B\n")
    with pytest.raises(DataError) as info:
        _read(p)
    table = info.value.problems
    assert table[["row", "problem"]].values.tolist() == [
        [3, "not an LSOA code that exists (in neither the 2011 nor the 2021 list)"],
        [4, "not an LSOA code"], [5, "not an LSOA code"]]
    message = str(info.value)
    assert "a value shaped like a postcode" in message and "E8 1AA" not in message
