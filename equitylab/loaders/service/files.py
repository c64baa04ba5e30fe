"""Reading an extract file into a raw table: CSV (any common separator, UTF-8 or
Windows-1252, title lines above the header), Excel ``.xlsx`` and Parquet.

Text columns arrive as pandas categoricals (pyarrow dictionary encoding), so every later
check looks at each distinct value once and a 10-million-row file stays small in memory; a
column with more than :data:`MAX_CATEGORIES` distinct values (free text, identifiers) arrives
as pandas text held by Arrow instead.
Problems with the file as a whole (its format, encoding, headers or shape) stop reading at
once; problems with values are left to :mod:`.fields`.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pyarrow import csv as pacsv

from .excel import read_sheet
from .headers import check_header_rows, columns_to_read, key, known_field, map_headers, title_lines_ok
from .problems import Problems
from .values import is_arrow_text

NUMERIC_FIELDS = ("count", "age", "missed_appointments", "waiting_days")
NULL_VALUES = ["", "NA", "N/A", "NULL", "null", "NaN", "nan", "#N/A", "None"]
# A text column with more distinct values than this is kept as text (pandas ``str``, held by
# Arrow), not as categories: it is free text or identifiers, not a set of categories, and
# pandas checks a categorical's categories with one Python string each (about 100 bytes), so
# 8 million distinct values would cost about a gigabyte every time categories were made.
MAX_CATEGORIES = 100_000


@dataclass
class FileInfo:
    """What was learnt about the file while reading it, for messages and ``attrs``."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    skip: int = 0                      # lines above the header (titles in system reports)
    notes: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)  # attrs pandas stored in a Parquet file


@dataclass
class RawTable:
    frame: pd.DataFrame
    headers: list[str]                 # every header in the file, read or not
    fields: dict[str, str]             # header -> source field, for recognised headers
    info: FileInfo
    user_map: dict = field(default_factory=dict)  # the user's mapping= (header -> field)


def read_table(path: Path, problems: Problems, *, user_map: dict, wanted: set | None,
               sheet=None) -> RawTable:
    """The file's columns worth reading (see :func:`.headers.columns_to_read`), as read."""
    if path.stat().st_size == 0:
        problems.stop("The file is empty (0 bytes)", hint="Export the extract again")
    kind = _sniff(path)
    suffix = path.suffix.lower()
    if kind == "pdf":
        problems.stop("The file is a PDF, not a table", hint="Export the data as CSV or Excel instead")
    if kind == "image":
        problems.stop("The file is an image, not a table", hint="Export the data as CSV or Excel")
    if kind == "xls" or suffix == ".xls":
        problems.stop("Old Excel .xls files cannot be read",
                      hint="Open it in Excel and save it as .xlsx or 'CSV UTF-8 (Comma delimited)'")
    if kind == "utf16":
        problems.stop("The file is saved as UTF-16 text, which cannot be read here",
                      hint="In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'")
    if kind == "markup":
        problems.stop("The file is a web page or XML, not a table: a download may have saved a "
                      "login or error page instead of the extract",
                      hint="Download or export the extract again as CSV or Excel")
    if kind == "json":
        problems.stop("The file is JSON, not a table", hint="Export the data as CSV or Excel")
    info = FileInfo()
    if kind == "parquet":
        return _read_parquet(path, problems, info, user_map, wanted)
    if kind == "text" and suffix in (".xlsx", ".xlsm", ".parquet"):
        info.notes.append(f"the file is named {suffix} but holds text: read as CSV")
    if kind == "excel":
        got = read_sheet(path, problems, sheet, {key(k) for k in user_map})
        info.sheet, problems.rownums = got.name, got.rownums
        fields = map_headers(got.headers, user_map, problems)
        use = columns_to_read(got.headers, fields, wanted, user_map, problems)
        for header, positions in got.uncached.items():
            if header in use:
                mask = np.zeros(len(got.frame), dtype=bool)
                mask[positions] = True
                problems.add(mask, column=header, problem="a formula with no saved value",
                             hint="Open the file in Excel, which works formulas out, and save "
                                  "it again (or save it as CSV)")
        info.notes.append(f"read from sheet '{info.sheet}'")
        return RawTable(got.frame[use], got.headers, fields, info, user_map)
    headers = _csv_header(path, problems, info)
    fields = map_headers(headers, user_map, problems)
    use = columns_to_read(headers, fields, wanted, user_map, problems)
    return RawTable(_read_csv(path, problems, info, use, headers), headers, fields, info, user_map)


