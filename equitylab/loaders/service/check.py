"""Checking a team's extract before a long run, and saying what is wrong in a terminal.

``equitylab curriculum`` and ``equitylab report`` read the extract once, as the notebooks
will, before any kernel starts: a file with problems stops the command at once with every
problem listed, instead of failing in every notebook that uses it.
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

from ...errors import DataError
from .read import read_service_data

SHOWN_LINES = 20  # lines of the problem table printed; the rest go to a CSV file


def check_extract(path, *, mapping=None, bad_rows: str = "error") -> list[str]:
    """Read the extract as the notebooks will (same ``mapping`` and ``bad_rows``) and return
    what the user should know before they run: the loader's warnings (rows left out and why,
    columns dropped as identifying), one line each. Raises the loader's
    :class:`~equitylab.errors.DataError` when the extract cannot be used."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        read_service_data(path, mapping=mapping or None, bad_rows=bad_rows)
    return list(dict.fromkeys(str(w.message) for w in caught))


def preflight(path, *, mapping=None, bad_rows: str = "error", out=".", command="equitylab") -> bool:
    """For a command line: :func:`check_extract`, printing the loader's warnings, or, when the
    extract cannot be used, every problem (a long table saved as ``OUT/extract_problems.csv``)
    on stderr, and False."""
    try:
        for line in check_extract(path, mapping=mapping, bad_rows=bad_rows):
            print(line)
    except DataError as exc:
        print(f"{command}: nothing was run. "
              + explain(exc, save=Path(out) / "extract_problems.csv"), file=sys.stderr)
        return False
    return True


def explain(err: DataError, *, limit: int = SHOWN_LINES, save: str | Path | None = None) -> str:
    """``err`` as a terminal shows it: its message, then its problem table (row as in the
    file, column, problem, how many rows share it), the first ``limit`` lines in full. With
    ``save``, a longer table is written there as CSV (it holds no values from the file,
    only row numbers, column names and what is wrong) and the text says where."""
    text = str(err)
    table = getattr(err, "problems", None)
    if table is None or not len(table):
        return text
    shown = table.head(limit).to_string(index=False)
    text += "\n\nProblems, by row as numbered in the file (header = row 1):\n" + shown
    if len(table) > limit:
        text += f"\n... and {len(table) - limit:,} more lines"
        if save is not None:
            save = Path(save)
            save.parent.mkdir(parents=True, exist_ok=True)
            table.to_csv(save, index=False)
            text += f"; the whole table is in {save}"
    return text
