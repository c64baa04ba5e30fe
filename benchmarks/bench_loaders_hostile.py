"""Benchmark: bounded work on hostile extracts of up to 100 MB (issue 15, item 6).

Writes files of about ``--mb`` megabytes (default 100) to a temporary folder, each one a way an
extract goes wrong at scale, and reads each with ``read_service_data`` in a fresh process with a
hard time limit, recording the outcome (loaded, or the first words of the DataError), wall time
and peak memory (max RSS). The floor, in the same run, is pyarrow reading the same CSV file with
no checks at all (``pyarrow.csv.read_csv``), where pyarrow can read it.

Targets: every load finishes (loads or gives a DataError) within 60 s using at most 2 GB.
Writes ``benchmarks/results/loaders_hostile.md``.

Run: ``python benchmarks/bench_loaders_hostile.py`` (``--mb 10`` for a quick run).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

RESULTS = Path(__file__).parent / "results" / "loaders_hostile.md"
MAX_SECONDS = 60
MAX_PEAK_GB = 2
HEADER = ("Referral ID,NHS Number,Referral Date,Ethnic Category Code,Gender Code,Age at Referral,"
          "LSOA 2011,Source of Referral,First Contact Date,Missed Appointments,Discharge Reason\n")


def _rows(n: int, seed: int = 15, *, bad: bool = False) -> bytes:
    """``n`` NHS-style rows (the headers above), as CSV bytes; ``bad`` plants problems in every row."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2022-04-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    first = days + pd.to_timedelta(rng.integers(0, 90, n), unit="D")
    frame = pd.DataFrame({
        "id": np.char.add("R", np.arange(n).astype(str)),
        "nhs": rng.integers(4_000_000_000, 4_999_999_999, n).astype(str),  # not checked here
        "ref": days.strftime("%d/%m/%Y"),
        "eth": rng.choice(list("ABCDEFGHJKLMNPRSZ"), n),
        "sex": rng.choice(["1", "2", "9", "0"], n),
        "age": (rng.integers(-5, 0, n) if bad else rng.integers(16, 95, n)).astype(str),
        "lsoa": rng.choice(["E01001709", "E01001710", "E01001711", "E01000001"], n),
        "src": rng.choice(["GP", "Self", "A&E", "Police"], n),
        "first": first.strftime("%d/%m/%Y"),
        "dna": rng.poisson(0.6, n).astype(str),
        "out": rng.choice(["Completed", "Disengaged", ""], n),
    })
    if bad:
        frame["eth"] = "Q"
    return frame.to_csv(index=False, header=False).encode()


def _fill(path: Path, head: bytes, body_for, mb: int) -> None:
    """``head`` then ``body_for(rows)`` grown until the file is about ``mb`` MB."""
    sample = body_for(20_000)
    rows = max(1, int(20_000 * (mb * 1e6 - len(head)) / len(sample)))
    path.write_bytes(head + body_for(rows))


