"""Funnel-plot control limits and flags, as PHE/OHID draw them on Fingertips.

:func:`funnel_limits` returns the 95% and 99.8% limits around the overall average over a
grid of 100 denominators (proportions), observed counts (ratios) or event counts (rates);
:func:`funnel_significance` says which points lie outside them. Methods follow
PHEindicatormethods ``calculate_funnel_limits`` and ``assign_funnel_significance`` and the
PHE Technical Guide *Funnel plots* (after Spiegelhalter 2005).

The limits are not confidence intervals: they show how far a unit could lie from the
average by chance alone, given its size.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from ..errors import DataError
from ..provenance import carry
from ._common import numeric, require_columns
from .rates import exact_poisson_interval, poisson_interval

# PHE's two funnels: "2 sigma" (two-sided 95%) and "3 sigma" (two-sided 99.8%).
LEVELS = ((0.95, "95", 0.975), (0.998, "99_8", 0.999))


def _signif_floor(x: float, down: float = 0.95) -> float:
    if x == 0:
        return 0.0
    v = math.floor(x * down)
    p = len(str(int(v))) - 1
    return math.floor(x * down / 10 ** p) * 10 ** p


def _signif_ceiling(x: float, up: float = 1.05) -> float:
    if x == 0:
        return 0.0
    v = math.ceil(x * up)
    p = len(str(int(v))) - 2
    return math.ceil(x * up / 10.0 ** p) * 10.0 ** p


def _grid(axis_min: float, axis_max: float, offset: int, points: int = 100) -> np.ndarray:
    """Points spaced geometrically from max(1, axis_min) to axis_max, as PHE's funnels."""
    xs = [max(1.0, axis_min)]
    for j in range(2, points + 1):
        prev = xs[-1]
        step = (axis_max / prev) ** (1 / (points + 1 - (j - offset))) * prev
        xs.append(max(float(np.round(step)), prev + 1))
    return np.array(xs)


def wilson_funnel(p_one_sided: float, n, average: float):
    """Proportions at which a Wilson interval of denominator ``n`` just reaches ``average``.

    Returns (lower, upper) as fractions of 1; ``p_one_sided`` is 0.975 (95%) or 0.999 (99.8%).
    """
    n = np.asarray(n, dtype=float)
    q2 = special.ndtri(p_one_sided) ** 2
    first = average * (n / q2 + 1)
    disc = ((-8 * average * (n / q2 + 1)) ** 2
            - 64 * (1 / q2 + 1 / n) * average * (n * (average * (n / q2 + 2) - 1) + q2 * (average - 1)))
    root = np.sqrt(np.maximum(disc, 0))
    last = 1 / q2 + 1 / n
    return (first - root / 8) / last / n, (first + root / 8) / last / n


def poisson_funnel(observed, tail: float):
    """Expected counts for which ``observed`` sits exactly at the one-sided ``tail`` probability.

    Returns (high, low): the larger expected value (chi2(1 - tail; 2O + 2) / 2) and the smaller
    one (chi2(tail; 2O) / 2), the ends of the exact Poisson interval at level 1 - 2 ``tail``.
    """
    low, high = exact_poisson_interval(observed, 1 - 2 * tail)
    return high, low


def _derived_denominator(data, numerator, denominator, value, multiplier, rate_type, what):
    x = numeric(data, numerator, what=what)
    if np.isnan(x).any():
        raise DataError(f"{what}: every row needs a number of events (0 if none)", column=numerator,
                        rows=(np.flatnonzero(np.isnan(x)) + 1).tolist())
    r = numeric(data, value, what=what)
    den = numeric(data, denominator, what=what) if denominator is not None else None
    with np.errstate(invalid="ignore", divide="ignore"):
        derived = multiplier * x / r
    if rate_type == "dsr":
        derived = np.where(x == 0, np.nan, derived)
    elif rate_type == "crude":
        if (x == 0).any():
            if den is None or (~(den[x == 0] > 0)).any():
                raise DataError(f"{what}: rows with 0 events need a population in denominator=",
                                column=denominator or numerator,
                                rows=(np.flatnonzero(x == 0) + 1).tolist())
            derived = np.where(x == 0, den, derived)
    else:
        raise DataError(f"{what}: rate_type must be 'dsr' or 'crude', not {rate_type!r}")
    if np.isnan(derived[x > 0]).any() if rate_type == "dsr" else np.isnan(derived).any():
        raise DataError(f"{what}: every row with events needs a rate", column=value)
    return x, derived


