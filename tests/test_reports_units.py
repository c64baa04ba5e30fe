"""Fast checks of the report machinery that need no kernel: parameters, scrubbing, HTML, tables."""
from __future__ import annotations

import re
import zipfile

import nbformat
import pandas as pd
import pytest

from equitylab.errors import DataError
from equitylab.findings.html import figure
from equitylab.loaders.identifiers import nhs_number_valid
from equitylab.reports import display, html, tables
from equitylab.reports.params import ReportParameters, check, read_batch, unique_names
from equitylab.reports.scrub import contains_identifier, identifying_values, scrub


def test_run_and_batch_are_the_functions_not_modules():
    import inspect

    import equitylab.reports as r

    assert inspect.isfunction(r.run) and inspect.isfunction(r.batch)
    assert r.run.__module__ == "equitylab.reports.runner" and r.batch.__module__ == "equitylab.reports.parallel"


def test_unknown_area_is_a_clear_error_with_suggestions():
    with pytest.raises(DataError) as err:
        check(ReportParameters(area_code="E09000099"))
    assert "E09000099" in str(err.value) and "Closest matches" in str(err.value)


def test_missing_service_file_and_bad_period_and_dimension(tmp_path):
    with pytest.raises(DataError, match="service data file was not found"):
        check(ReportParameters(area_code="E09000012", service_data=str(tmp_path / "nope.csv")))
    with pytest.raises(DataError, match="ends before it starts"):
        check(ReportParameters(area_code="E09000012", period="2024-03-31:2023-04-01"))
    with pytest.raises(DataError, match="Unknown grouping dimension 'religion'"):
        check(ReportParameters(area_code="E09000012", dimensions="ethnicity,religion"))


def test_parameters_are_tidied():
    p = check(ReportParameters(area_code=" e09000012 ", dimensions="Ethnicity, age", period="2023-04:2024-02"))
    assert p.area_code == "E09000012" and p.comparator == "E92000001"
    assert p.dimensions == "ethnicity,age_band"
    assert p.period == "2023-04-01:2024-02-29"  # a month as the end means its last day (2024 is a leap year)
    assert p.name == "E09000012"


def test_batch_file_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text("area_code,name\nE09000012,a\n,\nE08000003,\nE09000012,\n", encoding="utf-8")
    rows = unique_names(read_batch(f))
    assert [r.row for r in rows] == [2, 4, 5]
    assert [r.name for r in rows] == ["a", "E08000003", "E09000012"]
    f.write_text("area,name\nE09000012,a\n", encoding="utf-8")
    with pytest.raises(DataError, match="no area_code column"):
        read_batch(f)


def test_the_command_line_checks_parameters_before_any_kernel_starts(tmp_path):
    from equitylab.cli import main

    assert main(["report", "--area", "E09000099", "--out", str(tmp_path)]) == 2
    assert main(["report", "--area", "E09000012", "--service", str(tmp_path / "x.csv"),
                 "--out", str(tmp_path)]) == 2
    assert not any(tmp_path.iterdir())  # nothing was run or written


def _nhs(seed: int) -> str:
    """A valid NHS number (NHS Data Dictionary Modulus 11), made up for the test."""
    n = seed
    while True:
        digits = f"{n:09d}"[-9:]
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1)))
        check_digit = 11 - total % 11
        check_digit = 0 if check_digit == 11 else check_digit
        if check_digit != 10:
            return digits + str(check_digit)
        n += 1


def test_scrub_removes_identifier_shapes_and_known_values():
    number = _nhs(401023213)
    assert nhs_number_valid(number)
    text = (f"KeyError: '{number[:3]} {number[3:6]} {number[6:]}' for Zebedee Quintrell, born 03/02/1961 "
            "(1961-02-03), at E8 1DY, zq@example.org, row 17, column 'ethnicity'")
    out = scrub(text, {"Zebedee Quintrell", "Zebedee", "Quintrell"})
    for leaked in (number[:3], "Zebedee", "Quintrell", "03/02/1961", "1961-02-03", "E8 1DY", "zq@example"):
        assert leaked not in out
    assert "row 17" in out and "column 'ethnicity'" in out  # what an analyst needs stays