def generate(folder: Path, mb: int) -> dict[str, tuple[Path, dict]]:
    """name -> (path, read_service_data keyword arguments)."""
    import numpy as np
    import xlsxwriter

    files: dict[str, tuple[Path, dict]] = {}

    def add(name, kwargs=None):
        files[name] = (folder / name, kwargs or {})
        return folder / name

    _fill(add("clean_nhs_extract.csv"), HEADER.encode(), _rows, mb)
    _fill(add("every_row_bad.csv"), HEADER.encode(), lambda n: _rows(n, bad=True), mb)
    _fill(add("every_row_bad_exclude.csv", {"bad_rows": "exclude"}), HEADER.encode(),
          lambda n: _rows(n, 16, bad=True) + _rows(max(1, n // 10), 17), mb)
    # one unbroken line: a value of mb MB in a coded column, and in a free-text column
    add("one_huge_code.csv").write_bytes(b"ethnicity,age\n" + b"A" * (mb * 10**6) + b",30\nN,40\n")
    add("one_huge_note.csv").write_bytes(b"ethnicity,notes\nA," + b"x" * (mb * 10**6) + b"\nN,ok\n")
    # wide: thousands of unknown columns
    cols = 5000
    line = ",".join(str(i % 97) for i in range(cols)).encode() + b"\n"
    add("five_thousand_columns.csv").write_bytes(
        (",".join(["ethnicity"] + [f"col {i}" for i in range(1, cols)]) + "\n").encode()
        + line.replace(b"0,", b"A,", 1) * max(1, int(mb * 1e6 / len(line))))
    # a distinct value in every row of a text column
    _fill(add("distinct_text_every_row.csv"), b"ethnicity,team\n",
          lambda n: b"".join(b"A,team %d\n" % i for i in range(n)), mb)
    # mostly UTF-8, with Windows-1252 lines scattered through
    utf8 = "A,Café North\n".encode()
    cp = "N,Café South\n".encode("cp1252")
    _fill(add("mixed_encodings.csv"), b"ethnicity,team\n",
          lambda n: (utf8 * 99 + cp) * max(1, n // 100), mb)
    # the header repeated on every other line, and every row a duplicate
    _fill(add("header_every_other_line.csv"), b"ethnicity,age,team\n",
          lambda n: b"A,30,North\nethnicity,age,team\n" * max(1, n // 2), mb)
    _fill(add("all_duplicates.csv"), b"ethnicity,age,team\n", lambda n: b"A,30,North\n" * n, mb)
    _fill(add("decimal_commas.csv"), b"ethnicity;age;count\n",
          lambda n: b"A;30;2,5\nN;40;1,234\n" * max(1, n // 2), mb)
    add("random_bytes.csv").write_bytes(os.urandom(mb * 10**6))
    # Parquet of the same extract (written by pyarrow, without holding it in pandas)
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    pq.write_table(pacsv.read_csv(folder / "clean_nhs_extract.csv"), add("clean_nhs_extract.parquet"))
    # Excel: 1 M filled cells (the cap), one row more than the cap, and a real zip bomb
    n_rows = 1_000_000 // 5 - 1
    for name, rows in (("excel_at_cap.xlsx", n_rows), ("excel_over_cap.xlsx", n_rows + 2)):
        book = xlsxwriter.Workbook(str(add(name)), {"constant_memory": True})
        ws = book.add_worksheet("Extract")
        ws.write_row(0, 0, ["referral date", "ethnicity", "sex", "age", "lsoa"])
        eth = np.array(list("ABCHNSZ"))
        for r in range(1, rows + 1):
            ws.write_row(r, 0, ["2024-01-02", eth[r % 7], "1", 20 + r % 60, "E01001709"])
        book.close()
    bomb = add("zip_bomb.xlsx")
    with zipfile.ZipFile(folder / "excel_at_cap.xlsx") as src, \
            zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename.endswith("sheet1.xml"):
                with out.open(info.filename, "w") as fh:
                    fh.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                             b"<sheetData>")
                    for _ in range(1024):
                        fh.write(b" " * 2**20)  # 1 GB of white space between two tags
                    fh.write(b"</sheetData></worksheet>")
            else:
                out.writestr(info, src.read(info.filename))
    return files


def peak_bytes() -> int:
    """This process's peak resident memory since it started (VmHWM; ``ru_maxrss`` would
    count the parent's memory from before the fork)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def stage_ours(path: str, kwargs: dict) -> dict:
    import warnings

    from equitylab.errors import DataError
    from equitylab.loaders.service import read_service_data

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            df = read_service_data(path, **kwargs)
            outcome = f"loaded {len(df):,} rows" + (f", left out {df.attrs['excluded']['rows']:,}"
                                                    if df.attrs["excluded"]["rows"] else "")
        except DataError as exc:
            outcome = "DataError: " + " ".join(str(exc).split()[:14]) + " ..."
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_bytes": peak_bytes(), "outcome": outcome}


def stage_floor(path: str) -> dict:
    import pyarrow.csv as pacsv

    t0 = time.perf_counter()
    try:
        pacsv.read_csv(path)
        outcome = "read"
    except Exception as exc:  # noqa: BLE001 - the floor only reports what pyarrow did
        outcome = type(exc).__name__
    return {"seconds": time.perf_counter() - t0, "outcome": outcome, "peak_bytes": peak_bytes()}


def run_stage(stage: str, path: Path, kwargs: dict, timeout: float) -> dict:
    try:
        out = subprocess.run([sys.executable, __file__, "--stage", stage, "--file", str(path),
                              "--kwargs", json.dumps(kwargs)],
                             capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "peak_bytes": 0, "outcome": f"TIMED OUT after {timeout:.0f} s"}
    if out.returncode:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"seconds": float("nan"), "peak_bytes": 0, "outcome": f"CRASHED: {tail[:120]}"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--only", default="", help="comma-separated file names to run")
    parser.add_argument("--stage", choices=["ours", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--kwargs", default="{}", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true", help="do not write the results file")
    args = parser.parse_args(argv)
    if args.stage:
        result = (stage_ours(args.file, json.loads(args.kwargs)) if args.stage == "ours"
                  else stage_floor(args.file))
        print(json.dumps(result))
        return 0

    lines, ok = [], True
    with tempfile.TemporaryDirectory(prefix="equitylab-hostile-") as tmp:
        t0 = time.perf_counter()
        files = generate(Path(tmp), args.mb)
        gen = time.perf_counter() - t0
        only = {s.strip() for s in args.only.split(",") if s.strip()}
        for name, (path, kwargs) in files.items():
            if only and name not in only:
                continue
            ours = run_stage("ours", path, kwargs, MAX_SECONDS * 2)
            floor = run_stage("floor", path, {}, MAX_SECONDS * 2) if path.suffix == ".csv" else None
            peak = ours["peak_bytes"] / 1e9
            good = (ours["seconds"] <= MAX_SECONDS and 0 < peak <= MAX_PEAK_GB
                    and not ours["outcome"].startswith(("TIMED", "CRASHED")))
            ok &= good
            floor_text = (f"{floor['seconds']:.1f} s, {floor['peak_bytes'] / 1e9:.2f} GB ({floor['outcome']})"
                          if floor else "-")
            what = name + (f" ({', '.join(f'{k}={v}' for k, v in kwargs.items())})" if kwargs else "")
            lines.append(f"| {what} | {path.stat().st_size / 1e6:,.0f} MB | {ours['outcome']} | "
                         f"{ours['seconds']:.1f} | {peak:.2f} | {floor_text} | {os.getloadavg()[0]:.1f} | "
                         f"{'pass' if good else 'FAIL'} |")
            print(lines[-1], flush=True)
    report = [
        "# Benchmark: hostile extracts of up to 100 MB (issue 15, item 6)",
        "",
        f"Script: `benchmarks/bench_loaders_hostile.py --mb {args.mb}`. Files generated in {gen:.0f} s (not "
        "timed); each read by `read_service_data` in a fresh process (wall time after imports, peak RSS "
        "of the process). Floor: `pyarrow.csv.read_csv` of the same CSV, no checks.",
        f"Targets: every file loads or gives a DataError, within {MAX_SECONDS} s and {MAX_PEAK_GB} GB.",
        "",
        "| file | size | outcome | seconds | peak GB | floor: pyarrow read | load avg | result |",
        "|---|---|---|---|---|---|---|---|",
        *lines,
        "",
        f"Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; other jobs "
        "share the CPUs (the load average is the machine's 1-minute load as each row finished).",
        "",
    ]
    if not args.no_write and not args.only:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(report))
        print(f"wrote {RESULTS}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
