"""course.yml is the one section list: `nncourse outline --check` finds every way the tree
disagrees with it, and `--write` repairs the README block and header cells and nothing else.

Each test builds a complete, consistent course tree in a temporary folder from the real
course.yml, breaks one thing, and expects the check to name it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from nncourse.course import cli, outline

REPO = Path(__file__).resolve().parent.parent


def _notebook(header: str, body: str = "x = 1\nprint(x)") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(header),
        nbformat.v4.new_code_cell(body),
        nbformat.v4.new_markdown_cell("## Summary\n\nUnicode stays as it is: σ, η, ∂C/∂z, Wᵀ."),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A course tree that passes the check: every notebook, exercise and the README block."""
    shutil.copy(REPO / "course.yml", tmp_path / "course.yml")
    _, sections = outline.load(tmp_path)
    for s in sections:
        for rel, header in ((s.notebook, outline.header_markdown(s)), (s.exercise, f"# Exercises {s.id}")):
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(_notebook(header), str(path))
    (tmp_path / "README.md").write_text(
        "# The course\n\nIntro text.\n\n" + outline.readme_block(tmp_path) + "\n\n## After\n\nMore text.\n",
        encoding="utf-8",
    )
    assert outline.check(tmp_path) == []
    return tmp_path


def _first(root: Path):
    _, sections = outline.load(root)
    return sections[0]


def _one_problem(root: Path, *words: str) -> str:
    problems = outline.check(root)
    assert len(problems) == 1, problems
    for word in words:
        assert word in problems[0], problems[0]
    return problems[0]


def test_missing_notebook(tree: Path) -> None:
    s = _first(tree)
    (tree / s.notebook).unlink()
    _one_problem(tree, s.notebook, "does not exist")


def test_missing_exercise(tree: Path) -> None:
    s = _first(tree)
    (tree / s.exercise).unlink()
    _one_problem(tree, s.exercise, "does not exist")


def test_unlisted_notebook(tree: Path) -> None:
    nbformat.write(_notebook("# Stray"), str(tree / "notebooks" / "99_stray.ipynb"))
    _one_problem(tree, "notebooks/99_stray.ipynb", "not listed")


def test_unlisted_exercise_source(tree: Path) -> None:
    nbformat.write(_notebook("# Stray"), str(tree / "exercises" / "source" / "99_stray.ipynb"))
    _one_problem(tree, "exercises/source/99_stray.ipynb", "not listed")


def test_checkpoints_are_not_notebooks(tree: Path) -> None:
    hidden = tree / "notebooks" / ".ipynb_checkpoints"
    hidden.mkdir()
    nbformat.write(_notebook("# Old"), str(hidden / "01_derivatives-checkpoint.ipynb"))
    assert outline.check(tree) == []


def _edit_cells(path: Path, edit) -> None:
    """Rewrite the notebook at ``path`` after ``edit(cells)`` has changed its cells in place."""
    nb = nbformat.read(str(path), as_version=4)
    edit(nb.cells)
    nbformat.write(nb, str(path))


def _set_header(path: Path, text: str) -> None:
    """Give the notebook at ``path`` this first cell's source."""
    _edit_cells(path, lambda cells: setattr(cells[0], "source", text))


def _header(path: Path) -> str:
    return nbformat.read(str(path), as_version=4).cells[0].source


def test_header_differs(tree: Path) -> None:
    s = _first(tree)
    path = tree / s.notebook
    _set_header(path, _header(path).replace(f"{s.minutes} minutes", f"{s.minutes + 5} minutes"))
    _one_problem(tree, s.notebook, "header")


def test_header_differs_by_trailing_newline(tree: Path) -> None:
    s = _first(tree)
    path = tree / s.notebook
    _set_header(path, _header(path) + "\n")
    _one_problem(tree, s.notebook, "header")


def test_header_not_markdown(tree: Path) -> None:
    s = _first(tree)
    _edit_cells(tree / s.notebook, lambda cells: cells.insert(0, nbformat.v4.new_code_cell("import numpy as np")))
    _one_problem(tree, s.notebook, "code cell")
    assert outline.write(tree) == []  # --write only ever edits a markdown first cell
    assert len(outline.check(tree)) == 1


def test_course_yml_change_makes_headers_and_readme_stale(tree: Path) -> None:
    text = (tree / "course.yml").read_text(encoding="utf-8")
    s = _first(tree)
    (tree / "course.yml").write_text(text.replace(s.title, s.title + " (revised)", 1), encoding="utf-8")
    problems = outline.check(tree)
    assert len(problems) == 2, problems
    assert any(s.notebook in p and "header" in p for p in problems)
    assert any("README.md" in p and "out of date" in p for p in problems)


def test_readme_block_out_of_date(tree: Path) -> None:
    readme = tree / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("40 min", "45 min", 1), encoding="utf-8")
    _one_problem(tree, "README.md", "out of date")


def test_readme_without_markers(tree: Path) -> None:
    plain = "# The course\n\n" + outline.readme_outline(tree) + "\n"
    (tree / "README.md").write_text(plain, encoding="utf-8")
    _one_problem(tree, "README.md", outline.README_START)


