"""Charts of inequality measures: deprivation gradients, group comparisons, access, funnel plots.

Every function returns an altair chart built on pre-aggregated rows (a few dozen at most), styled
with the shared theme, whose ``description`` (read back with :func:`describe`) says in words what the
chart shows, generated from the numbers and worded as a pattern, not a cause. The caption names the
data's provenance and says SYNTHETIC when the data is.
"""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .. import provenance
from ..errors import DataError
from ..measures._common import require_columns
from .theme import COMPARATOR, GROUP_COLOURS, HEIGHT, WIDTH, config, lines, set_properties, tooltips


def describe(chart) -> str:
    """The plain-English text description (alt text) of a chart made here."""
    desc = getattr(chart, "description", None)
    if isinstance(desc, str):
        return desc
    return chart.to_dict().get("description", "")


def _finish(chart, title: str, subtitle: str, description: str, *frames):
    cap = provenance.caption(provenance.merged(*frames))
    # one copy of the chart for title, size and theme (each altair call copies the whole chart)
    return set_properties(chart, title=alt.TitleParams(lines(title, width=70), subtitle=lines(subtitle, cap)),
                          description=description, width=WIDTH, height=HEIGHT, config=alt.Config(**config()))


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "not available"
    return f"{x:,.3g}" if abs(x) < 100 else f"{x:,.0f}"


def deprivation_gradient(result_or_data: pd.DataFrame, *, sii: pd.DataFrame | None = None,
                         quantile: str = "quantile", value: str = "value", lower_ci: str | None = "lower_ci",
                         upper_ci: str | None = "upper_ci", national_or_local: str = "national",
                         indicator: str = "Indicator", multiplier: float = 1):
    """Values by deprivation quantile with their intervals, and the SII line through them.

    Parameters
    ----------
    result_or_data : DataFrame
        One row per quantile (1 = most deprived) with ``value`` and optionally interval columns.
    sii : DataFrame, optional
        A one-row result of :func:`equitylab.measures.sii` (PHE method, no transform) for the same
        data; its line (fitted values at relative ranks 0 and 1) is drawn across the quantiles.
        ``multiplier`` must be the one used for the SII when the values are on another scale.
    national_or_local : {"national", "within-area"}
        Whether the quantiles are national deciles or deciles within the area; said in the title.
    indicator : str
        Name of the indicator for the title and description.
    """
    if national_or_local not in ("national", "within-area"):
        raise DataError("national_or_local must be 'national' or 'within-area'")
    require_columns(result_or_data, [quantile, value, lower_ci, upper_ci], what="deprivation_gradient")
    d = result_or_data[[c for c in (quantile, value, lower_ci, upper_ci) if c]].copy()
    d = d.sort_values(quantile).reset_index(drop=True)
    d.columns = ["quantile", "value"] + (["lower", "upper"] if lower_ci and upper_ci else [])
    kind = "national" if national_or_local == "national" else "within-area"
    n_q = len(d)
    name = {5: "quintile", 10: "decile"}.get(n_q, "quantile")
    xlab = f"Deprivation {name} ({kind}; 1 = most deprived)"
    x = alt.X("quantile:O", title=xlab, axis=alt.Axis(labelAngle=0))  # "1" to "10" read upright
    # on as many lines as the axis is tall (13 px bold: about 6.5 px a character), not past the plot
    ylab = lines(indicator, width=int(HEIGHT / 6.5))
    base = alt.Chart(d)
    layers = []
    if "lower" in d:
        layers.append(base.mark_rule(color=GROUP_COLOURS[0]).encode(x=x, y=alt.Y("lower:Q"), y2=alt.Y2("upper")))
    layers.append(base.mark_point(filled=True, size=70, opacity=1, color=GROUP_COLOURS[0]).encode(
        x=x, y=alt.Y("value:Q", title=ylab, scale=alt.Scale(zero=False)),
        tooltip=tooltips(*d.columns)))
    most, least = d["value"].iloc[0], d["value"].iloc[-1]
    text = (f"{indicator} by {kind} deprivation {name}, {n_q} groups. The most deprived {name} has "
            f"{_fmt(most)} and the least deprived {_fmt(least)}.")
    frames = [result_or_data]
    if sii is not None:
        row = sii.iloc[0]
        if np.isfinite(row.get("intercept", np.nan)) and np.isfinite(row["sii"]):
            # the fitted line at the first and last quantiles' mid-ranks (equal-sized quantiles). The SII is
            # already on the values' scale; its intercept is on the scale the model was fitted on, 1/multiplier
            start = float(row["intercept"]) * (multiplier or 1)
            slope = float(row["sii"])
            line = pd.DataFrame({"quantile": [d["quantile"].iloc[0], d["quantile"].iloc[-1]],
                                 "fit": [start + slope * 0.5 / n_q, start + slope * (1 - 0.5 / n_q)]})
            layers.append(alt.Chart(line).mark_line(color=GROUP_COLOURS[5], strokeDash=[6, 3]).encode(
                x=alt.X("quantile:O"), y=alt.Y("fit:Q")))
        text += (f" The slope index of inequality is {_fmt(row['sii'])} (interval "
                 f"{_fmt(row.get('sii_lower_ci', np.nan))} to {_fmt(row.get('sii_upper_ci', np.nan))}): the "
                 f"fitted gap from the most to the least deprived end of the population (dashed line). "
                 f"{'A positive' if row['sii'] > 0 else 'A negative'} SII means values are "
                 f"{'higher' if row['sii'] > 0 else 'lower'} in less deprived areas; it describes a pattern, "
                 "not its cause.")
        frames.append(sii)
    title = f"{indicator} by deprivation {name} ({kind} {name}s)"
    chart = _finish(alt.layer(*layers), title, "", text, *frames)
    chart.description = text
    return chart


