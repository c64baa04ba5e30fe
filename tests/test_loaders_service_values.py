"""Columns as read, turned into numbers and dates one distinct value at a time."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitylab.loaders.service import values as V


def _numbers(values, delimiter=","):
    vals, not_number, ambiguous, cc = V.numbers(pd.Series(pd.Categorical(values)),
                                                delimiter=delimiter)
    spread = (lambda a, fill: np.append(a, fill)[cc]) if cc is not None else (lambda a, _: a)
    return (spread(vals, np.nan).tolist(), spread(not_number, False).tolist(),
            spread(ambiguous, False).tolist())


def test_a_comma_before_one_or_two_digits_is_a_decimal_comma():
    vals, not_number, ambiguous = _numbers(["2,5", "12,75", "3"], delimiter=";")
    assert vals == [2.5, 12.75, 3.0] and not any(not_number) and not any(ambiguous)


def test_a_comma_before_groups_of_three_digits_separates_thousands_in_a_comma_file():
    vals, _, ambiguous = _numbers(["1,234", "12,345,678", "7"])
    assert vals == [1234.0, 12345678.0, 7.0] and not any(ambiguous)


@pytest.mark.parametrize("values, delimiter", [(["1,234", "5"], ";"), (["1,234", "2,5"], ",")])
def test_a_comma_that_could_be_either_is_ambiguous(values, delimiter):
    vals, not_number, ambiguous = _numbers(values, delimiter)
    assert ambiguous[0] and np.isnan(vals[0]) and not not_number[0]


def test_text_is_not_a_number_and_blanks_are_missing():
    vals, not_number, _ = _numbers(["lots", None, "NULL", "inf"])
    assert not_number == [True, False, False, False]
    assert np.isnan(vals[1]) and np.isnan(vals[2]) and vals[3] == np.inf


def test_numeric_columns_are_read_row_by_row():
    vals, not_number, ambiguous, cc = V.numbers(pd.Series([1, None, 3], dtype="Int64"))
    assert cc is None and np.isnan(vals[1]) and vals[2] == 3 and not not_number.any()


def test_dates_in_the_formats_uk_systems_export():
    s = pd.Series(["05/03/2024", "2024-03-05", "05-Mar-2024", "5 March 2024", "20240305",
                   "05/03/24", "05/03/2024 14:30"])
    vals, bad, us = V.dates(s)
    assert not bad.any() and not us
    assert set(vals.astype("datetime64[D]").tolist()) == {np.datetime64("2024-03-05").item()}


def test_dates_outside_pandas_nanosecond_range_are_still_read():
    vals, bad, _ = V.dates(pd.Series(["9999-12-31", "01/01/0001"]))
    assert not bad.any()
    assert vals.astype("datetime64[D]").astype(str).tolist() == ["9999-12-31", "0001-01-01"]


def test_impossible_and_month_first_dates_are_unreadable():
    vals, bad, us = V.dates(pd.Series(["31/02/1977", "12/25/2024", "2024-03-05", None]))
    assert bad.tolist() == [True, True, False, False] and us
    assert np.isnat(vals[3])


def test_repeated_rows_are_the_rows_pandas_calls_duplicated():
    """values.repeated_rows sorts one number per row instead of hashing text; the rows it finds
    must be exactly DataFrame.duplicated's, over categoricals, Arrow text, numbers with NaN,
    and more columns than one 62-bit number can combine."""
    from equitylab.loaders.service.values import repeated_rows

    rng = np.random.default_rng(15)
    for _ in range(100):
        n = int(rng.integers(2, 40))
        frame = pd.DataFrame({
            "code": pd.Categorical(rng.choice(["A", "B", None], n)),
            "text": pd.Series(rng.choice(["p", "q", "r", None], n), dtype="str"),
            "number": rng.choice([1.0, 2.0, np.nan], n),
            "whole": rng.integers(0, 3, n),
        })
        assert (repeated_rows(frame) == frame.duplicated().to_numpy()).all()
    wide = pd.DataFrame({f"c{i}": pd.Series(rng.choice([f"v{j}" for j in range(1000)], 300), dtype="str")
                         for i in range(12)})
    wide = pd.concat([wide, wide.iloc[[3, 7, 7]]], ignore_index=True)
    assert repeated_rows(wide).tolist() == wide.duplicated().tolist()
    assert repeated_rows(wide).sum() == 3
