"""exercises/README.md lists every graded question with its points, generated from the banks."""

from __future__ import annotations

from pathlib import Path

from nncourse.course import outline
from nncourse.grading import catalogue
from nncourse.grading.spec import bank

README = Path(__file__).resolve().parent.parent / "exercises" / "README.md"


def test_readme_table_is_the_one_the_banks_give():
    text = README.read_text(encoding="utf-8")
    block = text.split(catalogue.START, 1)[1].split(catalogue.END, 1)[0].strip()
    assert block == catalogue.questions_table(), "run `nncourse release --all` to refresh exercises/README.md"


def test_every_section_has_a_bank_and_its_points_add_up():
    _, sections = outline.load(outline.course_root())
    table = catalogue.questions_table()
    assert "no question bank" not in table
    for s in sections:
        questions = list(bank(s.id).values())
        row = next(line for line in table.splitlines() if line.startswith(f"| {s.id} "))
        assert row.endswith(f"| {sum(q.points for q in questions):g} |"), row
        for q in questions:
            assert f"{q.title} ({q.points:g})" in row, (q.id, row)


def test_refresh_rewrites_only_between_the_markers(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{catalogue.START}\nstale\n{catalogue.END}\nafter\n", encoding="utf-8")
    assert catalogue.refresh(readme) is True
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith("\nafter\n") and "stale" not in text
    assert catalogue.refresh(readme) is False  # a second run changes nothing
    plain = tmp_path / "PLAIN.md"
    plain.write_text("no markers here\n", encoding="utf-8")
    assert catalogue.refresh(plain) is False and plain.read_text(encoding="utf-8") == "no markers here\n"


def test_release_gives_each_heading_its_banks_title_and_points(tmp_path):
    import shutil

    import nbformat

    source = tmp_path / "06.ipynb"
    shutil.copy(README.parent / "source" / "06_worked_example.ipynb", source)
    nb = nbformat.read(str(source), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nncourse", {}).get("question") == "q1")
    body = cell.source.partition("\n")[2]
    cell.source = "### Q1. An old title (9 points)\n" + body
    cell.metadata["nncourse"]["points"] = 9
    nbformat.write(nb, str(source))

    assert catalogue.sync_headings(source, "06") is True
    q1 = bank("06")["q1"]
    cell = next(c for c in nbformat.read(str(source), as_version=4).cells
                if c.metadata.get("nncourse", {}).get("question") == "q1")
    assert cell.source == f"### Q1. {q1.title} ({q1.points:g} points)\n" + body
    assert cell.metadata["nncourse"]["points"] == q1.points
    assert catalogue.sync_headings(source, "06") is False  # in step now: the file is not rewritten
