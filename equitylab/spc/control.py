"""Run charts and control (SPC) charts, stratified by group.

The statistics are pure pandas/numpy; altair is imported only when ``.chart()`` is called
(:mod:`equitylab.charts.spc` draws them).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import provenance
from ..errors import DataError, SmallNumbersWarning
from ..measures._common import as_list, numeric, require_columns
from . import _rules
from ._annotate import as_annotations, coerce_like
from .describe import describe
from ._limits import CHARTS, NEEDS_N, NO_N, phase_limits

TRIAL_POINTS = 12  # limits from fewer points are trial limits (Making Data Count)
SMALL_COUNT = (1, 7)  # numerators or denominators suppressed when publishing
ASTRONOMICAL = 3.14  # times the median moving range (Provost & Murray 2011, I chart)
MR_CHARTS = {"xmr", "i", "t", "pp", "up", "mr"}
IMPROVEMENT = ("increase", "decrease", "neutral")


class TrialLimitsWarning(UserWarning):
    """Limits were computed from fewer than 12 points: treat them as trial limits."""


class SmallDenominatorWarning(UserWarning):
    """Denominators are too small for the limits to be trusted: use longer periods."""


VARIATION_TEXT = {
    "common_cause": "Common cause variation: no significant change",
    "improvement_high": "Special cause variation: improvement (higher values)",
    "improvement_low": "Special cause variation: improvement (lower values)",
    "concern_high": "Special cause variation: concern (higher values)",
    "concern_low": "Special cause variation: concern (lower values)",
    "neutral_high": "Special cause variation: neither improvement nor concern (higher values)",
    "neutral_low": "Special cause variation: neither improvement nor concern (lower values)",
}
ASSURANCE_TEXT = {
    "pass": "Assurance: the process will consistently hit the target",
    "fail": "Assurance: the process will consistently miss the target",
    "inconsistent": "Assurance: the process will hit and miss the target (inconsistent)",
}


@dataclass
class SPCResult:
    """A run or control chart: per-point results, a per-phase summary and the chart.

    Attributes
    ----------
    points : DataFrame
        One row per period and group (see :func:`control_chart` for the columns).
    summary : DataFrame
        One row per group and phase.
    settings : dict
        The chart type, rule set and options used (the caption is built from these).
    warnings : list of str
        Warnings raised while computing (trial limits, small denominators).
    annotations : list of (x, label)
        Change dates and PDSA cycles to mark on the chart.
    """

    points: pd.DataFrame
    summary: pd.DataFrame
    settings: dict
    warnings: list = field(default_factory=list)
    annotations: list = field(default_factory=list)

    def caption(self, audience: str = "team") -> str:
        """One paragraph naming the chart, the rule set, MR screening, options and the source."""
        s = self.settings
        parts = [s["chart_label"] + ".", "Rules: " + s["rules_label"] + "."]
        if s["chart"] in MR_CHARTS:
            parts.append(
                "Moving ranges screened (above 3.267 times their mean left out)."
                if s["screen_mr"]
                else "Moving ranges not screened (as the Making Data Count spreadsheet)."
            )
        else:
            parts.append("Moving ranges not used by this chart.")
        if s.get("freeze"):
            parts.append(f"Centre and limits from the first {s['freeze']} points of each phase.")
        if s.get("phases"):
            parts.append(
                f"{len(s['phases'])} change point(s) start new phases; limits are not rebased automatically."
            )
        if s.get("exclude"):
            parts.append(f"{len(s['exclude'])} point(s) left out of the centre, limits and runs analysis.")
        if s.get("multiplier", 1) != 1:
            parts.append(f"Values multiplied by {s['multiplier']:g}.")
        if self.summary["trial_limits"].any():
            parts.append("Some limits are trial limits (fewer than 12 points).")
        if audience == "publish":
            hidden = int(self.points["small_number"].sum())
            if hidden:
                parts.append(f"{hidden} point(s) based on counts of 1 to 7 hidden to protect privacy.")
        parts.append(provenance.caption(self.points))
        return " ".join(parts)

    def describe(self) -> str:
        """A plain-English text summary of the chart, for screen readers and reports."""
        return describe(self)

    def chart(
        self,
        *,
        audience: str = "team",
        title: str | None = None,
        width: int | None = None,
        height: int | None = None,
        columns: int = 2,
    ):
        """An altair chart (one panel per group, shared axes) with its caption and description.

        ``audience="team"`` shows every point and, when counts of 1 to 7 are present, a
        "small numbers: do not share" banner; ``audience="publish"`` hides those points and
        says so in the caption.
        """
        from ..charts.spc import spc_chart  # altair only when a chart is asked for: spc stays chart-free

        return spc_chart(self, audience=audience, title=title, width=width, height=height, columns=columns)

    def _repr_html_(self):  # pragma: no cover - notebook display
        return self.summary.to_html(index=False)


def _group_labels(df: pd.DataFrame, by) -> pd.Series:
    cols = as_list(by)
    if not cols:
        return pd.Series("All", index=df.index)
    if len(cols) == 1:
        return df[cols[0]].astype("string").fillna("Not known").astype(object)
    return df[cols].astype("string").fillna("Not known").agg(" / ".join, axis=1).astype(object)


def _prepare(data, *, x, y, n, by, chart, what) -> pd.DataFrame:
    """Validated, aggregated and sorted frame with columns group, x, y, numerator, n."""
    require_columns(data, [x, y, n, *as_list(by)], what=what)
    if chart in NEEDS_N and n is None:
        raise DataError(
            f"a {chart.upper()} chart needs a denominator",
            column=y,
            hint="Pass n='the column holding the number of patients (or patient-days)'",
        )
    if chart in NO_N and n is not None:
        raise DataError(
            f"a {chart.upper()} chart does not use a denominator",
            column=n,
            hint="Leave out n=, or use chart='u' for counts per patient-day",
        )
    values = numeric(data, y, what=what, allow_negative=chart in (None, "xmr", "i", "mr") and n is None)
    if chart == "t" and (values[~np.isnan(values)] <= 0).any():
        rows = (np.flatnonzero(values <= 0) + 1).tolist()
        raise DataError("a T chart needs times between events greater than zero", column=y, rows=rows)
    labels = _group_labels(data, by)
    # groups in the natural order of their values (numbers as numbers, categories as defined)
    firsts = data[as_list(by)].assign(_label=labels.to_numpy()).drop_duplicates("_label") if by else None
    order = firsts.sort_values(as_list(by), kind="stable")["_label"].tolist() if by else ["All"]
    frame = pd.DataFrame(
        {"group": pd.Categorical(labels.to_numpy(), categories=order), "x": data[x].to_numpy(), "y": values}
    )
    if frame["x"].isna().any():
        rows = (np.flatnonzero(frame["x"].isna().to_numpy()) + 1).tolist()
        raise DataError(
            f"{what}: every row needs a value of '{x}'",
            column=x,
            rows=rows,
            hint="Fill in the period or drop those rows",
        )
    if n is not None:
        denom = numeric(data, n, what=what, allow_negative=False)
        frame["n"] = denom
        zero = denom == 0
        if zero.any():
            frame.loc[zero, "n"] = np.nan
        if chart in ("p", "pp"):
            over = values > denom
            if over.any():
                rows = (np.flatnonzero(over) + 1).tolist()
                raise DataError(
                    f"{what}: the count '{y}' is larger than the denominator '{n}'",
                    column=y,
                    rows=rows,
                    hint="Check that y counts people who are also counted in n",
                )
        frame = frame.dropna(subset=["y", "n"])
        frame = frame.groupby(["group", "x"], sort=True, as_index=False, observed=True)[["y", "n"]].sum()
        frame["numerator"] = frame["y"]
        frame["y"] = frame["numerator"] / frame["n"]
    else:
        frame = frame.dropna(subset=["y"])
        # several rows for one period: averaged, as qicharts2 does by default
        frame = frame.groupby(["group", "x"], sort=True, as_index=False, observed=True)["y"].mean()
        frame["n"] = np.nan
        frame["numerator"] = frame["y"] if chart == "c" else np.nan
    if frame.empty:
        raise DataError(f"{what}: there are no rows with numbers to chart", column=y)
    frame["group"] = frame["group"].astype(object)
    return frame.reset_index(drop=True)


def _phase_numbers(xs: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Phase 1, 2, ... for each x: a new phase begins at each start value."""
    if starts.size == 0:
        return np.ones(xs.size, int)
    return 1 + np.searchsorted(np.sort(starts), xs, side="right")


