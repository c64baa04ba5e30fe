"""Gather every benchmark's results (``benchmarks/results/*.md``) into ``benchmarks/RESULTS.md``.

Each ``bench_*.py`` script measures its target against a floor in the same run and writes its
own section; run the ones you need, then this.

    python benchmarks/collect.py
"""
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    sections = sorted((HERE / "results").glob("*.md"))
    text = ["# Benchmark results", "",
            "Each section is written by the script named in it (`benchmarks/bench_*.py`), which measures the",
            "target against a floor timed in the same run on the same machine. Re-run a script to refresh it.", ""]
    for path in sections:
        text += [path.read_text(encoding="utf-8").strip(), ""]
    (HERE / "RESULTS.md").write_text("\n".join(text), encoding="utf-8")
    print(f"{len(sections)} sections -> benchmarks/RESULTS.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
