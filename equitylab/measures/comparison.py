"""Compare groups with a reference group or the overall value: gap, ratio and a plain label.

The labels follow the Fingertips way of comparing with a benchmark (PHE Technical Guide,
*Confidence intervals*): a group is "higher" or "lower" only when its interval (or the
interval of the gap) excludes the reference; with a known polarity the words are "better"
and "worse". The sentences describe differences; they never say why a difference exists.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..provenance import carry
from ._common import ci_columns, ci_suffix, confidence_levels, join_notes, numeric, require_columns
from .rates import proportion, rate, z_value

LEVELS = [0.95, 0.998]
_KIND_MULTIPLIER = {"proportion": 100, "rate": 100_000}


def _mover_difference(v1, l1, u1, v2, l2, u2):
    """Method of variance estimates recovery for v1 - v2 (Zou and Donner 2008); with Wilson
    limits this is Newcombe's (1998) hybrid score interval for a difference of proportions."""
    d = v1 - v2
    return d, d - np.sqrt((v1 - l1) ** 2 + (u2 - v2) ** 2), d + np.sqrt((u1 - v1) ** 2 + (v2 - l2) ** 2)


def _fmt(x, ratio=False):
    if not np.isfinite(x):
        return "not available"
    if ratio:
        return f"{x:.2f}"
    a = abs(x)
    if a >= 1000:
        return f"{x:,.0f}"
    if a >= 1:
        return f"{x:,.1f}"
    return f"{x:.3g}"


