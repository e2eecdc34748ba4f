"""Binder builds the course with repo2docker from binder/: this file does the same here.

* ``test_pins_*`` (fast): every dependency and extra in pyproject.toml is pinned, exactly once,
  to a version its specifier admits; runtime.txt asks for the Python that pyproject allows.
* the rest (slow, one shared build): a fresh Python 3.11 venv, ``pip install -r
  binder/requirements.txt`` (pip's cache is used), ``binder/postBuild`` run from a fresh copy of
  the repository (so nothing is written into the working tree), then checks inside that venv:
  nothing unpinned was pulled in, ``pip check`` is clean, the ipywidgets front end is enabled in
  JupyterLab with no build step, and every notebook listed in course.yml runs with nbclient and
  no error output.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from nncourse.course import outline

REPO = Path(__file__).resolve().parent.parent
BINDER_REQ = REPO / "binder" / "requirements.txt"
TESTS_REQ = REPO / "tests" / "requirements.txt"


# --- the pins -----------------------------------------------------------------------------------


def read_pins(path: Path) -> dict[str, Version]:
    """``{canonical name: version}`` from a ``name==version`` file; any other line form fails."""
    pins: dict[str, Version] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([0-9][^\s;#]*)", line)
        assert match, f"{path.name}:{number}: {line!r} is not an exact pin name==version"
        name = canonicalize_name(match[1])
        assert name not in pins, f"{path.name}:{number}: {match[1]} is pinned twice"
        pins[name] = Version(match[2])
    return pins


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python >= 3.11")
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _unmet(requirements: list[str], pins: dict[str, Version], where: str) -> list[str]:
    problems = []
    for text in requirements:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.11"}):
            continue
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req} is not pinned in {where}")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req}: {where} pins {pins[name]}")
    return problems


def test_pins_are_exact_and_files_do_not_overlap() -> None:
    binder, tests = read_pins(BINDER_REQ), read_pins(TESTS_REQ)
    assert len(binder) > 50 and len(tests) > 3
    both = sorted(set(binder) & set(tests))
    assert not both, f"pinned in both binder/ and tests/requirements.txt: {both}"
    assert "nncourse" not in binder and "nncourse" not in tests, "nncourse is installed by postBuild/run.py"


def test_pins_satisfy_runtime_dependencies_and_lab_extra() -> None:
    project, binder = _pyproject(), read_pins(BINDER_REQ)
    requirements = project["dependencies"] + project["optional-dependencies"]["lab"]
    assert _unmet(requirements, binder, "binder/requirements.txt") == []


def test_pins_satisfy_test_extra() -> None:
    project, tests = _pyproject(), read_pins(TESTS_REQ)
    assert _unmet(project["optional-dependencies"]["test"], tests, "tests/requirements.txt") == []


def test_runtime_txt_pins_python_311_which_pyproject_allows() -> None:
    from packaging.specifiers import SpecifierSet

    assert (REPO / "binder" / "runtime.txt").read_text(encoding="utf-8").strip() == "python-3.11"
    assert Version("3.11") in SpecifierSet(_pyproject()["requires-python"])


def test_postbuild_is_a_strict_bash_script() -> None:
    post = REPO / "binder" / "postBuild"
    text = post.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in text
    assert os.access(post, os.X_OK), "repo2docker runs postBuild directly: it must be executable"
    assert re.search(r"pip install --no-deps .*(-e )?\.$", text, re.M), "postBuild must install nncourse"


# --- the repo2docker imitation (slow) -----------------------------------------------------------


def _python311() -> str | None:
    found = shutil.which("python3.11")
    if found:
        return found
    return sys.executable if sys.version_info[:2] == (3, 11) else None


def _repo_files() -> list[str]:
    """The files a clone of the current work would hold: tracked plus new, not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, capture_output=True, check=True,
    ).stdout.decode()
    return [f for f in out.split("\0") if f and (REPO / f).is_file()]


def _run(cmd: list[str], cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{' '.join(map(str, cmd))} exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
    )
    return result


class BinderEnv:
    def __init__(self, venv: Path, repo: Path, env: dict, seconds: dict[str, float]):
        self.venv, self.repo, self.env, self.seconds = venv, repo, env, seconds
        self.python = venv / "bin" / "python"
        self.postbuild_output = ""

    def run(self, *cmd, timeout: float = 300) -> subprocess.CompletedProcess:
        return _run([str(c) for c in cmd], self.repo, self.env, timeout)


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory) -> BinderEnv:
    python = _python311()
    if python is None:
        pytest.skip("no Python 3.11 (binder/runtime.txt) to build the Binder environment with")
    base = tmp_path_factory.mktemp("binder")
    repo, venv = base / "repo", base / "venv"
    for rel in _repo_files():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, repo / rel)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NNCOURSE_ROOT")}
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(venv),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PYDEVD_DISABLE_FILE_VALIDATION="1",
    )
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    _run([python, "-m", "venv", str(venv)], base, env, 120)
    be = BinderEnv(venv, repo, env, seconds)
    be.run(be.python, "-m", "pip", "install", "-q", "-r", "binder/requirements.txt", timeout=900)
    seconds["pip install -r binder/requirements.txt"] = time.perf_counter() - start
    start = time.perf_counter()
    post = be.run("bash", "binder/postBuild", timeout=300)
    seconds["binder/postBuild"] = time.perf_counter() - start
    be.postbuild_output = post.stdout + post.stderr
    return be