def test_scrub_keeps_the_loaders_column_names_row_numbers_and_format_hints(tmp_path):
    """Issue 15, item 8: a loader message that reaches a published output (a failed report's
    reason in the index) keeps what a reader needs to fix the file and shows no value."""
    from equitylab.loaders.service import read_service_data

    f = tmp_path / "x.csv"
    f.write_text("Referral Date,Ethnicity,LSOA\n01/03/2024,A,E01001709\n31/02/2024,B,E01001709\n"
                 "2024-02-30,A,Hackney 018B\n02/03/2024,N,E01001709\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_service_data(f)
    message = str(info.value)
    assert scrub(message) == message
    for kept in ("rows 3, 4: 'Referral Date' is not a date", "row 4: 'LSOA'", "dd/mm/yyyy or yyyy-mm-dd",
                 "such as E01001709", "a value shaped dd/dd/dddd"):
        assert kept in message, kept
    assert "31/02/2024" not in message and "2024-02-30" not in message and "Hackney 018B" not in message
    # and the hints as they are written, in either case, survive scrubbing on their own
    for hint in ("Dates should look like dd/mm/yyyy or yyyy-mm-dd", "YYYY-MM-DD", "E01234567",
                 "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 399,990 more"):
        assert scrub(hint) == hint


def test_identifying_values_are_read_from_the_extracts_identifier_columns(tmp_path):
    f = tmp_path / "x.csv"
    pd.DataFrame({"patient_name": ["Ada Quill", "Bo Vane"], "ethnicity": ["A", "B"]}).to_csv(f, index=False)
    found = identifying_values(f)
    assert {"Ada Quill", "Bo Vane"} <= found and "A" not in found
    # a name's words are scrubbed on their own too, in any case
    assert scrub("KeyError: 'QUILL' near Vane", found) == "KeyError: '[removed]' near [removed]"


def test_contains_identifier_only_trusts_valid_nhs_numbers():
    assert contains_identifier(f"total {_nhs(123456780)} people") == "NHS number"
    bad = _nhs(123456780)
    bad = bad[:9] + str((int(bad[9]) + 1) % 10)
    assert contains_identifier(f"total {bad} people") is None
    assert contains_identifier("lives at SW1A 1AA") == "postcode"
    assert contains_identifier("E09000012 and E01001783 are area codes") is None


def _nb_with(outputs, markdown="## A section"):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(markdown),
                nbformat.v4.new_code_cell("print('secret code')", outputs=outputs)]
    return nb


def test_html_has_no_code_scripts_or_web_links_and_keeps_alt_text():
    svg = "<svg xmlns='http://www.w3.org/2000/svg'><rect width='5' height='5'/></svg>"
    finding_html = figure(svg, "A bar chart of waits by group.", "Source: test")
    outputs = [nbformat.v4.new_output("display_data", data={"text/html": finding_html}),
               nbformat.v4.new_output("stream", name="stdout", text="printed"),
               nbformat.v4.new_output("execute_result", data={"text/plain": "<Finding at 0x1>"},
                                      execution_count=1)]
    page = html.notebook_to_html(_nb_with(outputs), title="T")
    assert "secret code" not in page and "printed" not in page and "0x1" not in page
    assert "In [" not in page and "<script" not in page.lower()
    assert "<h2 id='section-1'>A section</h2>" in page and "<a href='#section-1'>A section</a>" in page and "@page" in page and "size: A4" in page
    assert re.search(r"<img [^>]*alt='A bar chart of waits by group.'", page)
    tables.check_publishable(page, [])  # the SVG namespace inside the image data is not a link


@pytest.mark.parametrize("bad", ["<script src='https://cdn.jsdelivr.net/npm/vega@6'></script>",
                                 "<link rel='stylesheet' href='http://example.org/x.css'>"])
def test_pages_that_would_need_the_network_are_refused(bad):
    with pytest.raises(html.NotPublishable, match="offline"):
        tables.check_publishable(f"<html><body>{bad}</body></html>", [])


