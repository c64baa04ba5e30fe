"""Counting people by every combination of several group columns, in one pass (not public).

Each column becomes integer codes (a categorical's own codes, an integer column's values, or
``pandas.factorize``), the codes are combined into one stratum number, and ``numpy.bincount``
counts people, sums outcomes and, for a continuous outcome, the squares about each stratum's
mean. Strata whose label is a missing category (blank, "Not stated", "Not known") are counted
too, then set aside, so no row is copied to drop them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError
from .access import UNKNOWN


@dataclass
class Strata:
    """People counted by stratum.

    ``labels`` has one column per ``by`` column; ``n`` counts people with a known outcome;
    ``total`` sums the outcome (events, or values); ``within_ss`` (continuous outcomes) is each
    stratum's sum of squares about its mean. ``left_out`` maps each ``by`` column to
    {missing label: rows}; ``outcome_missing`` counts rows with no outcome.
    """

    labels: pd.DataFrame
    n: np.ndarray
    total: np.ndarray
    within_ss: np.ndarray | None
    left_out: dict = field(default_factory=dict)
    left_out_rows: int = 0
    outcome_missing: int = 0


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes (-1 where blank) and the labels they stand for."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), pd.Index(column.cat.categories)
    if pd.api.types.is_integer_dtype(column.dtype) and isinstance(column.dtype, np.dtype) and len(column):
        values = column.to_numpy()
        low, high = int(values.min()), int(values.max())
        if high - low < 1_000_000:  # small range: the values are their own codes
            shifted = (values - low).astype(np.intp, copy=False)
            present = np.bincount(shifted, minlength=high - low + 1) > 0
            lookup = np.full(high - low + 1, -1, dtype=np.int64)
            lookup[present] = np.arange(int(present.sum()))
            return lookup[shifted], pd.Index(low + np.flatnonzero(present))
    codes, uniques = pd.factorize(column, sort=True)
    return codes, pd.Index(uniques)


def _missing_levels(levels: pd.Index) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(levels.dtype):  # a number (a decile, an age) is never a code for unknown
        return np.zeros(len(levels), dtype=bool)
    text = pd.Series(levels.astype(str)).str.strip().str.lower()
    return text.isin(UNKNOWN).to_numpy()


def count_strata(data: pd.DataFrame, by: list[str], outcome: np.ndarray, *, known: np.ndarray | None,
                 trials: np.ndarray | None = None, continuous: bool = False) -> Strata:
    """Count ``data`` by the combinations of ``by``.

    ``outcome`` is the 0/1 outcome, the events column (with ``trials``), or the continuous value;
    ``known`` marks rows whose outcome is recorded (None: all of them).
    """
    codes, levels = zip(*(_codes(data[c]) for c in by))
    sizes = [len(lv) + 1 for lv in levels]          # slot 0 of each column is "blank"
    bins = int(np.prod(sizes, dtype=np.float64))
    combined = np.zeros(len(data), dtype=np.int64)
    step = 1
    for code, size in zip(reversed(codes), reversed(sizes)):
        combined += (code.astype(np.int64) + 1) * step
        step *= size
    if bins > 20_000_000:  # too many combinations for a dense count: number the ones present
        combined, present_bins = pd.factorize(combined)
        bins = len(present_bins)
    else:
        present_bins = None
    missing_outcome = 0
    if known is not None and not known.all():
        missing_outcome = int((~known).sum())
        combined = combined[known]
        outcome = outcome[known]
        trials = trials[known] if trials is not None else None
    n = np.bincount(combined, weights=trials, minlength=bins)
    total = np.bincount(combined, weights=outcome, minlength=bins)
    present = np.flatnonzero(n > 0)
    n, total = n[present], total[present]
    within = None
    if continuous:
        means = np.zeros(bins)
        means[present] = total / n
        deviation = outcome - means[combined]
        within = np.bincount(combined, weights=deviation * deviation, minlength=bins)[present]
    keys = present if present_bins is None else np.asarray(present_bins)[present]
    positions, blank = [], np.zeros(len(present), dtype=bool)
    step = 1
    for size in reversed(sizes):
        positions.append((keys // step) % size - 1)
        step *= size
    positions.reverse()
    left_out: dict = {}
    for column, pos, lv in zip(by, positions, levels):
        missing = (pos < 0) | _missing_levels(lv)[np.maximum(pos, 0)]
        for label in np.unique(np.where(pos < 0, -1, pos)[missing]):
            rows = int(n[missing & (pos == label if label >= 0 else pos < 0)].sum())
            name = "blank" if label < 0 else str(lv[label])
            left_out.setdefault(column, {})[name] = rows
        blank |= missing
    keep = ~blank
    labels = pd.DataFrame({c: lv.take(pos[keep]) for c, pos, lv in zip(by, positions, levels)})
    if not len(labels):
        raise DataError("Every row has a missing category in at least one of the group columns "
                        f"({', '.join(by)}), so there are no strata to compare",
                        hint="Check that the group columns hold recorded values, not only 'Not stated'")
    return Strata(labels=labels, n=n[keep], total=total[keep], within_ss=None if within is None else within[keep],
                  left_out=left_out, left_out_rows=int(n[blank].sum()), outcome_missing=missing_outcome)
