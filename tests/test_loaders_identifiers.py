"""Identifiable data: found by header and content, named (never shown), dropped on load."""
from __future__ import annotations

import hashlib
import re
import re._constants as sre_constants
import re._parser as re_parser
import warnings
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import DataError, IdentifiableDataWarning
from equitylab.loaders.codes import ETHNIC_CATEGORY, ethnicity_lookup
from equitylab.loaders.identifiers import shapes
from equitylab.loaders.identifiers import (header_kind, identifiers_in, identifying_columns, name_shaped,
                                           nhs_number_valid, nhs_numbers_valid)
from equitylab.loaders.service import read_service_data
from equitylab.loaders.service.headers import known_field
from equitylab.reports import scrub as scrub_module

HERE = Path(__file__).resolve().parent

# ---- Modulus 11 ------------------------------------------------------------------------------


def test_nhs_data_dictionary_worked_example_is_valid():
    # NHS Data Model and Dictionary, "NHS NUMBER": worked example 401 023 2137 - weighted sum
    # 4x10 + 0x9 + 1x8 + 0x7 + 2x6 + 3x5 + 2x4 + 1x3 + 3x2 = 92; 92 / 11 remainder 4; 11 - 4 = 7.
    assert nhs_number_valid("401 023 2137")
    assert nhs_number_valid("4010232137")
    assert nhs_number_valid("401-023-2137")


def test_nhs_digital_test_patient_number_is_valid():
    # 943 476 5919: the test patient number NHS Digital publishes for its PDS sandbox.
    assert nhs_number_valid("9434765919")
    assert nhs_numbers_valid(np.array([9434765919], dtype=np.int64)).all()


@pytest.mark.parametrize("value", [
    "4010232138",      # wrong check digit
    "9434765918",      # wrong check digit
    "1234567890",      # weighted sum 210, remainder 1, 11 - 1 = 10: never a valid number
    "401023213",       # nine digits
    "40102321370",     # eleven digits
    "401023213X",      # not digits
    "",
    "４０１０２３２１３７",  # full-width digits are not ASCII digits
])
def test_invalid_numbers_fail(value):
    assert not nhs_number_valid(value)


def _valid_from(prefix: str) -> str | None:
    for d in "0123456789":
        if nhs_number_valid(prefix + d):
            return prefix + d
    return None


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@settings(max_examples=100, deadline=None)
@given(prefix=nine_digits)
def test_at_most_one_check_digit_fits_each_prefix(prefix):
    fits = [d for d in "0123456789" if nhs_number_valid(prefix + d)]
    assert len(fits) <= 1


@settings(max_examples=100, deadline=None)
@given(prefix=nine_digits, pos=st.integers(0, 9), new=st.sampled_from("0123456789"))
def test_any_single_digit_error_is_caught(prefix, pos, new):
    # Modulus 11 with weights 10..2 (and 1 for the check digit) detects every single-digit
    # substitution, because no weight is a multiple of 11.
    number = _valid_from(prefix)
    if number is None or number[pos] == new:
        return
    wrong = number[:pos] + new + number[pos + 1:]
    assert not nhs_number_valid(wrong)


@settings(max_examples=100, deadline=None)
@given(prefix=nine_digits, pos=st.integers(0, 8))
def test_any_swap_of_neighbouring_digits_is_caught(prefix, pos):
    number = _valid_from(prefix)
    if number is None or number[pos] == number[pos + 1]:
        return
    swapped = number[:pos] + number[pos + 1] + number[pos] + number[pos + 2:]
    assert not nhs_number_valid(swapped)


@settings(max_examples=50, deadline=None)
@given(st.lists(nine_digits, min_size=1, max_size=30))
def test_vectorised_check_agrees_with_the_single_check(prefixes):
    values = [p + str(i % 10) for i, p in enumerate(prefixes)]
    assert nhs_numbers_valid(np.array(values)).tolist() == [nhs_number_valid(v) for v in values]


# ---- ethnicity code list -------------------------------------------------------------------

