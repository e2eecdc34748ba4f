"""A Gradescope autograder for one section: ``nncourse autograder 06 -o autograder.zip``.

Gradescope's autograder specification (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): a zip with ``setup.sh`` (run once, as root, when the image is built) and
``run_autograder`` (run for every submission, in ``/autograder``) at its root; the zip is
unpacked to ``/autograder/source``, the learner's files are in ``/autograder/submission``, and
``run_autograder`` must write ``/autograder/results/results.json``.

The zip holds the ``nncourse`` package (question banks included: Gradescope keeps the zip from
learners), ``pyproject.toml``, ``course.yml``, the section's instructor source (its hidden
tests), ``autograder.json`` (the section) and the two scripts. ``setup.sh`` installs Python,
bubblewrap and the package into ``/autograder/venv``; ``run_autograder`` runs
``python -m nncourse.grading.gradescope run``, which grades the submitted notebook with the
same engine as ``nncourse grade`` (``grade.grade``) and writes ``results.json``:

- ``score``: the gradebook total (automatic points); ``output``: the total, and what happened
  while the notebook ran (time-outs, cells that raised);
- per automatic question, a test ``qN: title (public tests)`` (visibility ``visible``), its
  output naming the mistake and fix for each failed public case; and, if the question has
  hidden cases, a test ``qN: title (hidden tests)`` with visibility ``after_published``
  whose output is only how many passed and the names of the mistakes recognised.
  Each test's ``max_score`` is the question's points times its share of the question's cases.

Environment: ``AUTOGRADER_ROOT`` (default ``/autograder``) moves the whole tree, for trying the
autograder locally; ``NNCOURSE_PYTHON`` replaces ``$AUTOGRADER_ROOT/venv/bin/python``. Kernels
run in the bubblewrap sandbox when the container allows it; otherwise (Docker often forbids user
namespaces) the submission is graded without it, inside Gradescope's per-submission container,
and stdout says so. ``NNCOURSE_AUTOGRADER_SANDBOX=require`` makes a missing sandbox an error.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from . import details
from .details import QuestionResult
from .files import replacing
from .grade import Row, clean

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install /autograder/source
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $AUTOGRADER_ROOT/results/results.json.
set -uo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${NNCOURSE_PYTHON:-$ROOT/venv/bin/python}"
export NNCOURSE_ROOT="$ROOT/source"
exec "$PYTHON" -m nncourse.grading.gradescope run --root "$ROOT"
"""

README = "The nncourse package and one section's exercise, packed as a Gradescope autograder.\n"


def _package_files(package: Path) -> list[Path]:
    return sorted(
        p for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc" and ".ipynb_checkpoints" not in p.parts
    )


