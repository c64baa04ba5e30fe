"""Problems are collected, then raised together: one table, one message, no identifying values."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from equitylab import DataError
from equitylab.loaders.service.problems import SHOWN, Problems, shown


@pytest.mark.parametrize("value, expected", [
    ("Q", "'Q'"), ("7", "'7'"), ("-3", "'-3'"), ("2,5", "'2,5'"), ("1e30", "'1e30'"),
    ("inf", "'inf'"), ("150", "'150'"),
    ("4010232137", "a 10-digit number"),            # NHS Data Dictionary's example NHS number
    ("401 023 2137", "a 10-digit number"),
    ("99999999999999999999", "a 20-digit number"),
    ("E8 1AA", "a value shaped like a postcode"),
    ("jo.bloggs@example.org", "a value shaped like an email address"),
    ("31/02/1977", "a value shaped dd/dd/dddd"),
    ("Jane Smith", "text of 10 characters"),
    ("Ann", "text of 3 characters"),
])
def test_values_are_shown_only_when_they_cannot_identify_anyone(value, expected):
    assert shown(value) == expected


def _problems():
    p = Problems("extract.csv")
    age = pd.Series(["30", "-3", "40", "-1", "x"])
    p.add(np.array([False, True, False, True, False]), column="Age", problem="negative",
          hint="Ages are whole years", values=age)
    p.add(np.array([False, False, False, True, True]), column="Ethnicity",
          problem="not an NHS ethnic category code", hint="Use codes A-Z",
          values=pd.Series(["A", "B", "C", "Jane Smith", "Q"]))
    return p


def test_the_table_has_a_line_per_row_and_column_with_how_many_rows_share_it():
    table = _problems().table()
    assert table.to_dict("list") == {
        "row": [3, 5, 5, 6],        # header = row 1, so the first data row is row 2
        "column": ["Age", "Age", "Ethnicity", "Ethnicity"],
        "problem": ["negative", "negative", "not an NHS ethnic category code",
                    "not an NHS ethnic category code"],
        "count": [2, 2, 2, 2]}


def test_one_error_lists_every_problem_and_names_the_file():
    err = _problems().error(5)
    message = str(err)
    assert isinstance(err, DataError) and err.file == "extract.csv"
    assert message.startswith("2 problems in 3 rows, listed below; nothing was loaded "
                              "(in extract.csv, rows 3, 5, 6)")
    assert "  - rows 3, 5: 'Age' is negative ('-3', '-1'). Ages are whole years." in message
    assert ("  - rows 5, 6: 'Ethnicity' is not an NHS ethnic category code (text of 10 "
            "characters, 'Q'). Use codes A-Z.") in message
    assert "Jane Smith" not in message
    assert err.rows == [3, 5, 6] and err.count == 3 and err.column is None
    assert 'bad_rows="exclude"' in err.hint


def test_the_first_problems_are_shown_in_full_and_the_rest_counted():
    p = Problems("big.csv")
    for i in range(SHOWN + 3):
        mask = np.zeros(100, dtype=bool)
        mask[i * 5:(i + 1) * 5] = True
        p.add(mask, column=f"c{i}", problem="negative", hint="Fix it")
    message = str(p.error(100))
    assert message.count("\n  - ") == SHOWN + 1
    assert message.endswith("and 3 more problems in 15 rows (all of them are in the error's "
                            "problems table)")
    assert len(p.error(100).problems) == 5 * (SHOWN + 3)


def test_a_single_problem_reads_as_one_sentence_with_its_rows():
    p = Problems("x.csv")
    p.offset = 4  # two title lines above the header
    p.add(np.array([False, True]), column="Age", problem="above 120", hint="Ages run 0 to 120",
          values=pd.Series(["3", "150"]))
    err = p.error(2)
    assert str(err).startswith("In 1 row, 'Age' is above 120 ('150') (in x.csv, column 'Age', "
                               "row 5). Ages run 0 to 120; fix the file")
    assert err.column == "Age" and err.rows == [5]


def test_reasons_travel_as_plain_data():
    assert _problems().reasons() == [
        {"column": "Age", "problem": "negative", "count": 2, "rows": [3, 5]},
        {"column": "Ethnicity", "problem": "not an NHS ethnic category code", "count": 2,
         "rows": [5, 6]}]


def test_the_problems_table_is_sorted_by_row_and_names_each_line_once_per_problem():
    p = Problems("x.csv")
    p.add(np.array([False, True, False, True]), column="Age", problem="negative", hint="Fix")
    p.add(np.array([True, False, False, True]), column="Sex", problem="not a sex code", hint="Fix")
    p.add(np.array([False, False, True, False]), column=None, problem="a repeated header", hint="Fix")
    table = p.error(4).problems
    assert table["row"].tolist() == [2, 3, 4, 5, 5]
    assert table["column"].astype(object).where(table["column"].notna(), None).tolist() == \
        ["Sex", "Age", None, "Age", "Sex"]  # None: the whole row
    assert table["problem"].tolist() == ["not a sex code", "negative", "a repeated header",
                                         "negative", "not a sex code"]
    assert table["count"].tolist() == [2, 2, 1, 2, 2]
    # a line per row at fault, so the words of each problem are held once, not once per line
    assert isinstance(table["problem"].dtype, pd.CategoricalDtype)
    assert list(table["problem"].cat.categories) == ["negative", "not a sex code", "a repeated header"]