# NHS Data Model and Dictionary, data element ETHNIC CATEGORY (2001 census categories):
NHS_DD_ETHNIC_CATEGORY = {
    "A": "British", "B": "Irish", "C": "Any other White background",
    "D": "White and Black Caribbean", "E": "White and Black African", "F": "White and Asian",
    "G": "Any other mixed background", "H": "Indian", "J": "Pakistani", "K": "Bangladeshi",
    "L": "Any other Asian background", "M": "Caribbean", "N": "African",
    "P": "Any other Black background", "R": "Chinese", "S": "Any other ethnic group",
    "Z": "Not stated", "99": "Not known",
}
# ONS Census 2021 five groups; Chinese is counted in "Asian, Asian British or Asian Welsh".
CENSUS_2021_GROUP = {
    "A": "White", "B": "White", "C": "White", "D": "Mixed", "E": "Mixed", "F": "Mixed",
    "G": "Mixed", "H": "Asian", "J": "Asian", "K": "Asian", "L": "Asian", "M": "Black",
    "N": "Black", "P": "Black", "R": "Asian", "S": "Other", "Z": "Not stated", "99": "Not stated",
}


def test_every_nhs_ethnic_category_code_is_known_and_none_more():
    assert set(ETHNIC_CATEGORY) == set(NHS_DD_ETHNIC_CATEGORY)
    for code, group in CENSUS_2021_GROUP.items():
        assert ethnicity_lookup(code)[1] == group, code
        assert ethnicity_lookup(code.lower())[1] == group, code


@pytest.mark.parametrize("code", sorted(NHS_DD_ETHNIC_CATEGORY))
def test_nhs_descriptions_map_to_their_code(code):
    hit = ethnicity_lookup(NHS_DD_ETHNIC_CATEGORY[code])
    assert hit is not None and hit[0] == code and hit[1] == CENSUS_2021_GROUP[code]


@pytest.mark.parametrize("value", ["I", "O", "Q", "T", "U", "V", "W", "X", "Y", "1", "98", "Zulu"])
def test_codes_outside_the_list_are_unknown(value):
    assert ethnicity_lookup(value) is None


@settings(max_examples=100, deadline=None)
@given(code=st.sampled_from(sorted(c for c in NHS_DD_ETHNIC_CATEGORY if c not in ("Z", "99"))),
       style=st.sampled_from(["{d}", "{D}", "{c} - {d}", "{h} - {d}", "{h}: {D}", "  {d}  "]))
def test_labels_in_many_spellings_map_to_one_code(code, style):
    heading = {"White": "White", "Mixed": "Mixed", "Asian": "Asian or Asian British",
               "Black": "Black or Black British", "Other": "Other Ethnic Groups"}
    group = "Other" if code in ("R", "S") else CENSUS_2021_GROUP[code]
    desc = NHS_DD_ETHNIC_CATEGORY[code]
    label = style.format(d=desc, D=desc.upper(), c=code, h=heading[group])
    assert ethnicity_lookup(label)[0] == code


# ---- detection -----------------------------------------------------------------------------

@pytest.mark.parametrize("header,kind", [
    ("NHS Number", "NHS number"), ("nhs_no", "NHS number"), ("Patient NHS No", "NHS number"),
    ("Forename", "name"), ("Surname", "name"), ("Patient Name", "name"), ("full_name", "name"),
    ("DOB", "date of birth"), ("Date of Birth", "date of birth"), ("Post Code", "postcode"),
    ("Email Address", "email"), ("Mobile", "phone number"), ("Telephone Number", "phone number"),
    ("Address Line 1", "address"), ("MRN", "patient identifier"),
    ("Local Patient Identifier", "patient identifier"),
])
def test_headers_that_announce_identifiers(header, kind):
    assert header_kind(header) == kind


@pytest.mark.parametrize("header", ["Team Name", "Service name", "GP Practice Name", "Ethnicity",
                                    "LSOA name", "Referral Date", "Age", "Clinic"])
def test_headers_that_do_not(header):
    assert header_kind(header) is None


def test_content_gives_identifiers_away_under_innocent_headers():
    df = pd.DataFrame({
        "ref": ["4010232137", "9434765919", "401 023 2137"],
        "ref2": np.array([4010232137, 9434765919, 4010232137], dtype=np.int64),
        "where": ["E8 1AA", "N16 5TT", "SW1A 1AA"],
        "contact": ["a@b.org", "c@d.nhs.uk", "e@f.com"],
        "call": ["07700 900123", "020 7946 0958", "+44 7700 900456"],
        "comments": ["seen with 943 476 5919 on file", "ok", "fine"],
        "district": ["E8", "N16", "SW1A"],
        "ethnicity": ["A", "N", "Z"],
        "lsoa": ["E01001847", "E01001836", "E01000001"],
        "waits": [10, 20, 30],
    })
    found = {i.column: i.kind for i in identifying_columns(df)}
    assert found == {"ref": "NHS number", "ref2": "NHS number", "where": "postcode",
                     "contact": "email", "call": "phone number",
                     "comments": "free text with identifiers"}


