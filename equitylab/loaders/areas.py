"""Area lookups: England, regions and every local authority in the snapshot.

The table behind these functions is ``data/population/areas.parquet``, built by
``scripts/build_population_snapshot.py`` from the ONS mid-2023 population estimates (which
name every LA, county and region in England with its geography type), the MHCLG IoD2019
File 1 (local authority districts as of 2019) and the region lookup used by Fingertips
profiles. Districts abolished in 2020-2023 (for example Allerdale, now part of Cumberland)
are kept, marked ``abolished <year>``, with the code of the authority that replaced them.
"""
from __future__ import annotations

import difflib
import re
from functools import cache

import pandas as pd

from equitylab._paths import data_dir
from equitylab.errors import DataError
from equitylab.provenance import OGL, stamp

KINDS = ("England", "region", "London borough", "metropolitan district", "unitary authority",
         "county council", "non-metropolitan district")
_CODE = re.compile(r"^[EWSNK]\d{8}$")
_DESCRIPTION = ("ONS mid-2023 population estimates area list; MHCLG English Indices of "
                "Deprivation 2019 File 1 (local authority districts 2019)")


def _file():
    return data_dir() / "population" / "areas.parquet"


@cache
def _table() -> pd.DataFrame:
    df = pd.read_parquet(_file())
    return df.set_index("code", drop=False)


@cache
def _name_index() -> dict[str, str]:
    out: dict[str, str] = {}
    t = _table()
    # Current areas win over abolished ones with the same name.
    for code, name in t.sort_values("status", key=lambda s: s != "current")[["code", "name"]].values:
        out.setdefault(_key(name), code)
    return out


def _key(name: str) -> str:
    s = str(name).lower().replace("&", "and").replace(".", "").replace("'", "")
    for tail in (", city of", ", county of", ", city and county of"):
        s = s.replace(tail, "")
    s = " ".join(s.replace(",", " ").replace("-", " ").split())
    for suffix in (" region", " ua", " cty", " council", " london borough", " borough"):
        s = s.removesuffix(suffix)
    for prefix in ("london borough of ", "city of "):
        s = s.removeprefix(prefix)
    return s


def _suggest(text: str) -> list[str]:
    t = _table()
    text = str(text).strip()
    if re.match(r"^[A-Za-z]\d", text):
        close = difflib.get_close_matches(text.upper(), list(t.index), n=3, cutoff=0.6)
    else:
        names = _name_index()
        close = [names[k] for k in difflib.get_close_matches(_key(text), list(names), n=3, cutoff=0.6)]
    return [f"{t.at[c, 'name']} ({c})" for c in close]


def check_area(code: str) -> str:
    """Check that ``code`` is an area equitylab knows, and return it tidied (upper case).

    Parameters
    ----------
    code : str
        An ONS area code such as ``"E09000012"`` (Hackney). England is ``"E92000001"``,
        regions are ``"E12000001"`` to ``"E12000009"``.

    Returns
    -------
    str
        The code, stripped and upper-cased.

    Raises
    ------
    DataError
        If the code is malformed or not in the snapshot; the message suggests close matches.
    """
    text = "" if code is None else str(code).strip()
    tidy = text.upper()
    if tidy in _table().index:
        return tidy
    if not _CODE.match(tidy):
        close = _suggest(text)
        hint = ("Closest matches: " + ", ".join(close) + ". " if close else "") + \
            "Use find_area('name') to look a code up"
        raise DataError(f"'{text}' is not an area code: ONS codes are a letter and 8 digits, "
                        "like E09000012 for Hackney", hint=hint)
    close = _suggest(tidy)
    hint = ("Closest matches: " + ", ".join(close) + ". " if close else "") + \
        "Use find_area('name') to look a code up; equitylab covers England, its regions and local authorities"
    raise DataError(f"Area code {tidy} is not in equitylab's list of English areas", hint=hint)


