"""Provenance travels from inputs to outputs, and synthetic data is always labelled."""
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from equitylab import provenance


def frame(**attrs):
    df = pd.DataFrame({"x": [1, 2]})
    df.attrs.update(attrs)
    return df


@given(st.lists(st.booleans(), min_size=1, max_size=5))
def test_any_synthetic_input_makes_a_synthetic_output(flags):
    inputs = [provenance.stamp(frame(), source="synthetic" if f else "snapshot", synthetic=f) for f in flags]
    out = provenance.carry(pd.DataFrame({"y": [0]}), *inputs)
    assert out.attrs["synthetic"] is any(flags)
    assert provenance.is_synthetic(out) is any(flags)
    if any(flags):
        assert provenance.SYNTHETIC_LABEL in provenance.caption(out)


def test_sources_and_licences_are_merged_not_overwritten():
    a = provenance.stamp(frame(), source="snapshot", licence=provenance.OGL, description="ONS Census 2021")
    b = provenance.stamp(frame(), source="live", licence=provenance.OGL, description="OHID Fingertips")
    out = provenance.carry(pd.DataFrame(), a, b)
    assert out.attrs["source"] == "snapshot + live"
    assert out.attrs["licence"] == provenance.OGL
    assert "ONS Census 2021" in out.attrs["description"] and "OHID Fingertips" in out.attrs["description"]


def test_caption_names_source_date_and_licence_and_says_synthetic_once():
    real = provenance.stamp(frame(), source="snapshot", licence=provenance.OGL, retrieved="2026-11-25",
                            description="MHCLG IoD2019")
    text = provenance.caption(real)
    assert "MHCLG IoD2019" in text and "2026-11-25" in text and "Open Government Licence" in text
    assert "SYNTHETIC" not in text
    fake = provenance.stamp(frame(), source="synthetic", synthetic=True, description="made up")
    assert provenance.caption(fake).count("SYNTHETIC") == 1
    assert provenance.caption(pd.DataFrame()) == "Source: not recorded."


def _excluded(rows, *reasons):
    return {"rows": rows, "reasons": [{"column": c, "problem": p, "count": n, "rows": []}
                                      for c, p, n in reasons]}


def test_rows_left_out_go_with_every_result_and_its_caption():
    extract = provenance.stamp(frame(), source="file", description="Service data read from x.csv")
    extract.attrs["excluded"] = _excluded(3, ("age", "negative", 2), ("sex", "not a sex code", 1))
    table = provenance.carry(pd.DataFrame({"y": [0]}), extract, provenance.stamp(frame(), source="snapshot"))
    assert table.attrs["excluded"] == extract.attrs["excluded"]
    assert provenance.caption(table).endswith("3 rows with problems left out.")
    assert provenance.excluded_words(table) == (
        "3 rows were left out of the extract because of problems in the file: 2 where 'age' is negative; "
        "and 1 where 'sex' is not a sex code.")
    # the same extract twice is counted once; two extracts add up
    assert provenance.carry(pd.DataFrame(), extract, extract).attrs["excluded"]["rows"] == 3
    other = frame(excluded=_excluded(1, ("lsoa", "not an LSOA code", 1)))
    both = provenance.carry(pd.DataFrame(), extract, other).attrs["excluded"]
    assert both["rows"] == 4 and len(both["reasons"]) == 3


def test_nothing_is_said_when_no_rows_were_left_out():
    clean = frame(excluded={"rows": 0, "reasons": []}, source="file")
    assert provenance.excluded_words(clean) == ""
    assert "left out" not in provenance.caption(clean)
    assert "excluded" not in provenance.carry(pd.DataFrame(), clean).attrs
    many = frame(excluded=_excluded(9, *[(f"c{i}", "wrong", 9 - i) for i in range(6)]))
    assert provenance.excluded_words(many).endswith("and 2 other problems.")


def test_a_reason_about_a_values_form_says_the_form_expected():
    e = _excluded(2, ("Referral Date", "not a date", 2))
    e["reasons"][0]["expected"] = "dd/mm/yyyy or yyyy-mm-dd"
    assert provenance.excluded_words(frame(excluded=e)) == (
        "2 rows were left out of the extract because of problems in the file: 2 where 'Referral Date' is "
        "not a date (expected dd/mm/yyyy or yyyy-mm-dd).")
