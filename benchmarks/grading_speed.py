"""How long does `nncourse grade` take for a class's worth of submissions?

    python benchmarks/grading_speed.py [--jobs 2]
    python benchmarks/grading_speed.py --sandbox-cost [--copies 6]

Builds the test suite's set of section-06 submissions (tests/test_grading.py:
correct, wrong, one per named mistake, infinite loops, sys.exit, os._exit,
numpy patched, check redefined, a corrupt file, a renamed file, ...: 30 and
more), grades them with the command an instructor runs, and prints the wall
time, the time per submission and the slowest submissions. The adversarial
ones dominate: each infinite loop costs a cell timeout.

``--sandbox-cost`` grades ``--copies`` copies of the instructor's section-06
solution one at a time (``--jobs 1``), once in the bubblewrap sandbox (the
default) and once with ``--no-sandbox``, and prints the time per submission
both ways (wall time of the command, and the kernels' own run time).
"""

from __future__ import annotations

import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from test_grading import CELL_TIMEOUT, build_submissions  # noqa: E402  (the tests' own submissions)


def grade_folder(subs: Path, out: Path, *options: str) -> tuple[float, list[dict]]:
    """Run ``nncourse grade 06`` on the folder ``subs``: (wall seconds, gradebook rows).

    Grades with a snapshot of the package (tests/test_grading.py's ``snapshot``), so that someone
    editing this checkout during the run does not stop the grader's environment check."""
    from test_grading import snapshot, snapshot_env

    course = snapshot(Path(tempfile.mkdtemp(prefix="nncourse-bench-")))
    command = [sys.executable, "-m", "nncourse.course.cli", "grade", "06", str(subs), "-o", str(out), "--no-progress",
               *options]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env=snapshot_env(course), cwd=course)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(proc.stderr[-3000:])
    with out.open(newline="") as f:
        return seconds, list(csv.DictReader(f))


def sandbox_cost(copies: int) -> None:
    """Time per submission with the sandbox and without it (one kernel at a time)."""
    from test_grading import submission

    text = submission()
    for mode in ([], ["--no-sandbox"]):
        with tempfile.TemporaryDirectory() as tmp:
            subs, out = Path(tmp) / "submissions", Path(tmp) / "out" / "gradebook.csv"
            subs.mkdir()
            for i in range(copies):
                (subs / f"copy_{i}.ipynb").write_text(text)
            seconds, rows = grade_folder(subs, out, "--jobs", "1", *mode)
        assert all(float(r["total"]) == float(r["max"]) for r in rows), rows
        kernel = sum(float(r["seconds"]) for r in rows) / len(rows)
        label = "--no-sandbox" if mode else "sandbox     "
        print(f"{label}: {seconds / copies:.2f} s per submission (wall, {copies} copies, 1 job); "
              f"kernel run {kernel:.2f} s per submission")


def ordinary_class(folder: Path, n: int) -> None:
    """``n`` ordinary submissions: every other one correct, the rest each with one named mistake
    (no infinite loops or exits, so no time-outs: the throughput of an honest class)."""
    from test_grading import MISTAKES, submission

    mistakes = list(MISTAKES.values())
    for i in range(n):
        replace = {} if i % 2 == 0 else mistakes[(i // 2) % len(mistakes)][0]
        (folder / f"learner{i:03d}__06_worked_example.ipynb").write_text(submission(replace))


def load_after() -> str:
    """The load average now (1, 5 and 15 minutes): the machine may be shared while this runs."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="kernels in parallel (default 2, one per core here)")
    parser.add_argument("--sandbox-cost", action="store_true", help="time per submission with vs without sandbox")
    parser.add_argument("--copies", type=int, default=6, help="submissions per mode for --sandbox-cost")
    parser.add_argument("--ordinary", type=int, default=0, metavar="N",
                        help="grade N ordinary submissions (correct or one named mistake) instead of the test set")
    args = parser.parse_args()
    if args.sandbox_cost:
        sandbox_cost(args.copies)
        return
    load_before = load_after()
    with tempfile.TemporaryDirectory() as tmp:
        subs, out = Path(tmp) / "submissions", Path(tmp) / "out" / "gradebook.csv"
        subs.mkdir()
        out.parent.mkdir()
        if args.ordinary:
            ordinary_class(subs, args.ordinary)
        else:
            build_submissions(subs, out)
        n = sum(1 for p in subs.rglob("*") if p.is_file())
        seconds, rows = grade_folder(subs, out, "--cell-timeout", str(CELL_TIMEOUT), "--timeout", "60",
                                     "--jobs", str(args.jobs))
    kind = "ordinary" if args.ordinary else "test-set"
    print(f"graded {n} {kind} files ({len(rows)} gradebook rows) of section 06 with {args.jobs} kernels in parallel")
    print(f"wall time {seconds:.1f} s, {seconds / n:.2f} s per file; per-cell timeout {CELL_TIMEOUT} s")
    print(f"throughput {60 * n / seconds:.1f} submissions per minute at --jobs {args.jobs}; "
          f"load average before {load_before}, after {load_after()} (1, 5, 15 min; {os.cpu_count()} cores)")
    slowest = sorted(rows, key=lambda r: -float(r["seconds"] or 0))[:5]
    print("slowest:", "; ".join(f"{r['submission']} {float(r['seconds']):.1f} s ({r['status']})" for r in slowest))


if __name__ == "__main__":
    main()
