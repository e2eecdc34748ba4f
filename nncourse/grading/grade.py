"""Grade a folder of submissions into a gradebook CSV.

``grade(section, folder, out)``:

1. reads every file under ``folder`` into memory first (hidden files and
   checkpoints skipped; a symlink, FIFO or other non-regular file gets a
   ``refused`` row without being read), so submissions are only ever read;
2. runs each one in its own fresh kernel (``runner.run_submission``), by
   default inside the bubblewrap sandbox (``sandbox.py``), ``jobs`` at a time,
   each in a worker process of its own (its own process group, killed with the
   grader); a watchdog here kills a worker's whole process group at its deadline,
   whatever state it is in (stopped, hung);
3. judges the answers in THIS process with ``judge.evaluate`` on the public
   cases (from the question bank) and the hidden cases (from the source
   notebook): the expected values are computed here, with this numpy;
4. after each submission, checks that the environment (package, site-packages,
   kernel specs, IPython startup files, source, submissions; ``integrity.py``)
   is unchanged, else stops (``TaintedEnvironment``), and rewrites the CSV
   atomically (temp file + rename), so a killed run keeps the rows it had.

Every text a submission controls (its file name, exception messages, notes) is
cleaned by ``clean``: control characters removed, truncated, and escaped against
spreadsheet formula injection.

CSV columns: ``submission, <q1>, <q2>, ..., total, max, status, notes, sha256, seconds``
(sha256: the first 12 hex digits of the file graded; seconds: its kernel's run time). A
manual question's column is empty (to fill in); its answers go to
``<gradebook stem>_answers.md``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import multiprocessing
import os
import signal
import stat
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_for
from pathlib import Path

from . import integrity, probe, sandbox
from .files import write_atomic
from .judge import evaluate
from .runner import Box, RunResult, run_submission
from .spec import Question, bank

MAX_TEXT = 300  # characters of any one text a submission controls
MAX_NOTES = 2000  # characters of a row's notes
MAX_FILE = 50 * 2**20  # bytes: a larger "notebook" is refused unread
WATCHDOG_GRACE = 60.0  # seconds past --timeout before the watchdog kills a worker


class TaintedEnvironment(RuntimeError):
    """Something outside a submission's scratch folder changed while it was graded."""


def clean(text: object, limit: int = MAX_TEXT) -> str:
    """A submission-controlled text made safe for a CSV cell and a terminal: control and
    format characters removed (newlines become spaces), at most ``limit`` characters, and a
    leading ``= + - @`` (which a spreadsheet would run as a formula) escaped with a quote."""
    text = "".join(
        " " if ch in "\n\r\t" else ch for ch in str(text) if ch in "\n\r\t" or unicodedata.category(ch)[0] != "C"
    )
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    if text[:1] in ("=", "+", "-", "@"):
        text = "'" + text
    return text


@dataclass
class Row:
    """One gradebook row."""

    submission: str
    points: dict[str, float | None]
    total: float
    max_points: float
    status: str
    notes: str
    sha256: str
    seconds: float = 0.0


def resolve(section_or_source: str) -> tuple[str, Path]:
    """(section id, source notebook) from a section id like ``06`` or a source notebook's path."""
    from ..course import outline
    from .release import source_path

    path = Path(section_or_source)
    if path.suffix == ".ipynb" and path.is_file():
        from ..course.notebooks import read

        meta = read(path).metadata.get("nncourse", {})
        if meta.get("version") == "student":
            raise ValueError(f"{path} is a student version (no hidden tests): give the section id or the source.")
        sid = str(meta.get("section", ""))
        if not sid:
            sid = next((s.id for s in outline.load()[1] if Path(s.exercise).name == path.name), "")
        if not sid:
            raise ValueError(f"{path} does not say which section it belongs to (metadata nncourse.section).")
        return outline.section(sid).id, path
    sid = outline.section(section_or_source).id
    return sid, source_path(sid)


REFUSED = "refused"  # collect() puts this in place of the bytes of a file it did not read


