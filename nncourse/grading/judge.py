"""Verdicts: compare a learner's outputs (plain data) with the reference, and name mistakes.

``evaluate(question, cases, outcomes)`` is the one place a verdict is made.
``check`` calls it in the learner's kernel with the public cases; the grader
calls it in its own process, with its own numpy, on data read back from the
kernel. The expected values and the known-wrong variants are computed here
from ``question.reference`` and ``question.mistakes``, never read from the
kernel.

Diagnosis order for a wrong answer: a question's own mistakes (its
known-wrong variants), then general ones: transposed or wrong shape, sign
flipped, summed over the batch instead of averaged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import wire
from .spec import Question

_VALIDATED: dict[tuple, tuple[bool, str]] = {}
SYMBOL = {"pass": "✔", "fail": "✘", "not_attempted": "…", "manual": "✎", "error": "✘"}


@dataclass
class Verdict:
    """The outcome of one question: ``status`` is pass, fail, not_attempted, manual or error."""

    question: str
    status: str
    passed: int
    total: int
    points: float
    max_points: float
    message: str
    diagnoses: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.question} {SYMBOL[self.status]} {self.message}"


# -- plain data -> comparable Python values ---------------------------------------


def to_py(data: Any) -> Any:
    """Encoded data (``wire.encode``) -> arrays, floats and lists."""
    if isinstance(data, dict):
        if "nd" in data:
            return np.array(to_py(data["nd"]), dtype=float).reshape(data.get("shape", -1))
        if "iter" in data:
            return [to_py(v) for v in data["iter"]]
        if "str" in data:
            return str(data["str"])
        if "dict" in data:
            return {k: to_py(v) for k, v in data["dict"].items()}
        return ("type", data.get("type", "?"))
    if isinstance(data, list):
        return [to_py(v) for v in data]
    if isinstance(data, str) and data in ("nan", "inf", "-inf"):
        return float(data)
    return data


def expected_output(fn, question: Question, case: dict) -> Any:
    """``fn(**case)`` (or ``fn()`` for a value question) passed through the wire, as a learner's would be."""
    lookup = getattr(fn, "lookup", None)  # public.Table: precomputed public expectations
    if lookup is not None:
        return to_py(lookup(case))
    args = wire.decode_args(case, question.lists, question.functions)
    return to_py(wire.encode(fn(**args)))


def _numeric(x: Any) -> np.ndarray | None:
    if isinstance(x, bool) or x is None or isinstance(x, (tuple, dict, str)):
        return None
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr if arr.dtype != object else None


