"""The WHO HEAT SII and RII (healthequal ``sii``/``rii``): a logistic regression of counts on midpoint
ranks, fitted for many groups at once, with HC1 delta-method intervals."""
from __future__ import annotations

import numpy as np
from scipy import special

from ._common import ci_columns
from ._sii_phe import ranks


def heat_fit(table, levels, *, multiplier):
    """WHO HEAT logistic SII/RII for every complete group at once (batched IRLS, HC1, delta method)."""
    y, n = table["y"], table["n"]
    G = y.shape[0]
    res = {"sii": np.full(G, np.nan), "rii": np.full(G, np.nan), "intercept": np.full(G, np.nan)}
    ci_cols = []
    for _, lo, hi in ci_columns(levels, "sii_"):
        ci_cols += [lo, hi, lo.replace("sii_", "rii_"), hi.replace("sii_", "rii_")]
    for col in ci_cols:
        res[col] = np.full(G, np.nan)
    res["sii_se"] = np.full(G, np.nan)
    res["rii_log_se"] = np.full(G, np.nan)
    scale = abs(multiplier)
    with np.errstate(invalid="ignore"):
        pop = np.ceil(n)
        counts = np.round(y / scale * pop)
    for g in np.flatnonzero((counts > pop).any(axis=1)):
        if not table["note"][g]:
            table["note"][g] = "not calculated: a value is above the multiplier scale (more events than people)"
    with np.errstate(invalid="ignore", divide="ignore"):
        prop = counts / pop
    same = np.ptp(prop, axis=1) == 0
    for g in np.flatnonzero(same & ((prop == 0) | (prop == 1)).all(axis=1)):
        if not table["note"][g]:
            table["note"][g] = ("not calculated: every quantile has a value of "
                                f"{'0' if prop[g, 0] == 0 else 'the full scale'}, so there is no gradient to fit "
                                "and the RII would be 0/0 (healthequal stops here too)")
    idx = np.flatnonzero([not note for note in table["note"]])
    if idx.size == 0:
        return res
    pop, prop = pop[idx], prop[idx]
    _, x = ranks(pop)
    w = pop * pop  # prior weights (population) times the binomial totals (population), as R's glm does
    X = np.stack([np.ones_like(x), x], axis=2)  # (G, Q, 2)
    beta = np.zeros((len(idx), 2))
    mean = np.clip((w * prop).sum(axis=1) / w.sum(axis=1), 1e-10, 1 - 1e-10)
    beta[:, 0] = special.logit(mean)
    active = ~same[idx]  # equal proportions: the fit is the flat line at their logit, already in beta
    steep = np.zeros(len(idx), dtype=bool)
    for _ in range(100):
        if not active.any():
            break
        b = beta[active]
        eta = b[:, :1] + b[:, 1:] * x[active]
        pi = special.expit(eta)
        ww = w[active] * pi * (1 - pi)
        score = np.einsum("gq,gqk->gk", w[active] * (prop[active] - pi), X[active])
        info = np.einsum("gq,gqk,gql->gkl", ww, X[active], X[active])
        step = np.linalg.solve(info, score[..., None])[..., 0]
        b = b + step
        beta[active] = b
        where = np.flatnonzero(active)
        # values at 0 and at the full scale on either side of a rank make the MLE infinitely steep
        runaway = np.abs(b[:, :1] + b[:, 1:] * x[active]).max(axis=1) > 30
        steep[where[runaway]] = True
        active[where[runaway | np.all(np.abs(step) < 1e-12 * (1 + np.abs(b)), axis=1)]] = False
    for g in idx[steep | active]:
        table["note"][g] = ("not calculated: the logistic regression has no finite fit (values of 0 and of the "
                            "full scale are separated by rank, so the fitted line is infinitely steep)")
    for g in idx[same[idx]]:
        table["blank"][g]["no interval: every quantile has the same value (as the counts HEAT rounds to), so the "
                          "regression has no variation to estimate an interval from (healthequal stops here)"] = ci_cols
    eta = beta[:, :1] + beta[:, 1:] * x
    pi = special.expit(eta)
    info = np.einsum("gq,gqk,gql->gkl", w * pi * (1 - pi), X, X)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        bread = np.linalg.pinv(info)
    u = (w * (prop - pi))[..., None] * X
    meat = np.einsum("gqk,gql->gkl", u, u)
    q = x.shape[1]
    vcov = bread @ meat @ bread * q / (q - 2)  # HC1: small-sample factor n / (n - k)
    p0, p1 = special.expit(beta[:, 0]), special.expit(beta[:, 0] + beta[:, 1])
    d = p1 - p0
    grad_d = np.stack([p1 * (1 - p1) - p0 * (1 - p0), p1 * (1 - p1)], axis=1)
    se_d = np.sqrt(np.maximum(np.einsum("gk,gkl,gl->g", grad_d, vcov, grad_d), 0.0))
    lr = np.log(p1) - np.log(p0)
    grad_r = np.stack([p0 - p1, 1 - p1], axis=1)
    se_r = np.sqrt(np.maximum(np.einsum("gk,gkl,gl->g", grad_r, vcov, grad_r), 0.0))
    sign = -1.0 if multiplier < 0 else 1.0
    d = np.where(same[idx], 0.0, d)  # exactly flat: no rounding residue from the logit and back
    lr = np.where(same[idx], 0.0, lr)
    res["sii"][idx] = sign * d * scale
    res["rii"][idx] = np.exp(sign * lr)
    res["intercept"][idx] = p0 * scale
    res["sii_se"][idx] = se_d * scale
    res["rii_log_se"][idx] = se_r
    for lv, slo, shi in ci_columns(levels, "sii_"):
        z = special.ndtri(0.5 + lv / 2)
        # a difference of two proportions lies between -1 and 1 times the scale: the limits stop there
        res[slo][idx] = np.maximum(sign * d * scale - z * se_d * scale, -scale)
        res[shi][idx] = np.minimum(sign * d * scale + z * se_d * scale, scale)
        res[slo.replace("sii_", "rii_")][idx] = np.exp(sign * lr - z * se_r)
        res[shi.replace("sii_", "rii_")][idx] = np.exp(sign * lr + z * se_r)
    return res
