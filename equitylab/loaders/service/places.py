"""Where patients live: LSOA codes, postcodes, and the IMD 2019 decile of each LSOA.

IMD 2019 (MHCLG, English Indices of Deprivation 2019) ranks the 32,844 LSOAs of 2011 in
England. A code in an extract can miss it for four reasons, each reported with its rows:

- it is not an LSOA code at all (a problem: LSOA codes are E01 or W01 and six digits);
- it is an English-shaped code in neither the 2011 nor the 2021 list (a problem: a typo or
  a code that never existed);
- it is Welsh (W01...): IMD 2019 covers England only (Wales has its own index, WIMD), so
  the decile is blank and a warning says so;
- it is an LSOA 2021 code that is new since 2011 (the area was split, merged or redrawn):
  IMD 2019 is on 2011 LSOAs and equitylab holds no 2011-to-2021 lookup offline, so the
  decile is blank and a warning says so.
"""
from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd

from ...errors import DataError
from ..census import lsoa21_codes, lsoa_imd
from ..identifiers import OUTWARD_CODE
from . import values as V
from .headers import key
from .problems import Problems

LSOA_CODE = re.compile(r"[EW]01\d{6}")
_OUTWARD_OF_FULL = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)(?=[0-9][A-Z]{2}$)")
NO_DECILE = {
    "welsh": "a Welsh LSOA code (W01...): IMD 2019 covers England only",
    "lsoa21": "an LSOA 2021 code new since 2011 (the area was split, merged or redrawn): IMD 2019 "
              "is on 2011 LSOAs and equitylab holds no 2011-to-2021 lookup offline; the ONS "
              "'LSOA (2011) to LSOA (2021)' lookup gives the 2011 code",
}


@cache
def _imd_by_lsoa11() -> pd.Series:
    table = lsoa_imd()
    return pd.Series(table["imd_decile"].to_numpy(), index=table["lsoa11_code"].astype(str))


def lsoa_codes(s: pd.Series, column: str, problems: Problems):
    """The column as tidy LSOA codes (upper case, no spaces) and, for codes with no IMD 2019
    decile that are not problems, ``{"welsh": mask, "lsoa21": mask}``."""
    cat = V.categorical_strings(s)
    tidy = [str(x).replace(" ", "").upper() for x in cat.cat.categories]
    if len(set(tidy)) == len(tidy):
        cat = cat.cat.rename_categories(tidy)
    else:
        cat = pd.Series(pd.Categorical(cat.astype(object).map(
            lambda x: x if pd.isna(x) else str(x).replace(" ", "").upper())), index=s.index)
    cats = pd.Series(cat.cat.categories, dtype=object)
    shaped = cats.str.fullmatch(LSOA_CODE).to_numpy(dtype=bool)
    in_2011 = cats.isin(_imd_by_lsoa11().index).to_numpy()
    in_2021 = cats.isin(lsoa21_codes()).to_numpy()
    welsh = shaped & cats.str.startswith("W").to_numpy(dtype=bool)
    unknown = shaped & ~welsh & ~in_2011 & ~in_2021
    cc = V.codes_of(cat)
    present = cc >= 0
    safe = np.maximum(cc, 0)

    def rows(per_category):
        if not per_category.any():
            return np.zeros(len(cc), dtype=bool)
        return present & per_category[safe]

    problems.add(rows(~shaped), column=column, problem="not an LSOA code", values=s,
                 hint="LSOA codes are 9 characters, E01 or W01 and six digits, such as "
                      "E01001709; a postcode column needs postcode_lookup=",
                 expected="E01 or W01 and six digits, such as E01001709")
    problems.add(rows(unknown), column=column, values=s,
                 problem="not an LSOA code that exists (in neither the 2011 nor the 2021 list)",
                 hint="Check the code for a typing error: English LSOA codes run from "
                      "E01000001 to E01035762")
    keep = shaped & ~unknown
    table = np.where(keep, np.arange(len(cats)), -1)
    out = pd.Series(pd.Categorical.from_codes(np.append(table, -1)[np.where(present, cc, -1)],
                                              categories=cats.tolist()), index=s.index)
    no_decile = {"welsh": rows(welsh), "lsoa21": rows(shaped & ~welsh & in_2021 & ~in_2011)}
    return V.sorted_categories(out), no_decile


