"""How long equity reports take, against plain papermill on a one-cell notebook.

Targets (issue 14):
1. one report (``equitylab report --area E09000012``, a fresh process as an advisor runs it) takes
   at most 4x the floor: the ``papermill`` command running a one-cell notebook (``x = 1``) in a
   fresh process. The floor runs no equitylab code; both are timed in the same run, interleaved.
2. a batch of 30 reports with 2 jobs is at least 1.7x faster than the same 30 one after another.

Results go to ``benchmarks/results/reports.md``.

    python benchmarks/bench_reports.py            # full run (about 10 minutes on 2 cores)
    python benchmarks/bench_reports.py --quick    # 3 single runs each, batch of 8
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from equitylab.loaders.areas import areas
from equitylab.reports import batch

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "reports.md"
AREA = "E09000012"


def one_cell_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("x = 1")]
    path = folder / "one_cell.ipynb"
    nbformat.write(nb, str(path))
    return path


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return seconds


def batch_areas(n: int) -> list[str]:
    lads = areas("lad")
    london = lads[lads["type"] == "London borough"]["code"].tolist()
    others = lads[lads["type"] != "London borough"]["code"].tolist()
    return (london + others)[:n]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    repeats, n_batch = (3, 8) if args.quick else (7, 30)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        one = one_cell_notebook(tmp)
        floor_cmd = [sys.executable, "-m", "papermill", "--no-progress-bar", str(one), str(tmp / "one_out.ipynb")]
        report_cmd = [sys.executable, "-m", "equitylab", "report", "--area", AREA, "--out", str(tmp / "r")]
        timed(report_cmd)  # file-system caches warm for both
        floor, report = [], []
        for _ in range(repeats):  # interleaved, so a busy moment hits both alike
            floor.append(timed(floor_cmd))
            report.append(timed(report_cmd))
        f_med, r_med = statistics.median(floor), statistics.median(report)
        ratio = r_med / f_med

        rows = [{"area_code": c} for c in batch_areas(n_batch)]
        seq = batch(rows, out=tmp / "seq", jobs=1, progress=False)
        par = batch(rows, out=tmp / "par", jobs=2, progress=False)
        assert not seq.failed and not par.failed, [r.reason for r in seq.failed + par.failed]
        speedup = seq.seconds / par.seconds
    load_after = os.getloadavg()
    ok1, ok2 = ratio <= 4.0, speedup >= 1.7
    lines = [
        "# Equity reports: speed",
        "",
        (f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
         f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after (other work shares the machine)."),
        f"Run: `python benchmarks/bench_reports.py{' --quick' if args.quick else ''}`, {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "## One report against plain papermill",
        "",
        f"Each a fresh process, median of {repeats}, interleaved:",
        "",
        "| command | median s | runs (s) |",
        "|---|---|---|",
        f"| floor: `papermill one_cell.ipynb out.ipynb` (`x = 1`) | {f_med:.2f} | {', '.join(f'{x:.2f}' for x in floor)} |",
        (f"| `equitylab report --area {AREA}` (Hackney, synthetic extract) | {r_med:.2f} | "
         f"{', '.join(f'{x:.2f}' for x in report)} |"),
        "",
        f"Ratio {ratio:.2f} (target <= 4.0): **{'met' if ok1 else 'NOT met'}**.",
        "",
        f"## A batch of {n_batch} (different areas, synthetic extracts)",
        "",
        "| jobs | seconds | per report |",
        "|---|---|---|",
        f"| 1 (one after another) | {seq.seconds:.1f} | {seq.seconds / n_batch:.2f} |",
        f"| 2 (two worker processes) | {par.seconds:.1f} | {par.seconds / n_batch:.2f} |",
        "",
        "Each report runs in its own kernel, on one core; `--jobs` sets how many run at once.",
        "",
        f"Speed-up {speedup:.2f}x (target >= 1.7x): **{'met' if ok2 else 'NOT met'}**.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if ok1 and ok2 else 1


if __name__ == "__main__":
    sys.exit(main())
