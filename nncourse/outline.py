"""The course outline, read from ``course.yml`` at the repository's root.

It is the one list of sections: the README's outline, each notebook's
header cell and ``nncourse release`` are all made from it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


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
    for candidate in (os.environ.get("NNCOURSE_ROOT"), Path(__file__).resolve().parent.parent, Path.cwd()):
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


def header_markdown(s: Section) -> str:
    """The first cell of a section's notebook: title, time and objectives."""
    needs = ", ".join(f"section {n}" for n in s.needs) if s.needs else "nothing before it"
    lines = [
        f"# {s.id}. {s.title}",
        "",
        f"**Estimated time:** {s.minutes} minutes. **Builds on:** {needs}.",
        "",
        "**By the end of this notebook you will be able to:**",
        "",
    ]
    lines += [f"- {o}" for o in s.objectives]
    return "\n".join(lines)


def readme_outline(root: Path | None = None) -> str:
    """The outline table that the README shows between its outline markers."""
    _, sections = load(root)
    rows = ["| # | section | notebook | exercise | time |", "| --- | --- | --- | --- | --- |"]
    for s in sections:
        rows.append(
            f"| {s.id} | {s.title} | [{Path(s.notebook).name}]({s.notebook}) | "
            f"[{Path(s.exercise).name}]({s.exercise}) | {s.minutes} min |"
        )
    total = sum(s.minutes for s in sections)
    rows.append(f"\nTotal: about {total // 60} h {total % 60} min of study.")
    return "\n".join(rows)
