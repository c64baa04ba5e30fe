"""Build equitylab's population, deprivation and area-lookup snapshot.

Reads the read-only public files in ``../shared/data`` (relative to the repository; override
with ``--source``) and writes compact parquet tables plus ``MANIFEST.csv`` to
``data/population/``. Run from the repository root::

    python scripts/build_population_snapshot.py

Every value written comes from a named public file (OGL v3); nothing is estimated here
except the LSOA-name join described below, which is checked against published totals.

How LSOA 2021 rows find their local authority: Census 2021 LSOA names are the district's
name plus a 4-character suffix ("Hackney 001A"), so the district name is the name minus
its last word. Names are matched to codes with the MHCLG IoD2019 File 1 (LAD 2019) and the
ONS mid-2023 population file. Districts abolished in 2020-2023 are mapped to the unitary
authority that replaced them (table ``SUCCESSORS`` below, from the structural change orders).
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO.parent / "shared" / "data"
OUT = REPO / "data" / "population"

OGL = "Open Government Licence v3.0"

# District (LAD 2019 code) -> unitary authority that replaced it.
# Buckinghamshire (Structural Changes) Order 2019, in force 1 April 2020;
# Northamptonshire (Structural Changes) Order 2020, 1 April 2021;
# Cumbria, North Yorkshire and Somerset (Structural Changes) Orders 2022, 1 April 2023.
SUCCESSORS = {
    "E07000004": "E06000060", "E07000005": "E06000060", "E07000006": "E06000060", "E07000007": "E06000060",
    "E07000150": "E06000061", "E07000152": "E06000061", "E07000153": "E06000061", "E07000156": "E06000061",
    "E07000151": "E06000062", "E07000154": "E06000062", "E07000155": "E06000062",
    "E07000026": "E06000063", "E07000028": "E06000063", "E07000029": "E06000063",
    "E07000027": "E06000064", "E07000030": "E06000064", "E07000031": "E06000064",
    "E07000163": "E06000065", "E07000164": "E06000065", "E07000165": "E06000065", "E07000166": "E06000065",
    "E07000167": "E06000065", "E07000168": "E06000065", "E07000169": "E06000065",
    "E07000187": "E06000066", "E07000188": "E06000066", "E07000189": "E06000066", "E07000246": "E06000066",
}
# Counties abolished by the same orders (their codes still appear in older lookups).
ABOLISHED_COUNTIES = {
    "E10000002": ("Buckinghamshire (county council, abolished 2020)", "E06000060"),
    "E10000021": ("Northamptonshire (county council, abolished 2021)", None),
    "E10000006": ("Cumbria (county council, abolished 2023)", None),
    "E10000023": ("North Yorkshire (county council, replaced 2023)", "E06000065"),
    "E10000027": ("Somerset (county council, replaced 2023)", "E06000066"),
}
ABOLISHED_YEAR = {"E06000060": 2020, "E06000061": 2021, "E06000062": 2021, "E06000063": 2023,
                  "E06000064": 2023, "E06000065": 2023, "E06000066": 2023}

TYPE_NAMES = {
    "Country": "England",
    "Region": "region",
    "London Borough": "London borough",
    "Metropolitan District": "metropolitan district",
    "Unitary Authority": "unitary authority",
    "County": "county council",
    "Non-metropolitan District": "non-metropolitan district",
}
REGION_NAMES = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
}
ETHNIC_GROUPS = ["Asian", "Black", "Mixed", "White", "Other"]
AGE_BANDS = ["0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
             "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+"]


def _key(name: str) -> str:
    """Loose name key: case, punctuation and ', City of'-style suffixes ignored."""
    s = str(name).lower().replace("&", "and").replace(".", "").replace("'", "")
    for tail in (", city of", ", county of", ", city and county of"):
        s = s.replace(tail, "")
    for suffix in (" ua", " cty", " region"):
        s = s.removesuffix(suffix)
    return " ".join(s.replace(",", " ").replace("-", " ").split())


def read_nomis(path: Path, names: list[str]) -> pd.DataFrame:
    """Nomis bulk CSV: a few header lines, one header row, data rows, footer notes."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('"2021 super output area'))
    body = []
    for line in lines[start + 1:]:
        if not line.strip():
            if body:
                break
            continue
        body.append(line)
    from io import StringIO

    df = pd.read_csv(StringIO("\n".join(body)), header=None)
    df.columns = ["lsoa21_name", "lsoa21_code", "total", *names]
    return df


