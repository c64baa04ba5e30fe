"""Which of a team's measure data points may be shared: the disclosure rule for published files.

A point whose numerator or denominator is a whole number from 1 to 7 is hidden (primary
suppression, NHS England disclosure practice). A hidden point could be worked out by subtraction
when the same period also has an "All" row or other groups that add up to it, so in a period with
exactly one hidden point the next smallest point is hidden too (complementary suppression). The
team's own view shows everything under a "do not share" banner instead.
"""
from __future__ import annotations

from collections import defaultdict

from ..errors import DataError
from .model import Measure

SMALL = range(1, 8)


def _small(x) -> bool:
    return x is not None and float(x).is_integer() and int(x) in SMALL


def hidden_points(measure: Measure) -> set[int]:
    """Indexes into ``measure.data`` of the points a published file leaves blank."""
    hidden = {i for i, p in enumerate(measure.data) if _small(p.numerator) or _small(p.denominator)}
    by_period = defaultdict(list)
    for i, p in enumerate(measure.data):
        by_period[p.period].append(i)
    for points in by_period.values():
        if len(points) > 1 and len([i for i in points if i in hidden]) == 1:
            shown = [i for i in points if i not in hidden and measure.data[i].numerator is not None]
            if shown:
                hidden.add(min(shown, key=lambda i: measure.data[i].numerator))
    return hidden


def shared_points(measure: Measure, audience: str = "publish") -> list[dict]:
    """The measure's points as rows (period, group, numerator, denominator, value, note), with the hidden
    ones' numbers blank when ``audience="publish"`` and a note saying why."""
    if audience not in ("team", "publish"):
        raise DataError(f"audience must be 'team' or 'publish', not {audience!r}")
    hidden = hidden_points(measure) if audience == "publish" else set()
    rows = []
    for i, p in enumerate(measure.data):
        blank = i in hidden
        rows.append({"period": p.period, "group": p.group,
                     "numerator": None if blank else p.numerator, "denominator": None if blank else p.denominator,
                     "value": None if blank else p.result(measure.multiplier),
                     "note": "hidden: small numbers" if blank else p.note})
    return rows
