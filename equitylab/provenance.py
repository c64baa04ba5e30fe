"""Provenance: where a table came from, carried in ``DataFrame.attrs``.

pandas drops ``attrs`` in many operations (group-bys, merges, concatenation), so every
public function that returns a new frame calls :func:`carry` to copy provenance from its
inputs. The rule: the output is synthetic if any input was synthetic; sources and licences
are merged, not overwritten; rows a service extract left out (``excluded``, from
``read_service_data(..., bad_rows="exclude")``) go with every result built on it, and its
caption says so.
"""
from __future__ import annotations

import datetime as _dt

import pandas as pd

KEYS = ("source", "retrieved", "licence", "synthetic", "description", "excluded")

OGL = "Open Government Licence v3.0"
SYNTHETIC_LABEL = "SYNTHETIC teaching data: not real patients"


def stamp(df: pd.DataFrame, *, source: str, licence: str | None = None, retrieved: str | None = None,
          synthetic: bool = False, description: str | None = None) -> pd.DataFrame:
    """Set provenance on ``df`` in place and return it.

    ``source`` is one of "live", "cache", "snapshot", "file", "synthetic" (or a combination
    joined with " + " after merging).
    """
    df.attrs["source"] = source
    df.attrs["retrieved"] = retrieved or _dt.date.today().isoformat()
    df.attrs["licence"] = licence or ("n/a (synthetic)" if synthetic else "unknown")
    df.attrs["synthetic"] = bool(synthetic)
    if description:
        df.attrs["description"] = description
    return df


def _merge_text(values):
    seen = []
    for v in values:
        for part in str(v).split(" + "):
            if part and part not in seen:
                seen.append(part)
    return " + ".join(seen)


def merged(*frames) -> dict:
    """The provenance of a result computed from ``frames`` (DataFrames or attrs dicts)."""
    attrs = [f.attrs if hasattr(f, "attrs") else dict(f) for f in frames if f is not None]
    attrs = [a for a in attrs if a]
    if not attrs:
        return {}
    out = {}
    for key in ("source", "retrieved", "licence", "description"):
        vals = [a[key] for a in attrs if a.get(key)]
        if vals:
            out[key] = _merge_text(vals)
    out["synthetic"] = any(bool(a.get("synthetic")) for a in attrs)
    left_out = []
    for a in attrs:
        e = a.get("excluded")
        if e and e.get("rows") and not any(e is x or e == x for x in left_out):
            left_out.append(e)
    if len(left_out) == 1:
        out["excluded"] = left_out[0]
    elif left_out:  # results built on two extracts: both sets of rows
        out["excluded"] = {"rows": sum(int(e["rows"]) for e in left_out),
                           "reasons": [r for e in left_out for r in e.get("reasons", [])]}
    return out


def excluded_words(obj, *, most: int = 4) -> str:
    """One sentence saying how many rows of the extract were left out and why (the ``most``
    commonest reasons, the rest counted, each with the form a good value takes where the
    loader gives one), from ``attrs["excluded"]``; "" when none were."""
    attrs = obj.attrs if hasattr(obj, "attrs") else (obj or {})
    e = attrs.get("excluded") or {}
    n = int(e.get("rows") or 0)
    if not n:
        return ""
    reasons = sorted(e.get("reasons") or [], key=lambda r: -int(r.get("count", 0)))
    parts = [(f"{r['count']:,} where '{r['column']}' is {r['problem']}" if r.get("column")
              else f"{r['count']:,} where {r['problem']}")
             + (f" (expected {r['expected']})" if r.get("expected") else "") for r in reasons[:most]]
    if len(reasons) > most:
        parts.append(f"{len(reasons) - most} other problems")
    why = (" because of problems in the file: " + _list(parts)) if parts else ""
    return f"{n:,} {'row was' if n == 1 else 'rows were'} left out of the extract{why}."


def _list(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "; ".join(parts[:-1]) + "; and " + parts[-1]


def carry(result, *inputs):
    """Copy merged provenance from ``inputs`` onto ``result`` (a DataFrame) and return it."""
    prov = merged(*inputs)
    if prov and hasattr(result, "attrs"):
        result.attrs.update(prov)
    return result


def is_synthetic(obj) -> bool:
    """True when ``obj`` (a DataFrame or attrs dict) is labelled synthetic."""
    attrs = obj.attrs if hasattr(obj, "attrs") else (obj or {})
    return bool(attrs.get("synthetic"))


def caption(obj) -> str:
    """One line naming a table's source, date and licence, for charts and reports."""
    attrs = obj.attrs if hasattr(obj, "attrs") else (obj or {})
    if not attrs:
        return "Source: not recorded."
    parts = []
    if attrs.get("synthetic") and not str(attrs.get("description", "")).startswith(SYNTHETIC_LABEL):
        parts.append(SYNTHETIC_LABEL + ".")
    if attrs.get("description"):
        parts.append(f"Source: {attrs['description']}")
    elif attrs.get("source"):
        parts.append(f"Source: {attrs['source']}")
    if attrs.get("retrieved"):
        parts.append(f"(retrieved {attrs['retrieved']})")
    if attrs.get("licence") and not str(attrs["licence"]).startswith("n/a"):
        parts.append(f"Licence: {attrs['licence']}.")
    left_out = int((attrs.get("excluded") or {}).get("rows") or 0)
    if left_out:
        parts.append(f"{left_out:,} {'row' if left_out == 1 else 'rows'} with problems left out.")
    return " ".join(parts)
