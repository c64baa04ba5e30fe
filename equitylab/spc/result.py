"""What a run or control chart found: the points with their limits and signals, a summary per group,
and the chart's caption, words and picture."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .. import provenance
from .describe import describe

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
        if s.get("freeze"):
            parts.append(f"Centre and limits from the first {s['freeze']} points of each phase.")
        if s.get("phases"):
            parts.append(
                f"{len(s['phases'])} change point(s) start new phases; limits are not rebased automatically."
            )
        if s.get("exclude"):
            parts.append(f"{len(s['exclude'])} point(s) left out of the centre, limits and runs analysis.")
        if s.get("multiplier", 1) != 1 and not (s.get("n") and s["multiplier"] == 100):  # % is in the axis title
            parts.append(f"Values multiplied by {s['multiplier']:g}.")
        if self.summary["trial_limits"].any():
            parts.append("Some limits are trial limits (fewer than 12 points).")
        if audience == "publish":
            hidden = int(self.points["small_number"].sum())
            if hidden:
                parts.append(f"{hidden} point(s) based on counts of 1 to 7 hidden to protect privacy.")
        parts.append(provenance.caption(self.points))
        return " ".join(parts)

    def describe(self, audience: str = "team") -> str:
        """What the chart shows in a few plain sentences, for its text alternative and reports (groups
        hidden for privacy are left out when ``audience="publish"``)."""
        return describe(self, audience)

    def chart(
        self,
        *,
        audience: str = "team",
        title: str | None = None,
        width: int | None = None,
        height: int | None = None,
        columns: int = 2,
        y_title: str | None = None,
    ):
        """An altair chart (one panel per group, shared axes) with its caption and description.

        ``audience="team"`` shows every point and, when counts of 1 to 7 are present, a
        "small numbers: do not share" banner; ``audience="publish"`` hides those points and
        says so in the caption.
        """
        from ..charts.spc import spc_chart  # altair only when a chart is asked for: spc stays chart-free

        return spc_chart(self, audience=audience, title=title, width=width, height=height, columns=columns,
                         y_title=y_title)

    def _repr_html_(self):  # pragma: no cover - notebook display
        return self.summary.to_html(index=False)
