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
    """Column ``column`` as float64, with a :class:`DataError` naming rows that are not numbers."""
    raw = data[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1).tolist()
        raise DataError(f"{what}: '{column}' must hold numbers", column=column, rows=rows,
                        hint="Remove text such as '<5' or '*' and leave the cell blank instead")
    out = values.to_numpy(dtype="float64", na_value=np.nan)
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
