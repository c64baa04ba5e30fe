"""read_service_data: a team's own extract, read, checked and normalised in one call.

Reading (:mod:`.files`, :mod:`.headers`) stops at once when the file itself cannot be used.
Every value is then checked (:mod:`.schema`, :mod:`.fields`, :mod:`.places`) and every
problem collected, so one :class:`~equitylab.errors.DataError` lists them all, or, with
``bad_rows="exclude"``, the rows at fault are left out and the frame says which and why.
Columns that could identify a patient are named in a warning and dropped before the frame
goes anywhere else.
"""
from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from ...errors import DataError, IdentifiableDataWarning
from ...provenance import SYNTHETIC_LABEL, stamp
from .. import codes
from ..identifiers import Identifier, header_kind, identifying_columns
from . import values as V
from .files import FileInfo, RawTable, read_table
from .headers import SOURCE_FIELDS, header_like_rows, load_mapping, map_headers, remade
from .problems import Problems, headers_listed
from .schema import DEFAULT_AGE_BANDS, FREE_TEXT, IDENTIFYING_FIELDS, SCHEMA_COLUMNS, Context, build_columns

BAD_ROWS = ("error", "exclude")
_EQUITY_FIELDS = ("ethnicity", "sex", "age", "age_band", "date_of_birth", "lsoa_code",
                  "imd_decile", "imd_quintile", "postcode", "postcode_district")


def read_service_data(path, *, mapping=None, columns=None, required=None, sheet=None,
                      postcode_lookup=None, age_bands=DEFAULT_AGE_BANDS,
                      bad_rows: str = "error") -> pd.DataFrame:
    """Read a team's service extract and return it in the equitylab schema.

    Parameters
    ----------
    path : str or Path
        A CSV (comma, semicolon, tab or bar separated; UTF-8 or Windows-1252), Excel
        ``.xlsx`` or Parquet file. One row per referral, contact or episode, or one row per
        group with a ``count`` column.
    mapping : dict or path, optional
        ``{header in your file: equitylab column}`` for headers the built-in synonyms do not
        know, or a YAML file of the same pairs (optionally under ``columns:``). Map a header
        to ``"drop"`` to leave it out. See ``docs/service-data-schema.md``.
    columns : list of str, optional
        Only these schema columns are wanted: the file's other columns are not read at all,
        which makes large extracts faster. Source columns needed to derive them (date of
        birth for age bands, postcode for LSOA) are read and then dropped.
    required : list of str, optional
        Schema columns that must be present (for example ``["ethnicity"]``).
    sheet : str or int, optional
        The Excel sheet; by default the first sheet with a header row and data.
    postcode_lookup : path or DataFrame, optional
        A postcode-to-LSOA lookup (e.g. an extract of the ONS Postcode Directory). equitylab
        works offline and has no postcode lookup of its own: without this, full postcodes
        are dropped and the file needs an LSOA column for deprivation.
    age_bands : sequence of int
        Lower bounds of the age bands, rising; default five-year bands 0-4 ... 85+ as
        Census 2021.
    bad_rows : {"error", "exclude"}
        What to do with rows that have a problem (a value that is not a date, a code
        equitylab does not know, a number out of range, a discharge before referral...).
        "error" (the default) raises one DataError listing them all. "exclude" leaves them
        out, warns how many and why, and records it in ``attrs["excluded"]``.

    Returns
    -------
    DataFrame
        The columns of :data:`SCHEMA_COLUMNS` the file supports (dtypes and labels in
        ``docs/service-data-schema.md``) plus any other columns kept as they are.
        ``attrs`` holds provenance (source "file"), ``dropped_identifiers`` (list of
        ``{"column", "kind"}``), ``missing_ethnicity_pct`` (percentage of rows, or of
        the count, with ethnicity not stated), ``validation`` (a summary dict) and
        ``excluded`` (``{"rows": n, "reasons": [{"column", "problem", "count", "rows"}]}``;
        no rows and no reasons unless ``bad_rows="exclude"`` left some out).

    Raises
    ------
    DataError
        For anything that stops the file being used, naming file, rows and column with a
        fix. When values are at fault, every problem is found first: ``problems`` holds the
        table (row as in the file, column, problem, how many rows share it). Values that
        could identify someone are never shown.

    Warns
    -----
    IdentifiableDataWarning
        When the file held columns that could identify a patient (named, never shown);
        they are dropped before anything else sees the data. The file is not changed.
    UserWarning
        When rows were left out (``bad_rows="exclude"``), or LSOA codes have no IMD 2019
        decile (Welsh codes, LSOA 2021 codes new since 2011), with their rows.
    """
    path = Path(path)
    if bad_rows not in BAD_ROWS:
        raise DataError(f"bad_rows='{bad_rows}' is not an option",
                        hint='Use bad_rows="error" (stop and list the problems) or '
                             'bad_rows="exclude" (leave those rows out)')
    age_bands = _check_age_bands(age_bands)
    if not path.exists():
        raise DataError("The file was not found", file=str(path),
                        hint="Check the folder and file name (and that it has been saved)")
    if path.is_dir():
        raise DataError("This is a folder, not a file", file=str(path),
                        hint="Give the path of the extract file inside it")
    wanted = None if columns is None else set(columns)
    if wanted is not None:
        unknown = wanted - set(SCHEMA_COLUMNS) - set(SOURCE_FIELDS)
        if unknown:
            raise DataError(f"Unknown column(s) asked for: {', '.join(sorted(unknown))}",
                            hint="Use names from equitylab.loaders.service.SCHEMA_COLUMNS")
    user_map = load_mapping(mapping)
    problems = Problems(path.name)
    table = read_table(path, problems, user_map=user_map, wanted=wanted, sheet=sheet)
    # pyarrow's reader keeps the memory it parsed with for reuse: give it back before checking
    pa.default_memory_pool().release_unused()
    return normalise(table, problems, wanted=wanted, required=required,
                     postcode_lookup=postcode_lookup, age_bands=age_bands, bad_rows=bad_rows)


