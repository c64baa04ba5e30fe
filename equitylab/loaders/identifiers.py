"""Find columns that could identify a patient, so they can be dropped before analysis.

equitylab never needs to know who a patient is: the equity questions are about groups.
:func:`identifying_columns` looks at each column's header and at a sample of its values and
names the columns that hold NHS numbers, names, dates of birth, full postcodes, email
addresses, phone numbers, addresses or local patient identifiers. It reports column names
and kinds only, never the values.

NHS numbers are recognised by content with the Modulus 11 check-digit algorithm of the NHS
Data Model and Dictionary ("NHS NUMBER" data element): multiply the first nine digits by
10, 9, ..., 2, add them, take the remainder on dividing by 11 and subtract it from 11;
a result of 11 means a check digit of 0 and a result of 10 means the number is not valid.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

NHS_WEIGHTS = np.arange(10, 1, -1)

# A full UK postcode (outward + inward code) identifies a handful of addresses; the outward
# code alone ("E8", "SW1A") covers thousands of people and is not treated as identifying.
FULL_POSTCODE = re.compile(r"^\s*[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}\s*$", re.IGNORECASE)
OUTWARD_CODE = re.compile(r"^\s*[A-Z]{1,2}[0-9][A-Z0-9]?\s*$", re.IGNORECASE)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
UK_PHONE = re.compile(r"^(?:\+44|0044|0)\d{9,10}$")
_EMBEDDED = re.compile(
    r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)"                       # NHS-number shaped
    r"|\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b"                  # full postcode
    r"|[^@\s]+@[^@\s]+\.[A-Za-z]{2,}",                                # email
    re.IGNORECASE)

_NOT_A_PERSON = ("team", "service", "site", "clinic", "ward", "practice", "gp", "org",
                 "provider", "area", "lsoa", "msoa", "la", "lad", "trust", "hospital", "unit",
                 "location", "ccg", "icb", "pcn", "indicator", "file", "sheet", "category",
                 "group", "ethnic", "ethnicity", "referrer", "source", "outcome", "programme",
                 "project", "measure", "region", "ward", "borough", "locality", "commissioner",
                 "specialty", "speciality", "diagnosis", "condition", "procedure", "drug",
                 "medication", "activity", "appointment", "clinician", "staff", "consultant",
                 "professional", "caseload", "sub", "place", "neighbourhood", "school")

_HEADER_RULES = [
    ("NHS number", re.compile(r"^(patient|person|client|new)?nhs(number|no|num|id)?(patient)?$"
                              r"|nhsnumber")),
    ("date of birth", re.compile(r"^(patient|person|client)?(dob|dateofbirth|birthdate|birthdt"
                                 r"|birthday|datebirth|personbirthdate)$|dateofbirth")),
    ("postcode", re.compile(r"^(patient|person|client|home|usual|residence)?(post ?code|postalcode"
                            r"|pcode|zipcode|zip)(ofusualaddress|ofresidence)?$|postcode")),
    ("email", re.compile(r"e?mail(address)?$")),
    ("phone number", re.compile(r"(tele?phone|phone|mobile|telno|contactnumber|phoneno"
                                r"|landline)(number|no)?$|^tel$")),
    ("address", re.compile(r"address|^street|addressline|^housenumber$")),
    ("patient identifier", re.compile(
        r"^(mrn|hospitalnumber|hospitalno|casenote(number|no)?|casenumber|patientid|patientno"
        r"|patientnumber|localpatientid(entifier)?|localpatientidextended|clientid|clientnumber"
        r"|personid|rioid|rionumber|emisnumber|systmoneid|chinumber|chi|unitnumber|crn"
        r"|pasid|pasnumber|medicalrecordnumber|recordnumber)$")),
]
_NAME_HEADER = re.compile(r"^(patient|person|client|service ?user|su|pt|preferred|middle|given"
                          r"|first|last|family|full|sur|fore|maiden|known ?as)?(name|names|forenames?"
                          r"|surname|firstname|lastname)$")


def _key(header) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(header).lower())


def header_kind(header) -> str | None:
    """The kind of identifier a column header announces, or None."""
    key = _key(header)
    if not key:
        return None
    for kind, rule in _HEADER_RULES:
        if rule.search(key):
            return kind
    if _NAME_HEADER.match(key) and not any(key.startswith(p) for p in _NOT_A_PERSON):
        return "name"
    return None


def nhs_number_valid(value) -> bool:
    """True when ``value`` is a 10-digit NHS number whose check digit passes Modulus 11.

    Spaces and hyphens are ignored ("401 023 2137" is the NHS Data Dictionary's worked
    example and is valid).
    """
    digits = re.sub(r"[\s-]", "", str(value))
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def nhs_numbers_valid(values) -> np.ndarray:
    """Vectorised :func:`nhs_number_valid` for an array of digit strings or integers."""
    arr = pd.Series(values, dtype="object").astype(str).str.replace(r"[\s-]", "", regex=True)
    arr = arr.str.replace(r"\.0$", "", regex=True)
    ok = (arr.str.len() == 10) & arr.str.fullmatch(r"[0-9]{10}").fillna(False).astype(bool)
    out = np.zeros(len(arr), dtype=bool)
    if not ok.any():
        return out
    good = arr[ok].to_numpy(dtype=str)
    digits = np.frombuffer("".join(good).encode("ascii"), dtype=np.uint8).reshape(-1, 10) - 48
    total = digits[:, :9].astype(np.int64) @ NHS_WEIGHTS
    check = 11 - total % 11
    check = np.where(check == 11, 0, check)
    out[ok.to_numpy()] = (check != 10) & (check == digits[:, 9])
    return out


def _sample(series: pd.Series, size: int) -> pd.Series:
    if isinstance(series.dtype, pd.CategoricalDtype):
        values = pd.Series(series.cat.categories)
        if len(values) > size:
            values = values.iloc[:size]
        return values.astype(str)
    values = series.dropna()
    if len(values) > size:
        values = values.iloc[:size]
    if pd.api.types.is_float_dtype(values):
        if (values == np.floor(values)).all():
            values = values.astype("int64")
    return values.astype(str)


def _content_kind(series: pd.Series, size: int = 2000):
    """(kind, reason) when a column's values look identifying, else None."""
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_bool_dtype(series):
        return None
    if pd.api.types.is_float_dtype(series) or pd.api.types.is_integer_dtype(series):
        sample = _sample(series, size)
        if len(sample) and nhs_numbers_valid(sample.to_numpy()).mean() >= 0.5:
            return ("NHS number", "values are 10-digit numbers that pass the NHS Modulus 11 check")
        return None
    sample = _sample(series, size)
    sample = sample[sample.str.strip() != ""]
    if not len(sample):
        return None
    if nhs_numbers_valid(sample.to_numpy()).mean() >= 0.5:
        return ("NHS number", "values are 10-digit numbers that pass the NHS Modulus 11 check")
    if sample.str.match(FULL_POSTCODE).mean() >= 0.5:
        return ("postcode", "values are full UK postcodes")
    if sample.str.match(EMAIL).mean() >= 0.5:
        return ("email", "values are email addresses")
    compact = sample.str.replace(r"[\s()\-]", "", regex=True)
    if compact.str.match(UK_PHONE).mean() >= 0.5:
        return ("phone number", "values are UK phone numbers")
    long_text = sample[sample.str.len() > 12]
    if len(long_text):
        hits = long_text.str.contains(_EMBEDDED)
        if hits.any():
            embedded = long_text[hits].str.findall(_EMBEDDED).explode().dropna()
            nhs_like = embedded[embedded.str.match(r"^\d")]
            if (len(nhs_like) and nhs_numbers_valid(nhs_like.to_numpy()).any()) or \
                    len(embedded) > len(nhs_like):
                return ("free text with identifiers",
                        "free text contains NHS numbers, full postcodes or email addresses")
    return None


def identifying_columns(df: pd.DataFrame, *, sample: int = 2000) -> list[tuple[str, str, str]]:
    """Columns of ``df`` that could identify a patient.

    Parameters
    ----------
    df : DataFrame
        A table as read from a file, before any renaming.
    sample : int
        How many values (or distinct values, for categorical columns) of each column to
        check by content. Headers are always checked.

    Returns
    -------
    list of (column, kind, reason)
        ``kind`` is one of "NHS number", "name", "date of birth", "postcode", "email",
        "phone number", "address", "patient identifier", "free text with identifiers".
        ``reason`` says whether the header or the values gave it away. Values are never
        included.
    """
    found = []
    for column in df.columns:
        kind = header_kind(column)
        if kind == "postcode":
            values = _sample(df[column], sample)
            values = values[values.str.strip() != ""]
            if len(values) and values.str.match(OUTWARD_CODE).all():
                continue  # outward codes (districts) only: not identifying
            found.append((column, kind, "the header looks like a postcode column and values are full postcodes"))
            continue
        if kind:
            found.append((column, kind, f"the header looks like a {kind} column"))
            continue
        hit = _content_kind(df[column], sample)
        if hit:
            found.append((column, *hit))
    return found