def _put(idx, flagged, direction, rule, mask, label, dirs) -> None:
    """Mark points ``idx[mask]`` with ``label`` unless an earlier (higher-precedence) rule did."""
    hit = idx[mask]
    new = hit[~flagged[hit]]
    rule[new] = label
    direction[new] = dirs[np.isin(hit, new)]
    flagged[new] = True


def _point_types(direction: np.ndarray, improvement: str) -> np.ndarray:
    out = np.full(direction.size, "common_cause", dtype=object)
    if improvement == "neutral":
        out[direction > 0] = "neutral_high"
        out[direction < 0] = "neutral_low"
    else:
        d = direction * (1 if improvement == "increase" else -1)
        out[d > 0] = "improvement"
        out[d < 0] = "concern"
    return out


def _variation(point_type: str, direction: int) -> str:
    if point_type == "common_cause" or direction == 0:
        return "common_cause"
    if point_type.startswith("neutral"):
        return point_type
    return f"{point_type}_{'high' if direction > 0 else 'low'}"


def _assurance(target, lower, upper, improvement) -> str | None:
    if target is None or improvement == "neutral" or not np.isfinite(target):
        return None
    if target > upper:
        return "fail" if improvement == "increase" else "pass"
    if target < lower:
        return "pass" if improvement == "increase" else "fail"
    return "inconsistent"


