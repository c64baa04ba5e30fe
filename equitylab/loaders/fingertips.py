"""OHID Fingertips public health indicators: live, from a cache, or from the offline snapshot.

:func:`fingertips_data` returns rows shaped exactly like a Fingertips website export (the
canonical column names below), whichever way the data arrived, with provenance in
``attrs``. The order tried is: the live API, then a cached earlier live answer for the same
request, then the snapshot embedded in equitylab (``data/fingertips``). Nothing is ever
filled in: a request the snapshot cannot answer raises :class:`SourceUnavailable` naming
the indicator and how to fetch it.

The live calls go through :mod:`equitylab.loaders._http` rather than fingertips_py, because
fingertips_py has no timeouts and retries with TLS verification turned off.
"""
from __future__ import annotations

import datetime as _dt
import io
import json
import os
import re
import time
import warnings
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pandas as pd

from equitylab import _paths, provenance
from equitylab.errors import DataError, SourceUnavailable
from equitylab.loaders import _http

CANONICAL_COLUMNS = [
    "Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name",
    "Area Type", "Sex", "Age", "Category Type", "Category", "Time period", "Value",
    "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
    "Count", "Denominator", "Value note", "Recent Trend", "Compared to England value or percentiles",
    "Compared to Region value or percentiles", "Time period Sortable", "New data", "Compared to goal",
    "Time period range",
]
NUMBER_COLUMNS = ["Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
                  "Upper CI 99.8 limit", "Count", "Denominator"]
REQUIRED_COLUMNS = ["Indicator ID", "Area Code", "Value"]
SOURCE_COLUMN = "Data source"
VINTAGE_COLUMN = "Boundary vintage"
SOURCES = ("auto", "live", "cache", "snapshot")

# area type ids used by the Fingertips API (see the fingertips_py and fingertipsR code)
AREA_TYPES = {
    15: "England",
    6: "Region",
    102: "Counties & UAs (pre 4/19)",
    202: "Counties & UAs (from Apr 2019)",
    302: "Counties & UAs (from Apr 2020)",
    402: "Counties & UAs (from Apr 2021)",
    502: "Counties & UAs (from Apr 2023)",
    101: "Districts & UAs (pre 4/19)",
    201: "Districts & UAs (from Apr 2019)",
    301: "Districts & UAs (from Apr 2020)",
    401: "Districts & UAs (from Apr 2021)",
    501: "Districts & UAs (from Apr 2023)",
}
_AREA_TYPE_WORDS = {
    "england": 15, "country": 15, "region": 6, "regions": 6,
    "county & ua": 502, "counties & uas": 502, "county and ua": 502, "counties and uas": 502,
    "utla": 502, "upper tier": 502, "upper tier local authority": 502,
    "district & ua": 501, "districts & uas": 501, "district and ua": 501, "districts and uas": 501,
    "ltla": 501, "lower tier": 501, "lower tier local authority": 501,
}
# ONS code prefixes held by each kind of area type
_TIER_PREFIXES = {
    "england": ("E92",),
    "region": ("E12",),
    "county": ("E10", "E06", "E08", "E09"),
    "district": ("E07", "E06", "E08", "E09"),
}
# The snapshot's 93553 rows come in two boundary sets; older area types get the 2019 set.
_OLD_VINTAGE_TYPES = {101, 102, 201, 202, 301, 302}


# After a timeout, refused connection or TLS failure, later calls in this session do not wait
# again for RETRY_LIVE_AFTER seconds (keyed by API address), so a notebook stays responsive.
RETRY_LIVE_AFTER = 300.0
_LIVE_DOWN: dict[str, tuple[float, str]] = {}


def _live_down_reason() -> str | None:
    entry = _LIVE_DOWN.get(_http.base_url())
    if entry and time.monotonic() - entry[0] < RETRY_LIVE_AFTER:
        return f"{entry[1]}; not retried for {RETRY_LIVE_AFTER / 60:g} minutes"
    return None


def _mark_live_down(reason: str) -> None:
    _LIVE_DOWN[_http.base_url()] = (time.monotonic(), reason)


class FingertipsFallbackWarning(UserWarning):
    """The live Fingertips API could not be used; a cached answer or the snapshot was used."""


def _header_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


_KNOWN_HEADERS = {_header_key(c): c for c in CANONICAL_COLUMNS}


