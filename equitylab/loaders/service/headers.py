"""Which of an extract's columns is which: header spellings, the user's mapping, and the
columns worth reading.

Every NHS system exports different headers. Matching ignores case, spaces, underscores and
punctuation, so "Ethnic Category Code", "ETHNIC_CATEGORY_CODE" and "ethniccategorycode" are
the same; a user's ``mapping=`` (a dict or a YAML file) names the rest.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ...errors import DataError
from ..identifiers import header_kind, identifiers_in
from .problems import Problems, headers_listed, shown

#: Source field -> header spellings seen in NHS extracts (in :func:`key` form).
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

SOURCE_FIELDS = tuple(SYNONYMS)
#: Schema columns made from another column (their source). A file saved from a frame
#: read_service_data returned has both: read back, the column is made again from its
#: source, so the copy in the file is not read (and cannot disagree with it).
REMADE = {"ethnicity": "ethnicity_code", "ethnic_group_detail": "ethnicity_code",
          "experience_positive": "experience"}
EVENT_DATES = ("referral_date", "first_appointment_date", "discharge_date")
_SYN_LOOKUP = {s: name for name, spellings in SYNONYMS.items() for s in spellings}


def key(header) -> str:
    """A header in the form synonyms are matched in: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]+", "", str(header).lower())


def known_field(header) -> str | None:
    """The source field a header names by one of its built-in spellings, or None."""
    return _SYN_LOOKUP.get(key(header))


def remade(headers, mapping: dict | None = None) -> dict[str, str]:
    """{header: header it is made from} for the schema columns of :data:`REMADE` whose
    source column is in the file too, unless the user's ``mapping`` names them."""
    by_key = {key(h): h for h in headers}
    named = {key(k) for k in (mapping or {})}
    return {by_key[key(col)]: by_key[key(source)] for col, source in REMADE.items()
            if key(col) in by_key and key(source) in by_key and key(col) not in named}


def title_lines_ok(cells_above: list[int], header_cells: int) -> bool:
    """Lines above a header can be skipped as titles (a report name, a run date) only if each
    has fewer than half the header's filled cells: a line as full as the header is itself a
    header or data, and skipping it would silently drop a row."""
    return all(n < max(2, header_cells / 2) for n in cells_above)


_VALUE = re.compile(r"[\d\s.,:/+%-]+")


def check_header_rows(headers: list[str], second: list[str], problems: Problems,
                      rows: list[int]) -> None:
    """Stop when the header runs over two rows: the row under it holds no numbers or dates,
    and reading a header cell with the cell under it ('Referral' above 'Date') names a
    column the header cell alone does not."""
    filled = [v for v in second if v]
    if len(filled) < 2 or any(_VALUE.fullmatch(v) for v in filled):
        return
    for h, v in zip(headers, second):
        if v and known_field(f"{h} {v}") not in (None, known_field(h)):
            above = f"'{h}' above '{v}'" if h else f"'{v}' under an empty header cell"
            example = f"{h} {v}".strip()
            problems.stop(f"The header seems to run over two rows ({above})", rows=rows,
                          hint="Put each column's name in one cell of a single header row "
                               f"(for example '{example}') and delete the other row")


def header_like_rows(raw, fields: dict[str, str]) -> np.ndarray:
    """Rows of the data that repeat a header (two exports pasted one under the other): at
    least two cells, and at least half the row's filled text cells, are their column's own
    header or another name for the same field."""
    # columns of identifiers (a distinct value per row) are left out: a header row shows
    # in the columns of codes and words too
    text = [h for h in raw.columns if isinstance(raw[h].dtype, pd.CategoricalDtype)
            and len(raw[h].cat.categories) <= 100_000]
    own = {}
    for h in text:
        keys = pd.Series(raw[h].cat.categories, dtype=object).astype(str).str.lower() \
            .str.replace(r"[^a-z0-9]+", "", regex=True)
        named = (keys == key(h)) | (keys.map(_SYN_LOOKUP) == fields.get(h, ""))
        own[h] = np.append(named.to_numpy(dtype=bool), False)
    hits = np.zeros(len(raw), dtype=np.int32)
    if sum(o.any() for o in own.values()) < 2:
        return hits.astype(bool)  # fewer than two columns hold their header: no such row
    text_cells = np.zeros(len(raw), dtype=np.int32)
    for h in text:
        codes = raw[h].cat.codes.to_numpy()
        hits += own[h][codes]
        text_cells += codes >= 0
    return (hits >= 2) & (2 * hits >= text_cells)


