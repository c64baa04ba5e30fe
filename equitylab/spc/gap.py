"""The gap between a group and a reference group, charted over time."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import provenance
from ..errors import DataError
from ..measures._common import as_list
from .control import _prepare, control_chart, run_chart
from .result import IMPROVEMENT, SMALL_COUNT, SPCResult
from .describe import EXPERIMENTAL, describe_gap


@dataclass
class GapResult:
    """The gap over time, both groups' own series and a verdict on how the gap changed.

    Attributes
    ----------
    points : DataFrame
        One row per period and comparison: the gap run (or control) chart's columns (``y`` is
        the gap) plus ``comparison``, ``reference``, ``value_group``, ``value_reference``,
        ``numerator_group``, ``n_group``, ``numerator_reference`` and ``n_reference``.
    summary : DataFrame
        One row per comparison and phase of the gap chart, plus ``before_gap``,
        ``after_gap``, ``before_group``, ``after_group``, ``before_reference``,
        ``after_reference``, ``gap_narrowed``, ``levelling_down`` and ``verdict``.
    gap : SPCResult
        The chart of the gap itself.
    series : SPCResult
        Run charts of each group's own values (the comparison groups and the reference).
    """

    points: pd.DataFrame
    summary: pd.DataFrame
    gap: SPCResult
    series: SPCResult
    settings: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def caption(self, audience: str = "team") -> str:
        text = self.gap.caption(audience)
        if self.settings.get("limits"):
            text = EXPERIMENTAL + " " + text
        return text

    def describe(self) -> str:
        """Plain-English summary of the gap and whether it closed by levelling down."""
        return describe_gap(self)

    def chart(
        self,
        *,
        audience: str = "team",
        title: str | None = None,
        width: int | None = None,
        height: int | None = None,
    ):
        """The gap chart above both groups' own series (altair)."""
        from ..charts.spc import gap_chart_view  # altair only when a chart is asked for: spc stays chart-free

        return gap_chart_view(self, audience=audience, title=title, width=width, height=height)


