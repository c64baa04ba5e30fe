"""``equitylab report``: one equity report, or a batch of them.

::

    equitylab report --area E09000012 --out reports
    equitylab report --area E09000012 --service extract.csv --project team.yaml --out reports
    equitylab report --batch areas.csv --jobs 2 --out reports
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..loaders.service.check import preflight
from .parallel import batch
from .params import BAD_ROWS, BAD_ROWS_HELP, COLUMNS, DEFAULT_DIMENSIONS, ENGLAND, MAPPING_HELP, ReportParameters, check
from .runner import execute, load_template


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="equitylab report",
        description="Build equity reports: one self-contained HTML file per area or team (no code, charts as "
                    "images), with its tables as CSV and Excel. Small numbers are hidden.",
        epilog="A batch file is a CSV with one row per report and columns named as the parameters: area_code "
               "(required), " + ", ".join(COLUMNS[1:]) + ".")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--area", metavar="CODE", help="ONS code of the area, e.g. E09000012 (Hackney)")
    what.add_argument("--batch", metavar="FILE.csv", help="a CSV with one report per row")
    p.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    p.add_argument("--service", default="", metavar="PATH",
                   help="the team's service extract (default: synthetic teaching data, labelled)")
    p.add_argument("--project", default="", metavar="FILE", help="the team's project file (aim, driver diagram)")
    p.add_argument("--comparator", default=ENGLAND, metavar="CODE", help="area to compare with (default: England)")
    p.add_argument("--dimensions", default=DEFAULT_DIMENSIONS,
                   help=f"grouping dimensions, comma-separated (default: {DEFAULT_DIMENSIONS})")
    p.add_argument("--period", default="", help="referral dates, e.g. 2023-04-01:2024-03-31 (default: all)")
    p.add_argument("--name", default="", help="file name for the report (default: the area code)")
    p.add_argument("--mapping", default="", metavar="FILE.yaml", help=MAPPING_HELP)
    p.add_argument("--bad-rows", default="error", choices=BAD_ROWS, help=BAD_ROWS_HELP)
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="reports built at once in a batch (default: 2)")
    p.add_argument("--keep-notebooks", action="store_true", help="also keep the executed notebooks")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--template", default=None, help=argparse.SUPPRESS)  # benchmarks: another notebook
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.batch:
        result = batch(args.batch, out=args.out, jobs=args.jobs, keep_notebooks=args.keep_notebooks,
                       progress=not args.no_progress, template=args.template)
        print(f"{len(result.ok)} of {len(result.reports)} reports ready in {result.seconds:.0f} s: {result.index}")
        for r in result.failed:
            where = f"row {r.row}" if r.row else r.name
            print(f"  failed ({where}, {r.area_code}): {r.reason}", file=sys.stderr)
        return 0 if not result.failed else 1
    params = check(ReportParameters(area_code=args.area, comparator=args.comparator, service_data=args.service,
                                    dimensions=args.dimensions, period=args.period, project_file=args.project,
                                    name=args.name, mapping=args.mapping, bad_rows=args.bad_rows))
    # the extract is read once here, so a file with problems lists them all before a kernel starts
    if params.service_data and not preflight(params.service_data, mapping=params.mapping, bad_rows=params.bad_rows,
                                             out=args.out, command="equitylab report"):
        return 2
    result = execute(params, Path(args.out), load_template(args.template), keep_notebook=args.keep_notebooks)
    if not result.ok:
        print(f"equitylab report: the report for {result.area_code} failed: {result.reason} "
              f"(log: {result.log})", file=sys.stderr)
        return 1
    print(f"report ready in {result.seconds:.1f} s: {result.html}")
    print(f"PDF: {result.pdf}" if result.pdf else result.pdf_note)
    print(f"tables: {result.xlsx} and {len(result.csv)} CSV files")
    return 0
