"""Synthetic teaching data: a community mental-health team's extract built on a real area.

SYNTHETIC teaching data: not real patients. The people are invented; the area they are
drawn from is real. Ethnic mix and age mix follow the area's Census 2021 residents
(ONS TS021, TS007A) and every row sits in one of the area's real LSOAs (2011) with its
real IMD 2019 national decile (MHCLG IoD2019). On top of that the generator builds in
inequities of known size so that a learner can find them, and a facilitator knows what
there is to find. They are teaching assumptions, not estimates of any real service.

Built-in inequities (``inequities=True``, the default)
-------------------------------------------------------

====================================  ===================================================
what                                   built in
====================================  ===================================================
access (referrals vs population)       relative referral rate per resident: Asian 0.6,
                                       Other 0.8, Mixed 1.0, White 1.0, Black 1.3; more
                                       deprived LSOAs refer more (need): national decile 1
                                       x1.4, 2 x1.25, 3 x1.1, 4 x1.0, 5 x0.95, 6+ x0.9
route in                               Black patients are referred through crisis or
                                       police routes twice as often as others
waiting days to first appointment      typical wait 28 days (gamma, shape 2); plus 12 days
                                       in decile 1, 8 in decile 2, 5 in decile 3, 2 in
                                       decile 4; x1.25 for Black, x1.15 for Asian, x1.1
                                       for Other patients; all waits x0.8 from week 60 (an
                                       improvement that leaves the gap in place)
missed appointments                    Poisson, mean 0.6 x decile factor (1: 1.8, 2: 1.5,
                                       3: 1.25, 4: 1.1, 5+: 1.0) x 1.4 under 25 x 1.5 if
                                       unsettled or homeless x 1.2 if unemployed
never seen (no first appointment)      6% base, x2 in deciles 1-2
experience (FFT, 40% respond)          chance of "Very good"/"Good": 85%; 75% for Asian
                                       and Other patients; minus 5 points in decile 1
readmission within 90 days             10% base x1.5 Black x1.4 decile 1 x1.6 homeless
ethnicity not stated (Z or 99)         10% of rows at random, in every group
====================================  ===================================================

With ``inequities=False`` every factor above is 1 (and waits do not change at week 60):
referrals then mirror the area's Census mix.

Finer ethnic groups (e.g. Black African vs Black Caribbean) are split inside each Census
group by fixed teaching proportions (:data:`DETAIL_SPLIT`), not by the area's census
figures, which the offline snapshot does not hold.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .loaders.service.read import normalise_frame
from .loaders.census import lsoa_deciles, population
from .provenance import SYNTHETIC_LABEL, stamp

ACCESS = {"Asian": 0.6, "Black": 1.3, "Mixed": 1.0, "White": 1.0, "Other": 0.8}
DECILE_NEED = {1: 1.4, 2: 1.25, 3: 1.1, 4: 1.0, 5: 0.95}          # 6-10: 0.9
WAIT_EXTRA_DAYS = {1: 12, 2: 8, 3: 5, 4: 2}                        # 5-10: 0
WAIT_ETHNIC = {"Black": 1.25, "Asian": 1.15, "Other": 1.1}
DNA_DECILE = {1: 1.8, 2: 1.5, 3: 1.25, 4: 1.1}                     # 5-10: 1.0
POSITIVE_EXPERIENCE = {"Asian": 0.75, "Other": 0.75}               # others 0.85
READMIT_ETHNIC = {"Black": 1.5}
IMPROVEMENT_WEEK = 60

#: NHS ethnic category codes within each Census 2021 group, with teaching proportions.
DETAIL_SPLIT = {
    "White": {"A": 0.55, "B": 0.05, "C": 0.40},
    "Mixed": {"D": 0.30, "E": 0.20, "F": 0.20, "G": 0.30},
    "Asian": {"H": 0.20, "J": 0.10, "K": 0.25, "R": 0.15, "L": 0.30},
    "Black": {"N": 0.55, "M": 0.30, "P": 0.15},
    "Other": {"S": 1.0},
}
AGE_PROPENSITY = [(18, 1.3), (25, 1.2), (35, 1.1), (45, 1.0), (55, 0.8), (65, 0.3), (75, 0.15)]
EMPLOYMENT = ("01", "02", "03", "04", "05", "06", "07", "08", "ZZ")
HOUSING = ("Settled", "Unsettled", "Homeless", "Not stated")

DESCRIPTION = (SYNTHETIC_LABEL + ". A made-up community mental-health team's referrals, built on the "
               "real Census 2021 ethnic and age mix and IMD 2019 deprivation of {area}, with inequities "
               "built in for teaching")


def _band_bounds(label: str) -> tuple[int, int]:
    nums = [int(x) for x in re.findall(r"\d+", str(label))]
    if "+" in str(label) or "over" in str(label).lower() or len(nums) == 1:
        return nums[0], 99
    return nums[0], nums[1]


def _age_weights(age_pop: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Single years 18-99 weighted by census residents and CMHT referral propensity."""
    ages = np.arange(18, 100)
    weights = np.zeros(len(ages))
    for label, pop in zip(age_pop["group"], age_pop["population"]):
        lo, hi = _band_bounds(label)
        years = np.arange(lo, hi + 1)
        per_year = float(pop) / len(years) if lo < 85 else float(pop) / 15
        for y in years:
            if 18 <= y <= 99:
                weights[y - 18] += per_year
    prop = np.zeros(len(ages))
    for lo, p in AGE_PROPENSITY:
        prop[ages >= lo] = p
    return ages, weights * prop


