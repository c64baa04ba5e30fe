"""Centre lines and control limits for one phase of one series (numpy only).

Each function takes the plotted values of a phase and a mask of the points that set the
limits (the baseline points that are not excluded), and returns per-point arrays.
Formulas: Montgomery (2009) as implemented in qicharts2, Laney (2002) for P' and U',
and NHS England "Making Data Count" for the XmR chart (2.66 times the mean moving range).
"""

from __future__ import annotations

import numpy as np

D2 = 1.128  # d2 for moving ranges of two points
MDC_LIMIT = 2.66  # 3 / d2 rounded, as the Making Data Count tools use
MR_SCREEN = 3.267  # D4 for n = 2: moving ranges above this times their mean are screened out

CHARTS = {
    "xmr": "XmR chart (Making Data Count: mean, limits at 2.66 times the mean moving range)",
    "i": "I chart (individuals, limits at 3 sigma from the mean moving range)",
    "mr": "moving range chart",
    "p": "P chart (proportions)",
    "pp": "Laney P′ chart (proportions, adjusted for between-period variation)",
    "u": "U chart (rates)",
    "up": "Laney U′ chart (rates, adjusted for between-period variation)",
    "c": "C chart (counts)",
    "g": "G chart (opportunities between events)",
    "t": "T chart (time between events)",
}
NEEDS_N = {"p", "pp", "u", "up"}
NO_N = {"c", "g", "t"}


def mean_moving_range(values: np.ndarray, screen: bool) -> float:
    """Mean of the absolute differences of consecutive values; optionally screened once.

    Screening drops moving ranges of 3.267 times their mean or more and recomputes the mean
    once (Nelson 1982), as NHSRplotthedots and qicharts2 do.
    """
    mr = np.abs(np.diff(np.asarray(values, float)))
    mr = mr[~np.isnan(mr)]
    if mr.size == 0:
        return np.nan
    amr = mr.mean()
    if screen:
        kept = mr[mr < MR_SCREEN * amr]
        amr = kept.mean() if kept.size else np.nan
    return float(amr)


def _band(centre, sigma, lower_floor=None, upper_cap=None):
    out = {
        "centre": centre,
        "lower_limit": centre - 3 * sigma,
        "upper_limit": centre + 3 * sigma,
        "lower_2sigma": centre - 2 * sigma,
        "upper_2sigma": centre + 2 * sigma,
    }
    for key in ("lower_limit", "lower_2sigma"):
        if lower_floor is not None:
            out[key] = np.maximum(out[key], lower_floor)
    for key in ("upper_limit", "upper_2sigma"):
        if upper_cap is not None:
            out[key] = np.minimum(out[key], upper_cap)
    return out


def phase_limits(
    chart: str, y: np.ndarray, numerator: np.ndarray, n: np.ndarray, base: np.ndarray, screen: bool
) -> dict:
    """Centre, 3-sigma limits and 2-sigma lines for one phase.

    Parameters
    ----------
    chart : str
        One of :data:`CHARTS`.
    y : array
        Plotted values (y / n when there is a denominator).
    numerator, n : array
        Counts and denominators (NaN when not given).
    base : bool array
        Points that set the centre and limits (baseline and not excluded).
    screen : bool
        Screen moving ranges (XmR, I, T, P′ and U′ charts).

    Returns
    -------
    dict of arrays ``centre``, ``lower_limit``, ``upper_limit``, ``lower_2sigma``,
    ``upper_2sigma``, plus ``y`` (the plotted values, changed only by the MR chart) and
    ``sigma_z`` for Laney charts.
    """
    size = y.size
    ones = np.ones(size)
    out: dict
    if chart == "xmr":
        centre = np.mean(y[base]) if base.any() else np.nan
        amr = mean_moving_range(y[base], screen)
        out = {
            "centre": centre * ones,
            "lower_limit": (centre - MDC_LIMIT * amr) * ones,
            "upper_limit": (centre + MDC_LIMIT * amr) * ones,
            "lower_2sigma": (centre - 2 / 3 * MDC_LIMIT * amr) * ones,
            "upper_2sigma": (centre + 2 / 3 * MDC_LIMIT * amr) * ones,
        }
    elif chart in ("i", "t"):
        values = y ** (1 / 3.6) if chart == "t" else y
        centre = np.mean(values[base]) if base.any() else np.nan
        sigma = mean_moving_range(values[base], screen) / D2
        out = _band(centre * ones, sigma * ones)
        if chart == "t":
            with np.errstate(invalid="ignore"):
                for key, v in out.items():
                    back = np.where(v < 0, 0.0, v) ** 3.6
                    out[key] = back
    elif chart == "mr":
        mr = np.concatenate(([np.nan], np.abs(np.diff(y))))
        centre = np.nanmean(mr[base]) if np.isfinite(mr[base]).any() else np.nan
        out = {
            "centre": centre * ones,
            "lower_limit": 0 * ones,
            "upper_limit": MR_SCREEN * centre * ones,
            "lower_2sigma": 0 * ones,
            "upper_2sigma": MR_SCREEN / 3 * 2 * centre * ones,
            "y": mr,
        }
    elif chart in ("p", "pp", "u", "up"):
        centre = numerator[base].sum() / n[base].sum() if base.any() else np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            sigma = np.sqrt(centre * (1 - centre) / n) if chart in ("p", "pp") else np.sqrt(centre / n)
        sigma_z = np.nan
        if chart in ("pp", "up"):
            z = (y[base] - centre) / sigma[base]
            sigma_z = mean_moving_range(z, screen) / D2
            sigma = sigma * sigma_z
        cap = 1.0 if chart in ("p", "pp") else None
        out = _band(centre * ones, sigma, lower_floor=0.0, upper_cap=cap)
        out["sigma_z"] = sigma_z
    elif chart == "c":
        centre = np.mean(y[base]) if base.any() else np.nan
        out = _band(centre * ones, np.sqrt(centre) * ones, lower_floor=0.0)
    elif chart == "g":
        m = np.mean(y[base]) if base.any() else np.nan
        out = _band(m * ones, np.sqrt(m * (m + 1)) * ones, lower_floor=0.0)
        # limits from the geometric mean, centre line at the median (qicharts2, Provost & Murray)
        out["centre"] = np.median(y[base]) * ones if base.any() else np.nan * ones
    else:  # pragma: no cover - checked by the caller
        raise ValueError(chart)
    out.setdefault("y", y)
    return out