def funnel_limits(data: pd.DataFrame, numerator: str, denominator: str | None = None, *,
                  statistic: str = "proportion", multiplier: float | None = None,
                  value: str | None = None, rate_type: str = "dsr", ratio_type: str = "isr",
                  years_of_data: float = 1, points: int = 100) -> pd.DataFrame:
    """Funnel-plot limits at 95% and 99.8% around the overall average, over a grid of sizes.

    Parameters
    ----------
    data : DataFrame
        One row per unit (area, practice, team).
    numerator : str
        Events (proportion: people with the outcome; ratio: observed; rate: events).
    denominator : str, optional
        Proportion: the denominator. Ratio: the expected count. Rate: the population, needed
        only for rows with 0 events (crude rates).
    statistic : {"proportion", "ratio", "rate"}
    multiplier : float, optional
        Proportion: 100 for % (default). Ratio: 100 for an ISR/SMR where 100 = as expected
        (default). Rate: e.g. 100,000 (required).
    value : str, optional
        Rate only: the column of each unit's rate (crude or DSR) per ``multiplier``.
    rate_type : {"dsr", "crude"}
        Rate only. For DSRs the population is derived from events / rate; units with 0 events
        are left out of the average.
    ratio_type : {"isr", "count"}
        Ratio only: "isr" gives observed/expected x ``multiplier``; "count" gives
        observed/expected - 1 (the relative excess), as PHE.
    years_of_data : float
        Rate only: years pooled, to report the population for one year.
    points : int
        Number of grid points (PHE uses 100).

    Returns
    -------
    DataFrame
        One row per grid point: the size column (``denominator`` for proportions,
        ``observed`` for ratios, ``events`` for rates), ``baseline`` (the overall average;
        proportions and rates), ``lower_limit_95``, ``upper_limit_95``,
        ``lower_limit_99_8``, ``upper_limit_99_8``, plus the expected counts at the limits
        (ratios: ``expected_lower_95`` ...) or populations per year (rates:
        ``population_lower_95`` ...), and ``statistic``, ``method``.

    Notes
    -----
    Proportions: the limits are where a Wilson score interval of that denominator would just
    touch the average (Newcombe 1998; PHE Technical Guide). Ratios and rates: exact Poisson
    limits from the chi-square distribution. The grid and axis ends follow
    PHEindicatormethods ``calculate_funnel_limits``. One difference: PHE clips proportion
    limits at 100 whatever the multiplier; here they are clipped at 1 x ``multiplier``.
    """
    what = "funnel_limits()"
    if statistic not in ("proportion", "ratio", "rate"):
        raise DataError(f"{what}: statistic must be 'proportion', 'ratio' or 'rate', not {statistic!r}")
    if statistic == "rate":
        if value is None or multiplier is None:
            raise DataError(f"{what}: rates need value= (the column of rates) and multiplier= (e.g. 100000)")
        require_columns(data, [numerator, value] + ([denominator] if denominator else []), what=what)
        x, den = _derived_denominator(data, numerator, denominator, value, multiplier, rate_type, what)
    else:
        if denominator is None:
            raise DataError(f"{what}: {statistic}s need denominator= "
                            + ("(the expected count)" if statistic == "ratio" else "(the denominator)"))
        require_columns(data, [numerator, denominator], what=what)
        x = numeric(data, numerator, what=what)
        den = numeric(data, denominator, what=what)
        if statistic == "proportion" and (np.isnan(x).any() or np.isnan(den).any()):
            raise DataError(f"{what}: every row needs a numerator and a denominator (0 if none)",
                            column=numerator if np.isnan(x).any() else denominator)
        if multiplier is None:
            multiplier = 100
    if ratio_type not in ("isr", "count"):
        raise DataError(f"{what}: ratio_type must be 'isr' or 'count', not {ratio_type!r}")
    with np.errstate(invalid="ignore"):
        average = np.nansum(x) / np.nansum(den)
        dmin, dmax = np.nanmin(den), np.nanmax(den)
    if dmax > 2 * dmin:
        axis_min = 0.0
    elif statistic == "rate":
        axis_min = _signif_floor(dmin / years_of_data) * years_of_data
    else:
        axis_min = _signif_floor(dmin)
    if statistic == "rate":
        axis_max = _signif_ceiling(dmax / years_of_data) * years_of_data
        axis_min, axis_max = math.floor(axis_min * average), math.ceil(axis_max * average)
    else:
        axis_max = _signif_ceiling(dmax)
    grid = _grid(axis_min, axis_max, offset=1 if statistic == "ratio" else 0, points=points)

    if statistic == "proportion":
        out = pd.DataFrame({"denominator": grid})
        for _, sfx, p in LEVELS:
            lo, hi = wilson_funnel(p, grid, average)
            out[f"lower_limit_{sfx}"] = np.maximum(0, lo * multiplier)
            out[f"upper_limit_{sfx}"] = np.minimum(multiplier, hi * multiplier)
        out["baseline"] = average * multiplier
        out["statistic"] = f"proportion (x {multiplier:g})"
        out["method"] = "Wilson"
    elif statistic == "ratio":
        out = pd.DataFrame({"observed": grid})
        for level, sfx, p in LEVELS:
            high, low = poisson_funnel(grid, 1 - p)
            out[f"expected_lower_{sfx}"] = high
            out[f"expected_upper_{sfx}"] = low
            lower, upper = grid / high, grid / low
            if ratio_type == "count":
                lower, upper = lower - 1, upper - 1
            else:
                lower, upper = lower * multiplier, upper * multiplier
            out[f"lower_limit_{sfx}"] = lower
            out[f"upper_limit_{sfx}"] = upper
        out["statistic"] = f"ratio ({ratio_type})"
        out["method"] = "Poisson"
    else:
        out = pd.DataFrame({"events": grid})
        for level, sfx, p in LEVELS:
            high, low = poisson_funnel(grid, 1 - p)
            pop_low, pop_high = high / average, low / average
            out[f"population_lower_{sfx}"] = pop_low / years_of_data
            out[f"lower_limit_{sfx}"] = grid / pop_low * multiplier
            out[f"population_upper_{sfx}"] = pop_high / years_of_data
            out[f"upper_limit_{sfx}"] = grid / pop_high * multiplier
        out["baseline"] = average * multiplier
        out["statistic"] = f"rate ({rate_type} per {multiplier:,.0f})"
        out["method"] = "Poisson"
    out.attrs["average"] = float(average)
    return carry(out, data)


