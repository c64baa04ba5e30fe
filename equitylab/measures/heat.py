"""WHO HEAT summary measures of health inequality across population subgroups.

The 21 measures of the WHO Health Equity Assessment Toolkit (HEAT / HEAT Plus, Technical Notes
v6.0, 2024), computed from one row per subgroup: an estimate, its standard error and the
subgroup's population. Point estimates follow HEAT; intervals follow the Technical Notes, which
in four places differ from what HEAT's own software returns (see ``docs/heat-differences.md``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ..errors import DataError
from ..provenance import carry
from ._common import as_list, ci_columns, confidence_levels, numeric, positive_multiplier, require_columns
from ._heat_simulation import SIMULATED, bias_corrected_interval, simulated_measures, truncated_draws
from .gradient import sii

_WHAT = "summary_measures"

# code: (plain-English name, what the value means, ordered dimensions only)
MEASURES = {
    "D": ("Difference", "0 means no gap between the two subgroups compared; in the indicator's units", False),
    "R": ("Ratio", "1 means no gap between the two subgroups compared", False),
    "ACI": ("Absolute concentration index",
            "0 means no inequality; positive means the indicator is concentrated in advantaged subgroups, "
            "negative in disadvantaged ones; in the indicator's units", True),
    "RCI": ("Relative concentration index",
            "0 means no inequality; from -100 to 100, positive means concentrated in advantaged subgroups", True),
    "SII": ("Slope index of inequality",
            "0 means no gradient; the gap between the most and least advantaged ends of the population "
            "(positive = higher in advantaged subgroups), in the indicator's units", True),
    "RII": ("Relative index of inequality",
            "1 means no gradient; above 1 means higher in advantaged subgroups", True),
    "BGV": ("Between-group variance",
            "0 means every subgroup equals the average; in squared units of the indicator", False),
    "BGSD": ("Between-group standard deviation",
             "0 means every subgroup equals the average; in the indicator's units", False),
    "COV": ("Coefficient of variation",
            "0 means every subgroup equals the average; the between-group standard deviation as a % of it", False),
    "MDMU": ("Mean difference from mean (unweighted)",
             "0 means every subgroup equals the average; in the indicator's units", False),
    "MDMW": ("Mean difference from mean (weighted)",
             "0 means every subgroup equals the average; in the indicator's units", False),
    "MDBU": ("Mean difference from best performing subgroup (unweighted)",
             "0 means every subgroup does as well as the best one; in the indicator's units", False),
    "MDBW": ("Mean difference from best performing subgroup (weighted)",
             "0 means every subgroup does as well as the best one; in the indicator's units", False),
    "MDRU": ("Mean difference from reference subgroup (unweighted)",
             "0 means every subgroup equals the reference subgroup; in the indicator's units", False),
    "MDRW": ("Mean difference from reference subgroup (weighted)",
             "0 means every subgroup equals the reference subgroup; in the indicator's units", False),
    "IDISU": ("Index of disparity (unweighted)",
              "0 means every subgroup equals the average; the mean difference from the average as a % of it", False),
    "IDISW": ("Index of disparity (weighted)",
              "0 means every subgroup equals the average; the weighted mean difference as a % of it", False),
    "TI": ("Theil index",
           "0 means every subgroup's share of the indicator equals its share of the population; x 1000", False),
    "MLD": ("Mean log deviation",
            "0 means every subgroup's share of the indicator equals its share of the population; x 1000", False),
    "PAF": ("Population attributable fraction",
            "0 means no improvement if everyone had the reference subgroup's level (the best subgroup, or the "
            "most advantaged on an ordered dimension); % of the average", False),
    "PAR": ("Population attributable risk",
            "0 means no improvement if everyone had the reference subgroup's level (the best subgroup, or the "
            "most advantaged on an ordered dimension); in the indicator's units", False),
}


def summary_measures(data: pd.DataFrame, *, by: str, value: str, se: str, population: str,
                     ordered: str | None, favourable: bool, reference=None, paf_reference=None,
                     multiplier: float = 100, measures="all", confidence=0.95, simulations: int = 1000,
                     seed=None) -> pd.DataFrame:
    """WHO HEAT summary measures of inequality between the subgroups of one population dimension.

    Parameters
    ----------
    data : DataFrame
        One row per subgroup of one dimension (e.g. five deprivation quintiles, or ethnic groups)
        for one indicator, setting and time: aggregated figures, not patient records.
    by : str
        Column naming each subgroup.
    value : str
        Column with each subgroup's estimate, on the ``multiplier`` scale (e.g. a percentage).
        Estimates cannot be negative, nor above 100 when ``multiplier`` is 100.
    se : str
        Column with the standard error of each estimate, in the same units.
    population : str
        Column with each subgroup's population (the weights).
    ordered : str or None
        For an ordered dimension (deprivation, education, income), the column giving each subgroup's
        order, 1 = most disadvantaged, rising to the most advantaged. ``None`` for a dimension with
        no natural order (ethnicity, sex, region).
    favourable : bool
        True when a higher value is better (e.g. screening coverage); False when lower is better
        (e.g. mortality). Decides which subgroup is "best" and the direction of D and R.
    reference : optional
        The ``by`` label of a reference subgroup for MDRU and MDRW (which need one), and for D and R
        on a dimension with no natural order (Technical Notes tables 1-2).
    paf_reference : optional
        The ``by`` label of the subgroup whose level PAF and PAR measure the gain against. By default
        the most advantaged subgroup (ordered) or the best subgroup (otherwise), as WHO's healthequal.
    multiplier : float
        The scale of ``value``: 100 for percentages, 1000 for per 1,000, ...
    measures : "all" or list of str
        Codes to compute (D, R, ACI, RCI, SII, RII, BGV, BGSD, COV, MDMU, MDMW, MDBU, MDBW, MDRU, MDRW,
        IDISU, IDISW, TI, MLD, PAF, PAR). "all" leaves out the four ordered-only measures
        (ACI, RCI, SII, RII) when ``ordered`` is None.
    confidence : float or list of float
        Confidence level(s) of the intervals.
    simulations : int
        Draws for the simulation intervals, at least 100 (HEAT uses 100; more gives steadier limits).
    seed : int or numpy.random.Generator, optional
        Fixes the simulation draws.

    Returns
    -------
    DataFrame
        One row per measure: ``measure`` (code), ``name``, ``value``, ``lower_ci``, ``upper_ci``
        (suffixed per level when several), ``se`` (blank for simulation intervals),
        ``interpretation`` (what 0 or 1 means), ``ordered_only``, ``ci_method`` and ``note``,
        with the provenance of ``data``. A measure that cannot be calculated is NA, and a limit
        that has no valid value is NA, with the reason in ``note``. The measures describe a
        pattern, not its causes.

    Notes
    -----
    Method: WHO HEAT Technical Notes v6.0 (2024), healthequal 1.0.1. With subgroup shares
    p_j = N_j / sum(N), the setting average is mu = sum(p_j y_j); on ordered dimensions the
    relative rank X_j is the midpoint of subgroup j's cumulative population share, from the most
    disadvantaged.

    - D = y1 - y2 and R = y1 / y2 for the pair of Technical Notes tables 1-2 (ordered: most
      advantaged vs most disadvantaged, the better-off first; otherwise the reference against the
      subgroup furthest from it, or the highest against the lowest). Analytic intervals; R's on the
      log scale.
    - ACI = sum p_j (2X_j - 1) y_j; RCI = 100 ACI / mu. Analytic variances of the Technical Notes.
    - SII, RII: logistic regression on X_j as HEAT fits it (see :func:`equitylab.measures.sii`
      with ``method="heat"``), HC1 delta-method intervals.
    - BGV = sum p_j (y_j - mu)^2 with its analytic variance; BGSD = sqrt(BGV); COV = 100 BGSD / mu.
    - MDMU/MDMW, MDBU/MDBW, MDRU/MDRW: unweighted / population-weighted mean absolute difference
      from the average, the best subgroup (highest if favourable, else lowest) and the reference;
      IDISU/IDISW = 100 MDMU / mu and 100 MDMW / mu.
    - TI = 1000 sum p_j r_j ln r_j (with 0 ln 0 = 0) and MLD = 1000 sum p_j (-ln r_j), r_j = y_j / mu,
      analytic variances scaled by 1000 like the estimates. The MLD is NA when an estimate is 0.
    - PAF = 100 (y_ref - mu) / mu and PAR = y_ref - mu, set to 0 when the reference is worse than the
      average. Walter's variance (on the fraction scale, so x 100 for PAF).
    - Simulation intervals (BGSD, COV, MD*, IDIS*): each estimate is redrawn from a normal
      distribution with its standard error, redrawn until not negative (and not above 100 for
      percentages), the measure recomputed (average and best subgroup included), and the
      bias-corrected percentile limits taken (Efron 1981); NA with a note when the groups are too
      close to equal for any simulated interval to contain the estimate.

    Every interval stays within its measure's range: analytic limits beyond it (e.g. below 0 for
    BGV, TI, MLD) are truncated at the range's end, which keeps the interval's coverage, since the
    true value lies within the range too.

    Where this differs from HEAT's software: intervals for PAF, TI, MLD are on the estimate's
    scale (HEAT's are 100 or 1000 times too narrow), RCI is in % and its SE and ACI's follow the
    Technical Notes' analytic formulas (HEAT uses a regression SE), simulation intervals honour
    ``confidence`` (HEAT fixes them at 95%), and the cases above that give NA. ``docs/heat-differences.md``
    gives the details.
    """
    levels = confidence_levels(confidence)
    require_columns(data, [by, value, se, population, ordered], what=_WHAT)
    if ordered is True or ordered is False:
        raise DataError("ordered= takes the name of the column giving the subgroup order "
                        "(1 = most disadvantaged), or None for a dimension with no natural order")
    multiplier = positive_multiplier(multiplier, _WHAT)
    if not (isinstance(simulations, int | np.integer) and simulations >= 100):
        raise DataError(f"simulations must be a whole number of at least 100 (HEAT uses 100), not {simulations!r}")
    codes = _codes(measures, ordered)

    y_all = numeric(data, value, what=_WHAT)
    s_all = numeric(data, se, what=_WHAT, allow_negative=False)
    n_all = numeric(data, population, what=_WHAT, allow_negative=False)
    labels_all = data[by].to_numpy()
    if pd.Series(labels_all).duplicated().any():
        rows = (np.flatnonzero(pd.Series(labels_all).duplicated(keep=False).to_numpy()) + 1).tolist()
        raise DataError("summary_measures needs one row per subgroup", column=by, rows=rows,
                        hint="Filter the table to one indicator, setting and year first")
    order_all = numeric(data, ordered, what=_WHAT) if ordered else None
    if order_all is not None:
        twice = pd.Series(order_all).duplicated(keep=False).to_numpy() & ~np.isnan(order_all)
        if twice.any():
            raise DataError("summary_measures: two subgroups share a place in the order", column=ordered,
                            rows=(np.flatnonzero(twice) + 1).tolist(),
                            hint="Number the subgroups 1, 2, 3, ... from the most disadvantaged")
    for arg, label in (("reference", reference), ("paf_reference", paf_reference)):
        if label is not None and label not in set(labels_all):
            raise DataError(f"the {arg} subgroup '{label}' is not in column '{by}'", column=by,
                            hint=f"Give {arg}= exactly as the subgroup is written in the table")
    if (y_all < 0).any():
        raise DataError("summary_measures: estimates cannot be negative", column=value,
                        rows=(np.flatnonzero(y_all < 0) + 1).tolist())
    if multiplier == 100 and (y_all > 100).any():
        raise DataError("summary_measures: with multiplier=100 the estimates are percentages, so none can be "
                        "above 100", column=value, rows=(np.flatnonzero(y_all > 100) + 1).tolist(),
                        hint="Give multiplier= the scale of the estimates, e.g. 1000 for a rate per 1,000")

    keep = np.isfinite(y_all) & np.isfinite(s_all) & np.isfinite(n_all) & (n_all > 0)
    if order_all is not None:
        keep &= np.isfinite(order_all)
    missing_share = 1 - keep.mean()
    y, s, n, labels = y_all[keep], s_all[keep], n_all[keep], labels_all[keep]
    order = order_all[keep] if order_all is not None else None

    rows = {c: {"value": np.nan, "se": np.nan, "ci": [(np.nan, np.nan)] * len(levels), "note": [],
                "ci_method": ""} for c in codes}
    general_note = ""
    if missing_share > 0.15:
        general_note = (f"not calculated: {missing_share:.0%} of subgroups lack an estimate, standard error "
                        "or population (HEAT's limit is 15%)")
    elif len(y) < 2:
        general_note = "not calculated: fewer than two subgroups have an estimate"
    if general_note:
        return _frame(rows, codes, levels, general_note, data)
    left_out = (f"{int((~keep).sum())} subgroup(s) without an estimate, standard error or population left out"
                if not keep.all() else "")

    if order is not None:
        sort = np.argsort(order, kind="stable")
        y, s, n, labels, order = y[sort], s[sort], n[sort], labels[sort], order[sort]
    p = n / n.sum()
    mu = float((p * y).sum())
    pct = multiplier == 100
    ref_idx = _index(labels, reference)
    fav = bool(favourable)
    zs = [special.ndtri(0.5 + lv / 2) for lv in levels]

    def analytic(code, value, se_, *, lo=-np.inf, hi=np.inf, log=False, centre=None, ci_note=""):
        """Record a value with its normal (or log-normal) interval about ``centre`` (default: the
        value), truncated to [lo, hi]; NaN limits with ``ci_note`` when there is no valid interval."""
        r = rows[code]
        r["value"], r["se"] = float(value), float(se_)
        r["ci_method"] = "analytic (HEAT Technical Notes)" + (", log scale" if log else "")
        if np.isfinite(lo) or np.isfinite(hi):
            r["ci_method"] += ", limits kept within the measure's range"
        if ci_note or not np.isfinite(se_):
            r["note"].append(ci_note or "no interval: the standard error cannot be worked out")
            return
        c = float(value if centre is None else centre)
        if log and c > 0:
            ci = [(c * np.exp(-z * se_ / c), c * np.exp(z * se_ / c)) for z in zs]
        else:
            ci = [(c - z * se_, c + z * se_) for z in zs]
        r["ci"] = [(float(np.clip(a, lo, hi)), float(np.clip(b, lo, hi))) for a, b in ci]

    def note(code, text):
        if code in rows and text:
            rows[code]["note"].append(text)

    if {"D", "R"} & set(codes):
        i1, i2 = _pair(y, order, fav, ref_idx)
        if reference is not None and ref_idx is None and order is None:
            for c in ("D", "R"):
                note(c, f"the reference subgroup {reference} has no estimate, so the highest and lowest are compared")
        if "D" in codes:
            analytic("D", y[i1] - y[i2], np.sqrt(s[i1] ** 2 + s[i2] ** 2),
                     lo=-multiplier if pct else -np.inf, hi=multiplier if pct else np.inf)
            note("D", f"{labels[i1]} minus {labels[i2]}")
        if "R" in codes:
            if y[i2] > 0:
                ratio = y[i1] / y[i2]
                analytic("R", ratio, np.sqrt((s[i1] ** 2 + ratio ** 2 * s[i2] ** 2) / y[i2] ** 2), lo=0, log=True)
                note("R", f"{labels[i1]} divided by {labels[i2]}")
            else:
                note("R", f"not calculated: {labels[i2]} has an estimate of 0, and R divides by it")

    ordered_codes = [c for c in ("ACI", "RCI", "SII", "RII") if c in codes]
    if ordered_codes and order is None:
        for c in ordered_codes:
            note(c, "not calculated: needs an ordered dimension (give ordered=)")
    elif ordered_codes and not keep.all():
        for c in ordered_codes:
            note(c, "not calculated: a subgroup of the ordered dimension has no estimate")
    elif ordered_codes:
        x = np.cumsum(p) - p / 2
        w = 2 * x - 1
        aci = float((p * w * y).sum())
        if "ACI" in codes:
            analytic("ACI", aci, np.sqrt((p ** 2 * s ** 2 * w ** 2).sum()))
        if "RCI" in codes and mu > 0:
            rci = aci / mu
            analytic("RCI", 100 * rci, 100 * np.sqrt((p ** 2 * s ** 2 * (w - rci) ** 2).sum()) / mu, lo=-100, hi=100)
        elif "RCI" in codes:
            note("RCI", "not calculated: every estimate is 0, and the RCI is relative to the average")
        if {"SII", "RII"} & set(codes):
            _gradient(rows, codes, levels, order, y, n, multiplier)

    if "BGV" in codes:
        d = y - mu
        ps2 = p ** 2 * s ** 2
        var = 4 * (ps2 * d ** 2).sum() + 2 * (ps2.sum() ** 2 - (ps2 ** 2).sum() + (p ** 2 * (1 - p) ** 2 * s ** 4).sum())
        analytic("BGV", (p * d ** 2).sum(), np.sqrt(max(var, 0.0)), lo=0, hi=(multiplier / 2) ** 2 if pct else np.inf)

    if {"TI", "MLD"} & set(codes):
        _theil(analytic, note, codes, y, s, p, mu, labels)

    if {"PAF", "PAR"} & set(codes):
        k = _index(labels, paf_reference)
        if paf_reference is not None and k is None:
            for c in ("PAF", "PAR"):
                note(c, f"not calculated: the reference subgroup {paf_reference} has no estimate")
        else:
            _attributable(analytic, note, codes, y, n, mu, labels, order, fav, k, multiplier)

    sim_codes = [c for c in SIMULATED if c in codes]
    if ("MDRU" in codes or "MDRW" in codes) and ref_idx is None:
        why = ("needs a reference subgroup (give reference=)" if reference is None
               else f"the reference subgroup {reference} has no estimate")
        for c in ("MDRU", "MDRW"):
            note(c, f"not calculated: {why}")
        sim_codes = [c for c in sim_codes if c not in ("MDRU", "MDRW")]
    if sim_codes:
        point = simulated_measures(y[None, :], p, fav, ref_idx)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        draws = truncated_draws(rng, y, s, int(simulations), float(multiplier) if pct else np.inf)
        sim = simulated_measures(draws, p, fav, ref_idx)
        for c in sim_codes:
            r = rows[c]
            estimate = float(point[c][0])
            if not np.isfinite(estimate):
                note(c, f"not calculated: every estimate is 0, and the {c} is relative to the average")
                continue
            r["value"] = estimate
            r["ci"], why = bias_corrected_interval(estimate, sim[c], levels)
            note(c, why)
            r["ci_method"] = f"simulation ({int(simulations)} draws, bias-corrected percentile)"
    for c in codes:
        note(c, left_out)
    return _frame(rows, codes, levels, "", data)


def _index(labels, label) -> int | None:
    """Position of subgroup ``label`` among those with an estimate, or None."""
    if label is None:
        return None
    hits = np.flatnonzero(labels == label)
    return int(hits[0]) if hits.size else None


def _gradient(rows, codes, levels, order, y, n, multiplier):
    """SII and RII from :func:`sii` (HEAT's logistic regression) into ``rows``."""
    frame = pd.DataFrame({"q": order, "v": y, "n": n})
    fit = sii(frame, quantile="q", value="v", population="n", method="heat", multiplier=multiplier,
              confidence=levels)
    cols = ci_columns(levels, "sii_")
    for code in ("SII", "RII"):
        if code not in codes:
            continue
        key = code.lower()
        r = rows[code]
        r["value"] = float(fit[key].iloc[0])
        r["se"] = float(fit["sii_se" if code == "SII" else "rii_log_se"].iloc[0])
        r["ci"] = [(float(fit[lo.replace("sii_", key + "_")].iloc[0]),
                    float(fit[hi.replace("sii_", key + "_")].iloc[0])) for _, lo, hi in cols]
        r["ci_method"] = "logistic regression, HC1 delta method" + (" (se on the log scale)" if code == "RII"
                                                                  else ", limits kept within the scale")
        if fit["note"].iloc[0]:
            r["note"].append(str(fit["note"].iloc[0]))


def _theil(analytic, note, codes, y, s, p, mu, labels):
    """TI (with 0 ln 0 = 0) and MLD (NA when an estimate is 0), both x 1000, with analytic intervals."""
    if not mu > 0:
        for c in ("TI", "MLD"):
            note(c, "not calculated: every estimate is 0, so there are no shares of the indicator to compare")
        return
    r = y / mu
    zero = y == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        lnr = np.log(r)
    flat = "no valid interval: the analytic standard error is 0 when every subgroup equals the average"
    if "TI" in codes:
        with np.errstate(invalid="ignore"):
            rlnr = np.where(zero, 0.0, r * lnr)
        # rounding can leave a tiny negative sum; the index is never below 0 (Jensen's inequality)
        ti = max(1000 * float((p * rlnr).sum()), 0.0) + 0.0
        top = 1000 * float(np.log(1 / p.min()))  # all of the indicator in the smallest subgroup
        if (zero & (s > 0)).any():
            who = ", ".join(str(v) for v in labels[zero & (s > 0)][:3])
            analytic("TI", ti, np.inf, ci_note=f"no interval: the standard error is infinite when an estimate "
                                               f"is 0 with a standard error above 0 ({who})")
        else:
            with np.errstate(invalid="ignore"):
                t = (p * np.where(zero, 0.0, r * (1 + lnr))).sum()
                var = np.where(zero, 0.0, p ** 2 * s ** 2 * (1 + lnr - t) ** 2).sum() / mu ** 2
            analytic("TI", ti, 1000 * np.sqrt(var), lo=0, hi=top,
                     ci_note=flat if var == 0 and (s > 0).any() else "")
    if "MLD" in codes and zero.any():
        who = ", ".join(str(v) for v in labels[zero][:3]) + (" and others" if zero.sum() > 3 else "")
        note("MLD", f"not calculated: the mean log deviation takes the log of every estimate, and "
                    f"{who} {'has an estimate' if zero.sum() == 1 else 'have estimates'} of 0")
    elif "MLD" in codes:
        var = (p ** 2 * s ** 2 * (1 - 1 / r) ** 2).sum() / mu ** 2
        analytic("MLD", max(1000 * float(-(p * lnr).sum()), 0.0) + 0.0, 1000 * np.sqrt(var), lo=0,
                 ci_note=flat if var == 0 and (s > 0).any() else "")


def _attributable(analytic, note, codes, y, n, mu, labels, order, fav, k, multiplier):
    """PAF and PAR against subgroup ``k`` (default: the most advantaged, or the best), Walter's variance."""
    if k is None:
        k = int(np.argmax(order)) if order is not None else int(np.argmax(y) if fav else np.argmin(y))
        who = "the most advantaged" if order is not None else "the best"
    else:
        who = "given as paf_reference"
    named = f"reference subgroup: {labels[k]} ({who})"
    if not mu > 0:
        note("PAF", f"not calculated: every estimate is 0, and the PAF is relative to the average; {named}")
        if "PAR" in codes:
            analytic("PAR", 0.0, np.nan, ci_note=f"{named}; no interval: Walter's standard error needs an "
                                                 "average above 0")
        return
    raw = y[k] - mu
    set0 = (fav and raw < 0) or (not fav and raw > 0)
    total, nref = n.sum(), n[k]
    c = y[k] / multiplier * nref
    d = nref - c
    a = mu / multiplier * total - c
    b = total - a - nref
    ci_note = ""
    if (y > multiplier).any():
        ci_note = ("no interval: Walter's standard error treats the estimates as proportions of the multiplier, "
                   "and an estimate is above it")
        se_frac = np.nan
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            se_frac = np.sqrt(c * total * (a * d * (total - c) + b * c ** 2) / ((a + c) ** 3 * (c + d) ** 3))
    zeroed = ("set to 0: the reference subgroup is worse than the average, so reaching its level gains "
              "nothing; the interval is Walter's, truncated at 0") if set0 else ""
    headroom = multiplier if multiplier == 100 else np.inf  # a percentage cannot pass 100
    if "PAF" in codes:
        lo, hi = (0.0, 100 * (headroom - mu) / mu) if fav else (-100.0, 0.0)
        analytic("PAF", 0.0 if set0 else 100 * raw / mu, 100 * se_frac, lo=lo, hi=hi, centre=100 * raw / mu,
                 ci_note=ci_note)
        note("PAF", "; ".join(t for t in (named, zeroed) if t))
    if "PAR" in codes:
        lo, hi = (0.0, headroom - mu) if fav else (-mu, 0.0)
        analytic("PAR", 0.0 if set0 else raw, mu * se_frac, lo=lo, hi=hi, centre=raw, ci_note=ci_note)
        note("PAR", "; ".join(t for t in (named, zeroed) if t))


def _codes(measures, ordered):
    if isinstance(measures, str) and measures.lower() == "all":
        return [c for c, (_, _, only) in MEASURES.items() if ordered or not only]
    codes = [str(m).upper() for m in as_list(measures)]
    unknown = [c for c in codes if c not in MEASURES]
    if unknown:
        raise DataError(f"unknown summary measure '{unknown[0]}'", hint="Choose from " + ", ".join(MEASURES))
    return codes


def _pair(y, order, fav, ref):
    """Indices (first, second) of the subgroups compared by D and R (HEAT Technical Notes tables 1-2)."""
    if order is not None:
        dis, adv = int(np.argmin(order)), int(np.argmax(order))
        return (adv, dis) if fav else (dis, adv)
    if ref is not None:
        others = np.array([j for j in range(len(y)) if j != ref])
        if fav:
            return ref, int(others[np.argmin(y[others])])
        return int(others[np.argmax(y[others])]), ref
    return int(np.argmax(y)), int(np.argmin(y))


def _frame(rows, codes, levels, general_note, data):
    cols = ci_columns(levels)
    records = []
    for c in codes:
        name, meaning, only = MEASURES[c]
        r = rows[c]
        rec = {"measure": c, "name": name, "value": r["value"]}
        for (_, lo, hi), (a, b) in zip(cols, r["ci"]):
            rec[lo], rec[hi] = a, b
        rec.update({"se": r["se"], "interpretation": meaning, "ordered_only": only,
                    "ci_method": r["ci_method"], "note": general_note or "; ".join(r["note"])})
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    for col in ["value", "se"] + [c for _, lo, hi in cols for c in (lo, hi)]:
        out[col] = out[col].astype(float)
    out["confidence"] = levels[0] if len(levels) == 1 else ", ".join(f"{lv:g}" for lv in levels)
    return carry(out, data)
