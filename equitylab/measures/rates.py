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

from ..provenance import carry
from ._common import as_list, chi2_ppf, ci_columns, confidence_levels, norm_ppf, numeric, require_columns


def z_value(level: float) -> float:
    """Two-sided standard normal quantile for confidence ``level`` (0.95 -> 1.959964)."""
    return float(norm_ppf(1 - (1 - level) / 2))


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
    """Exact (Garwood 1936) Poisson interval for a count ``x`` via the chi-square distribution:
    chi2(alpha/2; 2x)/2 and chi2(1 - alpha/2; 2x + 2)/2, with lower = 0 when x = 0."""
    x = np.asarray(x, dtype=float)
    alpha = 1 - level
    with np.errstate(invalid="ignore"):
        lower = np.where(x > 0, chi2_ppf(alpha / 2, 2 * np.where(x > 0, x, 1)) / 2, 0.0)
        upper = chi2_ppf(1 - alpha / 2, 2 * x + 2) / 2
    lower = np.where(np.isnan(x), np.nan, lower)
    return lower, upper


def poisson_interval(x, level: float = 0.95):
    """PHE's interval for a count: exact below 10 events, Byar's method from 10.

    Returns (lower, upper, method) where method is "Exact" or "Byars" per element.
    """
    x = np.asarray(x, dtype=float)
    el, eu = exact_poisson_interval(x, level)
    bl, bu = byar_interval(x, level)
    small = x < 10
    method = np.where(small, "Exact", "Byars")
    return np.where(small, el, bl), np.where(small, eu, bu), method


def confidence_label(levels: list[float]) -> str:
    """0.95 -> "95%"; [0.95, 0.998] -> "95%, 99.8%"."""
    return ", ".join(f"{lv * 100:.10g}%" for lv in levels)


