"""Where disadvantages meet: intersectional estimates by MAIHDA.

MAIHDA (multilevel analysis of individual heterogeneity and discriminatory accuracy) treats
every combination of the group columns (ethnicity x sex x deprivation, say) as a stratum and
fits two random-intercept models of the outcome:

- Model 1: an intercept and a random effect per stratum. Its between-stratum variance gives the
  variance partition coefficient (VPC): the share of the differences between people that lies
  between the strata.
- Model 2: adds each group column as a fixed main effect. What is left between strata is the
  part the main effects do not predict: the intersectional interaction. The proportional change
  in variance (PCV) from Model 1 to Model 2 is the share of the between-stratum differences
  that the main effects explain.

Each stratum's estimate is Model 2's fixed plus random part. A small stratum's estimate is pulled
("shrunk") toward what its main effects predict, by as much as its own data are uncertain.

References: Merlo J (2018) Multilevel analysis of individual heterogeneity and discriminatory
accuracy (MAIHDA) within an intersectional framework. *Soc Sci Med* 203:74-80. Evans CR,
Williams DR, Onnela J-P, Subramanian SV (2018) A multilevel approach to modeling health
inequalities at the intersection of multiple social identities. *Soc Sci Med* 203:64-73.
Evans CR, Leckie G, Subramanian SV, Bell A, Merlo J (2024) A tutorial for conducting
intersectional multilevel analysis of individual heterogeneity and discriminatory accuracy
(MAIHDA). *SSM - Population Health* 26:101664.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..errors import DataError
from ..provenance import carry
from ._common import as_list, confidence_levels, require_columns
from ._mixed import fit_binomial, fit_gaussian
from ._strata import count_strata
from .maihda_result import Intersectional, hide_small

_WHAT = "intersectional()"
_LATENT = np.pi ** 2 / 3  # the logistic distribution's variance: the latent residual of a logit model


def _binary_outcome(data, numerator, denominator):
    """(events, trials or None, rows with a known outcome or None), checked."""
    require_columns(data, [numerator] + ([denominator] if denominator else []), what=_WHAT)
    column = data[numerator]
    if denominator is None:
        if pd.api.types.is_bool_dtype(column.dtype) and isinstance(column.dtype, np.dtype):
            return column.to_numpy().view(np.uint8), None, None  # plain bool: nothing missing, nothing to check
        known = column.notna().to_numpy()
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        bad = known & ~((values == 0) | (values == 1))
        if bad.any():
            raise DataError(f"{_WHAT}: '{numerator}' must hold 0 or 1 (or True/False) for each person",
                            column=numerator, rows=(np.flatnonzero(bad) + 1).tolist(),
                            hint="For counts of events give the number of people (trials) as denominator=")
        return values, None, (None if known.all() else known)
    events = pd.to_numeric(column, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    trials = pd.to_numeric(data[denominator], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    known = ~np.isnan(events) & ~np.isnan(trials)
    for name, values in ((numerator, events), (denominator, trials)):
        bad = known & ((values < 0) | (values != np.round(values)))
        if bad.any():
            raise DataError(f"{_WHAT}: '{name}' must hold whole numbers of 0 or more", column=name,
                            rows=(np.flatnonzero(bad) + 1).tolist())
    bad = known & (events > trials)
    if bad.any():
        raise DataError(f"{_WHAT}: '{numerator}' (events) cannot be more than '{denominator}' (people)",
                        column=numerator, rows=(np.flatnonzero(bad) + 1).tolist())
    return events, trials, (None if known.all() else known)


def _continuous_outcome(data, value):
    require_columns(data, [value], what=_WHAT)
    raw = data[value]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) & raw.notna().to_numpy()
    if bad.any():
        raise DataError(f"{_WHAT}: '{value}' must hold numbers", column=value, rows=(np.flatnonzero(bad) + 1).tolist(),
                        hint="Remove text such as 'unknown' and leave the cell blank instead")
    known = ~np.isnan(values)
    return values, (None if known.all() else known)


def _design(labels: pd.DataFrame, by: list[str], n: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Model 2's fixed effects: an intercept and each column's categories against its largest."""
    columns, names = [np.ones(len(labels))], ["intercept"]
    for c in by:
        sizes = pd.Series(n).groupby(labels[c].to_numpy()).sum()
        reference = sizes.idxmax()
        for level in sizes.index:
            if level != reference:
                columns.append((labels[c] == level).to_numpy(dtype=float))
                names.append(f"{c}={level}")
    X = np.column_stack(columns)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise DataError(f"{_WHAT}: in this data the categories of {', '.join(by)} go together (one decides "
                        "another), so their separate effects cannot be told apart",
                        hint="Use group columns that vary independently, or fewer of them")
    return X, names


