"""What the banks say about each question, written where people read it.

The banks (``questions/sNN.py``) are the one place where a question's title and points are
written. ``nncourse release`` writes them into each source notebook's question headings
(:func:`sync_headings`) and into the table of exercises/README.md between the two markers
below (:func:`refresh`), so neither can drift from what is graded.
"""

from __future__ import annotations

from pathlib import Path

START, END = "<!-- questions:start -->", "<!-- questions:end -->"


def heading(q) -> str:
    """The first line of question ``q``'s heading cell: "### Q1. Title (2 points)", ✎ if marked by hand."""
    mark = " ✎" if q.kind == "manual" else ""
    return f"### {q.id.upper()}. {q.title} ({q.points:g} point{'' if q.points == 1 else 's'}){mark}"


def sync_headings(source: Path, section: str) -> bool:
    """Give every question heading of the ``source`` notebook its bank's title and points
    (the first line and ``metadata.nncourse.points``); the rest of the cell is left as it is.

    Returns True if the notebook changed (it is then rewritten atomically).
    """
    import nbformat

    from .files import write_atomic
    from .spec import bank

    questions = bank(section)
    nb = nbformat.read(str(source), as_version=4)
    changed = False
    for cell in nb.cells:
        meta = cell.metadata.get("nncourse", {})
        q = questions.get(str(meta.get("question")))
        if cell.cell_type != "markdown" or "points" not in meta or q is None:
            continue
        first, _, rest = cell.source.partition("\n")
        if first != heading(q) or meta["points"] != q.points:
            cell.source = heading(q) + ("\n" + rest if rest or cell.source.endswith("\n") else "")
            meta["points"] = q.points
            changed = True
    if changed:
        write_atomic(Path(source), nbformat.writes(nb) + "\n")
    return changed


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
