"""The equitylab service-data schema, built from a raw table one field at a time.

``docs/service-data-schema.md`` describes the columns. :func:`build_columns` calls the
check of every field the file has (:mod:`.fields`, :mod:`.places`), then the checks of
fields against each other, and leaves every problem in the file's :class:`.Problems`.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from . import fields as F
from . import places
from .problems import Problems

#: Columns of the normalised frame, in order (only those the file supports are present).
SCHEMA_COLUMNS = (
    "count", "team", "referral_date", "referral_source", "first_appointment_date",
    "discharge_date", "sex", "age", "age_band", "ethnicity", "ethnic_group_detail",
    "ethnicity_code", "lsoa_code", "imd_decile", "imd_quintile", "postcode_district",
    "benefits", "employment", "housing", "smoking", "experience", "experience_positive",
    "missed_appointments", "waiting_days", "readmitted_90d", "discharge_outcome",
)
DEFAULT_AGE_BANDS = tuple(range(0, 90, 5))  # Census 2021 TS007A five-year bands, 85+ last
DATE_FIELDS = ("referral_date", "first_appointment_date", "discharge_date")
IDENTIFYING_FIELDS = ("date_of_birth", "postcode")
FREE_TEXT = ("team", "referral_source", "discharge_outcome")
_NUMBERS = {"count": F.count, "missed_appointments": F.missed_appointments,
            "waiting_days": F.waiting_days, "imd_decile": F.imd_decile,
            "imd_quintile": F.imd_quintile}


class Context:
    """One build: the raw columns by source field, where problems and notes go."""

    def __init__(self, frame: pd.DataFrame, src: dict[str, str], problems: Problems, *,
                 validation: dict, label: str, delimiter: str | None, today: dt.date,
                 wanted: set | None):
        self.frame, self.src, self.problems = frame, src, problems
        self.validation, self.label, self.delimiter = validation, label, delimiter
        self.today, self.wanted = today, wanted
        self.out: dict[str, pd.Series] = {}
        self.warnings: list[str] = []  # given only if the file loads

    def column(self, field: str) -> tuple[pd.Series, str]:
        header = self.src[field]
        return self.frame[header], header


def build_columns(ctx: Context, *, postcode_lookup=None, age_bands=DEFAULT_AGE_BANDS) -> dict:
    """Every schema column the file supports, checked; problems left in ``ctx.problems``."""
    out, src = ctx.out, ctx.src
    for field, check in _NUMBERS.items():
        if field in src and field not in ("imd_decile", "imd_quintile"):
            out[field] = check(*ctx.column(field), ctx.problems, delimiter=ctx.delimiter)
    for field in FREE_TEXT:
        if field in src:
            out[field] = F.free_text(ctx.column(field)[0])
    for field in DATE_FIELDS:
        if field in src:
            out[field] = F.dates(*ctx.column(field), ctx.problems, today=ctx.today)
    if "sex" in src:
        out["sex"] = F.sex(*ctx.column("sex"), ctx.problems)
    _age(ctx, age_bands)
    if "ethnicity" in src:
        out.update(F.ethnicity(*ctx.column("ethnicity"), ctx.problems, ctx.wanted))
    _place(ctx, postcode_lookup)
    _markers(ctx)
    _pathway(ctx)
    return out


def _age(ctx: Context, bands) -> None:
    """Age as given, or from date of birth at the first event date (held in memory only)."""
    out, src, validation = ctx.out, ctx.src, ctx.validation
    if "age" in src:
        out["age"] = F.age(*ctx.column("age"), ctx.problems, delimiter=ctx.delimiter)
    elif "date_of_birth" in src:
        raw, header = ctx.column("date_of_birth")
        birth = F.dates(raw, header, ctx.problems, today=ctx.today, identifying=True)
        event = next((f for f in DATE_FIELDS if f in out), None)
        if event is None:
            validation["notes"].append("date of birth dropped without working out ages: "
                                       "the file has no referral or appointment date")
        else:
            out["age"] = F.age_from_birth(birth, out[event], event, header, ctx.problems)
            validation["derived"].append(f"age from date of birth at {event}")
    if "age" in out:
        out["age_band"] = F.age_bands(out["age"], bands)
        if "age_band" in src:
            validation["notes"].append(f"'{src['age_band']}' ignored: age bands made from age")
    elif "age_band" in src:
        out["age_band"] = F.age_band_given(ctx.column("age_band")[0])


def _place(ctx: Context, postcode_lookup) -> None:
    """LSOA (as given or through the user's postcode lookup) -> IMD 2019 national decile."""
    out, src, validation = ctx.out, ctx.src, ctx.validation
    lsoa, header = None, None
    if "lsoa_code" in src:
        raw, header = ctx.column("lsoa_code")
        lsoa, no_decile = places.lsoa_codes(raw, header, ctx.problems)
        _warn_no_decile(ctx, header, no_decile)
    if "postcode" in src:
        pc, keys = places.postcode_keys(ctx.column("postcode")[0])
        out["postcode_district"] = places.postcode_districts(pc, keys)
        validation["derived"].append("postcode_district (outward code) from postcode")
        if lsoa is None and postcode_lookup is None:
            validation["notes"].append(
                "full postcodes dropped: LSOA (and so deprivation decile) needs an LSOA "
                "column or postcode_lookup=, because equitylab works offline")
            ctx.warnings.append(f"{ctx.label}: postcodes were dropped and no deprivation decile "
                                "was added. equitylab works offline and needs an LSOA code: add "
                                "an LSOA column to the extract or pass postcode_lookup= (a "
                                "postcode-to-LSOA file such as the ONS Postcode Directory).")
        elif lsoa is None:
            lsoa, missing = places.lsoa_from_postcodes(pc, keys, postcode_lookup)
            validation["derived"].append("lsoa_code from postcode via postcode_lookup")
            if missing:
                validation["notes"].append(f"{missing:,} postcodes not found in the lookup")
    elif "postcode_district" in src:
        out["postcode_district"] = F.free_text(ctx.column("postcode_district")[0])
    if lsoa is not None:
        out["lsoa_code"] = lsoa
    if "imd_decile" in src:
        out["imd_decile"] = F.imd_decile(*ctx.column("imd_decile"), ctx.problems,
                                         delimiter=ctx.delimiter)
    elif lsoa is not None:
        out["imd_decile"] = places.imd_deciles(lsoa)
        validation["derived"].append("imd_decile (IMD 2019, national) from lsoa_code")
    if "imd_quintile" in src:
        out["imd_quintile"] = F.imd_quintile(*ctx.column("imd_quintile"), ctx.problems,
                                             delimiter=ctx.delimiter)
    elif "imd_decile" in out and (ctx.wanted is None or "imd_quintile" in ctx.wanted):
        out["imd_quintile"] = ((out["imd_decile"] + 1) // 2).astype("Int8")


def _warn_no_decile(ctx: Context, header: str, no_decile: dict) -> None:
    parts, found = [], []
    for reason, mask in no_decile.items():
        n = int(mask.sum())
        if not n:
            continue
        rows = ctx.problems.row_numbers(mask.nonzero()[0][:10]).tolist()
        listed = ", ".join(map(str, rows)) + (f" and {n - 10:,} more" if n > 10 else "")
        parts.append(f"{n:,} {'row has' if n == 1 else 'rows have'} no IMD 2019 decile (left "
                     f"blank) because the code is {places.NO_DECILE[reason]} "
                     f"({'row' if n == 1 else 'rows'} {listed})")
        found.append({"reason": reason, "count": n, "rows": rows})
    if parts:
        ctx.validation["lsoa_without_decile"] = found
        ctx.validation["notes"].append(f"column '{header}': " + "; ".join(parts))
        ctx.warnings.append(f"{ctx.label}, column '{header}': " + "; ".join(parts) + ".")


def _markers(ctx: Context) -> None:
    """Markers of disadvantage and experience."""
    out, src = ctx.out, ctx.src
    if "benefits" in src:
        out["benefits"] = F.yes_no(*ctx.column("benefits"), ctx.problems)
    for field in ("employment", "housing", "smoking"):
        if field in src:
            out[field] = F.coded(field, *ctx.column(field), ctx.problems)
    if "experience" in src:
        out["experience"], out["experience_positive"] = F.experience(*ctx.column("experience"),
                                                                     ctx.problems)


def _pathway(ctx: Context) -> None:
    """Waiting, missed appointments, discharge and readmission, with the dates checked
    against each other: first appointment and discharge fall on or after referral."""
    out, src = ctx.out, ctx.src
    if "referral_date" in out:
        for later in ("first_appointment_date", "discharge_date"):
            if later in out:
                F.not_before(out[later], out["referral_date"], column=src[later],
                             what="referral date", problems=ctx.problems)
    if "waiting_days" not in src and "referral_date" in out and "first_appointment_date" in out:
        out["waiting_days"] = F.waiting_from_dates(out["first_appointment_date"],
                                                   out["referral_date"])
        ctx.validation["derived"].append("waiting_days = first_appointment_date - referral_date")
    if "readmitted_90d" in src:
        out["readmitted_90d"] = F.yes_no(*ctx.column("readmitted_90d"), ctx.problems)