def compare_groups(data: pd.DataFrame, *, by: str, value: str, lower_ci: str = "lower_ci",
                   upper_ci: str = "upper_ci", reference: str | None = None, overall: float | None = None,
                   indicator: str = "Indicator"):
    """Each group's value with its interval, against a reference group or the overall value.

    ``reference`` is the label of the reference group in column ``by``; ``overall`` is a value to compare
    with instead (the service overall). It is drawn as a dashed vertical line, and the description names
    the groups whose interval lies wholly above or below it. The chart is as tall as its groups need.
    """
    require_columns(data, [by, value, lower_ci, upper_ci], what="compare_groups")
    d = data[[by, value, lower_ci, upper_ci]].copy()
    d.columns = ["group", "value", "lower", "upper"]
    d["group"] = d["group"].astype(str)
    if reference is not None and str(reference) not in set(d["group"]):
        raise DataError(f"the reference group '{reference}' is not in column '{by}'", column=by)
    ref_value = float(d.loc[d["group"] == str(reference), "value"].iloc[0]) if reference is not None else overall
    ref_name = f"the reference group {reference}" if reference is not None else "the overall value"
    if ref_value is not None:
        d["versus reference"] = np.where(d["lower"] > ref_value, "higher",
                                         np.where(d["upper"] < ref_value, "lower", "similar"))
        if reference is not None:
            d.loc[d["group"] == str(reference), "versus reference"] = "reference"
    else:
        d["versus reference"] = "group"
    # the legend lists only what is drawn
    kinds = [k for k in ("higher", "lower", "similar", "reference", "group") if k in set(d["versus reference"])]
    looks = {"higher": (GROUP_COLOURS[0], "triangle-right"), "lower": (GROUP_COLOURS[5], "triangle-left"),
             "similar": ("#7F7F7F", "circle"), "reference": ("#000000", "square"), "group": (GROUP_COLOURS[0], "circle")}
    palette = alt.Scale(domain=kinds, range=[looks[k][0] for k in kinds])
    shapes = alt.Scale(domain=kinds, range=[looks[k][1] for k in kinds])
    y = alt.Y("group:N", title=None, sort=list(d["group"]))
    base = alt.Chart()  # the rows are given once, to the layered chart
    x = alt.X("value:Q", title=indicator, scale=alt.Scale(zero=False))
    if ref_value is not None:
        # opacity 1: Vega's default 0.7 fades the grey "similar" points below 3:1 on white. No legend: each
        # interval is labelled in words at its end (direct labels, UK Government Analysis Function guidance)
        points = base.mark_point(filled=True, size=80, opacity=1).encode(
            y=y, x=x,
            color=alt.Color("versus reference:N", scale=palette, legend=None),
            shape=alt.Shape("versus reference:N", scale=shapes, legend=None),
            tooltip=tooltips("group", "value", "lower", "upper", "versus reference"))
    else:  # nothing to compare with: one look for every group, and no legend that says nothing
        points = base.mark_point(filled=True, size=80, opacity=1, color=GROUP_COLOURS[0], shape="circle").encode(
            y=y, x=x, tooltip=tooltips("group", "value", "lower", "upper"))
    layers = [base.mark_rule(color="#555555").encode(y=y, x=alt.X("lower:Q"), x2=alt.X2("upper")), points]
    text = f"{indicator} for {len(d)} groups with their intervals."
    if ref_value is not None:
        layers += _direct_labels(d, reference)
        layers.append(alt.Chart().mark_rule(strokeDash=[4, 4]).encode(x=alt.XDatum(ref_value)))
        # the dashed line labelled where it is drawn, above the plot
        label = f"{reference if reference is not None else 'Overall'} {_fmt(ref_value)}"
        layers.append(alt.Chart().mark_text(align="center", baseline="bottom", dy=-3, fontSize=11,
                                            color="#333333").encode(x=alt.XDatum(ref_value), y=alt.YValue(0),
                                                                    text=alt.TextValue(label)))
        hi = d.loc[d["versus reference"] == "higher", "group"].tolist()
        lo = d.loc[d["versus reference"] == "lower", "group"].tolist()
        text += (f" {ref_name[0].upper() + ref_name[1:]} is {_fmt(ref_value)} (dashed line). "
                 f"Intervals wholly above it: {', '.join(hi) or 'none'}; wholly below it: {', '.join(lo) or 'none'}; "
                 "the rest overlap it. Differences describe a pattern, not its cause.")
    chart = _finish(alt.LayerChart(data=d, layer=layers), f"{indicator} by group", "", text, data)
    chart.height = max(60, 26 * len(d))
    chart.description = text
    return chart


