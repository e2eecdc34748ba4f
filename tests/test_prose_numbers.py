"""Every decimal number a notebook states in its prose is backed by the notebook's own code.

A number in a markdown cell (one with a decimal point or an exponent: 0.184981, 2.5, 1e-10)
must appear in that notebook's committed outputs or code, either as written or as the rounding
of a printed number to the digits the prose gives (7.389056 backs "7.39"). When a formula or a
seed changes, the outputs change on re-execution, and this test names every sentence that
still quotes the old value. Integers are left out: they are mostly section numbers and counts.

In an exercise notebook the questions state givens (data, targets, thresholds); what is
checked there is the model answers between BEGIN SOLUTION and END SOLUTION, which may also
quote the givens.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(
    str(p.relative_to(ROOT)) for folder in ("notebooks", "exercises/source") for p in (ROOT / folder).glob("*.ipynb")
)
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d+(?:e[-−+]?\d+)?|\d+e[-−+]?\d+)(?![\w.]*\d)")
SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)  # LaTeX formulas hold symbols' coefficients, not results


def backs(prose: str, printed: str) -> bool:
    """Does the printed number (as the code wrote it) back the number in the prose?"""
    if prose == printed:
        return True
    p, q = float(prose), float(printed)
    if "e" in prose:  # 1.4e-06 in the prose: the same value to the prose's significant digits
        mantissa = prose.split("e")[0]
        digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return f"{q:.{digits}e}" == f"{p:.{digits}e}"
    digits = len(prose.split(".")[1])
    if "e" not in printed and len(printed.split(".")[1]) < digits:
        return False  # "0.50" in the prose claims a digit that "0.5" does not show
    return f"{q:.{digits}f}" == prose


def unbacked_numbers(path: Path, solutions_only: bool = False) -> list[str]:
    """Numbers in the prose (or, with ``solutions_only``, in the model answers) that nothing backs."""
    nb = nbformat.read(path, as_version=4)
    haystack, prose = [], []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            answers = SOLUTION.findall(cell.source) if solutions_only else [cell.source]
            prose += [(index, text) for text in answers]
            if solutions_only:
                haystack.append(SOLUTION.sub(" ", cell.source))  # the givens of the questions
            continue
        haystack.append(cell.source)
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                haystack.append(out.text)
            for kind in ("text/plain", "text/html", "text/markdown", "text/latex"):
                haystack.append(out.get("data", {}).get(kind, ""))
    printed = {n.replace("−", "-") for n in NUMBER.findall("\n".join(haystack))}
    problems = []
    for index, text in prose:
        for number in NUMBER.findall(MATH.sub(" ", text)):
            number = number.replace("−", "-")
            if not any(backs(number, p) for p in printed):
                problems.append(f"cell {index}: {number}")
    return problems


def test_backs_reads_rounding_the_way_a_reader_would():
    assert backs("7.39", "7.389056") and backs("0.34", "0.340") and backs("0.184981", "0.184981")
    assert not backs("7.38", "7.389056") and not backs("0.50", "0.5") and not backs("10.711", "9.522")
    assert backs("1.4e-06", "1.4089e-06") and not backs("1.5e-06", "1.4089e-06")


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_prose_numbers_come_from_executed_code(notebook):
    problems = unbacked_numbers(ROOT / notebook, solutions_only=notebook.startswith("exercises/"))
    assert problems == [], f"{notebook}: numbers in the prose that no output or code gives: {problems}"
