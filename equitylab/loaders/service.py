"""Read a team's own service extract into one documented schema.

Every NHS system exports different headers and codes. :func:`read_service_data` maps the
headers onto the equitylab schema (``docs/service-data-schema.md``), turns NHS codes into
the groups the equity questions need (Census 2021 ethnic groups, sex, age bands, IMD 2019
deciles), checks every value, and drops anything that could identify a patient before the
table goes anywhere else.
"""
from __future__ import annotations

import csv
import functools
import io
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, IdentifiableDataWarning
from ..provenance import SYNTHETIC_LABEL, stamp
from . import codes
from .census import lsoa_imd
from .identifiers import FULL_POSTCODE, OUTWARD_CODE, identifying_columns, header_kind

# Our column name -> header spellings seen in NHS extracts. Matching ignores case, spaces,
# underscores and punctuation, so "Ethnic Category Code", "ETHNIC_CATEGORY_CODE" and
# "ethniccategorycode" are the same.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "count": ("count", "n", "number", "numberofpatients", "patients", "numberofreferrals",
              "frequency", "freq", "people", "numberofpeople", "records"),
    "ethnicity": ("ethnicity", "ethnicgroup", "ethniccategory", "ethniccategorycode",
                  "ethnicitycode", "ethnicorigin", "ethnic", "ethnicitydescription", "ethniccode",
                  "ethnicgroupcode", "ethnicorigincode", "ethnicitygroup", "ethniccat"),
    "sex": ("sex", "gender", "personstatedgendercode", "statedgender", "gendercode", "sexcode",
            "personstatedgender", "personsex", "genderidentity", "personsexcode", "gendercurrent",
            "persongendercodecurrent"),
    "age": ("age", "ageyears", "ageatreferral", "ageatreferraldate", "patientage", "ageinyears",
            "ageatactivity", "ageatcontact", "ageatfirstappointment", "ageatadmission",
            "ageatevent", "ageyrs"),
    "age_band": ("ageband", "agegroup", "agerange", "agecategory", "agebands", "agegroups"),
    "date_of_birth": ("dob", "dateofbirth", "birthdate", "personbirthdate", "patientdob",
                      "patientdateofbirth", "datebirth"),
    "lsoa_code": ("lsoa", "lsoacode", "lsoa11", "lsoa11cd", "lsoa21", "lsoa21cd", "lsoa2011",
                  "lsoa2021", "lsoaofresidence", "lsoa11code", "lsoa21code",
                  "lowerlayersuperoutputarea", "lsoaresidence", "lsoa2011code", "lsoa2021code",
                  "patientlsoa", "lsoacd"),
    "imd_decile": ("imddecile", "imd", "deprivationdecile", "imd2019decile", "imddecile2019",
                   "indexofmultipledeprivationdecile", "imdnationaldecile"),
    "imd_quintile": ("imdquintile", "deprivationquintile", "imd2019quintile", "imdquintile2019"),
    "postcode": ("postcode", "postalcode", "patientpostcode", "homepostcode",
                 "postcodeofusualaddress", "pcode", "postcodeofresidence"),
    "postcode_district": ("postcodedistrict", "postcodeoutward", "outwardcode", "postcodearea",
                          "partialpostcode", "postcodesector"),
    "referral_date": ("referraldate", "dateofreferral", "referralreceiveddate", "referraldt",
                      "referralreceived", "datereferred", "referralrequestreceiveddate",
                      "referraldatereceived", "datereferralreceived", "referredon"),
    "referral_source": ("referralsource", "sourceofreferral", "referredby", "referrer",
                        "sourceofreferralformentalhealth", "referralsourcedescription",
                        "sourceofreferralcode"),
    "first_appointment_date": ("firstappointmentdate", "firstappointment", "firstcontactdate",
                               "dateoffirstappointment", "firstattendeddate", "firstseendate",
                               "firstattendance", "datefirstseen", "firstcarecontactdate",
                               "firstappt", "firstapptdate", "firstattendancedate"),
    "discharge_date": ("dischargedate", "dateofdischarge", "servicedischargedate",
                       "referralclosuredate", "closuredate", "closeddate", "referralenddate",
                       "dischargeddate", "dateclosed"),
    "missed_appointments": ("missedappointments", "dna", "dnas", "didnotattend", "numberofdnas",
                            "dnacount", "missed", "missedappts", "wasnotbrought", "dnawnb",
                            "numberofmissedappointments", "missedappointmentcount"),
    "waiting_days": ("waitingdays", "waitdays", "daystofirstappointment", "waitingtime",
                     "waittime", "dayswaiting", "waitingtimedays", "daysreferraltofirstappointment",
                     "waitindays", "daystofirstcontact", "waitingtimeindays"),
    "readmitted_90d": ("readmitted90d", "readmission", "readmitted", "readmittedwithin90days",
                       "readmission90days", "readmission90", "rereferral", "rereferredwithin90days",
                       "readmissionwithin90days", "readmitted90days"),
    "discharge_outcome": ("dischargeoutcome", "outcome", "dischargereason", "reasonforclosure",
                          "closurereason", "referralclosurereason", "dischargedestination",
                          "outcomeofdischarge"),
    "experience": ("experience", "fft", "fftresponse", "friendsandfamilytest",
                   "friendsandfamilytestresponse", "fftscore", "experiencescore",
                   "patientexperience", "fftrating"),
    "benefits": ("benefits", "onbenefits", "receivingbenefits", "benefitsstatus",
                 "inreceiptofbenefits", "benefit"),
    "employment": ("employment", "employmentstatus", "employmentstatuscode", "workstatus"),
    "housing": ("housing", "housingstatus", "accommodation", "accommodationstatus",
                "accommodationtype", "settledaccommodation", "settledaccommodationindicator"),
    "smoking": ("smoking", "smokingstatus", "smoker", "tobaccouse", "smokingstatuscode"),
    "team": ("team", "teamname", "service", "servicename", "clinic", "site", "serviceteam",
             "teamcode", "careteam"),
    "synthetic": ("synthetic",),
}

#: Columns of the normalised frame, in order (only those the file supports are present).
SCHEMA_COLUMNS = (
    "count", "team", "referral_date", "referral_source", "first_appointment_date",
    "discharge_date", "sex", "age", "age_band", "ethnicity", "ethnic_group_detail",
    "ethnicity_code", "lsoa_code", "imd_decile", "imd_quintile", "postcode_district",
    "benefits", "employment", "housing", "smoking", "experience", "experience_positive",
    "missed_appointments", "waiting_days", "readmitted_90d", "discharge_outcome",
)
SOURCE_FIELDS = tuple(SYNONYMS)
_DATE_COLUMNS = ("referral_date", "first_appointment_date", "discharge_date")
_EVENT_DATES = ("referral_date", "first_appointment_date", "discharge_date")
_EQUITY_COLUMNS = ("ethnicity", "sex", "age", "age_band", "date_of_birth", "lsoa_code",
                   "imd_decile", "imd_quintile", "postcode", "postcode_district")
_IDENTIFYING_FIELDS = ("date_of_birth", "postcode")

DEFAULT_AGE_BANDS = tuple(range(0, 90, 5))  # Census 2021 TS007A five-year bands, 85+ last
LSOA_CODE = re.compile(r"^[EW]01\d{6}$")

