"""Altair views of SPC results: run and control charts by group, and the gap chart.

Styled after NHS England's Making Data Count: grey common-cause points, orange and blue special
causes (with a shape, so colour is never the only signal), variation and assurance icons.
"""

from __future__ import annotations

import json
import textwrap

import altair as alt
import numpy as np
import pandas as pd

from ..errors import DataError
from ..spc.describe import (
    ASSURANCE_WORDS,
    KIND_LABEL,
    describe,
    describe_gap,
    hidden_groups,
    measure_words,
    value_text,
    variation_words,
    withheld_groups,
)
from ..spc.gap import EXPERIMENTAL
from .theme import HEIGHT, MDC, MDC_SHAPES, WIDTH, config, set_properties

BANNER = "SMALL NUMBERS: DO NOT SHARE (for the team only)"
# MDC icons are letters in coloured circles; the letter and the words carry the meaning without colour
VARIATION_ICON = {
    "common_cause": ("~", MDC["common_cause"]),
    "improvement_high": ("H", MDC["improvement"]),
    "improvement_low": ("L", MDC["improvement"]),
    "concern_high": ("H", MDC["concern"]),
    "concern_low": ("L", MDC["concern"]),
    "neutral_high": ("H", MDC["neutral"]),
    "neutral_low": ("L", MDC["neutral"]),
}
ASSURANCE_ICON = {
    "pass": ("P", MDC["improvement"]),
    "fail": ("F", MDC["concern"]),
    "inconsistent": ("?", MDC["common_cause"]),
}


def _shown_points(result, audience: str) -> pd.DataFrame:
    """The points a published chart may draw from: groups with every point hidden are left out."""
    hidden = hidden_groups(result, audience)
    return result.points[~result.points["group"].astype(str).isin(hidden)]


def _chart_frame(result, audience: str) -> pd.DataFrame:
    p = _shown_points(result, audience)
    df = pd.DataFrame({"group": p["group"].astype(str), "x": p["x"], "phase": p["phase"].astype(int)})
    hide = p["small_number"].to_numpy() if audience == "publish" else np.zeros(len(p), bool)
    # lines computed with hidden points in them could help work those points out: withheld for the group
    lines_off = df["group"].isin(withheld_groups(result, audience)).to_numpy()
    for col in ("y", "centre", "lower_limit", "upper_limit", "lower_2sigma", "upper_2sigma"):
        v = p[col].to_numpy(float).copy()
        v[hide] = np.nan  # a hidden point, and the limits that would reveal its small denominator
        if col != "y":
            v[lines_off] = np.nan
        df[col] = v
    kind = p["point_type"].str.replace(r"_(high|low)$", "", regex=True)
    df["kind"] = kind.map(KIND_LABEL).to_numpy()
    df["rule"] = p["rule"].replace("", "none").to_numpy()
    df["astronomical"] = p["astronomical"].to_numpy()
    if audience == "team" and result.settings.get("n"):
        df["n"] = p["n"].to_numpy()
    df["row"] = "point"
    return df


def _label_rows(result, run: bool, audience: str = "team") -> pd.DataFrame:
    p = _shown_points(result, audience)
    p = p[~p["group"].astype(str).isin(withheld_groups(result, audience))]
    last = p.groupby(["group", "phase"], sort=False).tail(1)
    rows = []
    centre_word = "Median" if run or result.settings["chart"] == "g" else "Mean"
    for _, r in last.iterrows():
        # limits at a hidden point could reveal its small denominator
        hidden = audience == "publish" and bool(r["small_number"])
        items = (
            [(centre_word, r["centre"])]
            if run or hidden
            else [
                (centre_word, r["centre"]),
                ("Upper limit", r["upper_limit"]),
                ("Lower limit", r["lower_limit"]),
            ]
        )
        for name, val in items:
            if np.isfinite(val):
                rows.append(
                    {
                        "group": str(r["group"]),
                        "x": r["x"],
                        "label_y": val,
                        "label": f"{name} {value_text(val, result.settings)}",
                        "row": "label",
                    }
                )
    return pd.DataFrame(rows)


# the verdict line is text: darker shades of the Making Data Count colours, for 4.5:1 contrast on white
_TEXT_SHADE = {MDC["common_cause"]: "#505050", MDC["improvement"]: "#00688F", MDC["concern"]: "#A34800"}


