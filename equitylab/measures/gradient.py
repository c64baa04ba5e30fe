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

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy import special

from ..errors import DataError
from ..provenance import carry
from ._common import as_list, ci_columns, confidence_levels, numeric, require_columns

_WHAT = "sii"


# PHE derives standard errors from confidence limits assuming they are 95% limits (always)
_Z95 = special.ndtri(0.975)
# draws held in memory at once (floats) per buffer while simulating; two buffers are in use
_CHUNK = 2_000_000


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
        res = _heat(table, levels, multiplier=float(multiplier))
        method_text = "WHO HEAT (logistic regression, HC1 delta method)"

    out = groups.copy()
    for key, arr in res.items():
        out[key] = arr
    out["quantiles"] = n_q
    out["method"] = method_text
    out["confidence"] = levels[0] if len(levels) == 1 else ", ".join(f"{lv:g}" for lv in levels)
    out["note"] = table["note"]
    bad = np.array([bool(n) for n in table["note"]])
    for col in res:
        out.loc[bad, col] = np.nan
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
            if value_type == 2:
                outside = (lo < 0) | (lo > 1) | (hi < 0) | (hi > 1)
                if outside.any():
                    raise DataError("sii: confidence limits of a proportion must lie between 0 and 1",
                                    column=lower_ci, rows=(np.flatnonzero(outside) + 1).tolist())
            s = (link(hi) - link(lo)) / (2 * _Z95)
        else:
            s = np.zeros_like(y)
        ylink = link(y)

    frame = pd.DataFrame({"_q": data[quantile].to_numpy(), "_y": ylink, "_s": s, "_n": pop})
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
    for key in ("_y", "_s", "_n"):
        a = np.full(shape, np.nan)
        a[gid, qid] = frame[key].to_numpy(dtype=float)
        arrays[key] = a
    notes = []
    for g in range(shape[0]):
        missing = [labels[j] for j in range(shape[1])
                   if not (np.isfinite(arrays["_y"][g, j]) and np.isfinite(arrays["_s"][g, j])
                           and arrays["_n"][g, j] > 0)]
        if missing:
            shown = ", ".join(str(m) for m in missing[:10])
            notes.append(f"not calculated: quantile(s) {shown} missing, with no population or with no "
                         "value/standard error; the SII needs every quantile")
        else:
            notes.append("")
    table = {"y": arrays["_y"], "s": arrays["_s"], "n": arrays["_n"], "note": notes}
    if not by:
        groups = pd.DataFrame(index=[0])
    return table, groups, labels


def _ranks(n: np.ndarray):
    """Population shares and midpoint relative ranks per row (PHE FindXValues / HEAT midPointProp)."""
    p = n / n.sum(axis=1, keepdims=True)
    x = np.cumsum(p, axis=1) - p / 2
    return p, x


def _wls_weights(n: np.ndarray):
    """Rows of the linear maps y -> intercept and y -> slope of the population-weighted fit.

    With weights p (summing to 1) the weighted mean rank is exactly 1/2, so the slope is
    sum(p (x - 1/2) y) / sum(p (x - 1/2)^2) and the intercept is the weighted mean minus half
    the slope.
    """
    p, x = _ranks(n)
    dx = x - 0.5
    sxx = (p * dx * dx).sum(axis=1, keepdims=True)
    c1 = p * dx / sxx
    c0 = p - c1 / 2
    return c0, c1


def _positions(reps: int, level: float):
    # 1-based positions as PHE takes them from the sorted draws; R and numpy both round half to even
    lo = int(np.round(reps * (1 - level) / 2))
    hi = int(np.round(reps * (1 + level) / 2))
    return max(lo, 1) - 1, min(hi, reps) - 1


def _order_stats(a: np.ndarray, kth: list[int]) -> np.ndarray:
    """Exact order statistics ``np.partition(a, kth, axis=1)[:, kth]``, found without sorting whole rows.

    The wanted order statistics are in the tails (confidence limits). A pilot of the first few thousand
    draws of each row (the draws are independent, so any subset is a random sample) gives a threshold a
    little beyond each one; one comparison pass keeps the draws on the tail side of it, and only those
    few are partitioned. A row whose threshold falls short (rare) is partitioned in full, so the answer
    is always exact.
    """
    g, reps = a.shape
    m = min(reps, 5000)
    pilot = np.sort(a[:, :m], axis=1)
    out = np.empty((g, len(kth)))
    for j, k in enumerate(kth):
        p = (k + 1) / reps
        delta = 6 * np.sqrt(p * (1 - p) / m) + 2 / m
        if p <= 0.5:
            idx = int(np.ceil((p + delta) * (m - 1)))
            if idx > m - 1:
                out[:, j] = np.partition(a, k, axis=1)[:, k]
                continue
            mask = a <= pilot[:, idx, None]
            offset = np.zeros(g, dtype=np.int64)
        else:
            idx = int(np.floor((p - delta) * (m - 1)))
            if idx < 0:
                out[:, j] = np.partition(a, k, axis=1)[:, k]
                continue
            mask = a >= pilot[:, idx, None]
        count = np.count_nonzero(mask, axis=1)
        if p > 0.5:
            offset = reps - count  # draws below the kept tail
        kept = a[mask]
        ends = np.cumsum(count)
        for i in range(g):
            r = k - offset[i]
            if 0 <= r < count[i]:
                band = kept[ends[i] - count[i]:ends[i]]
                out[i, j] = np.partition(band, r)[r]
            else:
                out[i, j] = np.partition(a[i], k)[k]
    return out


