"""A team's own extract through ``equitylab report``, end to end (issue 15, items 1, 4 and 9).

A realistic NHS-style extract with six planted defects: the command lists all six at once and
runs nothing; with ``--bad-rows exclude`` (and ``--mapping`` for the one header equitylab does not
know) it makes a report whose service summary says how many rows were left out and why, with the
form a date should take (item 8: published messages keep column names and format hints, never
values), and that holds no NHS number from the file.
"""
from __future__ import annotations

import html

import pytest
from nhs_extract import PLANTED_WITH_OUTCOMES, nhs_extract_with_outcomes

from equitylab.cli import main
from equitylab.reports.scrub import scrub

pytestmark = pytest.mark.slow


def test_report_on_a_real_shaped_extract_lists_every_problem_then_leaves_them_out(tmp_path, capsys):
    path, mapping, numbers = nhs_extract_with_outcomes(tmp_path)
    out = tmp_path / "reports"
    assert main(["report", "--area", "E09000012", "--service", str(path), "--mapping", str(mapping),
                 "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert "nothing was run" in said and "6 problems in 6 rows" in said
    for row, column, problem in PLANTED_WITH_OUTCOMES:
        assert f"row {row}: '{column}' is {problem}" in said
    assert not out.exists()

    assert main(["report", "--area", "E09000012", "--service", str(path), "--mapping", str(mapping),
                 "--bad-rows", "exclude", "--out", str(out), "--name", "team"]) == 0
    printed = capsys.readouterr().out
    assert "6 of 400 rows were left out" in printed
    page = html.unescape((out / "team.html").read_text(encoding="utf-8"))
    assert "The extract has 394 referrals." in page
    assert ("6 rows were left out of the extract because of problems in the file: 1 where 'Referral Date' "
            "is not a date (expected dd/mm/yyyy or yyyy-mm-dd); 1 where 'Age at Referral' is negative;") in page
    # a published message keeps column names and format hints through scrubbing, never the value
    said = page[page.index("6 rows were left out"):]
    said = said[:said.index(".") + 1]
    assert scrub(said) == said
    assert "30/02/2024" not in page and "-4" not in said
    assert "6 rows with problems left out." in page  # the captions say it too
    assert not any(n in page for n in numbers)