def _verdict_rows(result, groups, audience: str) -> pd.DataFrame:
    last = result.summary.groupby("group", sort=False).tail(1)
    last = last[last["group"].astype(str).isin(groups)]
    withheld = set(withheld_groups(result, audience))
    rows = []
    for g, variation, assurance in zip(last["group"].astype(str), last["variation"], last["assurance"], strict=True):
        if g in withheld:
            rows.append({"group": g, "verdict": "No centre, limits or verdict: small numbers",
                         "verdict_colour": _TEXT_SHADE[MDC["common_cause"]], "row": "verdict"})
            continue
        letter, colour = VARIATION_ICON.get(variation, ("~", MDC["common_cause"]))
        colour = _TEXT_SHADE.get(colour, colour)
        words = variation_words(variation)
        words = words[:1].upper() + words[1:]
        if isinstance(assurance, str):
            letter += " " + ASSURANCE_ICON[assurance][0]
            words += "; assurance: " + ASSURANCE_WORDS[assurance]
        rows.append(
            {"group": g, "verdict": f"[{letter}] {words}", "verdict_colour": colour, "row": "verdict"}
        )
    return pd.DataFrame(rows)


def _note_rows(result, groups) -> pd.DataFrame:
    rows = [
        {"group": g, "x": x, "note": label, "row": "note"} for g in groups for x, label in result.annotations
    ]
    return pd.DataFrame(rows)


