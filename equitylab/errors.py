"""The equitylab exception hierarchy.

Every error a learner can meet is an :class:`EquityLabError` whose message is one
plain-English paragraph: what is wrong, where (file, rows, column) and how to fix it.
The structured fields stay on the exception so tools can use them without parsing text.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def _rows_text(rows: Sequence[int] | None, limit: int = 10, count: int | None = None) -> str:
    """'rows 3, 5 and 40 more': the first ``limit`` rows of ``count`` (default: all rows)."""
    if not rows:
        return ""
    rows = list(rows)
    count = max(count or 0, len(rows))
    shown = ", ".join(str(r) for r in rows[:limit])
    more = f" and {count - min(limit, len(rows)):,} more" if count > min(limit, len(rows)) else ""
    word = "row" if count == 1 else "rows"
    return f"{word} {shown}{more}"


def _message(problem: str, where: list[str], hint: str | None) -> str:
    """One paragraph: the problem, where it is (in brackets), then how to fix it."""
    message = problem.rstrip(".")
    if where:
        message += " (" + ", ".join(where) + ")"
    message += "."
    if hint:
        message += " " + hint.rstrip(".") + "."
    return message


class EquityLabError(Exception):
    """Base class of every error equitylab raises on purpose."""

    def __init__(self, message: str = "", **context):
        self.context = context
        super().__init__(message)


class DataError(EquityLabError, ValueError):
    """Input data cannot be used as it is: a wrong column, an unknown code, a bad value.

    Parameters
    ----------
    problem : str
        What is wrong, in plain English.
    file : str, optional
        The file the data came from.
    column : str, optional
        The column at fault.
    rows : sequence of int, optional
        Row numbers as a person counts them: in a file the header is row 1, so the first
        data row of a CSV is row 2; in a table passed to a measure, the first row is row 1.
    hint : str, optional
        How to fix it.
    count : int, optional
        How many rows have the problem, when ``rows`` lists only the first of them.
    problems : DataFrame, optional
        Every problem found, when there were several: one line per row and column at fault,
        with columns ``row`` (numbered as ``rows``), ``column``, ``problem`` (what is wrong,
        never the value) and ``count`` (how many rows share that problem in that column).
    details : sequence of str, optional
        Lines shown under the paragraph, one problem each.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        column: str | None = None,
        rows: Iterable[int] | None = None,
        hint: str | None = None,
        count: int | None = None,
        problems=None,
        details: Sequence[str] = (),
    ):
        self.problem = problem
        self.file = None if file is None else str(file)
        self.column = column
        self.rows = sorted(int(r) for r in rows) if rows is not None else []
        self.hint = hint
        self.count = count if count is not None else (len(self.rows) or None)
        self.problems = problems
        where = []
        if self.file:
            where.append(f"in {self.file}")
        if self.column:
            where.append(f"column '{self.column}'")
        rows_text = _rows_text(self.rows, count=self.count)
        if rows_text:
            where.append(rows_text)
        message = _message(problem, where, hint) + "".join(f"\n  - {line}" for line in details)
        super().__init__(message, file=self.file, column=column, rows=self.rows, hint=hint)


class SourceUnavailable(EquityLabError, LookupError):
    """The data asked for is not in the offline snapshot and cannot be fetched here."""


class ProjectFileError(EquityLabError, ValueError):
    """A project file cannot be read or written (with the line and field at fault)."""

    def __init__(self, problem: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None, hint: str | None = None):
        self.problem, self.file, self.line, self.field, self.hint = problem, file, line, field, hint
        where = []
        if file:
            where.append(f"in {file}")
        if line is not None:
            where.append(f"line {line}")
        if field:
            where.append(f"field '{field}'")
        super().__init__(_message(problem, where, hint), file=file, line=line, field=field, hint=hint)


class IdentifiableDataWarning(UserWarning):
    """A file held columns that could identify a patient; they were dropped on load."""


class SmallNumbersWarning(UserWarning):
    """Output shows small numbers: for the team only, not for sharing."""
