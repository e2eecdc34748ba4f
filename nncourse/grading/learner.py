"""The learner distribution: ``nncourse release --learner-repo DIR``.

``build(out)`` writes everything a learner (or Binder, or Colab) needs, and nothing more:

- the lectures (``notebooks/``), the student exercises (``exercises/student/``), ``binder/``,
  ``pyproject.toml``, a LICENSE if there is one;
- ``course.yml`` with every section's ``exercise`` pointing at its student version, and a
  learner README (the course outline, linking ``exercises/student/``);
- the ``nncourse`` package WITHOUT ``grading/questions/`` (reference answers, known mistakes'
  code); instead ``grading/public_expectations.json`` holds every section's public question
  data (``public.export``: the expected output and each known mistake's output on the public
  cases, what ``check()`` shows anyway), so ``check()`` works with no environment variable.

Hidden cases live only in ``exercises/source/``, which is not copied. Any lecture link into
``exercises/source/`` is rewritten to ``exercises/student/`` in the copies (markdown only).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .spec import PACKAGED_PUBLIC

MARKER = ".nncourse-learner"  # marks a folder this command wrote, so it may be rebuilt
FOLDERS = ("notebooks", "exercises/student", "binder")
FILES = ("pyproject.toml", "LICENSE", "LICENSE.md", "LICENSE.txt")
MANAGED = ("notebooks", "exercises", "binder", "nncourse", "course.yml", "README.md", *FILES)
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.backup-*")


def _check_target(out: Path, root: Path) -> None:
    out, root = out.resolve(), root.resolve()
    if out == root or out in root.parents or root in out.parents:
        raise ValueError(f"--learner-repo {out} must be outside the course repository {root}.")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--learner-repo {out} is a file; give a folder.")
    if out.is_dir() and any(p.name != ".git" for p in out.iterdir()) and not (out / MARKER).exists():
        raise ValueError(
            f"--learner-repo {out} is not empty and was not written by `nncourse release --learner-repo`. "
            "Give an empty or new folder (a .git folder in it is fine)."
        )


def _course_yml(text: str) -> str:
    """course.yml with each ``exercise: exercises/source/...`` pointing at the student version."""
    return re.sub(r"(?m)^(\s*exercise:\s*)exercises/source/", r"\g<1>exercises/student/", text)


def _student_links(path: Path) -> bool:
    """Rewrite links into exercises/source/ in a notebook's markdown cells; True if it changed."""
    import json

    nb = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else source
        if "exercises/source/" in text:
            cell["source"] = text.replace("exercises/source/", "exercises/student/").splitlines(keepends=True)
            changed = True
    if changed:
        path.write_text(json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def readme(root: Path) -> str:
    """The learner README: what is here, how to start, and the outline (linking exercises/student/)."""
    from ..course import outline

    title, _ = outline.load(root)
    return (
        f"# {title}\n\n"
        "An interactive course in Jupyter notebooks: each section has a lecture (`notebooks/`) and an\n"
        "exercise notebook (`exercises/student/`). In an exercise, `check(\"q1\")` checks your answer\n"
        "on the public tests and names a typical mistake; `hint(\"q1\")` gives one hint at a time.\n"
        "Your instructor grades the submitted notebooks with hidden tests as well.\n\n"
        "## Start\n\n"
        "- In a browser, nothing to install: the Binder or Colab badge below, or in any notebook's header.\n"
        "- On your computer (Python 3.10 or newer): `python -m pip install -e \".[lab]\"`, then\n"
        "  `nncourse lab` (or `jupyter lab`).\n\n"
        "## Outline\n\n"
        f"{outline.readme_block(root)}\n"
    )


def _repository(out: Path, repository: str) -> list[str]:
    """Point the learner copy's launch links at ``repository``: course.yml's ``repository``, then the
    header cells' badges, the README outline and the Colab setup cells (markdown and an unexecuted
    setup cell change, so the notebooks' outputs stay valid); the student manifest follows."""
    from ..course import launch, outline
    from .release import MANIFEST, sha256

    path = out / "course.yml"
    text, n = re.subn(r"(?m)^repository:.*$", f"repository: {repository}", path.read_text(encoding="utf-8"))
    if n != 1:
        raise ValueError("course.yml must have exactly one top-level `repository:` line.")
    path.write_text(text, encoding="utf-8")
    launch.load(out)  # a malformed URL is refused here
    changed = outline.write(out) + [f"{rel}: Colab setup cell" for rel in launch.write_setup_cells(out)]
    manifest_path = out / "exercises" / "student" / MANIFEST
    if manifest_path.is_file():
        import json

        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for name in manifest:
            if (manifest_path.parent / name).is_file():
                manifest[name] = sha256((manifest_path.parent / name).read_bytes())
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    files = sorted({line.split(":")[0] for line in changed})
    return [f"launch links -> {repository} in {len(files)} files (README, notebook headers, Colab setup cells)"]


def _copy_course(root: Path, out: Path) -> list[str]:
    """Replace what the last build wrote (keeping the rest, such as .git) with the course's files."""
    for name in MANAGED:
        path = out / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()
    done = []
    for folder in FOLDERS:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, out / folder, ignore=SKIP)
            done.append(f"{folder}/")
    for name in FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, out / name)
            done.append(name)
    return done


