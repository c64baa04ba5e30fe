"""Populations, deprivation deciles and life expectancy for English areas, offline.

Everything here reads the compact tables in ``data/population/`` (built by
``scripts/build_population_snapshot.py`` from public ONS and MHCLG files, OGL v3):

- Census 2021 usual residents by ethnic group (TS021, five groups) and five-year age band
  (TS007A), by LSOA 2021, added up to local authorities, regions and England;
- IMD 2019 rank and national decile of every LSOA 2011 (MHCLG IoD2019 File 1) with its
  mid-2015 population (IoD2019 File 6, the denominators MHCLG used for the Indices);
- the IMD 2019 average-score summary of local authorities (MHCLG);
- ONS life expectancy at birth 2023 by local authority district and sex.

Which population for deprivation? Residents by IMD decile use the IoD2019 File 6 mid-2015
population of each LSOA 2011: it covers every LSOA on the same 2011 geography the deciles
were computed on. Census 2021 counts are on LSOA 2021 boundaries and only about 95% of
codes carry over unchanged, so mixing them would silently drop or misplace areas.
"""
from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from equitylab._paths import data_dir
from equitylab.errors import DataError, SourceUnavailable
from equitylab.loaders.areas import _table as _areas_table
from equitylab.loaders.areas import check_area
from equitylab.provenance import OGL, stamp

ETHNIC_GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]
AGE_BANDS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
             "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]
DIMENSIONS = ("ethnicity", "age", "deprivation", "sex")
_LAD_TYPES = ("London borough", "metropolitan district", "unitary authority", "non-metropolitan district")

SRC_TS021 = "ONS Census 2021 TS021 ethnic group (usual residents), LSOA 2021 summed to area"
SRC_TS021_LA = ("ONS Census 2021 TS021 ethnic group (usual residents), as published for the whole area "
                "(gov.uk Ethnicity facts and figures)")
SRC_TS007A = "ONS Census 2021 TS007A age by five-year band (usual residents), LSOA 2021 summed to area"
SRC_FILE6 = ("MHCLG English Indices of Deprivation 2019: IMD 2019 national decile of each LSOA 2011 "
             "(File 1) with its mid-2015 population, excluding prisoners (File 6)")
SRC_LA = "MHCLG English Indices of Deprivation 2019, local authority summaries (average score)"
SRC_LE = "ONS life expectancy at birth for local areas, single year 2023"


def _dir():
    return data_dir() / "population"


@cache
def _retrieved() -> dict[str, str]:
    try:
        man = pd.read_csv(_dir() / "MANIFEST.csv")
        return dict(zip(man["file"], man["retrieved"].astype(str)))
    except (OSError, KeyError):
        return {}


def _stamp(df: pd.DataFrame, file: str, description: str) -> pd.DataFrame:
    return stamp(df, source="snapshot", licence=OGL, retrieved=_retrieved().get(file), description=description)


@cache
def _census() -> pd.DataFrame:
    df = pd.read_parquet(_dir() / "census2021_lsoa21.parquet")
    df["region_code"] = df["lad_code"].map(_areas_table()["region_code"])
    df["utla_code"] = df["lad_code"].map(_areas_table()["utla_code"])
    return df


@cache
def _lsoa11() -> pd.DataFrame:
    df = pd.read_parquet(_dir() / "lsoa11_imd2019.parquet")
    df["region_code"] = df["lad_code"].map(_areas_table()["region_code"])
    df["utla_code"] = df["lad_code"].map(_areas_table()["utla_code"])
    return df


@cache
def _la_imd() -> pd.DataFrame:
    return pd.read_parquet(_dir() / "la_imd2019.parquet")


@cache
def _life() -> pd.DataFrame:
    return pd.read_parquet(_dir() / "life_expectancy_2023.parquet")


@cache
def _utla_ethnicity() -> pd.DataFrame:
    return pd.read_parquet(_dir() / "utla_ethnicity_2021.parquet")


