"""Solution markers in a source notebook, and the stubs that replace them.

In a code cell::

    def sgd_step(w, g, lr):
        ### BEGIN SOLUTION
        return w - lr * g
        ### END SOLUTION

becomes ``raise NotImplementedError("write your code here")`` at the
marker's indentation. A line ``### STUB <code>`` right after the END marker
gives another stub (e.g. ``### STUB lr = None``, for a value the learner
sets). In a markdown cell the region becomes ``_Write your answer here._``.
Cells tagged ``hidden-tests`` are removed from the student version. Grading reads the
learner's written answers back with :func:`written_answers`.
"""

from __future__ import annotations

BEGIN, END, STUB = "### BEGIN SOLUTION", "### END SOLUTION", "### STUB"
HIDDEN_TAG = "hidden-tests"
DEFAULT_STUB = 'raise NotImplementedError("write your code here")'
MARKDOWN_STUB = "_Write your answer here._"


def strip_solutions(source: str, markdown: bool = False) -> str:
    """``source`` with every marked solution region replaced by its stub."""
    lines = source.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith(BEGIN):
            indent = line[: len(line) - len(line.lstrip())]
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(END):
                if lines[j].strip().startswith(BEGIN):
                    raise ValueError(f"Nested {BEGIN!r} at line {j + 1}.")
                j += 1
            if j == len(lines):
                raise ValueError(f"{BEGIN!r} at line {i + 1} has no matching {END!r}.")
            stub = MARKDOWN_STUB if markdown else DEFAULT_STUB
            if j + 1 < len(lines) and lines[j + 1].strip().startswith(STUB):
                stub = lines[j + 1].strip()[len(STUB) :].strip()
                j += 1
            out.append(indent + stub)
            i = j + 1
            continue
        if line.strip().startswith((END, STUB)):
            raise ValueError(f"{line.strip()!r} at line {i + 1} has no {BEGIN!r} before it.")
        out.append(line)
        i += 1
    return "\n".join(out)


def has_markers(source: str) -> bool:
    """True if any solution marker is left in ``source``."""
    return any(m in source for m in (BEGIN, END, STUB))


def is_hidden(cell) -> bool:
    """True for a cell that holds hidden tests (tag ``hidden-tests``)."""
    return HIDDEN_TAG in cell.get("metadata", {}).get("tags", [])


def written_answers(cells: list) -> dict[str, str]:
    """Each written answer by question id: the markdown cell marked as its answer, or else
    (if a learner replaced that cell) the first markdown cell after the question's heading."""
    answers: dict[str, str] = {}
    heading: str | None = None
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        meta = cell.get("metadata", {}).get("nncourse", {})
        if meta.get("role") == "answer":
            answers[str(meta.get("question"))] = str(cell.get("source", ""))
            heading = None
        elif "points" in meta:
            heading = str(meta.get("question"))
        elif heading is not None:
            answers.setdefault(heading, str(cell.get("source", "")))
            heading = None
    return answers
