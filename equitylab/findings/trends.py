"""Findings over time: the share of referrals seen within 28 days as run or SPC charts by group,
and the gap between two groups."""
from __future__ import annotations

import warnings

import pandas as pd

from .. import provenance
from ..errors import DataError
from ..spc import aggregate, control_chart, gap_chart, run_chart
from .finding import Finding, check_audience, make
from .service import GROUP_LABELS

_PERIOD_WORDS = {"MS": "month", "M": "month", "W": "week", "QS": "quarter"}


def _waits(service: pd.DataFrame, by: str | None, freq: str) -> pd.DataFrame:
    """Referrals per period (and group) and how many of them were seen within 28 days."""

    if "waiting_days" not in service or "referral_date" not in service:
        raise DataError("Charts over time need 'referral_date' and 'waiting_days' in the service data")
    data = service[[c for c in ("referral_date", "waiting_days", by) if c]].dropna(subset=["referral_date"])
    data = data.assign(seen_28=(data["waiting_days"] <= 28).fillna(False).astype(bool))
    provenance.carry(data, service)
    return aggregate(data, date="referral_date", outcome="seen_28", by=by, freq=freq)


_PERIOD_WORDS = {"MS": "month", "M": "month", "W": "week", "QS": "quarter"}


def over_time(service: pd.DataFrame, by: str | None = "ethnicity", *, audience: str = "team",
              chart: str = "p", freq: str = "MS") -> Finding:
    """Share of referrals seen within 28 days, period by period: a run chart (``chart="run"``, IHI
    rules) or a control chart (default a p-chart with Making Data Count rules), one per group."""

    check_audience(audience)
    data = _waits(service, by, freq)
    if by:
        data = data[data[by] != "Not known"]
    data = data.rename(columns={"y": "seen within 28 days", "n": "referrals"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if chart == "run":
            result = run_chart(data, x="period", y="seen within 28 days", n="referrals", by=by, multiplier=100)
        else:
            result = control_chart(data, x="period", y="seen within 28 days", n="referrals", chart=chart, by=by, improvement="increase",
                                   multiplier=100)
    cautions = sorted({str(w.message) for w in caught if issubclass(w.category, UserWarning)})
    kind = "Run chart" if chart == "run" else "SPC chart"
    word = _PERIOD_WORDS.get(freq, "period")
    text = result.describe() + ("\n\n" + " ".join(cautions) if cautions else "")
    title = f"{kind}: referrals seen within 28 days, by {word}" + (f", by {GROUP_LABELS.get(by, by)}" if by else "")
    return make(title, text, data=service, table=result.summary, chart=result.chart(audience=audience),
                    alt_text=result.describe(), audience=audience, extra={"result": result})


def gap_over_time(service: pd.DataFrame, *, group: str | None = None, reference: str | None = None,
                  by: str = "ethnicity", audience: str = "team", freq: str = "MS") -> Finding:
    """The gap in the share seen within 28 days between a group and a reference group, over time,
    as a run chart above both groups' own series (levelling down is flagged)."""

    check_audience(audience)
    data = _waits(service, by, freq)
    data = data[data[by] != "Not known"]
    totals = data.groupby(by)[["y", "n"]].sum()
    if reference is None:
        reference = totals["n"].idxmax()
    if group is None:
        others = totals[totals.index != reference]
        group = (others["y"] / others["n"]).idxmin()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = gap_chart(data, x="period", y="y", n="n", by=by, group=group, reference=reference,
                           multiplier=100, improvement="increase")
    text = result.describe()
    return make(f"The gap over time: {group} against {reference}", text, data=service,
                    table=getattr(result, "summary", None), chart=result.chart(audience=audience), alt_text=text,
                    audience=audience, extra={"result": result})

