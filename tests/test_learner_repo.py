"""The learner distribution (`nncourse release --learner-repo DIR`) holds no solutions, and check() works there.

Built once into a temporary folder, then:

1. no solution text, reference function or hidden input appears in any of its files: every line of
   every ``### BEGIN SOLUTION`` block of ``exercises/source/``, every line and every function name
   of the question banks (``nncourse/grading/questions/``), and every hidden case as the grader
   and the public data would serialize it. Text that the instructor publishes anyway (lectures,
   student versions, the package outside the banks, what ``check()`` prints) is not a leak; the
   test asserts that this leaves most needles to look for, and that its scanner finds a planted leak;
2. in a fresh Python whose ``nncourse`` is the learner copy (asserted through ``nncourse.__file__``),
   ``check()`` names planted mistakes and passes correct answers, with no environment variable;
   ``nncourse grade`` there says that grading needs the instructor's repository.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from nncourse.course import outline
from nncourse.grading import learner, markers, public
from nncourse.grading.probe import hidden_cases

ROOT = Path(__file__).resolve().parent.parent
BANKS = ROOT / "nncourse" / "grading" / "questions"
SECTIONS = [s.id for s in outline.load()[1]]
MIN_LEN = 16  # shorter needles (`return H, Y`) are too common to mean anything


def squash(text: str) -> str:
    """Text compared without whitespace and with one kind of quote, so reformatting hides nothing."""
    return re.sub(r"\s+", "", text).replace("'", '"')


def _strings(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in [str(k), *_strings(v)]]
    if isinstance(data, list):
        return [s for v in data for s in _strings(v)]
    return []


def texts(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` as searchable text: a notebook's sources, text outputs and
    metadata (not its base64 pictures), a JSON file's raw text and every string in it, else the raw text."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or ".git" in path.parts:
            continue
        raw = path.read_bytes().decode("utf-8", errors="replace")
        parts = [raw] if path.suffix != ".ipynb" else []
        if path.suffix in (".ipynb", ".json"):
            try:
                data = json.loads(raw)
            except ValueError:
                parts.append(raw)
            else:
                if path.suffix == ".ipynb":
                    for cell in data.get("cells", []):
                        parts.append("".join(cell.get("source", "")))
                        for o in cell.get("outputs", []):
                            parts += _strings({k: v for k, v in o.get("data", {}).items() if k.startswith("text/")})
                            parts += _strings(o.get("text", "")) + _strings(o.get("traceback", []))
                        parts.append(json.dumps(cell.get("metadata", {}), ensure_ascii=False))
                    parts.append(json.dumps(data.get("metadata", {}), ensure_ascii=False))
                else:
                    parts += _strings(data)
        out[str(path.relative_to(folder))] = squash("\n".join(parts))
    return out


def solution_lines() -> set[str]:
    lines = set()
    for path in sorted((ROOT / "exercises" / "source").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            inside = False
            for line in "".join(cell["source"]).splitlines():
                if line.strip().startswith(markers.BEGIN):
                    inside = True
                elif line.strip().startswith(markers.END):
                    inside = False
                elif inside:
                    lines.add(squash(line))
    return {s for s in lines if len(s) >= MIN_LEN}


def bank_lines_and_names() -> tuple[set[str], set[str]]:
    from nncourse.grading.spec import bank

    answers = {q.name for s in SECTIONS for q in bank(s).values()}
    shown = {squash(s) for sid in SECTIONS for s in _strings(public.export(sid))}
    lines, names = set(), set()
    for path in sorted(BANKS.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        # A line that is only a string the learner sees anyway (a title, a hint, a mistake's fix) is no leak.
        lines |= {squash(line) for line in text.splitlines() if not published_string(line, shown)}
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name not in answers:
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names |= {t.id for t in node.targets if isinstance(t, ast.Name) and t.id.isupper() and len(t.id) > 3}
    return {s for s in lines if len(s) >= MIN_LEN}, {n for n in names if len(n) >= 6}


def published_string(line: str, shown: set[str]) -> bool:
    """True if ``line`` is only a string literal (one item of a tuple) whose text is in ``shown``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SyntaxWarning)
            value = ast.literal_eval(line.strip().rstrip(","))
    except (ValueError, SyntaxError):
        return False
    return isinstance(value, str) and squash(value) in shown


