"""What :func:`equitylab.measures.intersectional` returns: the strata, the variances, and their words.

Disclosure (NHS England practice, counts of 1 to 7): for ``audience="publish"`` a stratum with 1 to
7 people, events or non-events is hidden in full, and so is the smallest other stratum in any
group (a category of one ``by`` column) that would otherwise have exactly one hidden stratum, so
that a hidden stratum cannot be worked out from a group total published elsewhere. A group with a
small stratum also hides its smallest stratum of at least 14 (people, events and non-events), or,
with none, all its strata: the group's total may be known exactly, and the small strata's sum with it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

BANNER = "Small numbers: for the team only, do not share."
THRESHOLD = 7
_NOT_CAUSES = "These are differences between groups in this data, not their causes."


def hide_small(table: pd.DataFrame, by: list[str], binary: bool) -> tuple[np.ndarray, np.ndarray]:
    """(strata with a count of 1 to 7, strata to hide when publishing: those and their protectors)."""
    n = table["n"].to_numpy()
    counts = [n] + ([table["events"].to_numpy(), n - table["events"].to_numpy()] if binary else [])
    small = np.zeros(len(table), dtype=bool)
    for c in counts:
        small |= (c >= 1) & (c <= THRESHOLD)
    hidden = small.copy()
    slices = [np.flatnonzero((table[c] == level).to_numpy()) for c in by for level in table[c].unique()]
    # a stratum that can protect others: at least 14 people (and events and non-events)
    large = np.all([c >= 2 * THRESHOLD for c in counts], axis=0)
    changed = True
    while changed:
        changed = False
        for rows in slices:
            if hidden[rows].sum() == 1 and len(rows) > 1:
                visible = rows[~hidden[rows]]
                hidden[visible[np.argmin(n[visible])]] = True
                changed = True
        # a slice's strata add up to a group's size, which the publication may give (the group tables),
        # so a slice with a small stratum also hides a large one, whose slack leaves each small one 1 to 7
        # (known totals, as in suppress()); with no large stratum, the whole slice is hidden
        for rows in slices:
            if not small[rows].any() or (hidden[rows] & ~small[rows] & large[rows]).any():
                continue
            candidates = rows[~hidden[rows] & large[rows]]
            before = int(hidden[rows].sum())
            if len(candidates):
                hidden[candidates[np.argmin(n[candidates])]] = True
            else:
                hidden[rows] = True
            changed |= int(hidden[rows].sum()) != before
    return small, hidden


def _count_words(count: int, publish: bool) -> str:
    return "fewer than 8" if publish and 1 <= count <= THRESHOLD else f"{count:,}"


def default_label(row: dict, by: list[str]) -> str:
    """'Black, Male, imd_quintile 1': each category, numbers with their column's name."""
    parts = []
    for c in by:
        v = row[c]
        numeric = isinstance(v, int | float | np.integer | np.floating)
        parts.append(f"{c} {v:g}" if numeric else str(v))
    return ", ".join(parts)


