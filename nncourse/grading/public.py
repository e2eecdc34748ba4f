"""A section's PUBLIC question data, as plain JSON: what ``check()`` needs, and nothing secret.

Inside the grading sandbox the question banks (``questions/sNN.py``: reference
code, mistakes' code) are hidden, so a kernel cannot import the answers. The
grader writes ``export(section)`` to a read-only file there instead, and
``spec.bank`` rebuilds the questions from it (``load``): for each public case the
reference's output and each known mistake's output, already encoded
(``wire.encode``). ``check()`` compares with them but never prints them;
hidden cases, reference code, validators and the answers of value questions never
leave the grader.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import wire
from .spec import Mistake, Question

GRADED_ELSEWHERE = "checked when your notebook is graded (no public check here)"


def case_key(case: dict) -> str:
    """A stable text key for a test case (its JSON)."""
    return json.dumps(case, sort_keys=True, default=str)


class Table:
    """A stand-in for a reference function: the encoded output for each known case."""

    def __init__(self, outputs: dict[str, Any]):
        self.outputs = outputs

    def lookup(self, case: dict) -> Any:
        key = case_key(case)
        if key not in self.outputs or self.outputs[key] is None:
            raise KeyError("no public expectation for this case")
        return self.outputs[key]

    def __call__(self, **kwargs: Any) -> Any:  # never called by judge (it uses lookup)
        raise RuntimeError("public expectations are looked up by case, not computed")


def _encoded(fn, q: Question, case: dict) -> Any:
    try:
        return wire.encode(fn(**wire.decode_args(case, q.lists, q.functions)))
    except Exception:
        return None


def export(section: str) -> dict:
    """The public data of every question of ``section`` (JSON-safe)."""
    from .spec import bank

    out = []
    for q in bank(section).values():
        item = {
            "id": q.id,
            "points": q.points,
            "title": q.title,
            "kind": q.kind,
            "name": q.name,
            "cases": list(q.cases),
            "hints": list(q.hints),
            "lists": list(q.lists),
            "functions": list(q.functions),
            "batch_arg": q.batch_arg,
            "rtol": q.rtol,
            "atol": q.atol,
            "sig_figs": q.sig_figs,
            "expected": None,
            "also_correct": [],
            "mistakes": [],
        }
        # A value question's one public case IS its answer (and its mistakes' outputs are the
        # answer transformed), so none of it leaves the grader: it is checked at grading only.
        if q.kind == "function" and q.validate is None and q.reference is not None:
            item["expected"] = {case_key(c): _encoded(q.reference, q, c) for c in q.cases}
            item["also_correct"] = [{case_key(c): _encoded(fn, q, c) for c in q.cases} for fn in q.also_correct]
            item["mistakes"] = [
                {"name": m.name, "fix": m.fix, "outputs": {case_key(c): _encoded(m.fn, q, c) for c in q.cases}}
                for m in q.mistakes
            ]
        out.append(item)
    return {"section": section, "questions": out}


def write(section: str, path: Path) -> Path:
    """Write ``export(section)`` to ``path``; returns ``path``."""
    path.write_text(wire.dumps(export(section)), encoding="utf-8")
    return path


def _graded_elsewhere(value: Any) -> tuple[bool, str]:
    return False, GRADED_ELSEWHERE


def load(data: dict) -> dict[str, Question]:
    """Questions rebuilt from ``export`` data: references are lookup tables."""
    questions = {}
    for item in data["questions"]:
        common = {
            "kind": item["kind"],
            "name": item["name"],
            "cases": tuple(item["cases"]),
            "hints": tuple(item["hints"]),
            "lists": tuple(item["lists"]),
            "functions": tuple(item["functions"]),
            "batch_arg": item["batch_arg"],
            "rtol": item["rtol"],
            "atol": item["atol"],
            "sig_figs": item.get("sig_figs"),
        }
        if item["kind"] == "manual":
            q = Question(item["id"], item["points"], item["title"], **common)
        elif item["expected"] is None:
            q = Question(item["id"], item["points"], item["title"], validate=_graded_elsewhere, **common)
        else:
            mistakes = tuple(Mistake(m["name"], m["fix"], Table(m["outputs"])) for m in item["mistakes"])
            reference = Table(item["expected"])
            also = tuple(Table(outputs) for outputs in item.get("also_correct", []))
            q = Question(
                item["id"],
                item["points"],
                item["title"],
                reference=reference,
                mistakes=mistakes,
                also_correct=also,
                **common,
            )
        questions[q.id] = q
    return questions
