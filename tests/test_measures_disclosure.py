"""suppress(): small-number disclosure control."""
import warnings

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab.errors import DataError, SmallNumbersWarning
from equitylab.measures import compare, suppress
from equitylab.provenance import is_synthetic, stamp


def _table():
    t = pd.DataFrame({"area": ["A"] * 4 + ["B"] * 4, "group": list("wxyz") * 2,
                      "numerator": [3, 50, 40, 100, 20, 30, 0, 5],
                      "denominator": [100, 200, 300, 400, 50, 60, 70, 80]})
    t["value"] = t["numerator"] / t["denominator"] * 100
    return t


def test_primary_secondary_and_derived_suppression():
    out = suppress(_table(), by="area")
    num = out["numerator"]
    assert num.isna().tolist() == [True, False, True, False, True, False, False, True]
    # area A: 3 hidden, next smallest non-zero (40) hidden too; area B: 5 hidden, then 20 (the 0 stays)
    assert out["value"].isna().tolist() == num.isna().tolist()
    assert "1 to 7" in out.loc[0, "suppression_note"]
    assert "cannot be worked out" in out.loc[2, "suppression_note"]
    assert out.loc[6, "numerator"] == 0
    assert "Zeros are shown" in out.attrs["suppression"]


def test_zero_handling_and_threshold():
    t = _table()
    out = suppress(t, by="area", hide_zero=True, threshold=5)
    assert pd.isna(out.loc[6, "numerator"]) and pd.isna(out.loc[7, "numerator"])
    assert not pd.isna(out.loc[4, "numerator"])  # B has two hidden cells already


def test_row_total_protection():
    t = pd.DataFrame({"site": ["s1", "s2", "s3"], "male": [4, 30, 40], "female": [25, 31, 50],
                      "total": [29, 61, 90]})
    out = suppress(t, count_columns=["male", "female"], row_total="total")
    assert pd.isna(out.loc[0, "male"])
    # row s1: male hidden; female or total must go too, otherwise male = total - female
    assert pd.isna(out.loc[0, "female"]) or pd.isna(out.loc[0, "total"])


def test_team_audience_keeps_numbers_with_banner():
    t = stamp(_table(), source="synthetic", synthetic=True)
    with pytest.warns(SmallNumbersWarning):
        out = suppress(t, audience="team")
    assert out.attrs["banner"] == "Small numbers: for the team only, do not share."
    assert out["numerator"].tolist() == t["numerator"].tolist()
    assert is_synthetic(out)
    assert is_synthetic(suppress(t))


def test_bad_inputs():
    with pytest.raises(DataError, match="audience"):
        suppress(_table(), audience="public")
    with pytest.raises(DataError, match="'nope'"):
        suppress(_table(), count_columns=["nope"])


tables = st.integers(1, 6).flatmap(lambda rows: st.tuples(
    st.lists(st.integers(0, 40), min_size=rows * 2, max_size=rows * 2), st.just(rows)))


@settings(max_examples=50, deadline=None)
@given(tables, st.integers(1, 10))
def test_no_small_count_survives_and_no_lone_hidden_cell(data, threshold):
    values, rows = data
    t = pd.DataFrame({"area": ["A"] * rows + ["B"] * rows, "numerator": values})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = suppress(t, by="area", threshold=threshold)
    shown = out["numerator"].dropna().astype(float)
    assert not ((shown >= 1) & (shown <= threshold)).any()
    for _, grp in pd.concat([t, out["numerator"].isna().rename("hidden")], axis=1).groupby("area"):
        hidden = grp["hidden"].sum()
        recoverable = hidden == 1 and len(grp) > 1
        # a lone hidden cell may remain only when nothing else in its group could be hidden
        if recoverable:
            others = grp.loc[~grp["hidden"], "numerator"]
            assert others.empty


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=2, max_size=6))
def test_row_total_leaves_no_single_hidden_cell_in_a_row(pairs):
    t = pd.DataFrame(pairs, columns=["male", "female"])
    t["total"] = t["male"] + t["female"]
    out = suppress(t, count_columns=["male", "female"], row_total="total")
    hidden = out[["male", "female", "total"]].isna().sum(axis=1)
    assert not (hidden == 1).any()


