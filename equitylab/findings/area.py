"""Findings about the area's population: deprivation, ethnic mix, life expectancy and published gaps.

Every number comes from the offline snapshot of public data (or live Fingertips), with its source.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from .. import provenance
from ..charts.context import deprivation_profile_chart, ethnic_mix_chart, life_expectancy_chart
from ..charts.measures import deprivation_gradient
from ..errors import SourceUnavailable
from ..loaders.areas import area_info
from ..loaders.fingertips import fingertips_data, fingertips_profiles, published_figures, snapshot_contents
from ..loaders.census import deprivation_profile as load_deprivation_profile
from ..loaders.census import la_deprivation, life_expectancy, published_population
from ..measures import sii
from .finding import ENGLAND, Finding, make
from .words import join_words, pct, possessive, sentence_case

# Fingertips names deciles and quintiles in words; 1 = most deprived
_ORDINALS = {"most": 1, "second most": 2, "third more": 3, "fourth more": 4, "fifth more": 5,
             "fifth less": 6, "fourth less": 7, "third less": 8, "second least": 9, "least": 10}


def deprivation_profile(area_code: str) -> Finding:
    """The area's small areas (LSOAs) by national IMD 2019 decile, and its overall rank."""

    prof = load_deprivation_profile(area_code)
    name = str(prof["area_name"].iloc[0])
    total = int(prof["lsoas"].sum())
    d1 = int(prof.loc[prof["quantile"] == 1, "lsoas"].sum())
    top_half = int(prof.loc[prof["quantile"] >= 6, "lsoas"].sum())
    deciles = prof.loc[prof["lsoas"] > 0, "quantile"].astype(int)
    sentences = [
        f"{name} has {total:,} small areas (LSOAs). {d1} of them ({d1 / total:.0%}) are among the 10% most "
        f"deprived in England, and {top_half} ({top_half / total:.0%}) are in the less deprived half of England.",
        f"Its small areas fall in national deciles {deciles.min()} to {deciles.max()}.",
    ]
    rank = prof["imd_score_rank"].iloc[0]
    if pd.notna(rank):
        sentences.append(f"On the average IMD 2019 score, {name} ranks {int(rank)} of {int(prof['n_las'].iloc[0])} "
                         f"districts in England (1 is the most deprived).")
    if deciles.max() - deciles.min() < 9:
        sentences.append("Because it does not cover every national decile, gaps inside the area are best seen "
                         "with deciles drawn within the area.")
    text = " ".join(sentences)
    alt = (f"Bar chart of {possessive(name)} {total} small areas by national deprivation decile, from decile 1 (most "
           f"deprived) to 10. " + " ".join(f"Decile {int(q)}: {int(n)}." for q, n in
                                           zip(prof["quantile"], prof["lsoas"]) if n))
    chart = deprivation_profile_chart(prof, description=alt)
    table = prof[["quantile", "lsoas", "population", "share_population"]].rename(
        columns={"quantile": "national decile", "lsoas": "small areas", "population": "residents (mid-2015)",
                 "share_population": "share of residents"})
    provenance.carry(table, prof)
    return make(f"How deprived are {possessive(name)} neighbourhoods?", text, data=prof, table=table, chart=chart,
                    alt_text=alt)


