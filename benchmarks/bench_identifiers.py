"""Benchmark: the identifier detector runs in linear time, and scans every value of a large extract.

1. Linear time. Texts of 0.25, 0.5 and 1 MB with no break in them (the shapes that make a
   backtracking pattern slow: one letter repeated, letters and '@', digits, letters and dots) go
   through the detector's Python patterns (``identifiers_in``, as messages and logs are checked),
   ``reports.scrub.scrub`` and ``identifying_columns`` on a one-value column (RE2 through pyarrow).
   Linear time shows as 1 MB taking about 4x as long as 0.25 MB (a quadratic pattern takes 16x).
   For reference, the email pattern used before issue 17 is timed on 10 and 20 thousand characters.
2. Scale. ``identifying_columns`` on a 10-million-row frame as the service loader reads it
   (categoricals): a team column (12 values), a referral ID column (500,000 distinct), a free-text
   column (200,000 distinct notes, 50 holding an NHS number) and an age column; floor: pandas
   ``value_counts`` of the same columns (counting each distinct value once is the least a scan of
   every value can do).

Targets (issue 17): each 1 MB text in under 1 s with growth from 0.25 MB to 1 MB under 6x; the
large frame scanned in under 2.5x the floor. Medians of 3 runs. Writes ``benchmarks/results/identifiers.md``.

    python benchmarks/bench_identifiers.py [--rows 10000000]
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from equitylab.loaders.identifiers import identifiers_in, identifying_columns
from equitylab.reports.scrub import scrub

RESULTS = Path(__file__).parent / "results" / "identifiers.md"
MAX_SECONDS_PER_MB = 1.0
MAX_GROWTH = 6.0
MAX_RATIO = 2.5
NOISE = 0.1  # seconds: growth between times this short is noise on a shared machine
SIZES = (250_000, 500_000, 1_000_000)
TEXTS = {
    "one letter": lambda n: "a" * n,
    "letters and @": lambda n: ("ab@" * (n // 3 + 1))[:n],
    "digits": lambda n: ("1234567890" * (n // 10 + 1))[:n],
    "letters and dots": lambda n: ("a." * (n // 2 + 1))[:n],
    "postcode-like": lambda n: ("E81A" * (n // 4 + 1))[:n],
}
OLD_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")  # before issue 17


def _time(fn, repeat: int = 3) -> float:
    """Median wall-clock seconds of ``repeat`` runs (the machine is shared)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def linear_rows() -> tuple[list[str], bool]:
    lines, ok = [], True
    checks = {
        "Python patterns (identifiers_in)": identifiers_in,
        "scrub": scrub,
        "identifying_columns (RE2)": lambda t: identifying_columns(pd.DataFrame({"notes": [t]})),
    }
    for text_name, make in TEXTS.items():
        for check_name, fn in checks.items():
            texts = [make(n) for n in SIZES]
            times = [_time(lambda t=t: fn(t)) for t in texts]
            growth = times[-1] / max(times[0], 1e-6)
            row_ok = times[-1] <= MAX_SECONDS_PER_MB and (growth <= MAX_GROWTH or times[-1] < NOISE)
            ok &= row_ok
            lines.append(f"| {text_name} | {check_name} | " + " | ".join(f"{t:.3f}" for t in times)
                         + f" | {growth:.1f}x | {'pass' if row_ok else 'FAIL'} |")
            print(lines[-1], flush=True)
    old = [_time(lambda n=n: OLD_EMAIL.search("a" * n), repeat=1) for n in (10_000, 20_000)]
    lines.append(f"| one letter | old email pattern (reference) | {old[0]:.2f} s at 10k chars | "
                 f"{old[1]:.2f} s at 20k chars | - | {old[1] / old[0]:.1f}x for 2x the text | - |")
    return lines, ok


def frame(rows: int, seed: int = 17) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    teams = [f"CMHT {w}" for w in ("North", "South", "East", "West")] + \
        ["Early Intervention", "Crisis Team", "Memory Service", "Perinatal", "Eating Disorders",
         "Liaison", "Home Treatment", "Rehab"]
    n_ids, n_notes = min(500_000, rows), min(200_000, rows)
    notes = np.array([f"reviewed on visit {i}, plan agreed" for i in range(n_notes)], dtype=object)
    for j, i in enumerate(rng.choice(n_notes, 50, replace=False)):
        stem = 401023200 + j
        total = sum(int(d) * w for d, w in zip(f"{stem:09d}", range(10, 1, -1)))
        check = (11 - total % 11) % 11
        notes[i] = f"seen with {stem:09d}{check if check != 10 else 0} on file"
    return pd.DataFrame({
        "Team": pd.Categorical.from_codes(rng.integers(0, len(teams), rows), teams),
        "Referral ID": pd.Categorical.from_codes(rng.integers(0, n_ids, rows),
                                                 [f"REF{i:07d}" for i in range(n_ids)]),
        "Notes": pd.Categorical.from_codes(rng.integers(0, n_notes, rows), notes),
        "Age": rng.integers(0, 100, rows).astype("int16"),
    })


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    linear, ok = linear_rows()
    df = frame(args.rows)
    floor = _time(lambda: [df[c].value_counts() for c in df.columns])
    ours = _time(lambda: identifying_columns(df))
    found = identifying_columns(df)
    scale_ok = ours <= MAX_RATIO * floor and [(i.column, i.drop) for i in found] == [("Notes", True)]
    ok &= scale_ok
    print(f"scale: {ours:.2f} s vs floor {floor:.2f} s ({ours / floor:.1f}x); found {found}")
    report = [
        "# Benchmark: identifier detection (issue 17)",
        "",
        f"Script: `benchmarks/bench_identifiers.py --rows {args.rows}`. Machine: {platform.platform()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.1f} at the end.",
        "",
        "## Linear time on unbroken text",
        "",
        f"Seconds for texts of {', '.join(f'{n:,}' for n in SIZES)} characters with no space in them. "
        f"Target: 1 MB in at most {MAX_SECONDS_PER_MB} s, and at most {MAX_GROWTH}x the 0.25 MB time "
        f"(linear is 4x, quadratic 16x; growth between times under {NOISE} s is noise). Median of 3 runs.",
        "",
        "| text | check | 0.25 MB s | 0.5 MB s | 1 MB s | growth | result |",
        "|---|---|---|---|---|---|---|",
        *linear,
        "",
        "## Every value of a large extract",
        "",
        f"`identifying_columns` on {args.rows:,} rows as the service loader holds them (categoricals): "
        "Team (12 values), Referral ID (500,000 distinct), Notes (200,000 distinct, 50 with an NHS "
        "number) and Age (int16). Floor: pandas `value_counts` of each column.",
        "",
        "| ours s | floor s | ratio | found | result |",
        "|---|---|---|---|---|",
        f"| {ours:.2f} | {floor:.2f} | {ours / floor:.1f}x | "
        + ", ".join(f"{i.column} ({'dropped' if i.drop else 'warned'}: {i.reason})" for i in found)
        + f" | {'pass' if scale_ok else 'FAIL'} (<= {MAX_RATIO}x) |",
        "",
    ]
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(report), encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