FREEZE_IGNORE = {"pip", "setuptools", "wheel", "nncourse"}


@pytest.mark.slow
def test_binder_installs_exactly_the_pins(binder_env: BinderEnv) -> None:
    frozen = binder_env.run(binder_env.python, "-m", "pip", "freeze", "--all").stdout
    installed = {}
    for line in frozen.splitlines():
        if "==" in line and not line.startswith(("#", "-e")):
            name, version = line.split("==", 1)
            installed[canonicalize_name(name)] = Version(version)
    installed = {k: v for k, v in installed.items() if k not in FREEZE_IGNORE}
    assert installed == read_pins(BINDER_REQ), "the venv differs from binder/requirements.txt"
    binder_env.run(binder_env.python, "-m", "pip", "check")


@pytest.mark.slow
def test_binder_course_installed_from_the_repository(binder_env: BinderEnv) -> None:
    assert f"nncourse course root: {binder_env.repo}" in binder_env.postbuild_output
    out = binder_env.run(binder_env.venv / "bin" / "nncourse", "outline").stdout
    title, sections = outline.load(REPO)
    assert out.splitlines()[0] == title and len(out.splitlines()) == 1 + len(sections)
    where = binder_env.run(binder_env.python, "-c", "import nncourse; print(nncourse.__file__)").stdout
    assert Path(where.strip()).is_relative_to(binder_env.repo)


@pytest.mark.slow
def test_binder_widgets_need_no_lab_build(binder_env: BinderEnv) -> None:
    result = binder_env.run(binder_env.venv / "bin" / "jupyter", "labextension", "list")
    text = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    line = next((ln for ln in text.splitlines() if "@jupyter-widgets/jupyterlab-manager" in ln), "")
    assert re.search(r"\benabled\b.*\bOK\b", line), f"ipywidgets' lab extension not enabled:\n{text}"
    assert "jupyterlab_widgets" in line, "expected the prebuilt extension shipped by jupyterlab_widgets"
    assert "Build recommended" not in text and "needs to be rebuilt" not in text, text


RUNNER = r'''
"""Execute notebooks with nbclient in this interpreter's environment; print one JSON line each."""
import json, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

for name in sys.argv[1:]:
    path = Path(name).resolve()
    nb = nbformat.read(str(path), as_version=4)
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    errors = []
    for index, cell in enumerate(nb.cells):
        deliberate = "raises-exception" in cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and not deliberate:
                errors.append(f"cell {index}: {out.get('ename')}: {out.get('evalue')}")
    print(json.dumps({"notebook": name, "seconds": time.perf_counter() - start, "errors": errors,
                      "outputs": [o for c in nb.cells for o in c.get("outputs", [])]}), flush=True)
'''

SMOKE_CELLS = [
    "import sys, nncourse, nncourse.course.outline as o\n"
    "print('prefix', sys.prefix)\nprint('nncourse', nncourse.__file__)\nprint('root', o.course_root())",
    "import ipywidgets as w\nprint('ipywidgets', w.__version__)\nw.IntSlider(description='smoke')",
    "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()",
]


def _execute(binder_env: BinderEnv, notebooks: list[str]) -> list[dict]:
    runner = binder_env.repo.parent / "run_notebooks.py"
    runner.write_text(RUNNER, encoding="utf-8")
    result = binder_env.run(binder_env.python, runner, *notebooks, timeout=180 + 120 * len(notebooks))
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_binder_kernel_runs_in_the_binder_env(binder_env: BinderEnv) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in SMOKE_CELLS]
    path = binder_env.repo.parent / "smoke.ipynb"
    nbformat.write(nb, str(path))
    [report] = _execute(binder_env, [str(path)])
    assert report["errors"] == []
    text = "".join(o.get("text", "") for o in report["outputs"])
    assert f"prefix {binder_env.venv}" in text, text
    assert f"root {binder_env.repo}" in text, text
    assert re.search(r"ipywidgets 8\.", text), text
    mimes = {m for o in report["outputs"] for m in o.get("data", {})}
    assert {"application/vnd.jupyter.widget-view+json", "image/png"} <= mimes, mimes


def _listed_notebooks(root: Path) -> list[str]:
    _, sections = outline.load(root)
    return [s.notebook for s in sections if (root / s.notebook).is_file()]


@pytest.mark.slow
def test_binder_runs_every_course_notebook(binder_env: BinderEnv) -> None:
    notebooks = _listed_notebooks(binder_env.repo)
    if not notebooks:
        pytest.skip("no notebook listed in course.yml exists yet")
    start = time.perf_counter()
    reports = _execute(binder_env, notebooks)
    binder_env.seconds["notebooks"] = time.perf_counter() - start
    assert [r["notebook"] for r in reports] == notebooks
    timings = ", ".join(f"{Path(r['notebook']).stem} {r['seconds']:.1f} s" for r in reports)
    print(f"\nbinder build: {binder_env.seconds}\nnotebooks: {timings}")
    failures = [f"{r['notebook']}: {e}" for r in reports for e in r["errors"]]
    assert failures == [], "\n".join(failures)