def _factorize(values) -> tuple[np.ndarray, object]:
    """Sorted codes (missing last) and the distinct values of one grouping column."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # category order is the order analysts chose (e.g. deciles, age bands); no sorting pass
        codes = s.cat.codes.to_numpy()
        cats = s.cat.categories
        uniques = pd.Categorical.from_codes(np.r_[np.arange(len(cats)), -1], dtype=dtype)
        if (codes < 0).any():
            codes = np.where(codes < 0, len(cats), codes)
        return codes, uniques
    if pd.api.types.is_integer_dtype(dtype) and len(s):
        x = s.to_numpy(dtype="float64", na_value=np.nan)
        na = np.isnan(x)
        if not na.all():
            lo, hi = np.nanmin(x), np.nanmax(x)
            if hi - lo < 1_000_000:
                codes = np.where(na, hi - lo + 1, x - lo).astype(np.int64)
                uniques = pd.array(np.r_[np.arange(lo, hi + 1), np.nan], dtype="Float64")
                uniques = pd.array(uniques, dtype=dtype if isinstance(dtype, pd.api.extensions.ExtensionDtype)
                                   else ("Int64"))
                return codes, uniques
    codes, uniques = pd.factorize(s, sort=True, use_na_sentinel=False)
    return codes, uniques


def group_codes(data, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """An integer group code per row (0..k-1, in sorted order of the ``by`` values, missing
    values last) and the frame of the k distinct keys. ``data`` is a DataFrame or a dict of
    columns. Faster than ``groupby().ngroup()`` on the categorical columns of a large extract."""
    if not by:
        first = next(iter(data.values())) if isinstance(data, dict) else data.index
        return np.zeros(len(first), dtype=np.int64), pd.DataFrame(index=[0])
    codes = None
    uniques, sizes = [], []
    for col in by:
        c, u = _factorize(data[col])
        codes = c if codes is None else codes.astype(np.int64) * len(u) + c
        uniques.append(u)
        sizes.append(len(u))
    space = int(np.prod(sizes, dtype=np.float64))
    if space <= 20_000_000:
        present = np.flatnonzero(np.bincount(codes, minlength=space))
        if len(present) < space:
            remap = np.zeros(space, dtype=np.int64)
            remap[present] = np.arange(len(present))
            codes = remap[codes]
    else:
        codes, present = pd.factorize(codes, sort=True)
    positions = np.unravel_index(np.asarray(present, dtype=np.int64), sizes)
    keys = pd.DataFrame({col: pd.Series(u).take(pos).reset_index(drop=True)
                         for col, u, pos in zip(by, uniques, positions)})
    # one cast here; np.bincount would otherwise cast small integer codes on every call
    return codes.astype(np.intp, copy=False), keys


def group_sums(data, columns: list[str], by: list[str]) -> pd.DataFrame:
    """Sum ``columns`` within each group of ``by`` (one row if ``by`` is empty).

    ``data`` is a DataFrame or a dict of columns. A group with any missing value in a column
    gets NaN for that column (as R's ``sum``) and the count of missing rows in
    ``_missing_<column>``.
    """
    codes, keys = group_codes(data, by)
    k = len(keys)
    out = keys.copy()
    for c in columns:
        values = np.asarray(data[c], dtype=float)
        missing = np.isnan(values)
        if missing.any():
            total = np.bincount(codes, weights=np.where(missing, 0.0, values), minlength=k)
            n_missing = np.bincount(codes, weights=missing, minlength=k).astype(np.int64)
        else:
            total = np.bincount(codes, weights=values, minlength=k)
            n_missing = np.zeros(k, dtype=np.int64)
        out[c] = np.where(n_missing > 0, np.nan, total)
        out[f"_missing_{c}"] = n_missing
    return out


def by_columns(data: pd.DataFrame, by, what: str) -> list[str]:
    cols = as_list(by)
    require_columns(data, cols, what=what)
    return cols


def join_notes(*notes: np.ndarray) -> np.ndarray:
    """Combine per-row note arrays ("" = nothing to say) into one "; "-separated array."""
    out = []
    for parts in zip(*notes):
        out.append("; ".join(p for p in parts if p))
    return np.array(out, dtype=object)


def note_where(condition, text: str, size: int) -> np.ndarray:
    cond = np.broadcast_to(np.asarray(condition, dtype=bool), (size,))
    return np.where(cond, text, "").astype(object)


def missing_notes(sums: pd.DataFrame, columns: list[str]) -> np.ndarray:
    notes = []
    for c in columns:
        k = sums[f"_missing_{c}"].to_numpy()
        notes.append(np.array([f"{int(m)} row(s) with no {c}" if m else "" for m in k], dtype=object))
    return join_notes(*notes)


def _numbers(data, column, what):
    """``numeric`` with a fast path for columns that are already numbers or booleans."""
    dtype = data[column].dtype
    if pd.api.types.is_bool_dtype(dtype) or (pd.api.types.is_numeric_dtype(dtype)
                                              and not isinstance(dtype, pd.CategoricalDtype)):
        return data[column].to_numpy(dtype="float64", na_value=np.nan)
    return numeric(data, column, what=what)


def _count_inputs(data, numerator, denominator, by, what):
    require_columns(data, [numerator, denominator], what=what)
    by = by_columns(data, by, what)
    frame = {numerator: _numbers(data, numerator, what), denominator: _numbers(data, denominator, what)}
    for b in by:
        frame[b] = data[b]
    sums = group_sums(frame, [numerator, denominator], by)
    x = sums[numerator].to_numpy(dtype=float)
    n = sums[denominator].to_numpy(dtype=float)
    return by, sums, x, n


def _assemble(sums, by, x, n, value, limits, levels, method, multiplier, note, extra=None):
    out = pd.DataFrame({b: sums[b].to_numpy() for b in by})
    out["numerator"] = x
    out["denominator"] = n
    out["value"] = value
    for (level, lo, hi), (lower, upper) in zip(ci_columns(levels), limits):
        out[lo] = lower
        out[hi] = upper
    out["confidence"] = confidence_label(levels)
    out["method"] = method
    out["multiplier"] = multiplier
    for k, v in (extra or {}).items():
        out[k] = v
    out["note"] = note
    return out


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
    by, sums, x, n = _count_inputs(data, numerator, denominator, by, what)
    bad_den = ~(n > 0)
    bad_num = (x < 0) | (x > n)
    bad = bad_den | bad_num | np.isnan(x)
    size = len(x)
    note = join_notes(
        missing_notes(sums, [numerator, denominator]),
        note_where(bad_den & ~np.isnan(n), "denominator is 0 or negative: no proportion", size),
        note_where((x < 0), "numerator is negative", size),
        note_where((x > n) & (n > 0), "numerator is larger than the denominator: not a proportion", size),
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
    by, sums, x, n = _count_inputs(data, numerator, denominator, by, what)
    bad_den = ~(n > 0)
    bad = bad_den | np.isnan(x) | (x < 0)
    size = len(x)
    note = join_notes(
        missing_notes(sums, [numerator, denominator]),
        note_where(bad_den & ~np.isnan(n), "population is 0 or negative: no rate", size),
        note_where(x < 0, "number of events is negative", size),
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(bad, np.nan, x / n * multiplier)
        limits = []
        method = None
        for level in levels:
            lo, hi, method = poisson_interval(x, level)
            limits.append((np.where(bad, np.nan, lo / n * multiplier),
                           np.where(bad, np.nan, hi / n * multiplier)))
    method = np.where(np.isnan(x), None, method)
    out = _assemble(sums, by, x, n, value, limits, levels, method, multiplier, note)
    return carry(out, data)