def intersectional(data: pd.DataFrame, *, by, numerator: str | None = None, denominator: str | None = None,
                   value: str | None = None, confidence: float = 0.95, audience: str = "team",
                   polarity: str | None = None) -> Intersectional:
    """Estimates for every intersection of several groups, by MAIHDA (Merlo 2018; Evans et al. 2018;
    the tutorial of Evans, Leckie, Subramanian, Bell and Merlo 2024).

    Parameters
    ----------
    data : DataFrame
        One row per person, or (binary outcomes) one row per group with events and people.
    by : list of str
        Two or more group columns; each combination of their values is a stratum. Rows whose
        category is missing (blank, "Not stated", "Not known", ...) are left out, and the notes
        say how many.
    numerator : str, optional
        A binary outcome: a 0/1 (or True/False) column of patient-level data, or, with
        ``denominator``, a column of events.
    denominator : str, optional
        With aggregated data, the column of people (trials) behind ``numerator``.
    value : str, optional
        A continuous outcome (for example waiting days), one value per person.
    confidence : float
        Level of the intervals (0.95).
    audience : {"team", "publish"}
        "publish" hides in full every stratum with 1 to 7 people, events or non-events, and
        further strata so that no hidden one can be worked out from a group's total; the words
        say how many. "team" shows all, under the small-numbers banner.
    polarity : {None, "high_is_good", "low_is_good"}
        With a polarity, strata worse than the overall value by more than chance are named as
        of concern.

    Models
    ------
    Model 1, ``outcome ~ 1 + (1 | stratum)``; Model 2, ``outcome ~ by_1 + ... + by_k + (1 | stratum)``.
    Binary outcomes: logit link, maximum likelihood with 10-point adaptive Gauss-Hermite
    quadrature (as ``lme4::glmer(..., nAGQ = 10)``). Continuous outcomes: Gaussian, REML (as
    ``lme4::lmer``). Both are fitted on stratum summaries, which give the same likelihood as the
    patient-level rows because every covariate is constant within a stratum; the tests compare
    them with lme4 on reference data sets (``tests/reference_data/maihda``).

    Returns
    -------
    Intersectional
        ``.strata``: one row per stratum with the ``by`` columns, ``n``, ``events`` (binary),
        ``observed`` (proportion or mean), ``predicted`` (Model 2's fixed plus random part: the
        stratum's expected proportion or value, shrunk toward what its main effects predict),
        ``lower_ci``/``upper_ci``, ``main_effects`` (Model 2's fixed part alone), and
        ``interaction`` with ``interaction_lower_ci``/``interaction_upper_ci`` (Model 2's stratum
        effect: beyond what the main effects predict; an odds ratio for binary outcomes, a
        difference for continuous ones). ``.variance`` and ``.variance_adjusted`` (the
        between-stratum variances of Models 1 and 2), ``.vpc`` (%; on the latent scale,
        sigma_u^2 / (sigma_u^2 + pi^2/3), for binary outcomes), ``.pcv`` (%; NA when Model 1's
        variance is about 0), ``.notes``, ``.chart()`` and ``.describe()``.

    Intervals
    ---------
    ``predicted``: the linear predictor plus or minus z times the square root of (the fixed
    part's variance from the fixed effects' covariance + the stratum effect's conditional
    variance), treating the two as independent, then mapped to a proportion. Simulating from
    those two normal distributions gives the same interval (the inverse logit is monotone), so
    it is computed directly. ``interaction``: the stratum effect plus or minus z times its
    conditional standard deviation (exponentiated for binary outcomes).
    """
    by = as_list(by)
    if len(by) < 2:
        raise DataError(f"{_WHAT} needs two or more group columns in by=, e.g. by=['ethnicity', 'sex']")
    if len(set(by)) < len(by):
        raise DataError(f"{_WHAT}: a column is named twice in by=")
    if (numerator is None) == (value is None):
        raise DataError(f"{_WHAT}: give either numerator= (a binary outcome) or value= (a continuous one)")
    if value is not None and denominator is not None:
        raise DataError(f"{_WHAT}: denominator= goes with numerator=, not with value=")
    if audience not in ("team", "publish"):
        raise DataError(f"{_WHAT}: audience must be 'team' or 'publish', not {audience!r}")
    if polarity not in (None, "high_is_good", "low_is_good"):
        raise DataError(f"{_WHAT}: polarity must be None, 'high_is_good' or 'low_is_good', not {polarity!r}")
    levels = confidence_levels(confidence)
    if len(levels) != 1:
        raise DataError(f"{_WHAT}: give one confidence level, e.g. confidence=0.95")
    require_columns(data, by, what=_WHAT)
    clash = {numerator, denominator, value} & set(by)
    if clash:
        raise DataError(f"{_WHAT}: '{clash.pop()}' is both a group column and the outcome")

    binary = numerator is not None
    if binary:
        outcome, trials, known = _binary_outcome(data, numerator, denominator)
    else:
        (outcome, known), trials = _continuous_outcome(data, value), None
    strata = count_strata(data, by, outcome, known=known, trials=trials, continuous=not binary)
    labels, n, total = strata.labels, strata.n, strata.total
    if len(labels) < 3:
        raise DataError(f"{_WHAT}: only {len(labels)} strata have data; MAIHDA needs several (ideally 20 or more)",
                        hint="Add group columns, or use groups with more categories")
    X2, names = _design(labels, by, n)
    X1 = np.ones((len(labels), 1))
    if binary:
        if total.sum() == 0 or total.sum() == n.sum():
            raise DataError(f"{_WHAT}: every person has the same outcome in '{numerator}', so there is nothing "
                            "to compare between strata", column=numerator)
        model1, model2 = fit_binomial(X1, total, n), fit_binomial(X2, total, n)
        residual = _LATENT
    else:
        within = float(strata.within_ss.sum())
        if within <= 0:
            raise DataError(f"{_WHAT}: '{value}' does not vary within strata, so a model cannot separate "
                            "people from strata", column=value)
        model1, model2 = fit_gaussian(X1, n, total / n, within), fit_gaussian(X2, n, total / n, within)
        residual = model1.sigma2_e

    level = levels[0]
    z = float(special.ndtri(1 - (1 - level) / 2))
    fixed = X2 @ model2.beta
    fixed_var = np.einsum("ij,jk,ik->i", X2, model2.cov_beta, X2)
    linear = fixed + model2.mode
    spread = z * np.sqrt(fixed_var + model2.cond_var)
    effect_spread = z * np.sqrt(model2.cond_var)
    link = special.expit if binary else (lambda x: x)
    effect = np.exp if binary else (lambda x: x)
    table = labels.copy()
    table["n"] = np.round(n).astype("int64")
    if binary:
        table["events"] = np.round(total).astype("int64")
    table["observed"] = total / n
    table["predicted"] = link(linear)
    table["lower_ci"] = link(linear - spread)
    table["upper_ci"] = link(linear + spread)
    table["main_effects"] = link(fixed)
    table["interaction"] = effect(model2.mode)
    table["interaction_lower_ci"] = effect(model2.mode - effect_spread)
    table["interaction_upper_ci"] = effect(model2.mode + effect_spread)
    overall = float(total.sum() / n.sum())
    table = table.sort_values("predicted", ascending=False, kind="stable").reset_index(drop=True)
    small, hidden = hide_small(table, by, binary)

    # below 1e-10 a variance is the optimiser's rounding of the boundary, 0
    variance, adjusted = (v if v > 1e-10 else 0.0 for v in (model1.sigma2_u, model2.sigma2_u))
    vpc = 100 * variance / (variance + residual)
    pcv = 100 * (variance - adjusted) / variance if vpc >= 0.01 else np.nan
    method = ("Two random-intercept logistic models fitted by maximum likelihood (adaptive Gauss-Hermite "
              "quadrature, 10 points, as lme4::glmer nAGQ = 10)" if binary else
              "Two random-intercept linear models fitted by REML (as lme4::lmer)")
    result = Intersectional(
        strata=table, variance=variance, variance_adjusted=adjusted, vpc=vpc, pcv=pcv, by=by,
        outcome=numerator if binary else value, binary=binary, confidence=level, audience=audience,
        polarity=polarity, overall=overall, residual_variance=residual, method=method,
        models={"model1": model1, "model2": model2, "fixed_effects": names},
        small=small, hidden=hidden, left_out=strata.left_out, left_out_rows=strata.left_out_rows,
        outcome_missing=strata.outcome_missing, people=round(float(n.sum())),
        converged=model1.converged and model2.converged)
    carry(result.strata, data)
    return result
