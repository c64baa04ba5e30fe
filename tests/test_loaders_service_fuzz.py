"""Any bytes saved as a .csv either load or give a DataError: never a traceback (issue 15, item 9).

Hypothesis writes files of three kinds: raw bytes; text in a table's shape whose cells are drawn
from the values real extracts hold and break on (codes, dates, numbers near every range edge,
decimal commas, identifiers, header words, separators, quotes, other encodings); and either of
those behind a known header row. The seed is fixed so a failure repeats; time and memory are
measured in benchmarks/bench_loaders_hostile.py, not here.
"""
from __future__ import annotations

import warnings

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from equitylab.errors import DataError
from equitylab.loaders.service import read_service_data

HEADERS = ["referral date", "ethnicity", "sex", "age", "lsoa", "count", "waiting days", "DNAs",
           "discharge date", "first appointment date", "imd decile", "readmitted", "fft", "team",
           "date of birth", "postcode", "NHS Number", "notes", "employment status", ""]
CELLS = ["A", "Z", "99", "Q", "1", "2", "9", "0", "X", "-1", "121", "34,5", "1,234", "1e30", "inf",
         "nan", "NULL", "", " ", "2024-01-02", "31/02/2024", "01/13/2024", "9999-12-31", "0001-01-01",
         "1899-12-31", "29/02/2023", "E01001709", "E01999999", "W01000001", "E8 1AA", "4010232137",
         "ann@example.org", "White - British", "Yes", "maybe", "1 000", "3000000000",
         "99999999999999999999", "-0", "+5", "0x1F", "٣", "é", "£", "\u00a0", "\u200b", "ethnicity",
         "referral date", "\"", "\"\"", "a,b", "line\nbreak", "\t", ";", "|", "=1+1", "@SUM(A1)"]


def _row(cells, sep):
    return sep.join(cells)


tables = st.builds(
    lambda header, rows, sep, end: (_row(header, sep) + end + end.join(_row(r, sep) for r in rows) + end),
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
    st.lists(st.lists(st.sampled_from(CELLS) | st.text(max_size=12), min_size=0, max_size=7), max_size=12),
    st.sampled_from([",", ";", "\t", "|", " "]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
encoded = st.builds(lambda text, enc: text.encode(enc, errors="replace"), tables,
                    st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
files = st.one_of(st.binary(max_size=3000), encoded,
                  st.builds(lambda head, body: head + body, encoded, st.binary(max_size=300)))


@seed(15)
@settings(max_examples=400, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=files)
def test_any_bytes_as_a_csv_load_or_give_a_data_error(tmp_path, data):
    path = tmp_path / "extract.csv"
    path.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for bad_rows in ("error", "exclude"):
            try:
                read_service_data(path, bad_rows=bad_rows)
            except DataError as exc:
                assert str(exc) and exc.file is not None or "bad_rows" in str(exc)
