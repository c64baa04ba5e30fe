"""A large extract gives the same answers however it is stored.

read_service_data keeps dictionary-encoded text as categories and checks each distinct value
once; proportion()/rate() add up nullable booleans and whole numbers as they are. These tests
compare those paths with slower, simpler ways of getting the same table.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import DataError
from equitylab.loaders.service import read_service_data
from equitylab.loaders.service.files import arrow_to_pandas as _arrow_to_pandas
from equitylab.measures import proportion, rate

COLUMNS = ["ethnicity", "sex", "imd_decile", "readmitted_90d"]


def _read(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_service_data(path, **kw)


def _extract(n=3000, seed=7):
    """Codes and labels as NHS systems send them, with blanks in every column."""
    rng = np.random.default_rng(seed)
    eth = np.array(["A", "B", "White", "Black", "Asian", "Mixed", "Other", "Not stated",
                    "Z", "99", "H", None], dtype=object)
    sexes = np.array(["F", "M", "Female", "Male", "1", "2", "X", None], dtype=object)
    imd = rng.integers(1, 11, n).astype(float)
    imd[rng.random(n) < 0.05] = np.nan
    readmitted = np.where(rng.random(n) < 0.2, "yes", "no").astype(object)
    readmitted[rng.random(n) < 0.03] = None
    return pd.DataFrame({"Ethnic Category": eth[rng.integers(0, len(eth), n)],
                         "Gender": sexes[rng.integers(0, len(sexes), n)],
                         "IMD Decile": imd, "Readmitted": readmitted})


def _write_all(tmp_path, df):
    """The same extract as CSV, Parquet with plain text, and Parquet with dictionary text
    split over several row groups."""
    df.to_csv(tmp_path / "x.csv", index=False)
    bools = df["Readmitted"].map({"yes": True, "no": False, None: None})
    plain = pa.table({"Ethnic Category": pa.array(df["Ethnic Category"], pa.string()),
                      "Gender": pa.array(df["Gender"], pa.string()),
                      "IMD Decile": pa.array(df["IMD Decile"].astype("Int8"), pa.int8()),
                      "Readmitted": pa.array(bools, pa.bool_())})
    pq.write_table(plain, tmp_path / "plain.parquet")
    coded = plain.set_column(0, "Ethnic Category", plain["Ethnic Category"].dictionary_encode())
    coded = coded.set_column(1, "Gender", coded["Gender"].dictionary_encode())
    pq.write_table(coded, tmp_path / "dict.parquet", row_group_size=700)
    return [tmp_path / "x.csv", tmp_path / "plain.parquet", tmp_path / "dict.parquet"]


def test_csv_plain_and_dictionary_parquet_give_identical_frames_and_proportions(tmp_path):
    paths = _write_all(tmp_path, _extract())
    frames = [_read(p, columns=COLUMNS) for p in paths]
    first = frames[0]
    assert list(first.columns) == ["sex", "ethnicity", "imd_decile", "readmitted_90d"]  # schema order
    assert str(first["imd_decile"].dtype) == "Int8" and str(first["readmitted_90d"].dtype) == "boolean"
    assert first["ethnicity"].isna().sum() == 0  # blank ethnicity is 'Not stated', not missing
    assert first["imd_decile"].isna().sum() > 0 and first["readmitted_90d"].isna().sum() > 0
    for other in frames[1:]:
        pd.testing.assert_frame_equal(first, other, check_exact=True)
        assert other.attrs["validation"]["missing"] == first.attrs["validation"]["missing"]
        assert other.attrs["missing_ethnicity_pct"] == pytest.approx(first.attrs["missing_ethnicity_pct"])
    tables = []
    for df in frames:
        df["people"] = np.ones(len(df), dtype="int8")
        tables.append([proportion(df, "readmitted_90d", "people", by=dim)
                       for dim in ("ethnicity", "sex", "imd_decile", ["sex", "imd_decile"])])
    for other in tables[1:]:
        for a, b in zip(tables[0], other):
            pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_proportions_of_nullable_columns_equal_pandas_groupby_and_the_float_path(tmp_path):
    df = _read(_write_all(tmp_path, _extract(n=5000, seed=11))[2], columns=COLUMNS)
    df["people"] = np.ones(len(df), dtype="int8")
    for dim in ("ethnicity", "sex", "imd_decile"):
        ours = proportion(df, "readmitted_90d", "people", by=dim)
        # the same numbers as plain floats (NaN for blanks)
        slow_input = df.assign(readmitted_90d=df["readmitted_90d"].astype("Float64").astype(float),
                               people=df["people"].astype(float))
        slow = proportion(slow_input, "readmitted_90d", "people", by=dim)
        pd.testing.assert_frame_equal(ours, slow, check_exact=True)
        # and an independent count with pandas (groups in the same order: categories or
        # sorted deciles, blanks last)
        grouped = df.groupby(dim, observed=True, dropna=False, sort=True)["readmitted_90d"]
        n_missing = grouped.apply(lambda s: int(s.isna().sum()))
        yes = grouped.apply(lambda s: int(s.fillna(False).sum()))
        assert ours["denominator"].tolist() == grouped.size().tolist()
        expected = np.where(n_missing.to_numpy() > 0, np.nan, yes.to_numpy())
        np.testing.assert_array_equal(ours["numerator"].to_numpy(), expected)
        for note, m in zip(ours["note"], n_missing):
            assert note == (f"{m} row(s) with no readmitted_90d" if m else "")


def test_unknown_code_in_a_dictionary_column_names_column_and_row(tmp_path):
    df = _extract(n=400, seed=3)
    df.loc[257, "Ethnic Category"] = "QQ"
    paths = _write_all(tmp_path, df)
    for path, first_row in ((paths[1], 1), (paths[2], 1), (paths[0], 2)):
        with pytest.raises(DataError) as info:
            _read(path, columns=COLUMNS)
        err = info.value
        assert err.column == "Ethnic Category"
        # Parquet has no header row: data row i is row i + 1; a CSV's header is row 1
        assert err.rows == [257 + first_row]
        assert "'QQ'" in str(err) and path.name in str(err)


def test_unknown_sex_code_in_a_dictionary_column_is_still_an_error(tmp_path):
    df = _extract(n=300, seed=5)
    df.loc[[12, 200], "Gender"] = "Q"
    path = _write_all(tmp_path, df)[2]
    with pytest.raises(DataError) as info:
        _read(path, columns=COLUMNS)
    assert info.value.column == "Gender" and info.value.rows == [13, 201] and info.value.count == 2


def test_unused_unknown_value_in_the_dictionary_is_not_an_error(tmp_path):
    # a Parquet dictionary may list values no row uses (e.g. written after a filter)
    values = pa.DictionaryArray.from_arrays(pa.array([0, 1, 0, 1], pa.int32()),
                                            pa.array(["A", "D", "QQ"]))
    pq.write_table(pa.table({"ethnicity": values, "sex": pa.array(["1", "2", "1", "2"])}),
                   tmp_path / "d.parquet")
    df = _read(tmp_path / "d.parquet")
    assert df["ethnicity"].tolist() == ["White", "Mixed", "White", "Mixed"]


def test_only_the_columns_asked_for_come_back(tmp_path):
    path = _write_all(tmp_path, _extract(n=200))[2]
    assert list(_read(path, columns=["ethnicity"]).columns) == ["ethnicity"]
    full = _read(path)
    for col in ("ethnicity", "ethnic_group_detail", "ethnicity_code", "imd_decile", "imd_quintile"):
        assert col in full.columns
    narrow = _read(path, columns=["ethnicity_code", "imd_quintile"])
    pd.testing.assert_frame_equal(narrow, full[["ethnicity_code", "imd_quintile"]])


def test_dictionary_columns_convert_as_pyarrow_would():
    col = pa.chunked_array([pa.array(["x", None, "y"]).dictionary_encode(),
                            pa.array(["z", "x", None, "x"]).dictionary_encode()])
    table = pa.table({"a": col, "b": pa.array([1, 2, None, 4, 5, 6, 7]),
                      "c": pa.array(["p", "q", None, "p", "", "q", "r"])})
    ours = _arrow_to_pandas(table)
    theirs = pa.table({"a": col, "b": table["b"], "c": table["c"].dictionary_encode()}).to_pandas()
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    assert ours["a"].isna().tolist() == [False, True, False, False, False, True, False]


def test_provenance_and_validation_attrs_survive_reading_and_proportion(tmp_path):
    path = _write_all(tmp_path, _extract(n=300))[2]
    df = _read(path, columns=COLUMNS)
    assert df.attrs["source"] == "file" and df.attrs["synthetic"] is False
    assert df.attrs["validation"]["rows"] == 300
    assert type(df.attrs["validation"]).__name__ == "_Summary"
    df["people"] = 1
    out = proportion(df, "readmitted_90d", "people", by="sex")
    assert out.attrs["description"] == df.attrs["description"]


@st.composite
def _frames(draw):
    n = draw(st.integers(0, 400))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cats = ["b", "a", "c", "d"]
    codes_ = rng.integers(-1, len(cats), n)
    group = pd.Categorical.from_codes(codes_, categories=cats)
    level = pd.array(rng.integers(-2, 5, n), dtype="Int16")
    level[rng.random(n) < draw(st.sampled_from([0, 0.1]))] = pd.NA
    flag = pd.array(rng.random(n) < 0.3, dtype="boolean")
    flag[rng.random(n) < draw(st.sampled_from([0, 0.1]))] = pd.NA
    count = rng.integers(0, 9, n).astype(np.int32)
    if draw(st.booleans()):
        count[:] = draw(st.integers(0, 3))
    weight = pd.array(rng.integers(0, 50, n), dtype="Int64")
    weight[rng.random(n) < draw(st.sampled_from([0, 0.05]))] = pd.NA
    return pd.DataFrame({"group": group, "level": level, "flag": flag, "count": count,
                         "plain_flag": rng.random(n) < 0.5, "weight": weight})


@settings(max_examples=60, deadline=None)
@given(df=_frames(), by=st.sampled_from([["group"], ["level"], ["group", "level"], []]),
       num=st.sampled_from(["flag", "plain_flag", "count", "weight"]),
       den=st.sampled_from(["count", "weight"]))
def test_nullable_and_boolean_columns_give_the_float_answers(df, by, num, den):
    floats = df.assign(**{c: df[c].astype("Float64").astype(float)
                          for c in ("flag", "plain_flag", "count", "weight")})
    for fn in (proportion, rate):
        ours = fn(df, num, den, by=by or None)
        slow = fn(floats, num, den, by=by or None)
        pd.testing.assert_frame_equal(ours, slow, check_exact=True)
    if by and len(df):
        # groups and their sizes as pandas finds them: category order or sorted, blanks last
        totals = df.groupby(by, observed=True, dropna=False, sort=True)["count"].sum()
        keys = totals.index.to_frame(index=False)
        got = ours[by].astype(object).where(ours[by].notna(), None)
        want = keys.astype(object).where(keys.notna(), None)
        assert got.values.tolist() == want.values.tolist()
        if den == "count":
            assert ours["denominator"].tolist() == totals.astype(float).tolist()
