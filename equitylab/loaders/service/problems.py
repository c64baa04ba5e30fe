"""Problems found in a service extract, collected so that one error lists them all.

Every check on the extract's values adds what it finds here instead of raising, so a team
sees every bad row and column in one run. A problem is described in words and by the shape
of the values at fault, never by a value that could identify someone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import pandas as pd

from ...errors import DataError
from ..identifiers import EMAIL, FULL_POSTCODE, identifiers_in

SHOWN = 10  # problems shown in full in a message; the rest are counted
EXCLUDE_TIP = 'or pass bad_rows="exclude" to leave those rows out'
_DATE_LIKE = re.compile(r"[0-9]{1,4}[-/. ][0-9]{1,2}[-/. ][0-9]{1,4}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:e[+-]?\d+)?|[+-]?inf(?:inity)?|nan",
                     re.IGNORECASE)


def shown(value) -> str:
    """``value`` as a message may show it: short codes and small numbers as they are,
    anything longer by its shape ("a 10-digit number", "a value shaped dd/dd/dddd")."""
    v = str(value).strip()
    if len(v) > 64:  # long text is never a code or a number, and no pattern need run over it
        return f"text of {len(v):,} characters"
    digits = sum(c.isdigit() for c in v)
    if _NUMBER.fullmatch(v) and digits <= 6:
        return f"'{v}'"
    if (len(v) <= 2 or (len(v) == 3 and not v.isalpha())) and "@" not in v:
        return f"'{v}'"  # a code: too short to be a name (three letters may be: "Ann")
    if v.isdigit() or re.fullmatch(r"[\d ]+", v):
        return f"{'an' if str(digits).startswith('8') or digits in (11, 18) else 'a'} {digits}-digit number"
    if FULL_POSTCODE.match(v):
        return "a value shaped like a postcode"
    if EMAIL.match(v):
        return "a value shaped like an email address"
    if re.fullmatch(r"[\d\W]+", v) and len(v) <= 25:
        return "a value shaped " + re.sub(r"\d", "d", v)
    return f"text of {len(v)} characters"


def headers_listed(headers) -> str:
    """The file's headers for a message ("'Sex', 'Age'"), unless one is shaped like an NHS
    number, postcode, email, phone number or date: then the first row is data, not headers,
    and it is not repeated."""
    if any(identifiers_in(str(h)) or _DATE_LIKE.fullmatch(str(h).strip()) for h in headers):
        return ("not listed, because the first row holds values shaped like identifiers or "
                "dates: the file may have no header row (add one)")
    return ", ".join(f"'{h}'" for h in headers)


@dataclass
class Problem:
    positions: np.ndarray  # data-row positions (0 = first data row)
    column: str | None
    problem: str           # what is wrong, without any value
    hint: str
    examples: tuple[str, ...] = ()
    fatal: bool = False    # the column cannot be read at all, so leaving rows out is no cure
    expected: str | None = None  # the form a value should take ("dd/mm/yyyy"): never data


def _said(p: Problem) -> str:
    examples = f" ({', '.join(p.examples)})" if p.examples else ""
    return (f"'{p.column}' is " if p.column else "") + p.problem + examples


class Problems:
    """What is wrong with one file: collected while checking, raised once at the end.

    Row numbers are counted as in the file (header = row 1, title lines above the header
    counted too); ``rownums`` overrides that for sheets whose rows are not consecutive.
    """

    def __init__(self, file: str):
        self.file = file
        self.offset = 2
        self.rownums: np.ndarray | None = None
        self.found: list[Problem] = []

    def stop(self, problem: str, *, column=None, rows=None, hint=None, count=None) -> NoReturn:
        """A problem with the file as a whole (its format, headers or shape): nothing more
        can be checked, so it is raised at once."""
        raise DataError(problem, file=self.file, column=column, rows=rows, hint=hint, count=count)

    def add(self, mask: np.ndarray, *, column: str | None, problem: str, hint: str,
            values: pd.Series | None = None, fatal: bool = False,
            expected: str | None = None) -> None:
        """Rows where ``mask`` is True have ``problem`` in ``column``. ``values`` (the
        column as read) lets the message show examples, as :func:`shown` allows; leave it
        out for identifying columns. A ``fatal`` problem stops loading even when bad rows
        are to be left out. ``expected`` is the form a good value takes ("dd/mm/yyyy or
        yyyy-mm-dd"), which reports may print beside the problem: a format, never a value."""
        positions = np.flatnonzero(mask)
        if not len(positions):
            return
        examples = ()
        if values is not None:
            bad = values.iloc[positions[:10_000]].dropna()
            if pd.api.types.is_float_dtype(bad.dtype):  # 4010232137.0 is the 10 digits read
                bad = bad.map(lambda x: str(int(x)) if x.is_integer() and abs(x) < 1e15 else str(x))
            distinct = pd.unique(bad.astype(str).to_numpy())[:3]
            examples = tuple(dict.fromkeys(shown(v) for v in distinct))
        self.found.append(Problem(positions, column, problem, hint, examples, fatal, expected))

    def __bool__(self) -> bool:
        return bool(self.found)

    @property
    def fatal(self) -> bool:
        return any(p.fatal for p in self.found)

    def row_numbers(self, positions: np.ndarray) -> np.ndarray:
        if self.rownums is not None:
            return self.rownums[positions]
        return positions + self.offset

    def bad_rows(self, n: int) -> np.ndarray:
        """True for every data row with at least one problem."""
        bad = np.zeros(n, dtype=bool)
        for p in self.found:
            bad[p.positions] = True
        return bad

    def table(self) -> pd.DataFrame:
        """One line per row and column at fault: ``row`` (as in the file), ``column``,
        ``problem`` and ``count`` (rows sharing that problem in that column).

        ``column`` and ``problem`` are categoricals: a file where every row is at fault has
        millions of lines but only a few distinct problems, and a text column would repeat
        each problem's words on every line (gigabytes for a 10-million-row file)."""
        if not self.found:
            return pd.DataFrame({"row": [], "column": [], "problem": [], "count": []})
        sizes = np.array([len(p.positions) for p in self.found])
        rows = np.concatenate([self.row_numbers(p.positions) for p in self.found])
        order = np.argsort(rows, kind="stable")
        # the problem of each line, in row order
        which = np.repeat(np.arange(len(self.found), dtype=np.int32), sizes)[order]

        def per_line(values):
            codes, uniques = pd.factorize(pd.Series(values, dtype=object))
            return pd.Categorical.from_codes(codes[which], categories=uniques)

        return pd.DataFrame({"row": rows[order],
                             "column": per_line([p.column for p in self.found]),
                             "problem": per_line([p.problem for p in self.found]),
                             "count": sizes[which]})

    def reasons(self) -> list[dict]:
        """The problems as plain data (for ``attrs``): column, problem, count, first rows,
        and, where the problem has one, the form a good value takes (``expected``)."""
        return [{"column": p.column, "problem": p.problem, "count": len(p.positions),
                 "rows": self.row_numbers(p.positions[:SHOWN]).tolist()}
                | ({"expected": p.expected} if p.expected else {})
                for p in self._ordered()]

    def _ordered(self) -> list[Problem]:
        return sorted(self.found, key=lambda p: int(p.positions[0]))

    def _line(self, p: Problem) -> str:
        n = len(p.positions)
        rows = self.row_numbers(p.positions[:SHOWN]).tolist()
        where = ("row " if n == 1 else "rows ") + ", ".join(map(str, rows))
        if n > SHOWN:
            where += f" and {n - SHOWN:,} more ({n:,} rows)"
        return f"{where}: {_said(p)}. {p.hint.rstrip('.')}."

    def error(self, n: int) -> DataError:
        """One DataError for everything found: the first problems in full, the rest counted."""
        ordered = self._ordered()
        bad = self.bad_rows(n)
        n_bad = int(bad.sum())
        first = self.row_numbers(np.flatnonzero(bad)[:SHOWN]).tolist()
        columns = {p.column for p in ordered}
        column = next(iter(columns)) if len(columns) == 1 else None
        rows_word = "1 row" if n_bad == 1 else f"{n_bad:,} rows"
        if len(ordered) == 1:
            p = ordered[0]
            return DataError(f"In {rows_word}, {_said(p)}", file=self.file,
                             column=column, rows=first, count=n_bad, problems=self.table(),
                             hint=f"{p.hint.rstrip('.')}; fix the file and read it again, "
                                  f"{EXCLUDE_TIP}")
        details = [self._line(p) for p in ordered[:SHOWN]]
        if len(ordered) > SHOWN:
            rest = ordered[SHOWN:]
            rest_rows = len(np.unique(np.concatenate([p.positions for p in rest])))
            details.append(f"and {len(rest)} more problems in {rest_rows:,} rows "
                           "(all of them are in the error's problems table)")
        return DataError(f"{len(ordered)} problems in {rows_word}, listed below; nothing was "
                         "loaded", file=self.file, column=column, rows=first, count=n_bad,
                         problems=self.table(), details=details,
                         hint=f"Fix them in the file and read it again, {EXCLUDE_TIP}")