def test_small_counts_and_identifiers_are_refused_without_echoing_them():
    ok = {"name": "01_t", "title": "T", "source": "", "synthetic": True,
          "frame": pd.DataFrame({"group": ["A", "B"], "numerator": [12, None], "denominator": [40, 50]})}
    tables.check_publishable("<p>fine</p>", [ok])
    small = dict(ok, frame=pd.DataFrame({"group": ["A"], "numerator": [3], "denominator": [40]}))
    with pytest.raises(html.NotPublishable, match="counts from 1 to 7 in column 'numerator'"):
        tables.check_publishable("<p>x</p>", [small])
    number = _nhs(943476591)
    leak = dict(ok, frame=pd.DataFrame({"group": [f"patient {number}"], "numerator": [20]}))
    with pytest.raises(html.NotPublishable) as err:
        tables.check_publishable("<p>x</p>", [leak])
    assert number not in str(err.value)


def test_tables_are_written_as_csv_and_excel_with_the_synthetic_label(tmp_path):
    t = pd.DataFrame({"group": ["A", "B"], "numerator": [12, None], "value": [30.0, None]})
    payload = display._table_payload(t, "Waits by group", "Source: x", True)
    nb = _nb_with([nbformat.v4.new_output("display_data", data={display.TABLE_MIME: payload,
                                                                "text/html": "<p>t</p>"})])
    found = tables.extract_tables(nb)
    assert found[0]["title"] == "Waits by group" and found[0]["frame"]["numerator"].isna().tolist() == [False, True]
    csvs, xlsx = tables.write_tables(found, tmp_path, "r")
    back = pd.read_csv(csvs[0])
    assert back["data"].eq("SYNTHETIC teaching data: not real patients").all()
    assert back["numerator"].tolist()[0] == 12 and pd.isna(back["numerator"].tolist()[1])
    with zipfile.ZipFile(xlsx) as z:
        assert any(n.startswith("xl/worksheets/") for n in z.namelist())


