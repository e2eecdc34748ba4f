"""Grading real submissions, adversarial ones included, in fresh kernels.

One module-scoped run grades 30+ submissions of section 06 through the
`nncourse grade` command (2 kernels in parallel) and the tests read its
gradebook. Every submission is a filled-in copy of the committed student
notebook: the instructor's solution pasted into each answer cell, then one
change (a named mistake, an infinite loop, an exit, a numpy patch, ...).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nncourse.course import outline
from nncourse.grading import sandbox
from nncourse.grading.spec import bank


def snapshot(dest: Path) -> Path:
    """A copy of the course (package, course.yml, exercises) for a grading run to use.

    Other people may edit this checkout while a test grades, and the grader rightly stops
    when a package file changes under it; grading a snapshot keeps the test about grading.
    Run the CLI with ``snapshot_env(dest)`` and ``cwd=dest``: the copy is then imported
    (it is first on sys.path) and is the course root the sandbox hides."""
    import shutil

    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(ROOT / "nncourse", dest / "nncourse", ignore=ignore)
    shutil.copytree(ROOT / "exercises", dest / "exercises", ignore=ignore)
    shutil.copy2(ROOT / "course.yml", dest / "course.yml")
    return dest


def snapshot_env(course: Path) -> dict[str, str]:
    import os

    return dict(os.environ, PYTHONPATH=str(course), NNCOURSE_ROOT=str(course))


def run_grade(command: list[str], **kw) -> subprocess.CompletedProcess:
    """Run `nncourse grade`; once more if it stopped because the environment changed under it.

    On a shared development machine someone may install a package into the venv during
    the run: the grader then stops (exit 3) as it must. That says nothing about the
    submissions, so the run is repeated once; a second stop fails the test."""
    proc = subprocess.run(command, capture_output=True, text=True, **kw)
    if proc.returncode == 3 and "environment changed" in proc.stderr:
        print("\nthe environment changed during grading (someone else's work?); grading again:\n" + proc.stderr[-600:])
        proc = subprocess.run(command, capture_output=True, text=True, **kw)
    return proc


def need_sandbox() -> None:
    """Skip (visibly, with the reason) only where no bubblewrap sandbox can be made."""
    ok, why = sandbox.available()
    if not ok:
        pytest.skip(f"no grading sandbox here: {why}")


ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "exercises" / "source" / "06_worked_example.ipynb"
STUDENT = ROOT / "exercises" / "student" / "06_worked_example.ipynb"
CELL_TIMEOUT = 5
SLEEPER = "611.25"  # `sleep 611.25`: a process a notebook starts, to be found (or not) after grading


def _cell(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}


def submission(
    replace: dict[str, str] | None = None,
    extra: list[str] = (),
    at: int = 3,
    filled: bool = True,
    source: Path = SOURCE,
    student: Path = STUDENT,
) -> str:
    """A student notebook with the source's solutions pasted in, then ``replace`` applied
    (each replacement must change something) and ``extra`` code cells inserted at ``at``."""
    sol = {
        c["metadata"]["nncourse"]["question"]: c["source"]
        for c in json.loads(source.read_text())["cells"]
        if c.get("metadata", {}).get("nncourse", {}).get("role") in ("solution", "answer")
    }
    nb = json.loads(student.read_text())
    for c in nb["cells"]:
        meta = c.get("metadata", {}).get("nncourse", {})
        if filled and meta.get("role") in ("solution", "answer"):
            c["source"] = sol[meta["question"]]
        c["source"] = "".join(c["source"])
    for old, new in (replace or {}).items():
        hits = sum(old in c["source"] for c in nb["cells"])
        assert hits, f"replacement target not found: {old!r}"
        for c in nb["cells"]:
            c["source"] = c["source"].replace(old, new)
    nb["cells"][at:at] = [_cell(s) for s in extra]
    return json.dumps(nb)


SIGMA = "delta = (A - T) * A * (1 - A)"
MISTAKES = {
    # file name: (replacements, question, diagnosis expected in the notes)
    "q4_sigma_prime_missing": ({SIGMA: "delta = (A - T)"}, "q4", "σ′ factor missing"),
    "q4_transpose": (
        {"return delta.T @ A_prev / n": "return A_prev.T @ delta / n"},
        "q4",
        "transpose missing or shape wrong",
    ),
    "q4_summed": (
        {"delta.T @ A_prev / n, delta.sum(axis=0) / n": "delta.T @ A_prev, delta.sum(axis=0)"},
        "q4",
        "summing instead of averaging over the batch",
    ),
    "q4_a_for_z": (
        {SIGMA: "S = 1 / (1 + np.exp(-A))\n    delta = (A - T) * S * (1 - S)"},
        "q4",
        "`a` used where `z` belongs",
    ),
    "q4_sign": ({SIGMA: "delta = (T - A) * A * (1 - A)"}, "q4", "sign error"),
    "q5_hidden_sigma_prime": (
        {"delta1 = (delta2 @ W2) * H * (1 - H)": "delta1 = delta2 @ W2"},
        "q5",
        "σ′ factor missing in the hidden layer",
    ),
    "q5_transpose": (
        {"delta1 = (delta2 @ W2)": "delta1 = (delta2 @ W2.T)"},
        "q5",
        "transpose wrong when sending δ back",
    ),
    "q6_update_sign": (
        {'return weights["w5"] - lr * dE_dw5': 'return weights["w5"] + lr * dE_dw5'},
        "q6",
        "sign error in the update",
    ),
    "q7_assign_not_accumulate": (
        {"return float(db1.sum())": "total = 0.0\n    for d in db1:\n        total = float(d)\n    return total"},
        "q7",
        "`=` where `+=` accumulates",
    ),
    "q9_sigma_prime_for_tanh": (
        {"delta1 = (delta2 @ W2) * (1 - H**2)": "delta1 = (delta2 @ W2) * H * (1 - H)"},
        "q9",
        "used σ′ where tanh′ belongs",
    ),
}

WRONG_FUNCTIONS = """
def forward(X, W1, b1, W2, b2):
    return np.zeros((len(X), 2)), np.zeros((len(X), 2))