def _read_parquet(path, problems, info, user_map, wanted) -> RawTable:
    try:
        pfile = pq.ParquetFile(path)
    except Exception:  # noqa: BLE001 - pyarrow raises many kinds on a damaged file
        problems.stop("The file could not be read as Parquet", hint="Export it again")
    headers = list(pfile.schema_arrow.names)
    problems.offset = 1  # no header row: the first data row is row 1
    fields = map_headers(headers, user_map, problems)
    use = columns_to_read(headers, fields, wanted, user_map, problems)
    for h in use:
        t = pfile.schema_arrow.field(h).type
        if pa.types.is_nested(t) or pa.types.is_binary(t) or pa.types.is_large_binary(t):
            what = "lists or records" if pa.types.is_nested(t) else "binary data"
            problems.stop(f"The column '{h}' holds {what}, not one value per row", column=h,
                          hint=f"Write it as plain numbers or text, or leave it out with mapping="
                               f"{{'{h}': 'drop'}}")
    # text arrives dictionary-encoded straight from the file's own dictionary pages, so
    # each distinct value is checked once and no string is made per row
    schema = pfile.schema_arrow
    text = [h for h in use if pa.types.is_string(schema.field(h).type)
            or pa.types.is_large_string(schema.field(h).type)]
    if text:
        pfile = pq.ParquetFile(path, read_dictionary=text)
    table = pfile.read(columns=use)
    meta = table.schema.metadata or {}
    frame = arrow_to_pandas(table)
    if b"PANDAS_ATTRS" in meta:
        try:
            info.attrs = dict(json.loads(meta[b"PANDAS_ATTRS"]))
        except (ValueError, TypeError):
            pass
    return RawTable(frame, headers, fields, info, user_map)


def _sniff(path: Path) -> str:
    """What the file holds, from its first bytes (its name can be wrong)."""
    with open(path, "rb") as fh:
        head = fh.read(64)
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if start[:1] == b"<":
        return "markup"
    if start[:1] in (b"{", b"["):
        return "json"
    if head.startswith(b"PK\x03\x04"):
        return "excel"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    if head[:4] in (b"\x89PNG", b"GIF8") or head[:3] == b"\xff\xd8\xff":
        return "image"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    return "text"


def _decode_head(raw: bytes, problems: Problems, *, whole: bool) -> str:
    """The first bytes of the file as text; ``whole`` is False when they stop mid-file (and
    so perhaps in the middle of a UTF-8 character)."""
    if b"\x00" in raw[:4096]:
        problems.stop("The file looks like UTF-16 or binary data, not a CSV text file",
                      hint="In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'")
    for cut in range(1 if whole else 4):
        try:
            return raw[:len(raw) - cut].decode("utf-8-sig")
        except UnicodeDecodeError:
            continue
    return raw.decode("cp1252", errors="replace")