def hidden_needles() -> tuple[set[str], set[str]]:
    """Each hidden case as written in its source (repr), as JSON and as ``public.case_key``, and each
    of its long values; and the repr forms alone (these must be found in the sources)."""
    needles, written = set(), set()
    for s in SECTIONS:
        for cases in hidden_cases(ROOT / outline.section(s).exercise).values():
            for case in cases:
                written.add(squash(repr(case)))
                needles |= {squash(public.case_key(case)), squash(json.dumps(case)), squash(repr(case))}
                for value in case.values():
                    for text in (json.dumps(value), repr(value)):
                        if len(squash(text)) >= MIN_LEN:
                            needles.add(squash(text))
    return needles, written


def public_text() -> str:
    """What the instructor publishes anyway: lectures, student versions, the package outside the
    banks, course.yml, binder/, and the public data that check() prints from."""
    parts = []
    for folder in ("notebooks", "exercises/student", "binder"):
        parts += texts(ROOT / folder).values()
    parts += [t for rel, t in texts(ROOT / "nncourse").items() if not rel.startswith("grading/questions")]
    parts.append(squash((ROOT / "course.yml").read_text(encoding="utf-8")))
    for sid in SECTIONS:  # the public cases, titles, hints, expected outputs and mistakes' names
        data = public.export(sid)
        parts += [squash(json.dumps(data, ensure_ascii=False))] + [squash(s) for s in _strings(data)]
    return "\x00".join(parts)


def leaks(needles: set[str], files: dict[str, str], words: bool = False) -> list[str]:
    found = []
    for needle in sorted(needles):
        pattern = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(needle)}(?![A-Za-z0-9_])") if words else None
        for rel, text in files.items():
            if (pattern.search(text) if words else needle in text):
                found.append(f"{rel}: {needle[:80]}")
    return found


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("learner") / "course"
    learner.build(out)
    return out


def test_learner_repo_has_what_a_learner_needs_and_no_sources(repo):
    names = {p.name for p in repo.iterdir()}
    assert {"notebooks", "exercises", "binder", "course.yml", "README.md", "pyproject.toml", "nncourse"} <= names
    assert sorted(p.name for p in (repo / "exercises").iterdir()) == ["student"]
    assert not (repo / "nncourse" / "grading" / "questions").exists()
    assert (repo / "nncourse" / "grading" / "public_expectations.json").is_file()
    assert not list(repo.rglob("__pycache__")) and not list(repo.rglob("*.egg-info"))
    _, sections = outline.load(repo)
    for s in sections:
        assert s.exercise.startswith("exercises/student/") and (repo / s.exercise).is_file()
    for path in [*(repo / "notebooks").glob("*.ipynb"), repo / "README.md", repo / "course.yml"]:
        assert "exercises/source" not in path.read_text(encoding="utf-8"), path
    assert "[tool.setuptools.package-data]" in (repo / "pyproject.toml").read_text(encoding="utf-8")
    assert outline.check(repo) == []  # headers and the README outline agree with the learner course.yml


def test_lectures_link_learners_to_the_student_versions():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            assert "exercises/source/" not in "".join(cell["source"]), f"{path.name} links into exercises/source/"


def test_no_solution_reference_or_hidden_input_in_the_learner_repo(repo):
    files = texts(repo)
    allowed = public_text()
    solutions, (bank_lines, names), (hidden, written) = solution_lines(), bank_lines_and_names(), hidden_needles()
    # The needles come from the instructor's files, so the scan finds them there.
    instructor = "\x00".join((texts(ROOT / "exercises" / "source") | texts(BANKS)).values())
    for needles in (solutions, bank_lines, written):
        assert all(n in instructor for n in needles)
    assert len(written) > 50
    groups = {"solution line": solutions, "bank line": bank_lines, "hidden case": hidden}
    for kind, needles in groups.items():
        checked = {n for n in needles if n not in allowed}
        # Published text (a lecture's line, a hint) is not a leak, but most needles are secret.
        assert len(checked) >= 0.6 * len(needles) and len(checked) > 50, (kind, len(checked), len(needles))
        assert leaks(checked, files) == [], kind
    checked_names = {n for n in names if not re.search(rf"(?<![A-Za-z0-9_]){n}(?![A-Za-z0-9_])", allowed)}
    assert len(checked_names) >= 10, checked_names
    assert leaks(checked_names, files, words=True) == []
    # The scanner does find a planted leak, reformatted.
    line = sorted(solutions)[0]
    planted = {"nncourse/x.py": squash("# " + line.replace('"', "'"))}
    assert leaks({line}, planted) == [f"nncourse/x.py: {line[:80]}"]


