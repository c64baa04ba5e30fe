"""The caterpillar plot of intersectional (MAIHDA) strata: every stratum's estimate with its interval.

Strata are ranked by their estimate; a dashed line marks the overall value. Strata whose interval
lies wholly on one side of it are coloured and shaped by that side (with a polarity, the worse side
is "of concern", as the charts issue defines groups of concern); a tick marks each stratum's
observed value, so the pull of small strata toward their expected value (shrinkage) shows.
"""
from __future__ import annotations

from collections.abc import Callable

import altair as alt
import pandas as pd

from .. import provenance
from ..measures.maihda_result import Intersectional, default_label, join_words
from .theme import GROUP_COLOURS, WIDTH, config, lines, set_properties, tooltips

_GREY = "#6F6F6F"  # 5:1 on white, for marks and text alike


def _status_words(result: Intersectional) -> dict[str, str]:
    if result.polarity == "low_is_good":
        return {"higher": "Worse (of concern)", "lower": "Better", "similar": "Similar"}
    if result.polarity == "high_is_good":
        return {"lower": "Worse (of concern)", "higher": "Better", "similar": "Similar"}
    return {"higher": "Higher", "lower": "Lower", "similar": "Similar"}


def caterpillar(result: Intersectional, *, label: Callable[[dict], str] | None = None,
                indicator: str | None = None, groups: str | None = None):
    """Each stratum's estimate (Model 2, fixed plus random part) with its interval, ranked, against the
    overall value; ticks mark the observed values.

    ``label`` names a stratum from its row (default: its categories, "Black, Male, imd_decile 1");
    ``indicator`` names the measure for the axis (default: the outcome column, in % for a binary one);
    ``groups`` names the group columns together (default: "ethnicity, sex and imd quintile").
    """
    name = label or (lambda row: default_label(row, result.by))
    scale = 100 if result.binary else 1
    unit = " (%)" if result.binary else ""
    if not indicator:
        words_ = str(result.outcome).replace("_", " ").strip()
        indicator = words_[:1].upper() + words_[1:]
    groups = groups or join_words([str(c).replace("_", " ") for c in result.by])
    words = _status_words(result)
    t = result.strata
    d = pd.DataFrame({
        "stratum": [name(r) for r in t.to_dict("records")],
        "estimate": t["predicted"].to_numpy() * scale,
        "lower": t["lower_ci"].to_numpy() * scale,
        "upper": t["upper_ci"].to_numpy() * scale,
        "observed": t["observed"].to_numpy() * scale,
        "people": t["n"].to_numpy(),
        "compared with overall": t["versus_overall"].map(words).to_numpy(),
    })
    overall = result.overall * scale
    order = list(d["stratum"])
    domain = [words[k] for k in ("higher", "lower", "similar")]
    colours = {"Worse (of concern)": GROUP_COLOURS[5], "Higher": GROUP_COLOURS[5], "Better": GROUP_COLOURS[0],
               "Lower": GROUP_COLOURS[0], "Similar": _GREY}
    shapes = {"higher": "triangle-right", "lower": "triangle-left", "similar": "circle"}
    y = alt.Y("stratum:N", sort=order, title=None, axis=alt.Axis(labelLimit=300))
    x_title = f"{indicator}{unit}: estimate and {100 * result.confidence:g}% interval"
    base = alt.Chart()
    layers = [
        base.mark_rule(color=_GREY).encode(y=y, x=alt.X("lower:Q", title=x_title, scale=alt.Scale(zero=result.binary)), x2=alt.X2("upper")),
        base.mark_tick(color="#000000", thickness=1.5, size=10).encode(y=y, x=alt.X("observed:Q")),
        base.mark_point(filled=True, size=70, opacity=1).encode(
            y=y, x=alt.X("estimate:Q"),
            color=alt.Color("compared with overall:N", title="Compared with overall:",
                            legend=alt.Legend(orient="top", direction="horizontal", titleOrient="left",
                                              columnPadding=28),  # room for a wider printing font
                            scale=alt.Scale(domain=domain, range=[colours[w] for w in domain])),
            shape=alt.Shape("compared with overall:N", title="Compared with overall:",
                            scale=alt.Scale(domain=domain, range=[shapes[k] for k in ("higher", "lower", "similar")])),
            tooltip=tooltips("stratum", "estimate", "lower", "upper", "observed", "people", "compared with overall")),
        alt.Chart().mark_rule(strokeDash=[5, 4], color="#000000").encode(x=alt.XDatum(overall)),
    ]
    fmt = (lambda v: f"{v:.1f}%") if result.binary else (lambda v: f"{v:,.1f}{result.unit}")
    concern = result.concern().to_numpy()
    named = [f"{s} ({fmt(v)})" for s, v, c in zip(d["stratum"], d["estimate"], concern) if c]
    kind = "of concern" if result.polarity else "clearly higher or lower than overall"
    title = f"{len(named)} of {len(d)} strata {'are' if len(named) != 1 else 'is'} {kind}: {indicator}"
    subtitle = (f"Every combination of {groups}. Dots: estimates with {100 * result.confidence:g}% intervals; "
                f"ticks: observed values; dashed line: overall {fmt(overall)}.")
    text = (f"{indicator} for {len(d)} strata (every combination of {groups}), ranked by "
            f"the model's estimate, with intervals, against the overall {fmt(overall)}. Strata {kind}: "
            f"{'; '.join(named[:8]) or 'none'}{' and more' if len(named) > 8 else ''}. Small strata's estimates "
            "lie nearer what their groups predict than their observed values do.")
    if result.hidden_strata:
        text += f" {result.hidden_strata} strata with small numbers are not shown."
    caption = provenance.caption(result.strata)
    chart = alt.LayerChart(data=d, layer=layers)
    chart = set_properties(chart, title=alt.TitleParams(lines(title, width=70), subtitle=lines(subtitle, caption)),
                           description=text, width=WIDTH - 260, height=max(150, 12 * len(d)),
                           # room at the edges for a printer's font wider than the one the layout measured
                           padding={"left": 40, "right": 60, "top": 5, "bottom": 5},
                           config=alt.Config(**config()))
    chart.description = text
    return chart