def test_excel_tables_keep_text_as_text_and_hidden_cells_blank(tmp_path):
    # a group label that looks like a formula or a link stays text; hidden (NA) counts are blank cells
    from openpyxl import load_workbook

    t = pd.DataFrame({"group": ["=HYPERLINK(1)", "https://example.org"],
                      "numerator": pd.array([12, None], dtype="Int64"), "value": [30.0, float("nan")]})
    found = [{"name": "01_t", "title": "T", "source": "S", "synthetic": False, "frame": t}]
    _, xlsx = tables.write_tables(found, tmp_path, "r")
    with zipfile.ZipFile(xlsx) as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
        assert "<f>" not in sheet and "hyperlink" not in sheet.lower()
    ws = load_workbook(xlsx)["01_t"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("group", "numerator", "value")
    assert rows[1] == ("=HYPERLINK(1)", 12, 30) and rows[2] == ("https://example.org", None, None)
    assert ws.freeze_panes == "A2"


def test_period_selects_referrals_and_keeps_provenance():
    s = pd.DataFrame({"referral_date": pd.to_datetime(["2023-03-31", "2023-04-01", "2024-03-31", "2024-04-01"])})
    s.attrs.update(synthetic=True, source="synthetic")
    out = display.within_period(s, "2023-04-01:2024-03-31")
    assert out["referral_date"].dt.strftime("%Y-%m-%d").tolist() == ["2023-04-01", "2024-03-31"]
    assert out.attrs["synthetic"] is True
    with pytest.raises(DataError, match="No referrals fall in the period"):
        display.within_period(s, "2030-01-01:")


def test_report_images_carry_no_per_mark_aria_labels_and_wrap_long_titles():
    # inside an <img> only the alt text is read; the marks' own ARIA labels only made each SVG bigger
    import altair as alt
    import vl_convert as vlc

    from equitylab.charts import render

    data = pd.DataFrame({"g": ["A", "B"], "v": [1, 2]})
    chart = alt.Chart(data, title="x" * 200).mark_bar().encode(x="g:N", y="v:Q")
    plain = vlc.vegalite_to_svg(chart.to_dict())
    image = render.svg(chart)
    # the two bars lose their labels (the title and axes keep theirs)
    assert plain.count('role="graphics-symbol" aria-roledescription="bar"') == 2
    assert 'aria-roledescription="bar"' not in image
    assert len(image) < len(plain)
    # the 200-character title is broken into lines of at most 90 characters
    assert "x" * 200 in plain and "x" * 91 not in image and "x" * 90 in image


# ---- the commands check a team's extract before any kernel starts (issue 15, item 4) ----------

@pytest.mark.parametrize("command", ["curriculum", "report"])
def test_an_extract_with_problems_stops_the_command_with_every_problem_listed(tmp_path, capsys, command):
    from nhs_extract import PLANTED, nhs_extract

    from equitylab.cli import main

    path, numbers = nhs_extract(tmp_path)
    out = tmp_path / "out"
    args = ["--area", "E09000012"] if command == "report" else []
    assert main([command, *args, "--service", str(path), "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert "nothing was run" in said and "8 problems in 8 rows" in said
    table = said.split("Problems, by row as numbered in the file (header = row 1):\n")[1].splitlines()
    assert table[0].split() == ["row", "column", "problem", "count"]
    assert [int(line.split()[0]) for line in table[1:]] == [row for row, _, _ in PLANTED]
    assert not any(n in said for n in numbers)
    assert not out.exists(), "no notebook was run and nothing was written"


def test_a_long_problem_table_is_saved_beside_the_outputs(tmp_path, capsys):
    from equitylab.cli import main

    extract = tmp_path / "ages.csv"
    extract.write_text("ethnicity,age\n" + "A,-1\n" * 30 + "B,40\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["curriculum", "--service", str(extract), "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert "... and 10 more lines; the whole table is in" in said
    saved = pd.read_csv(out / "extract_problems.csv")
    assert list(saved.columns) == ["row", "column", "problem", "count"] and len(saved) == 30
    assert saved["row"].tolist() == list(range(2, 32)) and (saved["count"] == 30).all()


def test_mapping_and_bad_rows_reach_the_extract_check(tmp_path):
    from nhs_extract import nhs_extract

    from equitylab.curriculum import run_curriculum

    path, _ = nhs_extract(tmp_path)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns:\n  Source of Referral: drop\n", encoding="utf-8")
    said = []
    records = run_curriculum(tmp_path / "out", service_data=path, mapping=mapping, bad_rows="exclude",
                             notebooks=[], log=said.append)
    assert records == []
    assert any("8 of 24 rows were left out" in s for s in said)
    with pytest.raises(DataError, match="mapping names a column 'Nope'"):
        mapping.write_text("Nope: ethnicity\n", encoding="utf-8")
        run_curriculum(tmp_path / "out", service_data=path, mapping=mapping, notebooks=[], log=said.append)


def test_missing_mapping_file_and_unknown_bad_rows_are_parameter_errors(tmp_path):
    from equitylab.cli import main

    assert main(["report", "--area", "E09000012", "--mapping", str(tmp_path / "m.yaml"),
                 "--out", str(tmp_path / "o")]) == 2
    with pytest.raises(DataError, match="mapping file was not found"):
        check(ReportParameters(area_code="E09000012", mapping=str(tmp_path / "m.yaml")))
    with pytest.raises(DataError, match="bad_rows 'skip' is not an option"):
        check(ReportParameters(area_code="E09000012", bad_rows="skip"))


def test_batch_file_columns_mapping_and_bad_rows(tmp_path):
    (tmp_path / "m.yaml").write_text("Ethnic Origin: ethnicity\n", encoding="utf-8")
    f = tmp_path / "b.csv"
    f.write_text("area_code,mapping,bad_rows\nE09000012,m.yaml,Exclude\nE09000012,,\nE09000012,,drop\n",
                 encoding="utf-8")
    rows = read_batch(f)
    first = check(rows[0], base=tmp_path)
    assert first.mapping == str((tmp_path / "m.yaml").resolve()) and first.bad_rows == "exclude"
    assert first.notebook_parameters()["mapping"] == first.mapping
    assert first.notebook_parameters()["bad_rows"] == "exclude"
    second = check(rows[1], base=tmp_path)
    assert (second.mapping, second.bad_rows) == ("", "error")
    with pytest.raises(DataError) as err:
        check(rows[2], base=tmp_path)
    assert err.value.rows == [4] and err.value.column == "bad_rows"