def area_info(code: str) -> dict:
    """Facts about one area.

    Returns
    -------
    dict
        ``code``, ``name``, ``type`` (one of "England", "region", "London borough",
        "metropolitan district", "unitary authority", "county council",
        "non-metropolitan district"), ``region`` and ``region_code`` (None for England),
        ``utla_code`` and ``utla_name`` (the upper-tier authority: itself for a unitary
        authority, London borough or metropolitan district; the county council for a
        non-metropolitan district), ``status`` ("current" or "abolished <year>"),
        ``successor_code`` (for abolished areas, where there is a single successor) and
        ``population_mid2023`` (ONS mid-year estimate, persons; None when abolished).
    """
    row = _table().loc[check_area(code)]
    out = {}
    for k, v in row.items():
        out[k] = None if pd.isna(v) else (int(v) if k == "population_mid2023" else v)
    return out


def find_area(name: str, kind: str | None = None) -> dict:
    """Look an area up by name (case and punctuation ignored), e.g. ``find_area("Hackney")``.

    Returns the same dict as :func:`area_info`. Raises ``DataError`` with suggestions when
    there is no match.
    """
    table = areas(kind)
    key = _key(name)
    # the name as written wins over a loose match: "London" is the region, not the City of London
    hits = table[table["name"].str.lower() == str(name).strip().lower()]
    if not len(hits):
        hits = table[table["name"].map(_key) == key]
    if len(hits):
        current = hits[hits["status"] == "current"]
        return area_info((current if len(current) else hits)["code"].iloc[0])
    if _CODE.match(str(name).strip().upper()):
        return area_info(name)
    names = {_key(n): c for c, n in table[["code", "name"]].values}
    close = [names[k] for k in difflib.get_close_matches(key, list(names), n=3, cutoff=0.6)]
    t = _table()
    hint = ("Closest matches: " + ", ".join(f"{t.at[c, 'name']} ({c})" for c in close)) if close \
        else "Check the spelling, or list areas with equitylab.loaders.areas.areas()"
    raise DataError(f"No English area called '{name}'", hint=hint)


def areas(kind: str | None = None, *, include_abolished: bool = False) -> pd.DataFrame:
    """All areas (or one ``kind``) as a table.

    Parameters
    ----------
    kind : str or list of str, optional
        One or more of "England", "region", "London borough", "metropolitan district",
        "unitary authority", "county council", "non-metropolitan district"; also "utla"
        (upper-tier: London boroughs, metropolitan districts, unitary authorities and
        county councils) and "lad" (lower-tier: all but county councils).
    include_abolished : bool
        Include districts and counties abolished since 2019 (default False).

    Returns
    -------
    DataFrame
        Columns ``code``, ``name``, ``type``, ``region_code``, ``region``, ``utla_code``,
        ``utla_name``, ``status``, ``successor_code``, ``population_mid2023``.
    """
    t = _table().reset_index(drop=True)
    if not include_abolished:
        t = t[t["status"] == "current"]
    if kind is not None:
        groups = {
            "utla": ["London borough", "metropolitan district", "unitary authority", "county council"],
            "lad": ["London borough", "metropolitan district", "unitary authority", "non-metropolitan district"],
        }
        wanted = []
        for k in ([kind] if isinstance(kind, str) else list(kind)):
            if k in groups:
                wanted += groups[k]
            elif k in KINDS:
                wanted.append(k)
            else:
                raise DataError(f"'{k}' is not a kind of area",
                                hint="Use one of " + ", ".join(f"'{x}'" for x in (*KINDS, "utla", "lad")))
        t = t[t["type"].isin(wanted)]
    t = t.reset_index(drop=True).copy()
    return stamp(t, source="snapshot", licence=OGL, retrieved=_retrieved(), description=_DESCRIPTION)


@cache
def _retrieved() -> str | None:
    try:
        man = pd.read_csv(data_dir() / "population" / "MANIFEST.csv")
        return str(man.loc[man["file"] == "areas.parquet", "retrieved"].iloc[0])
    except (OSError, KeyError, IndexError):
        return None