def ethnic_mix(area_code: str, comparator: str = ENGLAND) -> Finding:
    """Residents by Census 2021 ethnic group, beside a comparator (England by default): the figures ONS
    publishes for each whole area, so the headline total is the one a reader finds on ONS's site."""

    mix = published_population(area_code)
    name = str(mix["area_name"].iloc[0])
    comp = published_population(comparator) if comparator and comparator != mix["area_code"].iloc[0] else None
    ordered = mix.sort_values("share", ascending=False)
    parts = [f"{pct(100 * s)} {g}" for g, s in zip(ordered["group"], ordered["share"])]
    text = f"In the 2021 Census, {possessive(name)} {int(mix['population'].sum()):,} residents were {join_words(parts)}."
    if comp is not None:
        cname = str(comp["area_name"].iloc[0])
        c = comp.set_index("group")["share"]
        diffs = [(g, s, c.get(g, np.nan)) for g, s in zip(ordered["group"], ordered["share"])]
        bigger = [f"{g} ({pct(100 * s)} against {pct(100 * cs)})" for g, s, cs in diffs
                  if pd.notna(cs) and s - cs >= 0.02]
        smaller = [f"{g} ({pct(100 * s)} against {pct(100 * cs)})" for g, s, cs in diffs
                   if pd.notna(cs) and cs - s >= 0.02]
        if bigger:
            text += f" Compared with {cname}, a larger share are {join_words(bigger)}."
        if smaller:
            text += f" A smaller share are {join_words(smaller)}."
    alt = f"Bar chart of the share of residents in each ethnic group in {name}" + (
        f" beside {comp['area_name'].iloc[0]}" if comp is not None else "") + ". " + text
    chart = ethnic_mix_chart(mix, comparator=comp, description=alt)
    table = mix[["group", "population", "share"]].rename(columns={"group": "ethnic group"})
    provenance.carry(table, mix)
    return make(f"Who lives in {name}?", text, data=mix, table=table, chart=chart, alt_text=alt)


def decile_number(label) -> int | None:
    """Fingertips decile or quintile label ("Second most deprived decile") as a number (1 = most deprived)."""
    text = re.sub(r"\(.*?\)", "", str(label)).lower().replace("deprived", "").strip()
    text = re.sub(r"\s+(decile|quintile)\s*$", "", text).strip()
    if text.isdigit():
        return int(text)
    quintile = "quintile" in str(label).lower()
    n = _ORDINALS.get(text)
    if n is None:
        return None
    if quintile:
        return {1: 1, 2: 2, 3: 3, 9: 4, 10: 5}.get(n, {6: 3, 7: 4, 8: 3}.get(n))
    return n


