"""Checking and converting each field of a service extract: one function per field.

Each function takes the column as read, its header and the file's :class:`.Problems`. It
returns the column in the schema's type (``docs/service-data-schema.md``), with the values
it could not use left missing, and adds a problem for the rows at fault instead of raising,
so that one run reports every problem in every column.

Ranges: counts are whole numbers from 0 to 10^9; ages 0 to 120 years; waiting times up to
36,500 days (100 years); dates from 1900 to 2100 and not after today. A value outside its
range is a problem, never a number cast until it wraps round.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import codes
from . import values as V
from .problems import Problems

MAX_COUNT = 1_000_000_000
MAX_WAITING_DAYS = 36_500
MAX_AGE = 120
FIRST_DATE = np.datetime64("1900-01-01", "s")
LAST_DATE = np.datetime64("2100-12-31T23:59:59", "s")
DATE_FORMS = "dd/mm/yyyy or yyyy-mm-dd"
DATE_HINT = f"Dates should look like {DATE_FORMS}"
_DTYPE_RANGE = {"Int8": (-128, 127), "Int16": (-32768, 32767), "Int32": (-2**31, 2**31 - 1),
                "Int64": (-2**63, 2**63 - 1)}


def whole_numbers(s: pd.Series, column: str, problems: Problems, *, low: int, high: int,
                  what: str, dtype: str, delimiter: str | None = None) -> pd.Series:
    """Whole numbers from ``low`` to ``high`` as nullable ``dtype``; anything else is a
    problem (not a number, not finite, not whole, or out of range) and left missing."""
    hint = f"'{column}' should hold {what}"
    if pd.api.types.is_integer_dtype(s.dtype) and len(s):
        # whole numbers already (e.g. from Parquet): two reductions check the range, and
        # the row-by-row masks below are only built when a value is out of range
        masked = not isinstance(s.dtype, np.dtype)
        na = s.isna().to_numpy() if masked else np.zeros(len(s), dtype=bool)
        vals = s.to_numpy(dtype=s.dtype.numpy_dtype, na_value=0) if masked else s.to_numpy()
        known = vals[~na] if na.any() else vals
        if not len(known) or (low <= known.min() and known.max() <= high):
            return pd.Series(pd.arrays.IntegerArray(vals.astype(pd.api.types.pandas_dtype(dtype)
                                                                .numpy_dtype), na.copy()),
                             index=s.index, copy=False)
    vals, not_number, ambiguous, cc = V.numbers(s, delimiter=delimiter)
    with np.errstate(invalid="ignore"):
        infinite = np.isinf(vals)
        finite = np.isfinite(vals)
        fraction = finite & (vals != np.floor(np.where(finite, vals, 0)))
        below = finite & ~fraction & (vals < low)
        above = finite & ~fraction & (vals > high)
    good = finite & ~fraction & ~below & ~above
    if cc is not None:  # checked per distinct value: spread over the rows
        good = np.append(good, False)[cc]

    def add(mask, problem, hint=hint, fatal=False):
        if mask.any():
            rows = mask if cc is None else np.append(mask, False)[cc]
            problems.add(rows, column=column, problem=problem, hint=hint, values=s, fatal=fatal)

    add(not_number, "not a number")
    add(ambiguous, "written with a comma that could be a decimal comma or a thousands separator",
        hint="Export numbers with no thousands separators and a decimal point, or save the "
             "file as CSV with commas between columns", fatal=True)
    add(infinite, "not a finite number")
    add(fraction, "not a whole number")
    add(below, "negative" if low == 0 else f"below {low:,}")
    add(above, f"above {high:,}")
    lo, hi = _DTYPE_RANGE[dtype]
    assert lo <= low and high <= hi, "the range must fit the dtype"
    numpy_dtype = pd.api.types.pandas_dtype(dtype).numpy_dtype
    ints = np.where(np.isfinite(vals) & (vals >= low) & (vals <= high), vals, 0).astype(numpy_dtype)
    if cc is not None:
        ints = np.append(ints, numpy_dtype.type(0))[cc]
    return pd.Series(pd.arrays.IntegerArray(ints, ~good), index=s.index, copy=False)


def count(s, column, problems, delimiter=None):
    return whole_numbers(s, column, problems, low=0, high=MAX_COUNT, dtype="Int64",
                         delimiter=delimiter, what="a whole number of people or referrals per "
                                                   "row, from 0 to 1,000,000,000")


def age(s, column, problems, delimiter=None):
    return whole_numbers(s, column, problems, low=0, high=MAX_AGE, dtype="Int16",
                         delimiter=delimiter, what="age in whole years from 0 to 120")


def missed_appointments(s, column, problems, delimiter=None):
    return whole_numbers(s, column, problems, low=0, high=MAX_COUNT, dtype="Int32",
                         delimiter=delimiter, what="the number of missed appointments (0 or more)")


def waiting_days(s, column, problems, delimiter=None):
    return whole_numbers(s, column, problems, low=0, high=MAX_WAITING_DAYS, dtype="Int32",
                         delimiter=delimiter, what="whole days waited, from 0 to 36,500")


def imd_decile(s, column, problems, delimiter=None):
    return whole_numbers(s, column, problems, low=1, high=10, dtype="Int8", delimiter=delimiter,
                         what="IMD deciles from 1 (most deprived) to 10")


def imd_quintile(s, column, problems, delimiter=None):
    return whole_numbers(s, column, problems, low=1, high=5, dtype="Int8", delimiter=delimiter,
                         what="IMD quintiles from 1 (most deprived) to 5")


def dates(s: pd.Series, column: str, problems: Problems, *, today: dt.date,
          identifying: bool = False) -> pd.Series:
    """Dates in any format UK systems export, from 1900 to 2100 and not after ``today``.
    The values of an identifying column (date of birth) are never shown."""
    vals, unreadable, us = V.dates(s)
    shown = None if identifying else s
    hint = DATE_HINT + ("; some look like month/day/year, which UK files should not use"
                        if us else "")
    problems.add(unreadable, column=column, problem="not a date", hint=hint, values=shown,
                 expected=DATE_FORMS)
    known = ~np.isnat(vals)
    early = known & (vals < FIRST_DATE)
    late = known & (vals > LAST_DATE)
    future = known & ~late & (vals >= np.datetime64(today, "D") + np.timedelta64(1, "D"))
    problems.add(early, column=column, problem="before 1900", hint=DATE_HINT, values=shown)
    problems.add(late, column=column, problem="after 2100", hint=DATE_HINT, values=shown)
    problems.add(future, column=column, problem=f"in the future (after {today:%d/%m/%Y})",
                 hint="Check the date (day/month order?) and when the extract was taken",
                 values=shown)
    out = np.where(early | late, np.datetime64("NaT"), vals)
    return pd.Series(out.astype("datetime64[ns]"), index=s.index)


def sex(s, column, problems):
    out, bad = V.map_categories(s, codes.sex_lookup, codes.SEX_CATEGORIES)
    problems.add(bad, column=column, problem="not a sex or gender code", values=s,
                 hint="Use the NHS codes 1 male, 2 female, 9 indeterminate, X or 0 not known "
                      "(or M/F, Male/Female)")
    return out


def ethnicity(s, column, problems, wanted=None) -> dict[str, pd.Series]:
    """``ethnicity`` (Census 2021 five groups), ``ethnic_group_detail`` and
    ``ethnicity_code`` from NHS ethnic category codes or their labels."""
    cat = V.categorical_strings(s)
    hits = [codes.ethnicity_lookup(x) for x in cat.cat.categories]
    cc = V.codes_of(cat)
    unknown = np.array([h is None for h in hits] + [False])
    if unknown.any():
        problems.add(unknown[cc], column=column, problem="not an NHS ethnic category code",
                     values=s, hint="Use the NHS Data Dictionary codes A-H, J-N, P, R, S, Z (not "
                                    "stated) or 99 (not known), or their descriptions; map other "
                                    "local codes to these before loading")
    blank = ("", codes.NOT_STATED, None)
    hits = [h if h is not None else blank for h in hits]
    out = {}
    for name, pos, cats in (("ethnicity", 1, codes.ETHNICITY_CATEGORIES),
                            ("ethnic_group_detail", 2, codes.ETHNICITY_DETAIL_CATEGORIES),
                            ("ethnicity_code", 0, tuple(codes.ETHNIC_CATEGORY))):
        if wanted is not None and name not in wanted:
            continue
        idx = {v: i for i, v in enumerate(cats)}
        table = np.array([idx.get(h[pos], -1) for h in hits] + [idx.get(blank[pos], -1)])
        out[name] = V.from_codes(table, cc, cats, index=s.index)
    return out


_CODED = {
    "employment": (codes.employment_lookup, codes.EMPLOYMENT_CATEGORIES,
                   "Use the NHS Data Dictionary employment status codes 01-08, ZZ, or words "
                   "such as 'employed', 'unemployed', 'retired'"),
    "housing": (codes.housing_lookup, codes.HOUSING_CATEGORIES,
                "Use 'settled', 'unsettled', 'homeless' or 'not stated' (or map your local labels "
                "to these first)"),
    "smoking": (codes.smoking_lookup, codes.SMOKING_CATEGORIES,
                "Use 'current smoker', 'ex-smoker', 'never smoked' or 'not stated'"),
}


def coded(field: str, s, column, problems):
    """Employment, housing or smoking status, from their codes or words."""
    lookup, categories, hint = _CODED[field]
    out, bad = V.map_categories(s, V.blank_lookup(lookup), categories)
    article = "an" if field[0] in "aeiou" else "a"
    problems.add(bad, column=column, problem=f"not {article} {field} value equitylab knows",
                 hint=hint, values=s)
    return out


def experience(s, column, problems) -> tuple[pd.Series, pd.Series]:
    """The Friends and Family Test answer (ordered) and whether it was positive (NHS England
    FFT 'percentage positive': Very good or Good, missing for Don't know or no answer)."""
    out, bad = V.map_categories(s, V.blank_lookup(codes.experience_lookup),
                                codes.EXPERIENCE_CATEGORIES, ordered=True)
    problems.add(bad, column=column, problem="not a Friends and Family Test answer", values=s,
                 hint="Use 1 very good, 2 good, 3 neither good nor poor, 4 poor, 5 very poor, "
                      "6 don't know (or those words)")
    positive = out.isin(["Very good", "Good"]).to_numpy()
    unknown = (out.isna() | (out == "Don't know")).to_numpy()
    return out, pd.Series(pd.arrays.BooleanArray(positive, unknown), index=s.index)


def yes_no(s, column, problems) -> pd.Series:
    """yes/no, true/false or 1/0 as a nullable boolean; 'not known' is missing."""
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean")
    cat = V.categorical_strings(s)
    res = [codes.yes_no_lookup(x) for x in cat.cat.categories]
    unknown_words = ("", "nan", "not known", "unknown")
    bad_cat = np.array([r is None and codes.normalise_text(x) not in unknown_words
                        for r, x in zip(res, cat.cat.categories)] + [False])
    cc = V.codes_of(cat)
    problems.add(bad_cat[cc], column=column, problem="not a yes/no value", values=s,
                 hint="Use yes/no, true/false or 1/0")
    vals = np.array([bool(r) for r in res] + [False])
    known = np.array([r is not None for r in res] + [False])
    return pd.Series(pd.arrays.BooleanArray(vals[cc], ~known[cc]), index=s.index)


def free_text(s) -> pd.Series:
    """Team, referral source, discharge outcome: kept as written, categories sorted; or, for
    a column read as text because nearly every value differs (see
    :data:`.files.MAX_CATEGORIES`), as text, trimmed, with blank and 'NULL'-like text missing."""
    if V.is_arrow_text(s):
        return V.trimmed_text(s)
    return V.sorted_categories(V.categorical_strings(s))


def age_from_birth(birth: pd.Series, event: pd.Series, event_name: str, column: str,
                   problems: Problems) -> pd.Series:
    """Age in whole years on the event date (birthdays counted by month and day)."""
    before = (event.dt.month < birth.dt.month) | ((event.dt.month == birth.dt.month)
                                                  & (event.dt.day < birth.dt.day))
    years = (event.dt.year - birth.dt.year - before.astype(int)).to_numpy(dtype=float,
                                                                          na_value=np.nan)
    hint = "Check the date of birth and event date columns (day/month order?)"
    with np.errstate(invalid="ignore"):
        negative, old = years < 0, years > MAX_AGE
    problems.add(negative, column=column, problem=f"after the {event_name.replace('_', ' ')}",
                 hint=hint)
    problems.add(old, column=column, hint=hint,
                 problem=f"more than 120 years before the {event_name.replace('_', ' ')}")
    good = ~np.isnan(years) & ~negative & ~old
    return pd.Series(pd.arrays.IntegerArray(np.where(good, years, 0).astype(np.int16), ~good),
                     index=birth.index)


def age_band_labels(bands) -> list[str]:
    """Labels for age bands starting at ``bands`` (lower bounds): '0-4', ..., '85+'."""
    bands = list(bands)
    return [f"{lo}-{hi - 1}" for lo, hi in zip(bands[:-1], bands[1:])] + [f"{bands[-1]}+"]


def age_bands(ages: pd.Series, bands) -> pd.Series:
    years = ages.to_numpy(dtype=float, na_value=np.nan)
    return pd.Series(pd.cut(years, bins=[*bands, np.inf], right=False,
                            labels=age_band_labels(bands)), index=ages.index)


def age_band_given(s) -> pd.Series:
    """An age-band column as the file gives it, spelt '20-24' and '85+'."""
    band = V.categorical_strings(s)
    new = [x.replace(" and over", "+").replace(" plus", "+") for x in
           (pd.Series(band.cat.categories, dtype=object)
            .str.replace(r"\s*(?:-|to|–)\s*", "-", regex=True))]
    return band.cat.rename_categories(new) if len(set(new)) == len(new) else band


def not_before(later: pd.Series, earlier: pd.Series, *, column: str, what: str,
               problems: Problems) -> None:
    """A problem for each row where ``later`` falls before ``earlier``."""
    with np.errstate(invalid="ignore"):
        wrong = (later < earlier).to_numpy(dtype=bool, na_value=False)
    problems.add(wrong, column=column, problem=f"before the {what}",
                 hint="Check the two date columns (day/month order?)")


def waiting_from_dates(first: pd.Series, referral: pd.Series) -> pd.Series:
    """Days from referral to first appointment (missing if either is missing or the
    appointment came first, which :func:`not_before` reports)."""
    days = (first - referral).dt.days.to_numpy(dtype=float, na_value=np.nan)
    good = ~np.isnan(days) & (days >= 0) & (days <= MAX_WAITING_DAYS)
    return pd.Series(pd.arrays.IntegerArray(np.where(good, days, 0).astype(np.int32), ~good),
                     index=first.index)
