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
    "neutral": "Special cause",  # no improvement direction stated: neither improvement nor concern
}

# Making Data Count's verdicts in a reader's words (NHS England, "Making data count: strengthening your
# decisions", 2019, the variation and assurance icons)
ASSURANCE_WORDS = {
    "pass": "consistently hits the target",
    "fail": "consistently misses the target",
    "inconsistent": "hits and misses the target",
}
NO_DIRECTION = "no direction stated"


def variation_words(variation) -> str:
    """A variation verdict as words: "special cause – concern, lower values". A signal on a measure
    with no stated improvement direction ("neutral") is neither improvement nor concern."""
    if not isinstance(variation, str) or not variation:
        return ""
    if variation == "common_cause":
        return "common cause – no significant change"
    kind, _, side = variation.rpartition("_")
    values = "higher values" if side == "high" else "lower values"
    if kind == "neutral":
        return f"special cause – {values} ({NO_DIRECTION})"
    return f"special cause – {kind}, {values}"


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


def measure_words(settings: dict) -> str:
    """The measure as a reader says it, with its unit: "seen within 28 days (% of referrals)"."""
    y, n, mult = settings["y"], settings.get("n"), settings.get("multiplier", 1)
    if n and mult == 100:
        return f"{y} (% of {n})"
    if n and mult != 1:
        return f"{y} (per {mult:,.0f} {n})"
    return f"{y} (per {n})" if n else str(y)


def value_text(v, settings: dict) -> str:
    """A centre or limit as a reader reads it: a percentage to one decimal place ("45.2%"), else :func:`fmt`."""
    if settings.get("n") and settings.get("multiplier", 1) == 100 and v is not None and np.isfinite(float(v)):
        return f"{float(v):.1f}%"
    return fmt(v)


def hidden_groups(result, audience: str) -> list[str]:
    """Groups whose every point rests on a count of 1 to 7: left out of published charts and words."""
    if audience != "publish":
        return []
    pts = result.points
    every = pts.groupby("group", sort=False)["small_number"].all()
    return [str(g) for g, hidden in every.items() if hidden]


def withheld_groups(result, audience: str) -> list[str]:
    """Groups with some points hidden: their centre line and limits, computed from every point, could
    help work the hidden counts out, so published views withhold them (and the verdicts built on them)."""
    if audience != "publish":
        return []
    some = result.points.groupby("group", sort=False)["small_number"].any()
    hidden = set(hidden_groups(result, audience))
    return [str(g) for g, s in some.items() if s and str(g) not in hidden]


def describe(result, audience: str = "team") -> str:
    """What the chart shows in a few sentences: the measure and span, one sentence for each group with a
    signal (Making Data Count variation, or a non-random pattern on a run chart), and one naming the
    groups with none. The limits, runs and crossings of every group are in ``result.summary``."""
    s, summ, pts = result.settings, result.summary, result.points
    run = s["chart"] == "run"
    hidden = hidden_groups(result, audience)
    withheld = withheld_groups(result, audience)
    last = summ.groupby("group", sort=False).tail(1).set_index("group")
    last = last[~last.index.astype(str).isin(hidden)]
    totals = summ.groupby("group", sort=False)[["improvement", "concern", "neutral"]].sum()
    span = pts["x"].agg(["min", "max"])
    centre_word = "median" if run or s["chart"] == "g" else "mean"
    groups = f" for {len(last)} groups" if len(last) > 1 else ""
    lines = [f"{s['chart_label']} of {measure_words(s)}{groups}, {x_text(span['min'])} to {x_text(span['max'])}."]
    quiet = []
    for group, row in last.iterrows():
        if str(group) in withheld:
            continue
        if run:
            signal = bool(row["runs_signal"]) or bool(totals.loc[group].sum())
            words = "a non-random pattern (a shift, a trend or too few runs)"
        else:
            signal = row["variation"] != "common_cause"
            words = variation_words(row["variation"])
        if not signal:
            quiet.append(str(group))
            continue
        who = "" if group == "All" and len(last) == 1 else f"{group}: "
        sentence = f"{who}{words}; latest {centre_word} {value_text(row['centre'], s)}"
        if isinstance(row.get("assurance"), str):
            sentence += "; assurance: " + ASSURANCE_WORDS[row["assurance"]]
        lines.append(sentence[0].upper() + sentence[1:] + ".")
    if quiet == ["All"] and len(last) == 1:
        lines.append("No sign of change (common cause variation only).")
    elif quiet:
        names = ", ".join(quiet[:-1]) + (" and " if len(quiet) > 1 else "") + quiet[-1]
        lines.append(f"No sign of change for {names} (common cause variation only).")
    if s.get("improvement") == "neutral" and (last["variation"] != "common_cause").any():
        lines.append("No improvement direction is stated for this measure, so a signal is called neither "
                     "improvement nor concern.")
    if withheld:
        names = ", ".join(withheld[:-1]) + (" and " if len(withheld) > 1 else "") + withheld[-1]
        lines.append(f"For {names}, some {str(s['x']).lower()}s rest on small numbers and are hidden, so the "
                     "centre line, limits and verdict are not shown.")
    if hidden:
        lines.append("1 group is hidden because its numbers are small." if len(hidden) == 1 else
                     f"{len(hidden)} groups are hidden because their numbers are small.")
    if summ["trial_limits"].any() and not run:
        lines.append("Some limits rest on fewer than 12 points: treat them as trial limits.")
    return " ".join(lines)


def describe_gap(result) -> str:
    """The gap between each group and the reference, early and late (first and last phase, or the two
    halves of the series), and whether it narrowed by the group improving or the reference worsening."""
    s = result.settings
    what = "difference" if s["measure"] == "difference" else "log ratio"
    early, late = ("in the first phase", "in the last") if s.get("phases") else ("in the first half", "in the second")
    unit = " points" if what == "difference" and s.get("multiplier", 1) == 100 else ""
    lines = [f"The gap ({what}) in {s['y']} between each group and {s['reference']}."]
    for _, row in result.summary.drop_duplicates("comparison", keep="last").iterrows():
        lines.append(
            f"{row['comparison']}: a median gap of {fmt(row['before_gap'])}{unit} {early}, "
            f"{fmt(row['after_gap'])}{unit} {late}. {row['verdict']}"
        )
    if s.get("limits"):
        lines.append(EXPERIMENTAL)
    return " ".join(lines)