def test_outward_codes_alone_are_not_identifying():
    df = pd.DataFrame({"postcode": ["E8", "N16", "E5"]})
    assert identifying_columns(df) == []


# ---- planted identifiers never come out --------------------------------------------------------

def _planted(n=60, seed=3):
    rng = np.random.default_rng(seed)
    nhs = []
    while len(nhs) < n:
        number = _valid_from("".join(rng.choice(list("0123456789"), 9)))
        if number:
            nhs.append(number)
    first = ["Aisha", "Tomasz", "Grace", "Kwame", "Siobhan", "Ravi"]
    last = ["Okonkwo", "Nowak", "Fitzgerald", "Mensah", "Byrne", "Chaudhry"]
    df = pd.DataFrame({
        "NHS No": [f"{x[:3]} {x[3:6]} {x[6:]}" for x in nhs],
        "Case ref": [x for x in reversed(nhs)],             # NHS numbers under a bland header
        "Forename": rng.choice(first, n), "Surname": rng.choice(last, n),
        "Date of Birth": [f"{d:02d}/{m:02d}/{y}" for d, m, y in zip(rng.integers(1, 28, n),
                                                                  rng.integers(1, 13, n),
                                                                  rng.integers(1940, 2000, n))],
        "Home Postcode": [f"E{rng.integers(1, 10)} {rng.integers(1, 10)}{a}{b}"
                          for a, b in zip(rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n),
                                          rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n))],
        "Email": [f"person{i}@example.org" for i in range(n)],
        "Mobile": [f"07700 9{i:05d}" for i in range(n)],
        "Referral Date": "2024-03-01",
        "Ethnicity": rng.choice(list("ABNMHKZ"), n),
        "Sex": rng.choice(["1", "2"], n),
    })
    secrets = set(nhs) | set(df["NHS No"]) | set(df["Date of Birth"]) | set(df["Home Postcode"]) \
        | set(df["Email"]) | set(df["Mobile"]) | set(first) | set(last)
    return df, secrets


def _no_secret_in(text, secrets):
    leaked = [s for s in secrets if s in text]
    assert not leaked, f"identifying values leaked: {leaked[:3]}"