def _rows_for(df: pd.DataFrame, code: str, old_code_column: str) -> pd.DataFrame:
    """Rows of an LSOA table belonging to ``code`` (any kind of area)."""
    info = _areas_table().loc[code]
    kind = info["type"]
    if kind == "England":
        return df
    if kind == "region":
        return df[df["region_code"] == code]
    if info["status"] != "current":
        if kind == "county council":
            return df[df["lad_code"].isin(_former_districts(code))]
        return df[df[old_code_column] == code]
    if kind == "county council":
        return df[df["utla_code"] == code]
    return df[df["lad_code"] == code]


def _former_districts(county: str) -> list[str]:
    # A county abolished in 2020-2023 covered exactly the districts whose successors replaced it.
    t = _areas_table()
    succ = t.at[county, "successor_code"]
    if isinstance(succ, str):
        return [succ]
    return {"E10000021": ["E06000061", "E06000062"], "E10000006": ["E06000063", "E06000064"]}.get(county, [])


def _check_dimension(dimension: str, code: str) -> str:
    d = str(dimension).strip().lower()
    if d == "sex":
        raise SourceUnavailable(
            "Populations by sex are not in equitylab's offline snapshot: the Census 2021 LSOA tables "
            "it carries (TS021 ethnic group, TS007A age) count persons only. Download ONS Census 2021 "
            "table RM200 or TS008 (sex) for your area from Nomis (https://www.nomisweb.co.uk), or the ONS "
            "mid-year estimates by local authority, age and sex, and read it with pandas.")
    if d not in DIMENSIONS:
        raise DataError(f"'{dimension}' is not a population dimension equitylab knows",
                        hint="Use dimension='ethnicity', 'age' or 'deprivation'")
    return d


def population(area_code: str, dimension: str = "ethnicity") -> pd.DataFrame:
    """Residents of an area by ethnic group, age band or deprivation decile.

    Parameters
    ----------
    area_code : str
        ONS code of England (E92000001), a region (E12...), a London borough, metropolitan
        district, unitary authority, non-metropolitan district or county council (E10...,
        added up from its districts). Districts abolished since 2019 can be asked for by
        their old code.
    dimension : {"ethnicity", "age", "deprivation"}
        - "ethnicity": Census 2021 usual residents in the five broad ONS groups (Asian,
          Black, Mixed, White, Other), table TS021.
        - "age": Census 2021 usual residents in 18 five-year bands "0-4" ... "85+", TS007A.
        - "deprivation": residents by the national IMD 2019 decile of their LSOA 2011
          (1 = most deprived tenth of LSOAs in England), using the IoD2019 File 6 mid-2015
          population; all ten deciles are listed, with zeros where the area has none.
        "sex" raises :class:`SourceUnavailable` (not in the snapshot; the message says where
        to get it).

    Returns
    -------
    DataFrame
        One row per group: ``area_code``, ``area_name``, ``group`` (ethnic group, age band,
        or decile number 1-10), ``population`` (persons), ``share`` (of the area total, 0-1),
        ``source`` (the table used) and ``year`` (2021 for Census, 2015 for mid-2015). The
        deprivation table also has ``lsoas`` (number of LSOAs in the decile).

    Notes
    -----
    Census LSOA counts carry ONS disclosure control (records swapped, small counts
    perturbed), so an area total may differ by a few dozen from the total ONS publishes for
    the whole area: Hackney's 149 LSOAs sum to 259,112 against 259,147 published for the
    borough. Each LSOA is placed in a local authority by its name ("Hackney 001A").
    """
    code = check_area(area_code)
    dim = _check_dimension(dimension, code)
    info = _areas_table().loc[code]
    if dim in ("ethnicity", "age"):
        rows = _rows_for(_census(), code, "lad_named_code")
        cols = ETHNIC_GROUPS if dim == "ethnicity" else AGE_BANDS
        if rows.empty:
            raise _no_rows(code, dim)
        values = rows[cols].to_numpy(dtype=np.int64).sum(axis=0)
        out = pd.DataFrame({"group": cols, "population": values})
        source, year, file = (SRC_TS021 if dim == "ethnicity" else SRC_TS007A), 2021, "census2021_lsoa21.parquet"
    else:
        rows = _rows_for(_lsoa11(), code, "lad19_code")
        if rows.empty:
            raise _no_rows(code, dim)
        g = rows.groupby("imd_decile")["population_mid2015"].agg(["sum", "size"]).reindex(range(1, 11),
                                                                                          fill_value=0)
        out = pd.DataFrame({"group": np.arange(1, 11), "population": g["sum"].to_numpy(np.int64),
                            "lsoas": g["size"].to_numpy(np.int64)})
        source, year, file = SRC_FILE6, 2015, "lsoa11_imd2019.parquet"
    total = out["population"].sum()
    out["share"] = out["population"] / total if total else np.nan
    out.insert(0, "area_name", info["name"])
    out.insert(0, "area_code", code)
    out["source"] = source
    out["year"] = year
    return _stamp(out, file, source)