def normalise_headers(df: pd.DataFrame) -> pd.DataFrame:
    """Rename Fingertips header spellings to the canonical export names.

    Accepts the website export (``Indicator ID``), fingertipsR (``IndicatorID``,
    ``LowerCI95.0limit``), R ``read.csv`` (``Indicator.ID``) and underscores
    (``Indicator_ID``). Columns it does not recognise are left as they are.
    """
    mapping = {}
    for col in df.columns:
        canonical = _KNOWN_HEADERS.get(_header_key(col))
        if canonical and canonical not in mapping.values():
            mapping[col] = canonical
    return df.rename(columns=mapping)


def _tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Canonical columns first (missing ones added empty), then any others, with fixed types."""
    df = df.copy()
    for col in CANONICAL_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA
    for col in NUMBER_COLUMNS:
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    df["Indicator ID"] = pd.to_numeric(df["Indicator ID"], errors="coerce").astype("Int64")
    df["Time period Sortable"] = pd.to_numeric(df["Time period Sortable"], errors="coerce").astype("Int64")
    for col in CANONICAL_COLUMNS:
        if col not in NUMBER_COLUMNS and col not in ("Indicator ID", "Time period Sortable"):
            s = df[col].astype("str")
            s = s.where(df[col].notna())
            df[col] = s.str.strip()
    extras = [c for c in df.columns if c not in CANONICAL_COLUMNS]
    return df[CANONICAL_COLUMNS + extras].reset_index(drop=True)


def read_export(data, *, file: str | None = None) -> pd.DataFrame:
    """Read a Fingertips CSV export (a path, text or bytes) into canonical columns.

    Blank cells become missing; every other text (including "None" or "NA") is kept as
    written. Raises :class:`DataError` when the file is not a Fingertips export.
    """
    is_path = isinstance(data, Path) or (isinstance(data, str) and "\n" not in data and len(data) < 1024
                                          and Path(data).exists())
    label = file or (str(data) if is_path else "the CSV")
    if isinstance(data, bytes):
        handle = io.BytesIO(data)
    elif is_path:
        handle = data
    else:
        handle = io.StringIO(data)
    try:
        raw = pd.read_csv(handle, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"This is not a readable Fingertips CSV ({str(exc).splitlines()[0]})", file=label,
                        hint="Download the indicator again as CSV from Fingertips") from exc
    raw = normalise_headers(raw)
    missing = [c for c in REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"This does not look like a Fingertips export: it has no {', '.join(missing)} column",
                        file=label, hint="Use the CSV from the Fingertips 'Download' tab or the API")
    bad = raw["Indicator ID"].notna() & pd.to_numeric(raw["Indicator ID"], errors="coerce").isna()
    if bad.any():
        rows = [int(i) + 2 for i in raw.index[bad][:10]]
        raise DataError("Indicator ID should be a whole number", file=label, column="Indicator ID", rows=rows,
                        hint="Check the file was saved as CSV straight from Fingertips")
    return _tidy(raw)


def area_type_id(area_type) -> int:
    """The Fingertips area type id for ``area_type`` (an id, or a name such as "County & UA")."""
    if isinstance(area_type, bool):
        area_type = None
    if isinstance(area_type, int) or (isinstance(area_type, str) and area_type.strip().isdigit()):
        value = int(area_type)
        if value in AREA_TYPES:
            return value
    elif isinstance(area_type, str):
        text = " ".join(area_type.lower().replace("\u00a0", " ").split())
        if text in _AREA_TYPE_WORDS:
            return _AREA_TYPE_WORDS[text]
        for key, name in AREA_TYPES.items():
            if text == name.lower():
                return key
    choices = ", ".join(f"{k} ({v})" for k, v in AREA_TYPES.items())
    raise DataError(f"Fingertips area type {area_type!r} is not one equitylab knows",
                    hint=f"Use one of {choices}, or the names 'England', 'Region', 'County & UA', "
                         "'District & UA'")


def _tier(type_id: int) -> str:
    if type_id == 15:
        return "england"
    if type_id == 6:
        return "region"
    return "county" if type_id % 100 == 2 else "district"


def _as_ids(indicator_ids) -> list[int]:
    if isinstance(indicator_ids, (int, str)):
        indicator_ids = [indicator_ids]
    out = []
    for value in indicator_ids:
        try:
            out.append(int(str(value).strip()))
        except ValueError:
            raise DataError(f"Fingertips indicator ids are whole numbers; {value!r} is not one",
                            hint="Find the id on the indicator's Definitions tab in Fingertips") from None
    if not out:
        raise DataError("No indicator id was given", hint="Pass one id such as 90366, or a list")
    return list(dict.fromkeys(out))


def _snapshot_dirs() -> list[Path]:
    dirs = [Path(_paths.data_dir()) / "fingertips"]
    extra = os.environ.get("EQUITYLAB_FINGERTIPS_DATA")
    if extra:
        for part in extra.split(os.pathsep):
            path = Path(part)
            dirs.append(path / "fingertips" if (path / "fingertips" / "MANIFEST.csv").exists() else path)
    return dirs


def read_manifest(folder: Path) -> pd.DataFrame:
    """The MANIFEST.csv of a snapshot folder (empty frame if there is none)."""
    path = Path(folder) / "MANIFEST.csv"
    if not path.exists():
        return pd.DataFrame(columns=["file", "source", "source_path", "retrieved", "licence", "description",
                                     "synthetic"])
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@lru_cache(maxsize=4)
def _load_snapshot(dirs: tuple[Path, ...]) -> tuple[pd.DataFrame, dict]:
    frames, retrieved = [], {}
    for folder in dirs:
        manifest = read_manifest(folder)
        for row in manifest.itertuples():
            if not row.file.endswith(".parquet"):
                continue
            path = folder / row.file
            if not path.exists():
                continue
            df = pd.read_parquet(path)
            df["_file"] = row.file
            frames.append(df)
            retrieved[row.file] = row.retrieved
    if not frames:
        return _tidy(pd.DataFrame(columns=CANONICAL_COLUMNS + [SOURCE_COLUMN])), retrieved
    return _tidy(pd.concat(frames, ignore_index=True)), retrieved


def snapshot() -> pd.DataFrame:
    """Every row of the offline snapshot (canonical columns plus ``Data source``)."""
    df, retrieved = _load_snapshot(tuple(_snapshot_dirs()))
    out = df.drop(columns=["_file"], errors="ignore").copy()
    return provenance.stamp(out, source="snapshot", licence=provenance.OGL,
                            retrieved=_date_text(retrieved.values()),
                            description="equitylab offline snapshot of OHID Fingertips and MHCLG IoD2019 data")


def _date_text(values: Iterable[str]) -> str:
    vals = sorted({v for v in values if v})
    return " + ".join(vals) if vals else _dt.date.today().isoformat()


def _select_area_rows(df: pd.DataFrame, type_id: int, area_codes: list[str] | None) -> pd.DataFrame:
    codes = df["Area Code"].fillna("")
    if area_codes:
        keep = codes.isin(area_codes)
    else:
        tier = _tier(type_id)
        prefixes = _TIER_PREFIXES[tier]
        keep = codes.str[:3].isin(prefixes)
        if tier != "england":
            keep |= codes.str[:3].isin(("E92",) if tier == "region" else ("E92", "E12"))
    out = df[keep]
    if VINTAGE_COLUMN in out.columns:
        wanted = "2019" if type_id in _OLD_VINTAGE_TYPES else "2022"
        vint = out[VINTAGE_COLUMN].fillna("")
        out = out[(vint == "") | (vint == wanted)]
    return out


def _missing_message(iid: int, type_id: int, area_codes, why: str | None, snap: pd.DataFrame) -> str:
    held = snap[snap["Indicator ID"] == iid]
    reach = f" Fingertips could not be reached live ({why})." if why else ""
    if held.empty:
        where = "is not in equitylab's offline snapshot"
    else:
        if area_codes:
            where = (f"is in the offline snapshot, but not for area code(s) {', '.join(area_codes)} "
                     f"(it holds {held['Area Code'].nunique()} areas for this indicator)")
        else:
            where = (f"is in the offline snapshot, but not for area type {type_id} "
                     f"({AREA_TYPES.get(type_id, '')})")
    return (f"Fingertips indicator {iid} {where}.{reach} To get it, connect to the internet and run "
            f"'equitylab data refresh --indicators {iid}', or call fingertips_data again while online. "
            "Run 'equitylab data show' to list what the snapshot holds.")


def _fallback_warning(iid: int, why: str, used: str) -> None:
    warnings.warn(f"Fingertips could not be used live for indicator {iid}: {why}. Using {used}.",
                  FingertipsFallbackWarning, stacklevel=3)


def _data_url(iid: int, type_id: int, parent_type_id: int) -> str:
    return _http.build_url("all_data/csv/by_indicator_id", {
        "indicator_ids": iid, "child_area_type_id": type_id, "parent_area_type_id": parent_type_id,
        "include_sortable_time_periods": "yes",
    })


def _parse_live(body: bytes, url: str) -> pd.DataFrame:
    head = body[:200].lstrip().lower()
    if head.startswith(b"<") or b"<html" in head:
        raise _http.FetchFailed("the answer was a web page, not a CSV (malformed CSV)", url)
    try:
        return read_export(body, file=url)
    except DataError as exc:
        raise _http.FetchFailed(f"the answer was not a readable Fingertips CSV (malformed CSV: {exc.problem})",
                                url) from exc


def fingertips_data(indicator_ids, area_type, *, area_codes=None, source: str = "auto",
                    parent_area_type: int = 15) -> pd.DataFrame:
    """Fingertips indicator values, shaped like a Fingertips CSV export.

    Parameters
    ----------
    indicator_ids : int or list of int
        Fingertips indicator ids (e.g. 90366 life expectancy at birth, 92033 Year 6 obesity,
        93553 IMD 2019 deprivation score).
    area_type : int or str
        Area type id (15 England, 6 region, 102/202/302/402/502 County & UA by boundary
        vintage, 101..501 District & UA) or a name ("England", "Region", "County & UA",
        "District & UA", "UTLA", "LTLA"; names mean the latest vintage).
    area_codes : list of str, optional
        Keep only these ONS area codes (e.g. ``["E09000012"]`` for Hackney). Without it, the
        rows for every area of the type are returned with the England (and region) rows that
        Fingertips gives as benchmarks.
    source : {"auto", "live", "cache", "snapshot"}
        "auto" tries the live API, then a cached earlier live answer, then the offline
        snapshot, warning (:class:`FingertipsFallbackWarning`) with the reason when it falls
        back. The others use only that source.
    parent_area_type : int
        Parent area type for the live request (15 England by default).

    Returns
    -------
    pandas.DataFrame
        The canonical export columns (``Indicator ID`` ... ``Time period Sortable``, see
        :data:`CANONICAL_COLUMNS`) plus ``Data source`` naming where each row came from.
        Category rows (deprivation deciles, ethnic groups) are included: rows with an empty
        ``Category Type`` are the whole-area values. ``attrs`` holds provenance: source
        ("live", "cache", "snapshot" or a combination), retrieved date, licence (OGL v3)
        and a description.

    Raises
    ------
    SourceUnavailable
        When an indicator cannot be had from the sources allowed (for example offline and
        not in the snapshot). The message names the indicator and how to fetch it.
    """
    if source not in SOURCES:
        raise DataError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    ids = _as_ids(indicator_ids)
    type_id = area_type_id(area_type)
    codes = None
    if area_codes is not None:
        codes = [area_codes] if isinstance(area_codes, str) else [str(c).strip() for c in area_codes]
    snap, snap_dates = _load_snapshot(tuple(_snapshot_dirs()))
    parts, used, dates = [], [], []
    why_down = _live_down_reason() if source == "auto" else None
    for iid in ids:
        url = _data_url(iid, type_id, parent_area_type)
        why = why_down
        if source in ("auto", "live") and why_down is None:
            try:
                body = _http.get(url, desc=f"Fingertips indicator {iid}")
                frame = _parse_live(body, url)
                _LIVE_DOWN.pop(_http.base_url(), None)
                _http.cache_put(url, body)
                today = _dt.date.today().isoformat()
                frame[SOURCE_COLUMN] = f"OHID Fingertips API (live, {today})"
                parts.append(_filter_codes(frame, codes))
                used.append("live")
                dates.append(today)
                continue
            except _http.FetchFailed as exc:
                why = exc.reason
                if "timeout" in why or "connect" in why or "SSL" in why:
                    why_down = why  # do not wait again for the next indicator
                    _mark_live_down(why)
                if source == "live":
                    raise SourceUnavailable(
                        f"Fingertips indicator {iid} could not be fetched live: {why}. Check the internet "
                        "connection (and HTTPS_PROXY / REQUESTS_CA_BUNDLE on an NHS network), or use "
                        "source='auto' to fall back to the cache or the offline snapshot.") from exc
        if source in ("auto", "cache"):
            hit = _http.cache_get(url)
            if hit is not None:
                body, meta = hit
                try:
                    frame = read_export(body, file=str(url))
                except DataError:
                    frame = None
                if frame is not None:
                    day = str(meta.get("retrieved", ""))[:10]
                    frame[SOURCE_COLUMN] = f"OHID Fingertips API (cached answer of {day})"
                    if source == "auto":
                        _fallback_warning(iid, why or "not tried", f"the cached answer from {day}")
                    parts.append(_filter_codes(frame, codes))
                    used.append("cache")
                    dates.append(day)
                    continue
            if source == "cache":
                raise SourceUnavailable(
                    f"There is no cached Fingertips answer for indicator {iid} at area type {type_id}. "
                    "Fetch it once while online (source='live' or 'auto') to fill the cache.")
        rows = _select_area_rows(_snapshot_rows(snap, iid, type_id), type_id, codes)
        if rows.empty:
            raise SourceUnavailable(_missing_message(iid, type_id, codes, why if source == "auto" else None,
                                                     snap))
        files = sorted(rows["_file"].unique())
        file_dates = _date_text(snap_dates.get(f, "") for f in files)
        if source == "auto":
            _fallback_warning(iid, why or "not tried",
                              f"equitylab's offline snapshot (built {file_dates}; latest period in it: "
                              f"{_latest_period(rows)})")
        parts.append(rows.drop(columns=["_file"]))
        used.append("snapshot")
        dates.append(file_dates)
    out = _tidy(pd.concat(parts, ignore_index=True))
    if VINTAGE_COLUMN in out.columns:
        out = out.drop(columns=[VINTAGE_COLUMN])
    described = "; ".join(str(s) for s in out[SOURCE_COLUMN].dropna().unique()[:6])
    provenance.stamp(out, source=" + ".join(dict.fromkeys(used)), licence=provenance.OGL,
                     retrieved=_date_text(dates),
                     description=f"OHID Fingertips indicator(s) {', '.join(map(str, ids))} ({described})")
    return out


def _snapshot_rows(snap: pd.DataFrame, iid: int, type_id: int) -> pd.DataFrame:
    """The snapshot rows for one indicator, preferring a refreshed file for this exact area type."""
    held = snap[snap["Indicator ID"] == iid]
    refreshed = held["_file"].str.startswith("live_")
    exact = held["_file"] == f"live_{iid}_at{type_id}.parquet"
    if exact.any():
        return held[exact]
    if (~refreshed).any():
        return held[~refreshed]
    key = [c for c in CANONICAL_COLUMNS if c != "Area Type"]
    return held.drop_duplicates(subset=key)


def _filter_codes(frame: pd.DataFrame, codes: list[str] | None) -> pd.DataFrame:
    return frame if not codes else frame[frame["Area Code"].isin(codes)]


def _latest_period(rows: pd.DataFrame) -> str:
    if rows["Time period Sortable"].notna().any():
        idx = rows["Time period Sortable"].astype("float64").idxmax()
        return str(rows.loc[idx, "Time period"])
    return str(rows["Time period"].dropna().max())


def fingertips_profiles(source: str = "auto") -> pd.DataFrame:
    """Fingertips profiles: ``id``, ``key`` (the web address part) and ``name``.

    Live from the ``profiles`` endpoint when reachable, otherwise the short offline list in
    the snapshot (the profiles the learning session points to; an id or key is missing when
    no public source confirmed it).
    """
    if source not in SOURCES:
        raise DataError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    url = _http.build_url("profiles")
    why = _live_down_reason() if source == "auto" else None
    if source in ("auto", "live") and why is None:
        try:
            body = _http.get(url, desc="Fingertips profiles")
            df = _profiles_from_json(body, url)
            _http.cache_put(url, body)
            return provenance.stamp(df, source="live", licence=provenance.OGL,
                                    description="OHID Fingertips API, profiles list (live)")
        except _http.FetchFailed as exc:
            why = exc.reason
            if "timeout" in why or "connect" in why or "SSL" in why:
                _mark_live_down(why)
            if source == "live":
                raise SourceUnavailable(f"The Fingertips profiles list could not be fetched live: {why}.") from exc
    if source in ("auto", "cache"):
        hit = _http.cache_get(url)
        if hit is not None:
            try:
                df = _profiles_from_json(hit[0], url)
                day = str(hit[1].get("retrieved", ""))[:10]
                if source == "auto":
                    warnings.warn(f"Fingertips profiles could not be fetched live ({why}); using the cached "
                                  f"list from {day}.", FingertipsFallbackWarning, stacklevel=2)
                return provenance.stamp(df, source="cache", licence=provenance.OGL, retrieved=day,
                                        description="OHID Fingertips API, profiles list (cached)")
            except _http.FetchFailed:
                pass
        if source == "cache":
            raise SourceUnavailable("There is no cached Fingertips profiles list; fetch it once while online.")
    folder = _snapshot_dirs()[0]
    df = pd.read_csv(folder / "profiles.csv", dtype=str, keep_default_na=False, na_values=[""])
    df["id"] = pd.to_numeric(df["id"]).astype("Int64")
    manifest = read_manifest(folder)
    day = _date_text(manifest.loc[manifest["file"] == "profiles.csv", "retrieved"])
    if source == "auto":
        warnings.warn(f"Fingertips profiles could not be fetched live ({why}); using equitylab's offline list "
                      f"(built {day}), which has only the profiles named in the learning session.",
                      FingertipsFallbackWarning, stacklevel=2)
    return provenance.stamp(df, source="snapshot", licence=provenance.OGL, retrieved=day,
                            description="equitylab offline list of Fingertips profiles (ids and keys from "
                                        "public code and profile web addresses)")


def _profiles_from_json(body: bytes, url: str) -> pd.DataFrame:
    try:
        items = json.loads(body.decode("utf-8-sig"))
        df = pd.DataFrame({"id": [int(p["Id"]) for p in items], "key": [p.get("Key") for p in items],
                           "name": [p.get("Name") for p in items]})
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _http.FetchFailed("the profiles answer was not the expected JSON (malformed answer)", url) from exc
    df["id"] = df["id"].astype("Int64")
    return df


def published_figures(area_code: str = "E09000012") -> pd.DataFrame:
    """Figures quoted from a published PHE Local Authority Health Profile, with their citation.

    These are the numbers as printed in the profile, not recomputed. Only Hackney
    (E09000012, profile 2019, published 3 March 2020) is held offline; any other area gives
    an empty frame with a note in ``attrs["note"]`` and a warning: use
    :func:`fingertips_data` while online for other areas.

    Returns
    -------
    pandas.DataFrame
        Columns ``Area Code, Area Name, Measure, Value, Unit, Count, Count meaning,
        Compared with England, Quoted text, Source, Published, Licence``.
    """
    folder = _snapshot_dirs()[0]
    path = folder / "published_figures.csv"
    df = pd.read_csv(path, dtype={"Area Code": str, "Area Name": str}, keep_default_na=False,
                     na_values=[""])
    out = df[df["Area Code"] == str(area_code).strip()].reset_index(drop=True)
    manifest = read_manifest(folder)
    day = _date_text(manifest.loc[manifest["file"] == "published_figures.csv", "retrieved"])
    provenance.stamp(out, source="snapshot", licence=provenance.OGL, retrieved=day,
                     description="PHE Local Authority Health Profile 2019 (figures as published)")
    if out.empty:
        note = (f"equitylab holds published profile figures only for Hackney (E09000012); for {area_code} "
                "use fingertips_data(...) while online, or 'equitylab data refresh'.")
        out.attrs["note"] = note
        warnings.warn(note, UserWarning, stacklevel=2)
    return out


def snapshot_contents() -> pd.DataFrame:
    """One row per indicator in the offline snapshot: name, areas, periods, category types."""
    df, _ = _load_snapshot(tuple(_snapshot_dirs()))
    rows = []
    for iid, group in df.groupby("Indicator ID", sort=True):
        periods = group.drop_duplicates("Time period").sort_values("Time period Sortable")["Time period"]
        rows.append({
            "Indicator ID": int(iid),
            "Indicator Name": " ".join(str(group["Indicator Name"].dropna().iloc[0]).split()),
            "areas": int(group["Area Code"].nunique()),
            "area codes (first 3)": ", ".join(sorted(group["Area Code"].unique())[:3]),
            "periods": f"{periods.iloc[0]} to {periods.iloc[-1]}" if len(periods) > 1 else str(periods.iloc[0]),
            "category types": "; ".join(sorted(group["Category Type"].dropna().unique())) or "(none)",
            "rows": len(group),
            "files": ", ".join(sorted(group["_file"].unique())),
        })
    out = pd.DataFrame(rows)
    return provenance.carry(out, snapshot())
