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
from ._common import as_list, ci_columns, confidence_levels, numeric, require_columns
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
            "0 means no improvement if everyone had the reference subgroup's level; % of the average", False),
    "PAR": ("Population attributable risk",
            "0 means no improvement if everyone had the reference subgroup's level; in the indicator's units", False),
}
_SIMULATED = ("BGSD", "COV", "MDMU", "MDMW", "MDBU", "MDBW", "MDRU", "MDRW", "IDISU", "IDISW")


def summary_measures(data: pd.DataFrame, *, by: str, value: str, se: str, population: str,
                     ordered: str | None, favourable: bool, reference=None, multiplier: float = 100,
                     measures="all", confidence=0.95, simulations: int = 1000, seed=None) -> pd.DataFrame:
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
        The ``by`` label of a reference subgroup (needed for MDRU and MDRW; used by D, R,
        PAF and PAR on a dimension with no natural order).
    multiplier : float
        The scale of ``value``: 100 for percentages, 1000 for per 1,000, ...
    measures : "all" or list of str
        Codes to compute (D, R, ACI, RCI, SII, RII, BGV, BGSD, COV, MDMU, MDMW, MDBU, MDBW, MDRU, MDRW,
        IDISU, IDISW, TI, MLD, PAF, PAR). "all" leaves out the four ordered-only measures
        (ACI, RCI, SII, RII) when ``ordered`` is None.
    confidence : float or list of float
        Confidence level(s) of the intervals.
    simulations : int
        Draws for the simulation intervals (HEAT uses 100; more gives steadier limits).
    seed : int or numpy.random.Generator, optional
        Fixes the simulation draws.

    Returns
    -------
    DataFrame
        One row per measure: ``measure`` (code), ``name``, ``value``, ``lower_ci``, ``upper_ci``
        (suffixed per level when several), ``se`` (blank for simulation intervals),
        ``interpretation`` (what 0 or 1 means), ``ordered_only``, ``ci_method`` and ``note``,
        with the provenance of ``data``. The measures describe a pattern, not its causes.

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
    - TI = 1000 sum p_j r_j ln r_j and MLD = 1000 sum p_j (-ln r_j), r_j = y_j / mu (a zero
      estimate counts as 1e-6), analytic variances scaled by 1000 like the estimates.
    - PAF = 100 (y_ref - mu) / mu and PAR = y_ref - mu, set to 0 when the reference is worse than the
      average; the reference is the most advantaged subgroup (ordered), otherwise the given
      reference or the best subgroup. Walter's variance (on the fraction scale, so x 100 for PAF).
    - Simulation intervals (BGSD, COV, MD*, IDIS*): each estimate is redrawn from a normal
      distribution with its standard error, redrawn until not negative (and not above 100 for
      percentages), the measure recomputed (average and best subgroup included), and the
      percentile limits taken.

    Where this differs from HEAT's software: intervals for PAF, TI, MLD are on the estimate's
    scale (HEAT's are 100 or 1000 times too narrow), RCI is in % and its SE and ACI's follow the
    Technical Notes' analytic formulas (HEAT uses a regression SE), and simulation intervals honour
    ``confidence`` (HEAT fixes them at 95%). ``docs/heat-differences.md`` gives the details.
    """
    levels = confidence_levels(confidence)
    require_columns(data, [by, value, se, population, ordered], what=_WHAT)
    if ordered is True or ordered is False:
        raise DataError("ordered= takes the name of the column giving the subgroup order "
                        "(1 = most disadvantaged), or None for a dimension with no natural order")
    if not np.isfinite(multiplier) or multiplier <= 0:
        raise DataError(f"multiplier must be a positive number such as 100 or 1000, not {multiplier}")
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
    if reference is not None and reference not in set(labels_all):
        raise DataError(f"the reference subgroup '{reference}' is not in column '{by}'", column=by,
                        hint="Give reference= exactly as the subgroup is written in the table")
    if (y_all < 0).any():
        raise DataError("summary_measures: estimates cannot be negative", column=value,
                        rows=(np.flatnonzero(y_all < 0) + 1).tolist())

    keep = np.isfinite(y_all) & np.isfinite(s_all) & np.isfinite(n_all) & (n_all > 0)
    if order_all is not None:
        keep &= np.isfinite(order_all)
    missing_share = 1 - keep.mean()
    y, s, n, labels = y_all[keep], s_all[keep], n_all[keep], labels_all[keep]
    order = order_all[keep] if order_all is not None else None

    rows = {c: {"value": np.nan, "se": np.nan, "ci": [(np.nan, np.nan)] * len(levels), "note": "",
                "ci_method": ""} for c in codes}
    general_note = ""
    if missing_share > 0.15:
        general_note = (f"not calculated: {missing_share:.0%} of subgroups lack an estimate, standard error "
                        "or population (HEAT's limit is 15%)")
    elif len(y) < 2:
        general_note = "not calculated: fewer than two subgroups have an estimate"
    if general_note:
        return _frame(rows, codes, levels, general_note, data)

    if order is not None:
        sort = np.argsort(order, kind="stable")
        y, s, n, labels, order = y[sort], s[sort], n[sort], labels[sort], order[sort]
    p = n / n.sum()
    mu = float((p * y).sum())
    ref_idx = int(np.flatnonzero(labels == reference)[0]) if reference is not None and reference in labels else None
    fav = bool(favourable)
    zs = [special.ndtri(0.5 + lv / 2) for lv in levels]

    def analytic(code, value, se_, log=False):
        r = rows[code]
        r["value"], r["se"], r["ci_method"] = value, se_, "analytic (HEAT Technical Notes)"
        if log:
            r["ci"] = [(value * np.exp(-z * se_ / value), value * np.exp(z * se_ / value)) for z in zs]
        else:
            r["ci"] = [(value - z * se_, value + z * se_) for z in zs]

    if {"D", "R"} & set(codes):
        i1, i2 = _pair(y, order, fav, ref_idx)
        if "D" in codes:
            analytic("D", y[i1] - y[i2], np.sqrt(s[i1] ** 2 + s[i2] ** 2))
            rows["D"]["note"] = f"{labels[i1]} minus {labels[i2]}"
        if "R" in codes:
            if y[i2] > 0:
                ratio = y[i1] / y[i2]
                analytic("R", ratio, np.sqrt((s[i1] ** 2 + ratio ** 2 * s[i2] ** 2) / y[i2] ** 2), log=ratio > 0)
                rows["R"]["note"] = f"{labels[i1]} divided by {labels[i2]}"
            else:
                rows["R"]["note"] = f"not calculated: {labels[i2]} has an estimate of 0"

    ordered_codes = [c for c in ("ACI", "RCI", "SII", "RII") if c in codes]
    if ordered_codes and order is None:
        for c in ordered_codes:
            rows[c]["note"] = "not calculated: needs an ordered dimension (give ordered=)"
    elif ordered_codes and not keep.all():
        for c in ordered_codes:
            rows[c]["note"] = "not calculated: a subgroup of the ordered dimension has no estimate"
    elif ordered_codes:
        x = np.cumsum(p) - p / 2
        w = 2 * x - 1
        aci = float((p * w * y).sum())
        if "ACI" in codes:
            analytic("ACI", aci, np.sqrt((p ** 2 * s ** 2 * w ** 2).sum()))
        if "RCI" in codes:
            rci = aci / mu
            analytic("RCI", 100 * rci, 100 * np.sqrt((p ** 2 * s ** 2 * (w - rci) ** 2).sum()) / mu)
        if {"SII", "RII"} & set(codes):
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
                                                                          else "")
                r["note"] = str(fit["note"].iloc[0])

    if "BGV" in codes:
        d = y - mu
        ps2 = p ** 2 * s ** 2
        var = 4 * (ps2 * d ** 2).sum() + 2 * (ps2.sum() ** 2 - (ps2 ** 2).sum() + (p ** 2 * (1 - p) ** 2 * s ** 4).sum())
        analytic("BGV", float((p * d ** 2).sum()), np.sqrt(var))

    if {"TI", "MLD"} & set(codes):
        r_ = np.where(y == 0, 1e-6, y) / mu
        lnr = np.log(r_)
        if "TI" in codes:
            t = (p * r_ * (1 + lnr)).sum()
            var = (p ** 2 * s ** 2 * (1 + lnr - t) ** 2).sum() / mu ** 2
            analytic("TI", 1000 * float((p * r_ * lnr).sum()), 1000 * np.sqrt(var))
        if "MLD" in codes:
            var = (p ** 2 * s ** 2 * (1 - 1 / r_) ** 2).sum() / mu ** 2
            analytic("MLD", 1000 * float(-(p * lnr).sum()), 1000 * np.sqrt(var))

    if {"PAF", "PAR"} & set(codes):
        if order is not None:
            k = int(np.argmax(order))
        elif ref_idx is not None:
            k = ref_idx
        else:
            k = int(np.argmax(y) if fav else np.argmin(y))
        gap = y[k] - mu
        if (fav and gap < 0) or (not fav and gap > 0):
            gap = 0.0
        total, nref = n.sum(), n[k]
        c = y[k] / multiplier * nref
        dd = nref - c
        a = mu / multiplier * total - c
        b = total - a - nref
        se_frac = np.sqrt(c * total * (a * dd * (total - c) + b * c ** 2) / ((a + c) ** 3 * (c + dd) ** 3))
        if "PAF" in codes:
            analytic("PAF", 100 * gap / mu, 100 * se_frac)
            rows["PAF"]["note"] = f"reference subgroup: {labels[k]}"
        if "PAR" in codes:
            analytic("PAR", float(gap), mu * se_frac)
            rows["PAR"]["note"] = f"reference subgroup: {labels[k]}"

    sim_codes = [c for c in _SIMULATED if c in codes]
    if sim_codes:
        if ("MDRU" in codes or "MDRW" in codes) and ref_idx is None:
            for c in ("MDRU", "MDRW"):
                if c in codes:
                    rows[c]["note"] = "not calculated: needs a reference subgroup (give reference=)"
            sim_codes = [c for c in sim_codes if c not in ("MDRU", "MDRW")]
        point = _sim_measures(y[None, :], p, fav, ref_idx)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        upper = 100.0 if multiplier == 100 else np.inf
        draws = _truncated_draws(rng, y, s, int(simulations), upper)
        sim = _sim_measures(draws, p, fav, ref_idx)
        for c in sim_codes:
            r = rows[c]
            r["value"] = float(point[c][0])
            r["ci"] = [tuple(np.quantile(sim[c], [0.5 - lv / 2, 0.5 + lv / 2])) for lv in levels]
            r["ci_method"] = f"simulation ({int(simulations)} draws, percentile)"
    return _frame(rows, codes, levels, "", data)


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


def _truncated_draws(rng, y, s, sims, upper):
    """Normal draws around each estimate, redrawn until inside [0, upper] (HEAT's rule)."""
    draws = y + s * rng.standard_normal((sims, len(y)))
    for _ in range(1000):
        bad = (draws < 0) | (draws > upper)
        if not bad.any():
            break
        cols = np.nonzero(bad)[1]
        draws[bad] = y[cols] + s[cols] * rng.standard_normal(cols.size)
    return np.clip(draws, 0, upper)


def _sim_measures(Y, p, fav, ref):
    """The simulation-interval measures for each row of Y (draws x subgroups)."""
    mu = Y @ p
    dev = np.abs(Y - mu[:, None])
    best = Y.max(axis=1) if fav else Y.min(axis=1)
    dbest = np.abs(Y - best[:, None])
    bgsd = np.sqrt(((Y - mu[:, None]) ** 2) @ p)
    out = {"BGSD": bgsd, "COV": 100 * bgsd / mu, "MDMU": dev.mean(axis=1), "MDMW": dev @ p,
           "MDBU": dbest.mean(axis=1), "MDBW": dbest @ p}
    out["IDISU"] = 100 * out["MDMU"] / mu
    out["IDISW"] = 100 * out["MDMW"] / mu
    if ref is not None:
        dref = np.abs(Y - Y[:, [ref]])
        out["MDRU"], out["MDRW"] = dref.mean(axis=1), dref @ p
    return out


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
                    "ci_method": r["ci_method"], "note": general_note or r["note"]})
        records.append(rec)
    out = pd.DataFrame.from_records(records)
    for col in ["value", "se"] + [c for _, lo, hi in cols for c in (lo, hi)]:
        out[col] = out[col].astype(float)
    out["confidence"] = levels[0] if len(levels) == 1 else ", ".join(f"{lv:g}" for lv in levels)
    return carry(out, data)
