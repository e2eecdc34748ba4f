"""Grade a folder of submissions into a gradebook CSV.

``grade(section, folder, out)``:

1. reads every file under ``folder`` into memory first (hidden files and
   checkpoints skipped), so submissions are only ever read, and a notebook
   that writes to another file cannot change what is graded;
2. runs each one in its own fresh kernel (``runner.run_submission``), ``jobs``
   at a time, each in a separate worker process, with a progress bar on stderr;
3. judges the answers in THIS process with ``judge.evaluate`` on the public
   cases (from the question bank) and the hidden cases (from the source
   notebook): the expected values are computed here, with this numpy;
4. writes the CSV once, at the end, atomically (temp file + rename), so a
   submission that wrote to the gradebook's path has no effect (it is noted).

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
import sys
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from . import probe
from .judge import evaluate
from .runner import RunResult, run_submission
from .spec import Question, bank


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
    from .. import outline
    from .release import source_path

    path = Path(section_or_source)
    if path.suffix == ".ipynb" and path.is_file():
        from ..notebooks import read

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


def collect(folder: Path, exclude: list[Path]) -> list[tuple[str, bytes]]:
    """Every submission file under ``folder`` as (relative path, bytes), sorted by path."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions.")
    skip = {p.resolve() for p in exclude}
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or path.resolve() in skip:
            continue
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        files.append((rel.as_posix(), path.read_bytes()))
    return files


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
            if result.status != "unreadable":
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
            notes.append(f"{q.id}: {v.message}")
    if result.gradebook_changed:
        notes.append("the gradebook file changed while this notebook ran (ignored: it is written at the end)")
    total = round(sum(p for p in points.values() if p is not None), 2)
    max_points = sum(q.points for q in questions if q.kind != "manual")
    return Row(
        name,
        points,
        total,
        max_points,
        result.status,
        " | ".join(notes),
        hashlib.sha256(data).hexdigest()[:12],
        round(result.seconds, 1),
    )


def write_csv(path: Path, rows: list[Row], questions: list[Question]) -> None:
    """Write the gradebook atomically: a temp file in the same folder, then a rename."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["submission", *[q.id for q in questions], "total", "max", "status", "notes", "sha256", "seconds"])
    for r in rows:
        cells = ["" if r.points[q.id] is None else f"{r.points[q.id]:g}" for q in questions]
        writer.writerow(
            [r.submission, *cells, f"{r.total:g}", f"{r.max_points:g}", r.status, r.notes, r.sha256, f"{r.seconds:.1f}"]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def write_answers(path: Path, submissions: list[tuple[str, RunResult]], questions: list[Question]) -> None:
    """The written answers of every submission, one section per manual question, for marking."""
    manual = [q for q in questions if q.kind == "manual"]
    lines = ["# Written answers to mark", ""]
    for q in manual:
        lines += [f"## {q.id}: {q.title} ({q.points:g} points)", ""]
        for name, result in submissions:
            answer = result.answers.get(q.id, "").strip() or "_(no answer cell found)_"
            lines += [f"### {name}", "", answer, ""]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _run_pool(files: list[tuple[str, bytes]], args: tuple, jobs: int, bar) -> dict[str, RunResult]:
    """``run_submission(data, *args)`` for every file, ``jobs`` worker processes at a time.

    A notebook can kill the process that grades it, which breaks the whole pool.
    Only ``jobs`` files are ever in flight, so at most that many are hit: they are
    rerun one by one, each in a fresh pool of its own, and a new pool takes the rest.
    """
    results: dict[str, RunResult] = {}
    queue, suspects = list(files), []
    context = multiprocessing.get_context("spawn")
    while queue:
        with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context) as pool:
            running: dict = {}
            broken = False
            while (queue or running) and not broken:
                while queue and len(running) < max(1, jobs):
                    name, data = queue.pop(0)
                    running[pool.submit(run_submission, data, *args)] = (name, data)
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    name, data = running.pop(future)
                    try:
                        results[name] = future.result()
                        if bar is not None:
                            bar.update(1)
                    except BrokenProcessPool:
                        suspects.append((name, data))
                        broken = True
                    except Exception as err:  # a bug in the grader: report it in the row, go on
                        results[name] = RunResult(status="grader-error", notes=[f"{type(err).__name__}: {err}"])
            suspects += list(running.values()) if broken else []
    for name, data in suspects:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            try:
                results[name] = pool.submit(run_submission, data, *args).result()
            except BrokenProcessPool:
                results[name] = RunResult(status="grader-error", notes=["the notebook killed its grading process"])
        if bar is not None:
            bar.update(1)
    return results


def grade(
    section_or_source: str,
    folder: str | Path,
    out: str | Path,
    jobs: int = 2,
    cell_timeout: float = 10,
    notebook_timeout: float = 120,
    progress: bool = True,
) -> list[Row]:
    """Grade every file in ``folder`` and write the gradebook CSV ``out``; return its rows."""
    from tqdm import tqdm

    section, source = resolve(section_or_source)
    questions = list(bank(section).values())
    hidden = probe.hidden_cases(source)
    cases = {q.id: list(q.cases) + hidden.get(q.id, []) for q in questions if q.kind != "manual"}
    out = Path(out).resolve()
    answers_path = out.with_name(f"{out.stem}_answers.md")
    files = collect(Path(folder), exclude=[out, answers_path])
    bar = tqdm(total=len(files), desc=f"grading section {section}", unit="nb", file=sys.stderr, disable=not progress)
    args = (section, cases, cell_timeout, notebook_timeout, out)
    results = _run_pool(files, args, jobs, bar)
    bar.close()
    rows = [score(name, data, results[name], questions, section, cases) for name, data in files]
    write_csv(out, rows, questions)
    if any(q.kind == "manual" for q in questions):
        write_answers(answers_path, [(name, results[name]) for name, _ in files], questions)
    return rows