def build_areas(src: Path) -> pd.DataFrame:
    pop = pd.read_csv(src / "ons_life_expectancy" / "population_mid2023_lad.csv")
    pop.columns = ["code", "name", "geography", "area_sq_km", "population_mid2023"]
    rows, region, county = [], None, None
    for r in pop.itertuples(index=False):
        if not r.code.startswith("E"):
            continue
        kind = TYPE_NAMES.get(r.geography)
        if r.geography == "Region":
            region, county = r.code, None
        if r.geography == "County":
            county = r.code
        elif r.geography != "Non-metropolitan District":
            county = None
        if kind is None:  # metropolitan counties have no council: skipped
            continue
        name = "England" if r.code == "E92000001" else (REGION_NAMES[r.code] if kind == "region" else r.name)
        if kind == "non-metropolitan district":
            utla = county
        elif kind in ("England", "region"):
            utla = None
        else:
            utla = r.code
        rows.append(dict(code=r.code, name=name, type=kind,
                         region_code=None if kind == "England" else (r.code if kind == "region" else region),
                         utla_code=utla, status="current", successor_code=None,
                         population_mid2023=int(r.population_mid2023)))
    areas = pd.DataFrame(rows)
    by_code = areas.set_index("code")

    f1 = pd.read_csv(src / "iod2019_official" / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
                     thousands=",", encoding="utf-8-sig")
    lad19 = f1.iloc[:, [2, 3]].drop_duplicates()
    lad19.columns = ["code", "name"]
    extra = []
    for r in lad19.itertuples(index=False):
        if r.code in by_code.index:
            continue
        succ = SUCCESSORS.get(r.code)
        if succ is None:
            raise SystemExit(f"LAD19 {r.code} {r.name} is neither current nor in SUCCESSORS")
        extra.append(dict(code=r.code, name=r.name, type="non-metropolitan district",
                          region_code=by_code.at[succ, "region_code"], utla_code=succ,
                          status=f"abolished {ABOLISHED_YEAR[succ]}", successor_code=succ,
                          population_mid2023=pd.NA))
    for code, (name, succ) in ABOLISHED_COUNTIES.items():
        if code in by_code.index:
            continue
        # Region of a county = region of any district that belonged to it.
        member = next(c for c, s in SUCCESSORS.items() if _county_of(c) == code)
        extra.append(dict(code=code, name=name.split(" (")[0], type="county council",
                          region_code=by_code.at[SUCCESSORS[member], "region_code"], utla_code=code,
                          status="abolished " + name.rsplit(" ", 1)[-1].rstrip(")"), successor_code=succ,
                          population_mid2023=pd.NA))
    areas = pd.concat([areas, pd.DataFrame(extra)], ignore_index=True)
    areas["region"] = areas["region_code"].map(REGION_NAMES)
    names = areas.set_index("code")["name"]
    areas["utla_name"] = areas["utla_code"].map(names)
    areas["population_mid2023"] = areas["population_mid2023"].astype("Int64")

    # Cross-check with the UTLA/region lookup (Fingertips-style names, 2021-22 codes).
    mapping = pd.read_csv(src / "la_lookups" / "area_to_region_mappings.csv")
    missing = set(mapping["Code"]) - set(areas["code"])
    if missing:
        raise SystemExit(f"codes in area_to_region_mappings not covered: {sorted(missing)}")
    reg_by_name = {v.lower(): k for k, v in REGION_NAMES.items()}
    for r in mapping.itertuples(index=False):
        if r.Code.startswith(("E06", "E08", "E09", "E10")):
            want = reg_by_name.get(str(r.Region).lower().removesuffix(" region"))
            got = areas.loc[areas.code == r.Code, "region_code"].iloc[0]
            if want != got:
                raise SystemExit(f"region mismatch for {r.Code}: lookup {r.Region}, ONS order {got}")
    cols = ["code", "name", "type", "region_code", "region", "utla_code", "utla_name", "status",
            "successor_code", "population_mid2023"]
    return areas[cols].sort_values("code", ignore_index=True)


