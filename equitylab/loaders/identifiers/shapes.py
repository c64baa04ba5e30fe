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
EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9._%+'-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}"
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
    return [(kind, hit) for kind in KINDS for hit in _confirm(kind, text)]


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


def value_kinds(values) -> dict[str, np.ndarray]:
    """For each kind, which of ``values`` (distinct strings, any missing) hold one, whole or
    inside longer text; under ``"whole"``, which are nothing but one identifier.

    Whole values are checked all at once (RE2, and Modulus 11 or digit counts on arrays);
    only values with an identifier-shaped part inside longer text are confirmed one by one."""
    arr = pa.array(pd.Series(values, dtype=object).where(pd.notna(values), None).tolist(),
                   type=pa.large_string())
    trimmed = pc.utf8_trim_whitespace(arr)
    out: dict[str, np.ndarray] = {}
    whole = np.zeros(len(arr), dtype=bool)
    for kind, pattern in _RE2.items():
        hits = matches(arr, pattern)
        if not hits.any():
            out[kind] = hits
            continue
        alone = hits & matches(trimmed, _WHOLE_RE2[kind])
        if kind == "NHS number" and alone.any():
            alone[alone] = nhs_numbers_valid(trimmed.filter(pa.array(alone)).to_pylist())
        elif kind == "phone number" and alone.any():
            alone &= _whole_phone_ok(arr)
        inside = hits & ~matches(trimmed, _WHOLE_RE2[kind])
        if kind in ("NHS number", "phone number"):  # a shape is not enough: confirm
            for i in np.flatnonzero(inside):
                inside[i] = bool(_confirm(kind, arr[int(i)].as_py()))
        if kind == "phone number":  # "0123456789" passing Modulus 11 is an NHS number
            alone &= ~(whole & out["NHS number"])
        out[kind] = alone | inside
        whole |= alone
    out["whole"] = whole
    return out
