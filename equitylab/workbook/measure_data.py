"""A CSV/Excel template for a team's measure data, and its checked import."""
from __future__ import annotations

from pathlib import Path

from ..errors import DataError
from ..safe import spreadsheet_frame

COLUMNS = ["measure", "period", "group", "numerator", "denominator", "value", "note"]


def measure_template(path, project=None) -> Path:
    """Write a blank measure-data template (``.csv`` or ``.xlsx``) for a team to fill in.

    One row per period and group: ``measure`` (its name or id), ``period`` (the date the
    period starts, YYYY-MM-DD), ``group`` ("All" or a group such as "Black African"),
    then ``numerator`` and ``denominator`` (counts), or ``value`` alone, and a ``note``.
    With a project, the rows are started for each of its measures and groups.
    """
    import pandas as pd  # heavy (about 0.45 s) and needed only here: the forms load without it

    path = Path(path)
    rows = []
    if project is not None:
        for m in project.measures:
            for group in (m.stratified_by or ["All"]):
                rows.append({"measure": m.name or m.id, "group": group})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        # XlsxWriter keeps text as text: a measure named "=HYPERLINK(...)" is no live formula or link
        with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={
                "options": {"strings_to_formulas": False, "strings_to_urls": False}}) as book:
            frame.to_excel(book, index=False, sheet_name="measure data")
    elif path.suffix.lower() == ".csv":
        spreadsheet_frame(frame).to_csv(path, index=False)
    else:
        raise DataError("The template can be a .csv or .xlsx file", file=str(path))
    return path


def import_measure_data(path, project=None):
    """Read a filled-in template, check it, and (with a project) add its rows to the measures.

    Returns
    -------
    pandas.DataFrame
        The checked rows: measure, period (date), group, numerator, denominator, value, note.

    Raises
    ------
    DataError
        Naming the file, the column and the rows (as numbered in a spreadsheet, header = 1).
    """
    import pandas as pd  # heavy (about 0.45 s) and needed only here: the forms load without it

    path = Path(path)
    name = str(path)
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            raw = pd.read_excel(path, dtype=str)
        else:
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataError("The measure data file was not found", file=name) from None
    except Exception as exc:  # a corrupt spreadsheet: say so in plain words
        raise DataError("The measure data file could not be read: it may be damaged or not a spreadsheet", file=name,
                        hint="Save it again as CSV (comma separated) or .xlsx") from None
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    raw = raw.fillna("").astype(str).apply(lambda col: col.str.strip())
    for column in ("measure", "period"):
        if column not in raw.columns:
            raise DataError(f"The column '{column}' is missing", file=name, column=column,
                            hint="Start from equitylab's template (measure_template) and keep its header row")
    if "numerator" not in raw.columns and "value" not in raw.columns:
        raise DataError("There is no numerator or value column", file=name, column="numerator",
                        hint="Give numerator and denominator columns, or a value column")
    for column in COLUMNS:
        if column not in raw.columns:
            raw[column] = ""
    numbers = [c for c in ("numerator", "denominator", "value")]
    blank = (raw["period"] == "") & (raw[numbers] == "").all(axis=1)
    raw = raw[~blank]
    file_row = raw.index + 2

    # ISO dates first; anything else is read the British way (day first), as Excel in the UK writes it
    period = pd.to_datetime(raw["period"], errors="coerce", format="ISO8601")
    other = period.isna() & (raw["period"] != "")
    if other.any():
        period[other] = pd.to_datetime(raw.loc[other, "period"], errors="coerce", format="mixed", dayfirst=True)
    bad = file_row[period.isna().to_numpy()]
    if len(bad):
        raise DataError("These periods are not dates", file=name, column="period", rows=bad,
                        hint="Write the date the period starts as YYYY-MM-DD, e.g. 2025-04-01")
    parsed = {}
    for column in numbers:
        values = pd.to_numeric(raw[column].str.replace(",", ""), errors="coerce")
        bad = file_row[(values.isna() & (raw[column] != "")).to_numpy()]
        if len(bad):
            raise DataError("These cells are not numbers", file=name, column=column, rows=bad,
                            hint="Write digits only (no % sign or words)")
        parsed[column] = values
    missing = file_row[(raw["measure"] == "").to_numpy()]
    if len(missing):
        raise DataError("These rows do not say which measure they belong to", file=name, column="measure",
                        rows=missing)
    no_number = parsed["numerator"].isna() & parsed["value"].isna()
    if no_number.any():
        raise DataError("These rows have neither a numerator nor a value", file=name, column="numerator",
                        rows=file_row[no_number.to_numpy()])
    no_denominator = parsed["numerator"].notna() & parsed["denominator"].isna() & parsed["value"].isna()
    if no_denominator.any():
        raise DataError("These rows have a numerator but no denominator", file=name, column="denominator",
                        rows=file_row[no_denominator.to_numpy()])
    bad_den = parsed["denominator"].notna() & (parsed["denominator"] <= 0)
    if bad_den.any():
        raise DataError("The denominator must be more than zero", file=name, column="denominator",
                        rows=file_row[bad_den.to_numpy()])
    over = parsed["numerator"] > parsed["denominator"]
    negative = parsed["numerator"] < 0
    if (over | negative).any():
        raise DataError("The numerator must be between zero and the denominator", file=name, column="numerator",
                        rows=file_row[(over | negative).to_numpy()])
    out = pd.DataFrame({
        "measure": raw["measure"].to_numpy(),
        "period": period.dt.date.to_numpy(),
        "group": raw["group"].replace("", "All").to_numpy(),
        "numerator": parsed["numerator"].to_numpy(),
        "denominator": parsed["denominator"].to_numpy(),
        "value": parsed["value"].to_numpy(),
        "note": raw["note"].to_numpy(),
    })
    if project is not None:
        unknown = []
        targets = []
        for i, label in enumerate(out["measure"]):
            try:
                targets.append(project.measure(label))
            except KeyError:
                unknown.append(int(file_row[i]))
        if unknown:
            known = ", ".join(m.name for m in project.measures) or "none yet"
            raise DataError("These rows name a measure the project does not have", file=name, column="measure",
                            rows=unknown, hint=f"Use one of the project's measures ({known}), or add it first")
        for measure, row in zip(targets, out.itertuples(index=False)):
            measure.add_period(row.period, row.group, numerator=_none(row.numerator),
                               denominator=_none(row.denominator), value=_none(row.value), note=row.note)
    return out


def _none(x):
    return None if x != x else float(x)