def imd_deciles(lsoa: pd.Series) -> pd.Series:
    """The IMD 2019 national decile (1 = most deprived) of each row's LSOA 2011 code."""
    cats = pd.Series(lsoa.cat.categories, dtype=object)
    dec = pd.to_numeric(cats.map(_imd_by_lsoa11()), errors="coerce").to_numpy(dtype=float)
    vals = np.append(dec, np.nan)[np.where(V.codes_of(lsoa) >= 0, V.codes_of(lsoa), -1)]
    known = ~np.isnan(vals)
    return pd.Series(pd.arrays.IntegerArray(np.where(known, vals, 0).astype(np.int8), ~known),
                     index=lsoa.index)


def postcode_keys(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(postcodes as categories, their distinct values without spaces, upper case)."""
    pc = V.categorical_strings(s)
    keys = pd.Series(pc.cat.categories, dtype=object).str.replace(r"\s+", "", regex=True).str.upper()
    return pc, keys


def postcode_districts(pc: pd.Series, keys: pd.Series) -> pd.Series:
    """The outward code ('E8') of full postcodes, or of outward codes given alone."""
    outward = np.array([m.group(1) if (m := _OUTWARD_OF_FULL.match(k)) else
                        (m2.group(0).strip() if (m2 := OUTWARD_CODE.match(k)) else None)
                        for k in keys] + [None], dtype=object)
    district = pd.Series(outward[V.codes_of(pc)], index=pc.index).astype("category")
    return V.sorted_categories(district)


def lsoa_from_postcodes(pc: pd.Series, keys: pd.Series, postcode_lookup) -> tuple[pd.Series, int]:
    """LSOA codes for full postcodes through the user's lookup, and how many were not in it."""
    table = read_postcode_lookup(postcode_lookup)
    arr = np.array(list(keys.map(table).to_numpy()) + [np.nan], dtype=object)
    lsoa = pd.Series(arr[V.codes_of(pc)], index=pc.index).astype("category")
    missing = int((V.codes_of(pc) >= 0).sum() - lsoa.notna().sum())
    return lsoa, missing


def read_postcode_lookup(postcode_lookup) -> pd.Series:
    """A postcode-to-LSOA lookup (e.g. an ONS Postcode Directory extract) as a Series
    indexed by postcode without spaces."""
    if isinstance(postcode_lookup, pd.DataFrame):
        table, label = postcode_lookup, "postcode_lookup="
    else:
        label = str(postcode_lookup)
        try:
            table = pd.read_csv(postcode_lookup, dtype=str)
        except FileNotFoundError:
            raise DataError("The postcode lookup file was not found", file=label,
                            hint="Pass the path of a CSV with a postcode column and an LSOA code "
                                 "column (for example the ONS Postcode Directory)") from None
    pc = [c for c in table.columns if key(c) in ("postcode", "pcds", "pcd", "pcd7", "pcd8",
                                                   "pcd2", "postalcode")]
    ls = [c for c in table.columns if key(c) in ("lsoa11cd", "lsoa21cd", "lsoa11", "lsoa21",
                                                   "lsoa", "lsoacode", "lsoa11code", "lsoa21code")]
    if not pc or not ls:
        raise DataError("The postcode lookup needs a postcode column and an LSOA code column",
                        file=label, hint="Headers such as 'pcds' and 'lsoa11cd' (ONS Postcode "
                                         "Directory) or 'postcode' and 'lsoa_code'")
    keys = table[pc[0]].astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    out = pd.Series(table[ls[0]].to_numpy(), index=keys)
    return out[~out.index.duplicated()]