def compare(expected: Any, got: Any, rtol: float, atol: float) -> str | None:
    """``None`` if ``got`` matches ``expected``, else a short reason."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}"
        for key in expected:
            reason = compare(expected[key], got[key], rtol, atol)
            if reason:
                return f"[{key!r}]: {reason}"
        return None
    if isinstance(expected, bool) or expected is None:
        return None if got == expected and type(got) is type(expected) else f"expected {expected}, got {got!r}"
    exp_arr = _numeric(expected)
    if exp_arr is not None and not (isinstance(expected, list) and exp_arr.ndim and _ragged(expected)):
        got_arr = _numeric(got)
        if got_arr is None:
            return f"expected numbers of shape {exp_arr.shape}, got {_describe(got)}"
        if got_arr.shape != exp_arr.shape:
            return f"expected shape {exp_arr.shape}, got shape {got_arr.shape}"
        # nan matches nan, so a known mistake that yields nan (an overflow) can be named
        if not np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=True):
            bad = np.argwhere(~np.isclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=True)).tolist()
            where = f" at index {tuple(bad[0])}" if exp_arr.ndim else ""
            e = exp_arr[tuple(bad[0])] if exp_arr.ndim else exp_arr
            g = got_arr[tuple(bad[0])] if exp_arr.ndim else got_arr
            return f"wrong value{where}: expected {float(e):.6g}, got {float(g):.6g}"
        return None
    if isinstance(expected, list):
        if not isinstance(got, list):
            return f"expected a sequence of {len(expected)} items, got {_describe(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} items, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol)
            if reason:
                return f"item {i}: {reason}"
        return None
    return None if got == expected else f"expected {expected!r}, got {got!r}"


def _ragged(items: list) -> bool:
    shapes = {np.shape(v) for v in items if not isinstance(v, dict)}
    return len(shapes) > 1 or any(isinstance(v, (list, dict)) and _numeric(v) is None for v in items)


def _describe(x: Any) -> str:
    if isinstance(x, tuple) and x[:1] == ("type",):
        return f"an object of type {x[1]}"
    if x is None:
        return "None (did you forget to return?)"
    return type(x).__name__


# -- general diagnoses --------------------------------------------------------


def _map_arrays(x: Any, f) -> Any:
    if isinstance(x, list):
        return [_map_arrays(v, f) for v in x]
    if isinstance(x, dict):
        return {k: _map_arrays(v, f) for k, v in x.items()}
    arr = _numeric(x)
    return f(arr) if arr is not None else x


def _nonzero(x: Any) -> bool:
    found = []
    _map_arrays(x, lambda a: found.append(bool(np.any(np.abs(a) > 1e-12))) or a)
    return any(found)


def general_diagnosis(q: Question, case: dict, expected: Any, got: Any) -> tuple[str, str] | None:
    """(name, fix) of a general mistake that explains ``got``, if any."""
    close = lambda e, g: compare(e, g, q.rtol, max(q.atol, 1e-9)) is None  # noqa: E731
    if _transposed(expected, got):
        return (
            "transpose missing or shape wrong",
            "an array has its rows and columns swapped: W is (n_out, n_in), a batch is (batch, n)",
        )
    if _nonzero(expected) and close(_map_arrays(expected, lambda a: -a), got):
        return ("sign error", "your answer has the right size but the opposite sign")
    if q.batch_arg and q.batch_arg in case:
        n = len(case[q.batch_arg])
        if n > 1 and _nonzero(expected) and close(_map_arrays(expected, lambda a: n * a), got):
            return (
                "summing instead of averaging over the batch",
                f"your answer is {n}× too large for a batch of {n}: divide by the batch size",
            )
    shape = _shape_difference(expected, got)
    if shape:
        return ("shape wrong", shape)
    return None


def _transposed(expected: Any, got: Any) -> bool:
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        return any(_transposed(e, g) for e, g in zip(expected, got))
    e, g = _numeric(expected), _numeric(got)
    return e is not None and g is not None and e.ndim == 2 and e.shape != g.shape and g.shape == e.shape[::-1]


def _shape_difference(expected: Any, got: Any) -> str | None:
    e, g = _numeric(expected), _numeric(got)
    if e is not None and g is not None and e.shape != g.shape:
        return f"expected shape {e.shape}, got {g.shape}"
    if isinstance(expected, list) and isinstance(got, list) and len(expected) == len(got):
        for i, (a, b) in enumerate(zip(expected, got)):
            diff = _shape_difference(a, b)
            if diff:
                return f"item {i}: {diff}"
    return None


def error_diagnosis(error: str) -> str:
    """A hint for an exception raised by the learner's code."""
    low = error.lower()
    if "matmul" in low or "shapes" in low and "align" in low or "broadcast" in low:
        return (
            " — a shape problem: check each array's shape (W is (n_out, n_in), "
            "a batch is (batch, n)); a transpose may be missing"
        )
    if error.startswith("SystemExit") or error.startswith("KeyboardInterrupt"):
        return " — your code stopped the program; remove the exit"
    if error.startswith("NameError"):
        return " — a name is not defined: run the cells above first"
    return ""


# -- verdicts -----------------------------------------------------------------