def _csv_header(path: Path, problems: Problems, info: FileInfo) -> list[str]:
    with open(path, "rb") as fh:
        raw = fh.read(65536)
        whole = not fh.read(1)
    text = _decode_head(raw, problems, whole=whole)
    raw_lines = re.split(r"\r\n|\r|\n", text)  # lines as pyarrow counts them
    if raw_lines and not raw_lines[-1]:
        raw_lines.pop()
    if not any(line.strip() for line in raw_lines):
        problems.stop("The file is empty", hint="Export the extract again with a header row and data")
    # System reports often put a title or run date above the header: the header is the
    # early line naming most known columns (else the first line that is not blank).
    skip = next(i for i, line in enumerate(raw_lines) if line.strip())
    if len(raw_lines) > 1:
        scores, filled = [], []
        for pos, line in enumerate(raw_lines[:20]):
            cells = [c.strip().strip('"') for c in re.split(r"[,;\t|]", line)]
            known = sum(known_field(c) is not None for c in cells)
            scores.append((known, -pos))
            filled.append(sum(bool(c) for c in cells))
        best_known, neg_pos = max(scores)
        if best_known >= 2 and -neg_pos > skip and title_lines_ok(filled[:-neg_pos], filled[-neg_pos]):
            skip = -neg_pos
    if skip:
        info.notes.append(f"{skip} line(s) above the header skipped")
    info.skip = skip
    problems.offset = skip + 2
    first = raw_lines[skip]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=counts.get)
    if counts[delim] == 0:
        delim = ","
    if delim != ",":
        info.notes.append(f"columns separated by {'tab' if delim == chr(9) else repr(delim)}")
    info.delimiter = delim
    header = next(csv.reader(io.StringIO(first), delimiter=delim))
    if len(header) == 1:
        problems.stop("Only one column was found: the file is not a table of columns separated "
                      "by commas, semicolons, tabs or bars", rows=[1],
                      hint="Export the data as CSV (comma separated) with one header row; "
                           "spaces or fixed widths cannot be read")
    header = [h.strip() for h in header]
    if len(raw_lines) > skip + 2:  # the second line is complete: is it more header?
        second = next(csv.reader(io.StringIO(raw_lines[skip + 1]), delimiter=delim), [])
        check_header_rows(header, [v.strip() for v in second], problems, [skip + 1, skip + 2])
    return header


class _NotText(Exception):
    """The bytes are not text in the encoding tried."""


def _read_csv(path: Path, problems: Problems, info: FileInfo, usecols: list[str] | None,
              headers: list[str]) -> pd.DataFrame:
    if usecols is not None and not usecols:
        usecols = headers[:1]
    # Everything but the numeric fields arrives as dictionary-encoded text, dates included:
    # they are parsed once per distinct value, in the formats UK systems use.
    text = pa.dictionary(pa.int32(), pa.string())
    types = {h: text for h in headers if known_field(h) not in NUMERIC_FIELDS}
    args = (problems, info, usecols, headers, types)
    try:
        return _read_encoded(path, "utf8", *args)
    except _NotText:
        pass
    mixed = _mixed_encodings(path, info)
    if mixed is not None:
        data, lines, n_lines = mixed
        frame = _read_encoded(data, "utf8", *args)
        _add_mixed(frame, lines, n_lines, problems)
        return frame
    try:
        frame = _read_encoded(path, "cp1252", *args)
    except _NotText:
        problems.stop("The file's text encoding could not be read: it is neither UTF-8 nor "
                      "Windows-1252", hint="Open it in Excel and save it as 'CSV UTF-8 (Comma "
                                           "delimited)'")
    info.notes.append("text read as Windows-1252 (not UTF-8)")
    return frame


