"""The lowest supported versions: what pyproject.toml states is what `python3 run.py lowest` tests.

* everywhere (fast): each runtime dependency's floor in pyproject.toml (``name>=X``) is the
  version tests/lowest-constraints.txt pins, and every runtime dependency has such a pin;
  run.py's list of tests for the lowest venv names files that exist.
* only inside .venv-lowest (``NNCOURSE_LOWEST=1``, set by ``run.py lowest``): the installed
  versions are exactly those pins, and every notebook (lectures, exercise sources, student
  versions) runs with nbclient with no error and no warning printed. nbval compares outputs
  only at the pinned versions (binder/requirements.txt), not here.
"""

from __future__ import annotations

import ast
import os
import re
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONSTRAINTS = REPO / "tests" / "lowest-constraints.txt"
IN_LOWEST = os.environ.get("NNCOURSE_LOWEST") == "1"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lowest_pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][^\s;]*)", line)
            assert match, f"lowest-constraints.txt: {line!r} is not name==version"
            pins[canonical(match[1])] = match[2]
    return pins


def test_pyproject_floors_are_the_tested_lowest_versions() -> None:
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python >= 3.11")
    deps = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    floors = {}
    for dep in deps:
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][^,;\s]*)(,\s*<[^;]+)?", dep.strip())
        assert match, f"pyproject.toml: {dep!r} should read name>=lowest (optionally ,<cap)"
        floors[canonical(match[1])] = match[2]
    assert floors == lowest_pins(), "pyproject.toml floors and tests/lowest-constraints.txt disagree"


def test_run_py_lowest_tests_exist() -> None:
    tree = ast.parse((REPO / "run.py").read_text(encoding="utf-8"))
    names = [
        ast.literal_eval(node.value) for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "LOWEST_TESTS" for t in node.targets)
    ]
    assert names, "run.py has no LOWEST_TESTS list"
    for rel in names[0]:
        assert (REPO / rel).is_file(), f"run.py LOWEST_TESTS names {rel}, which does not exist"


lowest_only = pytest.mark.skipif(not IN_LOWEST, reason="runs inside .venv-lowest (python3 run.py lowest)")


@lowest_only
def test_installed_versions_are_the_lowest_pins() -> None:
    wrong = {name: (metadata.version(name), want) for name, want in lowest_pins().items()
             if metadata.version(name) != want}
    assert wrong == {}, f"installed vs pinned: {wrong}"


def _all_notebooks() -> list[str]:
    from nncourse.course import outline

    _, sections = outline.load(REPO)
    paths = [s.notebook for s in sections] + [s.exercise for s in sections]
    paths += [f"{outline.STUDENT_DIR}/{Path(s.exercise).name}" for s in sections]
    return [p for p in paths if (REPO / p).is_file()]


@lowest_only
@pytest.mark.slow
@pytest.mark.parametrize("rel", _all_notebooks() if IN_LOWEST else [])
def test_notebook_runs_without_errors_or_warnings(rel: str) -> None:
    from nncourse.course import notebooks

    report = notebooks.execute(REPO / rel, timeout=120)
    assert report.errors == [], "\n".join(report.errors)