def judge_case(q: Question, case: dict, outcome: dict) -> tuple[str, str, str | None]:
    """One case: (status, message, diagnosis); status is pass, wrong, not_attempted, missing
    or error, and diagnosis the name of the mistake recognised, if any."""
    if outcome.get("missing"):
        return "missing", f"`{q.name}` is not defined yet: run the cell where you write it", None
    if outcome.get("not_attempted"):
        return "not_attempted", "not attempted yet", None
    if "error" in outcome:
        error = outcome["error"]
        if error.startswith("CopiedAnswer: "):
            return "error", error[len("CopiedAnswer: ") :].replace("this is", "the answer is", 1), None
        short = error if len(error) <= 120 else error[:117] + "..."
        return "error", f"your code raised {short}{error_diagnosis(error)}", None
    got = to_py(outcome.get("value"))
    if q.validate is not None:
        key = (q.validate, json.dumps(outcome.get("value"), sort_keys=True))
        if key not in _VALIDATED:  # a validator may train a network: same answer, same verdict
            _VALIDATED[key] = q.validate(got)
        ok, message = _VALIDATED[key]
        return ("pass" if ok else "wrong"), message, None
    try:
        expected = expected_output(q.reference, q, case)
    except KeyError:  # public expectations only (grading sandbox): a hidden case is judged by the grader
        if not hasattr(q.reference, "lookup"):
            raise
        return "error", "this case is checked when your notebook is graded", None
    reason = compare(expected, got, q.rtol, q.atol)
    if reason is None:
        return "pass", "correct", None
    for mistake in q.mistakes:
        try:
            variant = expected_output(mistake.fn, q, case)
        except Exception:  # a variant may not apply to every case
            continue
        if compare(variant, got, q.rtol, q.atol) is None and compare(variant, expected, q.rtol, q.atol):
            return "wrong", f"{mistake.name}: {mistake.fix}", mistake.name
    general = general_diagnosis(q, case, expected, got)
    if general:
        return "wrong", f"{general[0]}: {general[1]}", general[0]
    return "wrong", reason, None


def evaluate(q: Question, cases: list[dict], outcomes: list[dict], label: str = "tests") -> Verdict:
    """The verdict for question ``q`` from one outcome per case (see ``wire.run_case``)."""
    if q.kind == "manual":
        return Verdict(q.id, "manual", 0, 0, 0.0, q.points, "marked by your instructor (no automatic check)")
    if len(outcomes) != len(cases):
        return Verdict(q.id, "error", 0, len(cases), 0.0, q.points, "no result came back for this question")
    results = [judge_case(q, c, o) for c, o in zip(cases, outcomes)]
    passed = sum(r[0] == "pass" for r in results)
    total = len(results)
    points = round(q.points * passed / total, 2) if total else 0.0
    statuses = {r[0] for r in results}
    if statuses <= {"not_attempted", "missing"}:
        message = results[0][1]
        if message == "not attempted yet" and q.kind == "function":
            message += f": replace the `raise NotImplementedError` in `{q.name}` with your code and run it"
        elif message == "not attempted yet":
            message += f": give `{q.name}` a value and run its cell"
        return Verdict(q.id, "not_attempted", 0, total, 0.0, q.points, message)
    if passed == total:
        message = (
            results[0][1]
            if q.validate
            else (f"correct on all {total} {label}" if total > 1 else f"correct on the {label[:-1]}")
        )
        return Verdict(q.id, "pass", passed, total, points, q.points, message)
    failing = [(i, r) for i, r in enumerate(results) if r[0] != "pass"]
    # Report a named mistake if one was recognised, else the first failing case.
    index, (status, message, _) = next(((i, r) for i, r in failing if r[2]), failing[0])
    where = f" (case {index + 1} of {total})" if total > 1 else ""
    diagnoses = sorted({d for _, _, d in results if d})
    return Verdict(
        q.id,
        "error" if all(r[0] == "error" for _, r in failing) else "fail",
        passed,
        total,
        points,
        q.points,
        f"{message}{where}; {passed}/{total} {label} passed",
        diagnoses,
    )
