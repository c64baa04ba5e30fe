"""Findings over time: the share of referrals seen within 28 days as run or SPC charts by group,
and the gap between two groups."""
from __future__ import annotations

import warnings

import pandas as pd

from .. import provenance
from ..charts.icons import assurance_icon, variation_icon
from ..errors import DataError
from ..spc import SmallDenominatorWarning, TrialLimitsWarning, aggregate, control_chart, gap_chart, run_chart
from ..spc.describe import ASSURANCE_WORDS, hidden_groups, variation_words, withheld_groups
from .finding import MISSING_LABELS, Finding, check_audience, make
from .service import GROUP_LABELS, improvement_direction, unavailable
from .words import sentence_case, share_words

_PERIOD_WORDS = {"MS": "month", "M": "month", "W": "week", "QS": "quarter"}
SMALL = 7  # counts from 1 to 7 are hidden when publishing


def _missing_for_waits(service: pd.DataFrame) -> list[str]:
    needs = {"referral_date": "referral_date (the date of each referral)",
             "waiting_days": "waiting_days (days from referral to first appointment)"}
    missing = [words for col, words in needs.items() if col not in service]
    return [" and ".join(missing)] if missing else []


def _waits(service: pd.DataFrame, by: str | None, freq: str) -> pd.DataFrame:
    """Referrals per period (and group) and how many of them were seen within 28 days."""

    if "waiting_days" not in service or "referral_date" not in service:
        raise DataError("Charts over time need 'referral_date' and 'waiting_days' in the service data")
    data = service[[c for c in ("referral_date", "waiting_days", by) if c]].dropna(subset=["referral_date"])
    data = data.assign(seen_28=(data["waiting_days"] <= 28).fillna(False).astype(bool))
    provenance.carry(data, service)
    return aggregate(data, date="referral_date", outcome="seen_28", by=by, freq=freq)


CONTROL_POINTS = 15  # fewer published points than this give a run chart: control limits need a baseline


def _recorded(data: pd.DataFrame, by: str | None, audience: str = "team") -> tuple[pd.DataFrame, str]:
    """Rows whose group is recorded, and a sentence on the share of referrals without one: a missing
    category is a data-quality fact, never an equity group."""
    if not by:
        return data, ""
    missing = data[by].astype("string").isin(MISSING_LABELS)
    count = int(data.loc[missing, "n"].sum())
    label = GROUP_LABELS.get(by, by.replace("_", " "))
    share = share_words(count, int(data["n"].sum()), audience)
    note = (f"{sentence_case(share)} {'of referrals' if share.endswith('%') else 'referrals'} have no recorded "
            f"{label} and are not shown as a group.") if count else ""
    return data[~missing.to_numpy()], note


def _published_summary(result, audience: str) -> pd.DataFrame:
    """The SPC summary as it may be published: groups with every point hidden left out; for groups with
    some hidden points, the centre, limits, runs and verdicts (all computed from every point, hidden ones
    included) blanked, so none of them can help work a hidden count out."""
    summary = result.summary
    if audience != "publish":
        return summary
    summary = summary[~summary["group"].astype(str).isin(hidden_groups(result, audience))].copy()
    withheld = summary["group"].astype(str).isin(withheld_groups(result, audience)).to_numpy()
    keep = {"group", "phase", "start", "end", "n_points"}
    for col in summary.columns:
        if col not in keep:
            summary[col] = summary[col].astype(object).where(~withheld, None)
    summary["note"] = ["centre, limits and verdict not shown: small numbers" if w else "" for w in withheld]
    return provenance.carry(summary.reset_index(drop=True), result.summary)


def _summary_table(result, audience: str) -> pd.DataFrame:
    """One row per group (its latest phase), to read before the charts, Making Data Count style: the
    variation icon and its words, the latest value and the centre line; the assurance icon only when there is
    a target. Groups hidden for privacy are left out (the text says so once)."""
    last = _published_summary(result, audience).groupby("group", sort=False).tail(1)
    run = result.settings["chart"] == "run"
    groups = last["group"].astype(str).to_numpy()
    latest = result.points.assign(group=result.points["group"].astype(str)).groupby("group").tail(1).set_index(
        "group").loc[groups]
    hidden_latest = latest["small_number"].to_numpy(bool) & (audience == "publish")
    withheld = set(withheld_groups(result, audience))
    icons = [("not shown: small numbers" if g in withheld else variation_icon(v, variation_words(v)))
             for g, v in zip(groups, last["variation"], strict=True)]
    table = pd.DataFrame({"group": groups})
    if run:
        table["pattern"] = last["runs_signal"].map({True: "non-random (a shift, a trend or too few runs)",
                                                    False: "random variation only"}).fillna(
            "not shown: small numbers").to_numpy()
    else:
        table["variation"] = icons
    unit = " (%)" if result.settings.get("n") and result.settings.get("multiplier") == 100 else ""
    table["latest" + unit] = pd.to_numeric(latest["y"]).where(~hidden_latest).round(1).to_numpy()
    table[("median" if run else "mean") + unit] = pd.to_numeric(last["centre"]).round(1).to_numpy()
    if not run and last["assurance"].notna().any():  # only with a target: no empty column
        table["assurance"] = [assurance_icon(a, ASSURANCE_WORDS[a]) if isinstance(a, str) else None
                              for a in last["assurance"]]
        table["target" + unit] = pd.to_numeric(last["target"]).round(1).to_numpy()
    return provenance.carry(table, result.points)