def _read_regular(path: Path) -> bytes | str:
    """The bytes of a regular file, or why it was refused (read without following a symlink)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        return f"not a regular file ({err.strerror})"
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        if st.st_size > MAX_FILE:
            return f"larger than {MAX_FILE // 2**20} MB"
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read(MAX_FILE + 1)
    finally:
        os.close(fd)


def collect(folder: Path, exclude: list[Path]) -> list[tuple[str, bytes | tuple[str, str]]]:
    """Every submission file under ``folder`` as (relative path, bytes), sorted by path.

    A symlink, a FIFO, a device or another non-regular entry (symlinked folders
    included) is not read: it appears as (relative path, ("refused", why))."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions.")
    skip = {p.resolve() for p in exclude}
    files: list[tuple[str, bytes | tuple[str, str]]] = []
    for top, dirs, names in os.walk(folder, followlinks=False):
        rel_top = Path(top).relative_to(folder)
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
        for name in sorted([*names, *[d for d in dirs if os.path.islink(os.path.join(top, d))]]):
            rel = rel_top / name
            if name.startswith(".") or any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            path = Path(top) / name
            if not path.is_symlink() and path.resolve() in skip:
                continue
            if path.is_symlink():
                files.append((rel.as_posix(), (REFUSED, "a symbolic link (not followed, not read)")))
                continue
            data = _read_regular(path)
            files.append((rel.as_posix(), data if isinstance(data, bytes) else (REFUSED, data)))
    return sorted(files, key=lambda f: f[0])


def score(
    name: str, data: bytes, result: RunResult, questions: list[Question], section: str, cases: dict[str, list[dict]]
) -> Row:
    """Judge one submission's probe outputs in this process."""
    points: dict[str, float | None] = {}
    notes = list(result.notes)
    if result.section and result.section != section:
        notes.insert(0, f"the notebook says it is section {result.section}; graded as {section}")
    for q in questions:
        if q.kind == "manual":
            points[q.id] = None
            continue
        outcomes = result.outcomes.get(q.id)
        if outcomes is None:
            points[q.id] = 0.0
            if result.status not in ("unreadable", "refused"):
                notes.append(f"{q.id}: {result.probe_problems.get(q.id, 'no answer came back')}")
            continue
        try:
            v = evaluate(q, cases[q.id], outcomes)
        except Exception as err:  # malformed data from the kernel: the question scores 0
            points[q.id] = 0.0
            notes.append(f"{q.id}: the answer's data could not be read ({type(err).__name__})")
            continue
        points[q.id] = v.points
        if v.status != "pass":
            notes.append(f"{q.id}: {clean(v.message)}")
    if result.gradebook_changed:
        notes.append("the gradebook file changed while this notebook ran (ignored)")
    total = round(sum(p for p in points.values() if p is not None), 2)
    max_points = sum(q.points for q in questions if q.kind != "manual")
    return Row(
        clean(name),
        points,
        total,
        max_points,
        result.status,
        clean(" | ".join(clean(n) for n in notes), MAX_NOTES),
        "" if result.status == "refused" else hashlib.sha256(data).hexdigest()[:12],
        round(result.seconds, 1),
    )


def write_csv(path: Path, rows: list[Row], questions: list[Question]) -> bytes:
    """Write the gradebook atomically: a temp file in the same folder, then a rename.
    Returns the bytes written."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["submission", *[q.id for q in questions], "total", "max", "status", "notes", "sha256", "seconds"])
    for r in rows:
        cells = ["" if r.points[q.id] is None else f"{r.points[q.id]:g}" for q in questions]
        writer.writerow(
            [r.submission, *cells, f"{r.total:g}", f"{r.max_points:g}", r.status, r.notes, r.sha256, f"{r.seconds:.1f}"]
        )
    write_atomic(path, buf.getvalue())
    return buf.getvalue().encode("utf-8")


def write_answers(path: Path, submissions: list[tuple[str, RunResult]], questions: list[Question]) -> None:
    """The written answers of every submission, one section per manual question, for marking."""
    manual = [q for q in questions if q.kind == "manual"]
    lines = ["# Written answers to mark", ""]
    for q in manual:
        lines += [f"## {q.id}: {q.title} ({q.points:g} points)", ""]
        for name, result in submissions:
            answer = result.answers.get(q.id, "").strip()[:20_000] or "_(no answer cell found)_"
            lines += [f"### {clean(name)}", "", answer, ""]
    write_atomic(path, "\n".join(lines))


def _die_with_parent(parent: int) -> None:
    """Linux: SIGKILL this process when its parent (the grader) dies, however it dies."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: the watchdog and atexit still stop workers
        pass
    if os.getppid() != parent:
        os._exit(1)


