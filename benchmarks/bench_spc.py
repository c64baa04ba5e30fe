"""Benchmark: stratified SPC charts and the gap chart, computed and turned into Vega-Lite specs.

Data: 20 groups x 104 weeks of counts and denominators (synthetic, seeded). Timed, warm (after one
untimed run, so that imports and altair's schema load are not counted), median of ``--repeat`` runs:

- ours: ``control_chart(chart="p", by=group, phases=[...])`` + ``.chart().to_dict()`` and
  ``gap_chart(... reference=...)`` for the 19 other groups + ``.chart().to_dict()``;
- floor: a bare pandas group-by of the same rows (sum of counts and denominators per group and week,
  then the proportion's mean and median per group), measured in the same run.

Target (issue 4): ours under 1 s. Wall and CPU time are both recorded, because the machine is shared.
Writes ``benchmarks/results/spc.md``.

    python benchmarks/bench_spc.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_SECONDS = 1.0
RESULTS = Path(__file__).parent / "results" / "spc.md"
GROUPS, WEEKS = 20, 104


def make_data(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    groups = np.repeat([f"Group {g:02d}" for g in range(GROUPS)], WEEKS)
    weeks = np.tile(pd.date_range("2024-01-01", periods=WEEKS, freq="W-MON"), GROUPS)
    n = rng.integers(30, 120, GROUPS * WEEKS)
    p = 0.3 + 0.01 * np.repeat(np.arange(GROUPS), WEEKS)
    return pd.DataFrame({"group": groups, "week": weeks, "seen": rng.binomial(n, p), "referred": n})


def ours(data: pd.DataFrame) -> dict:
    from equitylab.spc import control_chart, gap_chart

    times = {}
    t0 = time.perf_counter()
    res = control_chart(data, x="week", y="seen", n="referred", chart="p", by="group", phases=["2025-01-06"])
    t1 = time.perf_counter()
    spec = res.chart().to_dict()
    t2 = time.perf_counter()
    gap = gap_chart(
        data, x="week", y="seen", n="referred", by="group", reference="Group 00", phases=["2025-01-06"]
    )
    t3 = time.perf_counter()
    gap_spec = gap.chart().to_dict()
    t4 = time.perf_counter()
    assert len(next(iter(spec["datasets"].values()))) >= GROUPS * WEEKS
    assert gap_spec["vconcat"]
    times.update(control=t1 - t0, control_spec=t2 - t1, gap=t3 - t2, gap_spec=t4 - t3, total=t4 - t0)
    return times


def floor(data: pd.DataFrame) -> float:
    t0 = time.perf_counter()
    g = data.groupby(["group", "week"])[["seen", "referred"]].sum()
    g["p"] = g["seen"] / g["referred"]
    g.groupby("group")["p"].agg(["mean", "median"])
    return time.perf_counter() - t0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    data = make_data()
    ours(data)  # warm: imports, altair schema
    floor(data)
    runs, floors, cpu = [], [], []
    for _ in range(args.repeat):
        c0 = time.process_time()
        runs.append(ours(data))
        cpu.append(time.process_time() - c0)
        floors.append(floor(data))
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    base = statistics.median(floors)
    ratio = med["total"] / base
    ok = med["total"] < TARGET_SECONDS
    try:
        load = os.getloadavg()[0]
    except OSError:  # pragma: no cover
        load = float("nan")
    lines = [
        "# SPC benchmark",
        "",
        f"`python benchmarks/bench_spc.py --repeat {args.repeat}` on {platform.platform()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load average {load:.1f} at the end.",
        "",
        f"{GROUPS} groups x {WEEKS} weeks (P chart with one phase change, MDC rules; gap chart for "
        f"{GROUPS - 1} groups against a reference, IHI rules, with both groups' series), "
        "warm, median of the runs:",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| control_chart (20 groups) | {med['control']:.3f} |",
        f"| .chart().to_dict() | {med['control_spec']:.3f} |",
        f"| gap_chart (19 comparisons + series) | {med['gap']:.3f} |",
        f"| gap .chart().to_dict() | {med['gap_spec']:.3f} |",
        f"| **total (wall)** | **{med['total']:.3f}** |",
        f"| total CPU time of our process | {statistics.median(cpu):.3f} |",
        f"| floor: bare pandas group-by of the same rows | {base:.4f} |",
        "",
        f"Ratio to the floor: {ratio:.0f}x. Target under {TARGET_SECONDS:.0f} s: "
        f"{'met' if ok else 'NOT met'}.",
        "",
        "Most of the time is altair: building the chart objects and validating the spec against the "
        "Vega-Lite schema (the data rows are attached after validation). The statistics themselves "
        "are the `control_chart` and `gap_chart` rows.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
