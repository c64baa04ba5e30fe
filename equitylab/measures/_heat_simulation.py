"""The simulation intervals of the HEAT summary measures that have no analytic variance (BGSD, COV,
MDMU, MDMW, MDBU, MDBW, MDRU, MDRW, IDISU, IDISW): draws, the measures on each draw, and a
bias-corrected percentile interval that is reported only when it contains its own estimate."""
from __future__ import annotations

import numpy as np
from scipy import special

SIMULATED = ("BGSD", "COV", "MDMU", "MDMW", "MDBU", "MDBW", "MDRU", "MDRW", "IDISU", "IDISW")
NEAR_EQUAL = "the groups are too close to equal for a simulated interval"


def truncated_draws(rng: np.random.Generator, y: np.ndarray, s: np.ndarray, sims: int, upper: float) -> np.ndarray:
    """Normal draws around each estimate (sims x subgroups), redrawn until inside [0, upper] (HEAT's rule)."""
    draws = y + s * rng.standard_normal((sims, len(y)))
    for _ in range(1000):
        bad = (draws < 0) | (draws > upper)
        if not bad.any():
            break
        cols = np.nonzero(bad)[1]
        draws[bad] = y[cols] + s[cols] * rng.standard_normal(cols.size)
    return np.clip(draws, 0, upper)


def simulated_measures(Y: np.ndarray, p: np.ndarray, favourable: bool, ref: int | None) -> dict[str, np.ndarray]:
    """The simulation-interval measures for each row of Y (draws x subgroups); the average and the best
    subgroup are recomputed in every row. COV and IDIS* are NaN where the average is 0."""
    mu = Y @ p
    dev = np.abs(Y - mu[:, None])
    best = Y.max(axis=1) if favourable else Y.min(axis=1)
    dbest = np.abs(Y - best[:, None])
    bgsd = np.sqrt(((Y - mu[:, None]) ** 2) @ p)
    out = {"BGSD": bgsd, "MDMU": dev.mean(axis=1), "MDMW": dev @ p,
           "MDBU": dbest.mean(axis=1), "MDBW": dbest @ p}
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(mu > 0, 100 / mu, np.nan)
    out["COV"] = bgsd * relative
    out["IDISU"] = out["MDMU"] * relative
    out["IDISW"] = out["MDMW"] * relative
    if ref is not None:
        dref = np.abs(Y - Y[:, [ref]])
        out["MDRU"], out["MDRW"] = dref.mean(axis=1), dref @ p
    return out


def bias_corrected_interval(estimate: float, draws: np.ndarray, levels: list[float]):
    """Bias-corrected percentile limits (Efron 1981) per level, or NaN limits and the reason.

    z0 = Phi^-1(share of draws below the estimate, ties counted half); the limits are the draws'
    quantiles at Phi(2 z0 -/+ z). They contain the estimate exactly when the estimate lies within the
    central ``level`` of its own draws, which fails when the groups are (nearly) equal: every draw of
    a spread measure then lies above an estimate of (nearly) 0, and no simulated interval is valid.
    Where a level's limits would not contain the estimate, they are NaN and the note says why.
    """
    draws = draws[np.isfinite(draws)]
    if draws.size == 0:
        return [(np.nan, np.nan)] * len(levels), "no interval: the simulated values are not numbers"
    tie = np.abs(draws - estimate) <= 1e-12 * max(1.0, abs(estimate))
    share = ((draws < estimate) & ~tie).mean() + 0.5 * tie.mean()
    z0 = special.ndtri(share) if 0 < share < 1 else np.nan
    limits, failed = [], []
    for level in levels:
        z = special.ndtri(0.5 + level / 2)
        if np.isnan(z0):
            lo = hi = np.nan
        else:
            lo, hi = np.quantile(draws, special.ndtr([2 * z0 - z, 2 * z0 + z]))
            slack = 1e-12 * max(1.0, abs(estimate))
            if not (lo - slack <= estimate <= hi + slack):
                lo = hi = np.nan
        if np.isnan(lo):
            failed.append(level)
        limits.append((lo, hi))
    if not failed:
        return limits, ""
    which = "" if len(levels) == 1 else " " + ", ".join(f"{lv * 100:.10g}%" for lv in failed)
    return limits, f"no valid{which} interval: {NEAR_EQUAL}"
