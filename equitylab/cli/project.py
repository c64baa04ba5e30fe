"""``equitylab project ...``: create, show, export or restore a team's project file."""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from ..errors import EquityLabError
from ..findings import onepage
from ..findings.project import save_diagram
from ..loaders.areas import check_area
from ..pdf import html_to_pdf
from ..workbook import check_aim, store
from ..workbook.model import LADDER, Project


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="equitylab project", description=__doc__.split(":", 1)[1].strip())
    sub = parser.add_subparsers(dest="action", required=True)
    new = sub.add_parser("new", help="start a new project file")
    new.add_argument("--title", required=True, help="the project's title")
    new.add_argument("--team", default="", help="the team's name")
    new.add_argument("--area", default="", help="the area code, e.g. E09000030")
    new.add_argument("--out", required=True, help="where to write the project file (.yaml)")
    new.add_argument("--force", action="store_true", help="replace an existing file (it is backed up first)")
    show = sub.add_parser("show", help="print a summary of a project file")
    show.add_argument("file")
    export = sub.add_parser("export", help="write the project on a page, the driver diagram, or a Life QI export")
    export.add_argument("file")
    export.add_argument("--format", required=True, choices=["html", "pdf", "svg", "png", "lifeqi"],
                        help="html/pdf: the project on a page; svg/png: the driver diagram; lifeqi: fields for Life QI")
    export.add_argument("--out", required=True, help="output file (for lifeqi: .json, .md or .csv)")
    export.add_argument("--audience", choices=["team", "publish"], default="publish",
                        help="publish (default) hides small numbers and quotes not agreed for sharing")
    restore = sub.add_parser("restore", help="list backups, or put one back")
    restore.add_argument("file")
    restore.add_argument("--list", action="store_true", help="list the backups, newest first")
    restore.add_argument("--backup", default="latest", help="which backup: latest (default), a number from --list, "
                                                            "or a file name")
    return parser


def summary(project: Project, *, today: date | None = None) -> str:
    """A few plain lines describing a project (what ``equitylab project show`` prints), with
    each thing to check about the aim and the team written out beneath it."""
    p = project
    co = p.coproduction
    mix = p.team_mix()
    lines = [p.title or "(untitled project)"]
    if p.team or p.area_code:
        lines.append(f"Team: {p.team or '-'}   Area: {p.area_code or '-'}")
    lines.append(f"Aim: {p.aim.sentence() or 'not written yet'}")
    if p.aim.sentence():
        lines += [f"  - to check: {x}" for x in check_aim(p.aim, today=today)]
    checks = len(mix.problems)
    lines.append(f"Team members: {len(p.members)} ("
                 + ("mix looks right" if mix.ok else f"{checks} thing{'s' if checks > 1 else ''} to check") + ")")
    lines += [f"  - to check: {x}" for x in mix.problems]
    if co.current_rung:
        lines.append(f"Co-production: rung {LADDER.index(co.current_rung) + 1} of 7 ({co.current_rung})"
                     + (f", aiming for {co.target_rung}" if co.target_rung else ""))
    kinds = {k: sum(n.kind == k for n in p.drivers.nodes) for k in ("primary", "secondary", "change_idea")}
    lines.append(f"Driver diagram: {kinds['primary']} primary, {kinds['secondary']} secondary drivers, "
                 f"{kinds['change_idea']} change ideas")
    lines.append(f"Measures: {len(p.measures)} ({sum(len(m.data) for m in p.measures)} data points); "
                 f"PDSA cycles: {len(p.pdsa)}; what we heard: {len(p.heard)}")
    if p.progress_score is not None:
        lines.append(f"Progress: {p.progress_score:g} ({p.progress_stage})")
    lines += [f"Privacy: {x}" for x in p.privacy_problems()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except EquityLabError as exc:
        # equitylab.cli prints these too; doing it here keeps `python -m equitylab.cli.project` friendly
        print(f"equitylab project: {exc}", file=sys.stderr)
        return 2


def _run(args) -> int:

    if args.action == "new":
        out = Path(args.out)
        if out.exists() and not args.force:
            print(f"equitylab project: {out} already exists; choose another name or add --force.", file=sys.stderr)
            return 2
        # the same check and message as `equitylab report --area`
        area = check_area(args.area) if args.area.strip() else ""
        project = Project.new(title=args.title, team=args.team, area_code=area)
        if out.exists():
            store.make_backup(out)
            out.unlink()
        project.save(out)
        print(f"Created {out}")
        return 0
    if args.action == "show":
        print(summary(Project.load(args.file)))
        return 0
    if args.action == "export":
        project = Project.load(args.file)
        out = Path(args.out)
        if args.format in ("svg", "png"):
            save_diagram(project, out.with_suffix("." + args.format) if out.suffix.lower() != "." + args.format else out)
        elif args.format == "lifeqi":
            if out.suffix.lower() not in (".json", ".md", ".csv"):
                out = out.with_suffix(".json")
            onepage.save(project, out)
        elif args.format == "pdf":  # the page as HTML, printed by the browser that prints the reports
            page = onepage.save(project, out.with_suffix(".html"), audience=args.audience)
            out = html_to_pdf(page, out.with_suffix(".pdf"))
        else:
            out = onepage.save(project, out.with_suffix(".html"), audience=args.audience)
        print(f"Wrote {out}")
        return 0
    if args.action == "restore":
        if args.list:
            backups = store.list_backups(args.file)
            if not backups:
                print("No backups yet.")
            for i, b in enumerate(backups):
                print(f"{i:>3}  {b.name}")
            return 0
        used = store.restore(args.file, args.backup)
        print(f"Restored {args.file} from {used.name}")
        return 0
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
