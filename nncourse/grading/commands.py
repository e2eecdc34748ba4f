"""The ``nncourse release``, ``grade`` and ``autograder`` subcommands (registered in ``nncourse/course/cli.py``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

INSTRUCTOR_ONLY = (
    "grading and releasing need the instructor's repository (the question banks in "
    "nncourse/grading/questions/ and the sources in exercises/source/). This is the learner "
    "distribution: check(\"q1\") in an exercise notebook gives feedback on the public tests."
)

def release_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """``nncourse release SECTION | --all [-o DIR] [--no-execute]``, or ``--learner-repo DIR``."""
    parser.add_argument("section", nargs="?", help="section id (e.g. 06) or notebook stem")
    parser.add_argument("--all", action="store_true", help="release every section's exercises")
    parser.add_argument(
        "-o",
        "--out",
        type=Path,
        default=None,
        help="folder to write the student notebooks to (default: exercises/student)",
    )
    parser.add_argument("--no-execute", action="store_true", help="do not run the student version (outputs stay empty)")
    parser.add_argument(
        "--learner-repo",
        type=Path,
        default=None,
        metavar="DIR",
        help="write the learner distribution (lectures, student exercises, binder/, the package without "
        "reference answers or hidden cases) into DIR, for publishing; see exercises/README.md",
    )
    parser.add_argument(
        "--repository",
        default=None,
        metavar="URL",
        help="with --learner-repo: https://github.com/<owner>/<name> where the learner copy is published; "
        "its Binder/Colab links and Colab install line point there (default: course.yml's repository)",
    )

    def run(args: argparse.Namespace) -> int:
        from ..course import outline
        from .release import release
        from .spec import learner_copy

        if learner_copy():
            raise ValueError(INSTRUCTOR_ONLY)
        if args.learner_repo is not None:
            if args.section or args.all or args.out:
                raise ValueError("--learner-repo takes no section, --all or -o: it writes the whole course")
            from .learner import build

            for line in build(args.learner_repo, repository=args.repository):
                print(f"wrote {line}")
            print(f"learner distribution written to {args.learner_repo}")
            return 0
        if args.repository:
            raise ValueError("--repository goes with --learner-repo")
        if args.all == bool(args.section):
            raise ValueError("give one section (e.g. `nncourse release 06`) or --all, not both or neither")
        ids = [s.id for s in outline.load()[1]] if args.all else [args.section]
        for sid in ids:
            print(release(sid, args.out, execute=not args.no_execute), flush=True)
        return 0

    return run


def grade_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """``nncourse grade SECTION_OR_SOURCE FOLDER -o gradebook.csv [--feedback DIR] [--format canvas|moodle]
    [--roster CSV] [--only PATH]``."""
    parser.add_argument("section", help="section id (e.g. 06) or the instructor's source notebook")
    parser.add_argument("folder", type=Path, help="folder of submitted notebooks (any file names)")
    parser.add_argument("-o", "--out", type=Path, default=Path("gradebook.csv"), help="gradebook CSV to write")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="kernels run in parallel (default: 2)")
    parser.add_argument("--cell-timeout", type=float, default=10, help="seconds per cell (default: 10)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per notebook (default: 120)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    _sandbox_arguments(parser)
    _output_arguments(parser)

    def run(args: argparse.Namespace) -> int:
        import sys
        import warnings

        from . import sandbox
        from .grade import TaintedEnvironment
        from .spec import learner_copy

        if learner_copy():
            print(f"nncourse grade: {INSTRUCTOR_ONLY}", file=sys.stderr)
            return 2
        if args.no_sandbox:
            print(
                "WARNING: grading WITHOUT a sandbox (--no-sandbox): every notebook runs with your permissions "
                "and can read the solutions, change your files and leave processes behind.",
                file=sys.stderr,
                flush=True,
            )
        else:
            ok, why = sandbox.available()
            if not ok:
                print(f"nncourse grade: refusing to grade without a sandbox. {why}", file=sys.stderr)
                return 2
        limits = sandbox.Limits(memory_mb=args.memory, processes=args.processes)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the --no-sandbox warning was printed above
                rows, lines = _grade_with_outputs(args, limits)
        except TaintedEnvironment as err:
            print(f"nncourse grade: STOPPED: {err}", file=sys.stderr)
            return 3
        if not args.no_sandbox:
            print(
                f"sandbox: bubblewrap; memory {limits.memory_mb} MB per kernel; processes "
                f"{sandbox.process_cap(limits)}",
                file=sys.stderr,
            )
        print(f"graded {len(rows)} submission(s) -> {args.out}")
        for r in rows:
            print(f"  {r.total:6g}/{r.max_points:g}  {r.status:11}  {r.submission}")
        print("\n".join(lines))
        return 0

    return run


def _sandbox_arguments(parser: argparse.ArgumentParser) -> None:
    """``nncourse grade``'s sandbox options."""
    parser.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run kernels WITHOUT the bubblewrap sandbox (unsafe for untrusted notebooks; warns every run)",
    )
    parser.add_argument("--memory", type=int, default=2048, help="address-space cap per kernel, MB (default: 2048)")
    parser.add_argument(
        "--processes", type=int, default=64, help="tasks (processes + threads) per kernel (default: 64)"
    )


