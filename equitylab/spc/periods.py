"""Patient-level rows to counts per period and group, ready for run and control charts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import provenance
from ..errors import DataError
from ..measures._common import as_list, require_columns


def aggregate(
    data: pd.DataFrame,
    *,
    date: str,
    outcome: str | None = None,
    by=None,
    freq: str = "W",
) -> pd.DataFrame:
    """Count rows (and outcomes) per period and group.

    Parameters
    ----------
    data : DataFrame
        Patient-level rows (for example referrals, one per row).
    date : str
        Column of dates that place each row in a period.
    outcome : str, optional
        Column that is true (1, True, "yes") when the row has the outcome of interest.
    by : str or list, optional
        Column(s) to stratify by (for example ethnicity or deprivation quintile).
    freq : str
        pandas period alias: "W" (weeks ending Sunday), "MS" or "M" (calendar months),
        "QS" (quarters), "D" (days).

    Returns
    -------
    DataFrame
        One row per period and group, including periods with no rows (counted as 0):
        ``period`` (the period's first day), the ``by`` columns, ``y`` (rows with the outcome,
        or all rows when ``outcome`` is None) and ``n`` (all rows). No patient-level rows are
        kept. Provenance is carried from ``data``.
    """
    by = as_list(by)
    require_columns(data, [date, outcome, *by], what="aggregate")
    when = pd.to_datetime(data[date], errors="coerce")
    bad = when.isna() & data[date].notna()
    if bad.any():
        # the dates themselves are not echoed: they may identify a patient
        raise DataError(
            f"aggregate: '{date}' must hold dates",
            column=date,
            rows=(np.flatnonzero(bad.to_numpy()) + 2).tolist(),
            hint="Write dates as YYYY-MM-DD; the row numbers count the header as row 1",
        )
    alias = {"MS": "M", "QS": "Q", "YS": "Y", "AS": "Y"}.get(freq, freq)
    try:
        period = when.dt.to_period(alias).dt.start_time
    except (ValueError, TypeError) as exc:
        raise DataError(
            f"aggregate: freq={freq!r} is not a period pandas knows",
            hint="Use 'W' for weeks, 'MS' for months or 'QS' for quarters",
        ) from exc
    frame = pd.DataFrame({"period": period})
    for col in by:
        frame[col] = data[col].astype("string").fillna("Not known").to_numpy()
    if outcome is not None:
        raw = data[outcome]
        if raw.dtype == object or pd.api.types.is_string_dtype(raw):
            flag = raw.astype("string").str.strip().str.lower().isin(["1", "true", "yes", "y"])
        else:
            flag = pd.to_numeric(raw, errors="coerce").fillna(0) > 0
        frame["y"] = flag.to_numpy().astype(int)
    else:
        frame["y"] = 1
    frame["n"] = 1
    frame = frame[frame["period"].notna()]
    out = frame.groupby(["period", *by], observed=True)[["y", "n"]].sum()
    periods = pd.period_range(frame["period"].min(), frame["period"].max(), freq=alias).start_time
    if by:
        groups = frame[by].drop_duplicates().sort_values(by)
        full = pd.MultiIndex.from_frame(
            pd.merge(pd.DataFrame({"period": periods}), groups, how="cross")[["period", *by]]
        )
    else:
        full = pd.Index(periods, name="period")
    out = out.reindex(full, fill_value=0).reset_index()
    out = out.sort_values([*by, "period"], kind="stable").reset_index(drop=True)
    if outcome is None:
        out = out.drop(columns="n")
    return provenance.carry(out, data)