def service_data(area_code: str = "E09000012", n: int = 3000, seed: int = 2024, *,
                 start: str = "2023-04-03", weeks: int = 104, inequities: bool = True,
                 as_extract: bool = False) -> pd.DataFrame:
    """A reproducible synthetic community mental-health extract for a real area.

    Parameters
    ----------
    area_code : str
        Any area :func:`equitylab.loaders.population` accepts; default Hackney.
    n : int
        Number of referrals.
    seed : int
        Random seed: the same seed gives the same rows.
    start : str
        Monday of the first week of referrals (ISO date).
    weeks : int
        Number of weeks of referrals (default two years: enough points for run and control
        charts). The extract is taken on the day after the last week.
    inequities : bool
        Build in the inequities tabled in the module docstring (default). False gives a
        service whose referrals mirror the population and whose outcomes do not differ.
    as_extract : bool
        Return the table as a system would export it (NHS codes, the headers of
        ``data/examples/synthetic_cmht_hackney.csv``). By default it is returned already
        read into the equitylab service-data schema, as :func:`read_service_data` gives.

    Returns
    -------
    DataFrame
        One row per referral. ``attrs["synthetic"]`` is True, source "synthetic", and the
        description starts "SYNTHETIC teaching data: not real patients". It holds no real
        identifiers: no NHS numbers, names, dates of birth or postcodes.
    """
    rng = np.random.default_rng(seed)
    eth_pop = population(area_code, "ethnicity")
    age_pop = population(area_code, "age")
    lsoas = lsoa_deciles(area_code, scheme="national")
    area_name = str(eth_pop["area_name"].iloc[0]) if "area_name" in eth_pop else area_code

    def factor(table, key, default=1.0):
        return table.get(key, default) if inequities else 1.0

    # who is referred: ethnic group, LSOA and age drawn independently
    groups = eth_pop["group"].astype(str).to_numpy()
    w = eth_pop["population"].to_numpy(dtype=float) * np.array([factor(ACCESS, g) for g in groups])
    ethnic = rng.choice(groups, size=n, p=w / w.sum())
    lw = lsoas["population"].to_numpy(dtype=float) * np.array(
        [factor(DECILE_NEED, int(d), 0.9) for d in lsoas["imd_decile"]])
    pick = rng.choice(len(lsoas), size=n, p=lw / lw.sum())
    lsoa_code = lsoas["lsoa11_code"].to_numpy()[pick]
    decile = lsoas["imd_decile"].to_numpy(dtype=int)[pick]
    ages, aw = _age_weights(age_pop)
    age = rng.choice(ages, size=n, p=aw / aw.sum())
    sex = rng.choice(np.array(["2", "1", "9", "X"]), size=n, p=[0.53, 0.455, 0.005, 0.01])

    code = np.empty(n, dtype=object)
    for g, split in DETAIL_SPLIT.items():
        idx = np.flatnonzero(ethnic == g)
        code[idx] = rng.choice(list(split), size=len(idx), p=list(split.values()))
    not_stated = rng.random(n) < 0.10
    code[not_stated] = rng.choice(np.array(["Z", "99"]), size=int(not_stated.sum()), p=[0.8, 0.2])

    # when: weekly referrals with a mild dip in August and at Christmas
    start_day = pd.Timestamp(start)
    week_start = start_day + pd.to_timedelta(np.arange(weeks) * 7, unit="D")
    season = np.where(week_start.month == 8, 0.85, 1.0)
    season = season * np.where((week_start.month == 12) & (week_start.day >= 20), 0.6, 1.0)
    week = rng.choice(weeks, size=n, p=season / season.sum())
    referral = week_start[week] + pd.to_timedelta(rng.integers(0, 5, size=n), unit="D")
    extract_day = start_day + pd.Timedelta(days=7 * weeks)

    black = ethnic == "Black"
    crisis = rng.random(n) < np.where(black & inequities, 0.30, 0.15)
    source = np.where(crisis, rng.choice(np.array(["A&E / crisis team", "Police or criminal justice"]),
                                         size=n, p=[0.75, 0.25]),
                      rng.choice(np.array(["GP", "Self-referral", "Social care", "Other"]), size=n,
                                 p=[0.68, 0.13, 0.07, 0.12]))

    # circumstances, more often hard in more deprived LSOAs
    dep = np.clip(7 - decile, 1, 6) / 6.0 if inequities else np.full(n, 0.5)
    unemployed = rng.random(n) < 0.12 + 0.18 * dep
    emp = rng.choice(np.array(EMPLOYMENT), size=n,
                     p=[0.42, 0.0, 0.08, 0.14, 0.06, 0.08, 0.03, 0.09, 0.10])
    emp[unemployed] = "02"
    hr = rng.random(n)
    homeless_p, unsettled_p = 0.01 + 0.04 * dep, 0.05 + 0.08 * dep
    housing = np.where(hr < homeless_p, "Homeless",
                       np.where(hr < homeless_p + unsettled_p, "Unsettled",
                                np.where(hr > 0.95, "Not stated", "Settled")))

    # waiting and missed appointments
    wait_mult = np.array([factor(WAIT_ETHNIC, g) for g in ethnic])
    extra = np.array([factor(WAIT_EXTRA_DAYS, int(d), 0) for d in decile]) if inequities else 0
    wait = rng.gamma(2.0, 14.0, size=n) * wait_mult + extra
    if inequities:
        wait = np.where(week >= IMPROVEMENT_WEEK, wait * 0.8, wait)
    wait = np.round(wait).astype(int) + 1
    never = rng.random(n) < np.where((decile <= 2) & inequities, 0.12, 0.06)
    first = referral + pd.to_timedelta(wait, unit="D")
    unseen = never | (first >= extract_day)
    mean_dna = 0.6 * np.array([factor(DNA_DECILE, int(d)) for d in decile])
    if inequities:
        mean_dna = mean_dna * np.where(age < 25, 1.4, 1.0) * np.where(
            np.isin(housing, ["Unsettled", "Homeless"]), 1.5, 1.0) * np.where(unemployed, 1.2, 1.0)
    dna = rng.poisson(mean_dna)

    # discharge and what happened next
    length = np.round(rng.gamma(2.0, 60.0, size=n)).astype(int) + 14
    discharge = first + pd.to_timedelta(length, unit="D")
    open_ = unseen | (discharge >= extract_day)
    disengaged = rng.random(n) < 0.08 + 0.08 * np.minimum(dna, 3)
    outcome = np.where(disengaged, "Disengaged",
                       rng.choice(np.array(["Treatment completed", "Transferred to another service",
                                            "Moved out of area"]), size=n, p=[0.8, 0.15, 0.05]))
    readmit_p = 0.10 * np.where(black & inequities, READMIT_ETHNIC["Black"], 1.0)
    if inequities:
        readmit_p = readmit_p * np.where(decile == 1, 1.4, 1.0) * np.where(housing == "Homeless",
                                                                            1.6, 1.0)
    readmit = rng.random(n) < readmit_p
    followed = ~open_ & (discharge + pd.Timedelta(days=90) < extract_day)

    # experience: the Friends and Family Test, answered by four in ten
    responds = ~unseen & (rng.random(n) < 0.40)
    p_pos = np.array([factor(POSITIVE_EXPERIENCE, g, 0.85) if inequities else 0.85 for g in ethnic])
    if inequities:
        p_pos = p_pos - np.where(decile == 1, 0.05, 0.0)
    r = rng.random(n)
    fft = np.where(r < p_pos, np.where(rng.random(n) < 0.6, "1", "2"),
                   np.where(r < p_pos + 0.02, "6",
                            rng.choice(np.array(["3", "4", "5"]), size=n, p=[0.5, 0.3, 0.2])))

    team = np.where(np.isin(lsoa_code, lsoas["lsoa11_code"].to_numpy()[::2]), "CMHT North",
                    "CMHT South")

    def dates(values, blank):
        s = pd.Series(pd.DatetimeIndex(values).strftime("%Y-%m-%d"))
        return s.mask(blank, "")

    order = np.argsort(referral.to_numpy(), kind="stable")
    extract = pd.DataFrame({
        "referral_date": dates(referral, np.zeros(n, bool)),
        "referral_source": source,
        "team": team,
        "sex": sex,
        "age": age,
        "ethnic_category": code,
        "lsoa11_code": lsoa_code,
        "employment_status": emp,
        "accommodation": housing,
        "first_appointment_date": dates(first, unseen),
        "waiting_days": pd.array(np.where(unseen, 0, wait), dtype="Int64"),
        "missed_appointments": np.where(unseen, 0, dna),
        "fft_response": np.where(responds, fft, ""),
        "discharge_date": dates(discharge, open_),
        "discharge_outcome": np.where(open_, "", outcome),
        "readmitted_90d": np.where(followed, np.where(readmit, "Y", "N"), ""),
        "synthetic": True,
    }).iloc[order].reset_index(drop=True)
    extract.loc[unseen[order], "waiting_days"] = pd.NA
    description = DESCRIPTION.format(area=f"{area_name} ({area_code})")
    stamp(extract, source="synthetic", synthetic=True, description=description)
    extract.attrs["area_code"] = area_code
    extract.attrs["seed"] = seed
    if as_extract:
        return extract
    return normalise_extract(extract, label=f"synthetic service data for {area_name}")


def normalise_extract(extract: pd.DataFrame, *, label: str = "extract") -> pd.DataFrame:
    """Read an in-memory extract (as :func:`service_data` ``as_extract=True`` gives) into
    the equitylab schema, exactly as :func:`read_service_data` would read it from a file."""
    out = normalise_frame(extract, label=label)
    if extract.attrs.get("synthetic"):
        stamp(out, source="synthetic", synthetic=True,
              description=extract.attrs.get("description", SYNTHETIC_LABEL))
    return out
