"""Where disadvantages meet: an outcome for every combination of the service's groups (MAIHDA).

One finding from :func:`equitylab.measures.intersectional`: the words it generates, with strata
named as people say them ("Black men in the most deprived fifth of areas"), the caterpillar
plot, a short table of the strata that differ (every stratum in ``export``). Published findings
hide small strata in full and say how many. The notebook and the report say what shrinkage is.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import provenance
from ..errors import DataError
from ..measures import intersectional
from .finding import Finding, check_audience, make
from .service import _POLARITY, _outcome_columns
from .words import join_words

_NAMES = {"ethnicity": "ethnic group", "sex": "sex", "imd_quintile": "deprivation", "age_band": "age"}
_ALIASES = {"deprivation": "imd_quintile", "imd_decile": "imd_quintile", "age": "age_band"}
# measure -> (what it is, unit after a value, polarity); waiting time is continuous, the rest binary
# measure -> (title, the outcome as a noun, unit after a value, polarity); waiting time is continuous
_MEASURES = {"waiting": ("Waiting time to first appointment", "waiting time to first appointment", " days",
                         "low_is_good"),
             "readmitted": ("Readmitted within 90 days", "readmission within 90 days", "", _POLARITY["readmitted"]),
             "missed": ("Missed at least one appointment", "missing an appointment", "", _POLARITY["missed"]),
             "disengaged": ("Stopped coming before treatment ended", "stopping before treatment ended", "",
                            _POLARITY["disengaged"]),
             "experience": ("Rated their care good or very good", "rating care good or very good", "",
                            _POLARITY["experience"])}

def _columns(service: pd.DataFrame, by) -> tuple[pd.DataFrame, list[str]]:
    """The group columns to cross, with deprivation as national quintiles (deciles are too fine)."""
    wanted = [_ALIASES.get(b, b) for b in (by or ["ethnicity", "sex", "deprivation"])]
    frame = {}
    for b in dict.fromkeys(wanted):
        if b == "imd_quintile" and "imd_quintile" not in service and "imd_decile" in service:
            decile = pd.to_numeric(service["imd_decile"], errors="coerce")
            frame[b] = ((decile + 1) // 2).astype("Int64")
        elif b in service:
            frame[b] = service[b]
    if len(frame) < 2:
        raise DataError("Where disadvantages meet needs at least two group columns in the service data",
                        hint="For example ethnicity, sex and imd_decile")
    return pd.DataFrame(frame), list(frame)


def _person(row: dict, by: list[str], *, short: bool = False) -> str:
    """'Black men aged 25-29 in the most deprived fifth of areas' (short, for a chart's axis:
    'Black men, aged 25-29, most deprived fifth')."""
    sex = str(row.get("sex", ""))
    noun = {"Female": "women", "Male": "men"}.get(sex, f"people of {sex.lower()} sex" if sex else "people")
    head = noun
    if "ethnicity" in by:
        eth = str(row["ethnicity"])
        if short:
            head = {"Mixed": f"Mixed-ethnicity {noun}", "Other": f"Other-ethnicity {noun}"}.get(eth, f"{eth} {noun}")
        else:
            head = {"Mixed": f"{noun} of mixed ethnicity", "Other": f"{noun} of other ethnic groups"}.get(
                eth, f"{eth} {noun}")
    tail = []
    if "age_band" in by:
        tail.append(f"aged {row['age_band']}")
    if "imd_quintile" in by:
        q = int(row["imd_quintile"])
        if short:
            tail.append({1: "most deprived fifth", 5: "least deprived fifth"}.get(q, f"quintile {q}"))
        else:
            tail.append({1: "in the most deprived fifth of areas", 5: "in the least deprived fifth of areas"}.get(
                q, f"in deprivation quintile {q}"))
    for b in by:
        if b not in ("sex", "ethnicity", "age_band", "imd_quintile"):
            tail.append(f"{b.replace('_', ' ')} {row[b]}")
    text = (", " if short else " ").join([head] + tail)
    return text[:1].upper() + text[1:]


def _table(result) -> pd.DataFrame:
    """The strata as a reader needs them: who, how many, and percentages to one decimal place."""
    t = result.strata
    label = [_person(r, result.by, short=True) for r in t.to_dict("records")]
    scale = 100 if result.binary else 1
    unit = " %" if result.binary else f" ({result.unit.strip()})" if result.unit else ""
    table = pd.DataFrame({"stratum": label, "people": t["n"].to_numpy()})
    if result.binary:
        table["events"] = t["events"].to_numpy()
    level = f"{100 * result.confidence:g}%"
    for column, name in (("observed", "observed"), ("predicted", "estimate"), ("lower_ci", f"{level} interval from"),
                         ("upper_ci", f"{level} interval to"), ("main_effects", "predicted by groups alone")):
        table[f"{name}{unit}"] = np.round(t[column].to_numpy() * scale, 1)
    table["compared with overall"] = t["versus_overall"].to_numpy()
    table["against groups alone"] = t["beyond_main_effects"].to_numpy()
    return provenance.carry(table, t)


def _outcome(service: pd.DataFrame, measure: str) -> tuple[pd.Series, bool]:
    """The outcome column (missing where not recorded) and whether it is binary."""
    if measure == "waiting":
        if "waiting_days" not in service:
            raise DataError("The service data has no waiting_days column for waiting times", column="waiting_days")
        return pd.to_numeric(service["waiting_days"], errors="coerce").astype("Float64"), False
    outcomes = _outcome_columns(service)
    if measure not in outcomes:
        raise DataError(f"The service data has no column for the outcome '{measure}'",
                        hint="Choose one of: " + ", ".join(["waiting"] + list(outcomes)))
    _, events, known = outcomes[measure]
    return pd.Series(pd.array(np.where(known, events, np.nan), dtype="Float64"), index=service.index), True


def intersections(service: pd.DataFrame, by=None, *, measure: str = "waiting",
                  audience: str = "team") -> Finding:
    """An outcome for every combination of two or more groups (default: ethnic group, sex and national
    deprivation quintile), by MAIHDA: estimates with intervals, how much of the variation lies between
    the combinations (VPC), and how much of that the groups explain on their own (PCV).

    ``measure``: "waiting" (days to first appointment, the default), "readmitted", "missed",
    "disengaged" or "experience".
    """
    check_audience(audience)
    if measure not in _MEASURES:
        raise DataError(f"Where disadvantages meet: unknown measure '{measure}'",
                        hint="Choose one of: " + ", ".join(_MEASURES))
    name, noun, unit, polarity = _MEASURES[measure]
    groups, by = _columns(service, by)
    outcome, binary = _outcome(service, measure)
    data = groups.assign(outcome=outcome.to_numpy())
    provenance.carry(data, service)
    kind = {"numerator": "outcome"} if binary else {"value": "outcome"}
    result = intersectional(data, by=by, **kind, audience=audience, polarity=polarity)
    result.unit = unit
    words = join_words([_NAMES.get(b, b.replace("_", " ")) for b in by])
    def label(row):
        return _person(row, by)

    text = result.describe(label=label, what=noun, groups=words)
    text = text.replace(f"{result.banner} ", "") if result.banner else text  # the banner is shown once, above
    text = text.replace("rows have no outcome recorded", f"people have no record of {noun}")
    chart = result.chart(label=lambda row: _person(row, by, short=True), indicator=name + (f" ({unit.strip()})" if unit else ""), groups=words)
    full = _table(result)
    differs = (full["compared with overall"] != "similar") | (full["against groups alone"] != "as predicted")
    columns = [c for c in full.columns if not c.startswith(("observed", "predicted by"))
               and not (c == "against groups alone" and (full[c] == "as predicted").all())]
    short = provenance.carry(full.loc[differs.to_numpy(), columns].reset_index(drop=True), full)
    finding = make(f"Where disadvantages meet: {noun} by {words}", text,
                   data=data, table=short, chart=chart, alt_text=chart.description, audience=audience,
                   extra={"result": result})
    finding.export = full  # every stratum goes to a report's CSV and Excel files; the page shows those that differ
    finding.banner = result.banner
    return finding