def _direct_labels(d: pd.DataFrame, reference) -> list:
    """Each group's comparison in a word at the right-hand end of its row ("lower", "similar"): a direct
    label in place of a legend, in a column of its own so it never crosses an interval or the axis."""
    words = {"higher": "higher", "lower": "lower", "similar": "similar", "reference": "reference"}
    d["label"] = d["versus reference"].map(words).fillna("")
    y = alt.Y("group:N", title=None, sort=list(d["group"]))
    against = ["against", str(reference) if reference is not None else "overall"]  # two lines: narrow column
    return [alt.Chart().mark_text(align="left", baseline="middle", dx=8, fontSize=11, color="#333333")
            .encode(y=y, x=alt.XValue(WIDTH), text=alt.Text("label:N")),
            alt.Chart().mark_text(align="left", baseline="bottom", dx=8, dy=-16, fontSize=11, color="#333333")
            .encode(x=alt.XValue(WIDTH), y=alt.YValue(0), text=alt.TextValue(against))]


def access_chart(data: pd.DataFrame, *, by: str, service_share: str, population_share: str,
                 service: str = "service users"):
    """Each group's share of service use beside its share of the population (both as fractions or %).

    A group whose share of use is well below its share of the population may be under-served (or have
    less need); the description lists the largest gaps.
    """
    require_columns(data, [by, service_share, population_share], what="access_chart")
    d = data[[by, service_share, population_share]].copy()
    d.columns = ["group", "Share of " + service, "Share of population"]
    d["group"] = d["group"].astype(str)
    long = d.melt("group", var_name="measure", value_name="share")
    # shares given as fractions are shown as %, like shares given in %
    percent = bool((long["share"].abs() > 1).any())
    axis = alt.Axis() if percent else alt.Axis(format="%")
    y = alt.Y("group:N", title=None, sort=list(d["group"]))
    offset = alt.YOffset("measure:N", sort=list(d.columns[1:]))
    x = alt.X("share:Q", title=f"Share of {service} and of the population (%)", axis=axis)
    bars = alt.Chart(long).mark_bar().encode(
        y=y, yOffset=offset, x=x,
        color=alt.Color("measure:N", scale=alt.Scale(domain=list(d.columns[1:]), range=[GROUP_COLOURS[0], COMPARATOR]),
                        legend=None),
        tooltip=tooltips("group", "measure", "share"))
    # no legend: the first group's two bars are labelled at their ends (direct labels)
    first = long[long["group"] == d["group"].iloc[0]].assign(
        label=lambda f: np.where(f["measure"] == "Share of population", "population", service))
    labels = alt.Chart(first).mark_text(align="left", baseline="middle", dx=4, fontSize=11, color="#333333").encode(
        y=y, yOffset=offset, x=alt.X("share:Q"), text=alt.Text("label:N"))
    chart = alt.layer(bars, labels)
    gap = d["Share of " + service] - d["Share of population"]
    order = np.argsort(gap.to_numpy())
    under = [f"{d['group'].iloc[i]} ({_fmt(gap.iloc[i])})" for i in order[:2] if gap.iloc[i] < 0]
    over = [f"{d['group'].iloc[i]} ({_fmt(gap.iloc[i])})" for i in order[::-1][:2] if gap.iloc[i] > 0]
    text = (f"Share of {service} beside share of the population for {len(d)} groups. "
            f"Groups using the service less than their population share: {', '.join(under) or 'none'}; "
            f"more: {', '.join(over) or 'none'} (difference in share). A gap may reflect need as well as access.")
    out = _finish(chart, f"Share of {service} and of the population", "", text, data)
    out.height = max(80, 26 * len(d))  # two bars a group
    out.description = text
    return out


