"""The equity profile: the analyses a team looks at, as findings with words, a chart and a table.

This is the one place where the curriculum notebooks and the advisors' report template get
their analyses, so both say the same thing about the same data. Each function returns a
:class:`Finding`: a title, plain-English sentences generated from the numbers (they describe,
they never claim a cause), an aggregated table, an altair chart with a text alternative, and
the provenance of the data behind it.

``audience="team"`` (the default in notebooks) shows small numbers under a do-not-share
banner; ``audience="publish"`` (reports) hides counts of 1 to 7 and what could reveal them.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import provenance
from .charts.recipe import chart as _chart
from .errors import DataError, SourceUnavailable

SMALL_NUMBERS_BANNER = "Small numbers: for the team only, do not share."
SUPPRESSION_THRESHOLD = 7
ENGLAND = "E92000001"

# Fingertips names deciles and quintiles in words; 1 = most deprived
_ORDINALS = {"most": 1, "second most": 2, "third more": 3, "fourth more": 4, "fifth more": 5,
             "fifth less": 6, "fourth less": 7, "third less": 8, "second least": 9, "least": 10}


def inline_svg(svg: str, label: str):
    """An SVG drawn inline with an accessible name (JupyterLab shows image/svg+xml as an <img>
    with no alt text, which screen readers cannot describe)."""
    from html import escape

    from IPython.display import HTML

    return HTML(f'<div role="img" aria-label="{escape(label, quote=True)}">{svg}</div>')


@dataclass
class Finding:
    """One piece of an equity profile.

    Attributes
    ----------
    title : str
    text : str
        Plain-English sentences generated from the numbers (non-causal).
    table : DataFrame or None
        Aggregated numbers (never patient rows); suppressed when ``audience="publish"``.
    chart : altair chart or None
    alt_text : str
        What the chart shows, in words, for people who cannot see it.
    source : str
        Provenance caption: source, date, licence; says SYNTHETIC when the data is.
    synthetic : bool
    banner : str or None
        The small-numbers banner for team-only output.
    """

    title: str
    text: str
    table: pd.DataFrame | None = None
    chart: Any = None
    alt_text: str = ""
    source: str = ""
    synthetic: bool = False
    banner: str | None = None
    extra: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)

    @property
    def charts(self) -> list:
        """The finding's charts as a list (one finding may hold a chart per measure)."""
        if self.chart is None:
            return []
        return list(self.chart) if isinstance(self.chart, list | tuple) else [self.chart]

    def markdown(self, heading: str = "###") -> str:
        parts = [f"{heading} {self.title}"]
        if self.synthetic:
            parts.append(f"**{provenance.SYNTHETIC_LABEL}.**")
        if self.banner:
            parts.append(f"**{self.banner}**")
        parts.append(self.text)
        if self.chart is not None and self.alt_text:
            parts.append(f"*Chart description:* {self.alt_text}")
        if self.source:
            parts.append(f"<small>{self.source}</small>")
        return "\n\n".join(p for p in parts if p)

    def display(self, *, table: bool = False) -> None:
        """Show the finding in a notebook: words first, then the chart, then the source."""
        from IPython.display import Markdown, display

        head = [f"### {self.title}"]
        if self.synthetic:
            head.append(f"**{provenance.SYNTHETIC_LABEL}.**")
        if self.banner:
            head.append(f"**{self.banner}**")
        display(Markdown("\n\n".join(head)))
        if self.chart is not None:
            for chart in self.charts:
                display(chart)
            if self.alt_text:
                display(Markdown(f"*Chart description:* {self.alt_text}"))
        display(Markdown(self.text))
        if self.extra.get("svg"):
            display(inline_svg(self.extra["svg"], self.alt_text or self.title))
        if table and self.table is not None:
            display(self.table)
        if self.source:
            display(Markdown(f"<small>{self.source}</small>"))

    def _ipython_display_(self):
        self.display()


def _sentence_case(text) -> str:
    text = str(text).strip()
    return text[:1].upper() + text[1:]


def _fmt_pct(x: float, digits: int = 0) -> str:
    return f"{x:.{digits}f}%"