def _normal_chunks(rng, count: int, step: int, shape: tuple[int, ...]):
    """Standard normal draws for ``count`` groups, ``step`` groups at a time: (start, stop, draws).

    The next chunk is drawn on a second thread while the caller works on this one (numpy releases
    the GIL in both), from the same generator in the same order, so the numbers are exactly those
    of drawing each chunk in turn.
    """
    starts = list(range(0, count, step))
    bufs = [np.empty((min(step, count), *shape)) for _ in range(min(2, len(starts)))]

    def fill(i):
        z = bufs[i % len(bufs)][:min(step, count - starts[i])]
        rng.standard_normal(out=z)
        return z

    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(fill, 0)
        for i, start in enumerate(starts):
            z = pending.result()
            if i + 1 < len(starts):
                pending = pool.submit(fill, i + 1)
            yield start, start + z.shape[0], z


def _phe(table, levels, *, value_type, multiplier, transform, reps, seed):
    y, s, n = table["y"], table["s"], table["n"]
    ok = np.array([not note for note in table["note"]])
    G = y.shape[0]
    res = {"sii": np.full(G, np.nan), "rii": np.full(G, np.nan), "intercept": np.full(G, np.nan)}
    cols = ci_columns(levels, "sii_") + [(lv, lo.replace("sii_", "rii_"), hi.replace("sii_", "rii_"))
                                         for lv, lo, hi in ci_columns(levels, "sii_")]
    for _, lo, hi in cols:
        res[lo] = np.full(G, np.nan)
        res[hi] = np.full(G, np.nan)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return res
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    c0, c1 = _wls_weights(n[idx])
    pos = [_positions(reps, lv) for lv in levels]
    kth = sorted({k for pair in pos for k in pair})
    neg = multiplier < 0
    inv = {1: np.exp, 2: special.expit}.get(value_type)

    if value_type == 0 or transform:
        yl = y[idx]
        b0 = (c0 * yl).sum(axis=1)
        b1 = (c1 * yl).sum(axis=1)
        # exact covariance of (b0, b1): both are linear in the independent normal values
        v00 = (c0 * c0 * s[idx] ** 2).sum(axis=1)
        v01 = (c0 * c1 * s[idx] ** 2).sum(axis=1)
        v11 = (c1 * c1 * s[idx] ** 2).sum(axis=1)
        sii_draw_q = np.empty((idx.size, len(kth)))
        rii_draw_q = np.empty((idx.size, len(kth)))
        step = max(1, _CHUNK // (2 * reps))
        for start, stop, z in _normal_chunks(rng, idx.size, step, (2, reps)):
            u, v = z[:, 0, :], z[:, 1, :]
            # slope = b1 + sd1 * u exactly, so its order statistics are those of u, shifted and scaled
            sd1 = np.sqrt(v11[start:stop])
            if transform:
                sii_draw_q[start:stop] = b1[start:stop, None] + sd1[:, None] * _order_stats(u, kth)
                continue
            # with a negative multiplier the k-th smallest SII comes from the k-th largest slope
            kth_u = [reps - 1 - k for k in kth] if neg else kth
            uq = _order_stats(u, kth_u)
            sii_draw_q[start:stop] = (b1[start:stop, None] + sd1[:, None] * uq) * multiplier
            # intercept = b0 + (cov / sd1) u + sqrt(v00 - cov^2 / v11) v, built in place in v
            with np.errstate(divide="ignore", invalid="ignore"):
                a_u = np.where(sd1 > 0, v01[start:stop] / sd1, 0.0)
            c_v = np.sqrt(np.maximum(v00[start:stop] - a_u ** 2, 0.0))
            v *= c_v[:, None]
            v += b0[start:stop, None]
            v += a_u[:, None] * u
            u *= sd1[:, None]
            u += b1[start:stop, None]
            # RII = 1 + b1 / b0 (monotone in b1 / b0), or its inverse b0 / (b0 + b1) for a negative multiplier
            if neg:
                u += v
                np.divide(v, u, out=u)
                rii_draw_q[start:stop] = _order_stats(u, kth)
            else:
                np.divide(u, v, out=u)
                rii_draw_q[start:stop] = 1.0 + _order_stats(u, kth)
        kpos = {k: i for i, k in enumerate(kth)}
        if transform:
            half = b0 + b1 / 2
            top, bottom = inv(b0 + b1), inv(b0)
            res["sii"][idx] = (top - bottom) * multiplier
            res["rii"][idx] = bottom / top if neg else top / bottom
            res["intercept"][idx] = bottom * abs(multiplier)
            for (lv, slo, shi), (klo, khi) in zip(ci_columns(levels, "sii_"), pos):
                ends = []
                for k in (klo, khi):
                    sl = sii_draw_q[:, kpos[k]]
                    x1, x0 = inv(half + sl / 2), inv(half - sl / 2)
                    ends.append(((x1 - x0) * multiplier, x0 / x1 if neg else x1 / x0))
                (s_a, r_a), (s_b, r_b) = ends
                if neg:  # a negative multiplier turns the upper slope limit into the lower SII limit
                    s_a, s_b, r_a, r_b = s_b, s_a, r_a, r_b
                rlo, rhi = slo.replace("sii_", "rii_"), shi.replace("sii_", "rii_")
                res[slo][idx], res[shi][idx] = s_a, s_b
                res[rlo][idx], res[rhi][idx] = np.minimum(r_a, r_b), np.maximum(r_a, r_b)
            return res
        res["sii"][idx] = b1 * multiplier
        res["rii"][idx] = b0 / (b0 + b1) if neg else (b0 + b1) / b0
        res["intercept"][idx] = b0
    else:
        # log/logit scale without transform: back-transform each simulated quantile value, refit
        yl, sl = y[idx], s[idx]
        natural = inv(yl)
        b0 = (c0 * natural).sum(axis=1)
        b1 = (c1 * natural).sum(axis=1)
        res["sii"][idx] = b1 * multiplier
        res["rii"][idx] = b0 / (b0 + b1) if neg else (b0 + b1) / b0
        res["intercept"][idx] = b0
        n_q = yl.shape[1]
        sii_draw_q = np.empty((idx.size, len(kth)))
        rii_draw_q = np.empty((idx.size, len(kth)))
        step = max(1, _CHUNK // (n_q * reps))
        # The back-transform and refit run in single precision: its rounding (about 1e-7 relative) is
        # far below the Monte Carlo error of the limits, and numpy vectorises float32 exp on more
        # processors than float64 (with AVX2 alone, float64 exp runs one value at a time).
        work = np.empty((min(step, idx.size), n_q, reps), dtype=np.float32)
        fit32 = np.empty((min(step, idx.size), 2, reps), dtype=np.float32)
        fit = np.empty((min(step, idx.size), 2, reps))
        coef = np.stack([c0, c1], axis=1).astype(np.float32)  # (G, 2, Q)
        for start, stop, z in _normal_chunks(rng, idx.size, step, (n_q, reps)):
            g = stop - start
            w = work[:g]
            with np.errstate(over="ignore"):
                if value_type == 1:
                    np.multiply(z, sl[start:stop, :, None], out=w, casting="same_kind")
                    w += yl[start:stop, :, None]
                    np.exp(w, out=w)
                else:  # inverse logit as 1 / (1 + exp(-x)); an overflow gives exactly 0
                    np.multiply(z, -sl[start:stop, :, None], out=w, casting="same_kind")
                    w -= yl[start:stop, :, None]
                    np.exp(w, out=w)
                    w += 1
                    np.reciprocal(w, out=w)
            # (g, 2, reps): intercept and slope of every refit. einsum rather than matmul: OpenBLAS would
            # start threads that spin between these small products and take the core the draws run on.
            np.einsum("gkq,gqr->gkr", coef[start:stop], w, out=fit32[:g])
            f = fit[:g]
            f[...] = fit32[:g]
            d0, d1 = f[:, 0, :], f[:, 1, :]
            # scaling is monotone, so take order statistics first (mirrored for a negative multiplier)
            kth_d = [reps - 1 - k for k in kth] if neg else kth
            sii_draw_q[start:stop] = _order_stats(d1, kth_d) * multiplier
            if neg:
                d1 += d0
                np.divide(d0, d1, out=d1)
                rii_draw_q[start:stop] = _order_stats(d1, kth)
            else:
                np.divide(d1, d0, out=d1)
                rii_draw_q[start:stop] = 1.0 + _order_stats(d1, kth)
        kpos = {k: i for i, k in enumerate(kth)}
    for (lv, slo, shi), (klo, khi) in zip(ci_columns(levels, "sii_"), pos):
        rlo, rhi = slo.replace("sii_", "rii_"), shi.replace("sii_", "rii_")
        res[slo][idx] = sii_draw_q[:, kpos[klo]]
        res[shi][idx] = sii_draw_q[:, kpos[khi]]
        res[rlo][idx] = rii_draw_q[:, kpos[klo]]
        res[rhi][idx] = rii_draw_q[:, kpos[khi]]
    return res


def _heat(table, levels, *, multiplier):
    """WHO HEAT logistic SII/RII for every complete group at once (batched IRLS, HC1, delta method)."""
    y, n = table["y"], table["n"]
    ok = np.array([not note for note in table["note"]])
    G = y.shape[0]
    res = {"sii": np.full(G, np.nan), "rii": np.full(G, np.nan), "intercept": np.full(G, np.nan)}
    for _, lo, hi in ci_columns(levels, "sii_"):
        for col in (lo, hi, lo.replace("sii_", "rii_"), hi.replace("sii_", "rii_")):
            res[col] = np.full(G, np.nan)
    res["sii_se"] = np.full(G, np.nan)
    res["rii_log_se"] = np.full(G, np.nan)
    idx = np.flatnonzero(ok)
    if idx.size == 0:
        return res
    scale = abs(multiplier)
    pop = np.ceil(n[idx])
    counts = np.round(y[idx] / scale * pop)
    bad = (counts > pop).any(axis=1)
    for g in idx[bad]:
        table["note"][g] = "not calculated: a value is above the multiplier scale (more events than people)"
    _, x = _ranks(pop)
    prop = counts / pop
    w = pop * pop  # prior weights (population) times the binomial totals (population), as R's glm does
    X = np.stack([np.ones_like(x), x], axis=2)  # (G, Q, 2)
    beta = np.zeros((len(idx), 2))
    mean = np.clip((w * prop).sum(axis=1) / w.sum(axis=1), 1e-10, 1 - 1e-10)
    beta[:, 0] = special.logit(mean)
    for _ in range(100):
        eta = beta[:, :1] + beta[:, 1:] * x
        pi = special.expit(eta)
        ww = w * pi * (1 - pi)
        score = np.einsum("gq,gqk->gk", w * (prop - pi), X)
        info = np.einsum("gq,gqk,gql->gkl", ww, X, X)
        step = np.linalg.solve(info, score[..., None])[..., 0]
        beta += step
        if np.all(np.abs(step) < 1e-12 * (1 + np.abs(beta))):
            break
    eta = beta[:, :1] + beta[:, 1:] * x
    pi = special.expit(eta)
    info = np.einsum("gq,gqk,gql->gkl", w * pi * (1 - pi), X, X)
    bread = np.linalg.inv(info)
    u = (w * (prop - pi))[..., None] * X
    meat = np.einsum("gqk,gql->gkl", u, u)
    q = x.shape[1]
    vcov = bread @ meat @ bread * q / (q - 2)  # HC1: small-sample factor n / (n - k)
    p0, p1 = special.expit(beta[:, 0]), special.expit(beta[:, 0] + beta[:, 1])
    d = p1 - p0
    grad_d = np.stack([p1 * (1 - p1) - p0 * (1 - p0), p1 * (1 - p1)], axis=1)
    se_d = np.sqrt(np.einsum("gk,gkl,gl->g", grad_d, vcov, grad_d))
    lr = np.log(p1) - np.log(p0)
    grad_r = np.stack([p0 - p1, 1 - p1], axis=1)
    se_r = np.sqrt(np.einsum("gk,gkl,gl->g", grad_r, vcov, grad_r))
    sign = -1.0 if multiplier < 0 else 1.0
    res["sii"][idx] = sign * d * scale
    res["rii"][idx] = np.exp(sign * lr)
    res["intercept"][idx] = p0 * scale
    res["sii_se"][idx] = se_d * scale
    res["rii_log_se"][idx] = se_r
    for lv, slo, shi in ci_columns(levels, "sii_"):
        z = special.ndtri(0.5 + lv / 2)
        res[slo][idx] = sign * d * scale - z * se_d * scale
        res[shi][idx] = sign * d * scale + z * se_d * scale
        res[slo.replace("sii_", "rii_")][idx] = np.exp(sign * lr - z * se_r)
        res[shi.replace("sii_", "rii_")][idx] = np.exp(sign * lr + z * se_r)
    return res
