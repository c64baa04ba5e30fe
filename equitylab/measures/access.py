"""Who uses a service compared with who lives in the area: observed against expected users.

If each group used the service in proportion to its share of the local population (or of
the population in need, when need weights are given), a group would have
``expected = total users x its population share``. The ratio observed / expected is 1 when
a group is represented in line with its share, below 1 when it is under-represented.
"""
from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from ..errors import DataError
from ..provenance import carry
from ._common import ci_columns, confidence_levels, numeric, require_columns
from .rates import confidence_label, poisson_interval

UNKNOWN = {"", "unknown", "not known", "not stated", "unstated", "missing", "not recorded",
           "prefer not to say", "declined", "refused", "nan", "none", "z", "99", "x", "n/a", "na"}


def _is_unknown(values: pd.Series) -> np.ndarray:
    text = values.astype("string").str.strip().str.lower()
    return (values.isna() | text.isin(UNKNOWN).fillna(True)).to_numpy(dtype=bool)


def _band_range(label) -> tuple[float, float] | None:
    """(lowest age, highest age) of a band label such as "0-4", "85+", "90 and over"."""
    text = str(label).strip().lower()
    m = re.fullmatch(r"(?:aged\s*)?(\d+)\s*(?:-|to|–)\s*(\d+)(?:\s*years?)?", text)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.fullmatch(r"(?:aged\s*)?(\d+)\s*(?:\+|and over|plus|or over)(?:\s*years?)?", text)
    if m:
        return float(m.group(1)), np.inf
    m = re.fullmatch(r"(?:aged\s*)?(\d+)(?:\s*years?)?", text)
    if m:
        return float(m.group(1)), float(m.group(1))
    return None