def england_gradient(indicator: int = 93015, *, source: str = "snapshot") -> Finding:
    """England's values of a Fingertips indicator by national LSOA deprivation decile, with the SII.

    The default, 93015, is the share of adults who are physically inactive (Sport England Active
    Lives, OHID Physical Activity profile), the latest period held, persons, all adult ages.
    """

    rows = fingertips_data([indicator], "England", area_codes=[ENGLAND], source=source)
    dep = rows[rows["Category Type"].fillna("").str.contains("deprivation decile", case=False)
               & (rows["Sex"] == "Persons")].copy()
    if dep.empty:
        raise SourceUnavailable(f"Indicator {indicator} has no England rows by deprivation decile offline; "
                                "it needs live data from Fingertips, which your facilitator can bring in with internet access.")
    latest = dep.sort_values("Time period Sortable")["Time period"].iloc[-1]
    dep = dep[dep["Time period"] == latest]
    dep = dep[dep["Age"] == dep["Age"].mode().iloc[0]].copy()
    dep["decile"] = dep["Category"].map(decile_number)
    dep = dep.dropna(subset=["decile", "Value"]).sort_values("decile")
    dep["value01"] = dep["Value"] / 100
    dep["lower01"] = dep["Lower CI 95.0 limit"] / 100
    dep["upper01"] = dep["Upper CI 95.0 limit"] / 100
    # equal-sized national deciles: each holds a tenth of England's LSOAs and about a tenth of people
    dep["population"] = dep["Denominator"].fillna(1.0)
    provenance.carry(dep, rows)
    result = sii(dep, quantile="decile", value="value01", population="population", lower_ci="lower01",
                 upper_ci="upper01", value_type=2, multiplier=100, seed=2024)
    name = " ".join(str(dep["Indicator Name"].iloc[0]).split())
    r = result.iloc[0]
    most = dep.loc[dep["decile"] == 1, "Value"].iloc[0]
    least = dep.loc[dep["decile"] == 10, "Value"].iloc[0]
    direction = "higher" if most > least else "lower"
    text = (f"In England in {latest}, the indicator '{name}' was {most:.1f}% in the most deprived tenth of "
            f"neighbourhoods and {least:.1f}% in the least deprived tenth, so it is {direction} where deprivation "
            f"is greater. Taking all ten deciles into account, the slope index of inequality is "
            f"{r['sii']:.1f} percentage points (95% confidence interval {r['sii_lower_ci']:.1f} to "
            f"{r['sii_upper_ci']:.1f}): the gap between the least and the most deprived ends of the line. "
            f"This shows a pattern; it does not by itself say why.")
    alt = (f"Dot chart of {name.lower()} by national deprivation decile in England, {latest}, with 95% intervals "
           f"and a fitted line. Values fall from {most:.1f}% in decile 1 to {least:.1f}% in decile 10."
           if most > least else
           f"Dot chart of {name.lower()} by national deprivation decile in England, {latest}, rising from "
           f"{most:.1f}% in decile 1 to {least:.1f}% in decile 10.")
    chart = _gradient_chart(dep, result, name=name, period=latest, alt=alt)
    table = dep[["decile", "Category", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Denominator"]]
    provenance.carry(table, rows)
    return make(f"A gradient across England: {name}", text, data=rows, table=table, chart=chart,
                    alt_text=alt, extra={"sii": result})


def _gradient_chart(dep, result, *, name, period, alt):
    return deprivation_gradient(dep, sii=result, quantile="decile",
                  value="Value", lower_ci="Lower CI 95.0 limit", upper_ci="Upper CI 95.0 limit",
                  national_or_local="national", indicator=f"{name}, England, {period}", multiplier=100)


def life_expectancy_between_areas(area_code: str) -> Finding:
    """Life expectancy (2023) against IMD 2019 score for every English district, the area marked."""

    le = life_expectancy(area_code)
    info = area_info(area_code)
    name = info["name"]
    focus = le[le["focus"]]
    sentences = []
    if not focus.empty and len(focus) <= 2:
        vals = focus.set_index("sex")["life_expectancy"]
        sentences.append(f"In 2023, life expectancy at birth in {name} was {vals.get('Male', np.nan):.1f} years for "
                         f"men and {vals.get('Female', np.nan):.1f} years for women.")
    elif not focus.empty:
        sentences.append(f"{name} covers {focus['area_code'].nunique()} districts, marked on the chart.")
    known = le.dropna(subset=["imd_score", "life_expectancy"])
    for sex in ("Male", "Female"):
        s = known[known["sex"] == sex]
        r = s["life_expectancy"].corr(s["imd_score"])
        words = "men" if sex == "Male" else "women"
        sentences.append(f"Across the {s['area_code'].nunique()} districts with both a published life expectancy "
                         f"and a deprivation score, {words}'s life expectancy tends to be lower where deprivation "
                         f"is higher (correlation {r:.2f}).")
    sentences.append("This compares whole areas with each other. It does not show the gap between richer and "
                     "poorer neighbourhoods inside one area.")
    text = " ".join(sentences)
    alt = ("Two scatter charts, men and women: each dot is an English district, life expectancy in 2023 against "
           f"its IMD 2019 deprivation score, with {name} highlighted. " + sentences[0])
    chart = life_expectancy_chart(le, description=alt)
    table = focus[["area_code", "area_name", "sex", "life_expectancy", "imd_score", "imd_score_rank"]]
    provenance.carry(table, le)
    return make("Life expectancy and deprivation, area by area", text, data=le, table=table, chart=chart,
                    alt_text=alt)


def within_area_gap(area_code: str) -> Finding:
    """The published gap in life expectancy between the most and least deprived parts of the area.

    Only quoted figures are used (Hackney's Local Authority Health Profile 2019 offline). For
    other areas the finding says that live Fingertips data is needed; nothing is drawn from
    other data, because a between-area comparison cannot stand in for a within-area gap.
    """

    name = area_info(area_code)["name"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figs = published_figures(area_code)
    gap = figs[figs["Measure"].str.contains("life expectancy", case=False, na=False)] if not figs.empty else figs
    if gap.empty:
        text = (f"The offline data does not hold the gap in life expectancy inside {name}. OHID publishes it as the "
                "slope index of inequality in life expectancy (Fingertips indicator 92901) in each Local Authority "
                "Health Profile. With internet access, your facilitator can bring in live data, or you can look up "
                "your area on the Fingertips website. Do not read this gap off the chart of areas above: that compares whole areas.")
        out = pd.DataFrame(columns=["Measure", "Value", "Unit", "Source"])
        provenance.stamp(out, source="snapshot", licence=provenance.OGL,
                         description="no published within-area figure held offline")
        return make(f"The gap inside {name}", text, data=out, table=None)
    quoted = [sentence_case(q) for q in gap["Quoted text"].dropna().unique()]
    published = str(gap["Published"].iloc[0])
    src = str(gap["Source"].iloc[0])
    text = " ".join(quoted) + f" (Source: {src}, published {published}.)"
    table = gap[["Measure", "Value", "Unit", "Source", "Published"]].reset_index(drop=True)
    provenance.carry(table, figs)
    return make(f"The gap inside {name}", text, data=figs, table=table)


def profiles() -> Finding:
    """The Fingertips profiles the session points to, and where to find them."""

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof = fingertips_profiles(source="snapshot")
    text = ("These OHID Fingertips profiles hold public health data for every area in England. Open them on the "
            "Fingertips website; with internet access, your facilitator can also bring in their latest data.")
    keys = prof["key"].astype("string")
    readable = pd.DataFrame({
        "profile": prof["name"],
        "on the Fingertips website": ["fingertips.phe.org.uk/profile/" + k if pd.notna(k) and k else "search by its name"
                                      for k in keys]})
    provenance.carry(readable, prof)
    return make("Fingertips profiles for equity work", text, data=prof, table=prof, readable=readable)


def population_indicators(area_code: str) -> Finding:
    """What the offline snapshot (or the live API) holds for this area, with source and date."""

    info_rows = []
    dep = la_deprivation(area_code)
    name = dep["area_name"]
    if dep["imd_score"] is not None:
        info_rows.append({"indicator": "Deprivation score (IMD 2019)", "value": round(dep["imd_score"], 1),
                          "period": "2019", "note": f"rank {dep['imd_score_rank']} of {dep['n_las']} districts "
                                                    "(1 = most deprived)", "source": dep["source"]})
    contents = snapshot_contents()
    table = pd.DataFrame(info_rows)
    provenance.stamp(table, source="snapshot", licence=provenance.OGL,
                     description="MHCLG English Indices of Deprivation 2019; OHID Fingertips snapshot")
    held = contents[contents["area codes (first 3)"].str.contains(area_code) | (contents["areas"] > 3)]
    text = (f"Offline, equitylab holds {len(contents)} Fingertips indicators; for {name} the deprivation score is "
            "below. Most offline indicators are for England as a whole or for the North West; the rest need "
            "live data, which your facilitator can bring in with internet access.")
    f = make(f"Population data for {name}", text, data=table, table=table)
    f.extra["snapshot"] = held
    return f


def published_profile(area_code: str = "E09000012") -> Finding:
    """Figures quoted from the area's published Local Authority Health Profile, with the citation."""

    name = area_info(area_code)["name"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figs = published_figures(area_code)
    if figs.empty:
        return make(f"Published profile for {name}", figs.attrs.get("note", "No published figures offline."),
                        data=figs)
    text = " ".join(sentence_case(q) for q in figs["Quoted text"].dropna().unique())
    text += f" (Source: {figs['Source'].iloc[0]}, published {figs['Published'].iloc[0]}.)"
    table = figs[["Measure", "Value", "Unit", "Count", "Compared with England"]]
    provenance.carry(table, figs)
    return make(f"{name}: Local Authority Health Profile", text, data=figs, table=table)