def over_time(service: pd.DataFrame, by: str | None = "ethnicity", *, audience: str = "team",
              chart: str = "p", freq: str = "MS", target=None) -> Finding:
    """Share of referrals seen within 28 days, period by period, one panel per group: a control chart
    (default a p-chart with Making Data Count rules) or a run chart (``chart="run"``, IHI rules). A group
    with fewer than 15 points gets a run chart instead, since control limits need a
    baseline (the others keep their control chart: two charts, each with its own summary rows).

    A summary table comes first: one row per group with the Making Data Count variation icon and its words,
    the latest value and the centre line. Higher is better for this measure (its definition,
    :func:`~equitylab.findings.service.improvement_direction`), which decides whether a signal is an
    improvement or a concern. ``target`` (a percentage, or a dict of group to percentage; for example the
    team's aim, :func:`~equitylab.findings.aim_target`) adds the assurance icon; with no target there is none."""
    check_audience(audience)
    word = _PERIOD_WORDS.get(freq, "period")
    if missing := _missing_for_waits(service):
        return unavailable("Referrals seen within 28 days over time", missing, service)
    waits, missing_note = _recorded(_waits(service, by, freq), by, audience)
    # a published group with any point hidden shows no limits at all (withheld_groups), so counting every
    # point here still means limits are drawn only on 15 or more published points
    has_data = waits["n"] > 0
    counts = has_data.groupby(waits[by].astype(str)).sum() if by else pd.Series({"": int(has_data.sum())})
    few, enough = counts.index[(counts > 0) & (counts < CONTROL_POINTS)], counts.index[counts >= CONTROL_POINTS]
    if chart == "run" or not len(few):
        parts = [(chart, waits)]
    elif not len(enough):
        parts = [("run", waits)]
    else:  # a group with none shown stays with the control charts, where it is left out like any other
        key = waits[by].astype(str)
        parts = [(chart, waits[~key.isin(few).to_numpy()]), ("run", waits[key.isin(few).to_numpy()])]
    improvement = improvement_direction("seen_28")
    results, cautions = [], set()
    for kind, data in parts:
        data = data.rename(columns={"y": "seen within 28 days", "n": "referrals", "period": word.capitalize()})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if kind == "run":
                result = run_chart(data, x=word.capitalize(), y="seen within 28 days", n="referrals", by=by,
                                   multiplier=100, improvement=improvement)
            else:
                result = control_chart(data, x=word.capitalize(), y="seen within 28 days", n="referrals",
                                       chart=kind, by=by, improvement=improvement, target=target, multiplier=100)
        results.append(result)
        # the small-numbers caution is the team view's; published charts hide those points
        cautions |= {str(w.message) for w in caught
                     if issubclass(w.category, (SmallDenominatorWarning, TrialLimitsWarning))}
    kinds = {r.settings["chart"] == "run" for r in results}
    kind = "Run chart" if kinds == {True} else "SPC chart" if kinds == {False} else "SPC and run charts"
    described = [r.describe(audience) for r in results]
    words = []
    for d in described:
        what, _, signals = d.partition(". ")  # the words lead with what changed, then what the chart is
        words += [signals, what + "."]
    if len(results) > 1:
        words.append(f"Groups with fewer than {CONTROL_POINTS} {word}s of data get a run chart: control limits "
                     "need a longer baseline.")
    text = " ".join(t for t in (*words, missing_note, *sorted(cautions)) if t)
    title = f"{kind}: referrals seen within 28 days, by {word}" + (f", by {GROUP_LABELS.get(by, by)}" if by else "")
    heading = "Referrals seen within 28 days" + (f", by {GROUP_LABELS.get(by, by)}" if by else "")
    export = pd.concat([_published_summary(r, audience) for r in results], ignore_index=True)
    tables = [_summary_table(r, audience) for r in results]
    if len(tables) > 1:  # one set of columns: the chart each group is on says what its centre line is
        tables = [t.rename(columns=lambda c: "variation" if c == "pattern" else
                           "centre " + c.split(" ", 1)[1] if c.startswith(("mean (", "median (")) else c)
                  .assign(chart="control chart (mean)" if r.settings["chart"] != "run" else "run chart (median)")
                  for t, r in zip(tables, results)]
    readable = pd.concat(tables, ignore_index=True)
    provenance.carry(export, results[0].points)
    provenance.carry(readable, results[0].points)
    def chart_title(r) -> str:
        if len(results) == 1:
            return heading
        groups = list(dict.fromkeys(r.points["group"].astype(str)))
        kind = "run chart" if r.settings["chart"] == "run" else "control chart"
        return f"{heading}: {kind}" + (f" for {groups[0]}" if len(groups) == 1 else "")

    charts = [r.chart(audience=audience, title=chart_title(r)) for r in results]
    return make(title, text, data=service, table=export, readable=readable, table_first=True,
                chart=charts[0] if len(charts) == 1 else charts, alt_text=" ".join(described), audience=audience,
                extra={"result": results[0]})