def _worker(conn, parent: int, data: bytes, args: tuple, box: Box) -> None:
    """Grade one submission in this (spawned) process and send the RunResult back."""
    os.setsid()  # a process group of its own: the watchdog kills it whole
    _die_with_parent(parent)
    try:
        result = run_submission(data, *args, box=box)
    except Exception as err:  # a bug in the grader: report it in the row
        result = RunResult(status="grader-error", notes=[f"{type(err).__name__}: {str(err)[:300]}"])
    conn.send(result)
    conn.close()


def _kill_group(process) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        process.kill()
    except Exception:
        pass
    process.join(10)


def _run_all(files: list[tuple[str, bytes]], args: tuple, box: Box, jobs: int, limit: float, on_result) -> None:
    """``run_submission(data, *args)`` for every file, each in a fresh worker process, at most
    ``jobs`` at a time; ``on_result(name, data, result)`` is called as each one finishes.

    A watchdog (this loop) kills a worker's process group ``limit`` seconds after it started,
    whatever it is doing (a SIGSTOP'd or hung worker included); with the sandbox, the
    kernel dies with its worker (``bwrap --die-with-parent``). A worker that dies without
    a result (a notebook killed it) gets a ``grader-error`` row. If this process stops
    (an exception, Ctrl-C, or it is killed), every worker is killed too."""
    context = multiprocessing.get_context("spawn")
    queue = list(files)
    running: dict = {}
    try:
        while queue or running:
            while queue and len(running) < max(1, jobs):
                name, data = queue.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(
                    target=_worker, args=(send, os.getpid(), data, args, box), daemon=True, name=f"grade {name}"
                )
                process.start()
                send.close()
                running[receive] = (name, data, process, time.monotonic() + limit)
            for conn in wait_for(list(running), timeout=0.5):
                name, data, process, _ = running.pop(conn)
                try:
                    result = conn.recv()
                except (EOFError, OSError):
                    result = RunResult(status="grader-error", notes=["the notebook killed its grading process"])
                conn.close()
                _kill_group(process)
                on_result(name, data, result)
            now = time.monotonic()
            for conn, (name, data, process, deadline) in list(running.items()):
                if now > deadline:
                    running.pop(conn)
                    _kill_group(process)
                    conn.close()
                    result = RunResult(
                        status="timeout",
                        notes=[f"stopped by the grader's watchdog after {limit:.0f} s (the notebook's process hung)"],
                    )
                    on_result(name, data, result)
    finally:
        for *_, process, _deadline in running.values():
            _kill_group(process)


def _refused(why: str) -> RunResult:
    return RunResult(status="refused", notes=[f"refused: {why}"])


def grade(
    section_or_source: str,
    folder: str | Path,
    out: str | Path,
    jobs: int = 2,
    cell_timeout: float = 10,
    notebook_timeout: float = 120,
    progress: bool = True,
    sandboxed: bool = True,
    limits: sandbox.Limits | None = None,
    only: str | None = None,
    on_result: Callable[[str, RunResult, Row], None] | None = None,
) -> list[Row]:
    """Grade every file in ``folder`` and write the gradebook CSV ``out``; return its rows.

    ``only``: grade just the file at that path relative to ``folder`` (``--only``).
    ``on_result(name, result, row)`` is called after each row is written (feedback reports).

    ``sandboxed`` (default) runs each kernel in the bubblewrap sandbox and refuses to
    grade (RuntimeError, saying how to get one) if none can be made here. Raises
    ``TaintedEnvironment`` if the environment changes during the run; the gradebook
    then holds only the rows graded before the change."""
    from tqdm import tqdm

    folder = Path(folder)
    _require_sandbox(sandboxed)
    section, source = resolve(section_or_source)
    questions = list(bank(section).values())
    cases = probe.all_cases(section, source)
    out = Path(out).resolve()
    answers_path = out.with_name(f"{out.stem}_answers.md")
    files = _submissions(folder, [out, answers_path], only)
    hide = (str(folder.resolve()), str(out.parent), str(Path(source).resolve().parent))  # from the kernels
    box = Box(sandboxed=sandboxed, hide=hide, limits=limits or sandbox.Limits())
    watch = [Path(source).resolve(), folder.resolve()]
    baseline_full, baseline = integrity.fingerprint(watch), integrity.fingerprint(watch, full=False)
    bar = tqdm(total=len(files), desc=f"grading section {section}", unit="nb", file=sys.stderr, disable=not progress)
    book = _Book(out, answers_path, questions, section, cases)

    def record(name: str, data, result: RunResult) -> None:
        _stop_if_tampered(name, integrity.changes(baseline, integrity.fingerprint(watch, full=False)),
                          jobs, out, len(book.rows), book.written)
        row = book.add(name, data, result)
        if on_result is not None:
            on_result(name, result, row)
        bar.update(1)

    for name, data in files:  # files refused before running (too large, unreadable) get their row first
        if isinstance(data, tuple):
            record(name, data, _refused(data[1]))
    todo = [(name, data) for name, data in files if not isinstance(data, tuple)]
    args = (section, cases, cell_timeout, notebook_timeout, None)
    try:
        _run_all(todo, args, box, jobs, notebook_timeout + WATCHDOG_GRACE, record)
    finally:
        bar.close()
    if not files:
        write_csv(out, [], questions)
    _set_aside_if_tainted(integrity.changes(baseline_full, integrity.fingerprint(watch)), out)
    return book.sorted_rows()


