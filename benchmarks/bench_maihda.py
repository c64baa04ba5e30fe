"""MAIHDA on a 10-million-row extract with 3 dimensions, against a pandas group-by count of its strata.

The extract is the one ``bench_measures_extract.py`` describes (ethnicity with 'Not stated', sex,
IMD decile and a binary outcome), built in memory as ``read_service_data`` returns it: the groups
as categoricals (IMD decile as small integers) and the outcome as True/False.

- ours: ``intersectional(data, by=[ethnicity, sex, imd_decile], numerator=outcome)``, everything
  included: checking the input, counting the strata, leaving out 'Not stated', fitting Models 1
  and 2 by 10-point adaptive quadrature, intervals, words;
- floor: ``data.groupby([ethnicity, sex, imd_decile], observed=True).size()``, the count of the
  same strata and nothing else.

Target: ours at most 2x the floor (median of interleaved runs, same process, same data).
Writes ``benchmarks/results/maihda.md``.

Run: ``python benchmarks/bench_maihda.py`` (``--rows 1000000`` for a quick run).
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from equitylab.measures import intersectional

BY = ["ethnicity", "sex", "imd_decile"]
OUTCOME = "readmitted_90d"
OUT = Path(__file__).parent / "results" / "maihda.md"


def extract(rows: int, seed: int = 2024) -> pd.DataFrame:
    """The extract, with real differences between strata so that the models have something to fit."""
    rng = np.random.default_rng(seed)
    ethnic = ["White", "Black", "Asian", "Mixed", "Other", "Not stated"]
    e = rng.choice(6, rows, p=[.53, .21, .10, .07, .06, .03]).astype(np.int8)
    s = rng.integers(0, 2, rows, dtype=np.int8)
    d = rng.integers(1, 11, rows).astype(np.int8)
    logit = -2.0 + np.array([0, .4, -.2, .2, .1, 0])[e] + 0.3 * s + 0.06 * (5 - d) + 0.2 * ((e == 1) & (d <= 2))
    return pd.DataFrame({
        "ethnicity": pd.Categorical.from_codes(e, ethnic),
        "sex": pd.Categorical.from_codes(s, ["Female", "Male"]),
        "imd_decile": d,
        OUTCOME: rng.random(rows) < 1 / (1 + np.exp(-logit)),
    })


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    t = time.perf_counter()
    data = extract(args.rows)
    built = time.perf_counter() - t
    intersectional(data.head(100_000), by=BY, numerator=OUTCOME)  # warm: first calls of scipy and pandas paths
    data.head(100_000).groupby(BY, observed=True).size()
    floor, ours, cpu_floor, cpu_ours = [], [], [], []
    for _ in range(args.repeat):  # interleaved, so both see the same machine load
        c, t = _cpu(), time.perf_counter()
        counts = data.groupby(BY, observed=True).size()
        floor.append(time.perf_counter() - t)
        cpu_floor.append(_cpu() - c)
        c, t = _cpu(), time.perf_counter()
        result = intersectional(data, by=BY, numerator=OUTCOME)
        result.describe()
        ours.append(time.perf_counter() - t)
        cpu_ours.append(_cpu() - c)
    f, o = statistics.median(floor), statistics.median(ours)
    ratio = o / f
    verdict = "pass" if ratio <= 2 else "FAIL"
    load = os.getloadavg()[0]
    text = f"""# MAIHDA benchmark: intersectional() on a large extract

`python benchmarks/bench_maihda.py --rows {args.rows}` - {args.rows:,} rows in memory (built in {built:.1f} s, not
timed), 3 dimensions (ethnicity with 'Not stated', sex, IMD decile: {len(counts)} strata with rows,
{result.total_strata} after leaving out 'Not stated'), binary outcome. Median of {args.repeat} interleaved runs.

- **ours**: `intersectional(data, by=[ethnicity, sex, imd_decile], numerator=...)` then `.describe()`: input
  checks, stratum counts, Models 1 and 2 by 10-point adaptive Gauss-Hermite quadrature, intervals, words.
- **floor**: `data.groupby([ethnicity, sex, imd_decile], observed=True).size()`.
- Target: ours at most 2x the floor.

| floor s (median) | ours s (median) | ratio | CPU s floor / ours (median) | verdict |
|---|---|---|---|---|
| {f:.3f} | {o:.3f} | {ratio:.2f}x | {statistics.median(cpu_floor):.3f} / {statistics.median(cpu_ours):.3f} | {verdict} |

All runs (s): floor {', '.join(f'{x:.3f}' for x in floor)}; ours {', '.join(f'{x:.3f}' for x in ours)}.
Result: variance {result.variance:.4f}, adjusted {result.variance_adjusted:.4f}, VPC {result.vpc:.2f}%.
Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, pandas
{pd.__version__}, numpy {np.__version__}; 1-minute load average {load:.1f} at the end (other jobs share the
machine, so single timings vary; the interleaved median is the figure).
"""
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    print(text)
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    raise SystemExit(main())