def output_layer_grads(A_prev, Z, T):
    return np.zeros((Z.shape[1], A_prev.shape[1])), np.zeros(Z.shape[1])
def backprop(X, T, W1, b1, W2, b2):
    return np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)
def error_E(weights, x, t):
    return 1.0
def dE_dw5(weights, x, t):
    return 1.0
def w5_after_step(weights, x, t, lr):
    return 1.0
def dE_db1(weights, x, t):
    return 1.0
def tanh_backprop(X, T, W1, b1, W2, b2):
    return np.zeros_like(W1), np.zeros_like(b1), np.zeros_like(W2), np.zeros_like(b2)
"""

# Reads each probe cell before it runs and prints a forged result line with the right tag
# and the right number of cases, claiming a pass. The grader must not be fooled.
FORGER = r"""
import ast, json, re
def _forge(info):
    raw = info.raw_cell or ''
    tag = re.search(r'@@nncourse-probe@@[0-9a-f]{32}', raw)
    payload = re.search(r"\.loads\(('.*')\)\n", raw)
    if tag and payload:
        p = json.loads(ast.literal_eval(payload.group(1)))
        fake = {'status': 'pass', 'points': 100, 'value': {'verdict': 'pass', 'expected': 1.0}}
        print(tag.group(0) + json.dumps({'q': p['q'], 'outcomes': [fake] * len(p['cases'])}))