def _analyse(
    frame: pd.DataFrame,
    *,
    chart: str | None,
    rules: _rules.RuleSet,
    freeze,
    phase_starts,
    exclude_mask,
    screen_mr: bool,
    improvement: str,
    target,
    multiplier: float,
):
    """Per-point flags and per-phase summary for every group (the engine of both charts)."""
    groups = frame["group"].to_numpy()
    xs = frame["x"].to_numpy()
    y_all = frame["y"].to_numpy(float)
    num_all = frame["numerator"].to_numpy(float)
    n_all = frame["n"].to_numpy(float)
    size = len(frame)
    cols = {
        k: np.full(size, np.nan)
        for k in ("centre", "lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma")
    }
    y_plot = y_all.copy()
    phase = _phase_numbers(xs, phase_starts)
    baseline = np.zeros(size, bool)
    sigma = np.zeros(size, bool)
    flagged = np.zeros(size, bool)
    direction = np.zeros(size, int)
    rule = np.full(size, "", dtype=object)
    point_type = np.full(size, "common_cause", dtype=object)
    astro_all = np.zeros(size, bool)
    summaries = []

    # rows are sorted by group then x, so each group/phase is a contiguous slice
    gcode = pd.factorize(groups, sort=False)[0]
    bounds = np.flatnonzero((np.diff(gcode) != 0) | (np.diff(phase) != 0)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [size]))
    for lo, hi in zip(starts, ends, strict=True):
        sl = slice(lo, hi)
        m = hi - lo
        pos = np.arange(m)
        incl = ~exclude_mask[sl]
        base = (pos < freeze) if freeze else np.ones(m, bool)
        baseline[sl] = base
        y = y_all[sl]
        if chart is None:  # run chart: median of the baseline points
            b = base & incl
            centre = np.median(y[b]) if b.any() else np.nan
            lim = {"centre": np.full(m, centre), "y": y}
        else:
            lim = phase_limits(chart, y, num_all[sl], n_all[sl], base & incl, screen_mr)
            for k in ("lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma"):
                cols[k][sl] = lim[k]
        cols["centre"][sl] = lim["centre"]
        y = lim["y"]
        y_plot[sl] = y
        cl = lim["centre"]
        valid = ~np.isnan(y)
        with np.errstate(invalid="ignore"):
            out = (y > lim["upper_limit"]) | (y < lim["lower_limit"]) if chart else np.zeros(m, bool)
        if chart:  # a point on a limit, up to floating-point rounding, is not outside it
            out &= ~(
                np.isclose(y, lim["upper_limit"], rtol=1e-12, atol=0)
                | np.isclose(y, lim["lower_limit"], rtol=1e-12, atol=0)
            )
        out &= valid
        sigma[sl] = out
        side_all = np.sign(y - cl)
        side_all[~valid | np.isclose(y, cl, rtol=1e-12, atol=0)] = 0  # on the centre, up to rounding

        # runs, trends and 2-of-3 on the included points only, in order
        use = incl & valid
        idx = np.flatnonzero(use)
        yi, si = y[idx], side_all[idx]
        runs = _rules.anhoej(yi, cl[idx])
        f = np.zeros(m, bool)
        d = np.zeros(m, int)
        r = np.full(m, "", dtype=object)

        astronomical = np.zeros(m, bool)
        if chart is not None:
            hit = np.flatnonzero(out)
            r[hit] = "outside the limits"
            d[hit] = side_all[hit].astype(int)
            f[hit] = True
        if chart == "mr":
            pass  # no runs analysis on a moving range chart (as qicharts2)
        elif rules.name == "mdc":
            tr, tdir = _rules.trends(yi, rules.trend, skip_ties=False)
            _put(idx, f, d, r, tr, f"trend of {rules.trend}", tdir[tr])
            with np.errstate(invalid="ignore"):
                u2, l2 = lim["upper_2sigma"], lim["lower_2sigma"]
                beyond = (
                    ((y > u2) & ~np.isclose(y, u2, rtol=1e-12, atol=0))
                    | ((y < l2) & ~np.isclose(y, l2, rtol=1e-12, atol=0))
                )[idx]
            close = beyond if rules.two_of_three == "2023" else beyond & ~out[idx]
            tt = _rules.two_of_three(close, si)
            _put(idx, f, d, r, tt, "2 of 3 beyond 2 sigma", si[tt].astype(int))
            sh = _rules.long_runs(si, rules.shift, skip_zero=False)
            _put(idx, f, d, r, sh, f"run of {rules.shift}", si[sh].astype(int))
        elif rules.name == "ihi":
            sh = _rules.long_runs(si, rules.shift, skip_zero=True)
            _put(idx, f, d, r, sh, f"shift of {rules.shift}", si[sh].astype(int))
            tr, tdir = _rules.trends(yi, rules.trend, skip_ties=True)
            _put(idx, f, d, r, tr, f"trend of {rules.trend}", tdir[tr])
            if chart is None and yi.size >= 3:
                mr = np.abs(np.diff(yi))
                spread = ASTRONOMICAL * np.median(mr)
                astronomical[idx] = (np.abs(yi - cl[idx]) > spread) & (spread > 0)
                new = astronomical & ~f
                r[new] = "astronomical? (judge)"
        elif rules.name == "anhoej" and runs["n_useful"] and runs["longest_run"] > runs["longest_run_max"]:
            lr = _rules.long_runs(si, runs["longest_run_max"] + 1, skip_zero=True)
            _put(idx, f, d, r, lr, "long run", si[lr].astype(int))
        flagged[sl], direction[sl], rule[sl] = f, d, r
        astro_all[sl] = astronomical
        pt = _point_types(np.where(f, d, 0), improvement)
        point_type[sl] = pt

        if chart == "mr":
            runs_signal = False  # qicharts2 reports but ignores runs on a moving range chart
        elif rules.name == "anhoej":
            runs_signal = runs["anhoej_signal"]
        else:
            lower, upper = _rules.ihi_runs_limits(runs["n_useful"])
            few_many = rules.name == "ihi" and bool(
                np.isfinite(lower) and (runs["runs"] < lower or runs["runs"] > upper)
            )
            runs_signal = bool((f & ~out).any() or few_many)
        lower_runs, upper_runs = (
            _rules.ihi_runs_limits(runs["n_useful"]) if chart != "mr" else (np.nan, np.nan)
        )
        n_base = int((base & incl & valid).sum())
        summaries.append(
            {
                "group": groups[lo],
                "phase": int(phase[lo]),
                "start": xs[lo],
                "end": xs[hi - 1],
                "n_points": int(m),
                "n_baseline": n_base,
                "trial_limits": n_base < TRIAL_POINTS,
                "centre": float(np.nanmean(lim["centre"])) if np.isfinite(lim["centre"]).any() else np.nan,
                "lower_limit": float(np.nanmean(lim["lower_limit"])) if chart else np.nan,
                "upper_limit": float(np.nanmean(lim["upper_limit"])) if chart else np.nan,
                "n_useful": runs["n_useful"],
                "longest_run": runs["longest_run"],
                "longest_run_max": runs["longest_run_max"],
                "crossings": runs["crossings"],
                "crossings_min": runs["crossings_min"],
                "runs": runs["runs"],
                "runs_lower": lower_runs,
                "runs_upper": upper_runs,
                "runs_signal": bool(runs_signal),
                "sigma_signals": int(out.sum()),
                "astronomical": int(astronomical.sum()),
                "sigma_z": float(lim.get("sigma_z", np.nan)) if chart in ("pp", "up") else np.nan,
                "common_cause": int((pt == "common_cause").sum()),
                "improvement": int((pt == "improvement").sum()),
                "concern": int((pt == "concern").sum()),
                "neutral": int(np.char.startswith(pt.astype(str), "neutral").sum()),
                "variation": _variation(pt[-1], int(d[-1]) if f[-1] else 0),
            }
        )

    small = np.zeros(size, bool)
    for v in (num_all, n_all):
        small |= (v >= SMALL_COUNT[0]) & (v <= SMALL_COUNT[1])
    points = pd.DataFrame(
        {
            "group": groups,
            "x": frame["x"],
            "y": y_plot * multiplier,
            "n": n_all,
            "numerator": num_all,
            "phase": phase,
            **{k: v * multiplier for k, v in cols.items()},
            "baseline": baseline,
            "excluded": exclude_mask,
            "sigma_signal": sigma,
            "signal": flagged,
            "rule": rule,
            "direction": np.where(flagged, direction, 0),
            "point_type": point_type,
            "astronomical": astro_all,
            "small_number": small,
        }
    ).reset_index(drop=True)

    summary = pd.DataFrame(summaries)
    for k in ("centre", "lower_limit", "upper_limit"):
        summary[k] = summary[k] * multiplier
    summary["variation_text"] = summary["variation"].map(VARIATION_TEXT)
    targets = target if isinstance(target, dict) else {g: target for g in summary["group"].unique()}
    summary["target"] = summary["group"].map(
        lambda g: np.nan if targets.get(g) is None else float(targets[g])
    )
    is_last = summary["phase"] == summary.groupby("group")["phase"].transform("max")
    summary["assurance"] = [
        _assurance(None if np.isnan(t) else t, lo, up, improvement) if (last_ and chart) else None
        for t, lo, up, last_ in zip(
            summary["target"], summary["lower_limit"], summary["upper_limit"], is_last, strict=True
        )
    ]
    summary["assurance_text"] = summary["assurance"].map(ASSURANCE_TEXT)
    return points, summary


