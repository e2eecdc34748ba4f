"""Every course notebook runs from a fresh kernel with nbclient: no error output, no warning.

A cell over 10 s or a kernel over 1 GB of memory is reported as a pytest warning, not a failure:
how long a cell takes depends on the machine and its load, not only on the notebook.
benchmarks/course_run.py measures both and fails (exit status 1) when a limit is exceeded."""

import warnings
from pathlib import Path

import nbformat
import pytest

from nncourse.course import notebooks, outline

ROOT = Path(__file__).resolve().parent.parent
_, SECTIONS = outline.load(ROOT)
NOTEBOOKS = [s.notebook for s in SECTIONS if (ROOT / s.notebook).exists()]
MAX_PEAK_MB = 1024  # the course's limit on one kernel's memory, as in benchmarks/course_run.py


@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_runs_cleanly(notebook):
    report = notebooks.execute(ROOT / notebook)
    assert report.errors == [], report.errors
    slow = [(i, round(s, 1)) for i, s in enumerate(report.cell_seconds) if s > notebooks.MAX_CELL_SECONDS]
    if slow:
        warnings.warn(f"{notebook}: code cells (index, seconds) over {notebooks.MAX_CELL_SECONDS} s: {slow} "
                      "(measure with benchmarks/course_run.py)", stacklevel=1)
    if not report.peak_mb < MAX_PEAK_MB:
        warnings.warn(f"{notebook}: kernel peak memory {report.peak_mb:.0f} MB, the limit is {MAX_PEAK_MB} MB "
                      "(measure with benchmarks/course_run.py)", stacklevel=1)


def test_the_runner_reports_errors_and_keeps_deliberate_ones(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("raise ValueError('on purpose')", metadata={"tags": ["raises-exception"]}),
        nbformat.v4.new_code_cell("import warnings; warnings.warn('careful')"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, str(path))
    report = notebooks.execute(path)
    assert len(report.errors) == 2
    assert report.errors[0].startswith("cell 0: ZeroDivisionError")
    assert "warning printed" in report.errors[1]
    assert 0 < report.peak_mb < 1024


def test_split_prints_are_saved_as_one_output(tmp_path):
    """How the kernel splits printed text depends on timing; the saved file must not."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    code = ("import sys\nfor i in range(3):\n    print(i, end='')\n    sys.stdout.flush()\n"
            "print()\nprint('e', file=sys.stderr)")
    nb.cells = [nbformat.v4.new_code_cell(code)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "prints.ipynb"
    nbformat.write(nb, str(path))
    notebooks.execute(path, write=True)
    outputs = nbformat.read(str(path), as_version=4).cells[0].outputs
    assert [(o.name, o.text) for o in outputs] == [("stdout", "012\n"), ("stderr", "e\n")]


def test_a_corrupt_notebook_gets_a_clear_error(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(ValueError, match="broken.ipynb is not a readable Jupyter notebook"):
        notebooks.read(path)


ALL_NOTEBOOKS = sorted(
    str(p.relative_to(ROOT)) for folder in ("notebooks", "exercises") for p in (ROOT / folder).rglob("*.ipynb")
)


@pytest.mark.parametrize("notebook", ALL_NOTEBOOKS)
def test_every_nbval_marker_is_one_nbval_reads_and_says_why(notebook):
    """nbval honours `# NBVAL_IGNORE_OUTPUT` only on a line of its own; the next line gives the reason."""
    for index, cell in enumerate(nbformat.read(ROOT / notebook, as_version=4).cells):
        lines = cell.source.splitlines() if cell.cell_type == "code" else []
        for i, line in enumerate(lines):
            if "NBVAL_" not in line:
                continue
            where = f"{notebook} cell {index}: {line!r}"
            assert line.strip() in ("# NBVAL_IGNORE_OUTPUT", "# NBVAL_RAISES_EXCEPTION"), where
            reason = lines[i + 1].strip() if i + 1 < len(lines) else ""
            assert reason.startswith("# (") and len(reason) > 12, f"{where}: give the reason on the next line"
