"""The course outline, read from ``course.yml`` at the repository's root.

It is the one list of sections: the README's outline, each notebook's
header cell and ``nncourse release`` are all made from it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

STUDENT_DIR = "exercises/student"  # where `nncourse release` writes the learners' versions


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    notebook: str
    exercise: str
    minutes: int
    needs: tuple[str, ...]
    objectives: tuple[str, ...]


def course_root() -> Path:
    """The folder that holds ``course.yml``: $NNCOURSE_ROOT, else the source checkout."""
    for candidate in (os.environ.get("NNCOURSE_ROOT"), Path(__file__).resolve().parents[2], Path.cwd()):
        if candidate and (Path(candidate) / "course.yml").is_file():
            return Path(candidate)
    raise FileNotFoundError(
        "course.yml not found. Run from the course checkout or set NNCOURSE_ROOT to it."
    )


def load(root: Path | None = None) -> tuple[str, list[Section]]:
    """``(course title, sections)`` from ``course.yml``."""
    import yaml

    root = root or course_root()
    try:
        data = yaml.safe_load((root / "course.yml").read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise ValueError(f"course.yml is not valid YAML ({err}). Fix the line it names.") from err
    sections = [
        Section(
            id=str(s["id"]),
            title=s["title"],
            notebook=s["notebook"],
            exercise=s["exercise"],
            minutes=int(s["minutes"]),
            needs=tuple(str(n) for n in s.get("needs", [])),
            objectives=tuple(s["objectives"]),
        )
        for s in data["sections"]
    ]
    return data["title"], sections


def section(section_id: str, root: Path | None = None) -> Section:
    """One section by its id (``"06"``) or its notebook's stem (``"06_worked_example"``)."""
    _, sections = load(root)
    for s in sections:
        if section_id in (s.id, Path(s.notebook).stem):
            return s
    known = ", ".join(s.id for s in sections)
    raise ValueError(f"Unknown section {section_id!r}. Choose one of: {known}.")


# Binder and Colab badges in the header cells (issue 14). Off while the notebooks are being
# rewritten; switch on, then run `nncourse outline --write` and `nncourse release` once.
HEADER_BADGES = True


def header_markdown(s: Section, kind: str = "notebook", launch=None, badges: bool | None = None) -> str:
    """The first cell of a section's notebook: title, launch badges, time and objectives.

    ``kind`` is ``"notebook"`` (the lecture) or ``"exercise"`` (the exercise source and its
    student version: both badges open the student version). ``launch`` is a
    ``nncourse.launch.Launch`` (default: read from course.yml); ``badges`` defaults to
    ``HEADER_BADGES`` (the course website passes False: it has launch buttons of its own).
    """
    needs = ", ".join(f"section {n}" for n in s.needs) if s.needs else "nothing before it"
    if kind not in ("notebook", "exercise"):
        raise ValueError(f"kind must be 'notebook' or 'exercise', not {kind!r}.")
    lines = [f"# {s.id}. {s.title}", ""]
    if HEADER_BADGES if badges is None else badges:
        from . import launch as _launch

        rel = s.notebook if kind == "notebook" else f"{STUDENT_DIR}/{Path(s.exercise).name}"
        lines += [_launch.badges(rel, launch), ""]
    lines += [
        f"**Estimated time:** {s.minutes} minutes. **Builds on:** {needs}.",
        "",
        "**By the end of this notebook you will be able to:**",
        "",
    ]
    lines += [f"- {o}" for o in s.objectives]
    return "\n".join(lines)


def readme_outline(root: Path | None = None) -> str:
    """The outline table that the README shows between its outline markers."""
    from . import launch as _launch

    _, sections = load(root)
    start = _launch.badges(sections[0].notebook, _launch.load(root)) if HEADER_BADGES else ""
    rows = [f"**Start in a browser, nothing to install:** {start}", ""] if start else []
    rows += ["| # | section | notebook | exercises | time |", "| --- | --- | --- | --- | --- |"]
    for s in sections:
        # Learners get the student version; the source holds the solutions and hidden tests.
        student = f"{STUDENT_DIR}/{Path(s.exercise).name}"
        rows.append(
            f"| {s.id} | {s.title} | [{Path(s.notebook).name}]({s.notebook}) | "
            f"[exercises {s.id}]({student}) | {s.minutes} min |"
        )
    total = sum(s.minutes for s in sections)
    rows.append(f"\nTotal: about {total // 60} h {total % 60} min of study.")
    return "\n".join(rows)


# --- Keeping the README and the notebooks in step with course.yml -----------------------------

README_START = "<!-- outline:start -->"
README_END = "<!-- outline:end -->"


def readme_block(root: Path | None = None) -> str:
    """The README's outline block, markers included: ``README_START``, the table, ``README_END``."""
    return f"{README_START}\n{readme_outline(root)}\n{README_END}"


def _cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _read_notebook_json(path: Path) -> dict:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path} is not a readable notebook ({err}).") from err


def _launch_settings(root: Path):
    """course.yml's launch settings when the headers carry badges, else None (not needed)."""
    if not HEADER_BADGES:
        return None
    from . import launch

    return launch.load(root)


