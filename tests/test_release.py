"""Releasing student versions: stubs, hidden tests removed, up to date, idempotent, backups."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nncourse.course import outline
from nncourse.course.notebooks import read
from nncourse.grading import markers, release
from nncourse.grading.probe import hidden_cases
from nncourse.grading.spec import bank

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [s.id for s in outline.load()[1]]


def test_strip_solutions_keeps_indentation_and_stub():
    src = "def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n\n### BEGIN SOLUTION\nlr = 0.1\n"
    src += "### END SOLUTION\n### STUB lr = None  # your value\nprint(lr)"
    out = markers.strip_solutions(src)
    assert out == (
        'def f(x):\n    raise NotImplementedError("write your code here")\n\nlr = None  # your value\nprint(lr)'
    )
    assert markers.strip_solutions("A\n### BEGIN SOLUTION\nsecret\n### END SOLUTION", markdown=True) == (
        "A\n_Write your answer here._"
    )


@pytest.mark.parametrize(
    "bad", ["### BEGIN SOLUTION\nx = 1", "x = 1\n### END SOLUTION", "### BEGIN SOLUTION\n### BEGIN SOLUTION\n"]
)
def test_unbalanced_markers_are_refused(bad):
    with pytest.raises(ValueError):
        markers.strip_solutions(bad)


@pytest.mark.parametrize("section", SECTIONS)
def test_committed_student_version_is_up_to_date(section):
    assert release.up_to_date(section) == []


@pytest.mark.parametrize("section", SECTIONS)
def test_source_structure(section):
    """Header cell, one heading per question in order with its points, a check cell per
    automatic question, hidden tests for every function question, no solution in the student file."""
    sec = outline.section(section)
    source, student = read(ROOT / sec.exercise), read(ROOT / "exercises" / "student" / Path(sec.exercise).name)
    assert source.cells[0].source == outline.header_markdown(sec, "exercise")
    assert student.cells[0].source == outline.header_markdown(sec, "exercise")
    questions = bank(section)
    headings = [c.source.splitlines()[0] for c in source.cells if c.metadata.get("nncourse", {}).get("points")]
    assert headings == [
        f"### {q.id.upper()}. {q.title} ({q.points:g} point{'' if q.points == 1 else 's'})"
        + (" ✎" if q.kind == "manual" else "")
        for q in questions.values()
    ]
    text = "\n".join(c.source for c in source.cells)
    for q in questions.values():
        if q.kind != "manual":
            assert f'check("{q.id}")' in text
    hidden = hidden_cases(ROOT / sec.exercise)
    assert {q.id for q in questions.values() if q.kind == "function"} == set(hidden)
    student_text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in student_text and "hidden_tests" not in student_text
    student_code = "\n".join(c.source for c in student.cells if c.cell_type == "code")
    for cell in source.cells:  # the solution lines themselves are gone from the code
        match = re.search(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
        if match:
            for line in match.group(1).strip().splitlines():
                if len(line.strip()) > 25:
                    assert line.strip() not in student_code, line
    assert student.metadata["nncourse"] == {"section": section, "version": "student"}
    for cell in student.cells:  # executed: only "not attempted yet" verdicts, never an error
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error"
            assert "✔" not in out.get("text", "")


def test_release_is_idempotent_and_keeps_backups(tmp_path, capsys):
    first = release.release("04", tmp_path, execute=False)
    assert first.action == "written"
    target = tmp_path / "04_neuron_forward_pass.ipynb"
    data = target.read_bytes()
    again = release.release("04", tmp_path, execute=False)
    assert again.action == "unchanged" and target.read_bytes() == data
    assert list(tmp_path.glob("*.backup-*")) == []

    edited = data.replace(b"raise NotImplementedError", b"return 42  # my answer")
    target.write_bytes(edited)
    third = release.release("04", tmp_path, execute=False)
    assert third.action == "backed-up" and third.backup is not None
    assert third.backup.read_bytes() == edited and target.read_bytes() == data
    assert "your edited copy was kept as" in str(third)
    manifest = json.loads((tmp_path / release.MANIFEST).read_text())
    assert manifest[target.name] == release.sha256(data)


def test_the_manifest_forgets_student_files_that_are_gone(tmp_path):
    """After sections are renumbered, the old names' hashes would make a stale, misleading record."""
    (tmp_path / release.MANIFEST).write_text(json.dumps({"07_old_name.ipynb": "0" * 64}))
    release.release("04", tmp_path, execute=False)
    manifest = json.loads((tmp_path / release.MANIFEST).read_text())
    assert list(manifest) == ["04_neuron_forward_pass.ipynb"]


def test_release_backs_up_a_foreign_file_of_the_same_name(tmp_path):
    (tmp_path / "02_partial_derivatives.ipynb").write_text("a learner's own notebook")
    result = release.release("02", tmp_path, execute=False)
    assert result.action == "backed-up" and result.backup.read_text() == "a learner's own notebook"


def test_up_to_date_notices_a_hand_edit(tmp_path):
    release.release("05", tmp_path, execute=False)
    path = tmp_path / "05_cost_functions.ipynb"
    nb = json.loads(path.read_text())
    nb["cells"][3]["source"] = "print('edited')"
    path.write_text(json.dumps(nb))
    problems = release.up_to_date("05", tmp_path)
    assert any("differs from the source" in p for p in problems)
    assert any("edited after release" in p for p in problems)


@pytest.mark.slow
def test_cli_release_into_any_folder_runs_cleanly(tmp_path):
    out = tmp_path / "my course copy"
    proc = subprocess.run(
        [sys.executable, "-m", "nncourse.course.cli", "release", "01", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "written" in proc.stdout
    committed = ROOT / "exercises" / "student" / "01_derivatives.ipynb"
    assert (out / "01_derivatives.ipynb").read_bytes() == committed.read_bytes()  # deterministic
    proc = subprocess.run(
        [sys.executable, "-m", "nncourse.course.cli", "release", "01", "-o", str(out)], capture_output=True, text=True
    )
    assert "unchanged" in proc.stdout


def test_cli_release_needs_a_section_or_all():
    proc = subprocess.run([sys.executable, "-m", "nncourse.course.cli", "release"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--all" in proc.stderr


def test_all_cases_are_the_public_ones_then_the_hidden_ones():
    from nncourse.grading.probe import all_cases

    hidden = hidden_cases(ROOT / "exercises" / "source" / "06_worked_example.ipynb")
    cases = all_cases("06")
    assert set(cases) == {q.id for q in bank("06").values() if q.kind != "manual"}
    for q in bank("06").values():
        if q.kind != "manual":
            assert cases[q.id] == list(q.cases) + hidden.get(q.id, [])
            assert len(cases[q.id]) > len(q.cases)  # every automatic 06 question has hidden cases