def _output_arguments(parser: argparse.ArgumentParser) -> None:
    """``nncourse grade``'s options for what it writes besides the gradebook (see exercises/README.md)."""
    parser.add_argument(
        "--feedback", type=Path, default=None, metavar="DIR",
        help="write one self-contained HTML feedback page per submission into DIR",
    )
    parser.add_argument(
        "--format", dest="formats", action="append", choices=["canvas", "moodle"], default=[],
        help="also write <gradebook stem>_canvas.csv or _moodle.csv for the LMS's grade import (repeatable)",
    )
    parser.add_argument(
        "--roster", type=Path, default=None, metavar="CSV",
        help="CSV mapping logins (file names) to names and LMS ids: login,name,id,sis_user_id,sis_login_id,"
        "section,email,username,file",
    )
    parser.add_argument(
        "--assignment", default=None, metavar="NAME",
        help="the export's grade column (default: 'Exercise NN <title>'; Canvas: 'Name (12345)' = assignment 12345)",
    )
    parser.add_argument(
        "--only", type=Path, default=None, metavar="PATH",
        help="regrade just this submission into the existing gradebook (its row replaced, the others kept)",
    )


def _only_name(folder: Path, only: Path) -> str:
    """``--only``'s submission as a path relative to the submissions folder."""
    import os

    path = only if only.is_absolute() or only.exists() else folder / only
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    if rel.startswith(".."):
        raise ValueError(f"--only {only}: not a file in the submissions folder {folder}")
    return Path(rel).as_posix()


def _grade_with_outputs(args: argparse.Namespace, limits) -> tuple[list, list[str]]:
    """Grade (all, or ``--only`` one into the existing gradebook), write the other outputs: (rows, lines)."""
    from .grade import grade
    from .outputs import Outputs
    from .results import merge_row

    only = _only_name(args.folder, args.only) if args.only else None
    out = Path(args.out)
    if only and not out.is_file():
        raise FileNotFoundError(f"--only regrades into an existing gradebook; {out} does not exist yet")
    outputs = Outputs(args.section, out, args.feedback, args.formats, args.roster, args.assignment, bool(only))
    target = out.with_name(f".{out.stem}.only.csv") if only else out
    try:
        rows = grade(
            args.section, args.folder, target, jobs=args.jobs, cell_timeout=args.cell_timeout,
            notebook_timeout=args.timeout, progress=not args.no_progress, sandboxed=not args.no_sandbox,
            limits=limits, only=only, on_result=outputs,
        )
        if only:
            merge_row(out, target)
    finally:
        if only:
            target.unlink(missing_ok=True)
            target.with_name(f"{target.stem}_answers.md").unlink(missing_ok=True)
    return rows, outputs.finish()


def autograder_command(parser: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    """``nncourse autograder SECTION -o autograder.zip``: a Gradescope autograder (see gradescope.py)."""
    parser.add_argument("section", help="section id (e.g. 06) or the instructor's source notebook")
    parser.add_argument("-o", "--out", type=Path, default=Path("autograder.zip"), help="zip to write")

    def run(args: argparse.Namespace) -> int:
        from .gradescope import build
        from .spec import learner_copy

        if learner_copy():
            raise ValueError(INSTRUCTOR_ONLY)
        path = build(args.section, args.out)
        print(f"Gradescope autograder for section {args.section} -> {path} (upload it as the assignment's "
              "autograder; see exercises/README.md)")
        return 0

    return run