class _Book:
    """The gradebook being written: one row per graded file, the whole CSV rewritten after each
    (and the written answers beside it), so that it is complete up to the last file graded."""

    def __init__(self, out: Path, answers_path: Path, questions: list[Question], section: str, cases: dict):
        self.out, self.answers_path, self.questions, self.section, self.cases = (
            out, answers_path, questions, section, cases)
        self.rows: dict[str, Row] = {}
        self.results: dict[str, RunResult] = {}
        self.written: list[bytes] = []  # what this run last wrote to ``out``

    def sorted_rows(self) -> list[Row]:
        return [self.rows[n] for n in sorted(self.rows)]

    def add(self, name: str, data, result: RunResult) -> Row:
        self.results[name] = result
        raw = data if isinstance(data, bytes) else b""
        self.rows[name] = score(name, raw, result, self.questions, self.section, self.cases)
        self.written[:] = [write_csv(self.out, self.sorted_rows(), self.questions)]
        if any(q.kind == "manual" for q in self.questions):
            write_answers(self.answers_path, [(n, self.results[n]) for n in sorted(self.results)], self.questions)
        return self.rows[name]


def _set_aside_if_tainted(changed: list[str], out: Path) -> None:
    """After the run: if anything watched changed, move the gradebook aside and say why."""
    if changed:
        aside = out.with_name(out.name + ".tainted")
        os.replace(out, aside)
        raise TaintedEnvironment(
            "the grading environment changed during the run: " + "; ".join(changed) + f". The gradebook was moved "
            f"to {aside}: do not trust it. Restore the environment (reinstall the venv) and grade again."
        )


def _require_sandbox(sandboxed: bool) -> None:
    """Refuse to grade when no sandbox can be made here; warn loudly when asked to grade without one."""
    if sandboxed:
        ok, why = sandbox.available()
        if not ok:
            raise RuntimeError(why)
    else:
        warnings.warn(
            "grading WITHOUT a sandbox (--no-sandbox): each notebook runs with your permissions and can "
            "read the solutions, change files you can change, and leave processes behind. "
            "Use this only on a throwaway machine or account.",
            stacklevel=2,
        )


def _submissions(folder: Path, exclude: list[Path], only: str | None) -> list:
    """The files to grade in ``folder`` (not the grader's own outputs); just ``only`` if given."""
    files = collect(folder, exclude=exclude)
    if only is not None:
        files = [f for f in files if f[0] == only]
        if not files:
            raise FileNotFoundError(f"--only: no submission {only!r} in {folder} (give its path in that folder).")
    return files


def _stop_if_tampered(name: str, changed: list[str], jobs: int, out: Path, n_rows: int, written: list[bytes]) -> None:
    """Stop grading (TaintedEnvironment) if the environment or the gradebook changed under us."""
    if changed:
        also = " (or a notebook graded at the same time)" if jobs > 1 else ""
        raise TaintedEnvironment(
            f"the grading environment changed while {clean(name)!r} was graded{also}: "
            + "; ".join(changed)
            + f". Grading stopped; {out} holds only the {n_rows} row(s) graded before. "
            "Restore the environment (reinstall the package and venv) before grading again."
        )
    if written and (not out.exists() or out.read_bytes() != written[0]):
        raise TaintedEnvironment(
            f"the gradebook {out} was changed by someone else while {clean(name)!r} was graded. Grading stopped."
        )