def _read_encoded(source, enc, problems, info, usecols, headers, types) -> pd.DataFrame:
    """Read ``source`` (a path, or bytes already made UTF-8) in one encoding, retrying with
    quoted line breaks allowed; :class:`_NotText` if its bytes are not that encoding."""
    for newlines in (False, True):
        try:
            table = pacsv.read_csv(
                pa.BufferReader(source) if isinstance(source, bytes) else source,
                read_options=pacsv.ReadOptions(encoding=enc, block_size=1 << 24,
                                               column_names=headers, skip_rows=1 + info.skip),
                parse_options=pacsv.ParseOptions(delimiter=info.delimiter,
                                                 newlines_in_values=newlines),
                convert_options=pacsv.ConvertOptions(
                    include_columns=usecols, strings_can_be_null=True,
                    null_values=NULL_VALUES, column_types=types, auto_dict_encode=True,
                    auto_dict_max_cardinality=1 << 20),
            )
        except UnicodeDecodeError:  # from the Python codec pyarrow calls for cp1252
            raise _NotText from None
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            if "UTF8" in msg or "utf8" in msg.lower() or "decode" in msg.lower():
                raise _NotText from None
            if "Expected" in msg and "columns" in msg:
                if not newlines:
                    continue
                _ragged(source, problems, info)
            if "In CSV column" in msg or "conversion error" in msg.lower():
                info.encoding = "utf-8" if enc == "utf8" else "cp1252"
                try:
                    return _read_csv_as_text(source, info, usecols, headers)
                except (pa.ArrowInvalid, UnicodeDecodeError):
                    raise _NotText from None
            problems.stop("The file could not be read as a table",
                          hint="Check it is a CSV export with one header row")
        info.encoding = "utf-8" if enc == "utf8" else "cp1252"
        _check_utf8(table)
        return arrow_to_pandas(table)


def _check_utf8(table) -> None:
    """pyarrow's CSV reader does not always check text (dictionary-encoded columns, columns it
    types as binary): check it, each distinct value once, so bytes that are not UTF-8 are
    found here."""
    for col in table.columns:
        for chunk in col.chunks:
            arr = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            if pa.types.is_binary(arr.type) or pa.types.is_large_binary(arr.type):
                raise _NotText  # what pyarrow infers for a column that is not UTF-8
            if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
                try:
                    arr.validate(full=True)
                except pa.ArrowInvalid:
                    raise _NotText from None


def _read_csv_as_text(source, info: FileInfo, usecols, headers) -> pd.DataFrame:
    enc = "utf8" if info.encoding in (None, "utf-8") else "cp1252"
    table = pacsv.read_csv(
        pa.BufferReader(source) if isinstance(source, bytes) else source,
        read_options=pacsv.ReadOptions(encoding=enc, column_names=headers,
                                       skip_rows=1 + info.skip),
        parse_options=pacsv.ParseOptions(delimiter=info.delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(include_columns=usecols, strings_can_be_null=True,
                                             column_types={h: pa.string() for h in headers}))
    return arrow_to_pandas(table)


def _mixed_encodings(path: Path, info: FileInfo):
    """A file with some lines in UTF-8 and others in Windows-1252 (rows pasted in from
    another export): ``(the file as UTF-8 bytes, (line, data row position) of each line that
    was not UTF-8, number of data lines)``, or None when no line holds UTF-8 beyond ASCII
    (then the file is Windows-1252 throughout)."""
    lines = path.read_bytes().split(b"\n")
    utf8, other, row = False, [], -1
    for i, line in enumerate(lines):
        if i > info.skip and line.strip(b"\r"):
            row += 1  # pyarrow skips empty lines
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            other.append((i + 1, row))
            lines[i] = line.decode("cp1252", errors="replace").encode("utf-8")
    if not utf8 or not other:
        return None
    return b"\n".join(lines), [(n, r) for n, r in other if n > info.skip + 1], row + 1


def _add_mixed(frame: pd.DataFrame, lines, n_lines: int, problems: Problems) -> None:
    """The rows whose line was not UTF-8 are a problem (their accented letters may be wrong)."""
    hint = ("Letters such as é or £ in them may be wrong: check them, then save the whole file "
            "as 'CSV UTF-8 (Comma delimited)'")
    problem = "the text is in the Windows-1252 encoding while the rest of the file is UTF-8"
    if not lines:
        return
    if len(frame) == n_lines:
        mask = np.zeros(len(frame), dtype=bool)
        mask[[r for _, r in lines]] = True
        problems.add(mask, column=None, problem=problem, hint=hint)
    else:  # quoted line breaks: lines are not rows, so say which lines
        problems.stop(f"{len(lines):,} lines are {problem}", rows=[n for n, _ in lines[:10]],
                      count=len(lines), hint=hint)


def _ragged(source, problems: Problems, info: FileInfo):
    """Row numbers whose field count differs from the header (error path only)."""
    bad = []
    n_fields = None
    with (io.StringIO(source.decode("utf-8", errors="replace"), newline="")
          if isinstance(source, bytes) else
          open(source, newline="", encoding=info.encoding or "utf-8", errors="replace")) as fh:
        for i, row in enumerate(csv.reader(fh, delimiter=info.delimiter), start=1):
            if i <= info.skip:
                continue
            if n_fields is None:
                n_fields = len(row)
                continue
            if row and len(row) != n_fields:
                bad.append(i)
    n = len(bad)
    problems.stop(f"{n:,} row{'s do' if n != 1 else ' does'} not have the same number of fields "
                  f"as the header ({n_fields})", rows=bad[:10], count=n,
                  hint="A value may contain the separator without quotes, or a column is missing; "
                       "export the file again as CSV")


def arrow_to_pandas(table) -> pd.DataFrame:
    cols = {}
    for name, col in zip(table.column_names, table.columns):
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = col.dictionary_encode()
        cols[name] = col
    if len(cols) != table.num_columns:  # repeated headers: let pyarrow name them
        return pa.table(cols).to_pandas()
    text = {name: col for name, col in cols.items() if _is_text_dictionary(col)}
    rest = pa.table({name: col for name, col in cols.items() if name not in text})
    frame = rest.to_pandas() if rest.num_columns else pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    if not text:
        return frame
    out = {name: pd.Series(_text_to_pandas(text[name]), index=frame.index, copy=False)
           if name in text else frame[name] for name in cols}
    return pd.DataFrame(out, index=frame.index, copy=False)


def _is_text_dictionary(col) -> bool:
    t = col.type
    return (pa.types.is_dictionary(t) and col.num_chunks > 0
            and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)))