# rows of the published table that contradict ONS's own totals (see tests/test_loaders_census.py): Torbay
# and Somerset swap residents there, so their headline figures are summed from LSOAs instead
_PUBLISHED_WRONG = frozenset({"E06000027", "E06000066"})


def published_population(area_code: str) -> pd.DataFrame:
    """Residents by ethnic group as ONS publishes them for the whole area: the headline figures.

    ONS publishes Census 2021 TS021 for England, each region and each upper-tier local authority; those
    totals are what a reader can check against ONS (Hackney: 259,147 usual residents). Summing the
    area's LSOAs instead gives a total a few dozen away (259,112 for Hackney), because ONS perturbs small
    areas' counts for disclosure control. Areas the published table does not cover (districts within a
    county, abolished areas) and its two known-wrong rows fall back to :func:`population`, which
    says so in its ``source``.

    Returns
    -------
    DataFrame
        As :func:`population` with ``dimension="ethnicity"``: ``area_code``, ``area_name``, ``group``
        (Asian, Black, Mixed, White, Other), ``population``, ``share``, ``source`` and ``year``.
    """
    code = check_area(area_code)
    table = _utla_ethnicity()
    rows = table[table["area_code"] == code]
    if rows.empty or code in _PUBLISHED_WRONG:
        return population(code, "ethnicity")
    rows = rows.set_index("group").reindex(ETHNIC_GROUPS)
    out = pd.DataFrame({"area_code": code, "area_name": _areas_table().at[code, "name"], "group": ETHNIC_GROUPS,
                        "population": rows["population"].to_numpy(np.int64)})
    out["share"] = out["population"] / out["population"].sum()
    out["source"] = SRC_TS021_LA
    out["year"] = 2021
    return _stamp(out, "utla_ethnicity_2021.parquet", SRC_TS021_LA)


def _no_rows(code: str, dim: str) -> SourceUnavailable:
    name = _areas_table().at[code, "name"]
    return SourceUnavailable(
        f"equitylab's snapshot has no {dim} rows for {name} ({code}). Ask for its successor or "
        "parent area (see area_info), or download the Census 2021 or IoD2019 table for it from "
        "Nomis or gov.uk.")


def lsoa_imd() -> pd.DataFrame:
    """Every LSOA 2011 in England with its IMD 2019 rank and national decile.

    Returns
    -------
    DataFrame
        32,844 rows: ``lsoa11_code``, ``lsoa11_name``, ``lad19_code``, ``lad19_name``,
        ``lad_code`` (the current local authority; differs from ``lad19_code`` only where
        districts merged in 2020-2023), ``imd_rank`` (1 = most deprived of 32,844),
        ``imd_decile`` (national, 1 = most deprived), ``population_mid2015`` (IoD2019 File 6).
        Source: MHCLG English Indices of Deprivation 2019, Files 1 and 6 (OGL v3).
    """
    cols = ["lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "lad_code", "imd_rank",
            "imd_decile", "population_mid2015"]
    return _stamp(_lsoa11()[cols].copy(), "lsoa11_imd2019.parquet", SRC_FILE6)


@cache
def lsoa21_codes() -> frozenset[str]:
    """Every LSOA 2021 code in England (ONS Census 2021), to tell a 2021 code from a typo."""
    codes = pd.read_parquet(_dir() / "census2021_lsoa21.parquet", columns=["lsoa21_code"])
    return frozenset(codes["lsoa21_code"].astype(str))


