"""Age-standardised rates: direct (DSR) and indirect (ISR ratio and rate).

Methods as the PHE Technical Guide and the PHEindicatormethods R package
(``calculate_dsr``, ``calculate_ISRatio``, ``calculate_ISRate``). Data come in long form:
one row per group and age band (and, for non-independent events, per event frequency).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError
from ..provenance import carry
from ._common import (
    OVERFLOW,
    by_columns,
    ci_columns,
    confidence_levels,
    group_codes,
    join_notes,
    note_where,
    numeric,
    overflowed,
    positive_multiplier,
    require_columns,
)
from ._standards import STANDARDS, band_label
from .rates import byar_interval, confidence_label, poisson_interval


def _bands(data: pd.DataFrame, age_band: str) -> np.ndarray:
    """Normalised band label per row (each distinct label is normalised once)."""
    codes, uniques = pd.factorize(data[age_band], use_na_sentinel=False)
    labels = np.array([band_label(b) if pd.notna(b) else "" for b in uniques], dtype=object)
    return labels[codes]


def _check_bands(bands: np.ndarray, known: dict, age_band: str, standard: str, what: str):
    unknown = sorted({b for b in bands if b not in known})
    if unknown:
        rows = (np.flatnonzero(~np.isin(bands, list(known))) + 1).tolist()
        raise DataError(
            f"{what}: age band(s) {', '.join(repr(u) or 'blank' for u in unknown[:5])} are not bands of "
            f"the {standard} standard",
            column=age_band, rows=rows,
            hint=f"Use the bands {', '.join(known)}; "
                 "for data whose top band is 85+ use standard='esp2013_85plus'")


def _sum(codes, values, k):
    return np.bincount(codes, weights=values, minlength=k)


def dsr(data: pd.DataFrame, numerator: str, denominator: str, *, age_band: str, by=None,
        standard="esp2013", multiplier: float = 100_000, confidence=0.95,
        independent_events: bool = True, events_per_person: str | None = None) -> pd.DataFrame:
    """Directly age-standardised rate per ``multiplier`` with Dobson confidence intervals.

    The DSR is the rate the group would have if it had the standard population's age
    structure: sum_i w_i x_i / n_i / sum_i w_i, for age bands i with events x_i, population
    n_i and standard weight w_i.

    Parameters
    ----------
    data : DataFrame
        Long form: one row per group and age band (and event frequency when
        ``independent_events=False``).
    numerator, denominator : str
        Columns with the events (or, for non-independent events, the number of people with
        ``events_per_person`` events) and the population of the band. A missing count counts as 0.
    age_band : str
        Column of age-band labels, matched by label to the standard ("0-4", "00-04",
        "90+" and "90 and over" all match).
    by : str or list of str, optional
        Column(s) giving one output row per group.
    standard : {"esp2013", "esp2013_85plus"} or str
        The 2013 European Standard Population (19 bands to 90+, or 18 bands to 85+), or the
        name of a column of ``data`` holding the standard population of each row's band.
    multiplier : float
        100,000 gives a rate per 100,000.
    confidence : float or list of float
        0.95, 0.998 or both.
    independent_events : bool
        False when one person can have several events (e.g. repeat admissions): rows then
        give the number of people (``numerator``) with ``events_per_person`` events each.
    events_per_person : str, optional
        Column with the number of events each of those people had (needed when
        ``independent_events`` is False; PHE's ``eventfreq``).

    Returns
    -------
    DataFrame
        One row per group: ``by`` columns, ``numerator`` (total events), ``denominator``
        (total population), ``value`` (DSR per ``multiplier``), ``lower_ci``/``upper_ci``,
        ``confidence``, ``method``, ``multiplier``, ``note``. Fewer than 10 events give NA
        with a note (PHE does not publish DSRs from fewer than 10 events).

    Notes
    -----
    Dobson et al. (1991) intervals with Byar's limits for the total count, as the PHE
    Technical Guide and PHEindicatormethods ``calculate_dsr``; the non-independent-events
    variance follows ``calculate_dsr(independent_events = FALSE)``: the variance of each
    band's contribution sums f^2 times the people with f events. One difference from PHE: a lower
    limit below 0 (possible when one band with few events carries most of the weight) is
    reported as 0. Negative counts or populations are a :class:`~equitylab.errors.DataError`.
    """
    what = "dsr()"
    levels = confidence_levels(confidence)
    multiplier = positive_multiplier(multiplier, what)
    by = by_columns(data, by, what)
    if not independent_events and events_per_person is None:
        raise DataError(f"{what}: with independent_events=False, name the column of events per person "
                        "in events_per_person=",
                        hint="e.g. events_per_person='freq', where numerator counts people")
    needed = [numerator, denominator, age_band] + ([events_per_person] if not independent_events else [])
    require_columns(data, needed, what=what)
    x = numeric(data, numerator, what=what, allow_negative=False)
    n = numeric(data, denominator, what=what, allow_negative=False)
    x = np.where(np.isnan(x), 0.0, x)
    if independent_events:
        f = np.ones(len(data))
    else:
        f = numeric(data, events_per_person, what=what, allow_negative=False)
        if np.isnan(f).any():
            rows = (np.flatnonzero(np.isnan(f)) + 1).tolist()
            raise DataError(f"{what}: every row needs a number of events per person", column=events_per_person,
                            rows=rows)
    bands = _bands(data, age_band)
    if isinstance(standard, str) and standard.lower() in STANDARDS:
        name = standard.lower()
        table = STANDARDS[name]
        _check_bands(bands, table, age_band, name, what)
        w = np.array([table[b] for b in bands], dtype=float)
        method_std = name.upper().replace("_85PLUS", " (85+)")
    elif isinstance(standard, str) and standard in data.columns:
        table = None
        w = numeric(data, standard, what=what, allow_negative=False)
        if np.isnan(w).any():
            rows = (np.flatnonzero(np.isnan(w)) + 1).tolist()
            raise DataError(f"{what}: the standard population is missing", column=standard, rows=rows)
        method_std = f"standard '{standard}'"
    else:
        raise DataError(f"{what}: standard must be 'esp2013', 'esp2013_85plus' or a column of the table, "
                        f"not {standard!r}",
                        hint="Give the name of a column holding each band's standard population")

    codes, keys = group_codes(data, by)
    k = len(keys)
    # a band counts once per group for the standard total and the population,
    # however many event-frequency rows it has
    band_codes = pd.Series(bands).astype("category").cat.codes.to_numpy()
    first_of_band = ~pd.DataFrame({"g": codes, "b": band_codes}).duplicated().to_numpy()
    if table is not None:
        have = np.bincount(codes[first_of_band], minlength=k)
        short = np.flatnonzero(have < len(table))
        if len(short):
            g = short[0]
            missing = [b for b in table if b not in set(bands[codes == g])]
            label = ", ".join(f"{c}={keys.iloc[g][c]}" for c in by) or "the table"
            raise DataError(f"{what}: the group {label} has no row for age band(s) {', '.join(missing)}",
                            column=age_band,
                            hint="Add a row with 0 events and the band's population "
                                 "for every band of the standard")
        dup = pd.DataFrame({"g": codes, "b": band_codes, "f": f}).duplicated().to_numpy()
        if dup.any():
            raise DataError(f"{what}: an age band appears more than once within a group",
                            column=age_band, rows=(np.flatnonzero(dup) + 1).tolist(),
                            hint="Add up duplicate rows first, or give by= the column that tells them apart")
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = w / n
    bad_pop = ~(n > 0)
    events = f * x
    O = _sum(codes, events, k)
    A = _sum(codes, events * np.where(bad_pop, 0, ratio), k)
    V = _sum(codes, f * f * x * np.where(bad_pop, 0, ratio) ** 2, k)
    W = _sum(codes[first_of_band], w[first_of_band], k)
    P = _sum(codes[first_of_band], np.nan_to_num(n[first_of_band]), k)
    pop_problem = _sum(codes, bad_pop.astype(float), k) > 0
    small = O < 10
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        value_raw = A / W
        var = V / W ** 2
        se_term = np.sqrt(var / O)
        bounds = [byar_interval(O, level) for level in levels]
        # Dobson's lower limit can fall below 0 when one band with few events carries most of the
        # weight; a rate cannot, so the limit stops at 0
        limits = [(np.maximum((value_raw + se_term * (bl - O)) * multiplier, 0.0),
                   (value_raw + se_term * (bu - O)) * multiplier) for bl, bu in bounds]
        huge = overflowed(value_raw * multiplier, *[a for pair in limits for a in pair])
    bad = small | pop_problem | ~(W > 0) | huge
    out = keys.copy() if by else pd.DataFrame(index=[0])
    out["numerator"] = O
    out["denominator"] = P
    out["value"] = np.where(bad, np.nan, value_raw * multiplier)
    for (level, lo, hi), (low, high) in zip(ci_columns(levels), limits):
        out[lo] = np.where(bad, np.nan, low)
        out[hi] = np.where(bad, np.nan, high)
    out["confidence"] = confidence_label(levels)
    base = "Dobson" if independent_events else "Dobson, adjusted for non-independent events"
    out["method"] = f"{base}, {method_std}"
    out["multiplier"] = multiplier
    out["note"] = join_notes(
        note_where(small, "fewer than 10 events: DSR not calculated (PHE method)", k),
        note_where(pop_problem, "a band has a population of 0 or none: DSR not calculated", k),
        note_where(~(W > 0), "the standard population of the bands adds up to 0: DSR not calculated", k),
        note_where(huge & ~small, OVERFLOW, k),
    )
    return carry(out.reset_index(drop=True), data)


def isr(data: pd.DataFrame, numerator: str, denominator: str, *, age_band: str,
        reference_numerator: str | None = None, reference_denominator: str | None = None,
        reference_rates=None,
        by=None, statistic: str = "ratio", multiplier: float | None = None,
        confidence=0.95) -> pd.DataFrame:
    """Indirectly standardised ratio (observed / expected, e.g. an SMR) or rate.

    Expected events E = sum_i n_i R_i, where R_i is the reference population's rate in age
    band i. The ratio is O / E x ``multiplier`` (100: 100 = as expected); the rate is
    O / E x the reference's overall crude rate x ``multiplier``.

    Parameters
    ----------
    data : DataFrame
        Long form, one row per group and age band.
    numerator, denominator : str
        Observed events (missing counts as 0) and the population of the band.
    age_band : str
        Column of age-band labels (used to match ``reference_rates`` given as a mapping).
    reference_numerator, reference_denominator : str, optional
        Columns with the reference population's events and population in the same band.
    reference_rates : str or mapping, optional
        Instead of the two columns above: a column of reference rates per person, or a
        mapping {band label: rate per person}. Only for ``statistic="ratio"``.
    by : str or list of str, optional
        Column(s) giving one output row per group.
    statistic : {"ratio", "rate"}
        The indirectly standardised ratio (ISR/SMR) or rate.
    multiplier : float, optional
        Defaults to 100 for the ratio and 100,000 for the rate.
    confidence : float or list of float
        0.95, 0.998 or both.

    Returns
    -------
    DataFrame
        One row per group: ``by`` columns, ``numerator`` (observed), ``denominator``
        (population), ``expected``, ``value``, ``lower_ci``/``upper_ci``, ``confidence``,
        ``method`` ("Exact" below 10 observed events, "Byars" from 10), ``multiplier``,
        ``statistic``, ``reference_rate`` (for the rate, per ``multiplier``), ``note``.

    Notes
    -----
    The observed count's exact Poisson (below 10) or Byar interval divided by E, treating E
    as fixed, as PHEindicatormethods ``calculate_ISRatio`` and ``calculate_ISRate``.
    """
    what = "isr()"
    levels = confidence_levels(confidence)
    if statistic not in ("ratio", "rate"):
        raise DataError(f"{what}: statistic must be 'ratio' or 'rate', not {statistic!r}")
    if multiplier is None:
        multiplier = 100 if statistic == "ratio" else 100_000
    multiplier = positive_multiplier(multiplier, what)
    by = by_columns(data, by, what)
    require_columns(data, [numerator, denominator, age_band], what=what)
    x = numeric(data, numerator, what=what, allow_negative=False)
    x = np.where(np.isnan(x), 0.0, x)
    n = numeric(data, denominator, what=what, allow_negative=False)
    if reference_numerator is not None or reference_denominator is not None:
        if reference_numerator is None or reference_denominator is None:
            raise DataError(f"{what}: give both reference_numerator and reference_denominator "
                            "(or reference_rates)")
        require_columns(data, [reference_numerator, reference_denominator], what=what)
        rx = numeric(data, reference_numerator, what=what, allow_negative=False)
        rn = numeric(data, reference_denominator, what=what, allow_negative=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = rx / rn
    elif reference_rates is not None:
        if statistic == "rate":
            raise DataError(f"{what}: the indirectly standardised rate needs the reference counts",
                            hint="Give reference_numerator= and reference_denominator= columns")
        if isinstance(reference_rates, str):
            require_columns(data, [reference_rates], what=what)
            r = numeric(data, reference_rates, what=what, allow_negative=False)
        else:
            table = {band_label(k): float(v) for k, v in dict(reference_rates).items()}
            if any(not v >= 0 for v in table.values()):
                raise DataError(f"{what}: reference_rates must be numbers of 0 or more (events per person)",
                                hint="Check the mapping of age band to reference rate")
            bands = _bands(data, age_band)
            _check_bands(bands, table, age_band, "reference rates", what)
            r = np.array([table[b] for b in bands], dtype=float)
        rx = rn = None
    else:
        raise DataError(f"{what}: give the reference population's rates",
                        hint="Use reference_numerator= and reference_denominator= (columns), "
                             "or reference_rates=")
    if np.isnan(r).any() or np.isinf(r).any():
        rows = (np.flatnonzero(~np.isfinite(r)) + 1).tolist()
        raise DataError(f"{what}: the reference rate cannot be worked out for some rows",
                        column=reference_denominator or (reference_rates if isinstance(reference_rates, str)
                                                         else age_band),
                        rows=rows, hint="Reference populations must be above 0")
    codes, keys = group_codes(data, by)
    k = len(keys)
    bad_pop = ~(n >= 0)
    O = _sum(codes, x, k)
    E = _sum(codes, np.where(bad_pop, 0, n) * r, k)
    P = _sum(codes, np.nan_to_num(n), k)
    pop_problem = _sum(codes, bad_pop.astype(float), k) > 0
    if statistic == "rate":
        ref_rate = _sum(codes, rx, k) / _sum(codes, rn, k)
        scale = ref_rate * multiplier
    else:
        ref_rate = None
        scale = np.full(k, float(multiplier))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        value = O / E * scale
        bounds = [poisson_interval(O, level) for level in levels]
        limits = [(low / E * scale, up / E * scale) for low, up, _ in bounds]
    huge = (E > 0) & overflowed(O, E, value, *[a for pair in limits for a in pair])
    bad = pop_problem | ~(E > 0) | huge
    out = keys.copy() if by else pd.DataFrame(index=[0])
    out["numerator"] = O
    out["denominator"] = P
    out["expected"] = E
    out["value"] = np.where(bad, np.nan, value)
    for (level, lo, hi), (low, up) in zip(ci_columns(levels), limits):
        out[lo] = np.where(bad, np.nan, low)
        out[hi] = np.where(bad, np.nan, up)
    method = bounds[-1][2]
    out["confidence"] = confidence_label(levels)
    out["method"] = method
    out["multiplier"] = multiplier
    out["statistic"] = ("indirectly standardised ratio" if statistic == "ratio"
                        else "indirectly standardised rate")
    if statistic == "rate":
        out["reference_rate"] = ref_rate * multiplier
    out["note"] = join_notes(
        note_where(pop_problem, "a band has no population (blank): not calculated", k),
        note_where(~pop_problem & ~(E > 0), "no expected events (population or reference rates are 0)", k),
        note_where(huge & ~pop_problem, OVERFLOW, k),
    )
    return carry(out.reset_index(drop=True), data)