def normalise_frame(frame: pd.DataFrame, *, label: str = "extract") -> pd.DataFrame:
    """An in-memory extract (headers and codes as a system exports them) in the schema,
    exactly as :func:`read_service_data` would read it from a file."""
    problems = Problems(label)
    headers = [str(c) for c in frame.columns]
    raw = frame.copy()
    for c in raw.columns:
        if raw[c].dtype == object or pd.api.types.is_string_dtype(raw[c]):
            raw[c] = raw[c].replace("", np.nan).astype("category")
    info = FileInfo(attrs=dict(frame.attrs))
    return normalise(RawTable(raw, headers, map_headers(headers, {}, problems), info), problems)


def _check_age_bands(bands) -> tuple[int, ...]:
    """Lower bounds of the age bands: whole numbers from 0 that rise (pandas.cut needs them
    rising, and a band below 0 or a fraction of a year means nothing here)."""
    try:
        given = list(bands)
        out = tuple(int(b) for b in given)
        ok = bool(out) and out[0] >= 0 and all(a < b for a, b in zip(out, out[1:])) \
            and all(float(b) == int(b) for b in given)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise DataError("age_bands should be the lower bounds of the age bands, whole numbers "
                        "from 0 that rise", hint="For example age_bands=[0, 18, 65] gives "
                                                 "0-17, 18-64 and 65+")
    return out


