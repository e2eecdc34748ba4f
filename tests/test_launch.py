"""Open in Binder / Open in Colab: badges, the guarded Colab setup cell, and a simulated Colab.

Fast: URLs come from course.yml's three settings (OWNER appears in no code); header badges
point at the lecture or the student exercise, never at exercises/source; the setup cell is
inserted once after the header and refreshed in place, does nothing outside Colab, and in Colab
runs exactly one `pip install` of the release (no numpy/matplotlib/ipywidgets).

Slow: a simulated Colab. A fresh venv sees the course's pinned packages as "preinstalled"
(a .pth file, like Colab's own site-packages) but not nncourse; ``google.colab`` is imported
at kernel start (an IPython startup file). A notebook held only in memory, run from an empty
folder (no repository, no course.yml), has the setup cell with the release replaced by a
locally built wheel: pip installs nncourse and nothing else, then the exercise's check() and a
widget work.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from nncourse.course import launch, outline

REPO = Path(__file__).resolve().parent.parent
SETTINGS = launch.Launch("https://github.com/someone/nncourse", "main", "v1.2.3")


def test_settings_come_from_course_yml_and_owner_is_in_one_place() -> None:
    settings = launch.load(REPO)
    assert settings.repository.startswith("https://github.com/") and settings.release and settings.branch
    for path in [*(REPO / "nncourse").rglob("*.py"), REPO / "run.py"]:
        assert "OWNER" not in path.read_text(encoding="utf-8"), f"{path} spells out OWNER: use course.yml"


def test_bad_repository_setting_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "course.yml").write_text("title: t\nrepository: github.com/x\nbranch: main\nrelease: v1\n"
                                         "sections: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="https://github.com/<owner>/<name>"):
        launch.load(tmp_path)
    (tmp_path / "course.yml").write_text("title: t\nsections: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="repository, branch, release"):
        launch.load(tmp_path)


def test_urls() -> None:
    rel = "notebooks/01_derivatives.ipynb"
    assert launch.binder_url(rel, SETTINGS) == (
        "https://mybinder.org/v2/gh/someone/nncourse/main?urlpath=lab/tree/notebooks/01_derivatives.ipynb")
    assert launch.colab_url(rel, SETTINGS) == (
        "https://colab.research.google.com/github/someone/nncourse/blob/v1.2.3/notebooks/01_derivatives.ipynb")
    assert SETTINGS.install_spec == "nncourse @ git+https://github.com/someone/nncourse@v1.2.3"


def test_header_badges_point_at_the_lecture_or_the_student_exercise() -> None:
    s = outline.load(REPO)[1][0]
    lecture = outline.header_markdown(s, "notebook", SETTINGS, badges=True)
    exercise = outline.header_markdown(s, "exercise", SETTINGS, badges=True)
    assert lecture.splitlines()[2] == launch.badges(s.notebook, SETTINGS)
    student = f"exercises/student/{Path(s.exercise).name}"
    assert exercise.splitlines()[2] == launch.badges(student, SETTINGS)
    assert "exercises/source" not in exercise
    plain = outline.header_markdown(s, badges=False)
    assert lecture.replace(launch.badges(s.notebook, SETTINGS) + "\n\n", "") == plain
    with pytest.raises(ValueError, match="kind"):
        outline.header_markdown(s, "lecture")


def _notebook(tmp_path: Path) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01. Title"), nbformat.v4.new_code_cell("x = 1")]
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, str(path))
    return path


def test_setup_cell_is_inserted_once_and_refreshed_in_place(tmp_path: Path) -> None:
    import nbformat

    path = _notebook(tmp_path)
    assert launch.write_setup_cell(path, SETTINGS) is True
    first = path.read_text(encoding="utf-8")
    assert launch.write_setup_cell(path, SETTINGS) is False  # idempotent
    assert path.read_text(encoding="utf-8") == first
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert nb.cells[1].source == launch.setup_source(SETTINGS) and nb.cells[2].source == "x = 1"
    newer = launch.Launch(SETTINGS.repository, "main", "v2.0.0")
    assert launch.write_setup_cell(path, newer) is True
    nb = nbformat.read(str(path), as_version=4)
    assert len(nb.cells) == 3 and "v2.0.0" in nb.cells[1].source and "v1.2.3" not in nb.cells[1].source


def _run_setup_cell(in_colab: bool) -> list[str]:
    """Run the setup cell as IPython would; return the `%pip` lines it ran."""
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(launch.setup_source(SETTINGS))
    ran: list[str] = []

    class Shell:
        def run_line_magic(self, name, line, _stack_depth=1):
            ran.append(f"%{name} {line}")

    saved = sys.modules.get("google.colab")
    if in_colab:
        sys.modules["google.colab"] = type(sys)("google.colab")
    try:
        exec(code, {"get_ipython": lambda: Shell()})  # noqa: S102
    finally:
        if saved is None:
            sys.modules.pop("google.colab", None)
    return ran


def test_setup_cell_does_nothing_outside_colab_and_installs_only_nncourse_in_it() -> None:
    assert _run_setup_cell(in_colab=False) == []
    [line] = _run_setup_cell(in_colab=True)
    assert line == f'%pip install -q "{SETTINGS.install_spec}"'
    for name in ("numpy", "matplotlib", "ipywidgets", "--upgrade", "-U", "--force"):
        assert name not in line
    comment = " ".join(line[2:] for line in launch.setup_source(SETTINGS).splitlines() if line.startswith("# "))
    assert comment.startswith("In Colab this installs") and comment.endswith("anywhere else it does nothing.")
    assert comment.count(".") == 1, "one sentence says what the cell does"


def test_ruff_accepts_the_setup_cell(tmp_path: Path) -> None:
    path = _notebook(tmp_path)
    launch.write_setup_cell(path, SETTINGS)
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed here")
    result = subprocess.run([str(ruff), "check", "--no-cache", "--config", str(REPO / "pyproject.toml"), str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# --- slow: a simulated Colab ------------------------------------------------------------------

CHECK_CELLS = [
    "import nncourse, sys\nprint('nncourse from', nncourse.__file__)\nprint('colab', 'google.colab' in sys.modules)",
    "from nncourse.widgets import derivatives as dw\nexplorer = dw.tangent_explorer('x on curve', x=1.0)\n"
    "print('picture bytes', len(explorer.picture.value))",
]


@pytest.mark.slow
def test_simulated_colab_installs_the_wheel_and_runs_a_notebook_not_on_disk(tmp_path: Path) -> None:
    import shutil

    import nbformat

    tree, wheels = tmp_path / "tree", tmp_path / "wheels"  # build from a copy: nothing written into the repo
    shutil.copytree(REPO / "nncourse", tree / "nncourse", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).is_file():
            shutil.copy(REPO / name, tree / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(tree)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = wheels.glob("nncourse-*.whl")
    env_dir = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    py = env_dir / "bin" / "python"
    own = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip())
    # Colab's preinstalled packages: the course's pinned ones, minus nncourse itself (editable here).
    (own / "colab_preinstalled.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    (own / "google" / "colab").mkdir(parents=True)
    (own / "google" / "colab" / "__init__.py").write_text("", encoding="utf-8")
    ipython_dir = tmp_path / "ipython"
    (ipython_dir / "profile_default" / "startup").mkdir(parents=True)
    (ipython_dir / "profile_default" / "startup" / "00-colab.py").write_text("import google.colab\n")

    source = nbformat.read(str(REPO / outline.section("01").exercise), as_version=4)
    setup = nbformat.v4.new_code_cell(launch.setup_source().replace(launch.load().install_spec, str(wheel)))
    cells = [c for c in source.cells if launch.SETUP_TAG not in c.metadata.get("tags", [])]
    source.cells = [cells[0], setup, *[nbformat.v4.new_code_cell(c) for c in CHECK_CELLS], *cells[1:]]
    work = tmp_path / "empty"  # no repository, no course.yml, no notebook file
    work.mkdir()
    runner = tmp_path / "run.py"
    runner.write_text(
        "import json, sys, nbformat\nfrom nbclient import NotebookClient\n"
        "nb = nbformat.reads(sys.stdin.read(), as_version=4)\n"
        "NotebookClient(nb, timeout=300, kernel_name='python3', allow_errors=True,\n"
        "               resources={'metadata': {'path': sys.argv[1]}}).execute()\n"
        "print(nbformat.writes(nb))\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "NNCOURSE_ROOT")}
    env.update(IPYTHONDIR=str(ipython_dir), PYDEVD_DISABLE_FILE_VALIDATION="1", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PATH=f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(env_dir))
    # pip itself for %pip inside the kernel: Colab has it; this venv borrows the course venv's.
    result = subprocess.run([str(py), str(runner), str(work)], input=nbformat.writes(source), env=env, cwd=work,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    nb = nbformat.reads(result.stdout, as_version=4)
    errors = [f"cell {i}: {o.get('ename')}: {o.get('evalue')}" for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"
              and "raises-exception" not in c.metadata.get("tags", [])]
    assert errors == [], "\n".join(errors)
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert f"nncourse from {own}" in text, text[:2000]
    assert "colab True" in text and "picture bytes" in text
    installed = sorted(p.name for p in own.glob("*.dist-info"))
    assert [n.split("-")[0] for n in installed] == ["nncourse"], installed  # nothing else was (re)installed
    feedback = [json.dumps(o.get("data", {})) + o.get("text", "") for c in nb.cells if "check(" in c.source
                for o in c.get("outputs", [])]
    assert feedback and not any("Traceback" in f for f in feedback), feedback[:3]


def test_switching_badges_on_then_writing_updates_lecture_and_exercise_headers(tmp_path: Path, monkeypatch) -> None:
    """What the maintainer runs once: HEADER_BADGES = True, `nncourse outline --write`, `nncourse launch --write`."""
    import shutil

    import nbformat

    monkeypatch.setattr(outline, "HEADER_BADGES", False)  # as before the switch
    shutil.copy(REPO / "course.yml", tmp_path / "course.yml")
    _, sections = outline.load(tmp_path)
    for s in sections:
        for rel in (s.notebook, s.exercise):
            nb = nbformat.v4.new_notebook()
            nb.cells = [nbformat.v4.new_markdown_cell(outline.header_markdown(s, badges=False)),
                        nbformat.v4.new_code_cell("x = 1")]
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(tmp_path / rel))
    (tmp_path / "README.md").write_text(outline.readme_block(tmp_path) + "\n", encoding="utf-8")
    assert outline.check(tmp_path) == []
    monkeypatch.setattr(outline, "HEADER_BADGES", True)
    # every lecture header now lacks its badges, and so does the README's outline block
    assert len(outline.check(tmp_path)) == len(sections) + 1
    assert len(outline.write(tmp_path)) == 2 * len(sections) + 1
    assert outline.check(tmp_path) == [] and outline.write(tmp_path) == []
    settings = launch.load(tmp_path)
    s = sections[0]
    lecture = nbformat.read(str(tmp_path / s.notebook), as_version=4)
    exercise = nbformat.read(str(tmp_path / s.exercise), as_version=4)
    assert launch.badges(s.notebook, settings) in lecture.cells[0].source
    assert launch.badges(f"exercises/student/{Path(s.exercise).name}", settings) in exercise.cells[0].source
    assert sorted(launch.write_setup_cells(tmp_path)) == sorted(
        [s.notebook for s in sections] + [s.exercise for s in sections])
    assert launch.write_setup_cells(tmp_path) == []
    assert nbformat.read(str(tmp_path / s.notebook), as_version=4).cells[1].metadata.tags == [launch.SETUP_TAG]
    assert outline.check(tmp_path) == []
