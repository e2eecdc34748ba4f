"""Probe cells: what the grader appends to a submission to read its answers back as data.

One probe cell per question runs after the learner's cells, in the learner's
kernel. It calls the learner's function on every case (public and hidden),
or reads the variable, and prints one line: a random marker, then JSON data
(``wire.encode``). The probe decides nothing: the grader parses that line
and judges it in its own process. The probe's helpers are executed in a
private dict, so they never overwrite the learner's names.

Hidden cases come from the instructor's source notebook: the literal
argument of each ``grader.hidden_tests("qN", [...])`` call in a cell tagged
``hidden-tests``.
"""

from __future__ import annotations

import ast
import json
import secrets
from pathlib import Path

from . import markers, wire
from .spec import Question

MAX_LINE = 4_000_000  # characters of probe output accepted per question


def hidden_cases(source: str | Path) -> dict[str, list[dict]]:
    """``{question id: [case, ...]}`` from the hidden-test cells of a source notebook."""
    from ..course.notebooks import read

    found: dict[str, list[dict]] = {}
    for cell in read(source).cells:
        if cell.cell_type != "code" or not markers.is_hidden(cell):
            continue
        for node in ast.walk(ast.parse(cell.source)):
            func = getattr(node, "func", None)
            name = getattr(func, "attr", None) or getattr(func, "id", None)
            if isinstance(node, ast.Call) and name == "hidden_tests" and len(node.args) == 2:
                qid = ast.literal_eval(node.args[0])
                found.setdefault(qid, []).extend(ast.literal_eval(node.args[1]))
    return found


def all_cases(section: str, source: str | Path | None = None) -> dict[str, list[dict]]:
    """Each automatic question's cases: its public ones (from the bank), then its hidden ones
    (from the hidden-test cells of ``source``, by default the section's source notebook)."""
    from .release import source_path
    from .spec import bank

    hidden = hidden_cases(source if source is not None else source_path(section))
    return {q.id: list(q.cases) + hidden.get(q.id, []) for q in bank(section).values() if q.kind != "manual"}


def new_nonce() -> str:
    """A fresh random tag for the probe's output lines."""
    return secrets.token_hex(16)


def wire_source() -> str:
    """The code of the cell before the probes: the wire module, compiled once per notebook.

    Each probe runs it in a fresh namespace of its own (``exec``), so an answer called by one
    probe cannot change the functions the next probe uses to read its answer back.
    """
    src = Path(wire.__file__).read_text(encoding="utf-8")
    return (
        "# nncourse grader: the code the probes below use to read answers back (added by the grader)\n"
        f"_nncourse_wire = compile({src!r}, '<nncourse-wire>', 'exec')\n"
    )


def probe_source(q: Question, cases: list[dict], nonce: str) -> str:
    """The code of the probe cell for question ``q`` (it runs after :func:`wire_source`'s cell)."""
    payload = {
        "q": q.id,
        "name": q.name,
        "kind": q.kind,
        "cases": cases,
        "lists": list(q.lists),
        "functions": list(q.functions),
    }
    return (
        "# nncourse grader probe: reads the answer back as data (added by the grader)\n"
        "_nncourse_ns = {}\nexec(_nncourse_wire, _nncourse_ns)\n"
        f"_nncourse_p = _nncourse_ns['json'].loads({json.dumps(payload)!r})\n"
        "_nncourse_obj = globals().get(_nncourse_p['name'])\n"
        "_nncourse_out = _nncourse_ns['run_all'](_nncourse_obj, _nncourse_p['kind'], _nncourse_p['cases'], "
        "_nncourse_p['lists'], _nncourse_p['functions'])\n"
        f"print({wire.MARK + nonce!r} + _nncourse_ns['dumps']({{'q': _nncourse_p['q'], 'outcomes': _nncourse_out}}))\n"
        "del _nncourse_ns, _nncourse_p, _nncourse_obj, _nncourse_out\n"
    )


def read_outcomes(cell_outputs: list, qid: str, nonce: str, n_cases: int) -> list[dict] | None:
    """The outcomes printed by a probe cell, or None if there is no well-formed line for ``qid``."""
    tag = wire.MARK + nonce
    text = "".join(
        o.get("text", "") for o in cell_outputs if o.get("output_type") == "stream" and o.get("name") == "stdout"
    )
    for line in text.splitlines():
        if not line.startswith(tag) or len(line) > MAX_LINE:
            continue
        try:
            data = json.loads(line[len(tag) :])
        except Exception:  # ValueError, or RecursionError for absurd nesting
            return None
        outcomes = data.get("outcomes") if isinstance(data, dict) else None
        if data.get("q") != qid or not isinstance(outcomes, list) or len(outcomes) != n_cases:
            return None
        if not all(isinstance(o, dict) for o in outcomes):
            return None
        return outcomes
    return None
