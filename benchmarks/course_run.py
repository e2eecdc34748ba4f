"""How long does the whole course take to execute, and how much memory does it use?

    python benchmarks/course_run.py

Runs every notebook listed in course.yml, in order, each from a fresh kernel
(as nbval and a learner do), and prints each notebook's wall time, its
slowest cell and the kernel's peak resident memory, then the totals.
Nothing is written back to the notebooks. Exits with status 1 when a notebook
has an error, a cell over 10 s (``notebooks.MAX_CELL_SECONDS``) or a kernel
over 1 GB (``MAX_PEAK_MB``): these limits are checked here, not by the tests,
because they depend on the machine and its load.
"""

from __future__ import annotations

import time
from pathlib import Path

from nncourse.course import notebooks, outline

ROOT = Path(__file__).resolve().parent.parent
MAX_PEAK_MB = 1024  # one kernel's memory limit


def main() -> int:
    _, sections = outline.load(ROOT)
    start = time.perf_counter()
    peak, slowest, failed = 0.0, 0.0, 0
    print(f"{'notebook':45} {'seconds':>8} {'slowest cell':>13} {'peak MB':>8}")
    for s in sections:
        path = ROOT / s.notebook
        if not path.exists():
            print(f"{s.notebook:45} (missing)")
            continue
        r = notebooks.execute(path)
        peak, slowest = max(peak, r.peak_mb), max(slowest, r.slowest)
        problems = list(r.errors)
        if r.slowest > notebooks.MAX_CELL_SECONDS:
            problems.append(f"cell over {notebooks.MAX_CELL_SECONDS:g} s")
        if not r.peak_mb < MAX_PEAK_MB:
            problems.append(f"kernel over {MAX_PEAK_MB} MB")
        failed += bool(problems)
        flag = "  <- " + "; ".join(problems) if problems else ""
        print(f"{s.notebook:45} {r.seconds:8.1f} {r.slowest:13.1f} {r.peak_mb:8.0f}{flag}")
    total = time.perf_counter() - start
    print(f"\nwhole course: {total:.1f} s; slowest cell {slowest:.1f} s; largest kernel peak {peak:.0f} MB")
    if failed:
        print(f"{failed} notebook(s) over a limit or with an error")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