get_ipython().events.register('pre_run_cell', _forge)
"""


def build_submissions(folder: Path, gradebook: Path) -> None:
    """Write the adversarial submission set into ``folder``."""
    write = lambda name, text: (folder / name).write_text(text)  # noqa: E731
    write("correct.ipynb", submission())
    write("unfilled.ipynb", STUDENT.read_text())
    for name, (replace, _, _) in MISTAKES.items():
        write(f"{name}.ipynb", submission(replace))
    end = 10**6  # after the last cell: these override the answers
    write("wrong_all.ipynb", submission(extra=[WRONG_FUNCTIONS], at=end))
    write("loop_top_level.ipynb", submission(extra=["while True:\n    pass"]))
    write(
        "loop_in_function.ipynb",
        submission(extra=["def output_layer_grads(A_prev, Z, T):\n    while True:\n        pass"], at=end),
    )
    write("sys_exit_top_level.ipynb", submission(extra=["import sys\nsys.exit(3)"]))
    write(
        "sys_exit_in_function.ipynb",
        submission(extra=["import sys\ndef output_layer_grads(A_prev, Z, T):\n    sys.exit(1)"], at=end),
    )
    write("os_exit_top_level.ipynb", submission(extra=["import os\nos._exit(1)"]))
    write(
        "os_exit_in_function.ipynb",
        submission(extra=["import os\ndef output_layer_grads(A_prev, Z, T):\n    os._exit(1)"], at=end),
    )
    write(
        "numpy_patched.ipynb",
        submission(
            extra=[
                WRONG_FUNCTIONS
                + (
                    "import numpy\n"
                    "numpy.allclose = lambda *a, **k: True\n"
                    "numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.broadcast(a, b).shape, bool)\n"
                    "numpy.array_equal = lambda *a, **k: True\n"
                    "numpy.testing.assert_allclose = lambda *a, **k: None\n"
                )
            ],
            at=end,
        ),
    )
    write(
        "check_redefined.ipynb",
        submission(
            extra=[
                WRONG_FUNCTIONS
                + (
                    "import nncourse.grading, nncourse.grading.judge as J\n"
                    "check = lambda q: print(q, '✔ correct')\n"
                    "J.compare = lambda *a, **k: None\n"
                    "J.evaluate = lambda q, c, o, label='': J.Verdict(q.id, 'pass', 9, 9, 1000.0, 1000.0, 'ok')\n"
                    "nncourse.grading.Checker = None\n"
                )
            ],
            at=end,
        ),
    )
    write("forged_probe.ipynb", submission(extra=[WRONG_FUNCTIONS + FORGER], at=end))
    write(
        "writes_gradebook.ipynb",
        submission(extra=[f"open({str(gradebook)!r}, 'w').write('submission,total\\nwrites_gradebook.ipynb,1000\\n')"]),
    )
    write(
        "spawns_a_process.ipynb",
        submission(extra=[f"import subprocess\np = subprocess.Popen(['sleep', {SLEEPER!r}])"]),
    )
    write(
        "kills_its_grader.ipynb",
        submission(extra=["import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"]),
    )
    (folder / "corrupt.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": ')
    (folder / "not_a_notebook.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (folder / "essay.txt").write_text("I did the exercises on paper.")
    (folder / "renamed").mkdir()
    (folder / "renamed" / "Jane Doe - homework (final) v2.ipynb").write_text(submission())
    for i in range(4):  # more ordinary submissions, to make the timing run 30+ files
        (folder / f"ordinary_{i}.ipynb").write_text(submission() if i % 2 else STUDENT.read_text())


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade the whole set once with the CLI; returns (rows by file, run info)."""
    need_sandbox()
    base = tmp_path_factory.mktemp("grading")
    subs, out = base / "submissions", base / "out" / "gradebook.csv"
    subs.mkdir()
    out.parent.mkdir()
    build_submissions(subs, out)
    course = snapshot(base / "course")
    before = digest(subs)
    start = time.perf_counter()
    proc = run_grade(
        [
            sys.executable,
            "-m",
            "nncourse.course.cli",
            "grade",
            "06",
            str(subs),
            "-o",
            str(out),
            "--cell-timeout",
            str(CELL_TIMEOUT),
            "--timeout",
            "60",
        ],
        timeout=900,
        env=snapshot_env(course),
        cwd=course,
    )
    seconds = time.perf_counter() - start
    assert proc.returncode == 0, proc.stderr[-3000:]
    with out.open(newline="") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    info = {
        "seconds": seconds,
        "stderr": proc.stderr,
        "stdout": proc.stdout,
        "before": before,
        "after": digest(subs),
        "n": len(before),
        "out": out,
    }
    print(f"\ngraded {len(before)} submissions of section 06 in {seconds:.1f} s (2 kernels in parallel)")
    return rows, info