def normalise(table: RawTable, problems: Problems, *, wanted=None, required=None,
              postcode_lookup=None, age_bands=DEFAULT_AGE_BANDS, bad_rows="error",
              today: dt.date | None = None) -> pd.DataFrame:
    """The raw table in the schema: identifiers dropped, every field checked, problems
    raised together or their rows left out."""
    raw, fields, headers, info = table.frame, table.fields, table.headers, table.info
    label = problems.file
    if len(raw) == 0:
        problems.stop("The file has a header row but no data rows", hint="Export the extract again")
    if not fields or not any(f in fields.values() for f in (*_EQUITY_FIELDS, "count")) and \
            not set(fields.values()) - {"synthetic", "team"}:
        problems.stop("None of the columns was recognised as service data",
                      hint="equitylab looks for columns such as ethnicity, sex, age, LSOA and "
                           "dates; tell it what yours are called with mapping={'Your header': "
                           "'ethnicity'} (see docs/service-data-schema.md). The headers found "
                           "were: " + headers_listed(headers))
    repeated = header_like_rows(raw, fields)
    if repeated.any():  # one problem for the row, not one per column; its cells are not checked
        problems.add(repeated, column=None, problem="the cells repeat the header row (it is not data)",
                     hint="Two exports may have been pasted one under the other: delete the "
                          "repeated header rows")
        raw = raw.copy()
        for c in raw.columns:
            raw.loc[repeated, c] = None
    ident, unsure = _identifiers(raw, fields, headers)
    ident_cols = {i.column for i in ident}
    validation = {"rows": len(raw), "file": label, "columns_mapped": {}, "notes": info.notes,
                  "derived": [], "missing": {}}
    for name in ("encoding", "delimiter", "sheet"):
        if getattr(info, name) is not None:
            validation[name] = getattr(info, name)
    src = {f: h for h, f in fields.items() if h in raw.columns
           and (h not in ident_cols or f in IDENTIFYING_FIELDS)}
    validation["columns_mapped"] = {h: f for f, h in src.items() if f not in IDENTIFYING_FIELDS}
    ctx = Context(raw, src, problems, validation=validation, label=label,
                  delimiter=info.delimiter, today=today or dt.date.today(), wanted=wanted)
    out = build_columns(ctx, postcode_lookup=postcode_lookup, age_bands=age_bands)
    if wanted is None:
        _duplicates(ctx, raw)

    frame = pd.DataFrame({k: out[k] for k in SCHEMA_COLUMNS if k in out}, index=raw.index,
                         copy=False)
    again = remade(headers, table.user_map)
    for h, source in again.items():
        validation["notes"].append(f"'{h}' made again from '{source}' (the file's copy was not used)")
    mapped = set(src.values())
    others = [h for h in raw.columns if h not in mapped and h not in ident_cols
              and h not in again and (wanted is None or h in wanted)]
    if others:  # all at once: one column at a time is quadratic in a wide file
        frame = pd.concat([frame.drop(columns=[h for h in others if h in frame.columns]),
                           raw[others]], axis=1)
    missing_required = [r for r in (required or []) if r not in frame.columns]
    if missing_required:
        problems.stop(f"The file has no column for {', '.join(missing_required)}",
                      column=missing_required[0],
                      hint=f"Add it to the extract, or say which column holds it with mapping="
                           f"{{'Your header': '{missing_required[0]}'}}. The headers found "
                           "were: " + headers_listed(headers))
    frame, excluded = _bad_rows(frame, problems, bad_rows)
    for message in ctx.warnings:
        warnings.warn(message, UserWarning, stacklevel=3)
    frame = frame.reset_index(drop=True)
    if wanted is not None:
        frame = frame[[c for c in frame.columns if c in wanted]]
    for col in frame.columns:
        na = int(np.count_nonzero(frame[col].isna().to_numpy()))
        if na:
            validation["missing"][col] = na
    validation["aggregated"] = "count" in frame.columns
    _warn_identifiers(ident, label, derived_age="age" in out,
                      derived_lsoa="lsoa_code" in out and "postcode" in src)
    _ask_to_confirm(unsure, label)
    synthetic = _synthetic(raw, src, info)
    stamp(frame, source="synthetic" if synthetic else "file",
          licence=("n/a (synthetic)" if synthetic else "the team's own data (not for publication)"),
          retrieved=info.attrs.get("retrieved"), synthetic=synthetic,
          description=(f"{SYNTHETIC_LABEL} ({label})" if synthetic
                       else f"Service data read from {label}"))
    frame.attrs["dropped_identifiers"] = [{"column": i.column, "kind": i.kind} for i in ident]
    frame.attrs["missing_ethnicity_pct"] = _missing_ethnicity_pct(frame)
    frame.attrs["validation"] = _Summary(validation)
    frame.attrs["excluded"] = excluded
    return frame


def _identifiers(raw, fields, headers) -> tuple[list[Identifier], list[Identifier]]:
    """Columns that could identify a patient, by header (read or not) or by content: (those
    to drop, those only shaped like names or dates of birth, kept for the user to confirm).
    Coded fields are checked by their own code lists, whose messages show no identifying
    value, so only free text, identifying fields and unrecognised columns are checked by
    content."""
    coded = [h for h, f in fields.items() if f not in (*IDENTIFYING_FIELDS, *FREE_TEXT, None)
             and h in raw.columns and header_kind(h) is None]
    found = identifying_columns(raw.drop(columns=coded))
    for h in headers:
        if h not in raw.columns and header_kind(h) and fields.get(h) is None:
            found.append(Identifier(h, header_kind(h), "its header"))
    return [i for i in found if i.drop], [i for i in found if not i.drop]