def lsoa_deciles(area_code: str, scheme: str = "national", n: int = 10) -> pd.DataFrame:
    """The area's LSOAs (2011) with their IMD 2019 deprivation group.

    Parameters
    ----------
    area_code : str
        Any area :func:`population` accepts.
    scheme : {"national", "local"}
        - "national": ``quantile`` is the LSOA's decile among all 32,844 LSOAs in England
          (MHCLG IoD2019 File 1), or quintile when ``n=5``. A borough may then sit in only
          some deciles: Hackney's 144 LSOAs fall in national deciles 1-6 only.
        - "local": the area's own LSOAs ranked by IMD 2019 rank and cut into ``n`` groups of
          near-equal numbers of LSOAs (sizes differ by at most one), as in Fingertips'
          "deprivation deciles within area". 1 = most deprived within the area.
    n : int
        Number of groups: 10 (deciles) or 5 (quintiles) for "national"; any whole number from
        2 to the number of LSOAs for "local".

    Returns
    -------
    DataFrame
        ``lsoa11_code``, ``lsoa11_name``, ``lad_code``, ``imd_rank``, ``imd_decile`` (national),
        ``population`` (mid-2015, IoD2019 File 6), ``quantile`` (1 = most deprived), ``scheme``
        ("national" or "local") and ``note`` (one sentence saying which scheme).
    """
    code = check_area(area_code)
    scheme = str(scheme).strip().lower()
    if scheme not in ("national", "local"):
        raise DataError(f"'{scheme}' is not a decile scheme", hint="Use scheme='national' or scheme='local'")
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise DataError(f"n must be a whole number of groups, not '{n}'", hint="Use n=10 for deciles or n=5") from None
    rows = _rows_for(_lsoa11(), code, "lad19_code")
    if rows.empty:
        raise _no_rows(code, "deprivation")
    out = rows[["lsoa11_code", "lsoa11_name", "lad_code", "imd_rank", "imd_decile", "population_mid2015"]]
    out = out.rename(columns={"population_mid2015": "population"}).sort_values("imd_rank").reset_index(drop=True)
    name = _areas_table().at[code, "name"]
    if scheme == "national":
        if n not in (5, 10):
            raise DataError(f"National IMD groups come as deciles or quintiles, not {n} groups",
                            hint="Use n=10 or n=5, or scheme='local' for other numbers of groups")
        q = out["imd_decile"] if n == 10 else (out["imd_decile"] + 1) // 2
        word = "decile" if n == 10 else "quintile"
        note = (f"National IMD 2019 {word}s: each LSOA's {word} among all LSOAs in England "
                f"(1 = most deprived); {name} need not have LSOAs in every {word}.")
    else:
        m = len(out)
        if not 2 <= n <= m:
            raise DataError(f"Cannot cut {m} LSOAs into {n} local groups", hint=f"Use n between 2 and {m}")
        q = np.arange(m) * n // m + 1
        note = (f"Local groups: {name}'s own {m} LSOAs ranked by IMD 2019 and cut into {n} groups of "
                f"near-equal size (1 = most deprived within {name}); not comparable with national deciles.")
    out["quantile"] = np.asarray(q, dtype=np.int64)
    out["scheme"] = scheme
    out["note"] = note
    return _stamp(out, "lsoa11_imd2019.parquet", SRC_FILE6)


def la_deprivation(area_code: str) -> dict:
    """IMD 2019 summary of a local authority district (as it was in 2019).

    Returns
    -------
    dict
        ``area_code``, ``area_name``, ``imd_score`` (population-weighted average of LSOA IMD
        scores), ``imd_score_rank`` (1 = most deprived, by average score), ``n_las`` (317
        districts in 2019), ``imd_la_decile`` (decile of districts by that rank, 1 = most
        deprived tenth), ``source``. Hackney: score 32.526, rank 22 of 317 (MHCLG IoD2019).
        Areas that did not exist as districts in 2019 (regions, counties, unitary
        authorities formed after 2019) return ``None`` for the numbers.
    """
    code = check_area(area_code)
    t = _la_imd().set_index("lad19_code")
    out = {"area_code": code, "area_name": _areas_table().at[code, "name"], "imd_score": None,
           "imd_score_rank": None, "n_las": int(t["n_las"].iloc[0]), "imd_la_decile": None, "source": SRC_LA}
    if code in t.index:
        r = t.loc[code]
        out.update(imd_score=float(r["imd_score"]), imd_score_rank=int(r["imd_score_rank"]),
                   imd_la_decile=int(r["imd_score_decile"]))
    return out


