"""Which columns of a table could identify a person: by header first, then by every value.

Each text column is read one distinct value at a time (a categorical's categories, or a
column's unique values), so a 10-million-row extract with a few hundred distinct teams costs
a few hundred checks; the rows a finding covers are counted from the category codes. Nothing
here keeps or returns a value: a finding says which column, what kind, and the shape and
number of the values that gave it away.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .headers import header_kind, names_something_else
from .shapes import KINDS, OUTWARD_CODE, SHAPE, as_arrow, matches, nhs_numbers_valid, value_kinds

NAME_SHAPE = "values shaped like people's names ('Firstname Surname')"
MIN_BIRTH_SPREAD_YEARS = 10   # dates of birth of a service's patients spread over decades
MAX_NAME_REPEATS = 10         # a name recurs a few times (re-referrals); a category far more


class Identifier(NamedTuple):
    """A column that could identify a person. ``reason`` says how it was found (its
    header, or the shape of its values and in how many rows), never a value. ``drop`` is
    False for a column that only might (values shaped like names, dates that could be
    dates of birth): it is kept and the user is asked to confirm."""

    column: str
    kind: str
    reason: str
    drop: bool = True

    def described(self) -> str:
        if self.reason == "its header":
            return f"'{self.column}' ({self.kind}, by its header)"
        return f"'{self.column}' ({self.reason})"


def identifying_columns(df: pd.DataFrame) -> list[Identifier]:
    """Columns of ``df`` that could identify a person, found by header and by every value.

    By header (:func:`~.headers.header_kind`): NHS, CHI and H&C numbers, hospital and
    local patient numbers, names, dates of birth, email addresses, phone numbers, full
    postcodes and addresses, in NHS export spellings and the languages teams write in.

    By content, in every value of every text column: NHS numbers that pass Modulus 11,
    full postcodes, email addresses and phone numbers, whole or inside free text (the
    column is dropped); values shaped like people's names, and dates spread over many years
    as dates of birth are, in a column with no header saying so (kept, ``drop=False``, so
    the user can confirm). Numeric columns are checked for NHS numbers.

    Returns
    -------
    list of :class:`Identifier` (column, kind, reason, drop), in column order.
    """
    found = []
    for column in df.columns:
        s = df[column]
        kind = header_kind(column)
        if kind == "postcode" and _outward_codes_only(s):
            continue  # districts ("E8") cover thousands of people: not identifying
        if kind:
            found.append(Identifier(str(column), kind, "its header"))
            continue
        hit = _by_content(str(column), s)
        if hit is not None:
            found.append(hit)
    return found


class _Distinct:
    """A column's distinct non-missing values and, only when asked, how many rows hold each
    (from the category codes of a categorical, from ``value_counts`` otherwise)."""

    def __init__(self, s: pd.Series):
        self._codes = None
        if isinstance(s.dtype, pd.CategoricalDtype):
            self.values = pd.Series(s.cat.categories)
            self._codes, self._counts = s.cat.codes.to_numpy(), None
        else:
            counts = s.value_counts(dropna=True, sort=False)
            self.values, self._counts = pd.Series(counts.index), counts.to_numpy()

    @property
    def counts(self) -> np.ndarray:
        if self._counts is None:
            codes = self._codes
            self._counts = np.bincount(codes[codes >= 0], minlength=len(self.values))
        return self._counts

    def rows(self, mask: np.ndarray) -> int:
        """How many rows hold one of the distinct values marked in ``mask``."""
        return int(self.counts[mask].sum()) if mask.any() else 0


def _rows_text(n: int) -> str:
    return "1 row" if n == 1 else f"{n:,} rows"


def _outward_codes_only(s: pd.Series) -> bool:
    values = _Distinct(s).values.astype(str).str.strip()
    values = values[values != ""]
    return bool(len(values)) and bool(values.str.match(OUTWARD_CODE).all())


def _by_content(column: str, s: pd.Series) -> Identifier | None:
    if pd.api.types.is_bool_dtype(s):
        return None
    if pd.api.types.is_datetime64_any_dtype(s):
        return _birth_dates(column, s)
    if pd.api.types.is_numeric_dtype(s) and not isinstance(s.dtype, pd.CategoricalDtype):
        return _nhs_numbers_as_numbers(column, s)
    distinct = _Distinct(s)
    if not len(distinct.values):
        return None
    arr = as_arrow(distinct.values)
    kinds = value_kinds(arr)
    rows = {k: distinct.rows(kinds[k]) for k in KINDS}
    hit = [k for k in KINDS if rows[k]]
    if hit:
        flagged = np.logical_or.reduce([kinds[k] for k in hit])
        if len(hit) == 1 and kinds["whole"][flagged].all():
            kind = hit[0]
        else:
            kind = "free text with identifiers"
        reason = "; ".join(f"{SHAPE[k]}, in {_rows_text(rows[k])}" for k in hit)
        return Identifier(column, kind, reason)
    if not names_something_else(column):
        names = _names(arr, distinct)
        if names is not None:
            return Identifier(column, "name", f"{NAME_SHAPE}, in {_rows_text(names)}; kept: "
                              "confirm whether they are names", drop=False)
    return _birth_dates(column, s, arr, distinct)


def _nhs_numbers_as_numbers(column: str, s: pd.Series) -> Identifier | None:
    vals = s.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ten = (vals >= 1e9) & (vals < 1e10) & (vals == np.floor(vals))
    if not ten.any():
        return None
    distinct, counts = np.unique(vals[ten].astype(np.int64), return_counts=True)
    valid = nhs_numbers_valid(distinct)
    n = int(counts[valid].sum())
    if not n:
        return None
    return Identifier(column, "NHS number", f"{SHAPE['NHS number']}, in {_rows_text(n)}")


# ---- values shaped like names ---------------------------------------------------------------

_TITLE = r"(?:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS|MISS|MX)\.?"
NAME_RE2 = rf"^\s*(?:{_TITLE} )?[\p{{L}}'’-]{{2,}}(?:,? [\p{{L}}'’.-]+){{1,4}}\s*$"
_PARTICLE = (r" (?:van|von|der|den|de|del|della|da|di|du|dos|das|le|la|bin|binti|ibn|al|el|ap"
             r"|ab|ben) ")
_LOWER_WORD = r"(?:^|[ ,])(?:\p{Ll}|['’-])"  # a word that does not start with a capital
# Words that make a two-word capitalised value something other than a person: GP practices
# (even "Dr Smith's Surgery"), teams, places, ethnic groups, referral sources and outcomes.
_NOT_NAMES = tuple("""
dr drs doctor prof professor surgery surgeries practice practices medical centre center health
healthcare clinic hospital hospitals team teams service services unit ward trust nhs ccg icb pcn
gp gps community mental crisis recovery home care support network hub primary secondary acute
intervention early psychosis memory older adult adults children young people camhs cmht iapt
talking therapies therapy assessment liaison perinatal eating disorder disorders forensic rehab
rehabilitation inpatient outpatient north south east west central city county borough district
local authority council school college university police court prison probation social self
referral emergency department other unknown not known stated declined any background british
irish white black asian mixed african caribbean indian pakistani bangladeshi chinese arab gypsy
traveller roma english welsh scottish male female completed treatment discharged moved away
transferred died deceased did attend dna further needs met choice lost contact road street
lane grove house park avenue way close hill green square gardens place court lodge manor hall
farm mill bridge field fields wood view terrace row crescent drive walk gate cross common
heath vale rise mews partnership partners group family friends yes no none and of the for in
on at to by with from new old general royal saint st queen king memorial wing floor""".split())
_NOT_NAMES_RE2 = (r"(?i)(?:^|[ ,.-])(?:" + "|".join(sorted(_NOT_NAMES)) + r")(?:$|[ ,.-]|['’]s)")


def name_shaped(values) -> np.ndarray:
    """Which of ``values`` (strings, any missing, or an Arrow string array) are shaped like
    a person's name: two to five words of letters, each starting with a capital (or a
    particle such as "da", "van der"), as in "Aisha Okonkwo", "SMITH, John", "Mrs Ana-Maria
    da Silva"; and none of them a word that names a practice, team, place, group or outcome
    ("Dr Smith's Surgery", "White British", "Moved Away")."""
    arr = values if isinstance(values, pa.Array) else as_arrow(list(values))
    shaped = matches(arr, NAME_RE2)
    if not shaped.any():
        return shaped
    idx = np.flatnonzero(shaped)
    sub = arr.take(pa.array(idx))
    plain = pc.replace_substring_regex(pc.replace_substring_regex(sub, _PARTICLE, " "),
                                       _PARTICLE, " ")
    shaped[idx] = ~matches(plain, _LOWER_WORD) & ~matches(sub, _NOT_NAMES_RE2)
    return shaped


def _names(arr: pa.Array, distinct: _Distinct) -> int | None:
    """Rows whose value looks like a person's name, when most distinct values do and they
    recur as names do (a category such as a team recurs far more); else None."""
    shaped = name_shaped(arr)
    n_distinct = int(shaped.sum())
    present = len(arr) - arr.null_count
    if n_distinct < 3 or n_distinct < 0.5 * present:
        return None
    rows = distinct.rows(shaped)
    return rows if rows <= MAX_NAME_REPEATS * n_distinct else None


# ---- dates that could be dates of birth -------------------------------------------------------

_DATE_RE2 = (r"^\s*(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{2}|\d{4})|\d{4}-\d{1,2}-\d{1,2}"
             r"|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d %b %Y",
                 "%d-%b-%Y", "%d %B %Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")


def _birth_dates(column: str, s: pd.Series, arr: pa.Array | None = None,
                 distinct: _Distinct | None = None) -> Identifier | None:
    """Dates spread over many years, as dates of birth are and one extract's event dates
    rarely are, in a column whose header does not say what they are."""
    if arr is None:  # a datetime column
        when = s.dropna()
        if not len(when):
            return None
        if getattr(when.dt, "tz", None) is not None:
            when = when.dt.tz_localize(None)
        dates = pd.Series(when.to_numpy())
        weights = np.ones(len(dates))
    else:
        shaped = matches(arr, _DATE_RE2)
        present = len(arr) - arr.null_count
        if not present or shaped.sum() < 0.8 * present:
            return None
        text = np.array(pc.utf8_trim_whitespace(arr.filter(pa.array(shaped))).to_pylist(),
                        dtype=object)
        parsed = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
        for fmt in _DATE_FORMATS:
            todo = np.isnat(parsed)
            if not todo.any():
                break
            parsed[todo] = pd.to_datetime(pd.Series(text[todo]), format=fmt,
                                          errors="coerce").to_numpy(dtype="datetime64[ns]")
        counts = distinct.counts
        keep = ~np.isnat(parsed)
        dates = pd.Series(parsed[keep])
        weights = counts[np.flatnonzero(shaped)][keep].astype(float)
    if dates.nunique() < 10:
        return None
    order = np.argsort(dates.to_numpy())
    sorted_dates = dates.to_numpy()[order]
    cum = np.cumsum(weights[order]) / weights.sum()
    low = sorted_dates[np.searchsorted(cum, 0.05)]
    high = sorted_dates[min(np.searchsorted(cum, 0.95), len(cum) - 1)]
    years = (high - low) / np.timedelta64(1, "D") / 365.25
    if years < MIN_BIRTH_SPREAD_YEARS:
        return None
    return Identifier(column, "date of birth",
                      f"dates spread over {years:.0f} years, as dates of birth are; kept: "
                      "confirm what they are", drop=False)
