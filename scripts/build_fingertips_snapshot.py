"""Build equitylab's offline Fingertips snapshot (``data/fingertips``) from ../shared/data.

Run from the repository: ``python scripts/build_fingertips_snapshot.py [--shared DIR]``.
Every value is copied from a real public file (OGL v3); nothing is estimated. The output
files are committed, with one MANIFEST.csv row each.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from equitylab.loaders.fingertips import (  # noqa: E402
    CANONICAL_COLUMNS, SOURCE_COLUMN, VINTAGE_COLUMN, _tidy, read_export,
)

OGL = "Open Government Licence v3.0"
OUT = REPO / "data" / "fingertips"
TODAY = dt.date.today().isoformat()
MANIFEST_ROWS: list[dict] = []

AREA_TYPE_LABEL = {  # labels for rows whose source file does not carry one
    "E92": "England", "E12": "Region", "E10": "Counties & UAs (from Apr 2023)",
    "E06": "Counties & UAs (from Apr 2023)", "E08": "Counties & UAs (from Apr 2023)",
    "E07": "Districts & UAs (from Apr 2023)",
}


def _write(df: pd.DataFrame, name: str, *, source: str, source_path: str, description: str) -> None:
    df = _tidy(df)
    cols = CANONICAL_COLUMNS + [SOURCE_COLUMN] + ([VINTAGE_COLUMN] if VINTAGE_COLUMN in df.columns else [])
    df = df[cols]
    df.to_parquet(OUT / name, index=False, compression="zstd")
    MANIFEST_ROWS.append({"file": name, "source": source, "source_path": source_path, "retrieved": TODAY,
                          "licence": OGL, "description": description + f" ({len(df)} rows)",
                          "synthetic": "false"})
    print(f"{name}: {len(df)} rows, {(OUT / name).stat().st_size:,} bytes")


def active_lives(shared: Path) -> None:
    path = shared / "fingertips_exports/fingertips_export_active_lives_inequalities_england.csv"
    df = read_export(path)
    # each record appears twice: once with a blank Parent Code, once with E92000001
    df = df[df["Parent Code"].isna()].drop_duplicates(subset=[c for c in CANONICAL_COLUMNS])
    df[SOURCE_COLUMN] = ("OHID Fingertips export (Physical Activity profile; Sport England Active Lives), "
                         "England by deprivation decile, ethnicity, education, disability, NS-SEC")
    _write(df, "snapshot_active_lives_england.parquet",
           source="OHID Fingertips website export (via Krystabel20/Dissertation-Project)",
           source_path="Krystabel20/Dissertation-Project@1d276d7a29092ad53fde8aeede03b8f472ed111e:"
                       "data/raw/indicator-data.csv",
           description="England only: 93014, 93015, 93088, 93881, 93982 (2015/16-2024/25) by sex, age, "
                       "LSOA11 deprivation decile within area, ethnic group, socioeconomic class, education, "
                       "disability, working status; blank-parent copy of each duplicated record kept")


def fingertips_next(shared: Path) -> None:
    folder = shared / "fingertips_next_northwest"
    raw = pd.read_csv(folder / "healthdata_nw_england_31ind.csv", dtype=str, keep_default_na=False,
                      encoding="utf-8-sig")
    for col in ("Category", "CategoryType", "Trend"):
        raw[col] = raw[col].str.replace('"', "", regex=False).str.strip()
    # 93015/93088 come from the fuller Active Lives export, 93553 from MHCLG directly
    england = raw[(raw["AreaCode"] == "E92000001") & ~raw["IndicatorId"].isin(["93015", "93088", "93553"])]
    obesity = raw[raw["AreaCode"].str[:3].isin(["E06", "E07", "E08", "E10"])
                  & raw["IndicatorId"].isin(["92026", "92033"])]
    df = pd.concat([england, obesity]).drop_duplicates()
    key = ["IndicatorId", "AreaCode", "Year", "Sex", "Age", "CategoryType", "Category"]
    ambiguous = df.duplicated(key, keep=False)
    # sub-annual periods were collapsed to one Year upstream: such rows cannot be told apart
    print(f"FingertipsNext: dropping {int(ambiguous.sum())} rows whose period is ambiguous "
          f"(indicators {sorted(df.loc[ambiguous, 'IndicatorId'].unique())})")
    df = df[~ambiguous]
    names = pd.read_csv(folder / "indicators_names.csv", dtype=str, encoding="utf-8-sig")
    names = dict(zip(names["IndicatorID"], names["IndicatorName"]))
    areas = pd.read_csv(folder / "areas_nw_116.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    area_name = dict(zip(areas["AreaCode"], areas["AreaName"]))
    area_name["E12000002"] = "North West region"
    parent = dict(zip(areas["AreaCode"], areas["Parents"].str.split("|").str[0]))
    out = pd.DataFrame({
        "Indicator ID": df["IndicatorId"],
        "Indicator Name": df["IndicatorId"].map(names),
        "Parent Code": df["AreaCode"].map(parent).replace("", pd.NA),
        "Area Code": df["AreaCode"],
        "Area Name": df["AreaCode"].map(area_name),
        "Area Type": df["AreaCode"].str[:3].map(AREA_TYPE_LABEL),
        "Sex": df["Sex"], "Age": df["Age"],
        "Category Type": df["CategoryType"].replace("", pd.NA),
        "Category": df["Category"].replace("", pd.NA),
        # the extract keeps only the first 4 digits of "Time period Sortable"
        "Time period": df["Year"] + " (first year of period)",
        "Value": df["Value"], "Lower CI 95.0 limit": df["LowerCI"], "Upper CI 95.0 limit": df["UpperCI"],
        "Count": df["Count"], "Denominator": df["Denominator"],
        "Recent Trend": df["Trend"].replace("", pd.NA),
        "Time period Sortable": df["Year"].astype(int) * 10000,
    })
    out["Parent Name"] = out["Parent Code"].map(area_name)
    # CIs are 95%: checked against the independent Active Lives export (93015, England, all rows)
    check = _ci_level_check(out_for_check(raw), shared)
    out[SOURCE_COLUMN] = ("OHID Fingertips values via DHSC FingertipsNext DataCreator extract; period given as "
                          "its first year only")
    _write(out, "snapshot_fingertipsnext_northwest.parquet",
           source="DHSC FingertipsNext DataCreator extract of Fingertips data (dhsc-govuk/FingertipsNext)",
           source_path="dhsc-govuk/FingertipsNext@151f984a7e4da71a73a8103050f5a5370097ae57:"
                       "DataCreator/DataCreator/data/out/healthdata.csv (names/areas @1149220eca)",
           description="England rows of 28 indicators (totals, County & UA / District & UA deprivation deciles "
                       "in England, ethnicity, etc.) and the 36 North West LAs' 92033 Year 6 and 92026 "
                       "Reception obesity by ethnic group and LSOA11 deprivation quintile within area; Time "
                       "period = first year of the period only ('2019 (first year of period)'); exact "
                       f"duplicates and period-ambiguous rows removed; CI level checked 95% ({check})")


def out_for_check(raw: pd.DataFrame) -> pd.DataFrame:
    rows = raw[(raw["AreaCode"] == "E92000001") & (raw["IndicatorId"] == "93015")]
    return pd.DataFrame({"Indicator ID": rows["IndicatorId"], "Area Code": rows["AreaCode"], "Sex": rows["Sex"],
                         "Age": rows["Age"], "Category": rows["Category"].replace("", pd.NA),
                         "Lower CI 95.0 limit": rows["LowerCI"],
                         "Time period Sortable": rows["Year"].astype(int) * 10000})


def _ci_level_check(out: pd.DataFrame, shared: Path) -> str:
    al = read_export(shared / "fingertips_exports/fingertips_export_active_lives_inequalities_england.csv")
    al = al[al["Parent Code"].isna() & (al["Indicator ID"] == 93015)].copy()
    al["year"] = (al["Time period Sortable"] // 10000).astype(str)
    nw = out[(out["Indicator ID"] == "93015") & (out["Area Code"] == "E92000001")].copy()
    nw["year"] = (nw["Time period Sortable"] // 10000).astype(str)
    k = ["year", "Sex", "Age", "Category"]
    m = nw.merge(al, on=k, suffixes=("", "_al"))
    diff = (pd.to_numeric(m["Lower CI 95.0 limit"]) - m["Lower CI 95.0 limit_al"]).abs().max()
    if len(m) < 100 or not diff < 1e-6:
        raise SystemExit(f"CI level check failed: {len(m)} rows matched, max diff {diff}")
    return f"{len(m)} rows matched exactly"


def suicide_london(shared: Path) -> None:
    df = read_export(shared / "fingertips_exports/fingertips_export_41001_suicide_london_countyua.csv")
    df[SOURCE_COLUMN] = ("OHID Fingertips export, suicide indicators (41001, 91390, 91393, 91404, 91430), "
                         "London County & UA")
    _write(df, "snapshot_41001_suicide_london.parquet",
           source="OHID Fingertips export (via Jezzaay/Mental-Health-Analysis)",
           source_path="Jezzaay/Mental-Health-Analysis@c709b4c0a01e0d57efccc2a2e4cbc6a001242f14:"
                       "data/suicides/indicators-CountyUA.data london.csv",
           description="suicide indicators 41001 (rate, 2015-17, by sex), 91390, 91393, 91430 (crude rates by "
                       "age, 2013-17) and 91404 (years of life lost, 2012-14): England, London region and the "
                       "33 London boroughs incl. Hackney; headers normalised from the fingertipsR spelling")


def campylobacter(shared: Path) -> None:
    df = read_export(shared / "fingertips_exports/fingertips_export_93356_campylobacter_countyua_2015.csv")
    df = df.drop_duplicates(subset=CANONICAL_COLUMNS)
    df[SOURCE_COLUMN] = "OHID Fingertips export, campylobacter incidence (93356), County & UA, 2015"
    _write(df, "snapshot_93356_campylobacter.parquet",
           source="OHID Fingertips export (via jargonautical/data-dev)",
           source_path="jargonautical/data-dev@8b3caadf3b087412b5fb769ff9b6bbe9ca262ee2:indicators-CountyUA.data.csv",
           description="93356 campylobacter incidence per 100,000, 2015: England (incl. County & UA and "
                       "District & UA deprivation deciles, IMD2015), regions and all County & UAs")


def imd_score(shared: Path) -> None:
    lad19 = pd.read_csv(shared / "imd2019/imd2019_england_lad19_summary.csv", dtype={"lad_code": str})
    ltla22 = pd.read_csv(shared / "imd2019/imd2019_england_ltla22_summary.csv", dtype={"ltla22_code": str})
    file1 = pd.read_csv(shared / "iod2019_official/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz",
                        dtype=str, encoding="utf-8-sig")
    names = dict(zip(file1["Local Authority District code (2019)"], file1["Local Authority District name (2019)"]))
    pop = pd.read_csv(shared / "ons_life_expectancy/population_mid2023_lad.csv", dtype=str)
    for code, name in zip(pop["Code"], pop["Name"]):
        names.setdefault(code, name)
    frames = []
    for table, code_col, vintage, label, cite in (
        (lad19, "lad_code", "2019", "Districts & UAs (from Apr 2019)",
         "MHCLG English Indices of Deprivation 2019, local authority summary (average score), LAD 2019"),
        (ltla22, "ltla22_code", "2022", "Districts & UAs (from Apr 2021)",
         "MHCLG English Indices of Deprivation 2019 average score; LAs whose boundaries changed after 2019 "
         "re-aggregated to 2022 LTLAs by humaniverse/IMD"),
    ):
        missing = sorted(set(table[code_col]) - set(names))
        if missing:
            raise SystemExit(f"no area name for {missing}")
        frames.append(pd.DataFrame({
            "Indicator ID": 93553, "Indicator Name": "Deprivation score (IMD 2019)",
            "Area Code": table[code_col], "Area Name": table[code_col].map(names), "Area Type": label,
            "Sex": "Persons", "Age": "All ages", "Time period": "2019", "Value": table["Score"],
            "Time period Sortable": 20190000, SOURCE_COLUMN: cite, VINTAGE_COLUMN: vintage,
        }))
    df = pd.concat(frames, ignore_index=True)
    hackney = df[(df["Area Code"] == "E09000012") & (df[VINTAGE_COLUMN] == "2019")]["Value"].iloc[0]
    assert abs(hackney - 32.526) < 1e-9, hackney
    _write(df, "snapshot_93553_imd2019_score.parquet",
           source="MHCLG English Indices of Deprivation 2019 (via humaniverse/IMD); names from MHCLG IoD2019 "
                  "File 1 and ONS mid-2023 estimates",
           source_path="humaniverse/IMD@b432a88:data-raw/imd_england_lad.csv; humaniverse/IMD@8d51d612c16a988ac7aa3"
                       "c94f2bf53d4a7b6d234:data-raw/imd2019_england_ltla22.csv",
           description="93553 'Deprivation score (IMD 2019)' = the MHCLG IoD2019 LA average score: 317 LAD 2019 "
                       "districts & UAs (Boundary vintage 2019) and 309 LTLA 2022 (vintage 2022); no county "
                       "(E10) rows and no England row; County & UA requests get the single-tier LAs (E06, E08, "
                       "E09)")


PUBLISHED = [
    ("Life expectancy gap between most and least deprived areas of Hackney, men", 6.3, "years", None, None,
     "", "Life expectancy is 6.3 years lower for men and 4.5 years lower for women in the most deprived "
         "areas of Hackney than in the least deprived areas."),
    ("Life expectancy gap between most and least deprived areas of Hackney, women", 4.5, "years", None, None,
     "", "Life expectancy is 6.3 years lower for men and 4.5 years lower for women in the most deprived "
         "areas of Hackney than in the least deprived areas."),
    ("Year 6 children classified as obese", 24.8, "%", 626, "children", "worse than England",
     "In Year 6, 24.8% (626) of children are classified as obese, worse than the average for England."),
    ("Children living in low income families", 24.7, "%", 13710, "children", "",
     "about 24.7% (13,710) children live in low income families."),
    ("Alcohol-specific hospital admissions, under 18s", 16, "per 100,000 (marked * in the profile)", 10,
     "admissions per year", "better than England",
     "The rate for alcohol-specific hospital admissions among those under 18 is 16*, better than the average "
     "for England. This represents 10 admissions per year."),
]


def published_figures() -> None:
    rows = [{"Area Code": "E09000012", "Area Name": "Hackney", "Measure": m, "Value": v, "Unit": u, "Count": c,
             "Count meaning": cm, "Compared with England": cmp, "Quoted text": q,
             "Source": "Public Health England, Local Authority Health Profile 2019: Hackney",
             "Published": "2020-03-03", "Licence": OGL} for m, v, u, c, cm, cmp, q in PUBLISHED]
    df = pd.DataFrame(rows)
    df["Count"] = df["Count"].astype("Int64")
    df.to_csv(OUT / "published_figures.csv", index=False)
    MANIFEST_ROWS.append({"file": "published_figures.csv",
                          "source": "PHE Local Authority Health Profile 2019, Hackney (published 3 March 2020)",
                          "source_path": "https://fingertips.phe.org.uk/profile/health-profiles (quoted in the "
                                         "learning session seed text)",
                          "retrieved": TODAY, "licence": OGL,
                          "description": "figures as published in the profile text, with the quoted sentence; "
                                         "not recomputed", "synthetic": "false"})


PROFILES = [  # id, key, name, evidence
    (26, "health-profiles", "Local Authority Health Profiles",
     "id: public code comment '26 Local Authority Health Profiles' and a CLI example '--profile_id 26'; key: "
     "the profile address in the Hackney 2019 profile"),
    (None, None, "Marmot indicators", "named in the learning session; id and key not confirmed from public material"),
    (None, "child-health-profiles", "Child and Maternal Health",
     "key: fingertips.phe.org.uk/profile/child-health-profiles links in public code; id not confirmed"),
    (None, None, "Learning Disability Profiles", "named in the learning session; id and key not confirmed"),
    (None, "tobacco-control", "Local Tobacco Control Profiles",
     "key: fingertips.phe.org.uk/profile/tobacco-control in public code; id not confirmed"),
    (None, "physical-activity", "Physical Activity",
     "key: fingertips.phe.org.uk/profile/physical-activity in public code; id not confirmed"),
    (None, None, "Productive Healthy Ageing Profile", "named in the learning session; id and key not confirmed"),
    (100, None, "Wider Impacts of COVID-19 on Health",
     "id: public code comment 'Profile ID 100 \"Wider Impacts of COVID-19 on Health\"'; key not confirmed"),
    (143, "local-health", "Local Health",
     "id: fingertipsR tests and scripts (ProfileID = 143); key: profile/local-health links"),
]


def profiles() -> None:
    df = pd.DataFrame(PROFILES, columns=["id", "key", "name", "evidence"])
    df["id"] = df["id"].astype("Int64")
    df.to_csv(OUT / "profiles.csv", index=False)
    MANIFEST_ROWS.append({"file": "profiles.csv", "source": "Fingertips profile names from the learning session; "
                          "ids/keys only where public code or web addresses confirm them",
                          "source_path": "see the evidence column", "retrieved": TODAY, "licence": OGL,
                          "description": "offline list of Fingertips profiles (id, key, name); unconfirmed ids "
                                         "left empty", "synthetic": "false"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    MANIFEST_ROWS.clear()
    active_lives(args.shared)
    fingertips_next(args.shared)
    suicide_london(args.shared)
    campylobacter(args.shared)
    imd_score(args.shared)
    published_figures()
    profiles()
    pd.DataFrame(MANIFEST_ROWS).to_csv(OUT / "MANIFEST.csv", index=False)
    print(f"wrote {OUT / 'MANIFEST.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
