"""The list of every section's graded questions in exercises/README.md, made from the banks.

The banks (``questions/sNN.py``) are the one place where a question's title and points are
written; ``nncourse release`` rewrites the table between the two markers below, so the guide
for instructors never drifts from what is graded.
"""

from __future__ import annotations

from pathlib import Path

START, END = "<!-- questions:start -->", "<!-- questions:end -->"


def questions_table() -> str:
    """The table: one row per section, each question with its points (✎: marked by hand)."""
    from ..course import outline
    from .spec import bank

    _, sections = outline.load(outline.course_root())
    rows = ["| section | questions (points) | points |", "| --- | --- | --- |"]
    for s in sections:
        try:
            questions = list(bank(s.id).values())
        except Exception as err:  # a section still being written: say so in its row
            rows.append(f"| {s.id} {s.title} | no question bank yet ({type(err).__name__}) | 0 |")
            continue
        items = ", ".join(f"{'✎ ' if q.kind == 'manual' else ''}{q.title} ({q.points:g})" for q in questions)
        rows.append(f"| {s.id} {s.title} | {items} | {sum(q.points for q in questions):g} |")
    return "\n".join(rows)


def refresh(readme: Path | None = None) -> bool:
    """Rewrite the table between the markers of ``readme`` (default exercises/README.md).

    Returns True if the file changed. A README without the markers is left alone.
    """
    from ..course import outline

    readme = Path(readme) if readme else outline.course_root() / "exercises" / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{questions_table()}\n{END}{tail}"
    if new == text:
        return False
    readme.write_text(new, encoding="utf-8")
    return True
