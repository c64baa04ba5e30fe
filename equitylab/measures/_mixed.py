"""Random-intercept models fitted on group summaries (not public; used by :mod:`.maihda`).

Both models have one random intercept per group (stratum) and fixed effects whose covariates are
constant within a group, as in MAIHDA, where the covariates are the very columns that make the
strata. Then the likelihood factorises into one term per group that depends on the data only
through the group's counts (binary) or its size, mean and within-group sum of squares
(continuous), so a model of ten million people is fitted on a hundred rows.

- :func:`fit_binomial`: logit link, maximum likelihood, each group's integral over its random
  effect by adaptive Gauss-Hermite quadrature with 10 nodes centred on the conditional mode
  (Pinheiro and Bates 1995; as ``lme4::glmer(..., nAGQ = 10)``, Bates et al. 2015). The
  gradient and Hessian are the quadrature's posterior means of the score and Louis's (1982)
  identity, so the fixed effects' covariance is the inverse of the observed information in
  (sigma, beta), as lme4's ``vcov`` for nAGQ > 0.
- :func:`fit_gaussian`: identity link, REML (Patterson and Thompson 1971; as ``lme4::lmer``),
  with the residual variance and fixed effects profiled out, so one parameter, the ratio of
  the two standard deviations, is optimised.

Conditional modes and variances of the group effects are lme4's ``ranef(condVar = TRUE)``: the
mode of each group's posterior and, for the binary model, the Laplace (inverse curvature)
variance at it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, optimize, special

_NODES, _WEIGHTS = np.polynomial.hermite.hermgauss(10)
_LOG_WEIGHTS = np.log(_WEIGHTS) + _NODES ** 2   # the nodes' e^{-x^2} kernel undone
_HALF_LOG_2PI = 0.5 * np.log(2 * np.pi)


@dataclass
class Fit:
    """One fitted random-intercept model.

    ``sigma2_u`` is the between-group variance; ``sigma2_e`` the residual variance (pi^2/3 on
    the latent scale for the logit model); ``mode`` and ``cond_var`` each group's effect (on the
    linear predictor's scale) and its conditional variance; ``loglik`` the log-likelihood (REML
    for the Gaussian model, as lme4's ``logLik``; for the binary model without the binomial
    coefficients, which is the log-likelihood of the patient-level 0/1 data).
    """

    beta: np.ndarray
    cov_beta: np.ndarray
    sigma2_u: float
    sigma2_e: float
    mode: np.ndarray
    cond_var: np.ndarray
    loglik: float
    converged: bool


# -- binary outcomes ----------------------------------------------------------------------
def _conditional_modes(eta, theta, y, n, start):
    """Each group's mode of b (its effect is theta * b, b ~ N(0, 1)) and minus the curvature there.

    Newton's method on a strictly concave function, with step halving where a step would lower it.
    """
    def objective(b):
        lin = eta + theta * b
        return y * lin - n * np.logaddexp(0.0, lin) - 0.5 * b * b

    b = start.copy()
    value = objective(b)
    for _ in range(100):
        p = special.expit(eta + theta * b)
        curvature = theta * theta * n * p * (1 - p) + 1.0
        step = (theta * (y - n * p) - b) / curvature
        new = b + step
        new_value = objective(new)
        for _ in range(30):
            worse = new_value < value - 1e-12 * np.abs(value)
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
            new = b + step
            new_value = objective(new)
        b, value = new, new_value
        if np.max(np.abs(step)) < 1e-10:
            break
    p = special.expit(eta + theta * b)
    return b, theta * theta * n * p * (1 - p) + 1.0


class _BinomialLikelihood:
    """The marginal log-likelihood of (theta, beta) by 10-node adaptive Gauss-Hermite quadrature."""

    def __init__(self, X, y, n):
        self.X, self.y, self.n = X, y, n
        self._modes = np.zeros(len(y))

    def evaluate(self, params, *, hessian=False):
        theta, beta = params[0], params[1:]
        X, y, n = self.X, self.y, self.n
        eta = X @ beta
        mode, curvature = _conditional_modes(eta, theta, y, n, self._modes)
        self._modes = mode
        scale = np.sqrt(2.0 / curvature)
        b = mode[:, None] + scale[:, None] * _NODES[None, :]
        lin = eta[:, None] + theta * b
        log_f = y[:, None] * lin - n[:, None] * np.logaddexp(0.0, lin) - 0.5 * b * b - _HALF_LOG_2PI
        a = log_f + _LOG_WEIGHTS
        top = a.max(axis=1, keepdims=True)
        total = np.log(np.exp(a - top).sum(axis=1, keepdims=True)) + top
        loglik = float(np.sum(total[:, 0] + np.log(scale)))
        post = np.exp(a - total)                       # each group's posterior weights at the nodes
        p = special.expit(lin)
        r = y[:, None] - n[:, None] * p                # d log f / d lin at each node
        mean_r, mean_rb = (post * r).sum(1), (post * r * b).sum(1)
        grad = np.concatenate([[mean_rb.sum()], X.T @ mean_r])
        out = {"loglik": loglik, "grad": grad, "mode": mode, "curvature": curvature}
        if hessian:  # Louis: E[d2 log f] + Var[score], each group's posterior by the same quadrature
            w = n[:, None] * p * (1 - p)
            c_bb = (post * (r * r - w)).sum(1) - mean_r ** 2
            c_tt = (post * (r * r - w) * b * b).sum(1) - mean_rb ** 2
            c_tb = (post * (r * r - w) * b).sum(1) - mean_rb * mean_r
            h = np.empty((X.shape[1] + 1,) * 2)
            h[0, 0] = c_tt.sum()
            h[0, 1:] = h[1:, 0] = X.T @ c_tb
            h[1:, 1:] = X.T @ (c_bb[:, None] * X)
            out["hessian"] = h
        return out


def _logistic_start(X, y, n):
    """Fixed effects of the plain logistic model by a few IRLS steps (a starting point only)."""
    p0 = (y + 0.5) / (n + 1.0)
    beta = np.linalg.lstsq(X, special.logit(p0), rcond=None)[0]
    for _ in range(25):
        p = special.expit(X @ beta)
        w = n * p * (1 - p) + 1e-8
        z = X @ beta + (y - n * p) / w
        new = np.linalg.lstsq(X * np.sqrt(w)[:, None], z * np.sqrt(w), rcond=None)[0]
        if np.max(np.abs(new - beta)) < 1e-8:
            return new
        beta = np.clip(new, -30, 30)
    return beta


def fit_binomial(X: np.ndarray, events: np.ndarray, trials: np.ndarray) -> Fit:
    """Logit random-intercept model of ``events`` out of ``trials`` per group, by maximum likelihood.

    ``X`` holds one row of fixed-effect covariates per group.
    """
    y, n = np.asarray(events, float), np.asarray(trials, float)
    model = _BinomialLikelihood(X, y, n)
    start = np.concatenate([[0.5], _logistic_start(X, y, n)])

    def negative(params):
        out = model.evaluate(params)
        return -out["loglik"], -out["grad"]

    bounds = [(0.0, None)] + [(None, None)] * X.shape[1]
    res = optimize.minimize(negative, start, jac=True, method="L-BFGS-B", bounds=bounds,
                            options={"ftol": 1e-13, "gtol": 1e-8, "maxiter": 2000})
    params = res.x
    final = model.evaluate(params, hessian=True)
    theta = float(params[0])
    info = -final["hessian"]
    if theta < 1e-4:  # at the boundary: the fixed effects' information given sigma = 0
        cov = np.linalg.pinv(info[1:, 1:])
    else:
        cov = np.linalg.pinv(info)[1:, 1:]
    converged = bool(res.success) or np.max(np.abs(final["grad"])) < 1e-4 * max(1.0, abs(final["loglik"]))
    return Fit(beta=params[1:], cov_beta=cov, sigma2_u=theta * theta, sigma2_e=np.pi ** 2 / 3,
               mode=theta * final["mode"], cond_var=theta * theta / final["curvature"],
               loglik=final["loglik"], converged=converged)


# -- continuous outcomes --------------------------------------------------------------------
def fit_gaussian(X: np.ndarray, n: np.ndarray, mean: np.ndarray, within_ss: float) -> Fit:
    """Gaussian random-intercept model by REML, from each group's size and mean and the pooled
    within-group sum of squares.

    Per group the data are a mean, N(x'beta, sigma_u^2 + sigma_e^2 / n), and n - 1 independent
    within-group contrasts; ``theta = sigma_u / sigma_e`` is found by minimising the profiled
    REML criterion (a grid from 1e-4 to 1e4, then Brent's method around the best point).
    """
    n, mean = np.asarray(n, float), np.asarray(mean, float)
    total, p = n.sum(), X.shape[1]
    if total - p <= 0:
        raise ValueError("too few observations for the fixed effects")

    def parts(theta):
        t2 = theta * theta
        w = n / (1.0 + n * t2)
        xtwx = X.T @ (w[:, None] * X)
        chol = linalg.cho_factor(xtwx)
        beta = linalg.cho_solve(chol, X.T @ (w * mean))
        resid = mean - X @ beta
        s2 = (within_ss + np.sum(w * resid * resid)) / (total - p)
        logdet = 2 * np.sum(np.log(np.diag(chol[0])))
        crit = (total - p) * (1 + np.log(2 * np.pi * s2)) + np.sum(np.log1p(n * t2)) + logdet
        return crit, beta, s2, chol, resid

    grid = np.concatenate([[0.0], np.logspace(-4, 4, 81)])
    values = [parts(t)[0] for t in grid]
    k = int(np.argmin(values))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
    theta = grid[k]
    if hi > lo:
        res = optimize.minimize_scalar(lambda t: parts(t)[0], bounds=(lo, hi), method="bounded",
                                       options={"xatol": 1e-10})
        if res.fun <= values[k]:
            theta = float(res.x)
    crit, beta, s2, chol, resid = parts(theta)
    t2 = theta * theta
    shrink = n * t2 / (1.0 + n * t2)
    return Fit(beta=beta, cov_beta=s2 * linalg.cho_solve(chol, np.eye(p)), sigma2_u=s2 * t2, sigma2_e=s2,
               mode=shrink * resid, cond_var=s2 * t2 / (1.0 + n * t2), loglik=-0.5 * crit, converged=True)
