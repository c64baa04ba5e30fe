"""The shapes of identifying values, found in linear time: NHS numbers, full postcodes,
email addresses and phone numbers, whole or inside free text.

Linear by construction, in two ways. Every pattern scanned over a column's values runs in
RE2 (through pyarrow's compute functions), whose automaton takes time proportional to the
text whatever the pattern. The Python patterns here (used on single messages and logs, and
to confirm RE2's candidates) have a bounded quantifier everywhere and no nested unbounded
repetition, so the work at each starting position is bounded by a constant and a text of
n characters costs O(n). ``benchmarks/bench_identifiers.py`` times both on a megabyte of
unbroken text.

NHS numbers are confirmed with the Modulus 11 check of the NHS Data Model and Dictionary
("NHS NUMBER" data element): multiply the first nine digits by 10, 9, ..., 2, add them, take
the remainder on dividing by 11 and subtract it from 11; a result of 11 means a check digit
of 0 and a result of 10 means the number is not valid. Postcodes follow the format of the
Royal Mail Postcode Address File as the ONS Postcode Directory user guide sets it out
(outward code A9, A99, AA9, AA99, A9A or AA9A, a space, inward code 9AA; Q, V and X never
first; I, J and Z never second; C, I, K, M, O and V never in the inward code).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NHS_WEIGHTS = np.arange(10, 1, -1)

_OUTWARD = (r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRV-Y]?)")
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE = rf"(?:{_OUTWARD}[ \u00a0]{{0,2}}{_INWARD}|GIR ?0AA)"

# Whole values (a cell, stripped): what :func:`equitylab.loaders.service.problems.shown` and
# the loaders' postcode handling match against.
FULL_POSTCODE = re.compile(rf"^\s{{0,3}}{_POSTCODE}\s{{0,3}}$", re.IGNORECASE)
OUTWARD_CODE = re.compile(r"^\s{0,3}[A-Z]{1,2}[0-9][A-Z0-9]?\s{0,3}$", re.IGNORECASE)
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}"
                   r"\.[A-Za-z]{2,24}$")

# Inside text (Python re, bounded): each is confirmed where a shape is not enough.
# (not a decimal: "0.0123456789" is no NHS number)
NHS_IN_TEXT = re.compile(r"(?<![0-9])(?<![0-9]\.)[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}"
                         r"(?![0-9]|\.[0-9])")
POSTCODE_IN_TEXT = re.compile(rf"(?<![A-Za-z0-9]){_POSTCODE}(?![A-Za-z0-9])", re.IGNORECASE)
# (starts only where a local part can start, so a long run of letters is read once; RFC 5321
# caps the local part at 64 characters)
EMAIL_IN_TEXT = re.compile(r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}"
                           r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])")
PHONE_IN_TEXT = re.compile(
    r"(?<![0-9+.,/])(?:(?:\+44[ ]?(?:\(0\)[ ]?)?|0044[ ]?|\(0|0)[0-9]{2,4}\)?[ -]?[0-9]{3,4}"
    r"[ -]?[0-9]{3,4}|\+[1-9][0-9 ()-]{7,18}[0-9])(?![0-9])")

# The same shapes for RE2, which has no look-around: candidates, confirmed in Python.
_RE2 = {
    "NHS number": r"(?:^|[^0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?:[^0-9]|$)",
    "postcode": (rf"(?i)(?:^|[^A-Za-z0-9])(?:{_OUTWARD}[ \x{{00a0}}]{{0,2}}{_INWARD}|GIR ?0AA)"
                 r"(?:[^A-Za-z0-9]|$)"),
    "email": r"[A-Za-z0-9._%+'-]@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2}",
    "phone number": (r"(?:^|[^0-9+.,/])(?:(?:\+44 ?(?:\(0\) ?)?|0044 ?|\(0|0)[0-9]{2,4}\)?[ -]?"
                     r"[0-9]{3,4}[ -]?[0-9]{3,4}|\+[1-9][0-9 ()-]{7,18}[0-9])(?:[^0-9]|$)"),
}
_WHOLE_RE2 = {
    "NHS number": r"^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$",
    "postcode": rf"(?i)^(?:{_OUTWARD}[ \x{{00a0}}]{{0,2}}{_INWARD}|GIR ?0AA)$",
    "email": r"^[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}$",
    "phone number": (r"^(?:(?:\+44 ?(?:\(0\) ?)?|0044 ?|\(0|0)[0-9]{2,4}\)?[ -]?[0-9]{3,4}[ -]?"
                     r"[0-9]{3,4}|\+[1-9][0-9 ()-]{7,18}[0-9])$"),
}
KINDS = tuple(_RE2)
_ANY_RE2 = "|".join(f"(?:{p})" for p in _RE2.values())

# What each kind cannot do without ("0": any digit), to skip patterns that cannot match.
_NEEDS = {"NHS number": "0", "postcode": "0", "email": "@", "phone number": "0"}
_DIGIT = re.compile(r"[0-9]")

#: How a message describes a value of each kind, instead of showing it.
SHAPE = {
    "NHS number": "a value shaped like an NHS number (10 digits that pass the Modulus 11 check)",
    "postcode": "a value shaped like a full postcode",
    "email": "a value shaped like an email address",
    "phone number": "a value shaped like a phone number",
}


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


def phone_digits_ok(text: str) -> bool:
    """A phone-shaped match has as many digits as a phone number: a UK number has 9 or 10
    after the leading 0 (or +44); an international one 8 to 15 in all (ITU-T E.164)."""
    digits = re.sub(r"[^0-9]", "", text)
    if text.startswith("+44") or text.startswith("0044"):
        return len(digits.removeprefix("00").removeprefix("44").removeprefix("0")) in (9, 10)
    if text.startswith("+"):
        return 8 <= len(digits) <= 15
    return len(digits) - 1 in (9, 10)


def _confirm(kind: str, text: str) -> list[str]:
    """The identifiers of ``kind`` in ``text``, confirmed (Modulus 11, digit counts)."""
    if kind == "NHS number":
        found = [m.group(0) for m in NHS_IN_TEXT.finditer(text)]
        if not found:
            return []
        return [f for f, ok in zip(found, nhs_numbers_valid(found)) if ok]
    if kind == "postcode":
        return [m.group(0) for m in POSTCODE_IN_TEXT.finditer(text)]
    if kind == "email":
        return [m.group(0) for m in EMAIL_IN_TEXT.finditer(text)]
    return [m.group(0) for m in PHONE_IN_TEXT.finditer(text) if phone_digits_ok(m.group(0))]


def identifiers_in(text: str) -> list[tuple[str, str]]:
    """Every (kind, matched text) in ``text``: valid NHS numbers, full postcodes, email
    addresses and phone numbers. For checks and tests; messages must never show the match."""
    text = str(text)
    kinds = [k for k, needs in _NEEDS.items() if needs in text or (needs == "0" and _DIGIT.search(text))]
    return [(kind, hit) for kind in kinds for hit in _confirm(kind, text)]


def matches(arr: pa.Array, pattern: str) -> np.ndarray:
    """Which strings of ``arr`` hold a match of the RE2 ``pattern`` (missing: False)."""
    result = pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)
    return np.asarray(pd.array(result, dtype="boolean").fillna(False), dtype=bool)


def _whole_phone_ok(arr: pa.Array) -> np.ndarray:
    """:func:`phone_digits_ok` for many whole values at once."""
    text = pc.utf8_trim_whitespace(arr)
    digits = pc.utf8_length(pc.replace_substring_regex(text, "[^0-9]", "")).to_numpy(
        zero_copy_only=False)
    uk = matches(text, r"^(?:\+44|0044)")
    plus = matches(text, r"^\+") & ~uk
    national = np.where(uk, digits - 2 - matches(text, r"^(?:\+44|0044) ?\(?0"), digits - 1)
    return np.where(plus, (digits >= 8) & (digits <= 15), (national == 9) | (national == 10))


def as_arrow(values) -> pa.Array:
    """Distinct values (a categorical's categories, or unique values) as an Arrow string
    array, without a Python loop where pandas already holds them as strings; whole-number
    floats are written without '.0' (a 10-digit number read as a float is still an NHS
    number)."""
    values = pd.Series(values)
    if pd.api.types.is_float_dtype(values):
        whole = values.notna() & (values == np.floor(values)) & (values.abs() < 1e15)
        text = values.astype(str).where(~whole, values.where(whole, 0).astype("int64").astype(str))
        values = text.where(values.notna(), None)
    elif not pd.api.types.is_string_dtype(values) or values.dtype == object:
        values = values.astype(object).where(values.notna(), None).map(_written)
    return pa.array(values, type=pa.large_string(), from_pandas=True)


def _written(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def value_kinds(arr: pa.Array) -> dict[str, np.ndarray]:
    """For each kind, which strings of ``arr`` (see :func:`as_arrow`) hold one, whole or
    inside longer text; under ``"whole"``, which are nothing but one identifier.

    One RE2 pass finds the values with any identifier shape; only those are looked at again.
    Whole values are checked all at once (Modulus 11 or digit counts on arrays); only values
    with an identifier-shaped part inside longer text are confirmed one by one."""
    out = {kind: np.zeros(len(arr), dtype=bool) for kind in (*KINDS, "whole")}
    candidates = np.flatnonzero(matches(arr, _ANY_RE2))
    if not len(candidates):
        return out
    sub = arr.take(pa.array(candidates))
    trimmed = pc.utf8_trim_whitespace(sub)
    whole = np.zeros(len(sub), dtype=bool)
    for kind, pattern in _RE2.items():
        hits = matches(sub, pattern)
        if not hits.any():
            continue
        is_whole = matches(trimmed, _WHOLE_RE2[kind])
        alone = hits & is_whole
        if kind == "NHS number" and alone.any():
            alone[alone] = nhs_numbers_valid(trimmed.filter(pa.array(alone)).to_pylist())
        elif kind == "phone number":
            alone &= _whole_phone_ok(sub) & ~(whole & out["NHS number"][candidates])
        inside = hits & ~is_whole
        if kind in ("NHS number", "phone number") and inside.any():  # confirm the shape
            texts = sub.filter(pa.array(inside)).to_pylist()
            inside[inside] = _confirmed(kind, texts)
        out[kind][candidates] = alone | inside
        whole |= alone
    out["whole"][candidates] = whole
    return out


def _confirmed(kind: str, texts: list[str]) -> np.ndarray:
    """Which texts hold a confirmed identifier of ``kind`` (one Modulus 11 check for all)."""
    if kind != "NHS number":
        return np.array([bool(_confirm(kind, t)) for t in texts], dtype=bool)
    found = [(i, m.group(0)) for i, t in enumerate(texts) for m in NHS_IN_TEXT.finditer(t)]
    out = np.zeros(len(texts), dtype=bool)
    if found:
        valid = nhs_numbers_valid([f for _, f in found])
        out[[i for (i, _), ok in zip(found, valid) if ok]] = True
    return out
