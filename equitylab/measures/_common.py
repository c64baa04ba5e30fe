"""Checks and small helpers shared by the measures (not public)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError


def as_list(x) -> list:
    """``None`` -> [], a string -> [it], a sequence -> list(it)."""
    if x is None:
        return []
    if isinstance(x, str | bytes) or not isinstance(x, Sequence):
        return [x]
    return list(x)


def require_columns(data: pd.DataFrame, columns, *, what: str = "this measure") -> None:
    """Raise :class:`DataError` naming every column that ``data`` lacks."""
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"{what} needs a table (a pandas DataFrame), not {type(data).__name__}")
    missing = [c for c in as_list(columns) if c is not None and c not in data.columns]
    if missing:
        have = ", ".join(map(str, data.columns[:20]))
        raise DataError(
            f"{what} needs a column named '{missing[0]}', which the table does not have",
            column=str(missing[0]),
            hint=f"The table's columns are: {have}",
        )


def numeric(data: pd.DataFrame, column: str, *, what: str = "this measure",
            allow_negative: bool = True) -> np.ndarray:
    """Column ``column`` as float64, with a :class:`DataError` naming rows that are not numbers,
    are infinite, or (with ``allow_negative=False``) are below 0. Blank cells are NaN."""
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1).tolist()
        raise DataError(f"{what}: '{column}' must hold numbers", column=column, rows=rows,
                        hint="Remove text such as '<5' or '*' and leave the cell blank instead")
    out = values.to_numpy(dtype="float64", na_value=np.nan)
    endless = np.isinf(out)
    if endless.any():
        raise DataError(f"{what}: '{column}' holds an infinite value, which no count, rate or estimate can be",
                        column=column, rows=(np.flatnonzero(endless) + 1).tolist(),
                        hint="Look for a division by 0 where the column was made")
    if not allow_negative and (out < 0).any():
        rows = (np.flatnonzero(out < 0) + 1).tolist()
        raise DataError(f"{what}: '{column}' cannot be negative", column=column, rows=rows)
    return out


def confidence_levels(confidence) -> list[float]:
    """Validate ``confidence`` (0.95, 0.998, 95, or a list of these) into fractions."""
    levels = []
    for c in as_list(confidence):
        c = float(c)
        if c > 1:
            c = c / 100
        if not 0 < c < 1:
            raise DataError(f"confidence must be between 0 and 1 (e.g. 0.95), not {c}")
        levels.append(c)
    if not levels:
        raise DataError("give at least one confidence level, e.g. confidence=0.95")
    return levels


def ci_suffix(level: float) -> str:
    """0.95 -> '95', 0.998 -> '99_8' (the column suffix used for several levels)."""
    text = f"{level * 100:.10g}"
    return text.replace(".", "_")


def ci_columns(levels: list[float], prefix: str = "") -> list[tuple[float, str, str]]:
    """(level, lower column, upper column) per level: plain names for one level."""
    if len(levels) == 1:
        return [(levels[0], f"{prefix}lower_ci", f"{prefix}upper_ci")]
    return [(lv, f"{prefix}lower_ci_{ci_suffix(lv)}", f"{prefix}upper_ci_{ci_suffix(lv)}") for lv in levels]


def by_columns(data: pd.DataFrame, by, what: str) -> list[str]:
    """``by`` as a list of columns that ``data`` has."""
    cols = as_list(by)
    require_columns(data, cols, what=what)
    return cols


def group_codes(data: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """A group number per row (0..k-1, groups sorted as :func:`pandas.DataFrame.groupby` sorts
    them, rows with a missing label in a group of their own) and the frame of the k groups'
    labels. Without ``by`` every row is in group 0."""
    if not by:
        return np.zeros(len(data), dtype=np.intp), pd.DataFrame(index=pd.RangeIndex(1))
    grouped = data.groupby(by, observed=True, dropna=False, sort=True)
    keys = grouped.size().index.to_frame(index=False)
    return grouped.ngroup().to_numpy(), keys


def join_notes(*notes: np.ndarray) -> np.ndarray:
    """Combine per-row note arrays ("" = nothing to say) into one "; "-separated array."""
    out = []
    for parts in zip(*notes):
        out.append("; ".join(p for p in parts if p))
    return np.array(out, dtype=object)


def note_where(condition, text: str, size: int) -> np.ndarray:
    """``text`` where ``condition`` holds, else "" (one entry per row)."""
    cond = np.broadcast_to(np.asarray(condition, dtype=bool), (size,))
    return np.where(cond, text, "").astype(object)


def positive_multiplier(multiplier, what: str) -> float:
    """``multiplier`` as a float, with a :class:`DataError` unless it is a finite number above 0."""
    try:
        m = float(multiplier)
    except (TypeError, ValueError):
        m = np.nan
    if not (np.isfinite(m) and m > 0):
        raise DataError(f"{what}: multiplier must be a positive number such as 100 or 100000, not {multiplier!r}")
    return m


OVERFLOW = "not calculated: the numbers are too large to compute with"


def overflowed(*arrays) -> np.ndarray:
    """Rows where any of ``arrays`` is infinite (a finite input too large for floating point)."""
    out = np.zeros(np.broadcast(*arrays).shape, dtype=bool)
    for a in arrays:
        out |= np.isinf(np.asarray(a, dtype=float))
    return out
