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
import pyarrow as pa
import pyarrow.compute as pc

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
    cats = s.cat.categories
    blank = pd.Series(cats, dtype=object if cats.dtype == object else cats.dtype) \
        .astype(str).str.strip().str.lower().isin(_NULL_TEXT).to_numpy()
    if blank.any():
        s = s.cat.remove_categories(cats[blank])
    return s


def is_arrow_text(s: pd.Series) -> bool:
    """Whether ``s`` is text held by Arrow (pandas ``str``), as a column with too many
    distinct values for categories is read."""
    return isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"


def trimmed_text(s: pd.Series) -> pd.Series:
    """Arrow-held text trimmed of spaces, blank and 'NULL'-like text missing; every step runs
    in Arrow, so no Python string is made per value."""
    out = s.str.strip()
    # only short text can be 'NULL'-like
    short = (out.str.len() <= max(map(len, _NULL_TEXT))).to_numpy(dtype=bool, na_value=False)
    blank = np.zeros(len(out), dtype=bool)
    if short.any():
        blank[short] = out[short].str.lower().isin(_NULL_TEXT).to_numpy(dtype=bool, na_value=False)
    return out.mask(blank) if blank.any() else out


def row_codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """Each row's value as a whole number from -1 up, equal values (and missing ones) giving
    equal numbers, and an upper bound: the number of distinct values. Categoricals give their
    codes; Arrow text is ranked by Arrow (a sort, lighter than a hash table of millions of
    strings), so no Python string is made for any value."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return codes_of(s).astype(np.int64), len(s.cat.categories)
    if is_arrow_text(s):
        ranks = pc.rank(pa.array(s.array), tiebreaker="dense").to_numpy().astype(np.int64) - 1
        return ranks, int(ranks.max()) + 1 if len(ranks) else 0
    out, uniques = pd.factorize(s)
    return out.astype(np.int64), len(uniques)


def repeated_rows(frame: pd.DataFrame) -> np.ndarray:
    """True for each row that is an exact copy of an earlier row (missing equals missing), as
    ``DataFrame.duplicated`` gives, found by sorting one whole number per row instead of
    hashing each column's values (which, for text with millions of distinct values, costs a
    gigabyte)."""
    n = len(frame)
    key, span = np.zeros(n, dtype=np.int64), 1
    for i in range(frame.shape[1]):
        codes, k = row_codes(frame.iloc[:, i])
        if span * (k + 1) >= 2**62:  # renumber the combinations seen so far, from 0
            _, key = np.unique(key, return_inverse=True)
            key = key.astype(np.int64).reshape(-1)
            span = int(key.max()) + 1 if n else 1
        key = key * (k + 1) + (codes + 1)
        span *= k + 1
    order = np.argsort(key, kind="stable")
    repeated = np.zeros(n, dtype=bool)
    if n > 1:
        ordered = key[order]
        repeated[order[1:]] = ordered[1:] == ordered[:-1]
    return repeated


def codes_of(cat: pd.Series) -> np.ndarray:
    """Category codes of each row (-1 = missing)."""
    return cat.array.codes


def sorted_categories(s: pd.Series) -> pd.Series:
    """Free-text categories in alphabetical order, unused ones removed, so the same data
    gives the same categories whichever order the rows came in."""
    cats = s.cat.categories
    cc = codes_of(s)
    kept = np.flatnonzero(np.bincount(cc[cc >= 0], minlength=len(cats)))
    order = kept[np.asarray(cats[kept].astype(str).argsort())]  # sorted in C, not in Python
    table = np.full(len(cats) + 1, -1, dtype=np.int32)  # the last entry: code -1, missing
    table[order] = np.arange(len(order), dtype=np.int32)
    return pd.Series(pd.Categorical.from_codes(table[cc], categories=cats[order].astype(str)),
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