def _copy_package(out: Path, expectations: dict) -> str:
    """Copy nncourse without its question banks, and ship the public expectations as package data."""
    from . import wire

    package = Path(__file__).resolve().parent.parent

    def leave_out(folder: str, names: list[str]) -> set[str]:
        skip = set(SKIP(folder, names)) | {n for n in names if n.endswith(".egg-info")}
        if Path(folder).resolve() == package / "grading":
            skip |= {"questions", PACKAGED_PUBLIC} & set(names)
        return skip

    shutil.copytree(package, out / "nncourse", ignore=leave_out)
    data = {"format": 1, "sections": expectations}
    (out / "nncourse" / "grading" / PACKAGED_PUBLIC).write_text(wire.dumps(data) + "\n", encoding="utf-8")
    return f"nncourse/ (without grading/questions/; public expectations in grading/{PACKAGED_PUBLIC})"


def build(out: Path, root: Path | None = None, repository: str | None = None) -> list[str]:
    """Write the learner distribution into ``out``; returns one line per thing written.

    ``repository`` (``https://github.com/<owner>/<name>``): where the learner copy will be
    published; its Binder and Colab links and the Colab install line then point there
    instead of at course.yml's (the instructor's, private) repository.
    """
    from ..course import outline
    from . import public
    from .spec import learner_copy

    if learner_copy():
        raise ValueError(
            "this is already the learner distribution (no question banks): "
            "run `nncourse release --learner-repo` in the instructor's repository."
        )
    root = Path(root) if root else outline.course_root()
    out = Path(out)
    _check_target(out, root)
    out.mkdir(parents=True, exist_ok=True)
    done = _copy_course(root, out)
    pyproject = out / "pyproject.toml"
    if pyproject.is_file() and "[tool.setuptools.package-data]" not in pyproject.read_text(encoding="utf-8"):
        with pyproject.open("a", encoding="utf-8") as f:  # so `pip install` (Colab) ships the public data
            f.write(f'\n[tool.setuptools.package-data]\n"nncourse.grading" = ["{PACKAGED_PUBLIC}"]\n')
    (out / "course.yml").write_text(_course_yml((root / "course.yml").read_text(encoding="utf-8")), encoding="utf-8")
    done.append("course.yml (exercises -> exercises/student/)")
    _, sections = outline.load(out)
    missing = [s.exercise for s in sections if not (out / s.exercise).is_file()]
    if missing:
        raise ValueError(f"student versions missing: {', '.join(missing)}. Run `nncourse release --all` first.")
    for path in sorted((out / "notebooks").glob("*.ipynb")):
        if _student_links(path):
            done.append(f"notebooks/{path.name}: links to exercises/source/ now point at exercises/student/")
    (out / "README.md").write_text(readme(out), encoding="utf-8")
    done.append("README.md (learner outline)")
    if repository:
        done += _repository(out, repository.rstrip("/"))

    done.append(_copy_package(out, {s.id: public.export(s.id) for s in sections}))
    (out / MARKER).write_text("written by `nncourse release --learner-repo`; rebuilt in place\n", encoding="utf-8")
    return done