def test_readme_missing(tree: Path) -> None:
    (tree / "README.md").unlink()
    _one_problem(tree, "README.md", "does not exist")


def test_needs_must_name_an_earlier_section(tree: Path) -> None:
    text = (tree / "course.yml").read_text(encoding="utf-8")
    (tree / "course.yml").write_text(text.replace('needs: ["01"]', 'needs: ["08"]', 1), encoding="utf-8")
    problems = outline.check(tree)
    assert any("needs 08" in p for p in problems), problems


def test_write_renumbers_an_exercise_header_found_by_its_title(tree: Path) -> None:
    """After sections are renumbered, an exercise source whose header still carries the old number
    (recognised by its title) gets the new number; a header of some other text is left alone."""
    _, sections = outline.load(tree)
    s, other = sections[1], sections[2]
    path = tree / s.exercise
    _set_header(path, f"# 99. {s.title}\n\nold badges")
    changed = outline.write(tree)
    assert changed == [f"{s.exercise}: header cell rewritten from course.yml"]
    assert _header(path) == outline.header_markdown(s, "exercise")
    assert _header(tree / other.exercise) == f"# Exercises {other.id}"


def test_write_repairs_headers_and_readme_only(tree: Path) -> None:
    s = _first(tree)
    path = tree / s.notebook
    _set_header(path, "# 01. An old title")
    before = path.read_text(encoding="utf-8")
    readme = tree / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace("40 min", "45 min", 1), encoding="utf-8")

    changed = outline.write(tree)
    assert sorted(changed) == sorted([
        f"{s.notebook}: header cell rewritten from course.yml",
        "README.md: outline block regenerated from course.yml",
    ])
    assert outline.check(tree) == []
    assert outline.write(tree) == []  # idempotent

    after = path.read_text(encoding="utf-8")
    old, new = json.loads(before), json.loads(after)
    assert "".join(new["cells"][0]["source"]) == outline.header_markdown(s)
    new["cells"][0]["source"] = old["cells"][0]["source"]
    assert new == old, "only the first cell's source may change"
    # The file keeps nbformat's layout: rewriting the header again by nbformat gives the same bytes.
    nbformat.write(nbformat.read(str(path), as_version=4), str(path))
    assert path.read_text(encoding="utf-8") == after
    assert "σ, η, ∂C/∂z, Wᵀ" in after  # not escaped to \u03c3

    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# The course\n\nIntro text.\n\n" + outline.README_START)
    assert text.endswith(outline.README_END + "\n\n## After\n\nMore text.\n")


def test_cli_check_and_write_exit_codes(tree: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("NNCOURSE_ROOT", str(tree))
    assert cli.main(["outline", "--check"]) == 0
    assert "outline OK" in capsys.readouterr().out

    s = _first(tree)
    _set_header(tree / s.notebook, "# stale")
    (tree / s.exercise).unlink()
    assert cli.main(["outline", "--check"]) == 1
    out = capsys.readouterr().out
    assert s.notebook in out and s.exercise in out and "2 problem(s)" in out

    assert cli.main(["outline", "--write"]) == 1  # the missing exercise can't be written
    out = capsys.readouterr().out
    assert f"changed {s.notebook}: header cell rewritten" in out
    assert "1 problem(s)" in out and s.exercise in out


def test_real_repository_is_in_step_with_course_yml() -> None:
    problems = outline.check(REPO)
    assert problems == [], "nncourse outline --check:\n" + "\n".join(problems)


def test_teaching_guide_timing_table_matches_course_yml() -> None:
    """docs/teaching.md lists every section with its course.yml title, minutes and needs."""
    text = (REPO / "docs" / "teaching.md").read_text(encoding="utf-8")
    _, sections = outline.load(REPO)
    rows = [line for line in text.splitlines() if re.match(r"\| \d\d \|", line)]
    assert len(rows) == len(sections), rows
    for s, row in zip(sections, rows, strict=True):
        needs = ", ".join(s.needs) or "—"
        assert row.startswith(f"| {s.id} | {s.title} | {s.minutes} min | {needs} |"), row
    total = sum(s.minutes for s in sections)
    assert f"about {total // 60} h {total % 60} min" in text


def test_readme_links_every_notebook_and_the_students_exercise_that_exist() -> None:
    """The outline's links resolve, and learners are sent to the student version, not the answers."""
    block = outline.readme_block(REPO)
    every = re.findall(r"\]\(([^)]+)\)", block)
    links = [link for link in every if not link.startswith("https://")]
    _, sections = outline.load(REPO)
    assert len(links) == 2 * len(sections)
    launch_links = [link for link in every if link.startswith("https://")]
    assert len(launch_links) == (4 if outline.HEADER_BADGES else 0)  # Binder and Colab: badge image and link
    assert all(sections[0].notebook in link for link in launch_links if "badge" not in link)
    for link in links:
        assert (REPO / link).is_file(), link
        assert not link.startswith("exercises/source/"), link
