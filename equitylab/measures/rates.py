"""Proportions and crude rates with the confidence intervals PHE/OHID use on Fingertips.

Both functions add up numerators and denominators within each group of ``by`` and return
one row per group. Intervals follow the PHE Technical Guide *Confidence intervals* (2018)
and the PHEindicatormethods R package (``phe_proportion``, ``phe_rate``).

The interval helpers here (:func:`wilson_interval`, :func:`poisson_interval`,
:func:`byar_interval`, :func:`exact_poisson_interval`) are used by the other measures too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..provenance import carry
from ._common import (
    OVERFLOW,
    by_columns,
    ci_columns,
    confidence_levels,
    join_notes,
    note_where,
    numeric,
    overflowed,
    positive_multiplier,
    require_columns,
)


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for confidence ``level`` (0.95 -> 1.959964)."""
    return float(special.ndtri(1 - (1 - level) / 2))


def wilson_interval(x, n, level: float = 0.95):
    """Wilson score interval for a proportion x/n, as fractions of 1.

    Newcombe (1998) method 3, as PHE/OHID use (``phe_proportion``, ``wilson_lower/upper``).
    ``x`` may be fractional (weighted counts); NaN in, NaN out.
    """
    x = np.asarray(x, dtype=float)
    n = np.asarray(n, dtype=float)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        root = z * np.sqrt(z * z + 4 * x * (1 - x / n))
        lower = (2 * x + z * z - root) / (2 * (n + z * z))
        upper = (2 * x + z * z + root) / (2 * (n + z * z))
    return lower, upper


def byar_interval(x, level: float = 0.95):
    """Byar's approximation to the exact Poisson interval for a count ``x``.

    Lower: x(1 - 1/(9x) - z/(3 sqrt x))^3; upper: (x+1)(1 - 1/(9(x+1)) + z/(3 sqrt(x+1)))^3
    (Breslow and Day 1987, as the PHE Technical Guide). A negative lower limit gives NaN.
    """
    x = np.asarray(x, dtype=float)
    z = z_value(level)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        x1 = x + 1
        upper = x1 * (1 - 1 / (9 * x1) + z / (3 * np.sqrt(x1))) ** 3
    lower = np.where(lower < 0, np.nan, lower)
    return lower, upper


def exact_poisson_interval(x, level: float = 0.95):
    """Exact (Garwood 1936) Poisson interval for a count ``x``: chi2(alpha/2; 2x)/2 and
    chi2(1 - alpha/2; 2x + 2)/2, with lower = 0 when x = 0.

    Half a chi-square quantile with 2k degrees of freedom is the gamma(k) quantile, which is
    how ``scipy.stats.chi2.ppf`` computes it (``scipy.special.gammaincinv``).
    """
    x = np.asarray(x, dtype=float)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, special.gammaincinv(np.where(x > 0, x, 1), alpha / 2), 0.0)
        upper = special.gammaincinv(x + 1, 1 - alpha / 2)
    lower = np.where(np.isnan(x), np.nan, lower)
    return lower, upper


def poisson_interval(x, level: float = 0.95):
    """PHE's interval for a count: exact below 10 events, Byar's method from 10.

    Returns (lower, upper, method) where method is "Exact" or "Byars" per element.
    """
    x = np.asarray(x, dtype=float)
    small = x < 10
    el, eu = exact_poisson_interval(x, level)
    bl, bu = byar_interval(x, level)
    method = np.where(small, "Exact", "Byars")
    return np.where(small, el, bl), np.where(small, eu, bu), method


def confidence_label(levels: list[float]) -> str:
    """0.95 -> "95%"; [0.95, 0.998] -> "95%, 99.8%"."""
    return ", ".join(f"{lv * 100:.10g}%" for lv in levels)


