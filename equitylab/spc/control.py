"""Run charts and control (SPC) charts, stratified by group.

The statistics are pure pandas/numpy; altair is imported only when ``.chart()`` is called
(:mod:`equitylab.charts.spc` draws them).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .. import provenance
from ..errors import DataError, SmallNumbersWarning
from ..measures._common import as_list, numeric, require_columns
from . import _rules
from ._annotate import as_annotations, coerce_like
from ._limits import CHARTS, NEEDS_N, NO_N
from .result import (
    IMPROVEMENT,
    MR_CHARTS,
    TRIAL_POINTS,
    SmallDenominatorWarning,
    SPCResult,
    TrialLimitsWarning,
)
from .signals import analyse


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
    left_out = []
    if n is not None:
        denom = numeric(data, n, what=what, allow_negative=False)
        frame["n"] = denom
        events_without_anyone = (denom == 0) & (values > 0)
        if events_without_anyone.any():
            raise DataError(
                f"{what}: the denominator '{n}' is 0 where the count '{y}' is above 0",
                column=n,
                rows=(np.flatnonzero(events_without_anyone) + 1).tolist(),
                hint="There can be no events without anyone (or any time) at risk: check the denominator",
            )
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
        blank = frame[["y", "n"]].isna().any(axis=1).to_numpy()
        if blank.any():
            left_out.append(f"{int(blank.sum())} row(s) with no count or no denominator are left out of the chart")
        frame = frame[~blank]
        frame = frame.groupby(["group", "x"], sort=True, as_index=False, observed=True)[["y", "n"]].sum()
        empty = (frame["n"] == 0).to_numpy()
        if empty.any():
            shown = ", ".join(_period(v) for v in frame.loc[empty, "x"].iloc[:5])
            more = f" and {int(empty.sum()) - 5} more" if empty.sum() > 5 else ""
            left_out.append(
                f"{int(empty.sum())} period(s) with a denominator of 0 ({x}: {shown}{more}) have nothing to plot "
                "and are left out of the chart"
            )
            frame = frame[~empty]
        frame["numerator"] = frame["y"]
        frame["y"] = frame["numerator"] / frame["n"]
    else:
        frame = frame.dropna(subset=["y"])
        # several rows for one period: averaged, as qicharts2 does by default
        frame = frame.groupby(["group", "x"], sort=True, as_index=False, observed=True)["y"].mean()
        frame["n"] = np.nan
        frame["numerator"] = frame["y"] if chart == "c" else np.nan
    if frame.empty:
        raise DataError(f"{what}: there are no rows with numbers to chart", column=y,
                        hint="; ".join(left_out) or None)
    frame["group"] = frame["group"].astype(object)
    return frame.reset_index(drop=True), left_out


def _period(value) -> str:
    """A period as a person writes it: a date without a midnight time, a number as it is."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%Y-%m-%d")
    return str(value)


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
    frame, left_out = _prepare(data, x=x, y=y, n=n, by=by, chart=chart, what=what)
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

    points, summary = analyse(
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
    for msg in left_out:
        messages.append(msg[0].upper() + msg[1:] + ".")
        warnings.warn(messages[-1], UserWarning, stacklevel=3)
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
            "Some periods rest on counts of 1 to 7: show this chart to the team only; "
            "published charts hide those periods.",
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
        (:data:`equitylab.spc._rules.IHI_RUNS_TABLE`), astronomical points marked for judgement.
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
