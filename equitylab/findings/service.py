"""Findings from the team's own service data: what it holds, access against the population, and
experience and outcomes group by group, with intervals.

``audience="team"`` shows small numbers under a do-not-share banner; ``audience="publish"`` hides
counts of 1 to 7 and what could reveal them.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from .. import provenance
from ..charts.measures import access_chart, compare_groups, deprivation_gradient
from ..errors import DataError
from ..loaders.population import lsoa_deciles, population
from ..loaders.service import read_service_data
from ..measures import access_vs_population, compare, proportion, sii
from ..synthetic import service_data as synthetic_service_data
from .finding import Finding, check_audience, make, protect
from .words import join_words

_POLARITY = {"missed": "low_is_good", "experience": "high_is_good", "disengaged": "low_is_good",
             "readmitted": "low_is_good"}
GROUP_LABELS = {"imd_decile": "national deprivation decile", "age_band": "age band",
                "local_decile": "deprivation decile within the area", "ethnicity": "ethnic group"}
_NOT_CAUSES = "These are differences between groups in this data, not their causes."


def load_service(service_data: str | Path | None, area_code: str) -> pd.DataFrame:
    """The team's extract read through :func:`equitylab.loaders.read_service_data`, or, when no path
    is given, the synthetic teaching extract for the area (labelled synthetic)."""
    if service_data:
        return read_service_data(service_data)
    return synthetic_service_data(area_code)


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
        sentences.append(f"Columns that could identify a person were removed on loading: {join_words(names)}.")
    else:
        sentences.append("No columns that could identify a person were found.")
    cols = [c for c in ("ethnicity", "sex", "age_band", "imd_decile", "employment", "housing") if c in service]
    sentences.append("Groups available: " + ", ".join(cols) + ".")
    table = pd.DataFrame({"column": service.columns, "filled": service.notna().sum().to_numpy()})
    provenance.carry(table, service)
    return make("Your service's data", " ".join(sentences), data=service, table=table)


def access(service: pd.DataFrame, area_code: str, by: str = "ethnicity", *,
           audience: str = "team", eligible_ages=(18, None)) -> Finding:
    """Each group's share of referrals against its share of the local population (Census 2021)."""

    check_audience(audience)
    column = {"age": "age_band", "deprivation": "imd_decile"}.get(by, by)
    dimension = {"age_band": "age", "imd_decile": "deprivation"}.get(column, column)
    pop = population(area_code, dimension)
    name = str(pop["area_name"].iloc[0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = access_vs_population(service, pop, dimension=dimension, by=column,
                                   eligible_ages=eligible_ages if dimension == "age" else None)
    cautions = [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]
    res = provenance.carry(res, service, pop)
    table = protect(res, audience, derived=["expected", "share_service", "ratio", "lower_ci", "upper_ci"])
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
    chart = access_chart(table.dropna(subset=["share_service"]), by="group",
                   service_share="share_service", population_share="share_population", service="referrals")
    return make(f"Access by {dimension}", text, data=res, table=table, chart=chart, alt_text=alt,
                    audience=audience)


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
GROUP_LABELS = {"imd_decile": "national deprivation decile", "age_band": "age band",
                 "local_decile": "deprivation decile within the area", "ethnicity": "ethnic group"}


def _group_table(service, by, measures, audience):

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
    protected = protect(table, audience, by=["measure"],
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
    return make("Outcomes: readmission within 90 days by " + join_words([GROUP_LABELS.get(b, b) for b in bys]),
                    text, data=service, table=table, chart=chart, alt_text=alt_text, audience=audience)


_NOT_CAUSES = "These are differences between groups in this data, not their causes."


def _by_group(service, by, measures, kind, audience, *, closing=True):

    check_audience(audience)
    if by == "deprivation":
        by = "imd_decile"
    if by not in service:
        raise DataError(f"The service data has no '{by}' column to group by",
                        hint="Group by one of: " + ", ".join(c for c in ("ethnicity", "sex", "age_band", "imd_decile")
                                                            if c in service))
    table = _group_table(service, by, measures, audience)
    label = GROUP_LABELS.get(by, by)
    sentences = _sentences(table, by)
    if not sentences:
        sentences = [f"No {label} differs clearly from the overall value on these measures; the intervals are "
                     "wide or the groups similar."]
    if closing:
        sentences.append(_NOT_CAUSES)
    text = " ".join(sentences)
    alt = f"Chart of {kind.lower()} measures by {label}, each group with its 95% interval and the overall value. " \
          + sentences[0]
    charts = [compare_groups(part, by=by, value="value",
                     indicator=f"% who {measure}")
              for measure, part in table.dropna(subset=["value"]).groupby("measure", sort=False)]
    chart = charts if len(charts) > 1 else (charts[0] if charts else None)
    return make(f"{kind} by {label}", text, data=table, table=table, chart=chart, alt_text=alt,
                    audience=audience)


def outcomes_by_deprivation(service: pd.DataFrame, area_code: str, *, audience: str = "team",
                            measure: str = "readmitted", n: int = 5) -> Finding:
    """An outcome by deprivation groups drawn within the area (local quintiles by default), with the SII.

    Local groups rank the area's own LSOAs, so every group has residents even where the area
    covers few national deciles (Fingertips' "deprivation deciles within area").
    """

    check_audience(audience)
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
    table = protect(props.drop(columns=["value01", "lower01", "upper01"]), audience,
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
    chart = deprivation_gradient(shown,
                   sii=result if len(shown) == len(table) else None, quantile="quantile", value="value",
                   national_or_local="within-area", multiplier=100,
                   indicator=f"% who {title}, {name}") if len(shown) >= 2 else None
    return make(f"Outcomes by deprivation within {name}", text, data=service, table=table, chart=chart,
                    alt_text=alt, audience=audience, extra={"sii": result})