def deprivation_profile(area_code: str) -> pd.DataFrame:
    """Residents and LSOAs of an area by national IMD 2019 decile, with the LA's IMD rank.

    Returns
    -------
    DataFrame
        Ten rows, ``quantile`` 1-10 (national decile, 1 = most deprived): ``area_code``,
        ``area_name``, ``lsoas``, ``population`` (mid-2015, IoD2019 File 6), ``share_lsoas``,
        ``share_population`` (0-1), and the same on every row: ``imd_score``,
        ``imd_score_rank``, ``n_las`` (see :func:`la_deprivation`).
    """
    pop = population(area_code, "deprivation")
    la = la_deprivation(area_code)
    out = pd.DataFrame({
        "area_code": pop["area_code"], "area_name": pop["area_name"], "quantile": pop["group"],
        "lsoas": pop["lsoas"], "population": pop["population"],
    })
    out["share_lsoas"] = out["lsoas"] / out["lsoas"].sum()
    out["share_population"] = pop["share"]
    out["imd_score"] = la["imd_score"]
    out["imd_score_rank"] = la["imd_score_rank"]
    out["n_las"] = la["n_las"]
    return _stamp(out, "lsoa11_imd2019.parquet", SRC_FILE6 + "; " + SRC_LA)


def life_expectancy(area_code: str | None = None) -> pd.DataFrame:
    """Life expectancy at birth (2023) of every English district against its IMD 2019 score.

    This compares areas with each other (between-area inequality: more deprived districts
    against less deprived ones). It says nothing about the gap inside one district, which
    needs life expectancy by deprivation decile within the area (Fingertips indicator 90366
    with its slope index of inequality, 92901), not in the offline snapshot.

    Parameters
    ----------
    area_code : str, optional
        The focus area: its rows get ``focus=True`` (for a region or county, all its districts).

    Returns
    -------
    DataFrame
        One row per district and sex: ``area_code``, ``area_name``, ``sex`` ("Male",
        "Female"), ``life_expectancy`` (years), ``year`` (2023), ``imd_score`` (IMD 2019
        average score), ``imd_score_rank`` (1 = most deprived of 317), ``quantile`` (decile of
        districts by IMD score rank, 1 = most deprived), ``focus`` (bool) and ``comparison``
        ("between areas"). Districts formed after 2019 (Buckinghamshire, North and West
        Northamptonshire, Cumberland, Westmorland and Furness, North Yorkshire, Somerset)
        have no IMD 2019 district score and show missing values there.
    """
    focus_codes: set[str] = set()
    if area_code is not None:
        code = check_area(area_code)
        t = _areas_table()
        kind = t.at[code, "type"]
        if kind == "England":
            focus_codes = set(t.index)
        elif kind == "region":
            focus_codes = set(t.index[t["region_code"] == code])
        elif kind == "county council":
            focus_codes = set(t.index[t["utla_code"] == code])
        else:
            focus_codes = {code, t.at[code, "successor_code"]} - {None}
    le = _life().copy()
    la = _la_imd().rename(columns={"lad19_code": "area_code", "imd_score_decile": "quantile"})
    out = le.merge(la[["area_code", "imd_score", "imd_score_rank", "quantile"]], on="area_code", how="left")
    out["quantile"] = out["quantile"].astype("Int64")
    out["imd_score_rank"] = out["imd_score_rank"].astype("Int64")
    out["focus"] = out["area_code"].isin(focus_codes)
    out["comparison"] = "between areas"
    return _stamp(out, "life_expectancy_2023.parquet", SRC_LE + "; " + SRC_LA)

