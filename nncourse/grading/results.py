"""What a grading run keeps besides the gradebook, and how ``--only`` puts one regraded row back.

``<gradebook stem>_details.json`` holds, for each submission, what the exports and the class
summary need: its total, status, points per question, the mistakes recognised per question
(names only) and whether each question got full marks. No test input, expected value or
learner text beyond the file name is stored. ``--only`` replaces one submission's entry.

``merge_row(gradebook, fresh)`` puts the single row of the gradebook ``fresh`` (written by a
``--only`` run) into ``gradebook``: it replaces the line of the same submission (or inserts it
in order), leaves every other line byte for byte as it was, and writes atomically.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .details import QuestionResult
from .export import write_text
from .grade import Row
from .spec import Question

VERSION = 1


def details_path(gradebook: Path) -> Path:
    return gradebook.with_name(f"{gradebook.stem}_details.json")


def entry(row: Row, results: list[QuestionResult]) -> dict:
    """The details entry of one submission."""
    return {
        "total": row.total,
        "max": row.max_points,
        "status": row.status,
        "points": dict(row.points),
        "mistakes": {q.id: q.mistakes for q in results if q.mistakes},
        "full": {q.id: q.full_marks for q in results if q.kind != "manual"},
    }


def new_details(section: str, title: str, questions: list[Question]) -> dict:
    """An empty details record for ``section``."""
    return {
        "version": VERSION,
        "section": section,
        "title": title,
        "questions": [{"id": q.id, "title": q.title, "points": q.points, "kind": q.kind} for q in questions],
        "submissions": {},
    }


def load_details(gradebook: Path, section: str) -> dict:
    """The details record next to ``gradebook`` (for ``--only``); a clear error if missing or for another section."""
    path = details_path(gradebook)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise FileNotFoundError(
            f"--only needs {path} from an earlier full run ({type(err).__name__}); grade the whole folder first"
        ) from err
    if data.get("section") != section or data.get("version") != VERSION:
        raise ValueError(f"{path} is for section {data.get('section')!r}, not {section}: grade the whole folder")
    return data


def save_details(gradebook: Path, data: dict) -> Path:
    data["submissions"] = dict(sorted(data["submissions"].items()))
    return write_text(details_path(gradebook), json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def _first_field(line: str) -> str:
    return next(csv.reader(io.StringIO(line)), [""])[0]


def merge_row(gradebook: Path, fresh: Path) -> str:
    """Put the one data row of ``fresh`` into ``gradebook`` (see the module docstring); return its submission."""
    old = gradebook.read_text(encoding="utf-8").splitlines(keepends=True)
    new = fresh.read_text(encoding="utf-8").splitlines(keepends=True)
    if len(new) != 2:
        raise RuntimeError(f"expected one graded row in {fresh}, found {len(new) - 1}")
    if not old or old[0] != new[0]:
        raise ValueError(
            f"{gradebook} has other columns than this section's questions now; grade the whole folder again"
        )
    if len(list(csv.reader(io.StringIO("".join(old))))) != len(old):
        raise ValueError(f"{gradebook} has a row over several lines (edited by hand?); grade the whole folder again")
    name = _first_field(new[1])
    body = old[1:]
    keys = [_first_field(line) for line in body]
    if name in keys:
        body[keys.index(name)] = new[1]
    else:
        body.insert(sum(k < name for k in keys), new[1])
    write_text(gradebook, old[0] + "".join(body))
    return name