BANK06 = bank("06")
AUTO = [q.id for q in BANK06.values() if q.kind != "manual"]
FULL = float(sum(BANK06[q].points for q in AUTO))
Q4 = BANK06["q4"].points  # output_layer_grads, the question the loop/exit submissions break


def points(row) -> dict[str, float]:
    return {q: float(row[q]) for q in AUTO}


@pytest.mark.slow
def test_thirty_submissions_graded_one_row_each_with_a_progress_bar(graded):
    """How long this takes is measured by benchmarks/grading_speed.py, not here."""
    rows, info = graded
    assert info["n"] >= 30 and len(rows) == info["n"]
    assert "grading section 06" in info["stderr"] and "100%" in info["stderr"]  # tqdm on stderr


@pytest.mark.slow
def test_gradebook_format(graded):
    rows, info = graded
    header = info["out"].read_text().splitlines()[0].split(",")
    assert header == ["submission", *BANK06, "total", "max", "status", "notes", "sha256", "seconds"]
    for r in rows.values():
        assert r["q8"] == ""  # manual: left for the instructor
        assert float(r["max"]) == FULL
        assert abs(float(r["total"]) - sum(points(r).values())) < 1e-9
    answers = info["out"].with_name("gradebook_answers.md").read_text()
    assert "rounds the hidden activations" in answers  # the correct submission's written answer


@pytest.mark.slow
def test_correct_full_marks_unfilled_zero(graded):
    rows, _ = graded
    for name in ("correct.ipynb", "ordinary_1.ipynb", "renamed/Jane Doe - homework (final) v2.ipynb"):
        assert float(rows[name]["total"]) == FULL, rows[name]
        assert rows[name]["status"] == "ok" and rows[name]["notes"] == ""
    for name in ("unfilled.ipynb", "ordinary_0.ipynb"):
        assert float(rows[name]["total"]) == 0
        assert "not attempted yet" in rows[name]["notes"]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(MISTAKES))
def test_named_mistake_is_diagnosed(graded, name):
    rows, _ = graded
    _, question, diagnosis = MISTAKES[name]
    row = rows[f"{name}.ipynb"]
    assert float(row[question]) < BANK06[question].points
    note = next(n for n in row["notes"].split(" | ") if n.startswith(question + ":"))
    assert diagnosis in note, note


@pytest.mark.slow
def test_wrong_answers_score_zero(graded):
    rows, _ = graded
    assert points(rows["wrong_all.ipynb"]) == dict.fromkeys(AUTO, 0.0)


@pytest.mark.slow
def test_infinite_loops_are_interrupted(graded):
    rows, _ = graded
    top = rows["loop_top_level.ipynb"]
    assert top["status"] == "timeout" and "timed out" in top["notes"]
    assert float(top["total"]) == FULL  # interrupted, then the rest of the notebook ran
    inner = rows["loop_in_function.ipynb"]
    assert float(inner["q4"]) == 0 and float(inner["total"]) == FULL - Q4


@pytest.mark.slow
def test_sys_exit_does_not_stop_grading(graded):
    rows, _ = graded
    top = rows["sys_exit_top_level.ipynb"]
    assert float(top["total"]) == FULL and "SystemExit" in top["notes"]
    inner = rows["sys_exit_in_function.ipynb"]
    assert float(inner["q4"]) == 0 and "SystemExit" in inner["notes"] and float(inner["total"]) == FULL - Q4


@pytest.mark.slow
def test_os_exit_kernel_death_is_survived(graded):
    rows, _ = graded
    top = rows["os_exit_top_level.ipynb"]
    assert top["status"] == "kernel-died" and "kernel died" in top["notes"]
    assert float(top["total"]) == FULL  # replayed without the cell that killed the kernel
    inner = rows["os_exit_in_function.ipynb"]
    assert inner["status"] == "kernel-died"
    assert float(inner["q4"]) == 0 and float(inner["total"]) == FULL - Q4


