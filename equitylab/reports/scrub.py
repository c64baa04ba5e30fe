"""Keep identifiable values out of report logs, indexes and error messages.

A failed report's log keeps what an analyst needs to fix it (the cell, the kind of error,
row numbers and column names) and never the value of a field that could identify a
person. :func:`scrub` removes anything shaped like an NHS number (10 digits, with or
without spaces or hyphens), a full UK postcode, an email address, a phone number or a
date (a date of birth looks like any other date, so all dates go), and every word of the
values that the extract's own identifying columns hold (names, local identifiers), found
with :func:`equitylab.loaders.identifiers.identifying_columns`.

The shapes are the detector's own (:mod:`equitylab.loaders.identifiers.shapes`); like them,
every pattern here has bounded quantifiers only, so scrubbing takes time in proportion to
the text, however long and unbroken.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..loaders.identifiers import identifying_columns, nhs_numbers_valid
from ..loaders.identifiers.shapes import EMAIL_IN_TEXT, NHS_IN_TEXT, PHONE_IN_TEXT, POSTCODE_IN_TEXT

REDACTED = "[removed]"

_DATES = [
    re.compile(r"(?<![0-9])[0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2}(?:[ T][0-9]{1,2}:[0-9]{2}"
               r"(?::[0-9]{2})?)?(?![0-9])"),                                     # 2001-02-03
    re.compile(r"(?<![0-9])[0-9]{1,2}[-/. ][0-9]{1,2}[-/. ][0-9]{2,4}(?![0-9])"),  # 03/02/2001
    re.compile(r"(?<![0-9])[0-9]{1,2}[-/ ](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
               r"[a-z]{0,6}[-/ ][0-9]{2,4}(?![0-9])", re.IGNORECASE),               # 3 Feb 2001
]
# NHS-number shaped, valid or not: a log is no place for any 10-digit patient number.
_PATTERNS = [NHS_IN_TEXT, POSTCODE_IN_TEXT, EMAIL_IN_TEXT, PHONE_IN_TEXT, *_DATES]
_DIGIT = re.compile(r"[0-9]")
_WORD = re.compile(r"[^\W_]{1,100}(?:['’-][^\W_]{1,100}){0,4}")


def scrub(text: str, values=()) -> str:
    """``text`` with identifier-shaped strings and the words of ``values`` replaced by "[removed]".

    Parameters
    ----------
    text : str
        A message, traceback or log.
    values : iterable of str
        Known identifying values (for example every name in the extract's name column).
        Each word of 3 characters or more is removed wherever it stands as a word, in any
        case ("Jane Smith" removes "Jane" and "SMITH"); shorter words are left, as they
        would remove ordinary words.
    """
    out = str(text)
    digits = bool(_DIGIT.search(out))
    for pattern in _PATTERNS:
        if (pattern is EMAIL_IN_TEXT and "@" in out) or (pattern is not EMAIL_IN_TEXT and digits):
            out = pattern.sub(REDACTED, out)
    known = {w.lower() for v in values if v is not None for w in _WORD.findall(str(v)) if len(w) >= 3}
    if known:
        out = _WORD.sub(lambda m: REDACTED if m.group(0).lower() in known else m.group(0), out)
    return out


def identifying_values(path, *, limit: int = 200_000) -> set[str]:
    """Distinct values of the columns in a service extract that could identify someone
    (those dropped on loading, and those kept for the user to confirm).

    Only read when a report has failed, so its log can be scrubbed of them. Returns an
    empty set for files that cannot be read (the log is still scrubbed by pattern).
    """
    if not path:
        return set()
    path = Path(path)
    try:
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls"):
            raw = pd.read_excel(path, dtype=str, nrows=limit)
        elif suffix == ".parquet":
            raw = pd.read_parquet(path).head(limit).astype(str)
        else:
            raw = pd.read_csv(path, dtype=str, nrows=limit, sep=None, engine="python",
                              encoding_errors="replace")
    except Exception:  # noqa: BLE001 - a file we cannot read has nothing to add to the scrub list
        return set()
    found: set[str] = set()
    for hit in identifying_columns(raw):
        values = raw[hit.column].dropna().astype(str).str.strip()
        found.update(values[values != ""].unique().tolist())
    return found


def contains_identifier(text: str) -> str | None:
    """The kind of identifier ``text`` contains ("NHS number", "postcode", "email"), or None.

    Used as a last check on everything a report writes. NHS numbers count only when they
    pass the Modulus 11 check, so ordinary 10-digit figures do not trip it.
    """
    candidates = [re.sub(r"[ -]", "", m) for m in NHS_IN_TEXT.findall(text)]
    if candidates and nhs_numbers_valid(candidates).any():
        return "NHS number"
    if POSTCODE_IN_TEXT.search(text):
        return "postcode"
    if EMAIL_IN_TEXT.search(text):
        return "email"
    return None
