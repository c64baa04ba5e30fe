"""SPC results in words: each group's limits, signals and verdict, and the gap between two groups."""

from __future__ import annotations

import numpy as np
import pandas as pd

EXPERIMENTAL = (
    "Experimental: no published method covers control limits on a gap between groups; "
    "they are I-chart limits on the gap series and may be too narrow or too wide."
)

KIND_LABEL = {
    "common_cause": "Common cause",
    "improvement": "Improvement",
    "concern": "Concern",
    "neutral": "Special cause (neutral)",
}

def fmt(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    v = float(v)
    if v != 0 and abs(v) < 0.01:
        return f"{v:.3g}"
    return f"{v:,.2f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"


def x_text(v) -> str:
    if isinstance(v, pd.Timestamp | np.datetime64):
        return pd.Timestamp(v).strftime("%d %b %Y")
    return str(v)


def describe(result) -> str:
    """Text summary of an SPC result: per group, the last phase's centre, limits and verdicts."""
    s, summ, pts = result.settings, result.summary, result.points
    run = s["chart"] == "run"
    lines = [
        f"{s['chart_label']} of {s['y']}"
        + (f" per {s['n']}" if s.get("n") else "")
        + f", {summ['group'].nunique()} group(s), rules: {s['rules_label']}."
    ]
    by_group = summ.groupby("group", sort=False)
    totals = by_group[["n_points", "improvement", "concern", "neutral"]].sum()
    phases = by_group.size()
    last_rows = by_group.tail(1).set_index("group")
    span = pts.groupby("group", sort=False)["x"].agg(["first", "last"])
    hits = pts.loc[pts["signal"], ["group", "rule"]].value_counts()
    centre_word = "median" if run or s["chart"] == "g" else "mean"
    for group, last in last_rows.iterrows():
        tot = totals.loc[group]
        text = (
            f"{group}: {int(tot['n_points'])} points from {x_text(span.loc[group, 'first'])} to "
            f"{x_text(span.loc[group, 'last'])}"
        )
        text += f" in {int(phases[group])} phases." if phases[group] > 1 else "."
        text += f" Latest phase {centre_word} {fmt(last['centre'])}"
        if not run:
            text += f", limits {fmt(last['lower_limit'])} to {fmt(last['upper_limit'])}"
        text += "."
        n_imp, n_con, n_neu = int(tot["improvement"]), int(tot["concern"]), int(tot["neutral"])
        if n_imp + n_con + n_neu:
            rules_hit = hits.xs(group, level="group") if group in hits.index.get_level_values(0) else {}
            text += (
                f" Signals: {n_imp} point(s) of improvement, {n_con} of concern"
                + (f", {n_neu} neutral" if n_neu else "")
                + " ("
                + ", ".join(f"{k}: {v}" for k, v in dict(rules_hit).items())
                + ")."
            )
        else:
            text += " No point signals special cause."
        if np.isfinite(last["longest_run"]):
            text += (
                f" Runs analysis: longest run {int(last['longest_run'])} (signal above "
                f"{int(last['longest_run_max'])}), {int(last['crossings'])} crossings (signal below "
                f"{int(last['crossings_min'])})"
            )
            if s["rules"] == "ihi" and np.isfinite(last["runs_lower"]):
                low, high = int(last["runs_lower"]), int(last["runs_upper"])
                text += f", {int(last['runs'])} runs (expected {low} to {high})"
            text += "; runs signal." if last["runs_signal"] else "; no runs signal."
        if int(last["astronomical"]):
            text += f" {int(last['astronomical'])} point(s) may be astronomical: judge whether they are."
        if not run:
            text += f" {last['variation_text']}."
        if isinstance(last.get("assurance_text"), str):
            text += f" {last['assurance_text']}."
        if last["trial_limits"] and not run:
            text += " Trial limits (fewer than 12 points)."
        lines.append(text)
    return "\n".join(lines)


def describe_gap(result) -> str:
    s = result.settings
    what = "difference" if s["measure"] == "difference" else "log ratio"
    lines = [f"Gap over time ({what}) between each group and the reference group {s['reference']}."]
    for _, row in result.summary.drop_duplicates("comparison", keep="last").iterrows():
        lines.append(
            f"{row['comparison']}: median gap {fmt(row['before_gap'])} before, "
            f"{fmt(row['after_gap'])} after. {row['verdict']}"
        )
    lines.append(describe(result.gap))
    if s.get("limits"):

        lines.append(EXPERIMENTAL)
    return "\n".join(lines)