def _text_to_pandas(col):
    """A dictionary-encoded arrow text column as a pandas categorical, or, with more than
    :data:`MAX_CATEGORIES` distinct values, as pandas text held by Arrow (no Python string is
    made for any value)."""
    # one block with more distinct values than that is enough to know, and then the blocks'
    # dictionaries are not unified (a hash table of every distinct value)
    if max(len(chunk.dictionary) for chunk in col.chunks) <= MAX_CATEGORIES:
        col = col.unify_dictionaries()
        if len(col.chunk(0).dictionary) <= MAX_CATEGORIES:
            return _dictionary_to_categorical(col)
    decoded = pa.chunked_array([chunk.dictionary.take(chunk.indices) for chunk in col.chunks],
                               type=col.type.value_type)
    values = decoded.to_pandas()  # pandas 3: str held by Arrow; pandas 2 makes objects, so:
    return values.array if is_arrow_text(values) else pd.arrays.ArrowStringArray(decoded)


def _dictionary_to_categorical(col) -> pd.Categorical:
    """A dictionary-encoded arrow column (dictionaries unified) as a pandas categorical,
    copying its indices into the small integer codes once (pyarrow's own conversion takes
    several passes)."""
    dictionary = col.chunk(0).dictionary
    categories = pa.chunked_array([dictionary]).to_pandas()
    k = len(categories)
    codes_ = np.empty(len(col), dtype=np.int8 if k < 127 else np.int16 if k < 32767 else np.int32)
    pos = 0
    for chunk in col.chunks:
        m = len(chunk)
        block = codes_[pos:pos + m]
        if chunk.null_count:
            block[:] = chunk.indices.fill_null(0).to_numpy()
            block[np.asarray(chunk.is_null())] = -1
        else:
            block[:] = chunk.indices.to_numpy()
        pos += m
    dtype = pd.CategoricalDtype(pd.Index(categories), ordered=col.type.ordered)
    return pd.Categorical.from_codes(codes_, dtype=dtype, validate=False)
