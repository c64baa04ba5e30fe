"""A report's publication built as the report template builds it, and read whole by the attacker."""
from __future__ import annotations

import warnings

from equitylab import findings
import pandas as pd

from equitylab.findings.finding import MISSING_LABELS
from equitylab.findings.intersectional import _person
from equitylab.findings.trends import _waits
from equitylab.loaders.service.read import _missing_ethnicity_pct

import publication_reader as read
from joint import Joint

HACKNEY = "E09000012"
DIMENSIONS = ["ethnicity", "sex", "age_band", "deprivation"]  # the report's default dimensions
GROUPS = ["ethnicity", "sex", "age_band", "imd_decile"]  # as service columns (report.service_columns)
CROSSED = ["ethnicity", "sex", "deprivation"]


def build(service, area=HACKNEY) -> dict:
    """The service findings of ``equitylab report`` (sections 2 to 6), published."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "summary": findings.service_summary(service, audience="publish"),
            "access": findings.access(service, area, DIMENSIONS, audience="publish"),
            "experience": findings.experience(service, by=GROUPS, audience="publish"),
            "outcomes": findings.outcomes(service, by=GROUPS, audience="publish"),
            "deprivation": findings.outcomes_by_deprivation(service, area, audience="publish"),
            "strata": findings.intersections(service, by=CROSSED, audience="publish"),
            "over_time": findings.over_time(service, by="ethnicity", audience="publish"),
            "gap": findings.gap_over_time(service, by="ethnicity", audience="publish"),
        }


def attack(publication: dict, service=None, *, strata: bool = True, over_time: bool = True,
           same_as_referrals=("missed",), knows_strata: bool = False):
    """One programme over every number of the publication; the ranges of its counts hidden for being small.
    ``service`` (the extract) tells which count of each hidden SPC point is the small one, to be judged:
    the reader only knows that one of them is. ``knows_strata``: the reader also knows which combinations
    of groups have anyone in them (from ``service``)."""
    j = Joint()
    read.read_summary(j, publication["summary"])
    read.read_access(j, publication["access"])
    for part in ("experience", "outcomes"):
        read.read_comparisons(j, publication[part], same_as_referrals=same_as_referrals)
    read.read_local_deprivation(j, publication["deprivation"])
    if strata:
        table = read.csv_of(publication["experience"])
        groups = {g: list(dict.fromkeys(table.loc[table["grouping"] == g, g])) for g in ("ethnicity", "sex")}
        categories = {"ethnicity": groups["ethnicity"], "sex": groups["sex"], "imd_quintile": ["1", "2", "3", "4", "5"]}
        by = list(categories)
        read.read_strata(j, publication["strata"], categories,
                         lambda cell: _person({**cell, "imd_quintile": int(cell["imd_quintile"])}, by, short=True),
                         existing=set(_strata_sizes(service)) if knows_strata and service is not None else None)
        if service is not None:  # the reader knows how many hidden strata are small, not which: judge those
            for key, people in _strata_sizes(service).items():
                if 1 <= people <= 7:
                    j.primary[("stratum",) + key] = f"stratum {' / '.join(key)}"
    if over_time:
        read.read_gap(j, publication["gap"], "ethnicity")
        hidden = read.read_over_time(j, publication["over_time"], "ethnicity")
        if hidden and service is not None:
            waits = _waits(service, "ethnicity", "MS")
            truth = {(str(r.ethnicity), pd.Timestamp(r.period).isoformat()): (r.y, r.n) for r in waits.itertuples()}
            for group, month in hidden:
                y, n = truth[(group, pd.Timestamp(month).isoformat())]
                key = ("month n" if 1 <= n <= 7 else "month y", "ethnicity", group, month)
                j.primary[key] = f"SPC point {group} {month[:7]}"
    return j, j.ranges()


def _strata_sizes(service: pd.DataFrame) -> dict:
    """People in each stratum of the MAIHDA finding (waiting time recorded, every group recorded)."""
    rows = service[service["waiting_days"].notna()]
    ethnicity, sex = rows["ethnicity"].astype(str), rows["sex"].astype(str)
    quintile = ((pd.to_numeric(rows["imd_decile"]) + 1) // 2).astype("Int64").astype(str)
    recorded = ~ethnicity.isin(MISSING_LABELS) & ~sex.isin(MISSING_LABELS) & (quintile != "<NA>")
    return pd.DataFrame({"e": ethnicity, "s": sex, "q": quintile})[recorded].value_counts().to_dict()


def smaller(service: pd.DataFrame, keep: dict, *, every_wait: bool = False) -> pd.DataFrame:
    """The extract with some groups cut to ``keep`` rows ({column: {group: rows}}); ``every_wait`` gives
    everyone a waiting time, so the strata's margins are the groups' referrals (the strongest link)."""
    drop = []
    for column, groups in keep.items():
        for group, rows in groups.items():
            drop += list(service.index[service[column].astype(str) == group][rows:])
    out = service.drop(index=drop)
    if every_wait:
        out = out.assign(waiting_days=out["waiting_days"].fillna(30))
    out.attrs.update(service.attrs)
    out.attrs["missing_ethnicity_pct"] = _missing_ethnicity_pct(out)
    return out
