"""``equitylab data ...``: refresh the Fingertips data from the live API, or show what is held.

``equitylab data refresh`` (needs internet) fetches every indicator of the Local Authority
Health Profiles and the Marmot indicators for England, regions and upper-tier local
authorities, including the deprivation-decile and ethnicity rows Fingertips publishes,
into ``<out>/fingertips`` with a MANIFEST row per file. It is resumable: a state file
records what is done, so running it again fetches only what is missing.

``equitylab data show`` lists the indicators, areas and periods the snapshot holds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from equitylab import _paths
from equitylab.errors import DataError, SourceUnavailable
from equitylab.loaders import _http
from equitylab.loaders import fingertips as ft

DEFAULT_PROFILE_NAMES = ("Local Authority Health Profiles", "Marmot")
DEFAULT_AREA_TYPES = (15, 6, 502)
STATE_FILE = "refresh_state.json"


def _out_folder(out: Path | None) -> Path:
    if out is None:
        return Path(_paths.data_dir()) / "fingertips"
    out = Path(out)
    return out if out.name == "fingertips" else out / "fingertips"


def _read_state(folder: Path) -> dict:
    try:
        return json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"done": {}}


def _write_state(folder: Path, state: dict) -> None:
    _http._atomic_write(folder / STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))


def _update_manifest(folder: Path, row: dict) -> None:
    manifest = ft.read_manifest(folder)
    manifest = manifest[manifest["file"] != row["file"]]
    manifest = pd.concat([manifest, pd.DataFrame([row])], ignore_index=True)
    _http._atomic_write(folder / "MANIFEST.csv", manifest.to_csv(index=False).encode("utf-8"))


def profile_indicator_ids(profile_names=DEFAULT_PROFILE_NAMES, profile_ids=()) -> list[int]:
    """Indicator ids of the named Fingertips profiles (names matched in the live profiles list)."""
    ids = [int(p) for p in profile_ids]
    if profile_names:
        profiles = ft.fingertips_profiles(source="live")
        for wanted in profile_names:
            hits = profiles[profiles["name"].str.lower().str.contains(wanted.lower(), regex=False)]
            if hits.empty:
                print(f"equitylab data refresh: no live profile is named like '{wanted}'; skipped.",
                      file=sys.stderr)
            ids.extend(int(i) for i in hits["id"])
    indicators: list[int] = []
    for pid in dict.fromkeys(ids):
        url = _http.build_url("indicator_metadata/csv/by_profile_id", {"profile_id": pid})
        try:
            body = _http.get(url, desc=f"profile {pid} indicators")
        except _http.FetchFailed as exc:
            raise SourceUnavailable(f"The indicator list of Fingertips profile {pid} could not be fetched: "
                                    f"{exc.reason}. Check the internet connection and run the refresh again.") from exc
        table = ft.normalise_headers(pd.read_csv(pd.io.common.BytesIO(body), dtype=str, encoding="utf-8-sig"))
        if "Indicator ID" not in table.columns:
            raise SourceUnavailable(f"The indicator list of Fingertips profile {pid} had no 'Indicator ID' column.")
        indicators.extend(int(i) for i in pd.to_numeric(table["Indicator ID"], errors="coerce").dropna())
    return list(dict.fromkeys(indicators))


def refresh(out: Path | None = None, *, indicator_ids=None, area_types=DEFAULT_AREA_TYPES,
            profile_names=DEFAULT_PROFILE_NAMES, restart: bool = False, progress: bool = True) -> dict:
    """Fetch indicators live into ``<out>/fingertips``; returns a summary dict.

    Each (indicator, area type) becomes ``live_<id>_at<type>.parquet`` in the snapshot's
    format, listed in MANIFEST.csv with its URL and date. Pairs already in the state file
    are skipped, so an interrupted refresh resumes where it stopped.
    """
    folder = _out_folder(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise DataError(f"equitylab cannot write to the data folder {folder} ({exc.strerror or exc})",
                        hint="Choose a folder you can write to with --out DIR, then set "
                             "EQUITYLAB_FINGERTIPS_DATA to it") from exc
    state = {"done": {}} if restart else _read_state(folder)
    ids = list(indicator_ids) if indicator_ids else profile_indicator_ids(profile_names)
    types = [ft.area_type_id(a) for a in area_types]
    tasks = [(int(i), t) for i in ids for t in types]
    todo = [task for task in tasks if f"{task[0]}-{task[1]}" not in state["done"]]
    summary = {"folder": str(folder), "fetched": [], "skipped": len(tasks) - len(todo), "failed": {}}
    bar = tqdm(todo, desc="Fingertips refresh", unit="indicator", disable=not progress or not todo)
    for iid, type_id in bar:
        url = ft._data_url(iid, type_id, 15)
        try:
            body = _http.get(url, desc=f"indicator {iid}")
            frame = ft._parse_live(body, url)
        except _http.FetchFailed as exc:
            summary["failed"][f"{iid}-{type_id}"] = exc.reason
            if "timeout" in exc.reason or "connect" in exc.reason or "SSL" in exc.reason:
                break  # the connection itself is failing: stop, a rerun resumes here
            continue
        today = dt.date.today().isoformat()
        frame[ft.SOURCE_COLUMN] = f"OHID Fingertips API (live, {today})"
        name = f"live_{iid}_at{type_id}.parquet"
        tmp = folder / (name + ".tmp")
        frame.to_parquet(tmp, index=False, compression="zstd")
        os.replace(tmp, folder / name)
        _update_manifest(folder, {
            "file": name, "source": "OHID Fingertips API (live)", "source_path": url, "retrieved": today,
            "licence": "Open Government Licence v3.0",
            "description": f"indicator {iid}, area type {type_id} ({ft.AREA_TYPES[type_id]}), {len(frame)} rows "
                           "including category rows (deprivation deciles, ethnic groups)",
            "synthetic": "false"})
        state["done"][f"{iid}-{type_id}"] = {"file": name, "rows": len(frame), "retrieved": today}
        _write_state(folder, state)
        summary["fetched"].append(name)
    bar.close()
    ft._load_snapshot.cache_clear()
    return summary


def show(indicator: int | None = None, stream=None) -> pd.DataFrame:
    """Print what the offline snapshot holds (all indicators, or one in detail)."""
    stream = stream or sys.stdout
    contents = ft.snapshot_contents()
    if indicator is None:
        table = contents[["Indicator ID", "Indicator Name", "areas", "periods", "rows"]].copy()
        table["Indicator Name"] = table["Indicator Name"].str.slice(0, 60)
        print(table.to_string(index=False), file=stream)
        print(f"\n{len(contents)} indicators. 'equitylab data show --indicator ID' lists areas and "
              "category types.", file=stream)
        return contents
    snap = ft.snapshot()
    rows = snap[snap["Indicator ID"] == indicator]
    if rows.empty:
        print(f"Indicator {indicator} is not in the offline snapshot; 'equitylab data refresh --indicators "
              f"{indicator}' fetches it (needs internet).", file=stream)
        return rows
    print(f"{indicator}: {' '.join(str(rows['Indicator Name'].iloc[0]).split())}", file=stream)
    areas = rows.drop_duplicates("Area Code").sort_values("Area Code")
    print(f"areas ({len(areas)}): " + ", ".join(f"{c} {n}" for c, n in zip(areas["Area Code"], areas["Area Name"])),
          file=stream)
    print("periods: " + ", ".join(rows.drop_duplicates("Time period").sort_values("Time period Sortable")
                                  ["Time period"].astype(str)), file=stream)
    cats = rows["Category Type"].dropna().unique()
    print("category types: " + ("; ".join(sorted(cats)) if len(cats) else "(none)"), file=stream)
    print("sources: " + "; ".join(rows["Data source"].dropna().unique()), file=stream)
    return rows


def main(argv: list[str] | None = None) -> int:
    """``equitylab data refresh|show``."""
    parser = argparse.ArgumentParser(prog="equitylab data", description="Fingertips data: refresh or show.")
    sub = parser.add_subparsers(dest="action", required=True)
    r = sub.add_parser("refresh", help="fetch Fingertips indicators from the live API (needs internet)")
    r.add_argument("--out", type=Path, default=None,
                   help="data folder to write into (default: equitylab's own data folder)")
    r.add_argument("--indicators", default=None,
                   help="comma-separated indicator ids (default: every indicator of the Local Authority Health "
                        "Profiles and Marmot indicators)")
    r.add_argument("--area-types", default=",".join(map(str, DEFAULT_AREA_TYPES)),
                   help="comma-separated area type ids (default 15,6,502: England, regions, upper-tier LAs)")
    r.add_argument("--restart", action="store_true", help="ignore the state file and fetch everything again")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    s = sub.add_parser("show", help="list what the offline snapshot holds")
    s.add_argument("--indicator", type=int, default=None, help="show one indicator's areas and periods")
    args = parser.parse_args(argv)
    if args.action == "show":
        show(args.indicator)
        return 0
    ids = [int(x) for x in args.indicators.split(",") if x.strip()] if args.indicators else None
    types = [int(x) if x.strip().isdigit() else x.strip() for x in args.area_types.split(",") if x.strip()]
    summary = refresh(args.out, indicator_ids=ids, area_types=types, restart=args.restart,
                      progress=not args.no_progress)
    print(f"Fetched {len(summary['fetched'])} file(s) into {summary['folder']}; "
          f"{summary['skipped']} already there.")
    if args.out is not None:
        print(f"To use them, set EQUITYLAB_FINGERTIPS_DATA={summary['folder']}")
    if summary["failed"]:
        for key, reason in summary["failed"].items():
            print(f"  not fetched: indicator-area type {key}: {reason}", file=sys.stderr)
        print("Run the same command again to resume.", file=sys.stderr)
        return 1
    return 0