def funnel_plot(data: pd.DataFrame, *, by: str, value: str, denominator: str, limits: pd.DataFrame,
                centre: float | None = None, indicator: str = "Indicator"):
    """Units (``by``: practices, teams) by size against their value, inside 2 and 3 standard deviation limits.

    ``limits`` is :func:`equitylab.measures.funnel_limits`' table of funnel lines (columns
    ``denominator``, ``lower_limit_95``, ``upper_limit_95``, ``lower_limit_99_8``, ``upper_limit_99_8``);
    keep it small (around 100 points). Points outside the 3 SD limits are named in the description;
    this is special-cause variation to look into, not proof of better or worse care.
    """
    lines_at = ["denominator", "lower_limit_95", "upper_limit_95", "lower_limit_99_8", "upper_limit_99_8"]
    require_columns(data, [by, value, denominator], what="funnel_plot")
    require_columns(limits, lines_at, what="funnel_plot")
    pts = data[[by, value, denominator]].copy()
    pts.columns = ["unit", "value", "denominator"]
    lim = limits[lines_at].copy()
    lim.columns = ["denominator", "lower 2 SD", "upper 2 SD", "lower 3 SD", "upper 3 SD"]
    lo3 = np.interp(pts["denominator"], lim["denominator"], lim["lower 3 SD"])
    hi3 = np.interp(pts["denominator"], lim["denominator"], lim["upper 3 SD"])
    pts["position"] = np.where(pts["value"] > hi3, "above 3 SD", np.where(pts["value"] < lo3, "below 3 SD",
                                                                           "within limits"))
    long = lim.melt("denominator", var_name="limit", value_name="y")
    long["band"] = np.where(long["limit"].str.contains("3"), "3 SD", "2 SD")
    lines = alt.Chart(long).mark_line().encode(
        x=alt.X("denominator:Q", title="Denominator (size)"), y=alt.Y("y:Q"), detail=alt.Detail("limit:N"),
        strokeDash=alt.StrokeDash("band:N", scale=alt.Scale(domain=["2 SD", "3 SD"], range=[[4, 3], [1, 0]]),
                                  title="Limit"), color=alt.ColorValue("#7F7F7F"))
    looks = {"above 3 SD": (GROUP_COLOURS[0], "triangle-up"), "below 3 SD": (GROUP_COLOURS[5], "triangle-down"),
             "within limits": ("#7F7F7F", "circle")}
    where = [k for k in looks if k in set(pts["position"])]  # the legend lists only what is drawn
    points = alt.Chart(pts).mark_point(filled=True, size=60, opacity=1).encode(
        x=alt.X("denominator:Q"), y=alt.Y("value:Q", title=indicator),
        color=alt.Color("position:N", scale=alt.Scale(domain=where, range=[looks[k][0] for k in where]), title=None),
        shape=alt.Shape("position:N", scale=alt.Scale(domain=where, range=[looks[k][1] for k in where]), title=None),
        tooltip=tooltips("unit", "value", "denominator", "position"))
    layers = [lines, points]
    if centre is not None:
        layers.append(alt.Chart(pd.DataFrame({"c": [centre]})).mark_rule(color="#231F20").encode(y=alt.Y("c:Q")))
    above = pts.loc[pts["position"] == "above 3 SD", "unit"].astype(str).tolist()
    below = pts.loc[pts["position"] == "below 3 SD", "unit"].astype(str).tolist()
    text = (f"Funnel plot of {indicator} for {len(pts)} units against their size. Above the 3 SD limit: "
            f"{', '.join(above) or 'none'}; below it: {', '.join(below) or 'none'}. Points outside the limits "
            "show variation worth understanding, not a verdict on quality.")
    out = _finish(alt.layer(*layers), f"{indicator}: funnel plot", "", text, data, limits)
    out.description = text
    return out