def build(section_or_source: str, out: Path) -> Path:
    """Write the autograder zip for a section to ``out``; return its path."""
    from ..course import outline
    from .grade import resolve
    from .sandbox import package_dir

    section, source = resolve(section_or_source)
    root = outline.course_root()
    out = Path(out)
    with replacing(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o100755 << 16  # executable
            z.writestr(info, text)
        z.writestr("README.md", README)
        z.writestr("autograder.json", json.dumps({"section": section}) + "\n")
        z.write(root / "pyproject.toml", "pyproject.toml")
        z.write(root / "course.yml", "course.yml")
        z.write(source, Path(source).resolve().relative_to(root.resolve()).as_posix())
        package = package_dir()
        for path in _package_files(package):
            z.write(path, (Path("nncourse") / path.relative_to(package)).as_posix())
    return out


def _test(name: str, score: float, max_score: float, output: str, visibility: str) -> dict:
    return {
        "name": name,
        "score": round(score, 4),
        "max_score": round(max_score, 4),
        "status": "passed" if score >= max_score - 1e-9 else "failed",
        "output": output,
        "visibility": visibility,
    }


def _public_output(q: QuestionResult) -> str:
    lines = []
    for i, c in enumerate(q.public, 1):
        if c.status != "pass":
            lines.append(f"public test {i}: {clean(c.message)}")
    if q.problem:
        lines.insert(0, f"no answer came back: {clean(q.problem)}")
    passed = f"{q.public_passed} of {len(q.public)} public tests passed" if q.public else ""
    return "\n".join([passed, *lines]).strip()


def _hidden_output(q: QuestionResult) -> str:
    text = f"{q.hidden_passed} of {q.hidden_total} hidden tests passed"
    if q.hidden_mistakes:
        text += "; mistakes recognised: " + ", ".join(q.hidden_mistakes)
    return text


def question_tests(q: QuestionResult, n_public: int, n_cases: int) -> list[dict]:
    """The Gradescope tests of one automatic question (see the module docstring)."""
    per_case = q.max_points / n_cases if n_cases else 0.0
    title = f"{q.id}: {q.title}"
    tests = [_test(f"{title} (public tests)", per_case * q.public_passed, per_case * n_public,
                   _public_output(q), "visible")]
    if n_cases > n_public:
        hidden = _hidden_output(q) if q.hidden_total else f"no answer came back: {clean(q.problem)}"
        tests.append(_test(f"{title} (hidden tests)", per_case * q.hidden_passed, per_case * (n_cases - n_public),
                           hidden, "after_published"))
    return tests


def results_json(row: Row, questions: list[QuestionResult], cases: dict[str, list], public: dict[str, int],
                 notes: list[str], seconds: float) -> dict:
    """results.json for one graded submission (Gradescope's format, see the module docstring)."""
    tests = []
    for q in questions:
        if q.kind != "manual":
            tests += question_tests(q, public[q.id], len(cases[q.id]))
    manual = sum(q.max_points for q in questions if q.kind == "manual")
    output = [f"{row.total:g} / {row.max_points:g} automatic points."]
    if manual:
        output.append(f"Written answers ({manual:g} points) are marked by your instructor.")
    output += [clean(n) for n in notes]
    return {
        "score": row.total,
        "execution_time": round(seconds, 1),
        "output": "\n".join(output),
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def choose(submission: Path, exercise_name: str) -> tuple[str | None, str]:
    """The notebook to grade in the submission folder (path relative to it) and a note for the learner.

    The one named like the section's exercise if there is one, else the only notebook, else the
    first in alphabetical order (and the note says so)."""
    found = sorted(
        p.relative_to(submission).as_posix()
        for p in submission.rglob("*.ipynb")
        if not any(part.startswith(".") for part in p.relative_to(submission).parts)
    )
    if not found:
        return None, f"No notebook (.ipynb) in your submission: upload {exercise_name}."
    named = [f for f in found if Path(f).name == exercise_name]
    if named:
        return named[0], ""
    if len(found) == 1:
        return found[0], ""
    return found[0], f"Several notebooks were uploaded; graded {found[0]} (name yours {exercise_name})."


def _sandboxed() -> bool:
    from . import sandbox

    ok, why = sandbox.available()
    if ok:
        return True
    if os.environ.get("NNCOURSE_AUTOGRADER_SANDBOX") == "require":
        raise RuntimeError(f"no sandbox in this container and NNCOURSE_AUTOGRADER_SANDBOX=require: {why}")
    print(f"nncourse autograder: no bubblewrap sandbox here ({why[:200]}); grading inside this container "
          "without it.", flush=True)
    return False


def run(root: Path) -> dict:
    """Grade ``root/submission`` and write ``root/results/results.json``; return what was written."""
    from ..course import outline
    from .grade import grade
    from .outputs import Outputs

    section = json.loads((root / "source" / "autograder.json").read_text())["section"]
    exercise = Path(outline.section(section).exercise).name
    name, note = choose(root / "submission", exercise)
    start = time.monotonic()
    if name is None:
        data = {"score": 0.0, "output": note, "output_format": "text", "tests": []}
    else:
        work = Path(tempfile.mkdtemp(prefix="nncourse-autograder-"))
        outputs = Outputs(section, work / "gradebook.csv")
        seen: dict = {}
        rows = grade(section, root / "submission", work / "gradebook.csv", jobs=1, progress=False,
                     sandboxed=_sandboxed(), only=name, on_result=lambda n, r, row: seen.update(result=r, row=row))
        breakdown = details.breakdown(outputs.questions, outputs.cases, seen["result"], rows[0])
        public = {q.id: len(q.cases) for q in outputs.questions}
        notes = ([note] if note else []) + details.run_notes(seen["result"])
        data = results_json(rows[0], breakdown, outputs.cases, public, notes, time.monotonic() - start)
        shutil.rmtree(work, ignore_errors=True)
    out = root / "results" / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"nncourse autograder: section {section}, {name}: {data['score']:g} points -> {out}")
    return data


def main(argv: list[str] | None = None) -> int:
    """``python -m nncourse.grading.gradescope run --root DIR`` (what ``run_autograder`` calls)."""
    import argparse

    parser = argparse.ArgumentParser(description="Run the Gradescope autograder on one submission.")
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--root", type=Path, default=Path(os.environ.get("AUTOGRADER_ROOT", "/autograder")))
    args = parser.parse_args(argv)
    run(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