def funnel_significance(data: pd.DataFrame, numerator: str, denominator: str | None = None, *,
                        statistic: str = "proportion", value: str | None = None,
                        rate_type: str = "dsr", multiplier: float | None = None) -> pd.DataFrame:
    """Flag each unit against the funnel: above or below the 95% or 99.8% limits.

    Parameters are as :func:`funnel_limits`. Returns a copy of ``data`` with a
    ``significance`` column: "High (0.001)" (above the 99.8% limit), "High (0.025)" (above
    the 95% limit), "Low (0.001)", "Low (0.025)", "Not significant", or for DSRs with fewer
    than 10 events "Not applicable for events less than 10 for dsrs" (PHE's labels).

    Notes
    -----
    Proportions: the unit's value against the Wilson-based limits at its own denominator.
    Ratios: the exact (below 10) or Byar interval of the observed count divided by the
    expected count, against 1. Rates: the same interval divided by the population, against
    the overall average (PHEindicatormethods ``assign_funnel_significance``).
    """
    what = "funnel_significance()"
    if statistic == "rate":
        if value is None or multiplier is None:
            raise DataError(f"{what}: rates need value= (the column of rates) and multiplier= (e.g. 100000)")
        require_columns(data, [numerator, value] + ([denominator] if denominator else []), what=what)
        x, den = _derived_denominator(data, numerator, denominator, value, multiplier, rate_type, what)
        target = np.nansum(x) / np.nansum(den)
    elif statistic in ("proportion", "ratio"):
        if denominator is None:
            raise DataError(f"{what}: {statistic}s need denominator=")
        require_columns(data, [numerator, denominator], what=what)
        x = numeric(data, numerator, what=what)
        den = numeric(data, denominator, what=what)
        target = 1.0
    else:
        raise DataError(f"{what}: statistic must be 'proportion', 'ratio' or 'rate', not {statistic!r}")
    if (x < 0).any():
        raise DataError(f"{what}: numerators cannot be negative", column=numerator,
                        rows=(np.flatnonzero(x < 0) + 1).tolist())
    label = np.full(len(x), "Not significant", dtype=object)
    with np.errstate(invalid="ignore", divide="ignore"):
        if statistic == "proportion":
            if (x > den).any():
                raise DataError(f"{what}: a numerator is larger than its denominator", column=numerator,
                                rows=(np.flatnonzero(x > den) + 1).tolist())
            average = np.nansum(x) / np.nansum(den)
            share = x / den
            lo95, hi95 = wilson_funnel(0.975, den, average)
            lo998, hi998 = wilson_funnel(0.999, den, average)
            # first match wins, in PHE's order
            conds = [(share < lo998, "Low (0.001)"), (share < lo95, "Low (0.025)"),
                     (share > hi998, "High (0.001)"), (share > hi95, "High (0.025)")]
        else:
            l998, u998, _ = poisson_interval(x, 0.998)
            l95, u95, _ = poisson_interval(x, 0.95)
            l998 = np.where(x == 0, 0, l998) / den
            l95 = np.where(x == 0, 0, l95) / den
            u998, u95 = u998 / den, u95 / den
            conds = [(target < l998, "High (0.001)"), (target < l95, "High (0.025)"),
                     (target > u998, "Low (0.001)"), (target > u95, "Low (0.025)")]
        chosen = np.zeros(len(x), dtype=bool)
        for cond, text in conds:
            pick = np.asarray(cond) & ~chosen
            label[pick] = text
            chosen |= pick
    if statistic == "rate" and rate_type == "dsr":
        label[x < 10] = "Not applicable for events less than 10 for dsrs"
    out = data.copy()
    out["significance"] = label
    return carry(out, data)