def _chart_common(
    data,
    *,
    x,
    y,
    n,
    chart,
    rules,
    freeze,
    phases,
    exclude,
    by,
    screen_mr,
    improvement,
    target,
    multiplier,
    annotations,
    what,
):
    if improvement not in IMPROVEMENT:
        raise DataError(
            f"improvement must be one of {', '.join(IMPROVEMENT)}, not {improvement!r}",
            hint="Say which way is better: 'increase', 'decrease' or 'neutral'",
        )
    if freeze is not None:
        if int(freeze) != freeze or freeze < 2:
            raise DataError(
                "freeze must be a whole number of points, at least 2",
                hint="For Making Data Count use 12 to 20 points",
            )
        freeze = int(freeze)
    ruleset = _rules.rule_set(rules)
    frame = _prepare(data, x=x, y=y, n=n, by=by, chart=chart, what=what)
    phase_items = as_annotations(phases)
    phase_starts = coerce_like([p for p, _ in phase_items], frame["x"], what="phases")
    exclude_vals = coerce_like(
        as_list(exclude) if not isinstance(exclude, np.ndarray) else list(exclude), frame["x"], what="exclude"
    )
    exclude_mask = (
        frame["x"].isin(exclude_vals).to_numpy() if len(exclude_vals) else np.zeros(len(frame), bool)
    )
    if len(exclude_vals):
        missing = ~pd.Series(exclude_vals).isin(frame["x"])
        if missing.any():
            raise DataError(
                f"{int(missing.sum())} value(s) given in exclude= are not periods in column '{x}'",
                column=x,
                hint="Give the x values of the points to leave out, exactly as in the data",
            )
    notes = as_annotations(annotations)
    note_x = coerce_like([a for a, _ in notes], frame["x"], what="annotations")
    marks = [(xv, lab) for xv, (_, lab) in zip(note_x, notes, strict=True)]
    marks += [(xv, lab or "new phase") for xv, (_, lab) in zip(phase_starts, phase_items, strict=True)]

    points, summary = _analyse(
        frame,
        chart=chart,
        rules=ruleset,
        freeze=freeze,
        phase_starts=phase_starts,
        exclude_mask=exclude_mask,
        screen_mr=screen_mr,
        improvement=improvement,
        target=target,
        multiplier=float(multiplier),
    )
    messages = []
    trial = summary[summary["trial_limits"] & (summary["n_points"] > 0)]
    if chart is not None and len(trial):
        where = ", ".join(
            f"{g} phase {p}" for g, p in list(zip(trial["group"], trial["phase"], strict=True))[:5]
        )
        msg = (
            f"Limits for {len(trial)} group/phase(s) ({where}) come from fewer than {TRIAL_POINTS} points: "
            "treat them as trial limits and revise them as more data arrive."
        )
        messages.append(msg)
        warnings.warn(msg, TrialLimitsWarning, stacklevel=3)
    if n is not None:
        proportion = chart in ("p", "pp") or (
            chart not in ("u", "up") and (points["y"] / multiplier <= 1).all()
        )
        centre = points["centre"] / multiplier
        expected = points["n"] * centre
        if proportion:
            expected = np.minimum(expected, points["n"] * (1 - centre))
        share = float((expected < 5).mean())
        if share >= 0.25:
            msg = (
                f"{share:.0%} of periods expect fewer than 5 events, so limits and rules are unreliable; "
                "consider longer periods (months instead of weeks, or quarters instead of months)."
            )
            messages.append(msg)
            warnings.warn(msg, SmallDenominatorWarning, stacklevel=3)
    if points["small_number"].any():
        warnings.warn(
            "Some periods rest on counts of 1 to 7: show this chart to the team only, "
            "or use chart(audience='publish').",
            SmallNumbersWarning,
            stacklevel=3,
        )

    settings = {
        "chart": chart or "run",
        "chart_label": "Run chart (median centre line)" if chart is None else CHARTS[chart],
        "rules": ruleset.name,
        "rules_label": ruleset.label,
        "rule_set": ruleset,
        "screen_mr": bool(screen_mr) and chart in MR_CHARTS,
        "freeze": freeze,
        "phases": list(phase_starts),
        "exclude": list(exclude_vals),
        "by": by,
        "x": x,
        "y": y,
        "n": n,
        "improvement": improvement,
        "target": target,
        "multiplier": float(multiplier),
    }
    provenance.carry(points, data)
    provenance.carry(summary, data)
    return SPCResult(points=points, summary=summary, settings=settings, warnings=messages, annotations=marks)


