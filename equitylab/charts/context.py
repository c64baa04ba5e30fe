"""Context charts for an area: its neighbourhoods by deprivation, its ethnic mix, and where it
sits among all English districts on life expectancy and deprivation.

Each function takes the table a loader returns and gives an altair chart whose
``description`` (read out by screen readers) says in words what the chart shows.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from .. import provenance
from .theme import COMPARATOR, GROUP_COLOURS, HEIGHT, WIDTH, apply, lines, set_properties


def _caption(df: pd.DataFrame) -> list[str]:
    return lines(provenance.caption(df))


def deprivation_profile_chart(profile: pd.DataFrame, *, description: str):
    """Bars: the area's small areas (LSOAs) in each national IMD 2019 decile."""
    name = str(profile["area_name"].iloc[0])
    data = profile[["quantile", "lsoas", "population"]].copy()
    data["decile"] = data["quantile"].astype(int)
    chart = set_properties(alt.Chart(data).mark_bar(color=GROUP_COLOURS[0]).encode(
        x=alt.X("decile:O", title="National IMD 2019 decile (1 = most deprived 10% in England)",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("lsoas:Q", title="Small areas (LSOAs)"),
        tooltip=[alt.Tooltip("decile:O", title="decile"), alt.Tooltip("lsoas:Q", title="LSOAs"),
                 alt.Tooltip("population:Q", title="residents (mid-2015)", format=",")],
    ),
        width=WIDTH, height=HEIGHT, description=description,
        title=alt.Title(f"{name}: small areas by national deprivation decile", subtitle=_caption(profile)),
    )
    return apply(chart)


def ethnic_mix_chart(mix: pd.DataFrame, *, description: str, comparator: pd.DataFrame | None = None):
    """Horizontal bars: share of residents in each Census 2021 ethnic group, beside a comparator."""
    frames = [mix.assign(place=str(mix["area_name"].iloc[0]))]
    if comparator is not None:
        frames.append(comparator.assign(place=str(comparator["area_name"].iloc[0])))
    data = pd.concat(frames, ignore_index=True)[["place", "group", "population", "share"]]
    order = list(mix.sort_values("share", ascending=False)["group"])
    chart = set_properties(alt.Chart(data).mark_bar().encode(
        y=alt.Y("group:N", sort=order, title="Ethnic group (Census 2021)"),
        x=alt.X("share:Q", axis=alt.Axis(format="%"), title="Share of residents"),
        # the area in blue, its comparator in grey (both at least 3:1 on white)
        color=alt.Color("place:N", title=None, scale=alt.Scale(domain=list(dict.fromkeys(data["place"])),
                                                               range=[GROUP_COLOURS[0], COMPARATOR])),
        yOffset=alt.YOffset("place:N"),
        tooltip=[alt.Tooltip("place:N"), alt.Tooltip("group:N"), alt.Tooltip("share:Q", format=".1%"),
                 alt.Tooltip("population:Q", format=",")],
    ),
        width=WIDTH, height=HEIGHT, description=description,
        title=alt.Title(f"{frames[0]['place'].iloc[0]}: residents by ethnic group", subtitle=_caption(mix)),
    )
    return apply(chart)


def life_expectancy_chart(le: pd.DataFrame, *, description: str):
    """Dots: every English district's life expectancy against its IMD 2019 score, by sex,
    with the focus area drawn larger and labelled. A comparison between areas."""
    data = le.dropna(subset=["imd_score", "life_expectancy"])[
        ["area_name", "sex", "life_expectancy", "imd_score", "focus"]].copy()
    data["shown as"] = data["focus"].map({True: "your area", False: "other districts"})
    base = alt.Chart(data).encode(
        x=alt.X("imd_score:Q", title=["IMD 2019 score", "(higher = more deprived)"]),
        y=alt.Y("life_expectancy:Q", scale=alt.Scale(zero=False), title="Life expectancy at birth, 2023 (years)"),
        tooltip=[alt.Tooltip("area_name:N"), alt.Tooltip("sex:N"), alt.Tooltip("life_expectancy:Q", format=".1f"),
                 alt.Tooltip("imd_score:Q", format=".1f")],
    )
    # other districts as open grey rings (4.5:1 on white, and overlaps stay visible without fading
    # them below 3:1), the area as a filled diamond
    shown = ["other districts", "your area"]
    dots = base.mark_point(filled=False, strokeWidth=1, opacity=1).encode(
        color=alt.Color("shown as:N", scale=alt.Scale(domain=shown, range=[COMPARATOR, GROUP_COLOURS[5]]),
                        title=None),
        fill=alt.Fill("shown as:N", scale=alt.Scale(domain=shown, range=["transparent", GROUP_COLOURS[5]]),
                      title=None),
        shape=alt.Shape("shown as:N", scale=alt.Scale(domain=["other districts", "your area"],
                                                      range=["circle", "diamond"]), title=None),
        # typed channel values: altair resolves plain dicts (what alt.condition returns) slowly
        size=alt.SizeValue(25, condition={"test": "datum.focus", "value": 160}),
    )
    labels = base.transform_filter("datum.focus").mark_text(align="left", dx=8, fontWeight="bold").encode(
        text=alt.Text("area_name:N"))
    chart = set_properties(set_properties(alt.layer(dots, labels), width=260, height=HEIGHT).facet(
        column=alt.Column("sex:N", title=None)),
        description=description,
        title=alt.Title("Life expectancy and deprivation: a comparison between areas",
                        subtitle=lines("Each dot is one district of England; this does not show the gap inside an "
                                       "area.", provenance.caption(le))),
    )
    return apply(chart)