def _bad_rows(frame: pd.DataFrame, problems: Problems, bad_rows: str):
    if not problems:
        return frame, {"rows": 0, "reasons": []}
    if bad_rows == "error" or problems.fatal:
        raise problems.error(len(frame))
    bad = problems.bad_rows(len(frame))
    n = int(bad.sum())
    if n == len(frame):
        raise problems.error(len(frame))
    reasons = problems.reasons()
    why = "; ".join(f"{r['count']:,} where '{r['column']}' is {r['problem']}" for r in reasons[:5])
    more = f"; and {len(reasons) - 5} more reasons" if len(reasons) > 5 else ""
    warnings.warn(f"{problems.file}: {n:,} of {len(frame):,} rows were left out because of "
                  f"problems ({why}{more}).", UserWarning,
                  stacklevel=4)
    return frame[~bad], {"rows": n, "reasons": reasons}


def _duplicates(ctx: Context, raw: pd.DataFrame) -> None:
    """Warn of rows that are exact copies of an earlier row (every column read)."""
    dup = V.repeated_rows(raw) if len(raw) > 1 and len(raw.columns) else np.zeros(0, bool)
    n = int(dup.sum())
    if not n:
        return
    rows = ctx.problems.row_numbers(np.flatnonzero(dup)[:10]).tolist()
    listed = ", ".join(map(str, rows)) + (f" and {n - 10:,} more" if n > 10 else "")
    ctx.validation["duplicate_rows"] = {"count": n, "rows": rows}
    ctx.warnings.append(f"{ctx.label}: {n:,} {'row is an exact copy' if n == 1 else 'rows are exact copies'}"
                        f" of an earlier row ({'row' if n == 1 else 'rows'} {listed}). If the extract "
                        "was exported or joined twice, they are counted twice; if each row is a "
                        "different referral, this is nothing to fix.")


def _synthetic(raw, src, info: FileInfo) -> bool:
    if info.attrs.get("synthetic"):
        return True
    if "synthetic" not in src:
        return False
    cat = V.categorical_strings(raw[src["synthetic"]]).cat.remove_unused_categories()
    marks = {"true", "1", "yes", "y", SYNTHETIC_LABEL.lower()}
    return len(cat) > 0 and not cat.isna().any() and \
        all(str(c).strip().lower() in marks for c in cat.cat.categories)


def _missing_ethnicity_pct(frame) -> float | None:
    """Percentage of rows (of the count, in aggregated files) whose ethnicity is not stated."""
    if "ethnicity" not in frame.columns or not len(frame):
        return None
    not_stated = (frame["ethnicity"] == codes.NOT_STATED).to_numpy()
    if "count" not in frame.columns:
        return float(100 * not_stated.mean())
    weights = frame["count"].fillna(0).to_numpy(dtype=float)
    total = weights.sum()
    return float(100 * weights[not_stated].sum() / total) if total else None


def _warn_identifiers(ident, label, *, derived_age, derived_lsoa) -> None:
    if not ident:
        return
    listing = ", ".join(i.described() for i in ident)
    used = []
    if derived_age and any(i.kind == "date of birth" for i in ident):
        used.append("date of birth was used first to work out age bands")
    if derived_lsoa and any(i.kind == "postcode" for i in ident):
        used.append("postcode was used first to find the LSOA")
    used_text = (" (" + "; ".join(used) + ")") if used else ""
    warnings.warn(f"{label} held columns that could identify a patient: {listing}. They were "
                  f"dropped when the file was read{used_text}; your file was not changed. "
                  "equitylab needs none of them: leave them out of the extracts you share.",
                  IdentifiableDataWarning, stacklevel=4)


def _ask_to_confirm(unsure, label) -> None:
    if not unsure:
        return
    listing = ", ".join(i.described() for i in unsure)
    first = unsure[0].column
    warnings.warn(f"{label} may hold columns that could identify a patient: {listing}. They were "
                  "kept, because the values only look like it. If they do identify people, "
                  f"leave them out of the extract or drop them with mapping={{'{first}': 'drop'}}"
                  "; a date of birth can be mapped to 'date_of_birth' (ages are worked out "
                  "from it, then it is dropped).", IdentifiableDataWarning, stacklevel=4)


class _Summary(dict):
    """The read's validation summary, kept in ``attrs`` and treated as read-only.

    pandas deep-copies ``attrs`` into the result of every operation; copying this nested
    summary each time was a measurable share of a report's run time, so it is shared instead.
    """

    def __deepcopy__(self, memo):
        return self
