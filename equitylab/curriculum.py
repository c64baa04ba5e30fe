"""Run the whole curriculum headless (``equitylab curriculum``).

Each numbered notebook is executed with papermill, in order, against one project file, so
what notebook 01 saves is there for notebook 05. This is the "main job on the embedded
defaults": Hackney and the synthetic teaching extract, unless told otherwise.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
import papermill as pm
from papermill.exceptions import PapermillExecutionError

from ._paths import notebooks_dir
from .errors import DataError
from .loaders.areas import check_area
from .loaders.service.check import check_extract, explain
from .reports.params import BAD_ROWS, BAD_ROWS_HELP, MAPPING_HELP
from .reports.runner import QuietKernelManager

DEFAULT_AREA = "E09000012"  # Hackney, the seed session's example


def curriculum_notebooks(folder: Path | None = None) -> list[Path]:
    """The numbered curriculum notebooks, in order (the report template is not one of them)."""
    folder = folder or notebooks_dir()
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def run_curriculum(out: str | Path, *, area_code: str = DEFAULT_AREA, project_file: str | Path | None = None,
                   service_data: str | Path | None = None, mapping: str | Path | None = None,
                   bad_rows: str = "error", notebooks: list[Path] | None = None,
                   progress: bool = False, renderer: str = "svg", log=print) -> list[dict]:
    """Execute every curriculum notebook into ``out`` and return one record per notebook.

    Parameters
    ----------
    out : folder for the executed notebooks (and the project file, unless one is given).
    area_code : ONS code of the team's area (checked before any kernel starts).
    project_file : the team's project file; created in ``out`` when not given.
    service_data, mapping, bad_rows : a service extract (default: the synthetic teaching extract), read
        as ``read_service_data`` does once before any notebook runs; a DataError listing every problem stops it.
    renderer : how charts are stored in the executed notebooks: "svg" (static, opens anywhere, and
        the fastest headless) or "jupyter" (interactive, as in JupyterLab).
    """
    check_area(area_code)
    if service_data:
        for line in check_extract(service_data, mapping=mapping, bad_rows=bad_rows):
            log(line)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    project_file = Path(project_file) if project_file else out / "project.yaml"
    params = {"project_file": str(project_file.resolve()), "area_code": area_code,
              "service_data": str(Path(service_data).resolve()) if service_data else "",
              "mapping": str(Path(mapping).resolve()) if mapping else "", "bad_rows": bad_rows}
    previous = os.environ.get("EQUITYLAB_RENDERER")
    os.environ["EQUITYLAB_RENDERER"] = renderer  # the kernels papermill starts inherit it
    try:
        records = _run_all(curriculum_notebooks() if notebooks is None else notebooks, out, params, progress, log)
    finally:
        if previous is None:
            os.environ.pop("EQUITYLAB_RENDERER", None)
        else:
            os.environ["EQUITYLAB_RENDERER"] = previous
    return records


def _fold_parameters(nb, target: Path) -> None:
    """Fold away the parameters cell and the one papermill adds under it: settings for whoever runs the
    curriculum, not code for a learner to read."""
    for cell in nb.cells:
        if {"parameters", "injected-parameters"} & set(cell.metadata.get("tags", [])):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    nbformat.write(nb, str(target))


def _run_all(notebooks, out, params, progress, log) -> list[dict]:
    records = []
    for nb in notebooks:
        started = time.perf_counter()
        target = out / nb.name
        try:
            done = pm.execute_notebook(str(nb), str(target), parameters=params, cwd=str(nb.parent),
                                       progress_bar=progress, kernel_name="python3",
                                       kernel_manager_class=QuietKernelManager)
        except PapermillExecutionError:
            log(f"{nb.name} stopped with an error: the run ends here ({target})")
            raise
        _fold_parameters(done, target)
        seconds = time.perf_counter() - started
        records.append({"notebook": nb.name, "output": str(target), "seconds": round(seconds, 1)})
        log(f"ran {nb.name} in {seconds:.1f} s")
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="equitylab curriculum",
                                     description="Run the curriculum notebooks headless into a folder.")
    parser.add_argument("--out", default="out", help="folder for executed notebooks (default: out)")
    parser.add_argument("--area", default=DEFAULT_AREA, help="ONS area code (default: Hackney, E09000012)")
    parser.add_argument("--project", default=None, help="the team's project file (default: OUT/project.yaml)")
    parser.add_argument("--service", default=None, help="a service extract (default: synthetic teaching data)")
    parser.add_argument("--mapping", default=None, metavar="FILE.yaml", help=MAPPING_HELP)
    parser.add_argument("--bad-rows", default="error", choices=BAD_ROWS, help=BAD_ROWS_HELP)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        records = run_curriculum(args.out, area_code=args.area, project_file=args.project,
                                 service_data=args.service, mapping=args.mapping, bad_rows=args.bad_rows)
    except DataError as exc:
        print("equitylab curriculum: nothing was run. "
              + explain(exc, save=Path(args.out) / "extract_problems.csv"), file=sys.stderr)
        return 2
    except PapermillExecutionError as exc:
        print(f"equitylab curriculum: a notebook stopped with {exc.ename}; its output is in "
              f"{args.out}/.", file=sys.stderr)
        return 1
    print(f"{len(records)} notebooks run in {time.perf_counter() - started:.0f} s; results in {args.out}/")
    print("To work through them yourself: jupyter lab notebooks/")
    return 0
