"""Draw every kind of chart equitylab makes, for Hackney, as small PNGs in ``docs/gallery/``.

The gallery is for looking: a chart that reads wrongly (a placeholder label, clipped text, a pale
colour, a line on the wrong scale) shows at a glance. The charts are the findings' (what the
notebooks and the report show, from the synthetic teaching extract), the chart functions' and
the SPC results' own. ``tests/test_charts_visual.py`` checks the same charts by machine.

    python scripts/build_gallery.py           # write docs/gallery/*.png and its README.md
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import vl_convert as vlc
from altair.utils._importers import vl_version_for_vl_convert

from equitylab import findings
from equitylab.charts import compare_groups, funnel_plot
from equitylab.measures import funnel_limits, proportion
from equitylab.spc import aggregate, control_chart

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "gallery"
AREA = "E09000012"  # Hackney, the curriculum's example
SCALE = 0.8  # small enough that the gallery stays under 2 MB, large enough to read a 12 px label (at 10 px)


def _monthly(service: pd.DataFrame) -> pd.DataFrame:
    data = service.assign(seen_28=(service["waiting_days"] <= 28).fillna(False).astype(bool))
    data = aggregate(data.dropna(subset=["referral_date"]), date="referral_date", outcome="seen_28", freq="MS")
    return data.rename(columns={"y": "seen within 28 days", "n": "referrals"})


def _compare(service):
    table = findings.experience(service, by="ethnicity").export
    part = table[(table["measure_key"] == "missed") & (table["ethnicity"] != "Not stated")].dropna(subset=["value"])
    return compare_groups(part, by="ethnicity", value="value", reference="White",
                          indicator="Missed at least one appointment (%)")


def _funnel(service):
    data = pd.DataFrame({"lsoa": service["lsoa_code"], "denominator": 1,
                         "numerator": service["readmitted_90d"].fillna(False).astype(int)})
    units = proportion(data, "numerator", "denominator", by="lsoa", multiplier=100)
    limits = funnel_limits(units, "numerator", "denominator", statistic="proportion", multiplier=100)
    return funnel_plot(units, by="lsoa", value="value", denominator="denominator", limits=limits,
                       centre=float(units["numerator"].sum() / units["denominator"].sum() * 100),
                       indicator="Readmitted within 90 days (%)")


def _xmr(service):
    wait = service.dropna(subset=["referral_date", "waiting_days"])
    monthly = (wait.assign(month=pd.to_datetime(wait["referral_date"]).dt.to_period("M").dt.to_timestamp())
               .groupby("month", as_index=False)["waiting_days"].median()
               .rename(columns={"waiting_days": "median wait (days)"}))
    return control_chart(monthly, x="month", y="median wait (days)", chart="xmr", improvement="decrease").chart()


def charts(service: pd.DataFrame) -> list[tuple[str, str, object]]:
    """(file stem, what it is, chart) for every kind of chart, in the order a session meets them."""
    one = [
        ("01_deprivation_profile", "findings.deprivation_profile: the area's small areas by national "
                                   "deprivation decile (notebook 01, report)", findings.deprivation_profile(AREA)),
        ("02_ethnic_mix", "findings.ethnic_mix: residents by ethnic group beside England", findings.ethnic_mix(AREA)),
        ("03_england_gradient", "findings.england_gradient: an England indicator by deprivation decile with "
                                "the slope index line", findings.england_gradient()),
        ("04_life_expectancy_between_areas", "findings.life_expectancy_between_areas: every district's life "
                                             "expectancy against deprivation", findings.life_expectancy_between_areas(AREA)),
        ("05_access", "findings.access: share of referrals against share of residents, by ethnic group",
         findings.access(service, AREA)),
        ("06_experience", "findings.experience: one measure by ethnic group against the overall value "
                          "(one chart per measure)", findings.experience(service)),
        ("07_outcomes", "findings.outcomes: readmission by group (charted only where a group differs)",
         findings.outcomes(service, by=["ethnicity", "sex", "age_band", "imd_decile"])),
        ("08_outcomes_by_deprivation", "findings.outcomes_by_deprivation: an outcome by deprivation quintile "
                                       "within the area, with the slope index line",
         findings.outcomes_by_deprivation(service, AREA)),
        ("09_over_time_run", "findings.over_time(chart=\"run\"): run charts by ethnic group",
         findings.over_time(service, chart="run")),
        ("10_over_time_p", "findings.over_time: p-charts by ethnic group (Making Data Count)",
         findings.over_time(service)),
        ("11_gap_over_time", "findings.gap_over_time: the gap between two groups above each group's series",
         findings.gap_over_time(service)),
    ]
    out = [(stem, what, f.charts[0]) for stem, what, f in one if f.charts]
    single = control_chart(_monthly(service), x="period", y="seen within 28 days", n="referrals", chart="p",
                           multiplier=100, improvement="increase")
    out += [
        ("12_compare_groups", "charts.compare_groups: groups against a reference group", _compare(service)),
        ("13_funnel_plot", "charts.funnel_plot: neighbourhoods by size inside 95% and 99.8% limits", _funnel(service)),
        ("14_spc_p_one_group", "spc.control_chart(chart=\"p\").chart(): one series, with its verdict", single.chart()),
        ("15_spc_xmr", "spc.control_chart(chart=\"xmr\").chart(): median wait per month", _xmr(service)),
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the PNGs (default: docs/gallery)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):
        old.unlink()
    service = findings.load_service(None, AREA)
    rows = []
    for stem, what, chart in charts(service):
        png = vlc.vegalite_to_png(chart.to_dict(validate=False), vl_version=vl_version_for_vl_convert(), scale=SCALE)
        (args.out / f"{stem}.png").write_bytes(png)
        rows.append(f"| [{stem}]({stem}.png) | {what} |")
        print(f"{stem}.png  {len(png) // 1024} KB")
    (args.out / "README.md").write_text(
        "# Chart gallery\n\nEvery kind of chart equitylab draws, for Hackney (E09000012), from the synthetic "
        "teaching extract where the data is a service's. Written by `python scripts/build_gallery.py`; "
        "regenerate it after changing a chart and look at what changed. `tests/test_charts_visual.py` "
        "checks the same charts by machine (marks inside the plot, axis titles, contrast, no NaN, no code).\n\n"
        "| chart | what it is |\n|---|---|\n" + "\n".join(rows) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in args.out.glob("*.png"))
    print(f"{len(rows)} charts, {total / 1024:.0f} KB in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