def run_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    rules="ihi",
    freeze: int | None = None,
    phases=None,
    exclude=None,
    by=None,
    multiplier: float = 1,
    improvement: str = "increase",
    annotations=None,
) -> SPCResult:
    """A run chart: the data over time around the median, with run-chart rules.

    Parameters
    ----------
    data : DataFrame
        One row per period (and group); several rows for one period are combined (counts
        and denominators summed, other values averaged).
    x : str
        Column of periods (dates or numbers).
    y : str
        Column of values; with ``n``, the count of events, and the plotted value is y / n.
    n : str, optional
        Column of denominators (patients, referrals, patient-days).
    rules : {"ihi", "anhoej"} or RuleSet
        ``"ihi"`` (default): shift of 6, trend of 5, too few or too many runs
        (:data:`equitylab.spc.IHI_RUNS_TABLE`), astronomical points marked for judgement.
        ``"anhoej"``: longest run and number of crossings (qicharts2's runs analysis).
    freeze : int, optional
        Number of leading points of each phase that set the median.
    phases : list, optional
        x values (or change dates/PDSA cycles) where a new phase starts; the median and
        rules are computed again for each phase. Never set automatically.
    exclude : list, optional
        x values left out of the median and the runs analysis but still plotted.
    by : str or list, optional
        Column(s) to stratify by: one chart per group, same phases, shared axes.
    multiplier : float
        Scale for display (100 for %); proportions are on the 0 to 1 scale otherwise.
    improvement : {"increase", "decrease", "neutral"}
        Which direction is better; used to colour signals.
    annotations : list, optional
        Change dates or PDSA cycles to mark: (x, label) tuples, dicts or objects with a
        ``date``/``start`` and a label.

    Returns
    -------
    SPCResult
        ``.points``, ``.summary`` and ``.chart()`` as for :func:`control_chart` (limits NaN).
    """
    ruleset = _rules.rule_set(rules)
    if ruleset.name == "mdc":
        raise DataError(
            "Making Data Count rules need control limits",
            hint="Use control_chart(..., rules='mdc') or run_chart(..., rules='ihi')",
        )
    return _chart_common(
        data,
        x=x,
        y=y,
        n=n,
        chart=None,
        rules=ruleset,
        freeze=freeze,
        phases=phases,
        exclude=exclude,
        by=by,
        screen_mr=False,
        improvement=improvement,
        target=None,
        multiplier=multiplier,
        annotations=annotations,
        what="run_chart",
    )


