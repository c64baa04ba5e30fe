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
from ._common import as_list, ci_columns, confidence_levels, numeric, require_columns


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


# Rows handled at a time when adding up a large extract: small enough that each block's
# integer codes stay in the CPU cache instead of making 80 MB arrays per pass.
_BLOCK = 1 << 17


def _coder(values):
    """How to turn one grouping column into sorted integer codes (missing last).

    Returns ``(codes_of, uniques)``: ``codes_of(i, j)`` gives a fresh ``np.intp`` array of the
    codes of rows i..j-1, so a large extract can be coded a block at a time."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        # category order is the order analysts chose (e.g. deciles, age bands); no sorting pass
        cats = s.cat.categories
        small = s.array.codes
        uniques = pd.Categorical.from_codes(np.r_[np.arange(len(cats)), -1], dtype=dtype)
        k = len(cats)

        def categorical(i, j):
            c = small[i:j].astype(np.intp)
            np.putmask(c, c < 0, k)
            return c
        return categorical, uniques
    if pd.api.types.is_integer_dtype(dtype) and len(s):
        masked = isinstance(dtype, pd.api.extensions.ExtensionDtype)
        na = s.isna().to_numpy() if masked else None
        if na is not None and not na.any():
            na = None
        if na is None or not na.all():
            raw = s.to_numpy(dtype=dtype.numpy_dtype, na_value=0) if masked else s.to_numpy()
            present = raw if na is None else raw[~na]
            lo, hi = int(present.min()), int(present.max())
            if hi - lo < 1_000_000:
                uniques = pd.array(np.r_[np.arange(lo, hi + 1), np.nan], dtype="Float64")
                uniques = pd.array(uniques, dtype=dtype if masked else "Int64")

                def offsets(i, j):
                    c = raw[i:j].astype(np.intp)
                    if lo:
                        c -= lo
                    if na is not None:
                        c[na[i:j]] = hi - lo + 1
                    return c
                return offsets, uniques
    codes, uniques = pd.factorize(s, sort=True, use_na_sentinel=False)
    codes = codes.astype(np.intp, copy=False)
    return (lambda i, j: codes[i:j].copy()), uniques


def _factorize(values) -> tuple[np.ndarray, object]:
    """Sorted codes (missing last, as ``np.intp``) and the distinct values of one column."""
    codes_of, uniques = _coder(values)
    return codes_of(0, len(values)), uniques


def _combined_coder(data, by: list[str]):
    """Codes over every combination of the ``by`` columns' distinct values (many unused):
    ``(codes_of(i, j), uniques per column, sizes)``."""
    coders, uniques, sizes = [], [], []
    for col in by:
        f, u = _coder(data[col])
        coders.append(f)
        uniques.append(u)
        sizes.append(len(u))

    def codes_of(i, j):
        codes = coders[0](i, j)
        for f, size in zip(coders[1:], sizes[1:]):
            codes *= size
            codes += f(i, j)
        return codes
    return codes_of, uniques, sizes


def _full_codes(data, by: list[str]):
    codes_of, uniques, sizes = _combined_coder(data, by)
    return codes_of(0, len(data[by[0]])), uniques, sizes


def _keys(by, uniques, sizes, present) -> pd.DataFrame:
    positions = np.unravel_index(np.asarray(present, dtype=np.int64), sizes)
    return pd.DataFrame({col: pd.Series(u).take(pos).reset_index(drop=True)
                         for col, u, pos in zip(by, uniques, positions)})


def group_codes(data, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """An integer group code per row (0..k-1, in sorted order of the ``by`` values, missing
    values last) and the frame of the k distinct keys. ``data`` is a DataFrame or a dict of
    columns. Faster than ``groupby().ngroup()`` on the categorical columns of a large extract."""
    if not by:
        first = next(iter(data.values())) if isinstance(data, dict) else data.index
        return np.zeros(len(first), dtype=np.int64), pd.DataFrame(index=[0])
    codes, uniques, sizes = _full_codes(data, by)
    space = int(np.prod(sizes, dtype=np.float64))
    if space <= 20_000_000:
        present = np.flatnonzero(np.bincount(codes, minlength=space))
        if len(present) < space:
            remap = np.zeros(space, dtype=np.intp)
            remap[present] = np.arange(len(present))
            codes = remap[codes]
    else:
        codes, present = pd.factorize(codes, sort=True)
    return codes.astype(np.intp, copy=False), _keys(by, uniques, sizes, present)


def _values_and_missing(values):
    """A summable numpy array and a mask of missing values (None when nothing is missing).
    Missing booleans and whole numbers are filled with False/0 in the array."""
    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.api.extensions.ExtensionArray):
        dtype = values.dtype
        if isinstance(dtype, pd.api.extensions.ExtensionDtype) and \
                (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype)):
            missing = np.asarray(values.isna())
            fill = False if pd.api.types.is_bool_dtype(dtype) else 0
            arr = values.to_numpy(dtype=dtype.numpy_dtype, na_value=fill)
            return arr, (missing if missing.any() else None)
        values = values.to_numpy(dtype="float64", na_value=np.nan)
    arr = np.asarray(values)
    if arr.dtype.kind not in "biuf":
        arr = arr.astype(float)
    if arr.dtype.kind == "f":
        missing = np.isnan(arr)
        return arr, (missing if missing.any() else None)
    return arr, None


def _sum_by(codes, arr, missing, k, counts):
    """Total of ``arr`` per code (missing rows left out), over all rows at once."""
    if missing is not None:
        keep = ~missing
        codes, arr = codes[keep], arr[keep]
        counts = None
    if arr.dtype.kind == "b":
        return np.bincount(codes[arr], minlength=k).astype(float)
    if arr.dtype.kind in "iu" and len(arr):
        lo, hi = arr.min(), arr.max()
        if lo == hi:
            if counts is None:
                counts = np.bincount(codes, minlength=k)
            return counts * float(lo)
    return np.bincount(codes, weights=np.asarray(arr, dtype=float), minlength=k)


def _block_sums(codes_of, n, k, columns):
    """Rows per code and, for each (array, missing) column of booleans or whole numbers, its
    total and count of missing rows per code, a block of rows at a time.

    Whole-number totals are exact in any order (below 2**53), so they equal the totals
    over all rows at once. A column holding one value everywhere (the column of 1s that
    row-level data uses as a denominator) is that value times the rows."""
    counts = np.zeros(k, dtype=np.int64)
    totals = [np.zeros(k) for _ in columns]
    n_missing = [np.zeros(k, dtype=np.int64) for _ in columns]
    plans = []
    for arr, missing in columns:
        if arr.dtype.kind == "b":
            plans.append("bool")
        elif missing is None and len(arr) and arr.min() == arr.max():
            plans.append("same")
        else:
            plans.append("number")
    for i in range(0, n, _BLOCK):
        j = min(i + _BLOCK, n)
        codes = codes_of(i, j)
        counted = False
        for t, (arr, missing), plan, miss in zip(totals, columns, plans, n_missing):
            if plan == "same":
                continue
            block = arr[i:j]
            gone = missing[i:j] if missing is not None else None
            if gone is not None and not gone.any():
                gone = None
            if gone is not None:
                miss += np.bincount(codes[gone], minlength=k)
            if plan == "bool":
                # one count over (code, value) pairs gives the rows and the trues together
                pair = codes << 1
                pair += block
                both = np.bincount(pair, minlength=2 * k)
                t += both[1::2]
                if not counted:
                    counts += both[0::2]
                    counts += both[1::2]
                    counted = True
            else:
                keep = codes if gone is None else codes[~gone]
                values = block if gone is None else block[~gone]
                t += np.bincount(keep, weights=values.astype(float), minlength=k)
        if not counted:
            counts += np.bincount(codes, minlength=k)
    for t, (arr, _), plan in zip(totals, columns, plans):
        if plan == "same":
            t += counts * float(arr[0])
    return counts, totals, n_missing


def group_sums(data, columns: list[str], by: list[str]) -> pd.DataFrame:
    """Sum ``columns`` within each group of ``by`` (one row if ``by`` is empty).

    ``data`` is a DataFrame or a dict of columns (numbers, booleans, or pandas nullable
    columns). A group with any missing value in a column gets NaN for that column (as R's
    ``sum``) and the count of missing rows in ``_missing_<column>``.
    """
    values = [_values_and_missing(data[c]) for c in columns]
    if by:
        codes_of, uniques, sizes = _combined_coder(data, by)
        n = len(data[by[0]])
        space = int(np.prod(sizes, dtype=np.float64))
        # small key spaces: add up over every combination, then keep the groups with rows
        # (no per-row remapping of the codes)
        if space <= max(1 << 16, n) and all(a.dtype.kind in "biu" for a, _ in values):
            counts, totals, n_missing = _block_sums(codes_of, n, space, values)
            present = np.flatnonzero(counts)
            cols = dict(_keys(by, uniques, sizes, present).items())
            for c, total, miss in zip(columns, totals, n_missing):
                cols[c] = np.where(miss[present] > 0, np.nan, total[present])
                cols[f"_missing_{c}"] = miss[present]
            return pd.DataFrame(cols, index=pd.RangeIndex(len(present)))  # one constructor call (see _assemble)
    codes, keys = group_codes(data, by)
    k = len(keys)
    cols = dict(keys.items())
    for c, (arr, missing) in zip(columns, values):
        total = _sum_by(codes, arr, missing, k, None)
        if missing is not None:
            n_missing = np.bincount(codes[missing], minlength=k).astype(np.int64)
        else:
            n_missing = np.zeros(k, dtype=np.int64)
        cols[c] = np.where(n_missing > 0, np.nan, total)
        cols[f"_missing_{c}"] = n_missing
    return pd.DataFrame(cols, index=keys.index)


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
    """The column as it is when it already holds numbers or booleans (``group_sums`` adds
    those up without a float copy), else ``numeric``'s checked float array."""
    col = data[column]
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype) or (pd.api.types.is_numeric_dtype(dtype)
                                              and not isinstance(dtype, pd.CategoricalDtype)):
        return col.array
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
    # one constructor call: adding columns one at a time costs about 1 ms each in pandas 3
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
