"""How long does `nncourse grade` take for a class's worth of submissions?

    python benchmarks/grading_speed.py [--jobs 2]

Builds the test suite's set of section-06 submissions (tests/test_grading.py:
correct, wrong, one per named mistake, infinite loops, sys.exit, os._exit,
numpy patched, check redefined, a corrupt file, a renamed file, ...: 30 and
more), grades them with the command an instructor runs, and prints the wall
time, the time per submission and the slowest submissions. The adversarial
ones dominate: each infinite loop costs a cell timeout.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_grading import CELL_TIMEOUT, build_submissions  # noqa: E402  (the tests' own submissions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="kernels in parallel (default 2, one per core here)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        subs, out = Path(tmp) / "submissions", Path(tmp) / "out" / "gradebook.csv"
        subs.mkdir()
        out.parent.mkdir()
        build_submissions(subs, out)
        n = sum(1 for p in subs.rglob("*") if p.is_file())
        command = [sys.executable, "-m", "nncourse.cli", "grade", "06", str(subs), "-o", str(out),
                   "--cell-timeout", str(CELL_TIMEOUT), "--timeout", "60", "--jobs", str(args.jobs)]
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            sys.exit(proc.stderr[-3000:])
        with out.open(newline="") as f:
            rows = list(csv.DictReader(f))
    print(f"graded {n} files ({len(rows)} gradebook rows) of section 06 with {args.jobs} kernels in parallel")
    print(f"wall time {seconds:.1f} s, {seconds / n:.2f} s per file; per-cell timeout {CELL_TIMEOUT} s")
    slowest = sorted(rows, key=lambda r: -float(r["seconds"] or 0))[:5]
    print("slowest:", "; ".join(f"{r['submission']} {float(r['seconds']):.1f} s ({r['status']})" for r in slowest))


if __name__ == "__main__":
    main()