def compare(data: pd.DataFrame, *, by: str, reference="overall", numerator: str | None = None,
            denominator: str | None = None, value: str | None = None, lower_ci: str | None = None,
            upper_ci: str | None = None, confidence: float = 0.95, polarity: str | None = None,
            kind: str = "proportion", multiplier: float | None = None) -> pd.DataFrame:
    """Each group's gap (difference) and ratio against a reference, with a plain-English label.

    Parameters
    ----------
    data : DataFrame
        Counts (``numerator``/``denominator``, added up within each group) or one row per
        group with ``value`` and its ``lower_ci``/``upper_ci`` confidence limits.
    by : str
        The column naming the groups (e.g. "ethnicity", "quintile").
    reference : str, number or "overall"
        A group label to compare with, "overall" (all groups together; counts only), or a
        number such as the England value (treated as fixed, as a Fingertips benchmark).
    numerator, denominator : str, optional
        Count columns; then intervals are Wilson (proportions) or exact/Byar (rates).
    value, lower_ci, upper_ci : str, optional
        Columns of ready-made estimates and their confidence limits at level ``confidence``.
        Results are then given at that level only.
    polarity : {None, "high_is_good", "low_is_good"}
        With a polarity the labels read better/similar/worse, else higher/similar/lower.
    kind : {"proportion", "rate"}
        What the counts measure.
    multiplier : float, optional
        100 for proportions (a percentage) and 100,000 for rates unless given.
    confidence : float
        The level the label and the group's ``lower_ci``/``upper_ci`` use: 0.95 or 0.998
        (Fingertips shows both, as 95% and 99.8%). With ready-made values, the level of the
        limits given. Gaps and ratios from counts are given at 95% and 99.8% (and this level).

    Returns
    -------
    DataFrame
        One row per group: ``by``, ``numerator`` and ``denominator`` (when counts were
        given), ``value``, ``lower_ci``, ``upper_ci`` (of the group, at ``confidence``),
        ``reference``, ``reference_value``, ``difference`` with ``difference_lower_ci_95`` ...
        ``difference_upper_ci_99_8``, ``ratio`` with ``ratio_lower_ci_95`` ..., ``label``,
        ``confidence`` (e.g. "95%"), ``label_basis``, ``sentence``, ``method`` and ``note``.

    Notes
    -----
    Against another group: the gap's interval by the method of variance estimates recovery
    (MOVER; Zou and Donner 2008) from each group's own interval, which for Wilson intervals
    is Newcombe's (1998) method 10 for a difference of proportions; the ratio by the Katz
    log method (Katz et al. 1978) for proportions, the log rate-ratio normal approximation
    (Rothman and Greenland) for rates, or MOVER on the log scale for ready-made estimates.
    The label uses the gap's interval: it excludes 0 -> higher/lower.
    Against "overall" or a number, the reference is treated as fixed, as Fingertips compares
    an area with England: the label says whether the group's own interval excludes it.
    """
    what = "compare()"
    if polarity not in (None, "high_is_good", "low_is_good"):
        raise DataError(f"{what}: polarity must be None, 'high_is_good' or 'low_is_good', not {polarity!r}")
    if kind not in _KIND_MULTIPLIER:
        raise DataError(f"{what}: kind must be 'proportion' or 'rate', not {kind!r}")
    label_level = confidence_levels(confidence)[0]
    counts = numerator is not None or denominator is not None
    require_columns(data, [by], what=what)
    if counts:
        if numerator is None or denominator is None or value is not None:
            raise DataError(f"{what}: give numerator= and denominator= (counts), "
                            "or value=, lower_ci=, upper_ci=")
        mult = multiplier if multiplier is not None else _KIND_MULTIPLIER[kind]
        measure = proportion if kind == "proportion" else rate
        levels = LEVELS if label_level in LEVELS else LEVELS + [label_level]
        groups = measure(data, numerator, denominator, by=by, multiplier=mult, confidence=levels)
        overall = measure(data, numerator, denominator, multiplier=mult, confidence=levels)
        x = groups["numerator"].to_numpy(float)
        n = groups["denominator"].to_numpy(float)
        lims = {lv: (groups[lo].to_numpy(float), groups[hi].to_numpy(float))
                for lv, lo, hi in ci_columns(levels)}
        v = groups["value"].to_numpy(float)
        method = "Wilson" if kind == "proportion" else "exact/Byar Poisson"
    else:
        if value is None or lower_ci is None or upper_ci is None:
            raise DataError(f"{what}: give numerator= and denominator= (counts), "
                            "or value=, lower_ci=, upper_ci=")
        require_columns(data, [value, lower_ci, upper_ci], what=what)
        if data[by].duplicated().any():
            raise DataError(f"{what}: with ready-made values each group needs exactly one row", column=by,
                            rows=(np.flatnonzero(data[by].duplicated().to_numpy()) + 1).tolist())
        levels = [label_level]
        groups = data[[by]].reset_index(drop=True)
        v = numeric(data, value, what=what)
        lims = {label_level: (numeric(data, lower_ci, what=what), numeric(data, upper_ci, what=what))}
        lo_, hi_ = lims[label_level]
        outside = (lo_ > v) | (v > hi_) | (lo_ > hi_)
        if outside.any():
            raise DataError(f"{what}: a value lies outside its own confidence limits ('{lower_ci}' to '{upper_ci}')",
                            column=value, rows=(np.flatnonzero(outside) + 1).tolist(),
                            hint="Check that the value and limit columns are not swapped")
        x = n = None
        overall = None
        method = "given"

    labels = groups[by].to_numpy()
    k = len(labels)
    if isinstance(reference, str) and reference == "overall":
        if not counts:
            raise DataError(f"{what}: 'overall' needs counts; with ready-made values give a group label "
                            "or a number (e.g. the England value) as reference=")
        fixed = True
        ref_name = "overall"
        rv = float(overall["value"].iloc[0])
        ref_mask = np.zeros(k, dtype=bool)
    elif isinstance(reference, int | float | np.number) and not isinstance(reference, bool):
        fixed = True
        ref_name = f"the benchmark ({_fmt(float(reference))})"
        rv = float(reference)
        ref_mask = np.zeros(k, dtype=bool)
    else:
        fixed = False
        ref_mask = np.array([lab == reference or str(lab) == str(reference) for lab in labels])
        if not ref_mask.any():
            raise DataError(f"{what}: the reference group {reference!r} is not in column '{by}'", column=by,
                            hint=f"Groups are: {', '.join(map(str, labels[:15]))}; "
                                 "or use reference='overall'")
        ref_name = str(reference)
        r = int(np.flatnonzero(ref_mask)[0])
        rv = float(v[r])

    # columns gathered in a dict and made a frame once: adding ~30 columns one at a time was
    # most of this function's time
    out = {by: groups[by].reset_index(drop=True)}
    if counts:
        out["numerator"] = x
        out["denominator"] = n
    out["value"] = v
    out["lower_ci"], out["upper_ci"] = lims[label_level]
    out["reference"] = ref_name
    out["reference_value"] = rv
    diff_cols, ratio_cols = {}, {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for lv in levels:
            l1, u1 = lims[lv]
            if fixed:
                d, dl, du = v - rv, l1 - rv, u1 - rv
                rr, rl, ru = v / rv, l1 / rv, u1 / rv
            else:
                l2, u2 = l1[r], u1[r]
                d, dl, du = _mover_difference(v, l1, u1, rv, l2, u2)
                rr = v / rv
                z = z_value(lv)
                if counts and kind == "proportion":
                    se = np.sqrt(1 / x - 1 / n + 1 / x[r] - 1 / n[r])
                    rl, ru = rr * np.exp(-z * se), rr * np.exp(z * se)
                elif counts:
                    se = np.sqrt(1 / x + 1 / x[r])
                    rl, ru = rr * np.exp(-z * se), rr * np.exp(z * se)
                else:
                    lr, ll1, lu1 = np.log(v), np.log(l1), np.log(u1)
                    lr2, ll2, lu2 = np.log(rv), np.log(l2), np.log(u2)
                    _, a, b = _mover_difference(lr, ll1, lu1, lr2, ll2, lu2)
                    rl, ru = np.exp(a), np.exp(b)
                d = np.where(ref_mask, 0.0, d)
                rr = np.where(ref_mask, 1.0, rr)
                dl, du, rl, ru = (np.where(ref_mask, np.nan, a) for a in (dl, du, rl, ru))
            diff_cols[lv] = (d, dl, du)
            ratio_cols[lv] = (rr, rl, ru)
    out["difference"] = diff_cols[levels[0]][0]
    for lv in levels:
        sfx = ci_suffix(lv)
        out[f"difference_lower_ci_{sfx}"] = diff_cols[lv][1]
        out[f"difference_upper_ci_{sfx}"] = diff_cols[lv][2]
    out["ratio"] = ratio_cols[levels[0]][0]
    for lv in levels:
        sfx = ci_suffix(lv)
        out[f"ratio_lower_ci_{sfx}"] = ratio_cols[lv][1]
        out[f"ratio_upper_ci_{sfx}"] = ratio_cols[lv][2]

    _, dl, du = diff_cols[label_level]
    higher = dl > 0
    lower_ = du < 0
    known = np.isfinite(dl) & np.isfinite(du)
    direction = np.where(higher, "higher", np.where(lower_, "lower", "similar"))
    if polarity == "high_is_good":
        words = {"higher": "better", "lower": "worse", "similar": "similar"}
    elif polarity == "low_is_good":
        words = {"higher": "worse", "lower": "better", "similar": "similar"}
    else:
        words = {"higher": "higher", "lower": "lower", "similar": "similar"}
    label = np.array([words[dct] for dct in direction], dtype=object)
    label[~known] = "not compared"
    label[ref_mask] = "reference"
    out["label"] = label
    pct = f"{label_level * 100:.10g}%"
    out["confidence"] = pct
    out["label_basis"] = (f"the group's {pct} confidence interval compared with the {ref_name} value" if fixed
                          else f"the {pct} confidence interval of the difference from {ref_name}")
    sentences = []
    unit = "%" if counts and kind == "proportion" and (multiplier in (None, 100)) else ""
    for i in range(k):
        g, val = labels[i], v[i]
        if ref_mask[i]:
            sentences.append(f"{g} is the reference group ({_fmt(val)}{unit}).")
            continue
        if not known[i]:
            sentences.append(f"{g} cannot be compared with {ref_name}: not enough data.")
            continue
        gap = f"{_fmt(diff_cols[label_level][0][i])}{' percentage points' if unit else ''}"
        ci = f"{pct} CI {_fmt(dl[i])} to {_fmt(du[i])}"
        polar = f" ({label[i]})" if polarity and direction[i] != "similar" else ""
        if direction[i] == "similar":
            sentences.append(f"{g} ({_fmt(val)}{unit}) is similar to {ref_name} ({_fmt(rv)}{unit}): "
                             f"the gap of {gap} ({ci}) could be chance.")
        else:
            sentences.append(f"{g} ({_fmt(val)}{unit}) is {direction[i]}{polar} than {ref_name} "
                             f"({_fmt(rv)}{unit}); the gap is {gap} ({ci}), "
                             "more than chance alone is likely to give.")
    out["sentence"] = sentences
    if fixed:
        gap_method = "the group's interval against a fixed reference"
        ratio_method = "the group's interval over the reference"
    else:
        gap_method = "MOVER (Newcombe/Zou-Donner)"
        ratio_method = ("the Katz log method" if counts and kind == "proportion"
                        else "the log rate-ratio method" if counts else "MOVER on the log scale")
    out["method"] = f"{method} intervals; gap by {gap_method}; ratio by {ratio_method}"
    out["note"] = join_notes(groups["note"].to_numpy(object) if counts else np.full(k, "", dtype=object),
                             _ratio_notes(v, rv, ratio_cols, levels, ref_mask, counts, x, fixed, ref_name))
    return carry(pd.DataFrame(out), data)


def _ratio_notes(v, rv, ratio_cols, levels, ref_mask, counts, x, fixed, ref_name):
    """Blank the ratios and limits that have no meaning (in place) and say why, one note per group."""
    k = len(v)
    notes = np.full(k, "", dtype=object)
    if not rv > 0:
        for lv in levels:
            for a in ratio_cols[lv]:
                a[~ref_mask] = np.nan
        whose = ref_name.split(" (")[0] if fixed and ref_name != "overall" else f"the value of {ref_name}"
        notes[~ref_mask & ~np.isnan(v)] = f"no ratio: {whose} is {_fmt(rv)}, and a ratio divides by it"
        return notes
    for lv in levels:
        rr, rl, ru = ratio_cols[lv]
        gone = ~ref_mask & np.isfinite(rr) & ~(np.isfinite(rl) & np.isfinite(ru))
        rl[gone] = ru[gone] = np.nan
        if counts and not fixed:
            notes[gone & (x == 0)] = ("no interval for the ratio: the group has no events, and the log method "
                                      "needs at least one")
        notes[gone & (notes == "")] = "no interval for the ratio: the log method needs values and limits above 0"
    return notes
