"""Keep identifiable values out of report logs, indexes and error messages.

A failed report's log keeps what an analyst needs to fix it (the cell, the kind of error,
row numbers and column names) and never the value of a field that could identify a
person. :func:`scrub` removes anything that looks like an NHS number (10 digits, with or
without spaces or hyphens), a full UK postcode, an email address, a phone number or a
date (a date of birth looks like any other date, so all dates go), and any value that
the extract's own identifying columns hold (names, local identifiers), found with
:func:`equitylab.loaders.identifiers.identifying_columns`.
"""
from __future__ import annotations

import re
from pathlib import Path

REDACTED = "[removed]"

_PATTERNS = [
    re.compile(r"(?<![\w.])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\w.])"),                  # NHS-number shaped
    re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}\b", re.IGNORECASE),     # full postcode
    re.compile(r"[^@\s'\"<>]+@[^@\s'\"<>]+\.[A-Za-z]{2,}"),                         # email
    re.compile(r"(?<!\d)(?:\+44\s?|0044\s?|0)\d{2,4}[\s-]?\d{3,4}[\s-]?\d{3,4}(?!\d)"),  # UK phone
    re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\b"),   # 2001-02-03
    re.compile(r"\b\d{1,2}[-/. ]\d{1,2}[-/. ]\d{2,4}\b"),                            # 03/02/2001
    re.compile(r"\b\d{1,2}[-/ ](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-/ ]\d{2,4}\b",
               re.IGNORECASE),                                                       # 3 Feb 2001
]


def scrub(text: str, values=()) -> str:
    """``text`` with identifier-shaped strings and the given ``values`` replaced by "[removed]".

    Parameters
    ----------
    text : str
        A message, traceback or log.
    values : iterable of str
        Known identifying values (for example every name in the extract's name column).
        Values shorter than 3 characters are ignored (they would remove ordinary words).
    """
    out = str(text)
    known = sorted({str(v).strip() for v in values if v is not None and len(str(v).strip()) >= 3},
                   key=len, reverse=True)
    for value in known:
        out = re.sub(re.escape(value), REDACTED, out, flags=re.IGNORECASE)
    for pattern in _PATTERNS:
        out = pattern.sub(REDACTED, out)
    return out


def identifying_values(path, *, limit: int = 200_000) -> set[str]:
    """Distinct values of the columns in a service extract that could identify someone.

    Only read when a report has failed, so its log can be scrubbed of them. Returns an
    empty set for files that cannot be read (the log is still scrubbed by pattern).
    """
    if not path:
        return set()
    import pandas as pd

    from ..loaders.identifiers import identifying_columns

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
    for column, _kind, _reason in identifying_columns(raw):
        values = raw[column].dropna().astype(str).str.strip()
        found.update(values[values != ""].unique().tolist())
        # a "Jane Smith" name column also yields "Jane" and "Smith" on their own
        for value in values.unique():
            found.update(part for part in re.split(r"[\s,]+", value) if len(part) >= 3)
    return found


def contains_identifier(text: str) -> str | None:
    """The kind of identifier ``text`` contains ("NHS number", "postcode", "email"), or None.

    Used as a last check on everything a report writes. NHS numbers count only when they
    pass the Modulus 11 check, so ordinary 10-digit figures do not trip it.
    """
    from ..loaders.identifiers import nhs_numbers_valid

    candidates = [re.sub(r"[ -]", "", m) for m in _PATTERNS[0].findall(text)]
    if candidates and nhs_numbers_valid(candidates).any():
        return "NHS number"
    if _PATTERNS[1].search(text):
        return "postcode"
    if _PATTERNS[2].search(text):
        return "email"
    return None