def _header_problem(path: Path, s: Section, launch=None) -> str | None:
    """Why the notebook's first cell is not ``header_markdown(s)``, or None if it is."""
    cells = _read_notebook_json(path).get("cells", [])
    if not cells:
        return "has no cells; its first cell must be the header from course.yml"
    first = cells[0]
    if first.get("cell_type") != "markdown":
        kind = first.get("cell_type")
        return f"first cell is a {kind} cell; it must be the markdown header from course.yml"
    if _cell_source(first) != header_markdown(s, launch=launch):
        return "header cell differs from course.yml (run `nncourse outline --write`)"
    return None


def _readme_span(text: str) -> tuple[int, int] | None:
    """``(start, end)`` of the outline block in the README's text, markers included; None if absent."""
    start = text.find(README_START)
    end = text.find(README_END, start + 1)
    if start < 0 or end < 0:
        return None
    return start, end + len(README_END)


def check(root: Path | None = None) -> list[str]:
    """Every way the course tree disagrees with ``course.yml``; an empty list means all is in step.

    Checks: each listed notebook and exercise exists; every ``notebooks/*.ipynb`` and
    ``exercises/source/*.ipynb`` is listed; each notebook's first cell is exactly
    ``header_markdown(section)``; README.md's block between ``README_START`` and ``README_END``
    is ``readme_outline()``; ids and notebooks are unique and ``needs`` names earlier sections.
    """
    root = Path(root) if root else course_root()
    _, sections = load(root)
    settings = _launch_settings(root)
    problems: list[str] = []
    seen: set[str] = set()
    for s in sections:
        if s.id in seen:
            problems.append(f"course.yml: section id {s.id} appears twice")
        for need in s.needs:
            if need not in seen:
                problems.append(f"course.yml: section {s.id} needs {need}, which is not an earlier section")
        seen.add(s.id)
    listed: dict[str, set[Path]] = {"notebook": set(), "exercise": set()}
    for s in sections:
        for kind, rel in (("notebook", s.notebook), ("exercise", s.exercise)):
            path = root / rel
            if path.resolve() in listed[kind]:
                problems.append(f"course.yml: {kind} {rel} is listed by more than one section")
            listed[kind].add(path.resolve())
            if not path.is_file():
                problems.append(f"section {s.id}: {kind} {rel} is listed in course.yml but does not exist")
            elif kind == "notebook":
                why = _header_problem(path, s, settings)
                if why:
                    problems.append(f"section {s.id}: {rel} {why}")
    for kind, folder in (("notebook", "notebooks"), ("exercise", "exercises/source")):
        for path in sorted((root / folder).glob("*.ipynb")):
            if path.resolve() not in listed[kind]:
                rel = path.relative_to(root)
                problems.append(f"{rel} is not listed in course.yml (add it as a section's {kind})")
    readme = root / "README.md"
    if not readme.is_file():
        problems.append("README.md does not exist; it must hold the outline block")
    else:
        text = readme.read_text(encoding="utf-8")
        span = _readme_span(text)
        if span is None:
            problems.append(f"README.md has no outline block: add the lines {README_START} and {README_END}")
        elif text[span[0] : span[1]] != readme_block(root):
            problems.append("README.md: the outline block is out of date (run `nncourse outline --write`)")
    return problems


def _write_header(path: Path, header: str) -> bool:
    """Set the notebook's first (markdown) cell's source to ``header``; True if the file changed.

    Only that one cell's source changes: the file is rewritten the way nbformat writes it
    (sorted keys, one-space indent, multi-line strings as lists of lines).
    """
    import json

    nb = _read_notebook_json(path)
    cells = nb.get("cells", [])
    if not cells or cells[0].get("cell_type") != "markdown" or _cell_source(cells[0]) == header:
        return False
    cells[0]["source"] = header.splitlines(keepends=True)
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return True


def write(root: Path | None = None) -> list[str]:
    """Regenerate README.md's outline block and each existing notebook's header cell.

    Touches nothing else: in a notebook only the first cell's source, in the README only the
    text between the markers. Returns one line per file changed. Notebooks whose first cell
    is not markdown are left alone (``check`` reports them).
    """
    root = Path(root) if root else course_root()
    _, sections = load(root)
    settings = _launch_settings(root)
    changed: list[str] = []
    for s in sections:
        path = root / s.notebook
        if path.is_file() and _write_header(path, header_markdown(s, launch=settings)):
            changed.append(f"{s.notebook}: header cell rewritten from course.yml")
        # An exercise source whose header is the section's header gets the exercise badges;
        # its student version follows with `nncourse release`.
        path = root / s.exercise
        if path.is_file():
            cells = _read_notebook_json(path).get("cells", [])
            # the section's header under any number: a renumbered section is recognised by its title
            ours = cells and re.match(rf"# \d+\. {re.escape(s.title)}\n", _cell_source(cells[0]))
            if ours and _write_header(path, header_markdown(s, "exercise", settings)):
                changed.append(f"{s.exercise}: header cell rewritten from course.yml")
    readme = root / "README.md"
    if readme.is_file():
        text = readme.read_text(encoding="utf-8")
        span = _readme_span(text)
        if span is not None:
            new = text[: span[0]] + readme_block(root) + text[span[1] :]
            if new != text:
                readme.write_text(new, encoding="utf-8")
                changed.append("README.md: outline block regenerated from course.yml")
    return changed
