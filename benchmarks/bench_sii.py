"""SII with 100 000-repetition intervals for 300 areas x 10 deciles in one call.

Target: within 2x of the time numpy takes just to draw the random numbers the method needs, measured in
the same run (identity scale: 2 normal draws per repetition per area; log/logit scale without transform:
one per decile, 10), and one area alone in under 1 s. Writes benchmarks/results/sii.md.

Run: python benchmarks/bench_sii.py
"""
from __future__ import annotations

import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from equitylab.measures import sii

AREAS, DECILES, REPS = 300, 10, 100_000
OUT = Path(__file__).parent / "results" / "sii.md"


def _data(seed=0):
    rng = np.random.default_rng(seed)
    area = np.repeat([f"E{i:08d}" for i in range(AREAS)], DECILES)
    q = np.tile(np.arange(1, DECILES + 1), AREAS)
    pop = rng.integers(2000, 20000, AREAS * DECILES)
    base = rng.uniform(0.05, 0.3, AREAS)[area.argsort().argsort() // DECILES]
    p = np.clip(base * (1.4 - 0.08 * q) + rng.normal(0, 0.005, q.size), 0.01, 0.9)
    se_logit = np.sqrt(1 / (pop * p * (1 - p)))
    value = 78 + 0.5 * q + rng.normal(0, 0.3, q.size)
    return pd.DataFrame({"area": area, "decile": q, "population": pop, "p": p, "se_logit": se_logit,
                         "le": value, "se_le": rng.uniform(0.5, 2, q.size)})


def _best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _floor(per_area):
    rng = np.random.default_rng(1)
    buf = np.empty((min(AREAS, 6_000_000 // (per_area * REPS)), per_area, REPS))

    def draw():
        for start in range(0, AREAS, buf.shape[0]):
            g = min(buf.shape[0], AREAS - start)
            rng.standard_normal(out=buf[:g])
    return _best(draw)


def main() -> int:
    data = _data()
    rows = []
    cases = [
        ("identity (value_type=0)", 2, dict(value="le", se="se_le")),
        ("proportion, logit draws (value_type=2)", DECILES, dict(value="p", se="se_logit", value_type=2,
                                                                  multiplier=100)),
    ]
    ok = True
    for label, per_area, kw in cases:
        floor = _floor(per_area)
        full = _best(lambda: sii(data, quantile="decile", population="population", by="area", reps=REPS, seed=2,
                                 **kw))
        one = data[data["area"] == data["area"].iloc[0]]
        single = _best(lambda: sii(one, quantile="decile", population="population", reps=REPS, seed=2, **kw))
        ratio = full / floor
        passed = ratio <= 2 and single < 1
        ok &= passed
        rows.append((label, per_area, floor, full, ratio, single, passed))
        print(f"{label}: draws {floor:.2f} s, sii {full:.2f} s (x{ratio:.2f}), one area {single:.3f} s",
              "PASS" if passed else "FAIL")
    lines = [
        "# SII benchmark",
        "",
        f"`python benchmarks/bench_sii.py` — {AREAS} areas x {DECILES} deciles, {REPS:,} Monte Carlo repetitions,",
        "one call with `by=\"area\"`. Floor: numpy drawing the normal numbers the method needs (best of 3, same run).",
        f"Machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"numpy {np.__version__}; load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(other jobs sharing the machine inflate both timings and make the ratio noisy).",
        "",
        "| case | draws per rep per area | numpy draws only (s) | sii() (s) | ratio (target <= 2) | one area (s, target < 1) | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, per_area, floor, full, ratio, single, passed in rows:
        lines.append(f"| {label} | {per_area} | {floor:.2f} | {full:.2f} | {ratio:.2f} | {single:.3f} | "
                     f"{'pass' if passed else 'FAIL'} |")
    OUT.write_text("\n".join(lines) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