def control_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str | None = None,
    chart: str = "xmr",
    rules="mdc",
    screen_mr: bool = False,
    freeze: int | None = None,
    phases=None,
    exclude=None,
    by=None,
    improvement: str = "increase",
    target=None,
    multiplier: float = 1,
    annotations=None,
) -> SPCResult:
    """A control (SPC) chart with limits, rules and Making Data Count verdicts.

    Parameters
    ----------
    data, x, y, n, freeze, phases, exclude, by, multiplier, annotations
        As for :func:`run_chart`. ``freeze`` is the number of leading points of each phase
        that set the centre and limits (the Making Data Count baseline, 12 to 20 points).
    chart : str
        ``"xmr"`` (Making Data Count: mean, limits at mean ± 2.66 × mean moving range),
        ``"i"`` (mean ± 3 × MR/1.128), ``"mr"``, ``"p"``, ``"pp"`` (Laney P′), ``"u"``,
        ``"up"`` (Laney U′), ``"c"``, ``"g"`` or ``"t"`` (formulas in Montgomery 2009 and
        Laney 2002, as qicharts2 implements them).
    rules : {"mdc", "mdc6", "mdc2023", "anhoej", "ihi"} or RuleSet
        Signals besides points outside the limits. ``"mdc"``: run of 7, trend of 7, 2 of 3
        beyond 2 sigma on one side; see :func:`equitylab.spc.mdc_rules` for the options.
    screen_mr : bool
        Leave moving ranges of 3.267 × their mean or more out of the limits (Nelson 1982), as
        NHSRplotthedots and qicharts2 do. Off by default to match the Making Data Count
        spreadsheet.
    improvement : {"increase", "decrease", "neutral"}
        Which direction is better, for the variation and assurance verdicts.
    target : float or dict, optional
        Target on the chart's scale (after ``multiplier``), or a dict group -> target; gives
        the assurance verdict from the last phase's limits.

    Returns
    -------
    SPCResult
        ``.points`` columns: ``group``, ``x``, ``y`` (plotted value × multiplier), ``n``,
        ``numerator``, ``phase``, ``centre``, ``lower_limit``, ``upper_limit``,
        ``lower_2sigma``, ``upper_2sigma``, ``baseline``, ``excluded``, ``sigma_signal``
        (outside the limits), ``signal`` (any rule), ``rule`` (the rule that flagged the point,
        by MDC precedence), ``direction``, ``point_type`` (``common_cause``, ``improvement``,
        ``concern``, ``neutral_high``, ``neutral_low``), ``astronomical`` (IHI run charts: for the
        team to judge, not a signal) and ``small_number`` (a count or denominator of 1 to 7).
        ``.summary`` columns: ``group``, ``phase``, ``start``, ``end``, ``n_points``,
        ``n_baseline``, ``trial_limits``, ``centre``, ``lower_limit``, ``upper_limit``
        (averages when limits vary), ``n_useful``, ``longest_run``, ``longest_run_max``,
        ``crossings``, ``crossings_min``, ``runs``, ``runs_lower``, ``runs_upper``,
        ``runs_signal``, ``sigma_signals``, ``astronomical``, ``sigma_z``, ``common_cause``,
        ``improvement``, ``concern``, ``neutral``, ``variation``, ``variation_text``, ``target``,
        ``assurance`` and ``assurance_text``. The Anhøj columns (``longest_run`` ...
        ``crossings_min``) are always reported; ``runs_lower``/``runs_upper`` are the IHI runs
        table. ``runs_signal`` follows the rule set: Anhøj (long run or few crossings), IHI (a
        shift, a trend, or too few or too many runs) or MDC (any run, trend or 2-of-3 point).
        ``variation`` is the Making Data Count verdict of the phase's last point; ``assurance``
        is given for each group's latest phase only.
    """
    chart = str(chart).lower()
    if chart not in CHARTS:
        raise DataError(
            f"chart must be one of {', '.join(CHARTS)}, not {chart!r}",
            hint="Use 'xmr' for Making Data Count, 'p' for proportions, 'u' for rates",
        )
    return _chart_common(
        data,
        x=x,
        y=y,
        n=n,
        chart=chart,
        rules=rules,
        freeze=freeze,
        phases=phases,
        exclude=exclude,
        by=by,
        screen_mr=screen_mr,
        improvement=improvement,
        target=target,
        multiplier=multiplier,
        annotations=annotations,
        what="control_chart",
    )