def access_vs_population(service: pd.DataFrame, population: pd.DataFrame, *, dimension: str,
                         by: str | None = None, count: str | None = None, eligible_ages=None, need=None,
                         confidence=0.95) -> pd.DataFrame:
    """Each group's share of a service's users against its share of the local population.

    Parameters
    ----------
    service : DataFrame
        Either one row per person or contact (rows are counted per group), or one row per
        group with the number of users in ``count``.
    population : DataFrame
        The local population by group, e.g. from
        ``equitylab.loaders.population(area, dimension)``: columns ``group`` and
        ``population``. An age column (``age_band``, or ``age_min``/``age_max``) lets the
        comparison be limited to ``eligible_ages``.
    dimension : str
        The dimension compared ("ethnicity", "age", "sex", "deprivation"); also the service
        column holding each row's group unless ``by`` is given.
    by : str, optional
        The service column with each row's group, if it is not named ``dimension``.
    count : str, optional
        The service column with the number of users per row (aggregated data).
    eligible_ages : (min, max), optional
        The ages the service serves, e.g. (18, None) for adults. The population is limited to
        these ages where it has ages; otherwise a warning says it could not be.
    need : str or mapping, optional
        Need weights (e.g. prevalence of the condition in each group): a column of
        ``population`` or a mapping {group: weight}. Expected users then follow each group's
        share of the population in need, and only then do the outputs speak of "need".
    confidence : float or list of float
        Level(s) for the interval of the ratio.

    Returns
    -------
    DataFrame
        One row per population group: ``group``, ``observed`` (users), ``expected``,
        ``share_service`` and ``share_population`` (or ``share_need``) as percentages,
        ``ratio`` (observed / expected), ``lower_ci``/``upper_ci``, ``confidence``,
        ``method``, ``note``. ``attrs`` carry ``missing_count``, ``missing_percent`` (users
        whose group is unknown, left out of the shares) and ``unmatched`` (groups in the
        service data but not in the population), and a plain ``summary``.

    Notes
    -----
    The interval treats the expected count as fixed and uses the exact Poisson interval of
    the observed count below 10 users and Byar's method from 10, divided by the expected
    count: the same method as an indirectly standardised ratio (PHE Technical Guide).
    """
    what = "access_vs_population()"
    levels = confidence_levels(confidence)
    gcol = by or dimension
    require_columns(service, [gcol] + ([count] if count else []), what=what)
    require_columns(population, ["group", "population"], what=what)
    notes_all: list[str] = []

    weights = numeric(service, count, what=what, allow_negative=False) if count else np.ones(len(service))
    weights = np.nan_to_num(weights)
    unknown = _is_unknown(service[gcol])
    total_all = float(weights.sum())
    missing = float(weights[unknown].sum())
    users = pd.Series(weights[~unknown]).groupby(
        service[gcol].to_numpy()[~unknown].astype(str)).sum()

    pop = population.copy()
    pop_values = numeric(pop, "population", what=what, allow_negative=False)
    pop["_pop"] = np.nan_to_num(pop_values)
    age_limited = False
    if eligible_ages is not None:
        lo, hi = eligible_ages
        lo = 0.0 if lo is None else float(lo)
        hi = np.inf if hi is None else float(hi)
        ranges = None
        if "age_min" in pop.columns:
            amin = numeric(pop, "age_min", what=what)
            if "age_max" in pop.columns:
                amax = numeric(pop, "age_max", what=what)
            else:
                amax = np.full(len(pop), np.inf)
            ranges = np.column_stack([amin, np.where(np.isnan(amax), np.inf, amax)])
        else:
            age_col = next((c for c in ("age_band", "age") if c in pop.columns), None)
            if age_col is None and dimension == "age":
                age_col = "group"
            if age_col is not None:
                parsed = [_band_range(v) for v in pop[age_col]]
                if all(p is not None for p in parsed):
                    ranges = np.array(parsed, dtype=float)
        if ranges is not None:
            inside = (ranges[:, 0] >= lo) & (ranges[:, 1] <= hi)
            partial = ~inside & (ranges[:, 1] >= lo) & (ranges[:, 0] <= hi)
            if partial.any():
                notes_all.append("some age bands are only partly within the eligible ages; they are left out")
            pop = pop[inside]
            age_limited = True
        else:
            msg = (f"The population data has no ages for {dimension}, so it could not be limited to the "
                   f"ages the service serves ({lo:g} to {'any age' if np.isinf(hi) else f'{hi:g}'}): "
                   "the comparison uses people of all ages.")
            warnings.warn(msg, UserWarning, stacklevel=2)
            notes_all.append(msg)
    pop_by_group = pop.groupby(pop["group"].astype(str), sort=False)["_pop"].sum()

    need_word = "population"
    if need is not None:
        if isinstance(need, str):
            require_columns(population, [need], what=what)
            nw = pd.Series(numeric(pop, need, what=what, allow_negative=False), index=pop.index)
            w = (nw * pop["_pop"]).groupby(pop["group"].astype(str), sort=False).sum()
            base = w
        else:
            mapping = {str(k): float(v) for k, v in dict(need).items()}
            lacking = [g for g in pop_by_group.index if g not in mapping]
            if lacking:
                raise DataError(f"{what}: the need weights have no value for group(s) "
                                f"{', '.join(lacking[:5])}",
                                hint="Give a weight (e.g. prevalence) for every population group")
            base = pop_by_group * pd.Series(mapping).reindex(pop_by_group.index)
        need_word = "need"
    else:
        base = pop_by_group

    groups = list(base.index)
    unmatched = sorted(set(users.index) - set(groups))
    unmatched_users = float(users.reindex(unmatched).sum()) if unmatched else 0.0
    if unmatched:
        notes_all.append(f"{unmatched_users:g} users in groups not in the population data "
                         f"({', '.join(unmatched[:5])}) are left out")
    observed = users.reindex(groups).fillna(0.0).to_numpy(float)
    base_v = base.to_numpy(float)
    total_obs = observed.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        share_base = base_v / base_v.sum()
        expected = total_obs * share_base
        ratio = observed / expected
        share_service = observed / total_obs * 100
    out = pd.DataFrame({"group": groups, "observed": observed, "expected": expected,
                        "share_service": share_service, f"share_{need_word}": share_base * 100,
                        "ratio": ratio})
    bad = ~(expected > 0)
    method = None
    for level, lo_c, hi_c in ci_columns(levels):
        low, up, method = poisson_interval(observed, level)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[lo_c] = np.where(bad, np.nan, low / expected)
            out[hi_c] = np.where(bad, np.nan, up / expected)
    out.loc[bad, "ratio"] = np.nan
    out["confidence"] = confidence_label(levels)
    out["method"] = [f"{m} Poisson interval of users / expected" for m in method]
    row_notes = []
    for i in range(len(out)):
        if bad[i]:
            row_notes.append(f"no {need_word} in this group: no ratio")
            continue
        lo_v, hi_v = out.iloc[i][ci_columns(levels)[0][1]], out.iloc[i][ci_columns(levels)[0][2]]
        share = f"{share_service[i]:.1f}% of users against {share_base[i] * 100:.1f}% of the {need_word}"
        if lo_v > 1:
            row_notes.append(f"more users than expected from its share ({share})")
        elif hi_v < 1:
            row_notes.append(f"fewer users than expected from its share ({share})")
        else:
            row_notes.append(f"in line with its share, allowing for chance ({share})")
    out["note"] = row_notes
    carry(out, service, population)
    out.attrs["missing_count"] = missing
    out.attrs["missing_percent"] = 100 * missing / total_all if total_all else np.nan
    out.attrs["unmatched"] = unmatched
    out.attrs["age_limited"] = age_limited
    ages = ""
    if age_limited:
        top = f" to {eligible_ages[1]}" if eligible_ages[1] is not None else "+"
        ages = f" aged {eligible_ages[0] or 0}{top}"
    summary = (f"{total_obs:g} users with a known {dimension} compared with the local {need_word}{ages}"
               + f"; {missing:g} users ({out.attrs['missing_percent']:.1f}%) had no recorded {dimension} "
               "and are not in the shares.")
    out.attrs["summary"] = " ".join([summary] + notes_all)
    return out