def load_mapping(mapping) -> dict:
    """The user's ``mapping=`` as {header: source field, or None to drop}."""
    if mapping is None:
        return {}
    if isinstance(mapping, (str, Path)):
        mpath = Path(mapping)
        if not mpath.exists():
            raise DataError("The mapping file was not found", file=str(mpath),
                            hint="Check the path, or pass a dict such as "
                                 "{'Ethnic Origin': 'ethnicity'}")
        try:
            loaded = yaml.safe_load(mpath.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise DataError("The mapping file is not a text file", file=str(mpath),
                            hint="Save it as plain UTF-8 text with one 'Header in your file: "
                                 "equitylab_name' pair per line") from None
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


def map_headers(headers: list[str], mapping: dict, problems: Problems) -> dict[str, str]:
    """Source header -> schema field, for every header we recognise."""
    seen = {}
    for i, h in enumerate(headers):
        if str(h).strip() == "" or str(h).startswith("Unnamed: "):
            problems.stop("A column has no header", rows=[1],
                          hint=f"Give column {i + 1} a name in the first row, or delete it if it is empty")
        if h in seen:
            problems.stop(f"The header {shown(h) if identifiers_in(str(h)) else repr(str(h))} "
                          "appears more than once", rows=[1],
                          hint="Rename one of the columns so each header is different")
        seen[h] = i
    for source in mapping:
        if source not in seen:
            matches = [h for h in headers if key(h) == key(source)]
            if not matches:
                problems.stop(f"The mapping names a column '{source}' that is not in the file",
                              hint="The file's headers are: " + headers_listed(headers))
    out = {}
    keyed_mapping = {key(k): v for k, v in mapping.items()}
    again = remade(headers, mapping)
    for h in headers:
        k = key(h)
        if h in again:
            continue
        if k in keyed_mapping:
            if keyed_mapping[k] is not None:
                out[h] = keyed_mapping[k]
            continue
        field = _SYN_LOOKUP.get(k)
        if field:
            out[h] = field
    # a date of birth or postcode in any spelling the detector knows ("DOB (dd/mm/yyyy)",
    # "Dyddiad geni", "Cod post") is used for age or district before it is dropped
    for kind, field in (("date of birth", "date_of_birth"), ("postcode", "postcode")):
        spelt = [h for h in headers if h not in out and key(h) not in keyed_mapping
                 and header_kind(h) == kind]
        if len(spelt) == 1 and field not in out.values():
            out[spelt[0]] = field
    by_field: dict[str, list[str]] = {}
    for h, f in out.items():
        by_field.setdefault(f, []).append(h)
    for field, hs in by_field.items():
        if len(hs) > 1:
            both = ", ".join(f"'{h}'" for h in hs[:-1]) + f" and '{hs[-1]}'"
            problems.stop(f"The columns {both} {'both' if len(hs) == 2 else 'all'} look like "
                          f"{field}", column=hs[1],
                          hint=f"Say which to use with mapping={{'{hs[0]}': '{field}', "
                               f"'{hs[1]}': 'drop'}} (or rename one in the file)")
    return out


def columns_to_read(headers, fields, wanted, user_map) -> list[str]:
    """The headers worth reading: all but dropped ones, or those ``wanted`` (with the
    source columns they are derived from); identifier columns nobody needs are never read."""
    dropped = {h for h, t in user_map.items() if t is None} | set(remade(headers, user_map))
    dropped |= {h for h in headers if key(h) in {key(k) for k, v in user_map.items() if v is None}}
    if wanted is None:
        base = [h for h in headers if h not in dropped]
    else:
        need = set(wanted) | {"count", "synthetic"}
        if {"age", "age_band"} & need:
            need |= {"age", "age_band", "date_of_birth"} | set(EVENT_DATES)
        if {"lsoa_code", "imd_decile", "imd_quintile", "postcode_district"} & need:
            need |= {"lsoa_code", "postcode", "imd_decile", "imd_quintile", "postcode_district"}
        if {"ethnic_group_detail", "ethnicity_code"} & need:
            need.add("ethnicity")
        if "experience_positive" in need:
            need.add("experience")
        if "waiting_days" in need:
            need |= {"referral_date", "first_appointment_date"}
        base = [h for h in headers if (fields.get(h) in need or h in wanted)
                and h not in dropped]
    # identifier columns we do not need are never read
    out = []
    for h in base:
        field = fields.get(h)
        if field is not None or header_kind(h) is None:
            out.append(h)
    return out