@pytest.mark.slow
@pytest.mark.parametrize("name", ["numpy_patched.ipynb", "check_redefined.ipynb", "forged_probe.ipynb"])
def test_patching_the_kernel_gains_nothing(graded, name):
    rows, _ = graded
    assert points(rows[name]) == dict.fromkeys(AUTO, 0.0), rows[name]


@pytest.mark.slow
def test_writing_the_gradebook_path_has_no_effect(graded):
    """The sandbox hides the gradebook's folder (an empty read-only folder in its place)."""
    rows, info = graded
    row = rows["writes_gradebook.ipynb"]
    assert "raised OSError" in row["notes"] or "raised FileNotFoundError" in row["notes"], row["notes"]
    assert float(row["total"]) == FULL  # its answers are right; the forged 1000 is nowhere
    text = info["out"].read_text()
    # the forged number as a field of its own (a sha256 column may hold the digits "1000" by chance)
    assert not re.search(r"(?<![0-9a-f.])1000(?![0-9a-f])", text) and len(text.splitlines()) == info["n"] + 1


@pytest.mark.slow
def test_unreadable_files_get_a_zero_row(graded):
    rows, _ = graded
    for name in ("corrupt.ipynb", "not_a_notebook.ipynb", "essay.txt"):
        assert rows[name]["status"] == "unreadable" and float(rows[name]["total"]) == 0
        assert "not a readable notebook" in rows[name]["notes"]


@pytest.mark.slow
def test_submissions_are_never_modified(graded):
    _, info = graded
    assert info["after"] == info["before"]


@pytest.fixture(scope="module")
def every_section():
    """Grade each section's instructor source and its unfilled student version: 22 notebooks,
    2 kernels at a time, through the same runner and scorer that `nncourse grade` uses."""
    need_sandbox()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from nncourse.grading.grade import score
    from nncourse.grading.probe import all_cases
    from nncourse.grading.runner import run_submission
    from nncourse.grading.spec import bank

    jobs = {}
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        for sec in outline.load()[1]:
            questions = list(bank(sec.id).values())
            cases = all_cases(sec.id)
            student = ROOT / "exercises" / "student" / Path(sec.exercise).name
            for kind, path in (("solution", ROOT / sec.exercise), ("unfilled", student)):
                data = path.read_bytes()
                future = pool.submit(run_submission, data, sec.id, cases)
                jobs[sec.id, kind] = (future, data, questions, cases)
        return {
            key: score(key[1], data, future.result(), questions, key[0], cases)
            for key, (future, data, questions, cases) in jobs.items()
        }


@pytest.mark.slow
@pytest.mark.parametrize("section", [s.id for s in outline.load()[1]])
def test_instructor_solution_full_marks_student_version_zero(every_section, section):
    from nncourse.grading.spec import bank

    auto = sum(q.points for q in bank(section).values() if q.kind != "manual")
    solution, unfilled = every_section[section, "solution"], every_section[section, "unfilled"]
    assert solution.total == auto and solution.status == "ok" and solution.notes == "", solution
    assert unfilled.total == 0 and unfilled.status == "ok", unfilled
    assert all(p in (0, None) for p in unfilled.points.values())


# -- pieces of the grader, without kernels ------------------------------------------------------


def test_probe_output_is_read_only_with_the_right_tag_and_shape():
    from nncourse.grading import probe, wire

    nonce = probe.new_nonce()
    good = {"q": "q1", "outcomes": [{"value": 1.0}, {"value": 2.0}]}

    def out(text):
        return [{"output_type": "stream", "name": "stdout", "text": text}]

    line = wire.MARK + nonce + json.dumps(good) + "\n"
    assert probe.read_outcomes(out("noise\n" + line), "q1", nonce, 2) == good["outcomes"]
    assert probe.read_outcomes(out(line.replace(nonce, probe.new_nonce())), "q1", nonce, 2) is None
    assert probe.read_outcomes(out(line), "q1", nonce, 3) is None  # wrong number of cases
    assert probe.read_outcomes(out(line), "q2", nonce, 2) is None  # another question's line
    assert probe.read_outcomes(out(wire.MARK + nonce + "{not json\n"), "q1", nonce, 2) is None
    stderr = [{"output_type": "stream", "name": "stderr", "text": line}]
    assert probe.read_outcomes(stderr, "q1", nonce, 2) is None