def test_comparison_table_hides_derived_prefixes_and_sentences():

    data = pd.DataFrame({"g": list("abcd"), "x": [3, 40, 50, 60], "n": [100, 200, 300, 400]})
    table = compare(data, by="g", numerator="x", denominator="n")
    out = suppress(table, derived_columns=["value", "lower_ci", "upper_ci", "difference", "ratio"])
    hidden = out["numerator"].isna()
    assert hidden.sum() == 2
    for col in ["value", "difference", "difference_lower_ci_95", "ratio_upper_ci_99_8"]:
        assert out.loc[hidden, col].isna().all(), col
        assert out.loc[~hidden, col].notna().all(), col
    assert (out.loc[hidden, "sentence"] == "Not shown: small numbers.").all()
    assert "3" not in " ".join(out.loc[hidden, "sentence"])


def test_known_totals_hide_a_row_large_enough_to_absorb_the_small_ones():
    """With the group's total known (an overall value beside it), two small cells alone would be pinned
    by the total; a whole row of at least 14 in every count is hidden with them."""
    import pandas as pd

    from equitylab.measures import suppress

    t = pd.DataFrame({"m": ["a"] * 4 + ["b"] * 2, "numerator": [3, 2, 40, 90, 3, 5],
                      "denominator": [6, 5, 70, 150, 9, 11]})
    out = suppress(t, by="m", known_totals=True, derived_columns=[])
    a = out[out["m"] == "a"]
    assert a["numerator"].isna().tolist() == [True, True, True, False]  # 40/70 absorbs; 90/150 stays
    assert a["denominator"].isna().tolist() == [True, True, True, False]
    # group b has nothing large enough: hidden whole, and named so its total can be withheld
    assert out.loc[out["m"] == "b", ["numerator", "denominator"]].isna().all().all()
    assert out.attrs["hidden_groups"] == [["b"]]
    plain = suppress(t, by="m", derived_columns=[])
    assert plain.attrs["hidden_groups"] == [] and plain["numerator"].notna().tolist() == [False, False, True, True, False, False]


def test_known_totals_protect_with_a_row_of_14_non_events_too():
    """With a known total of numerators and of denominators, the hidden non-events have a known total as
    well: 16 events among 17 people would leave a hidden 7 of 8 with 1 non-event pinned to 3-7, so the
    protecting row must also have 14 non-events (here 20 of 40, not 16 of 17)."""
    t = pd.DataFrame({"group": list("abcd"), "numerator": [7, 16, 20, 10], "denominator": [8, 17, 40, 200]})
    out = suppress(t, known_totals=True)
    # a's 7 hidden; 10 (the next smallest) hidden so a column total cannot give it back; then the smallest
    # row of 14 or more in every count and in non-events: c, not b
    assert out["numerator"].isna().tolist() == [True, False, True, True]
    assert out["denominator"].isna().tolist() == [False, False, True, False]


def test_rows_hidden_by_another_table_are_hidden_and_can_protect():
    """``hidden_rows``: a count hidden in another table of the publication is hidden here too, as a
    secondary cell; when it is large enough it is the row that protects the small one."""
    t = pd.DataFrame({"group": list("abcd"), "observed": [4, 25, 60, 200]})
    alone = suppress(t, known_totals=True)
    assert alone["observed"].isna().tolist() == [True, True, False, False]  # 25: the smallest of 14 or more
    told = suppress(t, known_totals=True, hidden_rows=[False, False, True, False])
    assert told["observed"].isna().tolist() == [True, False, True, False]  # 60 hidden anyway protects the 4
    assert "cannot be worked out" in told.loc[2, "suppression_note"]
    with pytest.raises(DataError, match="hidden_rows"):
        suppress(t, hidden_rows=[True, False])
