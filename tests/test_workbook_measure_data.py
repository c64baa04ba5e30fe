"""The measure-data template and its checked import."""
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from equitylab import DataError
from equitylab.workbook import Project, import_measure_data, measure_template

EXAMPLE = Path(__file__).parent / "fixtures" / "projects" / "example_project.yaml"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_template_round_trip_adds_each_period(tmp_path, suffix):
    project = Project.load(EXAMPLE)
    path = measure_template(tmp_path / f"t{suffix}", project)
    frame = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path)
    assert list(frame.columns) == ["measure", "period", "group", "numerator", "denominator", "value", "note"]
    assert ("Referrals per 1,000 adults", "White British") in set(zip(frame["measure"], frame["group"]))
    frame = frame[frame["measure"] == "Contacted within 48 hours"].copy()
    frame["period"], frame["numerator"], frame["denominator"] = "2025-06-01", 11, 16
    frame.to_csv(tmp_path / "filled.csv", index=False)
    before = len(project.measure("Contacted within 48 hours").data)
    assert project.import_measure_data(tmp_path / "filled.csv") == 1
    point = project.measure("Contacted within 48 hours").data[before]
    assert (point.period, point.group, point.numerator, point.denominator) == (date(2025, 6, 1), "All", 11, 16)
    assert point.result() == pytest.approx(68.75)


def _write(tmp_path, text):
    path = tmp_path / "data.csv"
    path.write_text(text)
    return path


def test_errors_name_the_column_and_spreadsheet_rows(tmp_path):
    path = _write(tmp_path, "measure,period,group,numerator,denominator\nDNA,2025-04-01,All,3,10\n"
                            "DNA,soon,All,4,10\nDNA,2025-06-01,All,4,10\nDNA,last week,All,1,10\n")
    with pytest.raises(DataError) as err:
        import_measure_data(path)
    assert err.value.column == "period" and err.value.rows == [3, 5] and "data.csv" in str(err.value)
    path = _write(tmp_path, "measure,period,numerator,denominator\nDNA,2025-04-01,12,10\nDNA,2025-05-01,lots,10\n")
    with pytest.raises(DataError) as err:
        import_measure_data(path)
    assert err.value.column == "numerator" and err.value.rows == [3]
    path = _write(tmp_path, "measure,period,numerator,denominator\nDNA,2025-04-01,12,10\n")
    with pytest.raises(DataError, match="between zero and the denominator") as err:
        import_measure_data(path)
    assert err.value.rows == [2]
    with pytest.raises(DataError, match="'period' is missing"):
        import_measure_data(_write(tmp_path, "measure,when,numerator\nDNA,x,1\n"))


def test_unknown_measure_is_refused_with_the_known_ones(tmp_path):
    path = _write(tmp_path, "measure,period,value\nContacted within 48 hours,2025-04-01,50\nWaiting list,2025-04-01,3\n")
    project = Project.load(EXAMPLE)
    with pytest.raises(DataError) as err:
        import_measure_data(path, project)
    assert err.value.rows == [3] and "Contacted within 48 hours" in err.value.hint
    assert project == Project.load(EXAMPLE)  # nothing half-imported


def test_british_and_excel_dates_are_read_day_first(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["measure", "period", "group", "numerator", "denominator"])
    sheet.append(["DNA", date(2025, 6, 1), "All", 3, 10])
    sheet.append(["DNA", "02/07/2025", "All", 4, 10])
    book.save(tmp_path / "d.xlsx")
    frame = import_measure_data(tmp_path / "d.xlsx")
    assert list(frame["period"]) == [date(2025, 6, 1), date(2025, 7, 2)]