_SYN_LOOKUP = {s: name for name, spellings in SYNONYMS.items() for s in spellings}
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%b-%Y",
                 "%d %b %Y", "%d-%b-%y", "%d %B %Y", "%Y/%m/%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S",
                 "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def _key(header) -> str:
    return re.sub(r"[^a-z0-9]+", "", str(header).lower())


def age_band_labels(bands=DEFAULT_AGE_BANDS) -> list[str]:
    """Labels for age bands starting at ``bands`` (lower bounds): '0-4', ..., '85+'."""
    bands = list(bands)
    return [f"{lo}-{hi - 1}" for lo, hi in zip(bands[:-1], bands[1:])] + [f"{bands[-1]}+"]


class _Reader:
    """What we learnt about the file while reading it, for messages and attrs."""

    def __init__(self, path: Path, label: str):
        self.path = path
        self.label = label
        self.offset = 2          # file row of the first data row (header = row 1)
        self.notes: list[str] = []
        self.encoding = None
        self.delimiter = None
        self.sheet = None
        self.attrs: dict = {}
        self.skip = 0            # lines above the header (titles in system reports)
        self.rownums: np.ndarray | None = None  # file row of each data row, when not offset+i

    def fail(self, problem, *, column=None, rows=None, hint=None, count=None):
        raise DataError(problem, file=self.label, column=column, rows=rows, hint=hint, count=count)

    def fail_rows(self, mask: np.ndarray, problem: str, *, column: str, hint: str):
        """One error for every row in ``mask``: count and first ten file row numbers."""
        idx = np.flatnonzero(mask)
        n = len(idx)
        if self.rownums is not None:
            first = self.rownums[idx[:10]].tolist()
        else:
            first = (idx[:10] + self.offset).tolist()
        one = n == 1
        problem = problem.replace("{are}", "is" if one else "are").replace("{have}", "has" if one else "have")
        if one:
            text = f"1 row {problem}"
        else:
            text = f"{n:,} rows {problem}" + ("; the first 10 are listed" if n > 10 else "")
        raise DataError(text, file=self.label, column=column, rows=first, hint=hint, count=n)