LEARNER_SCRIPT = """
import json, os, sys
import numpy as np
import nncourse
from nncourse.grading import Checker

print("FILE", nncourse.__file__)
assert "NNCOURSE_PUBLIC_BANK" not in os.environ
try:
    import nncourse.grading.questions  # noqa: F401
    print("BANKS IMPORTABLE")
except ModuleNotFoundError:
    print("NO BANKS")

def sig(z):
    return 1 / (1 + np.exp(-z))

g06, g05, g09 = Checker("06"), Checker("05"), Checker("10")

def forward(X, W1, b1, W2, b2):          # planted: no σ on the output layer
    H = sig(X @ W1.T + b1)
    return H, H @ W2.T + b2
g06.check("q1")
def forward(X, W1, b1, W2, b2):          # correct
    H = sig(X @ W1.T + b1)
    return H, sig(H @ W2.T + b2)
g06.check("q1")

def mse_grad(a, y):                      # planted: summed, not averaged
    return 2 * (a - y)
g05.check("q2")
def mse_grad(a, y):                      # correct
    return 2 * (a - y) / a.size
g05.check("q2")

def momentum_step(w, v, g, lr, mu):      # planted: steps with the old velocity
    return w - lr * v, mu * v + g
g09.check("q1")
def momentum_step(w, v, g, lr, mu):      # correct
    v = mu * v + g
    return w - lr * v, v
g09.check("q1")
"""


def test_check_names_planted_mistakes_in_the_learner_repo(repo):
    env = {k: v for k, v in os.environ.items() if not k.startswith("NNCOURSE_")}
    env["PYTHONPATH"] = str(repo)
    run = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(LEARNER_SCRIPT)],
        cwd=repo, env=env, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"FILE {repo / 'nncourse' / '__init__.py'}", lines[0]
    assert lines[1] == "NO BANKS"
    verdicts = [line for line in lines if re.match(r"q\d ", line)]
    assert len(verdicts) == 6, run.stdout
    expected = [
        ("q1 ✘", "σ missing on the output layer"),
        ("q1 ✔", "public checks passed (2/2): hidden tests run at grading"),
        ("q2 ✘", "summing instead of averaging"),
        ("q2 ✔", "public checks passed"),
        ("q1 ✘", "old velocity used for the step"),
        ("q1 ✔", "public checks passed"),
    ]
    for line, (start, words) in zip(verdicts, expected):
        assert line.startswith(start) and words in line, (line, start, words)

    grade = subprocess.run(
        [sys.executable, "-m", "nncourse.course.cli", "grade", "06", "."],
        cwd=repo, env=env, capture_output=True, text=True, timeout=60,
    )
    assert grade.returncode == 2
    assert "need the instructor's repository" in grade.stderr and "Traceback" not in grade.stderr
    again = subprocess.run(
        [sys.executable, "-m", "nncourse.course.cli", "release", "--learner-repo", str(repo.parent / "again")],
        cwd=repo, env=env, capture_output=True, text=True, timeout=60,
    )
    assert again.returncode == 2 and "instructor's repository" in again.stderr


def test_build_refuses_a_folder_it_did_not_write(tmp_path, repo):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        learner.build(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"
    with pytest.raises(ValueError, match="outside the course repository"):
        learner.build(ROOT / "learner-copy")
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    learner.build(repo)  # a rebuild replaces its own files and keeps the rest
    assert (repo / ".git" / "HEAD").is_file() and (repo / "nncourse" / "grading" / "public_expectations.json").is_file()


def test_repository_option_points_launch_links_at_the_learner_copy(tmp_path, repo):
    from nncourse.course import launch

    url = "https://github.com/someone/nn-learn"
    out = tmp_path / "published"
    learner.build(out, repository=url)
    assert launch.load(out).repository == url and outline.check(out) == []
    for rel in ["README.md", *[str(p.relative_to(out)) for p in out.glob("*/**/*.ipynb")]]:
        text = (out / rel).read_text(encoding="utf-8")
        assert "github.com/OWNER" not in text, rel
        if rel.endswith(".ipynb"):
            assert url.removeprefix("https://github.com/") in text, rel
            # only markdown and the (unexecuted) setup cell changed: every output is as released
            outputs = [c.get("outputs") for c in json.loads(text)["cells"]]
            assert outputs == [c.get("outputs") for c in json.loads((repo / rel).read_text())["cells"]], rel
    manifest = json.loads((out / "exercises/student/.nncourse-release.json").read_text())
    from nncourse.grading.release import sha256

    assert all(manifest[name] == sha256((out / "exercises/student" / name).read_bytes()) for name in manifest)
    with pytest.raises(ValueError, match="repository"):
        learner.build(tmp_path / "bad", repository="http://example.org/x")
