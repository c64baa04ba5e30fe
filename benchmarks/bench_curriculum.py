"""Benchmark: the whole curriculum executed headless (issue 6 target: <= 90 s on 2 cores).

Runs every numbered notebook with papermill, in order, against one fresh project file, as
``equitylab curriculum`` does, and records each notebook's time beside the time papermill
takes for an empty notebook (the fixed cost of a kernel start), measured in the same run.

    python benchmarks/bench_curriculum.py [--area E09000012]
"""
from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import nbformat

TARGET_SECONDS = 90
RESULTS = Path(__file__).parent / "results" / "curriculum.md"


def empty_notebook_seconds(folder: Path) -> float:
    import papermill as pm

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    path = folder / "empty.ipynb"
    nbformat.write(nb, path)
    started = time.perf_counter()
    pm.execute_notebook(str(path), str(folder / "empty_out.ipynb"), progress_bar=False, kernel_name="python3")
    return time.perf_counter() - started


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", default="E09000012")
    args = parser.parse_args(argv)
    from equitylab.curriculum import run_curriculum

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ.setdefault("EQUITYLAB_HOME", str(tmp / "home"))
        floor = empty_notebook_seconds(tmp)
        started = time.perf_counter()
        records = run_curriculum(tmp / "out", area_code=args.area, log=lambda *_: None)
        total = time.perf_counter() - started
    ok = total <= TARGET_SECONDS
    lines = [
        "## Curriculum, executed headless (issue 6)",
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}. "
        f"Area {args.area}.",
        "",
        "| notebook | seconds | x empty notebook |",
        "|---|---|---|",
        *[f"| {r['notebook']} | {r['seconds']:.1f} | {r['seconds'] / floor:.1f} |" for r in records],
        f"| **all {len(records)}** | **{total:.1f}** | {total / floor:.1f} |",
        "",
        f"Empty notebook through papermill (kernel start + one cell): {floor:.1f} s.",
        f"Target: whole curriculum <= {TARGET_SECONDS} s: **{'met' if ok else 'NOT met'}**.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