def _county_of(district: str) -> str:
    succ = SUCCESSORS[district]
    return {"E06000060": "E10000002", "E06000061": "E10000021", "E06000062": "E10000021",
            "E06000063": "E10000006", "E06000064": "E10000006", "E06000065": "E10000023",
            "E06000066": "E10000027"}[succ]


def current_code(code: str) -> str:
    return SUCCESSORS.get(code, code)


def build_lsoa11(src: Path) -> pd.DataFrame:
    d = src / "iod2019_official"
    f1 = pd.read_csv(d / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz", thousands=",",
                     encoding="utf-8-sig")
    f1.columns = ["lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "imd_rank", "imd_decile"]
    f6 = pd.read_csv(d / "File_6_-_IoD2019_Population_Denominators.csv.gz", thousands=",",
                     encoding="utf-8-sig")
    f6 = f6.iloc[:, [0, 4]]
    f6.columns = ["lsoa11_code", "population_mid2015"]
    out = f1.merge(f6, on="lsoa11_code", how="left", validate="1:1")
    if out["population_mid2015"].isna().any():
        raise SystemExit("File 6 lacks some File 1 LSOAs")
    # Independent copy of the same IoD2019 values (humaniverse/IMD) must agree.
    alt = pd.read_csv(src / "imd2019" / "imd2019_england_lsoa11_deciles_ranks.csv",
                      usecols=["lsoa_code", "IMD_decile", "IMD_rank"])
    chk = out.merge(alt, left_on="lsoa11_code", right_on="lsoa_code")
    if len(chk) != len(out) or (chk.imd_decile != chk.IMD_decile).any() or (chk.imd_rank != chk.IMD_rank).any():
        raise SystemExit("IoD2019 File 1 and humaniverse LSOA deciles disagree")
    out["lad_code"] = out["lad19_code"].map(current_code)
    for c in ("imd_rank", "imd_decile", "population_mid2015"):
        out[c] = out[c].astype("int32")
    return out[["lsoa11_code", "lsoa11_name", "lad19_code", "lad19_name", "lad_code", "imd_rank",
                "imd_decile", "population_mid2015"]]


def build_census(src: Path, areas: pd.DataFrame, lsoa11: pd.DataFrame) -> pd.DataFrame:
    d = src / "census2021"
    eth = read_nomis(d / "TS021_ethnic_group_lsoa_nomis.csv", ETHNIC_GROUPS)
    age = read_nomis(d / "TS007A_age_5yr_bands_lsoa_nomis.csv", AGE_BANDS)
    eth = eth[eth.lsoa21_code.str.startswith("E")]
    age = age[age.lsoa21_code.str.startswith("E")]
    df = eth.rename(columns={"total": "total_ethnicity"}).merge(
        age.drop(columns="lsoa21_name").rename(columns={"total": "total_age"}), on="lsoa21_code",
        how="outer", validate="1:1")
    if df.isna().any().any():
        raise SystemExit("TS021 and TS007A do not cover the same LSOAs")
    df["lad_name_in_lsoa"] = df["lsoa21_name"].str.rsplit(" ", n=1).str[0]
    names = {}
    for frame in (lsoa11[["lad19_code", "lad19_name"]].drop_duplicates().values,
                  areas.loc[areas.type.isin(["London borough", "metropolitan district", "unitary authority",
                                             "non-metropolitan district"]), ["code", "name"]].values):
        for code, name in frame:
            names.setdefault(_key(name), code)
    df["lad_named_code"] = df["lad_name_in_lsoa"].map(lambda n: names.get(_key(n)))
    unmatched = sorted(df.loc[df.lad_named_code.isna(), "lad_name_in_lsoa"].unique())
    if unmatched:
        raise SystemExit(f"LSOA 2021 district names with no code: {unmatched}")
    df["lad_code"] = df["lad_named_code"].map(current_code)
    num = ["total_ethnicity", *ETHNIC_GROUPS, "total_age", *AGE_BANDS]
    df[num] = df[num].astype("int32")
    return df[["lsoa21_code", "lsoa21_name", "lad_named_code", "lad_code", *num]]


def build_la_imd(src: Path) -> pd.DataFrame:
    s = pd.read_csv(src / "imd2019" / "imd2019_england_lad19_summary.csv",
                    usecols=["lad_code", "Score", "Proportion", "Extent"])
    s.columns = ["lad19_code", "imd_score", "imd_proportion", "imd_extent"]
    # MHCLG ranks LAs by average score, 1 = most deprived (highest score).
    s["imd_score_rank"] = s["imd_score"].rank(ascending=False, method="min").astype("int32")
    n = len(s)
    s["imd_score_decile"] = ((s["imd_score_rank"] - 1) * 10 // n + 1).astype("int32")
    s["n_las"] = n
    return s


def build_life_expectancy(src: Path) -> pd.DataFrame:
    le = pd.read_csv(src / "ons_life_expectancy" / "le_at_birth_2023_lad_by_sex.csv")
    le.columns = ["area_code", "area_name", "sex", "life_expectancy"]
    le["year"] = 2023
    return le


def build_utla_ethnicity(src: Path, areas: pd.DataFrame) -> pd.DataFrame:
    e = pd.read_csv(src / "census2021" / "ethnicity_5group_by_utla_2021.csv")
    e.columns = ["utla_name", "group", "population", "utla_total", "share_rounded"]
    utlas = areas[areas.type.isin(["England", "region", "London borough", "metropolitan district",
                                   "unitary authority", "county council"])]
    key_to_code = {}
    for code, name in utlas[["code", "name"]].values:
        key_to_code.setdefault(_key(name), code)
    e["area_code"] = e["utla_name"].map(lambda n: key_to_code.get(_key(n)))
    if e["area_code"].isna().any():
        raise SystemExit(f"UTLA names with no code: {sorted(e.loc[e.area_code.isna(), 'utla_name'].unique())}")
    return e[["area_code", "utla_name", "group", "population", "utla_total"]]


# Where each shared file came from (owner/repo@commit:path), per ../shared/data/README.md.
UPSTREAM = {
    "ons_life_expectancy/population_mid2023_lad.csv":
        "PsychedPhalanx/Healthcare-Postcode-Lottery@8e69eff8177203cf6e0ca23acf1f4de6336242fe:data/raw/population_england_2023.csv",
    "ons_life_expectancy/le_at_birth_2023_lad_by_sex.csv":
        "PsychedPhalanx/Healthcare-Postcode-Lottery@8e69eff8177203cf6e0ca23acf1f4de6336242fe:data/raw/life_expectancy_at_birth_2023.csv",
    "iod2019_official/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz":
        "anetobradley/energy_flex@709f2f8b79a86e273a86f6c7324f4fc2b1aeeefd:02-EnergyModel/Energy_Intensity_Analysis/data/imd/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
    "iod2019_official/File_6_-_IoD2019_Population_Denominators.csv.gz":
        "anetobradley/energy_flex@709f2f8b79a86e273a86f6c7324f4fc2b1aeeefd:02-EnergyModel/Energy_Intensity_Analysis/data/imd/File_6_-_IoD2019_Population_Denominators.csv.gz",
    "la_lookups/area_to_region_mappings.csv":
        "rbrown02/Place_Profiles@abef1057b416d418dd8265de3cf9616f2be79b3a:Mappings.csv",
    "census2021/TS021_ethnic_group_lsoa_nomis.csv":
        "britishredcrosssociety/health-inequalities-explorer@1ff1ef2a80889b285bc448efe14196a23431c5b9:data-raw/census-raw/TS021_ethnic_group_lsoa11.csv",
    "census2021/TS007A_age_5yr_bands_lsoa_nomis.csv":
        "britishredcrosssociety/health-inequalities-explorer@1ff1ef2a80889b285bc448efe14196a23431c5b9:data-raw/census-raw/TS007A_age_by_five_year_age_bands_lsoa11.csv",
    "imd2019/imd2019_england_lad19_summary.csv":
        "humaniverse/IMD@b432a88da5976e96ba64484589815a2f34638242:data-raw/imd_england_lad.csv",
    "census2021/ethnicity_5group_by_utla_2021.csv":
        "rbrown02/Place_Profiles@abef1057b416d418dd8265de3cf9616f2be79b3a:population-by-ethnicity-and-local-authority-2021.csv",
}

MANIFEST_ROWS = [
    ("areas.parquet", "ONS mid-2023 population estimates (area list, geography, order) + MHCLG IoD2019 File 1 (LAD 2019) + area_to_region_mappings (cross-check)",
     "ons_life_expectancy/population_mid2023_lad.csv; iod2019_official/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz; la_lookups/area_to_region_mappings.csv",
     OGL, "England, regions, UTLAs and LADs: code, name, type, region, parent UTLA, status (current/abolished) and mid-2023 population total"),
    ("lsoa11_imd2019.parquet", "MHCLG English Indices of Deprivation 2019, Files 1 and 6",
     "iod2019_official/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz; iod2019_official/File_6_-_IoD2019_Population_Denominators.csv.gz",
     OGL, "32,844 LSOA 2011: LAD 2019 code, current LAD code, IMD 2019 rank and national decile (1 = most deprived), mid-2015 population (excluding prisoners)"),
    ("census2021_lsoa21.parquet", "ONS Census 2021 TS021 (ethnic group) and TS007A (age, five-year bands), Nomis extract April 2023",
     "census2021/TS021_ethnic_group_lsoa_nomis.csv; census2021/TS007A_age_5yr_bands_lsoa_nomis.csv",
     OGL, "England LSOA 2021: usual residents by five ethnic groups and 18 age bands, with LAD found from the LSOA name"),
    ("la_imd2019.parquet", "MHCLG IoD2019 local authority summaries (via humaniverse/IMD)",
     "imd2019/imd2019_england_lad19_summary.csv",
     OGL, "317 LAD 2019: IMD average score, proportion, extent; rank of average score (1 = most deprived) and decile of LAs"),
    ("life_expectancy_2023.parquet", "ONS Life expectancy for local areas of Great Britain, single-year 2023 (extract by PsychedPhalanx/Healthcare-Postcode-Lottery)",
     "ons_life_expectancy/le_at_birth_2023_lad_by_sex.csv",
     OGL, "Life expectancy at birth 2023 (years) by LAD and sex"),
    ("utla_ethnicity_2021.parquet", "ONS Census 2021 TS021 via gov.uk Ethnicity facts and figures (rbrown02/Place_Profiles)",
     "census2021/ethnicity_5group_by_utla_2021.csv",
     OGL, "Census 2021 usual residents by five ethnic groups for 152 upper-tier LAs (as published per UTLA)"),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    src, out = args.source, args.out
    out.mkdir(parents=True, exist_ok=True)
    areas = build_areas(src)
    lsoa11 = build_lsoa11(src)
    census = build_census(src, areas, lsoa11)
    tables = {
        "areas.parquet": areas,
        "lsoa11_imd2019.parquet": lsoa11,
        "census2021_lsoa21.parquet": census,
        "la_imd2019.parquet": build_la_imd(src),
        "life_expectancy_2023.parquet": build_life_expectancy(src),
        "utla_ethnicity_2021.parquet": build_utla_ethnicity(src, areas),
    }
    for name, df in tables.items():
        df.to_parquet(out / name, index=False, compression="zstd")
        print(f"{name}: {len(df)} rows")
    # "retrieved" = when the public source files were copied into the shared data folder.
    def retrieved(paths: str) -> str:
        stamp = max((src / p.strip()).stat().st_mtime for p in paths.split(";"))
        return dt.date.fromtimestamp(stamp).isoformat()

    def upstream(paths: str) -> str:
        return "; ".join(UPSTREAM[p.strip()] for p in paths.split(";"))

    man = pd.DataFrame([dict(file=f, source=s, source_path=upstream(p), retrieved=retrieved(p), licence=lic,
                             description=d, synthetic=False) for f, s, p, lic, d in MANIFEST_ROWS])
    man.to_csv(out / "MANIFEST.csv", index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
