"""Benchmark: ``import equitylab`` in a fresh interpreter.

Each run starts a new Python process (so nothing is cached in ``sys.modules``) and times
``import equitylab`` inside it with ``time.perf_counter``, and the whole process from outside. The
floor, measured in the same run and interleaved with ours, is a bare interpreter (``python -c pass``)
timed the same way from outside. Medians are reported.

Target (issue 14): ``import equitylab`` under 0.5 s. The unit test
``tests/test_package.py::test_import_does_not_load_heavy_modules`` checks the cause of a slow
import (pandas, altair, scipy, papermill or ipywidgets loaded eagerly) without timing anything.
Writes ``benchmarks/results/import.md``.

    python benchmarks/bench_import.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

TARGET_SECONDS = 0.5
RESULTS = Path(__file__).parent / "results" / "import.md"
ROOT = Path(__file__).resolve().parents[1]

TIMED = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"
OURS = "import equitylab"
FLOOR = "pass"


# this checkout's package first, whatever copy is installed
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def _once(stmt: str) -> tuple[float, float]:
    """Seconds for ``stmt`` inside a fresh interpreter, and for the whole process seen from outside."""
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", TIMED.format(stmt=stmt)], capture_output=True, text=True,
                         check=True, env=ENV).stdout
    return float(out.strip()), time.perf_counter() - t


def _slowest_imports(n: int = 5) -> list[tuple[str, int]]:
    """``import equitylab`` and the ``n`` slowest modules it imports, by cumulative time under
    ``-X importtime`` (microseconds). Interpreter start-up (``site`` and its ``.pth`` files) is left out."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", OURS], capture_output=True, text=True,
                         check=True, env=ENV).stderr
    rows = []  # (name, cumulative, depth), children listed before their parent
    for line in err.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((name.strip(), int(cumulative), depth))
    top = max(i for i, (name, _, depth) in enumerate(rows) if name == "equitylab" and depth == 0)
    first = max((i for i in range(top) if rows[i][2] == 0), default=-1) + 1
    ours = sorted(rows[first:top], key=lambda r: -r[1])[:n]
    return [(name, us) for name, us, _ in [rows[top], *ours]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args(argv)

    _once(OURS)  # one untimed run, so the first read of the files from disk is not counted
    ours, ours_process, floor_process = [], [], []
    for _ in range(args.repeat):
        inside, process = _once(OURS)
        ours.append(inside)
        ours_process.append(process)
        floor_process.append(_once(FLOOR)[1])
    med = statistics.median(ours)
    verdict = "met" if med < TARGET_SECONDS else "**missed**"
    slow = _slowest_imports()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")

    def row(label, values):
        return f"| {label} | {statistics.median(values) * 1e3:.1f} | {min(values) * 1e3:.1f} | {max(values) * 1e3:.1f} |"

    lines = [
        "# Import benchmark",
        "",
        (f"`python benchmarks/bench_import.py --repeat {args.repeat}` on {platform.platform()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f} at the end."),
        "",
        f"Each run is a fresh interpreter; {args.repeat} runs of each, interleaved:",
        "",
        "| measured | median ms | min ms | max ms |",
        "|---|---|---|---|",
        row("`import equitylab`, timed inside the process", ours),
        row("`python -c 'import equitylab'`, whole process", ours_process),
        row("floor: `python -c pass`, whole process", floor_process),
        "",
        f"Target under {TARGET_SECONDS} s: {verdict}.",
        "",
        ("`import equitylab` and the largest imports under it, from `python -X importtime -c 'import equitylab'`"
        " (one run):"),
        "",
        "| module | cumulative ms |",
        "|---|---|",
        *[f"| `{name}` | {us / 1000:.1f} |" for name, us in slow],
    ]
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0 if med < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
