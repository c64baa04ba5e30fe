"""One group's series analysed: limits by phase, the rules that fired, each point's verdict, and the
summary's variation and assurance words (NHS England Making Data Count; IHI and Anhøj run rules)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _rules
from ._limits import phase_limits
from .result import (
    ASSURANCE_TEXT,
    ASTRONOMICAL,
    SMALL_COUNT,
    TRIAL_POINTS,
    VARIATION_TEXT,
)


def phase_numbers(xs: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Phase 1, 2, ... for each x: a new phase begins at each start value."""
    if starts.size == 0:
        return np.ones(xs.size, int)
    return 1 + np.searchsorted(np.sort(starts), xs, side="right")


def put(idx, flagged, direction, rule, mask, label, dirs) -> None:
    """Mark points ``idx[mask]`` with ``label`` unless an earlier (higher-precedence) rule did."""
    hit = idx[mask]
    new = hit[~flagged[hit]]
    rule[new] = label
    direction[new] = dirs[np.isin(hit, new)]
    flagged[new] = True


def point_types(direction: np.ndarray, improvement: str) -> np.ndarray:
    out = np.full(direction.size, "common_cause", dtype=object)
    if improvement == "neutral":
        out[direction > 0] = "neutral_high"
        out[direction < 0] = "neutral_low"
    else:
        d = direction * (1 if improvement == "increase" else -1)
        out[d > 0] = "improvement"
        out[d < 0] = "concern"
    return out


def variation(point_type: str, direction: int) -> str:
    if point_type == "common_cause" or direction == 0:
        return "common_cause"
    if point_type.startswith("neutral"):
        return point_type
    return f"{point_type}_{'high' if direction > 0 else 'low'}"


def assurance(target, lower, upper, improvement) -> str | None:
    if target is None or improvement == "neutral" or not np.isfinite(target):
        return None
    if target > upper:
        return "fail" if improvement == "increase" else "pass"
    if target < lower:
        return "pass" if improvement == "increase" else "fail"
    return "inconsistent"


