"""Change dates and PDSA cycles as (x, label) pairs for markers and phase boundaries."""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from ..errors import DataError

_DATE_KEYS = ("date", "start", "x", "start_date", "when")
_LABEL_KEYS = ("label", "title", "name", "change_idea", "change", "objective", "description")


def _pick(obj, keys):
    for key in keys:
        if isinstance(obj, dict):
            if obj.get(key) is not None:
                return obj[key]
        elif getattr(obj, key, None) is not None:
            return getattr(obj, key)
    return None


def as_annotations(items) -> list[tuple[object, str]]:
    """Normalise change dates or PDSA cycles to a list of ``(x, label)``.

    Accepts x values on their own, ``(x, label)`` tuples, dicts with a date (``date``,
    ``start``, ``x``) and a label (``label``, ``title``, ``name``, ``change_idea``), objects
    with such attributes (a workbook ``PDSA`` is labelled "PDSA <cycle>: <change idea>"), or a
    workbook ``Project`` (its PDSA cycles). Items without a date are skipped.
    """
    if items is None:
        return []
    if hasattr(items, "pdsa") and not isinstance(items, dict):  # a workbook Project: its PDSA cycles
        items = list(items.pdsa)
    if isinstance(items, dict) or not isinstance(items, list | tuple | pd.Series | pd.Index | np.ndarray):
        items = [items]
    out = []
    for number, item in enumerate(items, start=1):
        if isinstance(item, tuple | list) and len(item) == 2:
            x, label = item
        elif isinstance(item, str | int | float | np.number | _dt.date | pd.Timestamp | np.datetime64):
            x, label = item, ""
        else:
            x, label = _pick(item, _DATE_KEYS), _pick(item, _LABEL_KEYS)
            if x is None:
                continue
            cycle = _pick(item, ("cycle",))
            if cycle is not None and _pick(item, ("change_idea",)):
                label = f"PDSA {cycle}: {_pick(item, ('change_idea',))}"
            if label is None:
                label = f"change {number}"
        out.append((x, "" if label is None else str(label)))
    return out


def coerce_like(values, reference: pd.Series, *, what: str):
    """Convert x values given by the user (phases, exclude, annotations) to the x column's type."""
    values = list(values)
    if not values:
        return np.asarray([], dtype=reference.dtype if len(reference) else float)
    if pd.api.types.is_datetime64_any_dtype(reference):
        try:
            out = pd.to_datetime(pd.Series(values))
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"{what} must be dates like the x column", hint="Write dates as 'YYYY-MM-DD'"
            ) from exc
        tz = getattr(reference.dt, "tz", None)
        if tz is not None and out.dt.tz is None:
            out = out.dt.tz_localize(tz)
        return out.to_numpy(dtype=reference.dtype)
    if pd.api.types.is_numeric_dtype(reference):
        try:
            return np.asarray(values, dtype=float)
        except (ValueError, TypeError) as exc:
            raise DataError(f"{what} must be numbers like the x column") from exc
    return np.asarray(values, dtype=object)
