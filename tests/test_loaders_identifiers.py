"""Identifiable data: found by header and content, named (never shown), dropped on load."""
from __future__ import annotations

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from equitylab import DataError, IdentifiableDataWarning
from equitylab.loaders.codes import ETHNIC_CATEGORY, ethnicity_lookup
from equitylab.loaders.identifiers import identifying_columns, header_kind, nhs_number_valid, nhs_numbers_valid
from equitylab.loaders.service import read_service_data

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
    found = {c: k for c, k, _ in identifying_columns(df)}
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