def analyse(
    frame: pd.DataFrame,
    *,
    chart: str | None,
    rules: _rules.RuleSet,
    freeze,
    phase_starts,
    exclude_mask,
    screen_mr: bool,
    improvement: str,
    target,
    multiplier: float,
):
    """Per-point flags and per-phase summary for every group (the engine of both charts)."""
    groups = frame["group"].to_numpy()
    xs = frame["x"].to_numpy()
    y_all = frame["y"].to_numpy(float)
    num_all = frame["numerator"].to_numpy(float)
    n_all = frame["n"].to_numpy(float)
    size = len(frame)
    cols = {
        k: np.full(size, np.nan)
        for k in ("centre", "lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma")
    }
    y_plot = y_all.copy()
    phase = phase_numbers(xs, phase_starts)
    baseline = np.zeros(size, bool)
    sigma = np.zeros(size, bool)
    flagged = np.zeros(size, bool)
    direction = np.zeros(size, int)
    rule = np.full(size, "", dtype=object)
    point_type = np.full(size, "common_cause", dtype=object)
    astro_all = np.zeros(size, bool)
    summaries = []

    # rows are sorted by group then x, so each group/phase is a contiguous slice
    gcode = pd.factorize(groups, sort=False)[0]
    bounds = np.flatnonzero((np.diff(gcode) != 0) | (np.diff(phase) != 0)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [size]))
    for lo, hi in zip(starts, ends, strict=True):
        sl = slice(lo, hi)
        m = hi - lo
        pos = np.arange(m)
        incl = ~exclude_mask[sl]
        base = (pos < freeze) if freeze else np.ones(m, bool)
        baseline[sl] = base
        y = y_all[sl]
        if chart is None:  # run chart: median of the baseline points
            b = base & incl
            centre = np.median(y[b]) if b.any() else np.nan
            lim = {"centre": np.full(m, centre), "y": y}
        else:
            lim = phase_limits(chart, y, num_all[sl], n_all[sl], base & incl, screen_mr)
            for k in ("lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma"):
                cols[k][sl] = lim[k]
        cols["centre"][sl] = lim["centre"]
        y = lim["y"]
        y_plot[sl] = y
        cl = lim["centre"]
        valid = ~np.isnan(y)
        with np.errstate(invalid="ignore"):
            out = (y > lim["upper_limit"]) | (y < lim["lower_limit"]) if chart else np.zeros(m, bool)
        if chart:  # a point on a limit, up to floating-point rounding, is not outside it
            out &= ~(
                np.isclose(y, lim["upper_limit"], rtol=1e-12, atol=0)
                | np.isclose(y, lim["lower_limit"], rtol=1e-12, atol=0)
            )
        out &= valid
        sigma[sl] = out
        side_all = np.sign(y - cl)
        side_all[~valid | np.isclose(y, cl, rtol=1e-12, atol=0)] = 0  # on the centre, up to rounding

        # runs, trends and 2-of-3 on the included points only, in order
        use = incl & valid
        idx = np.flatnonzero(use)
        yi, si = y[idx], side_all[idx]
        runs = _rules.anhoej(yi, cl[idx])
        f = np.zeros(m, bool)
        d = np.zeros(m, int)
        r = np.full(m, "", dtype=object)

        astronomical = np.zeros(m, bool)
        if chart is not None:
            hit = np.flatnonzero(out)
            r[hit] = "outside the limits"
            d[hit] = side_all[hit].astype(int)
            f[hit] = True
        if chart == "mr":
            pass  # no runs analysis on a moving range chart (as qicharts2)
        elif rules.name == "mdc":
            tr, tdir = _rules.trends(yi, rules.trend, skip_ties=False)
            put(idx, f, d, r, tr, f"trend of {rules.trend}", tdir[tr])
            with np.errstate(invalid="ignore"):
                u2, l2 = lim["upper_2sigma"], lim["lower_2sigma"]
                beyond = (
                    ((y > u2) & ~np.isclose(y, u2, rtol=1e-12, atol=0))
                    | ((y < l2) & ~np.isclose(y, l2, rtol=1e-12, atol=0))
                )[idx]
            close = beyond if rules.two_of_three == "2023" else beyond & ~out[idx]
            tt = _rules.two_of_three(close, si)
            put(idx, f, d, r, tt, "2 of 3 beyond 2 sigma", si[tt].astype(int))
            sh = _rules.long_runs(si, rules.shift, skip_zero=False)
            put(idx, f, d, r, sh, f"run of {rules.shift}", si[sh].astype(int))
        elif rules.name == "ihi":
            sh = _rules.long_runs(si, rules.shift, skip_zero=True)
            put(idx, f, d, r, sh, f"shift of {rules.shift}", si[sh].astype(int))
            tr, tdir = _rules.trends(yi, rules.trend, skip_ties=True)
            put(idx, f, d, r, tr, f"trend of {rules.trend}", tdir[tr])
            if chart is None and yi.size >= 3:
                mr = np.abs(np.diff(yi))
                spread = ASTRONOMICAL * np.median(mr)
                astronomical[idx] = (np.abs(yi - cl[idx]) > spread) & (spread > 0)
                new = astronomical & ~f
                r[new] = "astronomical? (judge)"
        elif rules.name == "anhoej" and runs["n_useful"] and runs["longest_run"] > runs["longest_run_max"]:
            lr = _rules.long_runs(si, runs["longest_run_max"] + 1, skip_zero=True)
            put(idx, f, d, r, lr, "long run", si[lr].astype(int))
        flagged[sl], direction[sl], rule[sl] = f, d, r
        astro_all[sl] = astronomical
        pt = point_types(np.where(f, d, 0), improvement)
        point_type[sl] = pt

        if chart == "mr":
            runs_signal = False  # qicharts2 reports but ignores runs on a moving range chart
        elif rules.name == "anhoej":
            runs_signal = runs["anhoej_signal"]
        else:
            lower, upper = _rules.ihi_runs_limits(runs["n_useful"])
            few_many = rules.name == "ihi" and bool(
                np.isfinite(lower) and (runs["runs"] < lower or runs["runs"] > upper)
            )
            runs_signal = bool((f & ~out).any() or few_many)
        lower_runs, upper_runs = (
            _rules.ihi_runs_limits(runs["n_useful"]) if chart != "mr" else (np.nan, np.nan)
        )
        n_base = int((base & incl & valid).sum())
        summaries.append(
            {
                "group": groups[lo],
                "phase": int(phase[lo]),
                "start": xs[lo],
                "end": xs[hi - 1],
                "n_points": int(m),
                "n_baseline": n_base,
                "trial_limits": n_base < TRIAL_POINTS,
                "centre": float(np.nanmean(lim["centre"])) if np.isfinite(lim["centre"]).any() else np.nan,
                "lower_limit": float(np.nanmean(lim["lower_limit"])) if chart else np.nan,
                "upper_limit": float(np.nanmean(lim["upper_limit"])) if chart else np.nan,
                "n_useful": runs["n_useful"],
                "longest_run": runs["longest_run"],
                "longest_run_max": runs["longest_run_max"],
                "crossings": runs["crossings"],
                "crossings_min": runs["crossings_min"],
                "runs": runs["runs"],
                "runs_lower": lower_runs,
                "runs_upper": upper_runs,
                "runs_signal": bool(runs_signal),
                "sigma_signals": int(out.sum()),
                "astronomical": int(astronomical.sum()),
                "sigma_z": float(lim.get("sigma_z", np.nan)) if chart in ("pp", "up") else np.nan,
                "common_cause": int((pt == "common_cause").sum()),
                "improvement": int((pt == "improvement").sum()),
                "concern": int((pt == "concern").sum()),
                "neutral": int(np.char.startswith(pt.astype(str), "neutral").sum()),
                "variation": variation(pt[-1], int(d[-1]) if f[-1] else 0),
            }
        )

    small = np.zeros(size, bool)
    for v in (num_all, n_all):
        small |= (v >= SMALL_COUNT[0]) & (v <= SMALL_COUNT[1])
    points = pd.DataFrame(
        {
            "group": groups,
            "x": frame["x"],
            "y": y_plot * multiplier,
            "n": n_all,
            "numerator": num_all,
            "phase": phase,
            **{k: v * multiplier for k, v in cols.items()},
            "baseline": baseline,
            "excluded": exclude_mask,
            "sigma_signal": sigma,
            "signal": flagged,
            "rule": rule,
            "direction": np.where(flagged, direction, 0),
            "point_type": point_type,
            "astronomical": astro_all,
            "small_number": small,
        }
    ).reset_index(drop=True)

    summary = pd.DataFrame(summaries)
    for k in ("centre", "lower_limit", "upper_limit"):
        summary[k] = summary[k] * multiplier
    summary["variation_text"] = summary["variation"].map(VARIATION_TEXT)
    targets = target if isinstance(target, dict) else {g: target for g in summary["group"].unique()}
    summary["target"] = summary["group"].map(
        lambda g: np.nan if targets.get(g) is None else float(targets[g])
    )
    is_last = summary["phase"] == summary.groupby("group")["phase"].transform("max")
    summary["assurance"] = [
        assurance(None if np.isnan(t) else t, lo, up, improvement) if (last_ and chart) else None
        for t, lo, up, last_ in zip(
            summary["target"], summary["lower_limit"], summary["upper_limit"], is_last, strict=True
        )
    ]
    summary["assurance_text"] = summary["assurance"].map(ASSURANCE_TEXT)
    return points, summary
