"""Report parameters: what one report is about, checked before any kernel starts.

The names match the ``parameters`` cell of ``notebooks/equity_report.ipynb`` and the
columns of a batch file, so a batch row, a command line and a Python call all say the
same thing.
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import DataError
from ..loaders.areas import check_area

DIMENSIONS = ("ethnicity", "sex", "age_band", "deprivation")
DEFAULT_DIMENSIONS = ",".join(DIMENSIONS)
ENGLAND = "E92000001"
_DIMENSION_SYNONYMS = {"age": "age_band", "ageband": "age_band", "imd": "deprivation",
                       "imd_decile": "deprivation", "ethnic_group": "ethnicity", "gender": "sex"}
_PERIOD = re.compile(r"^(\d{4}-\d{2}(?:-\d{2})?)?\s*(?::|/|to)\s*(\d{4}-\d{2}(?:-\d{2})?)?$")
COLUMNS = ("area_code", "comparator", "service_data", "dimensions", "period", "project_file", "name",
           "mapping", "bad_rows")
BAD_ROWS = ("error", "exclude")
BAD_ROWS_HELP = ("error: stop and list every problem in the extract (default); exclude: leave the rows at fault "
                 "out, and say how many and why")
MAPPING_HELP = "a YAML file saying which of the extract's headers is which, for headers equitylab does not know"


@dataclass
class ReportParameters:
    """One report's parameters (the template's ``parameters`` cell, plus a file name).

    Attributes
    ----------
    area_code : ONS code of the area the report is about (e.g. "E09000012", Hackney).
    comparator : ONS code of the area to compare with (default England, "E92000001").
    service_data : path of the team's service extract; "" means the synthetic teaching extract.
    dimensions : grouping dimensions, comma-separated, from ethnicity, sex, age_band, deprivation.
    period : referral dates to include, "YYYY-MM-DD:YYYY-MM-DD" (either end may be left
        open, months allowed); "" means the whole extract.
    project_file : the team's project file; "" leaves out the aim and driver diagram.
    name : file name for this report's outputs (default: area code, plus the team when
        several reports share an area).
    mapping : a YAML file naming the extract's headers equitylab does not know
        (``docs/service-data-schema.md``); "" when they are all recognised.
    bad_rows : "error" (stop and list every problem in the extract) or "exclude" (leave
        the rows at fault out; the report says how many and why).
    """

    area_code: str
    comparator: str = ENGLAND
    service_data: str = ""
    dimensions: str = DEFAULT_DIMENSIONS
    period: str = ""
    project_file: str = ""
    name: str = ""
    mapping: str = ""
    bad_rows: str = "error"
    row: int | None = field(default=None, compare=False)

    def notebook_parameters(self) -> dict:
        """The values papermill injects (everything but ``name`` and ``row``)."""
        d = asdict(self)
        d.pop("name")
        d.pop("row")
        return d


def _where(row: int | None) -> str:
    return f" (batch file row {row})" if row is not None else ""


def parse_dimensions(text: str, row: int | None) -> str:
    parts = [p.strip().lower().replace(" ", "_").replace("-", "_") for p in str(text or "").split(",")]
    parts = [_DIMENSION_SYNONYMS.get(p, p) for p in parts if p]
    if not parts:
        return DEFAULT_DIMENSIONS
    unknown = [p for p in parts if p not in DIMENSIONS]
    if unknown:
        raise DataError(f"Unknown grouping dimension {', '.join(repr(u) for u in unknown)}{_where(row)}",
                        column="dimensions", rows=[row] if row is not None else None,
                        hint="Use any of " + ", ".join(DIMENSIONS) + ", separated by commas")
    return ",".join(dict.fromkeys(parts))


def _period(text: str, row: int | None) -> str:
    text = str(text or "").strip()
    if not text:
        return ""
    m = _PERIOD.match(text)
    if not m or not (m.group(1) or m.group(2)):
        raise DataError(f"The period '{text}' is not a date range{_where(row)}", column="period",
                        rows=[row] if row is not None else None,
                        hint="Write it as 2023-04-01:2024-03-31 (or 2023-04:2024-03); leave it empty "
                             "for the whole extract")
    ends = []
    for part, first in ((m.group(1), True), (m.group(2), False)):
        if not part:
            ends.append("")
            continue
        try:
            if len(part) == 7:
                day = dt.date.fromisoformat(part + "-01")
                if not first:  # a month as the end means its last day
                    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                    day = nxt - dt.timedelta(days=1)
            else:
                day = dt.date.fromisoformat(part)
        except ValueError:
            raise DataError(f"'{part}' in the period is not a real date{_where(row)}", column="period",
                            rows=[row] if row is not None else None,
                            hint="Use year-month-day, e.g. 2024-03-31") from None
        ends.append(day.isoformat())
    if ends[0] and ends[1] and ends[0] > ends[1]:
        raise DataError(f"The period '{text}' ends before it starts{_where(row)}", column="period",
                        rows=[row] if row is not None else None, hint="Put the earlier date first")
    return f"{ends[0]}:{ends[1]}"


_EMPTY_MEANS = {"service_data": "the synthetic teaching extract", "project_file": "a report without the team's aim",
               "mapping": "an extract whose headers equitylab recognises"}


def _bad_rows(text: str, row: int | None) -> str:
    text = str(text or "").strip().lower() or "error"
    if text not in BAD_ROWS:
        raise DataError(f"bad_rows '{text}' is not an option{_where(row)}", column="bad_rows",
                        rows=[row] if row is not None else None, hint="Use " + BAD_ROWS_HELP)
    return text


def _file(text: str, what: str, column: str, row: int | None, base: Path | None) -> str:
    text = str(text or "").strip()
    if not text:
        return ""
    path = Path(text).expanduser()
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_file():
        raise DataError(f"The {what} was not found{_where(row)}", file=str(path), column=column,
                        rows=[row] if row is not None else None,
                        hint=f"Check the path; leave {column} empty for {_EMPTY_MEANS[column]}")
    return str(path.resolve())


def _name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text or "").strip()).strip("._")


def check(params: ReportParameters, *, base: Path | None = None) -> ReportParameters:
    """Check and tidy one report's parameters; raise :class:`DataError` on the first problem.

    Area codes go through :func:`equitylab.loaders.areas.check_area` (which suggests close
    matches); files must exist (relative paths are taken from ``base``, the batch file's
    folder); dimensions and period must be ones the template understands.
    """
    row = params.row
    try:
        area = check_area(params.area_code)
        comparator = check_area(params.comparator or ENGLAND)
    except DataError as exc:
        if row is None:
            raise
        raise DataError(exc.problem, column="area_code", rows=[row],
                        hint=exc.hint) from None
    return ReportParameters(
        area_code=area,
        comparator=comparator,
        service_data=_file(params.service_data, "service data file", "service_data", row, base),
        dimensions=parse_dimensions(params.dimensions, row),
        period=_period(params.period, row),
        project_file=_file(params.project_file, "project file", "project_file", row, base),
        name=_name(params.name) or area,
        mapping=_file(params.mapping, "mapping file", "mapping", row, base),
        bad_rows=_bad_rows(params.bad_rows, row),
        row=row,
    )


def read_batch(path) -> list[ReportParameters]:
    """One :class:`ReportParameters` per row of a batch CSV (row numbers as a spreadsheet shows them).

    Columns are named as the parameters (``area_code`` is required; ``comparator``,
    ``service_data``, ``dimensions``, ``period``, ``project_file``, ``name``, ``mapping``
    and ``bad_rows`` are optional). Values are not checked here: see :func:`check`.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError("The batch file was not found", file=str(path),
                        hint="Give a CSV with one row per report and a column area_code")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
        if "area_code" not in headers:
            raise DataError("The batch file has no area_code column", file=str(path), column="area_code",
                            hint="The first row must name the columns: area_code, and optionally "
                                 + ", ".join(COLUMNS[1:]))
        unknown = [h for h in headers if h and h not in COLUMNS]
        if unknown:
            raise DataError(f"The batch file has columns equitylab does not know: {', '.join(unknown)}",
                            file=str(path), column=unknown[0],
                            hint="Columns are named as the report's parameters: " + ", ".join(COLUMNS))
        rows = []
        for i, raw in enumerate(reader, start=2):
            values = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            if not any(values.values()):
                continue
            rows.append(ReportParameters(**{k: v for k, v in values.items() if k in COLUMNS}, row=i))
    if not rows:
        raise DataError("The batch file has no reports in it", file=str(path),
                        hint="Add one row per report under the header row")
    return rows


def unique_names(params: list[ReportParameters]) -> list[ReportParameters]:
    """Make output names unique within a batch (a second Hackney report becomes E09000012_2)."""
    seen: dict[str, int] = {}
    for p in params:
        base = p.name or p.area_code
        n = seen.get(base.lower(), 0) + 1
        seen[base.lower()] = n
        p.name = base if n == 1 else f"{base}_{n}"
    return params
