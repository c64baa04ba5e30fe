"""Which column is which: header spellings, the user's mapping (dict or YAML)."""
from __future__ import annotations


import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import DataError
from equitylab.loaders.service.headers import SYNONYMS, key, load_mapping
from extract_files import read_quietly as _read
from extract_files import write_extract as _write


@settings(max_examples=60, deadline=None)
@given(field=st.sampled_from(sorted(f for f in SYNONYMS if f != "synthetic")), data=st.data())
def test_headers_match_whatever_the_case_spacing_or_underscores(field, data):
    spelling = data.draw(st.sampled_from(SYNONYMS[field]))
    seps = data.draw(st.lists(st.sampled_from(["", " ", "_", "-", "  "]), min_size=len(spelling),
                              max_size=len(spelling)))
    upper = data.draw(st.lists(st.booleans(), min_size=len(spelling), max_size=len(spelling)))
    header = "".join((ch.upper() if u else ch) + s for ch, u, s in zip(spelling, upper, seps))
    assert key(header) == spelling


def test_every_synonym_belongs_to_one_field_only():
    seen = {}
    for field, spellings in SYNONYMS.items():
        for s in spellings:
            assert s == key(s), f"synonym {s!r} is not in normalised form"
            assert s not in seen, f"{s!r} is listed for both {seen.get(s)} and {field}"
            seen[s] = field


def test_mapping_dict_and_yaml_file_give_the_same_table(tmp_path):
    p = _write(tmp_path, "Ethnic Origin Code,Ref Rec'd,Stated Gender,Clinician notes\n"
                         "N,05/03/2024,2,fine\nK,06/03/2024,1,ok\n")
    by_dict = _read(p, mapping={"Ethnic Origin Code": "ethnicity", "Ref Rec'd": "referral_date",
                                "Clinician notes": "drop"})
    ymap = tmp_path / "map.yaml"
    ymap.write_text("columns:\n  Ethnic Origin Code: ethnicity\n  Ref Rec'd: referral_date\n"
                    "  Clinician notes: drop\n")
    by_yaml = _read(p, mapping=ymap)
    pd.testing.assert_frame_equal(by_dict, by_yaml)
    assert list(by_dict.columns) == ["referral_date", "sex", "ethnicity", "ethnic_group_detail",
                                     "ethnicity_code"]
    assert by_dict["referral_date"].tolist() == [pd.Timestamp("2024-03-05"),
                                                 pd.Timestamp("2024-03-06")]
    assert by_dict["ethnic_group_detail"].tolist() == ["Black African", "Bangladeshi"]


def test_a_binary_mapping_file_is_a_data_error_not_a_decode_traceback(tmp_path):
    p = tmp_path / "map.yaml"
    p.write_bytes(b"\xff\xfe\x00\x81binary\x00\x9d")
    with pytest.raises(DataError, match="not a text file") as info:
        load_mapping(p)
    assert info.value.file == str(p) and "UTF-8" in info.value.hint


def test_a_mapping_to_an_unknown_field_names_the_fields_it_could_be():
    with pytest.raises(DataError, match="'race' is not a column equitylab knows") as info:
        load_mapping({"Ethnic": "race"})
    assert "ethnicity" in info.value.hint and "'drop'" in info.value.hint