def test_planted_identifiers_appear_nowhere_downstream(tmp_path):
    df, secrets = _planted()
    path = tmp_path / "extract.csv"
    df.to_csv(path, index=False)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = read_service_data(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    kinds = {d["column"]: d["kind"] for d in out.attrs["dropped_identifiers"]}
    assert kinds == {"NHS No": "NHS number", "Case ref": "NHS number", "Forename": "name",
                     "Surname": "name", "Date of Birth": "date of birth",
                     "Home Postcode": "postcode", "Email": "email", "Mobile": "phone number"}
    ident = [w for w in rec if issubclass(w.category, IdentifiableDataWarning)]
    assert len(ident) == 1
    for col in kinds:
        assert col in str(ident[0].message)
        assert col not in out.columns
    _no_secret_in(out.to_csv(), secrets)
    _no_secret_in(repr(out.attrs), secrets)
    _no_secret_in(" ".join(str(w.message) for w in rec), secrets)
    assert out["age"].notna().all()                    # DOB was used for age before it went
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            _no_secret_in(" ".join(map(str, out[col].cat.categories)), secrets)


@pytest.mark.parametrize("breakage", ["ethnicity", "dob_after", "bad_dob", "ragged"])
def test_error_messages_never_show_identifying_values(tmp_path, breakage):
    df, secrets = _planted(n=20)
    if breakage == "ethnicity":
        df.loc[5, "Ethnicity"] = "Q"
    elif breakage == "dob_after":
        df.loc[[3, 4], "Date of Birth"] = ["01/01/2030", "02/02/2031"]
        secrets |= {"01/01/2030", "02/02/2031"}
    elif breakage == "bad_dob":
        df.loc[7, "Date of Birth"] = "31/02/1971"
        secrets.add("31/02/1971")
    path = tmp_path / "extract.csv"
    df.to_csv(path, index=False)
    if breakage == "ragged":
        lines = path.read_text().splitlines()
        lines[4] += ",E8 9ZZ"
        secrets.add("E8 9ZZ")
        path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        _ = read_service_data(path)
    _no_secret_in(str(info.value), secrets)
    _no_secret_in(repr(info.value.context), secrets)


def test_a_mapped_column_holding_identifiers_is_still_dropped(tmp_path):
    p = tmp_path / "x.csv"
    p.write_text("Patient Name,Ethnicity,Referred by\nAisha Okonkwo,A,GP\nTomasz Nowak,N,"
                 "Dr Byrne 020 7946 0958 E8 1AA\n")
    with pytest.warns(IdentifiableDataWarning):
        df = read_service_data(p, mapping={"Patient Name": "team"})
    assert "team" not in df.columns and "referral_source" not in df.columns
    _no_secret_in(df.to_csv() + repr(df.attrs), {"Aisha", "Okonkwo", "Nowak", "Byrne", "E8 1AA"})


# ---- the corpus: headers and contents as real extracts write them ------------------------------

CORPUS = yaml.safe_load((HERE / "identifiers" / "corpus.yaml").read_text(encoding="utf-8"))
CASES = [("header", c) for c in CORPUS["headers"]] + [("content", c) for c in CORPUS["contents"]]


def _column(case) -> pd.DataFrame:
    values = case.get("values", ["A", "B", "C", "D"]) * case.get("repeat", 1)
    return pd.DataFrame({case["header"]: values})


def _outcome(found) -> tuple[str, str | None]:
    if not found:
        return "kept", None
    return ("dropped" if found[0].drop else "warned"), found[0].kind


def test_the_corpus_is_large_and_covers_every_outcome():
    assert len(CASES) >= 60
    outcomes = {c["expect"] for _, c in CASES}
    assert outcomes == {"dropped", "warned", "kept"}
    assert sum(c["expect"] == "kept" for _, c in CASES) >= 30, "ordinary columns too"


@pytest.mark.parametrize("section,case", CASES, ids=[f"{s}:{c['header']}:{c['expect']}" for s, c in CASES])
def test_corpus_case_gives_its_outcome(section, case):
    df = _column(case)
    for frame in (df, df.astype("category")):   # as a plain column and as the loader reads text
        found = identifying_columns(frame)
        assert _outcome(found) == (case["expect"], case.get("kind")), found
        for hit in found:
            _no_secret_in(hit.reason + hit.described(), _secrets_of(case))


def _secrets_of(case) -> set[str]:
    """Values a message must never show: identifier-shaped parts, and any value of a
    dropped or warned column longer than a code."""
    values = [str(v) for v in case.get("values", [])]
    found = {hit for v in values for _, hit in identifiers_in(v)}
    if case["expect"] != "kept":
        found |= {v for v in values if len(v) > 3}
    return found


CONTENTS = CORPUS["contents"]


@pytest.mark.parametrize("case", CONTENTS, ids=[f"{c['header']}:{c['expect']}" for c in CONTENTS])
def test_corpus_contents_through_read_service_data(tmp_path, case):
    """The loader does what the detector says, and says it without showing a value: a
    coded column (ethnicity, sex, LSOA) holding an identifier is a problem in that column
    instead, described by its shape."""
    df = _column(case)
    header = case["header"]
    companion = ("Sex", ["1", "2"]) if known_field(header) == "ethnicity" else ("Ethnicity", ["A", "N"])
    df[companion[0]] = (companion[1] * len(df))[:len(df)]
    path = tmp_path / "extract.csv"
    df.to_csv(path, index=False)
    secrets = _secrets_of(case)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            out = read_service_data(path)
        except DataError as err:
            assert case["expect"] == "dropped" and known_field(header) in ("ethnicity", "sex", "lsoa_code")
            _no_secret_in(str(err) + repr(err.context) + err.problems.to_string(), secrets)
            return
    said = [str(w.message) for w in rec if issubclass(w.category, IdentifiableDataWarning)]
    _no_secret_in(" ".join(str(w.message) for w in rec) + repr(out.attrs), secrets)
    if case["expect"] == "kept":
        assert said == []
        return
    assert len(said) == 1 and f"'{header}'" in said[0]
    if case["expect"] == "dropped":
        assert header not in out.columns and "dropped" in said[0]
        assert {"column": header, "kind": case["kind"]} in out.attrs["dropped_identifiers"]
        _no_secret_in(out.to_csv(), secrets)
    else:
        assert "kept" in said[0] and "confirm" in said[0] and f"mapping={{'{header}': 'drop'}}" in said[0]
        assert out.attrs["dropped_identifiers"] == []


# ---- messages from the hostile files never show what the detector flags -------------------------

HOSTILE_DIRS = [HERE / "malformed", HERE / "identifiers" / "hostile"]
HOSTILE = {folder / name: spec for folder in HOSTILE_DIRS
           for name, spec in yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")).items()}


def _cells(path: Path) -> list[list[str]]:
    """Every cell of a hostile file as text (header row first), however broken the file."""
    if path.suffix == ".parquet":
        try:
            table = pq.read_table(path)
            return [table.column_names] + [[str(v) for v in row.values()] for row in table.to_pylist()]
        except Exception:  # noqa: BLE001 - a hostile file that is not Parquet: read its bytes below
            pass
    if path.suffix == ".xlsx":
        try:
            book = openpyxl.load_workbook(path, read_only=True)
            return [[str(v) for v in row if v is not None] for sheet in book.worksheets
                    for row in sheet.iter_rows(values_only=True, max_row=200, max_col=50)]
        except Exception:  # noqa: BLE001 - a hostile workbook that is not one: read its bytes below
            pass
    raw = path.read_bytes()[:200_000]
    text = raw.decode("utf-8", errors="ignore") if not raw.startswith((b"\xff\xfe", b"\xfe\xff")) \
        else raw.decode("utf-16", errors="ignore")
    return [re.split(r"[,;\t|]", line) for line in text.splitlines()]


def _flagged(cells: list[list[str]]) -> set[str]:
    """The values the detector flags in a file: identifier-shaped parts of any cell, body
    cells shaped like a person's name, and the values (longer than a code) of every column
    it finds by header or content."""
    flagged = {hit for row in cells for cell in row for _, hit in identifiers_in(cell)}
    body = [cell.strip() for row in cells[1:] for cell in row if cell.strip()]
    flagged |= {v for v, named in zip(body, name_shaped(body)) if named}
    if len(cells) > 1:
        width = max(len(r) for r in cells)
        header = [f"{h} #{i}" if h in cells[0][:i] else h
                  for i, h in enumerate(cells[0] + [f"col{i}" for i in range(len(cells[0]), width)])]
        frame = pd.DataFrame([r + [None] * (width - len(r)) for r in cells[1:]], columns=header)
        for hit in identifying_columns(frame):
            flagged |= {v.strip() for v in frame[hit.column].dropna() if len(v.strip()) > 3}
    return flagged


def test_hostile_files_hold_identifiers_of_every_kind():
    held = set().union(*(_flagged(_cells(path)) for path in HOSTILE))
    kinds = {kind for value in held for kind, _ in identifiers_in(value)}
    assert kinds == {"NHS number", "postcode", "email", "phone number"}
    assert {"Jane Smith", "Tomasz Nowak"} <= held


@pytest.mark.parametrize("path", sorted(HOSTILE), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_hostile_file_message_shows_a_value_the_detector_flags(path):
    spec = HOSTILE[path]
    secrets = _flagged(_cells(path))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        try:
            out = read_service_data(path, **(spec.get("kwargs") or {}))
            said = repr(out.attrs) + out.to_csv()
            if path.parent.name == "hostile":
                assert "loads" in spec and len(out) == spec["loads"]["rows"]
                assert [d["column"] for d in out.attrs["dropped_identifiers"]] == spec["loads"]["dropped"]
        except DataError as err:
            problems = err.problems.to_string() if err.problems is not None else ""
            said = str(err) + repr(err.context) + problems
            for phrase in spec.get("contains", []) if path.parent.name == "hostile" else []:
                assert phrase.lower() in str(err).lower(), f"{phrase!r} not in {str(err)!r}"
    said += " ".join(str(w.message) for w in rec)
    _no_secret_in(said, secrets)


# ---- linear time, by construction --------------------------------------------------------------

_REPEATS = {getattr(sre_constants, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
            if hasattr(sre_constants, n)}


def _unbounded_repeats(parsed) -> list:
    """Repeats with no upper bound anywhere in a parsed Python pattern."""
    found = []
    for op, arg in parsed:
        if op in _REPEATS:
            low, high, sub = arg
            if high == sre_constants.MAXREPEAT:
                found.append((op, low))
            found += _unbounded_repeats(sub)
        elif op == sre_constants.SUBPATTERN:
            found += _unbounded_repeats(arg[-1])
        elif op == sre_constants.BRANCH:
            for branch in arg[1]:
                found += _unbounded_repeats(branch)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            found += _unbounded_repeats(arg[1])
    return found


PYTHON_PATTERNS = {**{f"shapes.{n}": getattr(shapes, n) for n in (
    "FULL_POSTCODE", "OUTWARD_CODE", "EMAIL", "NHS_IN_TEXT", "POSTCODE_IN_TEXT", "EMAIL_IN_TEXT",
    "PHONE_IN_TEXT")}, **{f"scrub.{i}": p for i, p in enumerate(scrub_module._PATTERNS)},
    "scrub._WORD": scrub_module._WORD}


@pytest.mark.parametrize("name", sorted(PYTHON_PATTERNS))
def test_python_patterns_have_only_bounded_repeats(name):
    """Every quantifier bounded: the work at each start is bounded by a constant, so a text
    of n characters costs O(n) whatever it holds (RE2 patterns are linear by RE2's design)."""
    pattern = PYTHON_PATTERNS[name]
    assert _unbounded_repeats(re_parser.parse(pattern.pattern, pattern.flags)) == []


def test_the_bounded_repeat_check_finds_the_old_quadratic_email_pattern():
    old = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")  # before issue 17: quadratic on long text
    assert len(_unbounded_repeats(re_parser.parse(old.pattern))) == 3


@pytest.mark.parametrize("filler", ["a", "ab@", "1234567890", "a.", "E81A"])
def test_a_megabyte_of_unbroken_text_is_read_whole(filler):
    """Correctness only (timing is in benchmarks/bench_identifiers.py): an identifier at the
    very end of a megabyte with no break in it is found by every path, and nothing before it."""
    body = (filler * (1_000_000 // len(filler) + 1))[:1_000_000]
    tail = " 943 476 5919 jane@example.org"
    kinds = {kind for kind, _ in identifiers_in(body + tail)}
    assert kinds == {"NHS number", "email"}
    assert identifiers_in(body) == []
    found = identifying_columns(pd.DataFrame({"notes": [body + tail, "ok"]}))
    assert [(i.column, i.kind) for i in found] == [("notes", "free text with identifiers")]
    assert identifying_columns(pd.DataFrame({"notes": [body, "ok"]})) == []
    out = scrub_module.scrub(body + tail)
    assert out.endswith(" [removed] [removed]") and out.startswith(body[:1000])


def test_a_date_of_birth_or_postcode_in_any_spelling_is_used_then_dropped(tmp_path):
    path = tmp_path / "extract.csv"
    pd.DataFrame({"DOB (dd/mm/yyyy)": ["01/02/1980", "03/04/1990"], "Referral Date": ["01/03/2024", "02/03/2024"],
                  "Ethnicity": ["A", "B"], "Cod post": ["CF10 1EP", "SA1 1DP"]}).to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        df = read_service_data(path)
    assert any(issubclass(w.category, IdentifiableDataWarning) for w in rec)
    # ages on 1 and 2 March 2024 of people born on 1 February 1980 and 3 April 1990
    assert df["age"].tolist() == [44, 33] and df["postcode_district"].astype(str).tolist() == ["CF10", "SA1"]
    assert {d["column"] for d in df.attrs["dropped_identifiers"]} == {"DOB (dd/mm/yyyy)", "Cod post"}
    said = " ".join(str(w.message) for w in rec)
    assert "date of birth was used first to work out age bands" in said
    _no_secret_in(said + df.to_csv(), {"01/02/1980", "03/04/1990", "CF10 1EP", "SA1 1DP"})


def test_values_as_excel_and_parquet_hold_them_are_read_as_written():
    """An Excel column mixing text and numbers holds NHS numbers as floats; a Parquet or
    Excel date column holds datetimes (here with a time zone)."""
    mixed = pd.Series([4010232137.0, "not known", 9434765919.0], dtype=object)
    births = pd.Series(pd.date_range("1940-01-01", periods=40, freq="365D", tz="Europe/London"))
    found = identifying_columns(pd.DataFrame({"Ref": mixed}))
    assert [(i.kind, i.drop) for i in found] == [("NHS number", True)]
    found = identifying_columns(pd.DataFrame({"When": births, "Days": pd.to_timedelta(np.arange(40), "D")}))
    assert [(i.column, i.kind, i.drop) for i in found] == [("When", "date of birth", False)]
    # 5th to 95th percentile of 40 dates 365 days apart: the 2nd (31/12/1940) and 38th (22/12/1976)
    assert "spread over 36 years" in found[0].reason
