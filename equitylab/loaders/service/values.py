"""Turning a column as read into categories, numbers or dates, one distinct value at a time.

Text columns arrive as categoricals, so each function here looks at the distinct values
(a few hundred, even in a 10-million-row file) and spreads the answer over the rows through
the category codes. Nothing here decides what is a problem: it says which rows could not be
read, and :mod:`.fields` says why that matters.
"""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .. import codes

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%b-%Y",
                "%d %b %Y", "%d-%b-%y", "%d %B %Y", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S",
                "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
_NULL_TEXT = {"", "na", "n/a", "null", "nan", "#n/a", "none", "nat"}
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")


def text(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d")
    return str(x).strip()


def categorical_strings(s: pd.Series) -> pd.Series:
    """The column as a categorical of strings (whole-number floats shown without '.0'),
    with blank and 'NULL'-like text as missing."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if not pd.api.types.is_string_dtype(cats) or cats.dtype == object:
            new = [text(c) for c in cats]
            if len(set(new)) == len(new):
                s = s.cat.rename_categories(new)
            else:
                s = pd.Series(pd.Categorical(s.astype(object).map(text)), index=s.index)
    else:
        if pd.api.types.is_float_dtype(s):
            vals = s.to_numpy(dtype=float)
            finite = vals[np.isfinite(vals)]
            if len(finite) and (finite == np.floor(finite)).all() and np.abs(finite).max() < 2**63:
                s = s.astype("Int64")
        s = s.astype("category")
        new = [text(x) for x in s.cat.categories]
        s = s.cat.rename_categories(new) if len(set(new)) == len(new) else \
            pd.Series(pd.Categorical(s.astype(object).map(text)), index=s.index)
    blank = [c for c in s.cat.categories if str(c).strip().lower() in _NULL_TEXT]
    if blank:
        s = s.cat.remove_categories(blank)
    return s


def codes_of(cat: pd.Series) -> np.ndarray:
    """Category codes of each row (-1 = missing)."""
    return cat.array.codes


def sorted_categories(s: pd.Series) -> pd.Series:
    """Free-text categories in alphabetical order, unused ones removed, so the same data
    gives the same categories whichever order the rows came in."""
    cats = s.cat.categories
    cc = codes_of(s)
    used = np.bincount(cc[cc >= 0], minlength=len(cats)) > 0
    keep = sorted((str(c), i) for i, c in enumerate(cats) if used[i])
    table = np.full(len(cats) + 1, -1, dtype=np.int32)
    for new, (_, old) in enumerate(keep):
        table[old] = new
    return pd.Series(pd.Categorical.from_codes(table[cc], categories=[c for c, _ in keep]),
                     index=s.index)


def from_codes(table: np.ndarray, cc: np.ndarray, categories, *, ordered=False, index=None):
    """The categorical whose code at each row is ``table[cc]`` (-1 = missing), gathered
    once into the smallest integer type; the table is checked, so the rows need not be."""
    categories = list(categories)
    if len(table) and not ((table >= -1) & (table < len(categories))).all():
        raise ValueError("category table out of range")
    small = table.astype(np.int8 if len(categories) < 127 else np.int32)
    dtype = pd.CategoricalDtype(categories, ordered=ordered)
    cat = pd.Categorical.from_codes(small[cc], dtype=dtype, validate=False)
    return pd.Series(cat, index=index, copy=False)


def blank_lookup(lookup):
    """``lookup`` that gives None (missing, not unknown) for blank text."""
    def wrapped(value):
        if value is None or codes.normalise_text(value) in ("", "nan", "none", "null", "na"):
            return None
        return lookup(value)
    return wrapped


def map_categories(s: pd.Series, lookup, categories, *, ordered=False):
    """Map each distinct value once: (categorical series, mask of rows whose value the
    lookup does not know). Blank rows are missing, or ``lookup(None)`` if it gives one."""
    cat = categorical_strings(s)
    results = [lookup(c) for c in cat.cat.categories]
    blank = lookup(None) if lookup is not codes.ethnicity_lookup else None
    index = {c: i for i, c in enumerate(categories)}
    table = np.array([index[r] if r is not None else -2 for r in results]
                     + [index.get(blank, -1) if blank is not None else -1], dtype=np.int64)
    cc = codes_of(cat)
    bad = table[cc] == -2 if (table == -2).any() else np.zeros(len(cc), dtype=bool)
    table[table == -2] = -1
    return from_codes(table, cc, categories, ordered=ordered, index=s.index), bad


def numbers(s: pd.Series, *, delimiter: str | None = None):
    """The column as floats, one per distinct value where it has categories:
    ``(values, not_number, ambiguous, cc)``. ``values`` is NaN where missing or unreadable;
    ``not_number`` marks values that are not numbers and ``ambiguous`` those whose comma
    could be a decimal comma or a thousands separator. With ``cc`` None the arrays are per
    row; otherwise they are per category and row i has category ``cc[i]`` (-1 = missing).

    A comma followed by other than three digits ("2,5") is a decimal comma. A comma before
    groups of three digits ("1,234") separates thousands, unless the file is separated by
    semicolons (as files with decimal commas are) or the column also holds decimal commas:
    then the two cannot be told apart.
    """
    if pd.api.types.is_bool_dtype(s) or (pd.api.types.is_numeric_dtype(s)
                                         and not isinstance(s.dtype, pd.CategoricalDtype)):
        vals = s.astype("Float64").to_numpy(dtype=float, na_value=np.nan) \
            if pd.api.types.is_bool_dtype(s) else s.to_numpy(dtype=float, na_value=np.nan)
        none = np.zeros(len(vals), dtype=bool)
        return vals, none, none, None
    cat = categorical_strings(s)
    cats = pd.Series(cat.cat.categories, dtype=object).str.replace(r"\s+", "", regex=True)
    thousands = cats.str.fullmatch(_THOUSANDS).to_numpy(dtype=bool)
    decimal = cats.str.fullmatch(_DECIMAL_COMMA).to_numpy(dtype=bool) & ~thousands
    ambiguous = np.zeros(len(cats), dtype=bool)
    if decimal.any():
        ambiguous = thousands
        cleaned = cats.str.replace(",", ".", regex=False)
    elif delimiter == ";":
        ambiguous = thousands
        cleaned = cats
    else:
        cleaned = cats.where(~thousands, cats.str.replace(",", "", regex=False))
    vals = np.array(pd.to_numeric(cleaned, errors="coerce"), dtype=float)
    vals[ambiguous] = np.nan
    return vals, np.isnan(vals) & ~ambiguous, ambiguous, codes_of(cat)


def _strptime(value: str):
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def dates(s: pd.Series):
    """The column as dates to the second: (datetime64[s] values, NaT where missing or
    unreadable; mask of rows that are not dates; True when some unreadable value would be
    a date read as month/day/year). Years 1 to 9999 are read, so a date out of any sensible
    range can be reported as such rather than as unreadable."""
    n = len(s)
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        values = out.to_numpy().astype("datetime64[s]")
        return values, np.zeros(n, dtype=bool), False
    cat = categorical_strings(s)
    cats = pd.Series(cat.cat.categories, dtype=object)
    parsed = np.full(len(cats), np.datetime64("NaT"), dtype="datetime64[s]")
    for fmt in DATE_FORMATS:
        todo = np.isnat(parsed)
        if not todo.any():
            break
        got = pd.to_datetime(cats[todo], format=fmt, errors="coerce")
        parsed[todo] = got.to_numpy().astype("datetime64[s]")
    # the few values pandas could not hold (years before 1677 or after 2262 in pandas 2)
    for i in np.flatnonzero(np.isnat(parsed)):
        when = _strptime(str(cats.iloc[i]))
        if when is not None:
            parsed[i] = np.datetime64(when, "s")
    unreadable = np.isnat(parsed)
    cc = codes_of(cat)
    present = cc >= 0
    parsed = np.append(parsed, np.datetime64("NaT"))  # code -1 (missing) reads the last
    values = parsed[cc]
    bad = present & np.append(unreadable, False)[cc]
    us = bool(unreadable.any()) and pd.to_datetime(cats[unreadable], format="%m/%d/%Y",
                                                   errors="coerce").notna().any()
    return values, bad, us
