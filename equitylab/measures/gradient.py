"""Slope and relative index of inequality (SII, RII) across deprivation quantiles.

Two published families are offered and named explicitly, because they give different numbers
on the same data:

- ``method="phe"`` (default): the method behind Fingertips and the PHEindicatormethods R package
  (``phe_sii``): a weighted least-squares line through the quantile values, placed at the midpoint
  of each quantile's share of the cumulative population (Low and Low 2004), with Monte Carlo
  confidence intervals.
- ``method="heat"``: WHO HEAT / healthequal: a logistic regression on the same relative ranks,
  with delta-method intervals from a heteroskedasticity-consistent (HC1) covariance.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..errors import DataError
from ..provenance import carry
from ._common import as_list, ci_columns, confidence_levels, numeric, require_columns
from ._sii_heat import heat_fit
from ._sii_phe import phe_fit

_WHAT = "sii"


# PHE derives standard errors from confidence limits assuming they are 95% limits (always)
_Z95 = special.ndtri(0.975)


def sii(data: pd.DataFrame, *, quantile: str, value: str, population: str, se: str | None = None,
        lower_ci: str | None = None, upper_ci: str | None = None, value_type: int = 0,
        multiplier: float = 1, transform: bool = False, reps: int = 100_000, seed=None,
        confidence=0.95, method: str = "phe", by=None) -> pd.DataFrame:
    """Slope index of inequality (SII) and relative index of inequality (RII) by deprivation quantile.

    The SII is the absolute gap in the indicator between the most and the least deprived ends of
    the population, estimated from a straight line through every quantile (not just the two
    extremes): fitted value at relative rank 1 (least deprived) minus fitted value at rank 0
    (most deprived), in the indicator's units times ``multiplier``. A positive SII means the
    value is higher in less deprived places. The RII is the same gap as a ratio: fitted value at
    rank 1 divided by fitted value at rank 0 (1 = no gap). These describe a pattern; they do not
    say that deprivation causes it.

    Parameters
    ----------
    data : DataFrame
        One row per quantile (and per group when ``by`` is given): aggregated values, not
        patient records.
    quantile : str
        Column with the deprivation quantile, 1 = most deprived (Fingertips convention). Say in
        your write-up whether these are national or within-area deciles.
    value : str
        Column with the indicator value in each quantile. For ``value_type=2`` (a proportion)
        it must lie between 0 and 1; use ``multiplier=100`` to report percentage points.
    population : str
        Column with the population of each quantile (the regression weights).
    se : str, optional
        Column with the standard error of ``value``; for rates and proportions it must be on the
        log or logit scale, as PHE requires. Give either ``se`` or both ``lower_ci`` and
        ``upper_ci``.
    lower_ci, upper_ci : str, optional
        Columns with 95% confidence limits of ``value``, from which the standard error is derived
        (on the log/logit scale for rates/proportions), as PHE does (always assuming 95%).
    value_type : {0, 1, 2}
        0: a value simulated on its own scale (e.g. life expectancy); 1: a rate (simulated on the
        log scale); 2: a proportion (simulated on the logit scale).
    multiplier : float
        Scales the SII (e.g. 100 for percentage points). A negative multiplier reverses the sign of
        the SII and inverts the RII, as PHE does for indicators where lower is better.
    transform : bool
        Fit the line on the log (rates) or logit (proportions) scale and back-transform (PHE's
        option for curved gradients). Needs ``lower_ci``/``upper_ci``, not ``se``.
    reps : int
        Monte Carlo repetitions for the PHE intervals (PHE default 100 000; at least 1 000).
    seed : int or numpy.random.Generator, optional
        Fixes the random draws so the intervals repeat exactly.
    confidence : float or list of float
        Confidence level(s) for the SII/RII intervals, e.g. 0.95 or [0.95, 0.998].
    method : {"phe", "heat"}
        "phe": PHEindicatormethods ``phe_sii``. "heat": WHO HEAT logistic regression; then
        ``value`` is on the ``multiplier`` scale (e.g. a percentage with ``multiplier=100``),
        and ``se``/``value_type``/``transform``/``reps`` are not used.
    by : str or list of str, optional
        Column(s) giving one result per group (e.g. area).

    Returns
    -------
    DataFrame
        One row per group: the ``by`` columns, ``sii``, ``sii_lower_ci``, ``sii_upper_ci``,
        ``rii``, ``rii_lower_ci``, ``rii_upper_ci``, ``intercept`` (fitted value at rank 0, as
        PHE reports it), ``quantiles`` (number used), ``method``, ``confidence`` and ``note``.
        With several confidence levels the interval columns are suffixed, e.g.
        ``sii_lower_ci_95``, ``sii_upper_ci_99_8``. A group that lacks a quantile, or has a
        missing value, standard error or a zero population in one, gets NA and a ``note``.
        Provenance is carried from ``data``.

    Notes
    -----
    PHE method (Low and Low 2004; PHEindicatormethods ``phe_sii``): each quantile's relative rank
    is the midpoint of its share of the cumulative population, quantiles ordered from most to
    least deprived; the line ``value = b0 + b1 * rank`` is fitted by least squares weighted by
    population share. SII = ``b1 * multiplier``, RII = ``(b0 + b1) / b0``. Intervals: values
    are redrawn ``reps`` times from normal distributions (log/logit scale for rates and
    proportions) and the line refitted; the limits are the ordered draws at positions
    ``round(reps * (1 - confidence) / 2)`` and ``round(reps * (1 + confidence) / 2)``. On the
    identity scale (``value_type=0`` or ``transform=True``) the fitted coefficients are linear
    in the values, so they are drawn directly from their exact joint normal distribution (the
    same distribution PHE's refits sample). With ``transform=True`` the simulated slope limits
    are placed symmetrically about the fitted value at rank 1/2 and back-transformed, as PHE does.

    PHE's RII is the ratio of the fitted values at the two ends, not the SII divided by the mean
    (ScotPHO's definition).

    HEAT method (WHO Health Equity Assessment Toolkit; healthequal ``sii``/``rii``): counts
    ``round(value / multiplier * ceiling(population))`` are fitted by a logistic regression on
    the same ranks with population weights on top of the binomial totals (as R's ``glm`` does with
    ``cbind`` and ``weights``); SII = difference and RII = ratio of the predicted proportions at
    ranks 1 and 0, with delta-method standard errors from the HC1 sandwich covariance; the RII
    interval is formed on the log scale.
    """
    method = str(method).lower()
    if method not in ("phe", "heat"):
        raise DataError(f"method must be 'phe' or 'heat', not '{method}'",
                        hint="'phe' is the Fingertips method; 'heat' is the WHO HEAT logistic method")
    by = as_list(by)
    levels = confidence_levels(confidence)
    require_columns(data, [quantile, value, population, *by, se, lower_ci, upper_ci], what=_WHAT)
    if value_type not in (0, 1, 2):
        raise DataError(f"value_type must be 0 (any value), 1 (a rate) or 2 (a proportion), not {value_type}")
    if not np.isfinite(multiplier) or multiplier == 0:
        raise DataError("multiplier must be a non-zero number, e.g. 1, 100 or -1")

    if method == "phe":
        if se is None and (lower_ci is None or upper_ci is None):
            raise DataError("sii needs either a standard error column (se=) or both confidence limit "
                            "columns (lower_ci= and upper_ci=)",
                            hint="PHE's method simulates each value from its standard error")
        if transform and value_type == 0:
            raise DataError("transform=True needs value_type=1 (a rate) or 2 (a proportion)")
        if transform and (lower_ci is None or upper_ci is None):
            raise DataError("transform=True needs lower_ci= and upper_ci= columns (and no se=), as PHE does")
        if int(reps) < 1000:
            raise DataError(f"reps must be at least 1000 (PHE's default is 100000), not {reps}")

    table, groups, labels = _arrange(data, quantile=quantile, value=value, population=population, se=se,
                                     lower_ci=lower_ci, upper_ci=upper_ci, by=by, value_type=value_type,
                                     method=method)
    n_q = len(labels)
    if method == "phe" and not 5 <= n_q <= 100:
        raise DataError(f"PHE's SII needs between 5 and 100 quantiles, but '{quantile}' has {n_q}",
                        column=quantile, hint="Use quintiles (5) or deciles (10)")
    if method == "heat" and n_q < 3:
        raise DataError(f"the SII needs at least 3 ordered groups, but '{quantile}' has {n_q}", column=quantile)

    if method == "phe":
        res = _phe(table, levels, value_type=value_type, multiplier=float(multiplier), transform=bool(transform),
                   reps=int(reps), seed=seed)
        method_text = "PHE (Low & Low 2004, PHEindicatormethods phe_sii)" + (
            ", log scale" if transform and value_type == 1 else ", logit scale" if transform else "")
    else:
        res = heat_fit(table, levels, multiplier=float(multiplier))
        method_text = "WHO HEAT (logistic regression, HC1 delta method)"

    out = groups.copy()
    for key, arr in res.items():
        out[key] = arr
    out["quantiles"] = n_q
    out["method"] = method_text
    out["confidence"] = levels[0] if len(levels) == 1 else ", ".join(f"{lv:g}" for lv in levels)
    bad = np.array([bool(n) for n in table["note"]])
    for col in res:
        out.loc[bad, col] = np.nan
    # a value without a valid interval, or an RII that means nothing: those columns NA, the reason noted
    for g, blanks in enumerate(table["blank"]):
        for cols in blanks.values():
            if not bad[g]:
                out.iloc[g, [out.columns.get_loc(c) for c in cols]] = np.nan
    out["note"] = [note or "; ".join(blanks) for note, blanks in zip(table["note"], table["blank"])]
    return carry(out.reset_index(drop=True), data)


def _arrange(data, *, quantile, value, population, se, lower_ci, upper_ci, by, value_type, method):
    """Put the data into (group, quantile) arrays, quantile 1 (most deprived) first."""
    y = numeric(data, value, what=_WHAT)
    pop = numeric(data, population, what=_WHAT)
    if (pop < 0).any():
        rows = (np.flatnonzero(pop < 0) + 1).tolist()
        raise DataError("sii: population cannot be negative", column=population, rows=rows,
                        hint="Check the population column holds head counts")
    if value_type == 2 and method == "phe":
        outside = (y < 0) | (y > 1)
        if outside.any():
            raise DataError("sii: for a proportion (value_type=2) the values must lie between 0 and 1",
                            column=value, rows=(np.flatnonzero(outside) + 1).tolist(),
                            hint="Divide percentages by 100 and use multiplier=100 to report percentage points")
    if method == "heat" and (y < 0).any():
        raise DataError("sii (HEAT method): values cannot be negative", column=value,
                        rows=(np.flatnonzero(y < 0) + 1).tolist())

    link = {0: lambda v: v, 1: np.log, 2: special.logit}[value_type if method == "phe" else 0]
    with np.errstate(divide="ignore", invalid="ignore"):
        if se is not None and method == "phe":
            s = numeric(data, se, what=_WHAT)
            if (s < 0).any():
                raise DataError("sii: standard errors cannot be negative", column=se,
                                rows=(np.flatnonzero(s < 0) + 1).tolist())
        elif lower_ci is not None and upper_ci is not None and method == "phe":
            lo, hi = numeric(data, lower_ci, what=_WHAT), numeric(data, upper_ci, what=_WHAT)
            crossed = lo > hi
            if crossed.any():
                raise DataError(f"sii: a lower confidence limit is above its upper limit ('{lower_ci}' above "
                                f"'{upper_ci}')", column=lower_ci, rows=(np.flatnonzero(crossed) + 1).tolist(),
                                hint="Check that the two limit columns are not swapped")
            if value_type == 2:
                outside = (lo < 0) | (lo > 1) | (hi < 0) | (hi > 1)
                if outside.any():
                    raise DataError("sii: confidence limits of a proportion must lie between 0 and 1",
                                    column=lower_ci, rows=(np.flatnonzero(outside) + 1).tolist())
            s = (link(hi) - link(lo)) / (2 * _Z95)
        else:
            s = np.zeros_like(y)
        ylink = link(y)

    frame = pd.DataFrame({"_q": data[quantile].to_numpy(), "_y": ylink, "_s": s, "_n": pop, "_raw": y,
                          "_here": 1.0})
    for b in by:
        frame[b] = data[b].to_numpy()
    if frame["_q"].isna().any():
        rows = (np.flatnonzero(frame["_q"].isna().to_numpy()) + 1).tolist()
        raise DataError("sii: every row needs a quantile", column=quantile, rows=rows)
    labels = np.sort(frame["_q"].unique())
    dup = frame.duplicated(subset=[*by, "_q"], keep=False)
    if dup.any():
        raise DataError("sii: a quantile appears more than once in the same group", column=quantile,
                        rows=(np.flatnonzero(dup.to_numpy()) + 1).tolist(),
                        hint="Aggregate to one row per quantile (and per by= group) first")

    if by:
        groups = frame[by].drop_duplicates().sort_values(by, kind="stable").reset_index(drop=True)
        gid = groups.reset_index().merge(frame[by].reset_index(names="_row"), on=by, how="right")
        gid = gid.sort_values("_row")["index"].to_numpy()
    else:
        groups = pd.DataFrame(index=[0])
        gid = np.zeros(len(frame), dtype=int)
    qid = np.searchsorted(labels, frame["_q"].to_numpy())
    shape = (len(groups), len(labels))
    arrays = {}
    for key in ("_y", "_s", "_n", "_raw", "_here"):
        a = np.full(shape, np.nan)
        a[gid, qid] = frame[key].to_numpy(dtype=float)
        arrays[key] = a
    scale = "log" if value_type == 1 else "logit"
    zero = "a rate of 0" if value_type == 1 else "a proportion of 0 or 1"
    from_limits = se is None and method == "phe"
    reasons = {  # why a quantile cannot be used, in the order they are checked
        "missing": lambda y_, s_, n_, raw, here: np.isnan(here),
        "with no population": lambda y_, s_, n_, raw, here: ~(n_ > 0),
        "with no value": lambda y_, s_, n_, raw, here: np.isnan(raw),
        f"with {zero}, whose {scale} (the scale PHE's method works on) is undefined":
            lambda y_, s_, n_, raw, here: ~np.isfinite(y_),
        (f"with a confidence limit whose {scale} is undefined (a limit of 0{' or 1' if value_type == 2 else ''}),"
         " so no standard error" if from_limits else "with no standard error"):
            lambda y_, s_, n_, raw, here: ~np.isfinite(s_),
    }
    notes = []
    for g in range(shape[0]):
        used = np.zeros(shape[1], dtype=bool)
        parts = []
        for text, test in reasons.items():
            hit = test(*(arrays[k][g] for k in ("_y", "_s", "_n", "_raw", "_here"))) & ~used
            used |= hit
            if hit.any():
                shown = ", ".join(str(labels[j]) for j in np.flatnonzero(hit)[:10])
                parts.append(f"quantile{'s' if hit.sum() > 1 else ''} {shown} {text}")
        notes.append(f"not calculated: {'; '.join(parts)}; the SII needs every quantile" if parts else "")
    table = {"y": arrays["_y"], "s": arrays["_s"], "n": arrays["_n"], "note": notes,
             "blank": [{} for _ in range(shape[0])]}  # per group: note -> columns to leave blank
    if not by:
        groups = pd.DataFrame(index=[0])
    return table, groups, labels


def _phe(table, levels, *, value_type, multiplier, transform, reps, seed):
    """PHE's SII and RII with Monte Carlo limits, blanking an RII whose fitted line is not above 0 at
    both ends and any interval that does not contain its own estimate (with the reason)."""
    res = phe_fit(table, levels, value_type=value_type, multiplier=multiplier, transform=transform, reps=reps,
                   seed=seed)
    cols = ci_columns(levels, "sii_")
    ok = np.array([not note for note in table["note"]])
    with np.errstate(invalid="ignore"):
        if not transform:
            b0 = res["intercept"]
            b1 = res["sii"] / multiplier
            for g in np.flatnonzero(ok & ~((b0 > 0) & (b0 + b1 > 0))):
                table["blank"][g]["RII not calculated: the fitted line is at or below 0 at one end of the "
                                  "deprivation scale, so the ratio of its ends means nothing"] = \
                    ["rii"] + [c.replace("sii_", "rii_") for _, lo, hi in cols for c in (lo, hi)]
        for key in ("sii", "rii"):
            limits = [(lo.replace("sii_", key + "_"), hi.replace("sii_", key + "_")) for _, lo, hi in cols]
            est = res[key]
            outside = np.zeros(len(est), dtype=bool)
            for lo, hi in limits:
                slack = 1e-12 * np.abs(est)
                outside |= ~((res[lo] <= est + slack) & (est - slack <= res[hi]))
            for g in np.flatnonzero(ok & outside & np.isfinite(est)):
                table["blank"][g][f"no valid {key.upper()} interval: its simulated limits do not contain the "
                                  "estimate (the standard errors are too large for the percentile method)"] = \
                    [c for pair in limits for c in pair]
    return res