def test_written_answer_found_even_if_its_cell_was_replaced():
    from nncourse.course.notebooks import read
    from nncourse.grading.markers import written_answers

    cells = read(SOURCE).cells
    assert "rounds the hidden activations" in written_answers(cells)["q8"]
    for cell in cells:
        if cell.metadata.get("nncourse", {}).get("role") == "answer":
            cell.metadata = {}
            cell.source = "My own answer."
    assert written_answers(cells)["q8"] == "My own answer."


def test_collect_skips_hidden_files_and_the_gradebook(tmp_path):
    from nncourse.grading.grade import collect

    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "a-checkpoint.ipynb").write_text("{}")
    (tmp_path / ".hidden.ipynb").write_text("{}")
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "gb.csv").write_text("x")
    assert [name for name, _ in collect(tmp_path, exclude=[tmp_path / "gb.csv"])] == ["a.ipynb"]


def test_hidden_cases_come_from_the_source_notebook():
    from nncourse.grading.probe import hidden_cases

    hidden = hidden_cases(SOURCE)
    assert set(hidden) == {q.id for q in BANK06.values() if q.kind == "function"} and len(hidden["q5"]) == 3


@pytest.mark.slow
def test_notebook_time_limit_stops_a_kernel_that_ignores_interrupts():
    """SIGINT ignored, so the interrupt cannot stop the loop: the notebook's own limit ends it."""
    need_sandbox()
    from nncourse.grading.probe import all_cases
    from nncourse.grading.runner import run_submission

    cases = all_cases("06", SOURCE)
    text = submission(extra=["import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"])
    start = time.perf_counter()
    result = run_submission(text.encode(), "06", cases, cell_timeout=3, notebook_timeout=12)
    seconds = time.perf_counter() - start
    assert result.status == "timeout"
    assert any("notebook time limit" in n for n in result.notes), result.notes
    assert all(result.outcomes[q] is None for q in AUTO)
    print(f"\nstopped after {seconds:.1f} s (limit 12 s; benchmarks/grading_speed.py measures speed)")


@pytest.mark.slow
def test_a_notebook_cannot_kill_its_grading_process(graded):
    """In its own PID namespace the kernel's parent is the sandbox's init, which ignores the
    kill: the grader lives on and grades the notebook in full. (Without the sandbox the row
    would be a grader-error: see tests/test_attacks.py.)"""
    rows, _ = graded
    row = rows["kills_its_grader.ipynb"]
    assert row["status"] == "ok" and float(row["total"]) == FULL, row
    assert all(r["status"] != "grader-error" for r in rows.values())


def test_malformed_answer_data_scores_zero_without_crashing_the_grader():
    from nncourse.grading.grade import score
    from nncourse.grading.runner import RunResult
    from nncourse.grading.spec import bank

    questions = list(bank("06").values())
    cases = {q.id: list(q.cases) for q in questions if q.kind != "manual"}
    bad = {"value": {"nd": "abc", "shape": [10**9, 10**9]}}
    result = RunResult(outcomes={q: [bad] * len(c) for q, c in cases.items()})
    row = score("evil.ipynb", b"", result, questions, "06", cases)
    assert row.total == 0 and "could not be read" in row.notes


@pytest.mark.slow
def test_processes_started_by_a_notebook_are_killed(graded):
    import psutil

    rows, info = graded
    assert float(rows["spawns_a_process.ipynb"]["total"]) == FULL
    left = []
    for p in psutil.process_iter(["cmdline", "status"]):
        if p.info["cmdline"] == ["sleep", SLEEPER] and p.info["status"] != psutil.STATUS_ZOMBIE:
            left.append(p.pid)
    assert not left


def test_grade_takes_a_section_id_or_the_source_notebook_not_a_student_version():
    from nncourse.grading.grade import resolve

    assert resolve("06") == ("06", SOURCE)
    assert resolve(str(SOURCE)) == ("06", SOURCE)
    with pytest.raises(ValueError, match="student version"):
        resolve(str(STUDENT))