MIN_PERIODS = 12  # periods a published gap needs: a first and a second half of six each


def _published_pair(data: pd.DataFrame, by: str, group, reference):
    """What a published gap may use: the periods in which both groups have referrals and neither rests on a
    count of 1 to 7 (the
    gap, its medians and its verdict are computed from every period they are given, so a hidden point
    must not be one of them). The reference is the largest group unless named; the group, unless named,
    is the one with the lowest share seen within 28 days over those periods, among those with at least
    :data:`MIN_PERIODS` of them. Returns (data of those periods, group, reference, periods left out), or
    None when no pair has enough."""
    key = data[by].astype(str)
    small = ((data["y"].between(1, SMALL) | data["n"].between(1, SMALL))
             .groupby([data["period"], key]).any().unstack(fill_value=False))
    # a period in which a group has no referrals has no share to compare
    usable = ~small & (data["n"].groupby([data["period"], key]).sum().unstack(fill_value=0) > 0)
    reference = str(reference) if reference is not None else str(data.groupby(key)["n"].sum().idxmax())
    if reference not in usable.columns:
        return None
    clear = {g: usable[g] & usable[reference] for g in usable.columns if g != reference
             and (group is None or g == str(group))}
    clear = {g: ok[ok].index for g, ok in clear.items() if ok.sum() >= MIN_PERIODS}
    if not clear:
        return None

    def share(g):
        rows = data[(key == g) & data["period"].isin(clear[g])]
        return rows["y"].sum() / max(rows["n"].sum(), 1)

    chosen = min(clear, key=share)
    kept = data[data["period"].isin(clear[chosen])]
    return kept.assign(**{by: kept[by].astype(str)}), chosen, reference, len(small.index) - len(clear[chosen])


def gap_over_time(service: pd.DataFrame, *, group: str | None = None, reference: str | None = None,
                  by: str = "ethnicity", audience: str = "team", freq: str = "MS") -> Finding:
    """The gap in the share seen within 28 days between a group and a reference group, over time,
    as a run chart above both groups' own series (levelling down is flagged).

    The reference is the largest recorded group unless the team names one; the group is the one with
    the lowest share seen within 28 days unless named. Missing categories are never either. Published
    (``audience="publish"``), the gap uses only the periods in which neither group rests on a count of 1
    to 7, and says how many it leaves out; with fewer than 12 such periods it is not shown."""
    check_audience(audience)
    word = _PERIOD_WORDS.get(freq, "period")
    if missing := _missing_for_waits(service):
        return unavailable("The gap over time", missing, service)
    data, _ = _recorded(_waits(service, by, freq), by)
    totals = data.groupby(by)[["y", "n"]].sum()
    left_out = 0
    if audience == "publish":
        pair = _published_pair(data, by, group, reference)
        if pair is None:
            label = GROUP_LABELS.get(by, by)
            return make(f"The gap over time by {label}",
                        f"The gap between {label}s over time is not shown: it needs two groups with at least "
                        f"{MIN_PERIODS} {word}s in which neither rests on a count of 1 to 7, since the gap, its "
                        f"medians and its verdict are worked out from every {word} they use. Longer periods, or a "
                        "longer extract, may allow it.", data=service)
        data, group, reference, left_out = pair
    if reference is None:
        reference = totals["n"].idxmax()
    if group is None:
        others = totals[totals.index != reference]
        group = (others["y"] / others["n"]).idxmin()
    data = data.rename(columns={"y": "seen within 28 days", "n": "referrals", "period": word.capitalize()})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = gap_chart(data, x=word.capitalize(), y="seen within 28 days", n="referrals", by=by, group=group,
                           reference=reference, multiplier=100,
                           improvement=improvement_direction("seen_28"))
    text = result.describe()
    if left_out:
        text += (f" {left_out} {word}{'' if left_out == 1 else 's'} in which either group rests on a count of 1 to "
                 "7 are left out of the gap, its medians and its verdict.")
    summary = result.summary.drop_duplicates("comparison", keep="last")
    table = pd.DataFrame({"comparison": summary["comparison"],
                          "median gap, first half (points)": summary["before_gap"].round(1),
                          "median gap, second half (points)": summary["after_gap"].round(1),
                          "what happened": summary["verdict"]}).reset_index(drop=True)
    provenance.carry(table, result.summary)
    return make(f"The gap over time: {group} against {reference}", text, data=service, table=result.summary,
                readable=table, chart=result.chart(audience=audience), alt_text=text, audience=audience,
                extra={"result": result})
