"""Checks and small helpers shared by the measures (not public)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError


# Quantile functions computed as scipy.stats computes them, without importing it (0.7 s) and,
# where the standard library will do, without scipy at all (0.2 s in every report kernel).
def norm_ppf(q):
    """Standard normal quantile (``scipy.stats.norm.ppf``).

    A single probability goes through :class:`statistics.NormalDist` (Wichura's AS241, within
    1e-15 of scipy's ``ndtri``); arrays through ``scipy.special.ndtri``.
    """
    if np.ndim(q) == 0:
        q = float(q)
        if 0.0 < q < 1.0:
            from statistics import NormalDist

            return NormalDist().inv_cdf(q)
    from scipy import special

    return special.ndtri(q)


def chi2_ppf(q, df):
    """Chi-square quantile with ``df`` degrees of freedom (``scipy.stats.chi2.ppf``).

    Even degrees of freedom up to 100 (the exact Poisson interval for a count below 50) are
    solved here, in the standard library; anything else goes to ``scipy.special.gammaincinv``.
    """
    df = np.asarray(df, dtype=float)
    if (np.ndim(q) == 0 and 0.0 < float(q) < 1.0 and df.size <= 256
            and bool(np.all((df > 0) & (df <= 100) & (df % 2 == 0)))):
        out = np.array([2 * _gamma_ppf_whole(float(q), int(k)) for k in (df / 2).ravel()])
        return out.reshape(df.shape) if df.ndim else float(out[0])
    from scipy import special

    return 2 * special.gammaincinv(df / 2, q)


def _gamma_upper_whole(k: int, y: float) -> tuple[float, float]:
    """(P, Q) for the gamma distribution with whole-number shape ``k`` at ``y``: P = P(Y <= y).

    For a whole shape, Q is the Poisson probability of fewer than ``k`` events with mean ``y``,
    e^-y (1 + y + ... + y^(k-1)/(k-1)!), a finite sum (Abramowitz and Stegun 6.5.13, 26.4.21).
    Below the mode P is summed directly (its series converges fast there), so neither tail
    loses precision to cancellation.
    """
    import math

    if y < k:  # P = e^-y sum_{i>=k} y^i / i!, terms falling by y/(i+1) < 1
        term = math.exp(-y + k * math.log(y) - math.lgamma(k + 1))
        terms = [term]
        i = k
        while term > 1e-18 * terms[0]:
            i += 1
            term *= y / i
            terms.append(term)
        p = math.fsum(terms)
        return p, 1.0 - p
    term = math.exp(-y)
    terms = [term]
    for i in range(1, k):
        term *= y / i
        terms.append(term)
    q = math.fsum(terms)
    return 1.0 - q, q


def _gamma_ppf_whole(q: float, k: int) -> float:
    """Quantile ``q`` of the gamma distribution with whole-number shape ``k`` and scale 1.

    Newton's method on the finite Poisson sum of :func:`_gamma_upper_whole`, kept inside a
    bracket (bisection when a step leaves it), from the Wilson-Hilferty starting point; it
    stops when a step changes the answer by less than 1e-15 of it (scipy's ``gammaincinv``
    agrees to about 1e-14; see the tests).
    """
    import math
    from statistics import NormalDist

    z = NormalDist().inv_cdf(q)
    y = k * (1 - 1 / (9 * k) + z / (3 * math.sqrt(k))) ** 3
    if not y > 0:
        y = (q * math.gamma(k + 1)) ** (1 / k)  # lower tail: P ~ y^k / k!
    lo, hi = 0.0, math.inf
    for _ in range(200):
        p, upper = _gamma_upper_whole(k, y)
        # compare on the smaller tail, where the probability is held to full precision
        miss = p - q if q <= 0.5 else (1.0 - q) - upper
        if miss > 0:
            hi = y
        elif miss < 0:
            lo = y
        else:
            return y
        density = math.exp(-y + (k - 1) * math.log(y) - math.lgamma(k))
        step = miss / density
        new = y - step
        if not lo < new < hi:
            new = (lo + hi) / 2 if math.isfinite(hi) else 2 * y
        if abs(new - y) <= 1e-15 * y:
            return new
        y = new
    return y


def as_list(x) -> list:
    """``None`` -> [], a string -> [it], a sequence -> list(it)."""
    if x is None:
        return []
    if isinstance(x, str | bytes) or not isinstance(x, Sequence):
        return [x]
    return list(x)


def require_columns(data: pd.DataFrame, columns, *, what: str = "this measure") -> None:
    """Raise :class:`DataError` naming every column that ``data`` lacks."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what} needs a table (a pandas DataFrame), not {type(data).__name__}")
    missing = [c for c in as_list(columns) if c is not None and c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns[:20]))
        raise DataError(
            f"{what} needs a column named '{missing[0]}', which the table does not have",
            column=str(missing[0]),
            hint=f"The table's columns are: {have}",
        )


def numeric(data: pd.DataFrame, column: str, *, what: str = "this measure",
            allow_negative: bool = True) -> np.ndarray:
    """Column ``column`` as float64, with a :class:`DataError` naming rows that are not numbers."""
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1).tolist()
        raise DataError(f"{what}: '{column}' must hold numbers", column=column, rows=rows,
                        hint="Remove text such as '<5' or '*' and leave the cell blank instead")
    out = values.to_numpy(dtype="float64", na_value=np.nan)
    if not allow_negative and (out < 0).any():
        rows = (np.flatnonzero(out < 0) + 1).tolist()
        raise DataError(f"{what}: '{column}' cannot be negative", column=column, rows=rows)
    return out


def confidence_levels(confidence) -> list[float]:
    """Validate ``confidence`` (0.95, 0.998, 95, or a list of these) into fractions."""
    levels = []
    for c in as_list(confidence):
        c = float(c)
        if c > 1:
            c = c / 100
        if not 0 < c < 1:
            raise DataError(f"confidence must be between 0 and 1 (e.g. 0.95), not {c}")
        levels.append(c)
    if not levels:
        raise DataError("give at least one confidence level, e.g. confidence=0.95")
    return levels


def ci_suffix(level: float) -> str:
    """0.95 -> '95', 0.998 -> '99_8' (the column suffix used for several levels)."""
    text = f"{level * 100:.10g}"
    return text.replace(".", "_")


def ci_columns(levels: list[float], prefix: str = "") -> list[tuple[float, str, str]]:
    """(level, lower column, upper column) per level: plain names for one level."""
    if len(levels) == 1:
        return [(levels[0], f"{prefix}lower_ci", f"{prefix}upper_ci")]
    return [(lv, f"{prefix}lower_ci_{ci_suffix(lv)}", f"{prefix}upper_ci_{ci_suffix(lv)}") for lv in levels]