def _numbers(data, column, what):
    """The column as it is when it already holds finite numbers or booleans (pandas adds those
    up, nullable ones included), else ``numeric``'s checked float array (an infinite value is a
    :class:`DataError`)."""
    col = data[column]
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return col.array
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        if pd.api.types.is_float_dtype(dtype) and np.isinf(col.to_numpy(dtype=float, na_value=np.nan)).any():
            return numeric(data, column, what=what)  # which raises, naming the rows
        return col.array
    return numeric(data, column, what=what)


def group_sums(values: pd.DataFrame, keys: list[pd.Series]) -> pd.DataFrame:
    """Total of each column of ``values`` within each group of ``keys`` (one row if none).

    Groups come in sorted order (a categorical column's own category order), with rows whose
    label is missing as a group of their own, last. A group with any missing value in a column
    gets NaN for that column (as R's ``sum``) and the count of those rows in
    ``_missing_<column>``.
    """
    if keys:
        grouped = values.groupby(keys, observed=True, dropna=False, sort=True)
        totals, known, rows = grouped.sum(), grouped.count(), grouped.size().to_numpy()
        out = totals.index.to_frame(index=False)
    else:
        totals, known, rows = values.sum().to_frame().T, values.count().to_frame().T, np.array([len(values)])
        out = pd.DataFrame(index=pd.RangeIndex(1))
    for c in values.columns:
        missing = rows - known[c].to_numpy()
        out[c] = np.where(missing > 0, np.nan, totals[c].to_numpy(dtype=float))
        out[f"_missing_{c}"] = missing
    return out


def missing_notes(sums: pd.DataFrame, columns: list[str]) -> np.ndarray:
    notes = []
    for c in columns:
        k = sums[f"_missing_{c}"].to_numpy()
        notes.append(np.array([f"{int(m)} row(s) with no {c}" if m else "" for m in k], dtype=object))
    return join_notes(*notes)


def _count_inputs(data, numerator, denominator, by, what):
    require_columns(data, [numerator, denominator], what=what)
    by = by_columns(data, by, what)
    values = pd.DataFrame({numerator: _numbers(data, numerator, what),
                           denominator: _numbers(data, denominator, what)}, index=data.index, copy=False)
    with np.errstate(over="ignore"):  # a sum too large for floating point is noted by the caller
        sums = group_sums(values, [data[b] for b in by])
    x = sums[numerator].to_numpy(dtype=float)
    n = sums[denominator].to_numpy(dtype=float)
    return by, sums, x, n


def _assemble(sums, by, x, n, value, limits, levels, method, multiplier, note, extra=None):
    cols = {b: sums[b].to_numpy() for b in by}
    cols.update(numerator=x, denominator=n, value=value)
    for (level, lo, hi), (lower, upper) in zip(ci_columns(levels), limits):
        cols[lo] = lower
        cols[hi] = upper
    cols.update(confidence=confidence_label(levels), method=method, multiplier=multiplier)
    cols.update(extra or {})
    cols["note"] = note
    return pd.DataFrame(cols, index=pd.RangeIndex(len(x)))