def _load_mapping(mapping, reader: _Reader) -> dict:
    if mapping is None:
        return {}
    if isinstance(mapping, (str, Path)):
        mpath = Path(mapping)
        if not mpath.exists():
            raise DataError("The mapping file was not found", file=str(mpath),
                            hint="Check the path, or pass a dict such as "
                                 "{'Ethnic Origin': 'ethnicity'}")
        import yaml

        try:
            loaded = yaml.safe_load(mpath.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f" near line {line + 1}" if line is not None else ""
            raise DataError(f"The mapping file is not valid YAML{where}", file=str(mpath),
                            hint="Write one 'Header in your file: equitylab_name' pair per line "
                                 "under 'columns:'") from None
        if isinstance(loaded, dict) and isinstance(loaded.get("columns"), dict):
            loaded = loaded["columns"]
        if not isinstance(loaded, dict):
            raise DataError("The mapping file should hold pairs like 'Ethnic Origin: ethnicity'",
                            file=str(mpath), hint="See data/examples/mapping_example.yaml")
        mapping = loaded
        label = str(mpath)
    else:
        label = "mapping="
    out = {}
    for source, target in dict(mapping).items():
        if target in (None, "drop", "ignore", ""):
            out[str(source)] = None
            continue
        if target not in SOURCE_FIELDS:
            known = ", ".join(SOURCE_FIELDS)
            raise DataError(f"'{target}' is not a column equitylab knows (mapping for '{source}')",
                            file=label, hint=f"Use one of: {known}; or 'drop' to leave it out")
        out[str(source)] = target
    return out


def _map_headers(headers: list[str], mapping: dict, reader: _Reader) -> dict[str, str]:
    """Source header -> schema field, for every header we recognise."""
    seen = {}
    for i, h in enumerate(headers):
        if str(h).strip() == "" or str(h).startswith("Unnamed: "):
            reader.fail("A column has no header", rows=[1],
                        hint=f"Give column {i + 1} a name in the first row, or delete it if it is empty")
        if h in seen:
            reader.fail(f"The header '{h}' appears more than once", rows=[1],
                        hint="Rename one of the columns so each header is different")
        seen[h] = i
    for source in mapping:
        if source not in seen:
            matches = [h for h in headers if _key(h) == _key(source)]
            if not matches:
                reader.fail(f"The mapping names a column '{source}' that is not in the file",
                            hint="The file's headers are: " + ", ".join(f"'{h}'" for h in headers))
    out = {}
    keyed_mapping = {_key(k): v for k, v in mapping.items()}
    for h in headers:
        k = _key(h)
        if k in keyed_mapping:
            if keyed_mapping[k] is not None:
                out[h] = keyed_mapping[k]
            continue
        field = _SYN_LOOKUP.get(k)
        if field:
            out[h] = field
    by_field: dict[str, list[str]] = {}
    for h, f in out.items():
        by_field.setdefault(f, []).append(h)
    for field, hs in by_field.items():
        if len(hs) > 1:
            both = " and ".join(f"'{h}'" for h in hs)
            reader.fail(f"The columns {both} both look like {field}", column=hs[1],
                        hint=f"Say which to use with mapping={{'{hs[0]}': '{field}', '{hs[1]}': "
                             f"'drop'}} (or rename one in the file)")
    return out


def _sniff(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
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


def _decode_head(raw: bytes, reader: _Reader) -> str:
    if b"\x00" in raw[:4096]:
        reader.fail("The file looks like UTF-16 or binary data, not a CSV text file",
                    hint="In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            return text
        except UnicodeDecodeError as exc:
            if enc == "utf-8-sig" and exc.start >= len(raw) - 4:
                return raw[: exc.start].decode(enc)
    reader.fail("The file's text encoding could not be read: it is neither UTF-8 nor Windows-1252",
                hint="Open it in Excel and save it as 'CSV UTF-8 (Comma delimited)'")


def _csv_header(path: Path, reader: _Reader) -> list[str]:
    with open(path, "rb") as fh:
        raw = fh.read(65536)
    text = _decode_head(raw, reader)
    lines = text.splitlines()
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        reader.fail("The file is empty", hint="Export the extract again with a header row and data")
    # System reports often put a title or run date above the header: the header is the
    # early line naming most known columns.
    raw_lines = text.splitlines()
    skip = 0
    if len(raw_lines) > 1:
        scores = []
        for pos, line in enumerate(raw_lines[:20]):
            cells = re.split(r"[,;\t|]", line)
            known = sum(_key(c.strip().strip('"')) in _SYN_LOOKUP for c in cells)
            scores.append((known, -pos))
        best_known, neg_pos = max(scores)
        if best_known >= 2 and -neg_pos > 0:
            skip = -neg_pos
            reader.notes.append(f"{skip} line(s) above the header skipped")
    reader.skip = skip
    reader.offset = skip + 2
    first = raw_lines[skip]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delim = max(counts, key=counts.get)
    if counts[delim] == 0:
        delim = ","
    if delim != ",":
        reader.notes.append(f"columns separated by {'tab' if delim == chr(9) else repr(delim)}")
    reader.delimiter = delim
    header = next(csv.reader(io.StringIO(first), delimiter=delim))
    if len(header) == 1:
        reader.fail("Only one column was found: the file is not a table of columns separated by "
                    "commas, semicolons, tabs or bars", rows=[1],
                    hint="Export the data as CSV (comma separated) with one header row; "
                         "spaces or fixed widths cannot be read")
    return [h.strip() for h in header]


def _read_csv(path: Path, reader: _Reader, usecols: list[str] | None, headers: list[str]):
    import pyarrow as pa
    from pyarrow import csv as pacsv

    if usecols is not None and not usecols:
        usecols = headers[:1]
    numeric = ("count", "age", "missed_appointments", "waiting_days")
    # Text columns arrive dictionary-encoded (categories), so each distinct value is
    # checked once and a 10-million-row file stays small in memory.
    text = pa.dictionary(pa.int32(), pa.string())
    types = {h: text for h in headers if _SYN_LOOKUP.get(_key(h)) not in numeric}
    for enc in ("utf8", "cp1252"):
        for newlines in (False, True):
            try:
                table = pacsv.read_csv(
                    path,
                    read_options=pacsv.ReadOptions(encoding=enc, block_size=1 << 24,
                                                   column_names=headers, skip_rows=1 + reader.skip),
                    parse_options=pacsv.ParseOptions(delimiter=reader.delimiter,
                                                     newlines_in_values=newlines),
                    convert_options=pacsv.ConvertOptions(
                        include_columns=usecols, strings_can_be_null=True,
                        null_values=["", "NA", "N/A", "NULL", "null", "NaN", "nan", "#N/A", "None"],
                        timestamp_parsers=["%Y-%m-%d", pacsv.ISO8601],
                        column_types=types, auto_dict_encode=True,
                        auto_dict_max_cardinality=1 << 20),
                )
            except pa.ArrowInvalid as exc:
                msg = str(exc)
                if "UTF8" in msg or "utf8" in msg.lower() or "decode" in msg.lower():
                    break
                if "Expected" in msg and "columns" in msg:
                    if not newlines:
                        continue
                    _ragged(path, reader)
                if "In CSV column" in msg or "conversion error" in msg.lower():
                    reader.encoding = "utf-8" if enc == "utf8" else "cp1252"
                    return _read_csv_as_text(path, reader, usecols, headers)
                reader.fail("The file could not be read as a table",
                            hint="Check it is a CSV export with one header row")
            if enc != "utf8":
                reader.notes.append("text read as Windows-1252 (not UTF-8)")
            reader.encoding = "utf-8" if enc == "utf8" else "cp1252"
            return _arrow_to_pandas(table)
    reader.fail("The file's text encoding could not be read: it is neither UTF-8 nor Windows-1252",
                hint="Open it in Excel and save it as 'CSV UTF-8 (Comma delimited)'")


def _read_csv_as_text(path, reader, usecols, headers):
    import pyarrow as pa
    from pyarrow import csv as pacsv

    enc = "utf8" if reader.encoding in (None, "utf-8") else "cp1252"
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=enc, column_names=headers,
                                       skip_rows=1 + reader.skip),
        parse_options=pacsv.ParseOptions(delimiter=reader.delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(include_columns=usecols, strings_can_be_null=True,
                                             column_types={h: pa.string() for h in headers}))
    return _arrow_to_pandas(table)


def _ragged(path: Path, reader: _Reader):
    """Row numbers whose field count differs from the header (error path only)."""
    enc = reader.encoding or "utf-8"
    bad = []
    n_fields = None
    with open(path, newline="", encoding=enc, errors="replace") as fh:
        for i, row in enumerate(csv.reader(fh, delimiter=reader.delimiter), start=1):
            if i <= reader.skip:
                continue
            if n_fields is None:
                n_fields = len(row)
                continue
            if row and len(row) != n_fields:
                bad.append(i)
    n = len(bad)
    reader.fail(f"{n:,} row{'s do' if n != 1 else ' does'} not have the same number of fields as the "
                f"header ({n_fields})", rows=bad[:10], count=n,
                hint="A value may contain the separator without quotes, or a column is missing; "
                     "export the file again as CSV")


def _arrow_to_pandas(table) -> pd.DataFrame:
    import pyarrow as pa

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
    out = {name: pd.Series(_dictionary_to_categorical(text[name]), index=frame.index, copy=False)
           if name in text else frame[name] for name in cols}
    return pd.DataFrame(out, index=frame.index, copy=False)


def _is_text_dictionary(col) -> bool:
    import pyarrow as pa

    t = col.type
    return (pa.types.is_dictionary(t) and col.num_chunks > 0
            and (pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)))


def _dictionary_to_categorical(col) -> pd.Categorical:
    """A dictionary-encoded arrow column as a pandas categorical, copying its indices into
    the small integer codes once (pyarrow's own conversion takes several passes)."""
    import pyarrow as pa

    col = col.unify_dictionaries()
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


def _read_excel(path: Path, reader: _Reader, sheet, known=frozenset()):
    try:
        book = pd.read_excel(path, sheet_name=None if sheet is None else sheet, header=None)
    except (ValueError, KeyError) as exc:
        reader.fail(f"The Excel file could not be read ({type(exc).__name__})",
                    hint="Check the sheet name, or save the sheet as CSV UTF-8")
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a damaged file
        reader.fail("The Excel file could not be opened: it may be damaged or password protected",
                    hint="Open it in Excel and save the data sheet as 'CSV UTF-8 (Comma delimited)'")
    if isinstance(book, pd.DataFrame):
        book = {sheet: book}
    for name, raw in book.items():
        raw = raw.dropna(how="all").dropna(axis=1, how="all")
        if len(raw) < 2:
            continue
        # the header row: the early row naming most known columns (titles sit above it)
        best, best_score = None, -1
        for pos in range(min(20, len(raw) - 1)):
            cells = [c for c in raw.iloc[pos] if pd.notna(c)]
            score = sum(_key(c) in _SYN_LOOKUP or _key(c) in known for c in cells)
            if len(cells) >= 2 and score > best_score:
                best, best_score = pos, score
        if best is None:
            continue
        raw = raw.iloc[best:].dropna(axis=1, how="all")
        headers = [str(h).strip() if pd.notna(h) else "" for h in raw.iloc[0]]
        data = raw.iloc[1:].copy()
        data.columns = headers
        reader.sheet = str(name)
        reader.rownums = data.index.to_numpy(dtype=np.int64) + 1
        data = data.reset_index(drop=True)
        return data, headers
    names = ", ".join(f"'{n}'" for n in book)
    reader.fail(f"The Excel file has no sheet with a header row and data (sheets: {names})",
                hint="Put the extract on a sheet with column headers in the first row")


_NULL_TEXT = {"", "na", "n/a", "null", "nan", "#n/a", "none", "nat"}


def _categorical_strings(s: pd.Series) -> pd.Series:
    """The column as a categorical of strings (whole-number floats shown without '.0'),
    with blank and 'NULL'-like text as missing."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if not pd.api.types.is_string_dtype(cats) or cats.dtype == object:
            new = [_text(c) for c in cats]
            if len(set(new)) == len(new):
                s = s.cat.rename_categories(new)
            else:
                s = pd.Series(pd.Categorical(s.astype(object).map(_text)), index=s.index)
    else:
        if pd.api.types.is_float_dtype(s):
            vals = s.to_numpy(dtype=float)
            finite = vals[~np.isnan(vals)]
            if len(finite) and (finite == np.floor(finite)).all():
                s = s.astype("Int64")
        s = s.astype("category")
        s = s.cat.rename_categories([_text(x) for x in s.cat.categories]) \
            if len({_text(x) for x in s.cat.categories}) == len(s.cat.categories) else \
            pd.Series(pd.Categorical(s.astype(object).map(_text)), index=s.index)
    blank = [c for c in s.cat.categories if str(c).strip().lower() in _NULL_TEXT]
    if blank:
        s = s.cat.remove_categories(blank)
    return s


def _sorted(s: pd.Series) -> pd.Series:
    """Free-text categories in alphabetical order, unused ones removed, so the same data
    gives the same categories whichever order the rows came in."""
    cats = s.cat.categories
    codes_ = s.array.codes
    used = np.bincount(codes_[codes_ >= 0], minlength=len(cats)) > 0
    keep = sorted((str(c), i) for i, c in enumerate(cats) if used[i])
    table = np.full(len(cats) + 1, -1, dtype=np.int32)
    for new, (_, old) in enumerate(keep):
        table[old] = new
    return pd.Series(pd.Categorical.from_codes(table[codes_], categories=[c for c, _ in keep]),
                     index=s.index)


def _text(x) -> str:
    if isinstance(x, float) and x == int(x):
        return str(int(x))
    if isinstance(x, pd.Timestamp):
        return x.strftime("%Y-%m-%d")
    return str(x).strip()


def _map_categories(s: pd.Series, lookup, categories, *, ordered=False):
    """Map each distinct value once: returns (Categorical series, mask of unknown values)."""
    cat = _categorical_strings(s)
    results = [lookup(c) for c in cat.cat.categories]
    blank = lookup(None) if lookup is not codes.ethnicity_lookup else None
    index = {c: i for i, c in enumerate(categories)}
    table = np.array([index[r] if r is not None else -2 for r in results]
                     + [index.get(blank, -1) if blank is not None else -1], dtype=np.int64)
    cc = cat.array.codes
    if (table == -2).any():
        bad = table[cc] == -2
    else:
        bad = np.zeros(len(cc), dtype=bool)
    table[table == -2] = -1
    return _from_codes(table, cc, categories, ordered=ordered, index=s.index), bad


def _from_codes(table: np.ndarray, codes_: np.ndarray, categories, *, ordered=False, index=None):
    """The categorical whose code at each row is ``table[codes_]`` (-1 = missing), gathered
    once into the smallest integer type; the table is checked, so the rows need not be."""
    categories = list(categories)
    if len(table) and not ((table >= -1) & (table < len(categories))).all():
        raise ValueError("category table out of range")
    small = table.astype(np.int8 if len(categories) < 127 else np.int32)
    dtype = pd.CategoricalDtype(categories, ordered=ordered)
    cat = pd.Categorical.from_codes(small[codes_], dtype=dtype, validate=False)
    return pd.Series(cat, index=index, copy=False)


def _blank_lookup(lookup):
    def wrapped(value):
        if value is None or codes.normalise_text(value) in ("", "nan", "none", "null", "na"):
            return None
        return lookup(value)
    return wrapped


def _examples(s: pd.Series, bad: np.ndarray, n: int = 5) -> str:
    vals = pd.unique(s[bad].astype(str))[:n]
    return ", ".join(f"'{v}'" for v in vals)


def _numeric(s: pd.Series, reader: _Reader, column: str, field: str, *, integer=True,
             low=None, high=None, what="whole numbers", hint=None, dtype="Int64"):
    """The column as whole numbers (nullable ``dtype``) or floats, checked against
    ``low``/``high``; a DataError names the rows that are not numbers or out of range."""
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("Int64")
    if pd.api.types.is_integer_dtype(s.dtype) and len(s):
        # whole numbers (e.g. from Parquet): two reductions check the range; the row-by-row
        # masks below are only built when a value is out of range
        masked = not isinstance(s.dtype, np.dtype)
        na = s.isna().to_numpy() if masked else None
        vals = s.to_numpy(dtype=s.dtype.numpy_dtype, na_value=0) if masked else s.to_numpy()
        known = vals if na is None or not na.any() else vals[~na]
        lo, hi = (int(known.min()), int(known.max())) if len(known) else (None, None)
        if lo is not None and (low is None or lo >= low) and (high is None or hi <= high):
            if not integer:
                out = vals.astype(float)
                if na is not None:
                    out[na] = np.nan
                return pd.Series(out, index=s.index)
            target = pd.api.types.pandas_dtype(dtype)
            info = np.iinfo(target.numpy_dtype)
            if info.min <= lo and hi <= info.max:
                mask = na.copy() if na is not None else np.zeros(len(vals), dtype=bool)
                return pd.Series(pd.arrays.IntegerArray(vals.astype(target.numpy_dtype), mask),
                                 index=s.index, copy=False)
    if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or \
            pd.api.types.is_string_dtype(s):
        cat = _categorical_strings(s)
        cats = pd.to_numeric(pd.Series(cat.cat.categories).str.replace(",", "", regex=False),
                             errors="coerce").to_numpy(dtype=float)
        codes_ = cat.array.codes
        vals = np.where(codes_ >= 0, cats[np.maximum(codes_, 0)], np.nan)
        bad = (codes_ >= 0) & np.isnan(vals)
        if bad.any():
            reader.fail_rows(bad, f"in '{column}' {{are}} not numbers ({_examples(s, bad)})",
                             column=column, hint=hint or f"'{column}' should hold {what}")
    else:
        vals = s.to_numpy(dtype=float, na_value=np.nan)
    finite = ~np.isnan(vals)
    if integer:
        frac = finite & (vals != np.floor(np.where(finite, vals, 0)))
        if frac.any():
            reader.fail_rows(frac, f"in '{column}' {{are}} not whole numbers", column=column,
                             hint=hint or f"'{column}' should hold {what}")
    if low is not None:
        neg = finite & (vals < low)
        if neg.any():
            word = "negative" if low == 0 else f"below {low}"
            reader.fail_rows(neg, f"in '{column}' {{are}} {word}", column=column,
                             hint=hint or f"'{column}' should hold {what}")
    if high is not None:
        big = finite & (vals > high)
        if big.any():
            reader.fail_rows(big, f"in '{column}' {{are}} above {high}", column=column,
                             hint=hint or f"'{column}' should hold {what}")
    if not integer:
        return pd.Series(vals, index=s.index)
    return pd.Series(pd.array(np.where(finite, vals, 0).astype(np.int64), dtype="Int64"),
                     index=s.index).mask(~finite).astype(dtype)


def _dates(s: pd.Series, reader: _Reader, column: str, *, identifying=False) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s
        if getattr(out.dt, "tz", None) is not None:
            out = out.dt.tz_localize(None)
        return out.astype("datetime64[ns]")
    cat = _categorical_strings(s)
    cats = pd.Series(cat.cat.categories, dtype=object)
    parsed = pd.Series(pd.NaT, index=cats.index, dtype="datetime64[ns]")
    for fmt in _DATE_FORMATS:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(cats[todo], format=fmt, errors="coerce")
    codes_ = cat.array.codes
    bad_cat = parsed.isna().to_numpy()
    bad = (codes_ >= 0) & bad_cat[np.maximum(codes_, 0)]
    if bad.any():
        us = pd.to_datetime(cats[bad_cat], format="%m/%d/%Y", errors="coerce").notna().any()
        hint = ("Dates should look like 2024-03-31 or 31/03/2024"
                + ("; some look like month/day/year, which UK files should not use" if us else ""))
        shown = "" if identifying else f" ({_examples(s, bad)})"
        reader.fail_rows(bad, f"in '{column}' could not be read as dates{shown}", column=column,
                         hint=hint)
    values = parsed.to_numpy()
    out = np.where(codes_ >= 0, values[np.maximum(codes_, 0)], np.datetime64("NaT"))
    return pd.Series(out.astype("datetime64[ns]"), index=s.index)


@functools.cache
def _lsoa_lookup_table() -> tuple[pd.Series | None, str | None]:
    """LSOA code -> IMD 2019 national decile from the population loader, if it is there."""
    table = lsoa_imd()
    code_cols = [c for c in table.columns if "lsoa" in c.lower() and "name" not in c.lower()]
    dec_cols = [c for c in table.columns if "decile" in c.lower() and "imd" in c.lower()] or \
               [c for c in table.columns if "decile" in c.lower()]
    if not code_cols or not dec_cols:
        return None, "the IMD 2019 lookup did not have LSOA and decile columns"
    pieces = []
    for c in code_cols:
        pieces.append(pd.Series(table[dec_cols[0]].to_numpy(), index=table[c].astype(str)))
    lookup = pd.concat(pieces)
    lookup = lookup[~lookup.index.duplicated()]
    return lookup, None


def _read_postcode_lookup(postcode_lookup) -> pd.Series:
    if isinstance(postcode_lookup, pd.DataFrame):
        table, label = postcode_lookup, "postcode_lookup="
    else:
        label = str(postcode_lookup)
        try:
            table = pd.read_csv(postcode_lookup, dtype=str)
        except FileNotFoundError:
            raise DataError("The postcode lookup file was not found", file=label,
                            hint="Pass the path of a CSV with a postcode column and an LSOA code "
                                 "column (for example the ONS Postcode Directory)") from None
    pc = [c for c in table.columns if _key(c) in ("postcode", "pcds", "pcd", "pcd7", "pcd8",
                                                    "pcd2", "postalcode")]
    ls = [c for c in table.columns if _key(c) in ("lsoa11cd", "lsoa21cd", "lsoa11", "lsoa21",
                                                    "lsoa", "lsoacode", "lsoa11code", "lsoa21code")]
    if not pc or not ls:
        raise DataError("The postcode lookup needs a postcode column and an LSOA code column",
                        file=label, hint="Headers such as 'pcds' and 'lsoa11cd' (ONS Postcode "
                                         "Directory) or 'postcode' and 'lsoa_code'")
    keys = table[pc[0]].astype(str).str.replace(r"\s+", "", regex=True).str.upper()
    out = pd.Series(table[ls[0]].to_numpy(), index=keys)
    return out[~out.index.duplicated()]


def read_service_data(path, *, mapping=None, columns=None, required=None, sheet=None,
                      postcode_lookup=None, age_bands=DEFAULT_AGE_BANDS) -> pd.DataFrame:
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
        Lower bounds of the age bands; default five-year bands 0-4 ... 85+ as Census 2021.

    Returns
    -------
    DataFrame
        The columns of :data:`SCHEMA_COLUMNS` the file supports (dtypes and labels in
        ``docs/service-data-schema.md``) plus any other columns kept as they are.
        ``attrs`` holds provenance (source "file"), ``dropped_identifiers`` (list of
        ``{"column", "kind"}``), ``missing_ethnicity_pct`` (percentage of rows, or of
        the count, with ethnicity not stated) and ``validation`` (a summary dict).

    Raises
    ------
    DataError
        For anything that stops the file being used, naming file, rows and column with a fix.
        Values of identifying fields are never shown.

    Warns
    -----
    IdentifiableDataWarning
        When the file held columns that could identify a patient (named, never shown);
        they are dropped before anything else sees the data. The file is not changed.
    """
    path = Path(path)
    reader = _Reader(path, path.name)
    if not path.exists():
        raise DataError("The file was not found", file=str(path),
                        hint="Check the folder and file name (and that it has been saved)")
    if path.is_dir():
        raise DataError("This is a folder, not a file", file=str(path),
                        hint="Give the path of the extract file inside it")
    if path.stat().st_size == 0:
        reader.fail("The file is empty (0 bytes)", hint="Export the extract again")
    user_map = _load_mapping(mapping, reader)

    kind = _sniff(path)
    suffix = path.suffix.lower()
    if kind == "pdf":
        reader.fail("The file is a PDF, not a table", hint="Export the data as CSV or Excel instead")
    if kind == "image":
        reader.fail("The file is an image, not a table", hint="Export the data as CSV or Excel")
    if kind == "xls" or suffix == ".xls":
        reader.fail("Old Excel .xls files cannot be read",
                    hint="Open it in Excel and save it as .xlsx or 'CSV UTF-8 (Comma delimited)'")
    if kind == "utf16":
        reader.fail("The file is saved as UTF-16 text, which cannot be read here",
                    hint="In Excel choose File > Save As > 'CSV UTF-8 (Comma delimited)'")

    wanted = None if columns is None else set(columns)
    if wanted is not None:
        unknown = wanted - set(SCHEMA_COLUMNS) - set(SOURCE_FIELDS)
        if unknown:
            raise DataError(f"Unknown column(s) asked for: {', '.join(sorted(unknown))}",
                            hint="Use names from equitylab.loaders.service.SCHEMA_COLUMNS")

    if kind == "parquet" or suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            pfile = pq.ParquetFile(path)
        except Exception:  # noqa: BLE001
            reader.fail("The file could not be read as Parquet", hint="Export it again")
        headers = list(pfile.schema_arrow.names)
        reader.offset = 1
        fields = _map_headers(headers, user_map, reader)
        use = _columns_to_read(headers, fields, wanted, user_map)
        # text arrives dictionary-encoded straight from the file's own dictionary pages, so
        # each distinct value is checked once and no string is made per row
        import pyarrow as pa

        text = [h for h in use if pa.types.is_string(pfile.schema_arrow.field(h).type)
                or pa.types.is_large_string(pfile.schema_arrow.field(h).type)]
        if text:
            pfile = pq.ParquetFile(path, read_dictionary=text)
        table = pfile.read(columns=use)
        meta = table.schema.metadata or {}
        raw = _arrow_to_pandas(table)
        if b"PANDAS_ATTRS" in meta:
            import json
            try:
                raw.attrs.update(json.loads(meta[b"PANDAS_ATTRS"]))
            except (ValueError, TypeError):
                pass
        reader.attrs = dict(raw.attrs)
    elif kind == "excel" or suffix in (".xlsx", ".xlsm"):
        raw, headers = _read_excel(path, reader, sheet, {_key(k) for k in user_map})
        fields = _map_headers(headers, user_map, reader)
        use = _columns_to_read(headers, fields, wanted, user_map)
        raw = raw[use]
        for c in raw.columns:
            if raw[c].dtype == object:
                conv = pd.to_numeric(raw[c], errors="coerce")
                if conv.notna().sum() == raw[c].notna().sum():
                    raw[c] = conv
                elif not pd.api.types.is_datetime64_any_dtype(raw[c]):
                    raw[c] = raw[c].astype("category")
        reader.notes.append(f"read from sheet '{reader.sheet}'")
    else:
        headers = _csv_header(path, reader)
        fields = _map_headers(headers, user_map, reader)
        use = _columns_to_read(headers, fields, wanted, user_map)
        raw = _read_csv(path, reader, use, headers)

    if len(raw) == 0:
        reader.fail("The file has a header row but no data rows", hint="Export the extract again")
    if not fields or not any(f in fields.values() for f in (*_EQUITY_COLUMNS, "count")) and \
            not set(fields.values()) - {"synthetic", "team"}:
        reader.fail("None of the columns was recognised as service data",
                    hint="equitylab looks for columns such as ethnicity, sex, age, LSOA and dates; "
                         "tell it what yours are called with mapping={'Your header': 'ethnicity'} "
                         "(see docs/service-data-schema.md). The headers found were: "
                         + ", ".join(f"'{h}'" for h in headers))
    return _normalise(raw, fields, reader, wanted=wanted, required=required,
                      postcode_lookup=postcode_lookup, age_bands=age_bands, headers=headers)


def _columns_to_read(headers, fields, wanted, user_map):
    dropped = {h for h, t in user_map.items() if t is None}
    dropped |= {h for h in headers if _key(h) in {_key(k) for k, v in user_map.items() if v is None}}
    if wanted is None:
        base = [h for h in headers if h not in dropped]
    else:
        need = set(wanted) | {"count", "synthetic"}
        if {"age", "age_band"} & need:
            need |= {"age", "age_band", "date_of_birth"} | set(_EVENT_DATES)
        if {"lsoa_code", "imd_decile", "imd_quintile", "postcode_district"} & need:
            need |= {"lsoa_code", "postcode", "imd_decile", "imd_quintile", "postcode_district"}
        if {"ethnic_group_detail", "ethnicity_code"} & need:
            need.add("ethnicity")
        if "experience_positive" in need:
            need.add("experience")
        if "waiting_days" in need:
            need |= {"referral_date", "first_appointment_date"}
        base = [h for h in headers if fields.get(h) in need or h in wanted]
    # identifier columns we do not need are never read
    out = []
    for h in base:
        field = fields.get(h)
        if field is not None or header_kind(h) is None:
            out.append(h)
    return out


def _normalise(raw, fields, reader, *, wanted, required, postcode_lookup, age_bands, headers):
    n = len(raw)
    label = reader.label
    # Identifiers: name them (never their values), use DOB/postcode to derive, then drop.
    skipped = [h for h in headers if h not in raw.columns and header_kind(h)
               and fields.get(h) is None]
    # Coded fields are checked by their own code lists; free text and unknown columns are
    # checked for identifiers by content too.
    free_text = ("team", "referral_source", "discharge_outcome")
    ident = identifying_columns(raw.drop(columns=[h for h, f in fields.items()
                                               if f not in (*_IDENTIFYING_FIELDS, *free_text, None)
                                               and h in raw.columns
                                               and header_kind(h) is None]))
    for h in skipped:
        ident.append((h, header_kind(h), "the header; the column was not read"))
    ident_cols = {c for c, _, _ in ident}

    out = {}
    validation = {"rows": n, "file": label, "columns_mapped": {}, "notes": reader.notes,
                  "derived": [], "missing": {}}
    if reader.encoding:
        validation["encoding"] = reader.encoding
    if reader.delimiter:
        validation["delimiter"] = reader.delimiter
    if reader.sheet is not None:
        validation["sheet"] = reader.sheet
    src = {f: h for h, f in fields.items() if h in raw.columns
           and (h not in ident_cols or f in _IDENTIFYING_FIELDS)}
    validation["columns_mapped"] = {h: f for f, h in src.items()
                                    if f not in _IDENTIFYING_FIELDS}

    synthetic = bool(reader.attrs.get("synthetic"))
    if "synthetic" in src:
        col = raw[src["synthetic"]]
        cat = _categorical_strings(col)
        marks = {"true", "1", "yes", "y", SYNTHETIC_LABEL.lower()}
        if len(cat) and not cat.isna().any() and all(
                str(c).strip().lower() in marks for c in cat.cat.remove_unused_categories()
                .cat.categories):
            synthetic = True

    if "count" in src:
        c = src["count"]
        out["count"] = _numeric(raw[c], reader, c, "count", low=0,
                                what="a whole number of people or referrals (0 or more) per row")
    for f in ("team", "referral_source", "discharge_outcome"):
        if f in src:
            out[f] = _sorted(_categorical_strings(raw[src[f]]))

    for f in _DATE_COLUMNS:
        if f in src:
            out[f] = _dates(raw[src[f]], reader, src[f])

    if "sex" in src:
        c = src["sex"]
        out["sex"], bad = _map_categories(raw[c], codes.sex_lookup, codes.SEX_CATEGORIES)
        if bad.any():
            reader.fail_rows(bad, f"in '{c}' {{are}} not sex or gender codes we know "
                                  f"({_examples(raw[c], bad)})", column=c,
                             hint="Use the NHS codes 1 male, 2 female, 9 indeterminate, X or 0 not "
                                  "known (or M/F, Male/Female)")

    # Age: as given, or from date of birth at the first event date, held in memory only.
    if "age" in src:
        c = src["age"]
        out["age"] = _numeric(raw[c], reader, c, "age", low=0, high=120,
                              what="age in whole years from 0 to 120")
    elif "date_of_birth" in src:
        c = src["date_of_birth"]
        dob = _dates(raw[c], reader, c, identifying=True)
        event_field = next((f for f in _EVENT_DATES if f in out), None)
        if event_field is None:
            validation["notes"].append("date of birth dropped without working out ages: "
                                       "the file has no referral or appointment date")
        else:
            ev = out[event_field]
            before = (ev.dt.month < dob.dt.month) | ((ev.dt.month == dob.dt.month)
                                                     & (ev.dt.day < dob.dt.day))
            age = ev.dt.year - dob.dt.year - before.astype(int)
            age_arr = age.to_numpy(dtype=float, na_value=np.nan)
            neg = age_arr < 0
            if neg.any():
                reader.fail_rows(neg, f"{{have}} a date of birth after the {event_field.replace('_', ' ')}",
                                 column=c, hint="Check the date of birth and event date columns "
                                                "(day/month order?)")
            old = age_arr > 120
            if old.any():
                reader.fail_rows(old, "{have} a date of birth giving an age above 120", column=c,
                                 hint="Check the date of birth column")
            finite = ~np.isnan(age_arr)
            out["age"] = pd.Series(pd.array(np.where(finite, age_arr, 0).astype(np.int64),
                                            dtype="Int64"), index=raw.index).mask(~finite)
            validation["derived"].append(f"age from date of birth at {event_field}")
    if "age" in out:
        labels = age_band_labels(age_bands)
        bins = list(age_bands) + [np.inf]
        ages = out["age"].to_numpy(dtype=float, na_value=np.nan)
        out["age_band"] = pd.Series(pd.cut(ages, bins=bins, right=False, labels=labels),
                                    index=raw.index)
        out["age"] = out["age"].astype("Int16")
        if "age_band" in src:
            validation["notes"].append(f"'{src['age_band']}' ignored: age bands made from age")
    elif "age_band" in src:
        band = _categorical_strings(raw[src["age_band"]])
        band = band.cat.rename_categories([re.sub(r"\s*(?:-|to|–)\s*", "-", str(x))
                                           .replace(" and over", "+").replace(" plus", "+")
                                           for x in band.cat.categories]) \
            if band.cat.categories.is_unique else band
        out["age_band"] = band

    if "ethnicity" in src:
        c = src["ethnicity"]
        cat = _categorical_strings(raw[c])
        hits = [codes.ethnicity_lookup(x) for x in cat.cat.categories]
        unknown = np.array([h is None for h in hits] + [False])
        cc = cat.array.codes
        # rows are only looked at when some distinct value is unknown
        bad = unknown[cc] if unknown.any() else None
        if bad is not None and bad.any():
            reader.fail_rows(bad, f"in '{c}' {{are}} not NHS ethnic category codes or labels we know "
                                  f"({_examples(raw[c], bad)})", column=c,
                             hint="Use the NHS Data Dictionary codes A-H, J-N, P, R, S, Z (not "
                                  "stated) or 99 (not known), or their descriptions; map other "
                                  "local codes to these before loading")
        hits = [h if h is not None else ("", codes.NOT_STATED, None) for h in hits]
        blank = ("", codes.NOT_STATED, None)
        for name, pos, cats in (("ethnicity", 1, codes.ETHNICITY_CATEGORIES),
                                ("ethnic_group_detail", 2, codes.ETHNICITY_DETAIL_CATEGORIES),
                                ("ethnicity_code", 0, tuple(codes.ETHNIC_CATEGORY))):
            if wanted is not None and name not in wanted:
                continue  # dropped before returning anyway
            idx = {v: i for i, v in enumerate(cats)}
            table = np.array([idx.get(h[pos], -1) for h in hits] + [idx.get(blank[pos], -1)])
            out[name] = _from_codes(table, cc, cats, index=raw.index)

    # Place: LSOA (as given or through the user's postcode lookup) -> IMD 2019 national decile.
    lsoa = None
    if "lsoa_code" in src:
        c = src["lsoa_code"]
        lsoa = _categorical_strings(raw[c])
        lsoa = lsoa.cat.rename_categories([x.strip().upper() for x in lsoa.cat.categories]) \
            if pd.Index([x.strip().upper() for x in lsoa.cat.categories]).is_unique else lsoa
        ok = np.array([bool(LSOA_CODE.match(x)) for x in lsoa.cat.categories] + [True])
        bad = ~ok[lsoa.array.codes]
        if bad.any():
            reader.fail_rows(bad, f"in '{c}' {{are}} not LSOA codes ({_examples(raw[c], bad)})",
                             column=c, hint="LSOA codes look like E01001709 (9 characters); "
                                            "a postcode column needs postcode_lookup=")
    if "postcode" in src:
        c = src["postcode"]
        pc = _categorical_strings(raw[c])
        keys = pd.Series(pc.cat.categories).str.replace(r"\s+", "", regex=True).str.upper()
        outward = np.array([m.group(0) if (m := re.match(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)(?=[0-9][A-Z]{2}$)",
                                                          k) or OUTWARD_CODE.match(k)) else None
                            for k in keys] + [None], dtype=object)
        district = pd.Series(outward[pc.array.codes], index=raw.index)
        out["postcode_district"] = _sorted(district.astype("category"))
        validation["derived"].append("postcode_district (outward code) from postcode")
        if lsoa is None:
            if postcode_lookup is None:
                validation["notes"].append(
                    "full postcodes dropped: LSOA (and so deprivation decile) needs an LSOA "
                    "column or postcode_lookup=, because equitylab works offline")
                warnings.warn(f"{label}: postcodes were dropped and no deprivation decile was "
                              "added. equitylab works offline and needs an LSOA code: add an LSOA "
                              "column to the extract or pass postcode_lookup= (a postcode-to-LSOA "
                              "file such as the ONS Postcode Directory).", UserWarning, stacklevel=3)
            else:
                table = _read_postcode_lookup(postcode_lookup)
                mapped = keys.map(table)
                arr = np.array(list(mapped.to_numpy()) + [np.nan], dtype=object)
                lsoa = pd.Series(arr[pc.array.codes], index=raw.index).astype("category")
                missing = int((pc.array.codes >= 0).sum() - lsoa.notna().sum())
                validation["derived"].append("lsoa_code from postcode via postcode_lookup")
                if missing:
                    validation["notes"].append(f"{missing:,} postcodes not found in the lookup")
    elif "postcode_district" in src:
        out["postcode_district"] = _sorted(_categorical_strings(raw[src["postcode_district"]]))
    if lsoa is not None:
        out["lsoa_code"] = _sorted(lsoa)
    if "imd_decile" in src:
        c = src["imd_decile"]
        out["imd_decile"] = _numeric(raw[c], reader, c, "imd_decile", low=1, high=10,
                                     what="IMD deciles from 1 (most deprived) to 10", dtype="Int8")
    elif lsoa is not None:
        lookup, why = _lsoa_lookup_table()
        if lookup is None:
            validation["notes"].append(f"IMD decile not added: {why}")
        else:
            cats = pd.Series(lsoa.cat.categories, dtype=object)
            dec = pd.to_numeric(cats.map(lookup), errors="coerce").to_numpy(dtype=float)
            dec = np.append(dec, np.nan)
            vals = dec[lsoa.array.codes]
            finite = ~np.isnan(vals)
            out["imd_decile"] = pd.Series(pd.array(np.where(finite, vals, 0).astype(np.int8),
                                                   dtype="Int8"), index=raw.index).mask(~finite)
            unmatched = int(((lsoa.array.codes >= 0) & ~finite).sum())
            validation["derived"].append("imd_decile (IMD 2019, national) from lsoa_code")
            if unmatched:
                validation["notes"].append(
                    f"{unmatched:,} rows have an LSOA code with no IMD 2019 decile (Welsh, or an "
                    "LSOA 2021 code that changed from 2011); their decile is blank")
    if "imd_quintile" in src:
        c = src["imd_quintile"]
        out["imd_quintile"] = _numeric(raw[c], reader, c, "imd_quintile", low=1, high=5,
                                       what="IMD quintiles from 1 (most deprived) to 5", dtype="Int8")
    elif "imd_decile" in out and (wanted is None or "imd_quintile" in wanted):
        out["imd_quintile"] = ((out["imd_decile"] + 1) // 2).astype("Int8")

    yes_no_hint = "Use yes/no, true/false or 1/0"
    if "benefits" in src:
        c = src["benefits"]
        out["benefits"] = _boolean(raw[c], reader, c, yes_no_hint)
    for f, lookup, cats, hint in (
            ("employment", codes.employment_lookup, codes.EMPLOYMENT_CATEGORIES,
             "Use the NHS Data Dictionary employment status codes 01-08, ZZ, or words such as "
             "'employed', 'unemployed', 'retired'"),
            ("housing", codes.housing_lookup, codes.HOUSING_CATEGORIES,
             "Use 'settled', 'unsettled', 'homeless' or 'not stated' (or map your local labels "
             "to these first)"),
            ("smoking", codes.smoking_lookup, codes.SMOKING_CATEGORIES,
             "Use 'current smoker', 'ex-smoker', 'never smoked' or 'not stated'")):
        if f in src:
            c = src[f]
            out[f], bad = _map_categories(raw[c], _blank_lookup(lookup), cats)
            if bad.any():
                reader.fail_rows(bad, f"in '{c}' {{are}} not {f} values we know "
                                      f"({_examples(raw[c], bad)})", column=c, hint=hint)
    if "experience" in src:
        c = src["experience"]
        out["experience"], bad = _map_categories(raw[c], _blank_lookup(codes.experience_lookup),
                                                 codes.EXPERIENCE_CATEGORIES, ordered=True)
        if bad.any():
            reader.fail_rows(bad, f"in '{c}' {{are}} not Friends and Family Test answers "
                                  f"({_examples(raw[c], bad)})", column=c,
                             hint="Use 1 very good, 2 good, 3 neither good nor poor, 4 poor, "
                                  "5 very poor, 6 don't know (or those words)")
        e = out["experience"]
        pos = e.isin(["Very good", "Good"])
        unknown = e.isna() | (e == "Don't know")
        out["experience_positive"] = pd.Series(pd.array(pos.to_numpy(), dtype="boolean"),
                                               index=raw.index).mask(unknown.to_numpy())
    if "missed_appointments" in src:
        c = src["missed_appointments"]
        out["missed_appointments"] = _numeric(raw[c], reader, c, "missed_appointments", low=0,
                                              what="the number of missed appointments (0 or more)",
                                              dtype="Int32")
    if "waiting_days" in src:
        c = src["waiting_days"]
        out["waiting_days"] = _numeric(raw[c], reader, c, "waiting_days", low=0,
                                       what="whole days waited (0 or more)", dtype="Int32")
    elif "referral_date" in out and "first_appointment_date" in out:
        days = (out["first_appointment_date"] - out["referral_date"]).dt.days
        arr = days.to_numpy(dtype=float, na_value=np.nan)
        neg = arr < 0
        if neg.any():
            reader.fail_rows(neg, "{have} a first appointment before the referral date",
                             column=src["first_appointment_date"],
                             hint="Check the two date columns (day/month order?)")
        finite = ~np.isnan(arr)
        out["waiting_days"] = pd.Series(pd.array(np.where(finite, arr, 0).astype(np.int32),
                                                 dtype="Int32"), index=raw.index).mask(~finite)
        validation["derived"].append("waiting_days = first_appointment_date - referral_date")
    if "discharge_date" in out and "referral_date" in out:
        arr = (out["discharge_date"] - out["referral_date"]).dt.days.to_numpy(dtype=float,
                                                                               na_value=np.nan)
        if (arr < 0).any():
            reader.fail_rows(arr < 0, "{have} a discharge date before the referral date",
                             column=src["discharge_date"],
                             hint="Check the two date columns (day/month order?)")
    if "readmitted_90d" in src:
        c = src["readmitted_90d"]
        out["readmitted_90d"] = _boolean(raw[c], reader, c, yes_no_hint)

    # the columns were all made here: no need for pandas to copy them again
    frame = pd.DataFrame({k: out[k] for k in SCHEMA_COLUMNS if k in out}, index=raw.index,
                         copy=False)
    mapped_src = set(src.values())
    for h in raw.columns:
        if h in mapped_src or h in ident_cols:
            continue
        if wanted is not None and h not in wanted:
            continue
        frame[h] = raw[h]
    frame = frame.reset_index(drop=True)

    missing_required = [r for r in (required or []) if r not in frame.columns]
    if missing_required:
        names = ", ".join(missing_required)
        reader.fail(f"The file has no column for {names}",
                    column=missing_required[0],
                    hint=f"Add it to the extract, or say which column holds it with mapping="
                         f"{{'Your header': '{missing_required[0]}'}}. The headers found were: "
                         + ", ".join(f"'{h}'" for h in headers))
    if wanted is not None:
        frame = frame[[c for c in frame.columns if c in wanted]]

    missing_pct = None
    if "ethnicity" in frame.columns:
        not_stated = (frame["ethnicity"] == codes.NOT_STATED).to_numpy()
        if "count" in frame.columns:
            weights = frame["count"].fillna(0).to_numpy(dtype=float)
            total = weights.sum()
            missing_pct = float(100 * weights[not_stated].sum() / total) if total else None
        else:
            missing_pct = float(100 * not_stated.mean()) if len(frame) else None
    for col in frame.columns:
        na = int(np.count_nonzero(frame[col].isna().to_numpy()))
        if na:
            validation["missing"][col] = na
    validation["aggregated"] = "count" in frame.columns

    dropped = [{"column": c, "kind": k} for c, k, _ in ident]
    if ident:
        listing = ", ".join(f"'{c}' ({k})" for c, k, _ in ident)
        used = []
        if any(k == "date of birth" for _, k, _ in ident) and "age" in out:
            used.append("date of birth was used first to work out age bands")
        if any(k == "postcode" for _, k, _ in ident) and "lsoa_code" in out and "postcode" in src:
            used.append("postcode was used first to find the LSOA")
        used_text = (" (" + "; ".join(used) + ")") if used else ""
        warnings.warn(
            f"{label} held columns that could identify a patient: {listing}. They were dropped "
            f"when the file was read{used_text}; your file was not changed. equitylab needs none "
            "of them: leave them out of the extracts you share.",
            IdentifiableDataWarning, stacklevel=3)

    description = (f"{SYNTHETIC_LABEL} ({label})" if synthetic
                   else f"Service data read from {label}")
    stamp(frame, source="synthetic" if synthetic else "file",
          licence=("n/a (synthetic)" if synthetic else "the team's own data (not for publication)"),
          retrieved=reader.attrs.get("retrieved"), synthetic=synthetic, description=description)
    frame.attrs["dropped_identifiers"] = dropped
    frame.attrs["missing_ethnicity_pct"] = missing_pct
    frame.attrs["validation"] = _Summary(validation)
    return frame


class _Summary(dict):
    """The read's validation summary, kept in ``attrs`` and treated as read-only.

    pandas deep-copies ``attrs`` into the result of every operation; copying this nested
    summary each time was a measurable share of a report's run time, so it is shared instead.
    """

    def __deepcopy__(self, memo):
        return self


def _boolean(s: pd.Series, reader: _Reader, column: str, hint: str) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        return s.astype("boolean")
    cat = _categorical_strings(s)
    res = [codes.yes_no_lookup(x) for x in cat.cat.categories]
    bad_cat = np.array([r is None and codes.normalise_text(x) not in ("", "nan", "not known",
                                                                      "unknown")
                        for r, x in zip(res, cat.cat.categories)] + [False])
    cc = cat.array.codes
    bad = bad_cat[cc]
    if bad.any():
        reader.fail_rows(bad, f"in '{column}' {{are}} not yes/no values ({_examples(s, bad)})",
                         column=column, hint=hint)
    vals = np.array([bool(r) if r is not None else False for r in res] + [False])
    known = np.array([r is not None for r in res] + [False])
    return pd.Series(pd.array(vals[cc], dtype="boolean"), index=s.index).mask(~known[cc])