def _join(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _finding(title, text, *, data, table=None, chart=None, alt_text="", audience="team", extra=None):
    synthetic = provenance.is_synthetic(data)
    banner = SMALL_NUMBERS_BANNER if (audience == "team" and table is not None and _has_small(table)) else None
    return Finding(title=title, text=text, table=table, chart=chart, alt_text=alt_text,
                   source=provenance.caption(data), synthetic=synthetic, banner=banner, extra=extra or {},
                   provenance=provenance.merged(data))


def _has_small(table: pd.DataFrame) -> bool:
    for col in ("numerator", "denominator", "observed", "count"):
        if col in table:
            v = pd.to_numeric(table[col], errors="coerce")
            if ((v >= 1) & (v <= SUPPRESSION_THRESHOLD)).any():
                return True
    return False


def _check_audience(audience: str) -> str:
    if audience not in ("team", "publish"):
        raise DataError(f"audience must be 'team' or 'publish', not {audience!r}")
    return audience


def _protect(table: pd.DataFrame, audience: str, *, by=None, derived=None) -> pd.DataFrame:
    """Disclosure control for a table of counts: hide 1-7 and what reveals them when publishing."""
    from .measures import suppress

    if audience == "team":
        return table
    return suppress(table, threshold=SUPPRESSION_THRESHOLD, by=by, derived_columns=derived)


# ---------------------------------------------------------------- population context

def deprivation_profile(area_code: str) -> Finding:
    """The area's small areas (LSOAs) by national IMD 2019 decile, and its overall rank."""
    from .loaders.population import deprivation_profile as load

    prof = load(area_code)
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
    alt = (f"Bar chart of {name}'s {total} small areas by national deprivation decile, from decile 1 (most "
           f"deprived) to 10. " + " ".join(f"Decile {int(q)}: {int(n)}." for q, n in
                                           zip(prof["quantile"], prof["lsoas"]) if n))
    chart = _chart("equitylab.charts.context:deprivation_profile_chart", prof, description=alt)
    table = prof[["quantile", "lsoas", "population", "share_population"]].rename(
        columns={"quantile": "national decile", "lsoas": "small areas", "population": "residents (mid-2015)",
                 "share_population": "share of residents"})
    provenance.carry(table, prof)
    return _finding(f"How deprived are {name}'s neighbourhoods?", text, data=prof, table=table, chart=chart,
                    alt_text=alt)


def ethnic_mix(area_code: str, comparator: str = ENGLAND) -> Finding:
    """Residents by Census 2021 ethnic group, beside a comparator (England by default)."""
    from .loaders.population import population

    mix = population(area_code, "ethnicity")
    name = str(mix["area_name"].iloc[0])
    comp = population(comparator, "ethnicity") if comparator and comparator != mix["area_code"].iloc[0] else None
    ordered = mix.sort_values("share", ascending=False)
    parts = [f"{_fmt_pct(100 * s)} {g}" for g, s in zip(ordered["group"], ordered["share"])]
    text = f"In the 2021 Census, {name}'s {int(mix['population'].sum()):,} residents were {_join(parts)}."
    if comp is not None:
        cname = str(comp["area_name"].iloc[0])
        c = comp.set_index("group")["share"]
        diffs = [(g, s, c.get(g, np.nan)) for g, s in zip(ordered["group"], ordered["share"])]
        bigger = [f"{g} ({_fmt_pct(100 * s)} against {_fmt_pct(100 * cs)})" for g, s, cs in diffs
                  if pd.notna(cs) and s - cs >= 0.02]
        smaller = [f"{g} ({_fmt_pct(100 * s)} against {_fmt_pct(100 * cs)})" for g, s, cs in diffs
                   if pd.notna(cs) and cs - s >= 0.02]
        if bigger:
            text += f" Compared with {cname}, a larger share are {_join(bigger)}."
        if smaller:
            text += f" A smaller share are {_join(smaller)}."
    alt = f"Bar chart of the share of residents in each ethnic group in {name}" + (
        f" beside {comp['area_name'].iloc[0]}" if comp is not None else "") + ". " + text
    chart = _chart("equitylab.charts.context:ethnic_mix_chart", mix, comparator=comp, description=alt)
    table = mix[["group", "population", "share"]].rename(columns={"group": "ethnic group"})
    provenance.carry(table, mix)
    return _finding(f"Who lives in {name}?", text, data=mix, table=table, chart=chart, alt_text=alt)


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
    from .loaders.fingertips import fingertips_data
    from .measures import sii

    rows = fingertips_data([indicator], "England", area_codes=[ENGLAND], source=source)
    dep = rows[rows["Category Type"].fillna("").str.contains("deprivation decile", case=False)
               & (rows["Sex"] == "Persons")].copy()
    if dep.empty:
        raise SourceUnavailable(f"Indicator {indicator} has no England rows by deprivation decile offline; "
                                "run 'equitylab data refresh' with internet access.")
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
    alt = (f"Bar chart of {name.lower()} by national deprivation decile in England, {latest}, with 95% intervals "
           f"and a fitted line. Values fall from {most:.1f}% in decile 1 to {least:.1f}% in decile 10."
           if most > least else
           f"Bar chart of {name.lower()} by national deprivation decile in England, {latest}, rising from "
           f"{most:.1f}% in decile 1 to {least:.1f}% in decile 10.")
    chart = _gradient_chart(dep, result, name=name, period=latest, alt=alt)
    table = dep[["decile", "Category", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Denominator"]]
    provenance.carry(table, rows)
    return _finding(f"A gradient across England: {name}", text, data=rows, table=table, chart=chart,
                    alt_text=alt, extra={"sii": result})


def _gradient_chart(dep, result, *, name, period, alt):
    return _chart("equitylab.charts.measures:deprivation_gradient", dep, sii=result, quantile="decile",
                  value="Value", lower_ci="Lower CI 95.0 limit", upper_ci="Upper CI 95.0 limit",
                  national_or_local="national", indicator=f"{name}, England, {period}", multiplier=100)


def life_expectancy_between_areas(area_code: str) -> Finding:
    """Life expectancy (2023) against IMD 2019 score for every English district, the area marked."""
    from .loaders.areas import area_info
    from .loaders.population import life_expectancy

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
        sentences.append(f"Across {s['area_code'].nunique()} districts, {words}'s life expectancy tends to be lower "
                         f"where deprivation is higher (correlation {r:.2f}).")
    sentences.append("This compares whole areas with each other. It does not show the gap between richer and "
                     "poorer neighbourhoods inside one area.")
    text = " ".join(sentences)
    alt = ("Two scatter charts, men and women: each dot is an English district, life expectancy in 2023 against "
           f"its IMD 2019 deprivation score, with {name} highlighted. " + sentences[0])
    chart = _chart("equitylab.charts.context:life_expectancy_chart", le, description=alt)
    table = focus[["area_code", "area_name", "sex", "life_expectancy", "imd_score", "imd_score_rank"]]
    provenance.carry(table, le)
    return _finding("Life expectancy and deprivation, area by area", text, data=le, table=table, chart=chart,
                    alt_text=alt)


def within_area_gap(area_code: str) -> Finding:
    """The published gap in life expectancy between the most and least deprived parts of the area.

    Only quoted figures are used (Hackney's Local Authority Health Profile 2019 offline). For
    other areas the finding says that live Fingertips data is needed; nothing is drawn from
    other data, because a between-area comparison cannot stand in for a within-area gap.
    """
    from .loaders.areas import area_info
    from .loaders.fingertips import published_figures

    name = area_info(area_code)["name"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figs = published_figures(area_code)
    gap = figs[figs["Measure"].str.contains("life expectancy", case=False, na=False)] if not figs.empty else figs
    if gap.empty:
        text = (f"The offline data does not hold the gap in life expectancy inside {name}. OHID publishes it as the "
                "slope index of inequality in life expectancy (Fingertips indicator 92901) in each Local Authority "
                "Health Profile. With internet access, run `equitylab data refresh`, or look up your area on the "
                "Fingertips website. Do not read this gap off the chart of areas above: that compares whole areas.")
        out = pd.DataFrame(columns=["Measure", "Value", "Unit", "Source"])
        provenance.stamp(out, source="snapshot", licence=provenance.OGL,
                         description="no published within-area figure held offline")
        return _finding(f"The gap inside {name}", text, data=out, table=None)
    quoted = [_sentence_case(q) for q in gap["Quoted text"].dropna().unique()]
    published = str(gap["Published"].iloc[0])
    src = str(gap["Source"].iloc[0])
    text = " ".join(quoted) + f" (Source: {src}, published {published}.)"
    table = gap[["Measure", "Value", "Unit", "Source", "Published"]].reset_index(drop=True)
    provenance.carry(table, figs)
    return _finding(f"The gap inside {name}", text, data=figs, table=table)


def profiles() -> Finding:
    """The Fingertips profiles the session points to, and where to find them."""
    from .loaders.fingertips import fingertips_profiles

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prof = fingertips_profiles(source="snapshot")
    text = ("These OHID Fingertips profiles hold public health data for every area in England. Open them on the "
            "Fingertips website, or fetch their data with `equitylab data refresh` when you have internet access.")
    return _finding("Fingertips profiles for equity work", text, data=prof, table=prof)


def population_indicators(area_code: str) -> Finding:
    """What the offline snapshot (or the live API) holds for this area, with source and date."""
    from .loaders.fingertips import snapshot_contents
    from .loaders.population import la_deprivation

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
            "live data (`equitylab data refresh`).")
    f = _finding(f"Population data for {name}", text, data=table, table=table)
    f.extra["snapshot"] = held
    return f


def published_profile(area_code: str = "E09000012") -> Finding:
    """Figures quoted from the area's published Local Authority Health Profile, with the citation."""
    from .loaders.areas import area_info
    from .loaders.fingertips import published_figures

    name = area_info(area_code)["name"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        figs = published_figures(area_code)
    if figs.empty:
        return _finding(f"Published profile for {name}", figs.attrs.get("note", "No published figures offline."),
                        data=figs)
    text = " ".join(_sentence_case(q) for q in figs["Quoted text"].dropna().unique())
    text += f" (Source: {figs['Source'].iloc[0]}, published {figs['Published'].iloc[0]}.)"
    table = figs[["Measure", "Value", "Unit", "Count", "Compared with England"]]
    provenance.carry(table, figs)
    return _finding(f"{name}: Local Authority Health Profile", text, data=figs, table=table)


# ---------------------------------------------------------------- service data

def load_service(service_data: str | Path | None, area_code: str) -> pd.DataFrame:
    """The team's extract read through :func:`equitylab.loaders.read_service_data`, or, when no path
    is given, the synthetic teaching extract for the area (labelled synthetic)."""
    if service_data:
        from .loaders.service import read_service_data

        return read_service_data(service_data)
    from .synthetic import service_data as synthetic

    return synthetic(area_code)


def service_summary(service: pd.DataFrame) -> Finding:
    """Rows, dates, missing ethnicity and what was dropped as identifiable."""
    n = len(service)
    sentences = [f"The extract has {n:,} referrals."]
    if "referral_date" in service:
        d = pd.to_datetime(service["referral_date"])
        sentences.append(f"They run from {d.min():%d %B %Y} to {d.max():%d %B %Y}.")
    missing = service.attrs.get("missing_ethnicity_pct")
    if missing is not None:
        sentences.append(f"Ethnicity is not stated for {missing:.1f}% of them; they are counted as 'not stated', "
                         "not left out silently.")
    dropped = service.attrs.get("dropped_identifiers") or []
    if dropped:
        names = [d[0] if isinstance(d, list | tuple) else str(d.get("column", d)) if isinstance(d, dict) else str(d)
                 for d in dropped]
        sentences.append(f"Columns that could identify a person were removed on loading: {_join(names)}.")
    else:
        sentences.append("No columns that could identify a person were found.")
    cols = [c for c in ("ethnicity", "sex", "age_band", "imd_decile", "employment", "housing") if c in service]
    sentences.append("Groups available: " + ", ".join(cols) + ".")
    table = pd.DataFrame({"column": service.columns, "filled": service.notna().sum().to_numpy()})
    provenance.carry(table, service)
    return _finding("Your service's data", " ".join(sentences), data=service, table=table)


def access(service: pd.DataFrame, area_code: str, dimension: str = "ethnicity", *,
           audience: str = "team", eligible_ages=(18, None)) -> Finding:
    """Each group's share of referrals against its share of the local population (Census 2021)."""
    from .loaders.population import population
    from .measures import access_vs_population

    _check_audience(audience)
    column = {"age": "age_band", "deprivation": "imd_decile"}.get(dimension, dimension)
    pop = population(area_code, dimension)
    name = str(pop["area_name"].iloc[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = access_vs_population(service, pop, dimension=dimension, by=column,
                                   eligible_ages=eligible_ages if dimension == "age" else None)
    cautions = [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    res = provenance.carry(res, service, pop)
    table = _protect(res, audience, derived=["expected", "share_service", "ratio", "lower_ci", "upper_ci"])
    provenance.carry(table, res)
    shown = table.dropna(subset=["ratio"])
    low = shown[shown["upper_ci"] < 1]
    high = shown[shown["lower_ci"] > 1]
    sentences = []
    low = low.assign(gap=low["share_service"] - low["share_population"]).sort_values("gap").head(3)
    high = high.assign(gap=high["share_service"] - high["share_population"]).sort_values("gap").tail(3)
    def who(g):
        if column == "age_band":
            return f"Residents aged {g}"
        if column == "imd_decile":
            return f"Residents of national deprivation decile {g}"
        return f"{g} residents"

    for _, r in low.iterrows():
        sentences.append(f"{who(r['group'])} make up {r['share_population']:.1f}% of {name}'s population "
                         f"but {r['share_service']:.1f}% of referrals: fewer than their share would suggest "
                         f"(ratio {r['ratio']:.2f}, 95% CI {r['lower_ci']:.2f} to {r['upper_ci']:.2f}).")
    for _, r in high.iterrows():
        sentences.append(f"{who(r['group'])} make up {r['share_population']:.1f}% of the population and "
                         f"{r['share_service']:.1f}% of referrals: more than their share (ratio {r['ratio']:.2f}).")
    if not sentences:
        sentences.append("No group's share of referrals differs clearly from its share of the population.")
    miss = res.attrs.get("missing_percent")
    if miss:
        sentences.append(f"{miss:.1f}% of referrals have no {dimension} recorded and are left out of the shares.")
    sentences.append("This compares shares of the population, not need: a group may need the service more or "
                     "less than others.")
    sentences.extend(cautions[:1])
    text = " ".join(sentences)
    alt = f"Chart comparing each {dimension} group's share of referrals with its share of {name}'s population. " \
          + sentences[0]
    chart = _chart("equitylab.charts.measures:access_chart", table.dropna(subset=["share_service"]), group="group",
                   service_share="share_service", population_share="share_population", service="referrals")
    return _finding(f"Access by {dimension}", text, data=res, table=table, chart=chart, alt_text=alt,
                    audience=audience)


# measures of experience and outcome built from the service schema: (title, numerator, denominator)
def _outcome_columns(service: pd.DataFrame) -> dict[str, tuple[str, pd.Series, pd.Series]]:
    out = {}
    if "missed_appointments" in service:
        known = service["missed_appointments"].notna()
        out["missed"] = ("missed at least one appointment",
                         (service["missed_appointments"].fillna(0) > 0) & known, known)
    if "experience_positive" in service:
        known = service["experience_positive"].notna()
        out["experience"] = ("rated their care good or very good (of those who answered)",
                             service["experience_positive"].fillna(False).astype(bool) & known, known)
    if "discharge_outcome" in service:
        known = service["discharge_outcome"].notna()
        out["disengaged"] = ("stopped coming before treatment ended (of those discharged)",
                             (service["discharge_outcome"].astype(str) == "Disengaged") & known, known)
    if "readmitted_90d" in service:
        known = service["readmitted_90d"].notna()
        out["readmitted"] = ("were readmitted within 90 days of discharge",
                             service["readmitted_90d"].fillna(False).astype(bool) & known, known)
    return out


_POLARITY = {"missed": "low_is_good", "experience": "high_is_good", "disengaged": "low_is_good",
             "readmitted": "low_is_good"}
_GROUP_LABELS = {"imd_decile": "national deprivation decile", "age_band": "age band",
                 "local_decile": "deprivation decile within the area", "ethnicity": "ethnic group"}


def _group_table(service, by, measures, audience):
    from .measures import compare

    cols = _outcome_columns(service)
    labels = service[by].astype("string").fillna("not stated")
    stated = (labels != "not stated").to_numpy()
    kept = labels[stated].reset_index(drop=True)  # the groups, once for all the measures
    frames = []
    for key in measures:
        if key not in cols:
            continue
        title, num, den = cols[key]
        data = pd.DataFrame({by: kept, "numerator": num.to_numpy(dtype=int)[stated],
                             "denominator": den.to_numpy(dtype=int)[stated]})
        provenance.carry(data, service)
        res = compare(data, by=by, reference="overall", numerator="numerator", denominator="denominator",
                      polarity=_POLARITY[key])
        res.insert(0, "measure", title)
        res["measure_key"] = key
        frames.append(res)
    if not frames:
        raise DataError("The service data has none of the columns needed for this view",
                        hint="It needs missed_appointments, experience_positive, discharge_outcome or readmitted_90d")
    table = pd.concat(frames, ignore_index=True)
    provenance.carry(table, service)
    protected = _protect(table, audience, by=["measure"],
                         derived=["value", "lower_ci", "upper_ci", "difference", "ratio"])
    return provenance.carry(protected, table)


def _group_name(by: str, value) -> str:
    if by == "imd_decile":
        extra = " (most deprived)" if str(value) == "1" else " (least deprived)" if str(value) == "10" else ""
        return f"National deprivation decile {value}{extra}"
    if by == "age_band":
        return f"Aged {value}"
    return str(value)


def _sentences(table: pd.DataFrame, by: str) -> list[str]:
    out = []
    for _, r in table.iterrows():
        if pd.isna(r.get("value")):
            continue
        if str(r.get("label")) in ("better", "worse", "higher", "lower"):
            out.append(f"{_group_name(by, r[by])}: {r['value']:.1f}% {r['measure']}, {r['label']} than the overall "
                       f"{r['reference_value']:.1f}% (95% CI {r['lower_ci']:.1f}% to {r['upper_ci']:.1f}%).")
    return out


def experience(service: pd.DataFrame, by: str = "ethnicity", *, audience: str = "team") -> Finding:
    """Experience by group: missed appointments, rating of care, and dropping out, with 95% intervals."""
    return _by_group(service, by, ["missed", "experience", "disengaged"], "Experience", audience)


def outcomes(service: pd.DataFrame, by="ethnicity", *, audience: str = "team") -> Finding:
    """Outcomes by group: readmission within 90 days, for each grouping in ``by``."""
    bys = [by] if isinstance(by, str) else list(by)
    findings = [_by_group(service, b, ["readmitted"], "Outcomes", audience, closing=len(bys) == 1) for b in bys]
    if len(findings) == 1:
        return findings[0]
    text = " ".join(f.text for f in findings) + " " + _NOT_CAUSES
    table = pd.concat([f.table.assign(grouping=b) for f, b in zip(findings, bys)], ignore_index=True)
    provenance.carry(table, findings[0].table)
    chart = [c for f in findings for c in f.charts] or None
    alt_text = " ".join(f.alt_text for f in findings)
    return _finding("Outcomes: readmission within 90 days by " + _join([_GROUP_LABELS.get(b, b) for b in bys]),
                    text, data=service, table=table, chart=chart, alt_text=alt_text, audience=audience)


_NOT_CAUSES = "These are differences between groups in this data, not their causes."


def _by_group(service, by, measures, kind, audience, *, closing=True):

    _check_audience(audience)
    if by == "deprivation":
        by = "imd_decile"
    if by not in service:
        raise DataError(f"The service data has no '{by}' column to group by",
                        hint="Group by one of: " + ", ".join(c for c in ("ethnicity", "sex", "age_band", "imd_decile")
                                                            if c in service))
    table = _group_table(service, by, measures, audience)
    label = _GROUP_LABELS.get(by, by)
    sentences = _sentences(table, by)
    if not sentences:
        sentences = [f"No {label} differs clearly from the overall value on these measures; the intervals are "
                     "wide or the groups similar."]
    if closing:
        sentences.append(_NOT_CAUSES)
    text = " ".join(sentences)
    alt = f"Chart of {kind.lower()} measures by {label}, each group with its 95% interval and the overall value. " \
          + sentences[0]
    charts = [_chart("equitylab.charts.measures:compare_groups", part, group=by, value="value",
                     indicator=f"% who {measure}")
              for measure, part in table.dropna(subset=["value"]).groupby("measure", sort=False)]
    chart = charts if len(charts) > 1 else (charts[0] if charts else None)
    return _finding(f"{kind} by {label}", text, data=table, table=table, chart=chart, alt_text=alt,
                    audience=audience)


def outcomes_by_deprivation(service: pd.DataFrame, area_code: str, *, audience: str = "team",
                            measure: str = "readmitted", n: int = 5) -> Finding:
    """An outcome by deprivation groups drawn within the area (local quintiles by default), with the SII.

    Local groups rank the area's own LSOAs, so every group has residents even where the area
    covers few national deciles (Fingertips' "deprivation deciles within area").
    """
    from .loaders.population import lsoa_deciles
    from .measures import proportion, sii

    _check_audience(audience)
    if "lsoa_code" not in service:
        raise DataError("Deprivation within the area needs each row's LSOA code (column 'lsoa_code')",
                        hint="Add the LSOA 2011 code of each person's home to the extract")
    local = lsoa_deciles(area_code, scheme="local", n=n)
    groups = dict(zip(local["lsoa11_code"], local["quantile"]))
    cols = _outcome_columns(service)
    title, num, den = cols[measure]
    q = service["lsoa_code"].astype("string").map(groups)
    data = pd.DataFrame({"quantile": q, "numerator": num.astype(int), "denominator": den.astype(int)}).dropna()
    data["quantile"] = data["quantile"].astype(int)
    provenance.carry(data, service)
    props = proportion(data, "numerator", "denominator", by="quantile", multiplier=100)
    pop = local.groupby("quantile")["population"].sum()
    props["population"] = props["quantile"].map(pop)
    props["value01"] = props["value"] / 100
    props["lower01"] = props["lower_ci"] / 100
    props["upper01"] = props["upper_ci"] / 100
    result = sii(props.dropna(subset=["value01"]), quantile="quantile", value="value01", population="population",
                 lower_ci="lower01", upper_ci="upper01", value_type=2, multiplier=100, seed=2024)
    provenance.carry(result, service)
    word = {5: "quintile", 10: "decile"}.get(n, "group")
    name = str(local["note"].iloc[0]).split("'s own")[0].replace("Local groups: ", "")
    r = result.iloc[0]
    table = _protect(props.drop(columns=["value01", "lower01", "upper01"]), audience,
                     derived=["value", "lower_ci", "upper_ci"])
    provenance.carry(table, props)
    first, last = props.iloc[0], props.iloc[-1]
    text = (f"{first['value']:.1f}% of people from the most deprived {word} of {name}'s neighbourhoods {title}, "
            f"against {last['value']:.1f}% from the least deprived {word}. Across all {n} {word}s the slope index of "
            f"inequality is {r['sii']:.1f} percentage points (95% CI {r['sii_lower_ci']:.1f} to "
            f"{r['sii_upper_ci']:.1f}); a negative value means the figure is higher in more deprived "
            f"neighbourhoods. These {word}s are drawn within {name}, not national ones.")
    if audience == "publish" and table["value"].isna().any():
        text += " Some groups are hidden because their numbers are small."
    alt = (f"Bar chart of the share who {title} by deprivation {word} within {name}, 1 = most deprived, with 95% "
           f"intervals and the slope index line. " + text.split(". ")[0] + ".")
    shown = table.dropna(subset=["value"])
    chart = _chart("equitylab.charts.measures:deprivation_gradient", shown,
                   sii=result if len(shown) == len(table) else None, quantile="quantile", value="value",
                   national_or_local="within-area", multiplier=100,
                   indicator=f"% who {title}, {name}") if len(shown) >= 2 else None
    return _finding(f"Outcomes by deprivation within {name}", text, data=service, table=table, chart=chart,
                    alt_text=alt, audience=audience, extra={"sii": result})


# ---------------------------------------------------------------- over time

def _waits(service: pd.DataFrame, by: str | None, freq: str) -> pd.DataFrame:
    """Referrals per period (and group) and how many of them were seen within 28 days."""
    from .spc import aggregate

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
    from .spc import control_chart, run_chart

    _check_audience(audience)
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
    title = f"{kind}: referrals seen within 28 days, by {word}" + (f", by {_GROUP_LABELS.get(by, by)}" if by else "")
    return _finding(title, text, data=service, table=result.summary, chart=_chart(result.chart, audience=audience),
                    alt_text=result.describe(), audience=audience, extra={"result": result})


def gap_over_time(service: pd.DataFrame, *, group: str | None = None, reference: str | None = None,
                  by: str = "ethnicity", audience: str = "team", freq: str = "MS") -> Finding:
    """The gap in the share seen within 28 days between a group and a reference group, over time,
    as a run chart above both groups' own series (levelling down is flagged)."""
    from .spc import gap_chart

    _check_audience(audience)
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
    return _finding(f"The gap over time: {group} against {reference}", text, data=service,
                    table=getattr(result, "summary", None), chart=_chart(result.chart, audience=audience), alt_text=text,
                    audience=audience, extra={"result": result})


def project_overview(project_path: str | Path, *, audience: str = "publish") -> Finding:
    """The team's aim (with the aim checker's comments), co-production rung, driver diagram and measures.

    The driver diagram is in ``extra["svg"]`` (drawn by :mod:`equitylab.workbook.diagram`) with a text
    outline in ``extra["outline"]``. Team members appear by role only when ``audience="publish"``.
    """
    from .workbook import Project, check_aim
    from .workbook import diagram as drawing

    _check_audience(audience)
    project = Project.load(project_path)
    aim = project.aim.statement or (project.aim.sentence() if hasattr(project.aim, "sentence") else "")
    sentences = [f"Project: {project.title or 'untitled'}" + (f" ({project.team})." if project.team else ".")]
    if aim:
        sentences.append(f"Aim: {aim}")
        problems = check_aim(project.aim)
        if problems:
            sentences.append("The aim checker suggests: " + " ".join(problems))
    else:
        sentences.append("The team has not written its aim yet.")
    rung = project.coproduction
    if rung.current_rung:
        sentences.append(f"Co-production: the team places itself at '{rung.current_rung}' on the ladder"
                         + (f", aiming for '{rung.target_rung}'." if rung.target_rung else "."))
    roles = sorted({m.role for m in project.members})
    if roles:
        sentences.append(f"The team has {len(project.members)} members: " + ", ".join(roles) + ".")
    text = "\n\n".join(sentences)
    rows = [{"measure": m.name, "kind": m.kind, "definition": m.definition,
             "stratified by": ", ".join(m.stratified_by), "data points": len(m.data)} for m in project.measures]
    table = pd.DataFrame(rows, columns=["measure", "kind", "definition", "stratified by", "data points"])
    provenance.stamp(table, source="file", licence="the team's own", description=f"project file {Path(project_path).name}")
    extra = {}
    if project.drivers.nodes:
        extra["svg"] = drawing.to_svg(project, page=False)
        extra["outline"] = drawing.outline(project)
    return _finding("The team's aim and driver diagram", text, data=table, table=table if rows else None,
                    alt_text=extra.get("outline", ""), extra=extra)


def sources(*findings: Finding) -> pd.DataFrame:
    """The data sources behind the findings: one row each with what it is, when it was retrieved,
    its licence, and whether it is synthetic."""
    rows, seen = [], set()
    for f in findings:
        p = f.provenance or {}
        what = p.get("description") or p.get("source") or f.source
        if not what or what in seen:
            continue
        seen.add(what)
        rows.append({"source": what, "retrieved": p.get("retrieved", ""), "licence": p.get("licence", ""),
                     "synthetic": bool(p.get("synthetic", f.synthetic))})
    return pd.DataFrame(rows, columns=["source", "retrieved", "licence", "synthetic"])