def _x_type(series: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "temporal"
    return "quantitative" if pd.api.types.is_numeric_dtype(series) else "ordinal"


_SPACING = {1: "Day", 7: "Week", 14: "Fortnight", 30: "Month", 91: "Quarter", 365: "Year"}


def _x_title(result, x_type: str) -> str:
    """The x axis title: the column's name, or, for a bare "period" (what ``spc.aggregate`` writes) or
    "date", the length of a period in words ("Month"), read from the dates' usual spacing."""
    name = str(result.settings["x"])
    if x_type != "temporal" or name.lower() not in ("period", "date", "x"):
        return name
    days = pd.Series(pd.to_datetime(result.points["x"].unique())).sort_values().diff().dt.days.median()
    if not np.isfinite(days):
        return "Date"
    return _SPACING[min(_SPACING, key=lambda d: abs(d - days))]


def _subtitle(result, audience: str, extra: list[str] | None = None) -> list[str]:
    lines = []
    if audience == "team" and bool(result.points["small_number"].any()):
        lines.append(BANNER)
    for text in [*(extra or []), result.caption(audience)]:
        lines += textwrap.wrap(text, 90)  # the width charts.render keeps, so lines are not broken twice
    return lines


def _check_audience(audience: str) -> None:
    if audience not in ("team", "publish"):
        raise DataError(
            f"audience must be 'team' or 'publish', not {audience!r}",
            hint="Use 'publish' for anything shared outside the team",
        )


def _layer(alt, row: str, mark: dict, encoding: dict):
    # plain dicts: building altair channel objects for every layer costs more than the statistics
    return alt.Chart(
        mark=mark, encoding=alt.FacetedEncoding(**encoding), transform=[{"filter": f"datum.row === '{row}'"}]
    )


def _layers(
    result,
    audience: str,
    width: int,
    height: int,
    y_title: str,
    zero_line: bool = False,
    minimal: bool = False,
    drawn: set | None = None,
):
    """One layered (and, for several groups, faceted) altair chart of an SPC result; ``drawn`` is the
    kinds of point the legend lists (for charts drawn together, all of theirs)."""
    _check_audience(audience)
    run = result.settings["chart"] == "run"
    data = _chart_frame(result, audience)
    if data["y"].isna().all():  # every point hidden: say so, draw nothing that could be worked back
        return alt.Chart(alt.InlineData(values=[{"row": "note"}]), width=width, height=60).mark_text(
            align="left", x=0, y=20, fontSize=13, color="#333333").encode(
            text=alt.value("Every point is hidden because its numbers are small."))
    groups = list(dict.fromkeys(data["group"]))
    frames = [data] if minimal else [data, _label_rows(result, run, audience), _note_rows(result, groups)]
    if not run and not minimal:
        frames.append(_verdict_rows(result, groups, audience))
    combined = pd.concat([f for f in frames if len(f)], ignore_index=True)
    x_type = _x_type(result.points["x"])
    x = {"field": "x", "type": x_type, "title": _x_title(result, x_type)}
    if x_type == "quantitative":
        x["scale"] = {"zero": False}
    elif x_type == "temporal":  # a few dated labels, not one run-together word per month
        x["axis"] = {"format": "%b %Y", "tickCount": 4 if len(groups) > 1 else 8, "labelOverlap": True}
    x_plain = {"field": "x", "type": x_type}

    # the panels are short: a long axis title on two lines, so that it stays beside its own panel
    stacked = y_title.split(" (", 1) if " (" in y_title and len(y_title) > 24 else None
    y_axis_title = [stacked[0], "(" + stacked[1]] if stacked else y_title

    def yq(field, title=None):
        # padding: a point at the lowest or highest value is drawn whole, not across the axis line
        enc = {"field": field, "type": "quantitative", "scale": {"zero": False, "padding": 6}}
        enc["title"] = title if title and title != y_title else y_axis_title
        return enc

    tooltip = [
        {"field": "x", "type": x_type, "title": x["title"]},
        {"field": "y", "type": "quantitative", "title": y_title, "format": ",.4~g"},
        {"field": "kind", "type": "nominal", "title": "variation"},
        {"field": "rule", "type": "nominal", "title": "rule"},
    ]
    if "n" in data:
        tooltip.append({"field": "n", "type": "quantitative", "title": "denominator"})
    # the legend lists the kinds of point drawn, not every kind there is
    drawn = drawn or set(data["kind"].dropna())
    keys = [k for k in ("common_cause", "improvement", "concern", "neutral") if KIND_LABEL[k] in drawn]
    kinds = [KIND_LABEL[k] for k in keys]
    colours = [MDC[k] for k in keys]
    shapes = [MDC_SHAPES[k] for k in keys]
    phase = {"field": "phase", "type": "nominal"}
    layers = [
        _layer(
            alt,
            "point",
            {"type": "line", "color": MDC["line"], "strokeWidth": 1.2},
            {"x": x, "y": yq("y", y_title), "detail": phase},
        ),
        _layer(
            alt,
            "point",
            {"type": "point", "filled": True, "size": 55, "opacity": 1},
            {
                "x": x,
                "y": yq("y", y_title),
                "tooltip": tooltip,
                "color": {
                    "field": "kind",
                    "type": "nominal",
                    "title": "Variation",
                    "scale": {"domain": kinds, "range": colours},
                },
                "shape": {
                    "field": "kind",
                    "type": "nominal",
                    "title": "Variation",
                    "scale": {"domain": kinds, "range": shapes},
                },
            },
        ),
    ]
    # centre, limits and 2-sigma lines in one folded layer: fewer layers, faster to build and check
    lines = ["centre"] if run else ["centre", "upper_limit", "lower_limit", "upper_2sigma", "lower_2sigma"]
    dashes = [[1, 0], [6, 3], [6, 3], [2, 3], [2, 3]][: len(lines)]
    line_colours = [MDC["line"], MDC["limit"], MDC["limit"], MDC["limit"], MDC["limit"]][: len(lines)]
    widths = [1.5, 1.2, 1.2, 0.8, 0.8][: len(lines)]
    folded = alt.Chart(
        mark={"type": "line"},
        encoding=alt.FacetedEncoding(
            x=x_plain,
            y=yq("line_value"),
            detail=[phase, {"field": "line", "type": "nominal"}],
            strokeDash={
                "field": "line",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": lines, "range": dashes},
            },
            stroke={
                "field": "line",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": lines, "range": line_colours},
            },
            strokeWidth={
                "field": "line",
                "type": "nominal",
                "legend": None,
                # an explicit ordinal scale: with one line (a run chart's centre) the default gave NaN widths
                "scale": {"type": "ordinal", "domain": lines, "range": widths},
            },
        ),
        transform=[{"filter": "datum.row === 'point'"}, {"fold": lines, "as": ["line", "line_value"]}],
    )
    layers.insert(0, folded)
    target = result.settings.get("target")
    if target is not None and not isinstance(target, dict):
        layers.append(
            _layer(
                alt,
                "point",
                {"type": "rule", "color": MDC["target"], "strokeDash": [8, 4], "aria": False},
                {"y": {"datum": float(target)}},
            )
        )
    if zero_line:
        layers.append(
            _layer(
                alt, "point", {"type": "rule", "color": "#000000", "strokeWidth": 0.8, "aria": False}, {"y": {"datum": 0}}
            )
        )
    if not minimal and result.points["astronomical"].any():
        # a ring for judgement, not a signal: IHI leaves astronomical points to the team
        layers.append(
            alt.Chart(
                mark={"type": "point", "size": 260, "filled": False, "color": "#000000", "strokeWidth": 1.2},
                encoding=alt.FacetedEncoding(x=x_plain, y=yq("y")),
                transform=[{"filter": "datum.row === 'point' && datum.astronomical"}],
            )
        )
    if minimal:  # a companion view: the series, its centre line and signals only
        layers = layers[:3]
    else:
        layers.append(
            _layer(
                alt,
                "label",
                {"type": "text", "align": "left", "dx": 6, "fontSize": 10, "color": "#333333"},
                {"x": x_plain, "y": yq("label_y"), "text": {"field": "label", "type": "nominal"}},
            )
        )
    if result.annotations and not minimal:
        layers.append(
            _layer(alt, "note", {"type": "rule", "color": "#555555", "strokeDash": [1, 2], "aria": False}, {"x": x_plain})
        )
        layers.append(
            _layer(
                alt,
                "note",
                {
                    "type": "text",
                    "align": "left",
                    "baseline": "top",
                    "dx": 3,
                    "dy": 2,
                    "fontSize": 10,
                    "color": "#333333",
                },
                {"x": x_plain, "y": {"value": 2}, "text": {"field": "note", "type": "nominal"}},
            )
        )
    if not run and not minimal:
        layers.append(
            _layer(
                alt,
                "verdict",
                {"type": "text", "align": "left", "baseline": "bottom", "fontSize": 10, "dy": -4},
                {
                    "x": {"value": 0},
                    "y": {"value": 0},
                    "text": {"field": "verdict", "type": "nominal"},
                    "color": {"field": "verdict_colour", "type": "nominal", "scale": None},
                },
            )
        )
    if x_type == "temporal":
        combined["x"] = combined["x"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    chart = alt.LayerChart(layer=layers, width=width, height=height)
    # inline values, not a DataFrame: altair's default data transformer stops at 5,000 rows; a missing
    # value is left out of its row, so a hidden point carries no number at all
    records = json.loads(combined.to_json(orient="records", date_format="iso"))
    named = alt.InlineData(values=[{k: v for k, v in r.items() if v is not None} for r in records])
    if len(groups) > 1:
        return alt.FacetChart(
            data=named,
            spec=chart,
            columns=2,
            facet={"field": "group", "type": "nominal", "title": None, "sort": groups},
        )
    chart.data = named
    return chart


def spc_chart(result, *, audience="team", title=None, width=None, height=None, columns=2, y_title=None):
    """The altair chart of an :class:`SPCResult`, with caption, banner and description; ``y_title`` names
    the axis in words when the columns' names would not ("numerator (per 1,000 denominator)")."""
    groups = result.points["group"].nunique()
    # two panels a row must fit a notebook's output area (about 850 px) without scrolling sideways
    width = width or (WIDTH if groups == 1 else 270)
    height = height or (HEIGHT if groups == 1 else 200)
    y_title = y_title or measure_words(result.settings)
    chart = _layers(result, audience, width, height, y_title)
    if groups > 1 and columns != 2:
        chart.columns = columns
    heading = alt.TitleParams(text=title or y_title[:1].upper() + y_title[1:], subtitle=_subtitle(result, audience))
    return set_properties(chart, title=heading, description=describe(result, audience)).configure(**config())


def gap_chart_view(result, *, audience="team", title=None, width=None, height=None):
    """The gap chart above both groups' own series, configured with the equitylab look."""
    width, height = width or 480, height or 200
    measure = "difference" if result.settings["measure"] == "difference" else "log ratio"
    unit = "percentage points" if measure == "difference" and result.settings.get("multiplier", 1) == 100 else measure
    # one legend for both charts: the kinds of point either draws
    drawn = {k for r in (result.gap, result.series) for k in _chart_frame(r, audience)["kind"].dropna()}
    gap = _layers(result.gap, audience, width, height, f"Gap ({unit})", zero_line=True, drawn=drawn)
    # the groups' own series sit two to a row under the gap: half the width each
    series = _layers(result.series, audience, (width - 60) // 2, height, result.settings["y"], minimal=True,
                     drawn=drawn)
    gap = set_properties(gap, title=alt.TitleParams(f"Gap: each group vs {result.settings['reference']}", fontSize=13))
    series = set_properties(series, title=alt.TitleParams("Each group's own values", fontSize=13))
    extra = [
        f"Gap = {'group minus reference' if measure == 'difference' else 'ln(group / reference)'}; "
        "0 means no gap."
    ]
    extra += [str(v) for v in result.summary.drop_duplicates("comparison")["verdict"]]
    if result.settings.get("limits"):
        extra.insert(0, EXPERIMENTAL)
    heading = alt.TitleParams(
        text=title or f"The gap in {result.settings['y']} over time",
        subtitle=_subtitle(result.gap, audience, extra),
    )
    # stacked, not side by side, so the pair fits a notebook or an A4 page without scrolling
    chart = alt.vconcat(gap, series).resolve_scale(color="shared", shape="shared")
    return set_properties(chart, title=heading, description=describe_gap(result)).configure(**config())