def join_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass
class Intersectional:
    """Intersectional (MAIHDA) estimates; made by :func:`equitylab.measures.intersectional`.

    ``strata`` is one row per stratum (without the hidden ones when ``audience="publish"``);
    ``variance`` and ``variance_adjusted`` the between-stratum variances of Models 1 and 2 (on the
    log-odds scale for binary outcomes); ``vpc`` and ``pcv`` percentages; ``notes`` what was left
    out or hidden and why; ``models`` the two fits; ``unit`` the words after a continuous value in
    the text and chart (" days"; set it before describing).
    """

    strata: pd.DataFrame
    variance: float
    variance_adjusted: float
    vpc: float
    pcv: float
    by: list
    outcome: str
    binary: bool
    confidence: float
    audience: str
    polarity: str | None
    overall: float
    residual_variance: float
    method: str
    models: dict
    small: np.ndarray = field(repr=False)
    hidden: np.ndarray = field(repr=False)
    left_out: dict = field(default_factory=dict)
    left_out_rows: int = 0
    outcome_missing: int = 0
    people: int = 0
    converged: bool = True
    banner: str | None = None
    notes: list = field(default_factory=list)
    unit: str = ""

    def __post_init__(self):
        publish = self.audience == "publish"
        full = self.strata
        self.total_strata = len(full)
        self.hidden_strata = int(self.hidden.sum()) if publish else 0
        table = full.loc[~self.hidden].reset_index(drop=True) if publish else full.copy()
        table["versus_overall"] = np.where(table["lower_ci"] > self.overall, "higher",
                                           np.where(table["upper_ci"] < self.overall, "lower", "similar"))
        null = 1.0 if self.binary else 0.0
        table["beyond_main_effects"] = np.where(
            table["interaction_lower_ci"] > null, "higher",
            np.where(table["interaction_upper_ci"] < null, "lower", "as predicted"))
        table.attrs.update(full.attrs)
        self.strata = table
        if not publish and self.small.any():
            self.banner = BANNER
            table.attrs["banner"] = BANNER
        self.notes = self._notes(publish)
        if publish:
            table.attrs["suppression"] = self.notes[0] if self.hidden_strata else "No stratum hidden."

    # -- words -------------------------------------------------------------------------
    def _notes(self, publish: bool) -> list[str]:
        notes = []
        if publish and self.hidden_strata:
            primary = int(self.small.sum())
            extra = self.hidden_strata - primary
            notes.append(f"{self.hidden_strata} of {self.total_strata} strata are not shown: {primary} "
                         f"{'has' if primary == 1 else 'have'} 1 to {THRESHOLD} "
                         f"{'people, events or non-events' if self.binary else 'people'}"
                         + (f", and {extra} more {'is' if extra == 1 else 'are'} hidden so that those cannot be "
                            "worked out from a group's total." if extra else "."))
        if self.left_out:
            parts = [f"{c} {label} ({_count_words(rows, publish)} rows)" for c, labels in self.left_out.items()
                     for label, rows in labels.items()]
            rows = _count_words(self.left_out_rows, publish)
            # with a part shown as "fewer than 8", the total beside the other parts would give it back
            # (55 rows: 50 with no ethnicity and "fewer than 8" with no sex leaves 5 to 7)
            small_part = publish and any(1 <= r <= THRESHOLD for labels in self.left_out.values()
                                         for r in labels.values())
            head = ("Rows are" if small_part else
                    f"{rows} {'row is' if self.left_out_rows == 1 else 'rows are'}")
            notes.append(f"{head} left out because a group is not recorded (data quality, not an equity group): "
                         f"{', '.join(parts)}.")
        if self.outcome_missing:
            notes.append(f"{_count_words(self.outcome_missing, publish)} rows have no {self.outcome} recorded "
                         "and are left out.")
        if np.isnan(self.pcv):
            notes.append("The strata barely differ in Model 1 (its between-stratum variance is about 0), so the "
                         "share of those differences explained by the main effects (PCV) cannot be worked out.")
        if self.total_strata < 10:
            notes.append(f"With only {self.total_strata} strata the between-stratum variances are imprecise.")
        if not self.converged:
            notes.append("A model did not fully converge; treat its numbers with caution.")
        return notes

    def _fmt(self, x: float) -> str:
        return f"{100 * x:.1f}%" if self.binary else f"{x:,.1f}{self.unit}"

    def concern(self) -> pd.Series:
        """Strata worse than the overall value by more than chance (their interval wholly on the worse
        side); with no polarity, strata higher or lower than it."""
        side = {"low_is_good": ["higher"], "high_is_good": ["lower"]}.get(self.polarity, ["higher", "lower"])
        return self.strata["versus_overall"].isin(side)

    def describe(self, *, label: Callable[[dict], str] | None = None, what: str | None = None,
                 groups: str | None = None, limit: int = 4) -> str:
        """The results in plain sentences. ``label`` names a stratum from its row (default: its
        categories); ``what`` names the outcome (default: its column); ``groups`` names the group
        columns together (default: their names, "ethnicity, sex and imd_quintile"). Paragraphs (the
        strata that differ; the variance shares; what was left out or hidden) are separated by a blank line."""
        publish = self.audience == "publish"
        name = label or (lambda row: default_label(row, self.by))
        what = what or self.outcome
        dims = groups or join_words([str(c) for c in self.by])
        rows = self.strata.to_dict("records")
        level = f"{100 * self.confidence:g}%"
        overall = self._fmt(self.overall)

        def estimate(r):
            low = self._fmt(r["lower_ci"]).removesuffix(self.unit) if self.unit else self._fmt(r["lower_ci"])
            return f"{name(r)}: {self._fmt(r['predicted'])} ({level} interval {low} to {self._fmt(r['upper_ci'])})"

        def brief(picked, more):
            listed = ", ".join(f"{name(r)} ({self._fmt(r['predicted'])})" for r in picked)
            return listed + (f" and {more} more" if more > 0 else "")

        headline = [self.banner] if self.banner else []
        among = (f"the {len(rows)} combinations of {dims} shown" if self.hidden_strata
                 else f"the {self.total_strata} combinations of {dims}")
        # the headline first: a report's main points take each finding's first sentence
        if self.polarity:
            worse = "higher" if self.polarity == "low_is_good" else "lower"
            picked = [r for r, c in zip(rows, self.concern().to_numpy()) if c]
            picked = picked if worse == "higher" else picked[::-1]
            if picked:
                most = "highest" if worse == "higher" else "lowest"
                headline.append(f"For {len(picked)} of {among}, {what} is {worse} than the overall {overall} by "
                                f"more than chance; the {most} is {estimate(picked[0])}.")
                if len(picked) > 1:
                    headline.append(f"The others: {brief(picked[1:limit], len(picked) - limit)}.")
            else:
                headline.append(f"None of {among} has {what} {worse} than the overall {overall} by more than "
                                "chance.")
        else:
            high = [r for r in rows if r["versus_overall"] == "higher"]
            low = [r for r in rows if r["versus_overall"] == "lower"][::-1]
            if high or low:
                headline.append(f"Of {among}, {len(high)} have {what} higher than the overall {overall} by more "
                                f"than chance and {len(low)} lower.")
                for side, picked in (("Higher", high), ("Lower", low)):
                    if picked:
                        headline.append(f"{side}: {brief(picked[:limit], len(picked) - limit)}.")
            else:
                headline.append(f"None of {among} differs from the overall {overall} by more than chance.")
        people = "" if publish else f" of {self.people:,} {'person' if self.people == 1 else 'people'}"
        scale = " on the log-odds scale" if self.binary else ""
        share = f"{self.vpc:.1f}%" if self.vpc >= 0.05 else "Less than 0.1%"
        model = [(f"{share} of the variation between people in {what} lies between the {self.total_strata} "
                  f"strata{people} (the variance partition coefficient, VPC{scale}).")]
        if np.isnan(self.pcv):
            pass
        elif self.pcv < 0:
            model.append(f"Adding {dims} as main effects did not shrink the differences between strata (PCV "
                         f"{self.pcv:.0f}%): what differs is how the groups combine.")
        elif self.variance_adjusted <= 1e-8:
            model.append(f"{dims[:1].upper() + dims[1:]}, each on its own, explain all of the differences "
                         "between strata (PCV 100%): no sign that the groups combine in a way of their own.")
        else:
            model.append(f"{dims[:1].upper() + dims[1:]}, each on its own (their main effects), explain "
                         f"{self.pcv:.0f}% of the differences between strata (the proportional change in variance, "
                         f"PCV); the other {100 - self.pcv:.0f}% comes from how they combine.")
        beyond = [r for r in rows if r["beyond_main_effects"] != "as predicted"]
        if beyond:
            model.append(f"Beyond what their {dims} alone predict: " + "; ".join(
                f"{name(r)}, {self._fmt(r['predicted'])} against {self._fmt(r['main_effects'])} predicted"
                for r in beyond[:limit]) + (f"; and {len(beyond) - limit} more." if len(beyond) > limit else "."))
        elif not np.isnan(self.pcv):
            model.append(f"No stratum differs by more than chance from what its {dims} alone predict.")
        model.append(_NOT_CAUSES)
        return "\n\n".join(" ".join(part) for part in (headline, model, self.notes) if part)

    def chart(self, *, label: Callable[[dict], str] | None = None, indicator: str | None = None,
              groups: str | None = None):
        """A caterpillar plot: each stratum's estimate with its interval, against the overall value
        (:func:`equitylab.charts.strata.caterpillar`)."""
        # altair is imported only when a chart is asked for, so the statistics stay chart-free
        from ..charts.strata import caterpillar  # altair only when a chart is asked for: measures stay chart-free

        return caterpillar(self, label=label, indicator=indicator, groups=groups)

    def __repr__(self) -> str:
        pcv = "NA" if np.isnan(self.pcv) else f"{self.pcv:.1f}%"
        return (f"Intersectional(by={self.by}, strata={self.total_strata}, variance={self.variance:.4g}, "
                f"variance_adjusted={self.variance_adjusted:.4g}, vpc={self.vpc:.1f}%, pcv={pcv})")
