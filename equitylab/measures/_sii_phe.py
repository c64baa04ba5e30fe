"""The PHE SII's Monte Carlo engine (PHEindicatormethods ``phe_sii``): population-weighted least squares
on midpoint ranks, the refits of ``reps`` redrawn values, and exact order statistics of their draws."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import special

from ._common import ci_columns

# draws held in memory at once (floats) per buffer while simulating; two buffers are in use
_CHUNK = 2_000_000


def ranks(n: np.ndarray):
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
    p, x = ranks(n)
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


def _rii_order_stats(b0, b1, kth, neg: bool):
    """Order statistics ``kth`` of the RII draws: 1 + b1 / b0 (monotone in b1 / b0), or its inverse
    b0 / (b0 + b1) for a negative multiplier. Overwrites ``b1``, a scratch buffer of the caller's."""
    if neg:
        b1 += b0
        np.divide(b0, b1, out=b1)
        return _order_stats(b1, kth)
    np.divide(b1, b0, out=b1)
    return 1.0 + _order_stats(b1, kth)


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


def phe_fit(table, levels, *, value_type, multiplier, transform, reps, seed):
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
            rii_draw_q[start:stop] = _rii_order_stats(v, u, kth, neg)
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
            rii_draw_q[start:stop] = _rii_order_stats(d0, d1, kth, neg)
        kpos = {k: i for i, k in enumerate(kth)}
    for (lv, slo, shi), (klo, khi) in zip(ci_columns(levels, "sii_"), pos):
        rlo, rhi = slo.replace("sii_", "rii_"), shi.replace("sii_", "rii_")
        res[slo][idx] = sii_draw_q[:, kpos[klo]]
        res[shi][idx] = sii_draw_q[:, kpos[khi]]
        res[rlo][idx] = rii_draw_q[:, kpos[klo]]
        res[rhi][idx] = rii_draw_q[:, kpos[khi]]
    return res