def gap_chart(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    n: str,
    by: str,
    group=None,
    reference,
    measure: str = "difference",
    rules="ihi",
    improvement: str = "increase",
    limits: bool = False,
    freeze: int | None = None,
    phases=None,
    exclude=None,
    multiplier: float = 1,
    annotations=None,
) -> GapResult:
    """Chart the gap between a group and a reference group over time.

    The gap is the difference y_group - y_reference, or for ``measure="ratio"`` the log ratio
    ln(y_group / y_reference) (0 means no gap; exp of it is the ratio). It is shown as a run
    chart with the chosen rules (median centre, ``rules="ihi"`` by default), beside both
    groups' own run charts, so a gap that closes because the reference group got worse
    ("levelling down") is seen and flagged rather than celebrated.

    Parameters
    ----------
    data : DataFrame
        Counts per period and group (see :func:`aggregate`).
    x, y, n : str
        Period, count and denominator columns; values compared are y / n.
    by : str
        Column naming the groups.
    group : value or list, optional
        The group(s) to compare with the reference; all others when omitted.
    reference : value
        The reference group (often the most advantaged or the largest).
    measure : {"difference", "ratio"}
        Absolute gap (in units of y / n × ``multiplier``) or relative gap (log ratio).
    improvement : {"increase", "decrease", "neutral"}
        Which direction is better for the groups' own values: needed to call levelling down.
    limits : bool
        Add I-chart control limits to the gap. Experimental: no published method covers this.
    freeze, phases, exclude, multiplier, annotations, rules
        As for :func:`run_chart`. Levelling down compares the first and last phase, or the
        first ``freeze`` points with the rest, or the first and second halves.

    Returns
    -------
    GapResult
        ``levelling_down`` is True when the gap narrowed between the two periods, the reference
        group's median moved in the worse direction, and that move accounts for at least half
        of the narrowing.
    """
    if measure not in ("difference", "ratio"):
        raise DataError(f"measure must be 'difference' or 'ratio', not {measure!r}")
    if improvement not in IMPROVEMENT:
        raise DataError(f"improvement must be one of {', '.join(IMPROVEMENT)}, not {improvement!r}")
    if len(as_list(by)) != 1:
        raise DataError("gap_chart compares groups in one column", hint="Give by= a single column name")
    # any count over a denominator (proportion or rate); chart="u" only checks y and n are counts
    frame, left_out = _prepare(data, x=x, y=y, n=n, by=by, chart="u", what="gap_chart")
    labels = frame["group"].unique().tolist()
    ref = str(reference)
    if ref not in labels:
        raise DataError(
            f"the reference group '{reference}' is not in column '{by}'",
            column=by,
            hint="Groups found: " + ", ".join(map(str, labels[:12])),
        )
    compare = [str(g) for g in as_list(group)] or [g for g in labels if g != ref]
    unknown = [g for g in compare if g not in labels]
    if unknown:
        raise DataError(
            f"the group '{unknown[0]}' is not in column '{by}'",
            column=by,
            hint="Groups found: " + ", ".join(map(str, labels[:12])),
        )
    ref_rows = frame[frame["group"] == ref].set_index("x")[["y", "numerator", "n"]]
    ref_rows.columns = ["value_reference", "numerator_reference", "n_reference"]
    pairs = frame[frame["group"].isin(compare)].rename(
        columns={"group": "comparison", "y": "value_group", "numerator": "numerator_group", "n": "n_group"}
    )
    pairs = pairs.join(ref_rows, on="x", how="inner").dropna(subset=["value_group", "value_reference"])
    pairs = pairs.reset_index(drop=True)
    messages = [msg[0].upper() + msg[1:] + "." for msg in left_out]
    for msg in messages:
        warnings.warn(msg, UserWarning, stacklevel=2)
    if measure == "difference":
        pairs["gap"] = (pairs["value_group"] - pairs["value_reference"]) * multiplier
    else:
        zero = (pairs["value_group"] <= 0) | (pairs["value_reference"] <= 0)
        if zero.any():
            msg = (
                f"{int(zero.sum())} period(s) with a value of 0 have no ratio "
                "and are left out of the gap chart."
            )
            messages.append(msg)
            warnings.warn(msg, UserWarning, stacklevel=2)
        pairs = pairs[~zero].copy()
        pairs["gap"] = np.log(pairs["value_group"] / pairs["value_reference"])
    provenance.carry(pairs, data)
    common = dict(
        x="x",
        y="gap",
        by="comparison",
        freeze=freeze,
        phases=phases,
        exclude=exclude,
        annotations=annotations,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if limits:
            gap = control_chart(
                pairs, chart="i", rules="anhoej" if rules == "ihi" else rules, improvement="neutral", **common
            )
        else:
            gap = run_chart(pairs, rules=rules, improvement="neutral", **common)
    messages += [str(w.message) for w in caught]
    gap.settings["gap_measure"] = measure
    gap.settings["x"] = x
    keep = frame[frame["group"].isin([*compare, ref])]
    keep = keep.rename(columns={"group": by})
    series = run_chart(
        provenance.carry(keep, data),
        x="x",
        y="numerator",
        n="n",
        by=by,
        rules=rules,
        freeze=freeze,
        phases=phases,
        exclude=exclude,
        multiplier=multiplier,
        improvement=improvement,
        annotations=annotations,
    )

    series.settings.update(x=x, y=y)
    points = gap.points.rename(columns={"group": "comparison"})
    extra = pairs.set_index(["comparison", "x"])[
        ["value_group", "value_reference", "numerator_group", "n_group", "numerator_reference", "n_reference"]
    ]
    points = points.join(extra, on=["comparison", "x"])
    points.insert(1, "reference", ref)
    small = np.zeros(len(points), bool)
    for col in ("numerator_group", "n_group", "numerator_reference", "n_reference"):
        v = points[col].to_numpy(float)
        small |= (v >= SMALL_COUNT[0]) & (v <= SMALL_COUNT[1])
    points["small_number"] = small
    gap.points["small_number"] = small

    summary = gap.summary.rename(columns={"group": "comparison"})
    judged = []
    direction = {"increase": 1, "decrease": -1}.get(improvement)
    comp = points["comparison"].to_numpy()
    cuts = np.flatnonzero(comp[1:] != comp[:-1]) + 1
    columns = {
        k: points[c].to_numpy(float)
        for k, c in (("gap", "y"), ("group", "value_group"), ("reference", "value_reference"))
    }
    phase_all = points["phase"].to_numpy()
    for lo, hi in zip(np.concatenate(([0], cuts)), np.concatenate((cuts, [len(points)])), strict=True):
        g = comp[lo]
        ph = phase_all[lo:hi]
        if gap.settings["phases"]:
            before, after = ph == ph.min(), ph == ph.max()
        else:
            pos = np.arange(hi - lo)
            cut = freeze if freeze else (hi - lo) // 2
            before, after = pos < cut, pos >= cut
        med = {
            k: (
                float(np.median(v[lo:hi][before])) if before.any() else np.nan,
                float(np.median(v[lo:hi][after])) if after.any() else np.nan,
            )
            for k, v in columns.items()
        }
        narrowed = bool(abs(med["gap"][1]) < abs(med["gap"][0]))
        if measure == "ratio":
            ref_move = np.log(med["reference"][1]) - np.log(med["reference"][0])
        else:
            ref_move = (med["reference"][1] - med["reference"][0]) * multiplier
        closure = abs(med["gap"][0]) - abs(med["gap"][1])
        worse = direction is not None and ref_move * direction < 0
        levelling = bool(narrowed and worse and abs(ref_move) >= closure / 2)
        if direction is None:
            verdict = "Levelling down cannot be judged without knowing which direction is better."
        elif levelling:
            verdict = (
                f"The gap between {g} and {ref} narrowed mainly because {ref} got worse "
                f"(levelling down), not because {g} improved."
            )
        elif narrowed and worse:
            verdict = (
                f"The gap between {g} and {ref} narrowed mostly because {g} improved, "
                f"though {ref} also got worse."
            )
        elif narrowed:
            verdict = f"The gap between {g} and {ref} narrowed without {ref} getting worse."
        else:
            verdict = f"The gap between {g} and {ref} did not narrow."
        judged.append(
            {
                "comparison": g,
                "before_gap": med["gap"][0],
                "after_gap": med["gap"][1],
                "before_group": med["group"][0] * multiplier,
                "after_group": med["group"][1] * multiplier,
                "before_reference": med["reference"][0] * multiplier,
                "after_reference": med["reference"][1] * multiplier,
                "gap_narrowed": narrowed,
                "levelling_down": levelling if direction else None,
                "verdict": verdict,
            }
        )
    summary = summary.merge(pd.DataFrame(judged), on="comparison", how="left")
    summary.insert(1, "reference", ref)
    summary.insert(2, "measure", "difference" if measure == "difference" else "log ratio")
    provenance.carry(points, data)
    provenance.carry(summary, data)
    settings = {
        "measure": measure,
        "reference": ref,
        "compare": compare,
        "limits": bool(limits),
        "by": by,
        "improvement": improvement,
        "multiplier": float(multiplier),
        "y": y,
    }
    if limits:
        messages.insert(0, EXPERIMENTAL)
    return GapResult(
        points=points, summary=summary, gap=gap, series=series, settings=settings, warnings=messages
    )