def proportion(data: pd.DataFrame, numerator: str, denominator: str, *, by=None,
               multiplier: float = 100, confidence=0.95) -> pd.DataFrame:
    """The share of a group with an outcome (x / n), with Wilson score confidence intervals.

    Parameters
    ----------
    data : DataFrame
        One row per record or per sub-group; numerators and denominators are added up
        within each group of ``by``.
    numerator, denominator : str
        Columns holding the count with the outcome and the count at risk.
    by : str or list of str, optional
        Column(s) giving one output row per group (all rows together if omitted).
    multiplier : float
        100 gives a percentage, 1 a proportion of 1.
    confidence : float or list of float
        0.95, 0.998 or both. Several levels give ``lower_ci_95``, ``upper_ci_99_8``, ...

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``numerator``, ``denominator``, ``value``
        (x / n x multiplier), ``lower_ci``/``upper_ci`` (or one pair per level),
        ``confidence``, ``method`` ("Wilson"), ``multiplier`` and ``note``. A group whose
        denominator is 0 or missing, whose numerator is negative or larger than its
        denominator gets NA with the reason in ``note``.

    Notes
    -----
    Wilson score interval (Wilson 1927; Newcombe 1998, method 3), as PHE/OHID use on
    Fingertips (PHE Technical Guide; PHEindicatormethods ``phe_proportion``).
    """
    what = "proportion()"
    levels = confidence_levels(confidence)
    multiplier = positive_multiplier(multiplier, what)
    by, sums, x, n = _count_inputs(data, numerator, denominator, by, what)
    huge = overflowed(x, n, x * multiplier)
    bad_den = ~(n > 0)
    bad_num = (x < 0) | (x > n)
    bad = bad_den | bad_num | np.isnan(x) | huge
    size = len(x)
    note = join_notes(
        missing_notes(sums, [numerator, denominator]),
        note_where(bad_den & ~np.isnan(n), "denominator is 0 or negative: no proportion", size),
        note_where((x < 0), "numerator is negative", size),
        note_where((x > n) & (n > 0), "numerator is larger than the denominator: not a proportion", size),
        note_where(huge, OVERFLOW, size),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(bad, np.nan, x / n * multiplier)
    limits = []
    for level in levels:
        lo, hi = wilson_interval(x, n, level)
        limits.append((np.where(bad, np.nan, lo * multiplier), np.where(bad, np.nan, hi * multiplier)))
    out = _assemble(sums, by, x, n, value, limits, levels, "Wilson", multiplier, note)
    return carry(out, data)


def rate(data: pd.DataFrame, numerator: str, denominator: str, *, by=None,
         multiplier: float = 100_000, confidence=0.95) -> pd.DataFrame:
    """A crude rate (events per ``multiplier`` people or person-years), with exact/Byar intervals.

    Parameters
    ----------
    data : DataFrame
        Records or sub-groups; events and population are added up within each ``by`` group.
    numerator, denominator : str
        Columns holding the number of events and the population (or person-time) at risk.
    by : str or list of str, optional
        Column(s) giving one output row per group.
    multiplier : float
        100,000 gives a rate per 100,000.
    confidence : float or list of float
        0.95, 0.998 or both.

    Returns
    -------
    DataFrame
        One row per group: ``by`` columns, ``numerator``, ``denominator``, ``value``
        (x / n x multiplier), ``lower_ci``/``upper_ci``, ``confidence``, ``method``
        ("Exact" below 10 events, "Byars" from 10), ``multiplier`` and ``note``. Events may
        exceed the population (repeat events). A zero or missing population gives NA.

    Notes
    -----
    Exact Poisson limits from the chi-square distribution (Garwood 1936) below 10 events;
    Byar's approximation (Breslow and Day 1987) from 10 events, as the PHE Technical Guide
    and PHEindicatormethods ``phe_rate``.
    """
    what = "rate()"
    levels = confidence_levels(confidence)
    multiplier = positive_multiplier(multiplier, what)
    by, sums, x, n = _count_inputs(data, numerator, denominator, by, what)
    bad_den = ~(n > 0)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        raw = x / n * multiplier
        bounds = [poisson_interval(x, level) for level in levels]
        scaled = [(lo / n * multiplier, hi / n * multiplier) for lo, hi, _ in bounds]
    huge = ~bad_den & (overflowed(x, n, raw, *[a for pair in scaled for a in pair]))
    bad = bad_den | np.isnan(x) | (x < 0) | huge
    size = len(x)
    note = join_notes(
        missing_notes(sums, [numerator, denominator]),
        note_where(bad_den & ~np.isnan(n), "population is 0 or negative: no rate", size),
        note_where(x < 0, "number of events is negative", size),
        note_where(huge, OVERFLOW, size),
    )
    value = np.where(bad, np.nan, raw)
    limits = [(np.where(bad, np.nan, lo), np.where(bad, np.nan, hi)) for lo, hi in scaled]
    method = bounds[-1][2]
    method = np.where(np.isnan(x), None, method)
    out = _assemble(sums, by, x, n, value, limits, levels, method, multiplier, note)
    return carry(out, data)
