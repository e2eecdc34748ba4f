"""Verdicts: compare a learner's outputs (plain data) with the reference, and name mistakes.

``evaluate(question, cases, outcomes)`` is the one place a verdict is made.
``check`` calls it in the learner's kernel with the public cases; the grader
calls it in its own process, with its own numpy, on data read back from the
kernel. The expected values and the known-wrong variants are computed here
from ``question.reference`` and ``question.mistakes``, never read from the
kernel.

An answer that matches the reference (or an ``also_correct`` answer) passes,
whatever else it matches. Diagnosis order for a wrong answer: a question's own
mistakes (its known-wrong variants, named only where they differ from every
correct answer, and only if the answer matches the variant on every case: a
mistake is a consistent slip, see ``_consistent``), then general ones: transposed or wrong shape, sign flipped,
summed over the batch instead of averaged, a factor 2 or ½, a power of 10, a
reciprocal, a constant factor; else how close it is ("agrees to 2 significant
figures; the question asks for 4", "rounded too early").

No message ever contains the expected value: only its form (shape, length,
dict keys) and how the learner's answer relates to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from . import wire
from .spec import Question

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


@lru_cache(maxsize=256)  # bounded: a long grading run keeps only the most recent verdicts
def _validated(validate, answer_json: str) -> tuple[bool, str]:
    """``validate``'s verdict on an answer, given as JSON text (so that it can be a cache key)."""
    return validate(to_py(json.loads(answer_json)))


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


def sig_fig_unit(expected: np.ndarray, n: int) -> np.ndarray:
    """One unit in the n-th significant figure of each (nonzero) entry: 7.389056, n = 4 -> 0.001."""
    mag = np.abs(np.asarray(expected, dtype=float))
    with np.errstate(divide="ignore"):
        exponent = np.floor(np.log10(np.where(mag > 0, mag, 1.0)))
    return 10.0 ** (exponent - n + 1)


def _within(exp_arr: np.ndarray, got_arr: np.ndarray, rtol: float, atol: float, sig_figs: int | None) -> np.ndarray:
    """Elementwise: ``got`` is ``expected`` within rtol/atol, or within one unit of its
    ``sig_figs``-th significant figure (nan matches nan, so a mistake that overflows can be named)."""
    ok = np.isclose(got_arr, exp_arr, rtol=rtol, atol=atol, equal_nan=True)
    if sig_figs:
        with np.errstate(invalid="ignore"):
            ok |= np.abs(got_arr - exp_arr) <= sig_fig_unit(exp_arr, sig_figs) * (1 + 1e-9)
    return ok


def same_name(expected: str, got: Any) -> bool:
    """Names match in any case and with any surrounding spaces: " Sigmoid" is "sigmoid"."""
    return isinstance(got, str) and " ".join(got.split()).casefold() == " ".join(expected.split()).casefold()


def compare(expected: Any, got: Any, rtol: float, atol: float, sig_figs: int | None = None) -> str | None:
    """``None`` if ``got`` matches ``expected``, else a short reason that never shows ``expected``
    (shapes, lengths and dict keys are stated: they say what form the answer takes, not what it is).

    Equivalent forms match: lists, tuples and arrays (all arrive as lists or arrays), any numeric
    type, a one-element array for a number, names in any case with surrounding spaces."""
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got {_describe(got, keys=True)}"
        for key in expected:
            reason = compare(expected[key], got[key], rtol, atol, sig_figs)
            if reason:
                return f"[{key!r}]: {reason}"
        return None
    if isinstance(expected, bool):
        if isinstance(got, bool):
            return None if got == expected else "not the right answer (True or False: think it through again)"
        return f"expected True or False, got {_describe(got)}"
    if expected is None:
        return None if got is None else f"wrong: got {_describe(got)}"
    exp_arr = _numeric(expected)
    if exp_arr is not None and not (isinstance(expected, list) and exp_arr.ndim and _ragged(expected)):
        got_arr = _numeric(got)
        if got_arr is None:
            return f"expected numbers of shape {exp_arr.shape}, got {_describe(got)}"
        if exp_arr.ndim == 0 and got_arr.size == 1:
            got_arr = got_arr.reshape(())  # a number given as a one-element array
        if got_arr.shape != exp_arr.shape:
            return f"expected shape {exp_arr.shape}, got shape {got_arr.shape}"
        ok = _within(exp_arr, got_arr, rtol, atol, sig_figs)
        if not np.all(ok):
            if not exp_arr.ndim:
                return "wrong value"
            bad = np.argwhere(~ok).tolist()
            return f"wrong value at index {tuple(bad[0])} ({len(bad)} of {exp_arr.size} entries wrong)"
        return None
    if isinstance(expected, list):
        if not isinstance(got, list):
            return f"expected a sequence of {len(expected)} items, got {_describe(got)}"
        if len(got) != len(expected):
            return f"expected {len(expected)} items, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol, sig_figs)
            if reason:
                return f"item {i}: {reason}"
        return None
    if isinstance(expected, str):
        if same_name(expected, got):
            return None
        return "not the right name" if isinstance(got, str) else f"expected a name (text), got {_describe(got)}"
    return None if got == expected else f"wrong: got {_describe(got)}"


def _ragged(items: list) -> bool:
    shapes = {np.shape(v) for v in items if not isinstance(v, dict)}
    return len(shapes) > 1 or any(isinstance(v, (list, dict)) and _numeric(v) is None for v in items)


def _describe(x: Any, keys: bool = False) -> str:
    """What kind of thing ``x`` is (never its value: it may be an expected value)."""
    if isinstance(x, tuple) and x[:1] == ("type",):
        return f"an object of type {x[1]}"
    if x is None:
        return "None (did you forget to return?)"
    if isinstance(x, dict):
        return f"a dict with keys {sorted(x)}" if keys else "a dict"
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape}"
    if isinstance(x, list):
        return f"a sequence of {len(x)} items"
    if isinstance(x, str):
        return "text"
    if isinstance(x, bool):
        return "True or False"
    if isinstance(x, (int, float)):
        return "a number"
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
    """(name, fix) of a general mistake that explains ``got``, if any: transposed, sign flipped,
    summed over the batch, a factor 2 or ½, a power of 10, upside down, a constant factor, a shape.
    The fix says what kind of slip it is, never the expected value."""
    sig_figs = getattr(q, "sig_figs", None)
    close = lambda e, g: compare(e, g, q.rtol, max(q.atol, 1e-9), sig_figs) is None  # noqa: E731
    scaled = lambda k: close(_map_arrays(expected, lambda a: k * a), got)  # noqa: E731
    if _transposed(expected, got):
        return (
            "transpose missing or shape wrong",
            "an array has its rows and columns swapped: W is (n_out, n_in), a batch is (batch, n)",
        )
    nonzero = _nonzero(expected)
    if nonzero and scaled(-1):
        return ("sign error", "your answer has the right size but the opposite sign")
    if q.batch_arg and q.batch_arg in case:
        n = len(case[q.batch_arg])
        if n > 1 and nonzero and scaled(n):
            return (
                "summing instead of averaging over the batch",
                f"your answer is {n}× too large for a batch of {n}: divide by the batch size",
            )
        if n > 1 and nonzero and scaled(1 / n):
            return (
                "divided by the batch size once too often",
                f"your answer is {n}× too small for a batch of {n}: average once, not twice",
            )
    if nonzero and scaled(2):
        return (
            "a factor of 2 too large",
            "your answer is exactly twice the right one: a ½ left out, or a 2 counted twice?",
        )
    if nonzero and scaled(0.5):
        return (
            "a factor of 2 too small",
            "your answer is exactly half the right one: a factor 2 left out (the power rule brings the exponent "
            "down), or an extra ½?",
        )
    for k in (1, 2, 3):
        for factor, word in ((10.0**k, "large"), (10.0**-k, "small")):
            if nonzero and scaled(factor):
                return (
                    "off by a power of 10",
                    f"your answer is {10**k}× too {word}: check the decimal point and any powers of 10",
                )
    if _reciprocal(expected, got, close):
        return ("upside down", "your answer is 1 divided by the right one: a fraction is upside down")
    if _constant_factor(expected, got):
        return (
            "off by a constant factor",
            "every entry is the same multiple of the right one: a constant factor (a rate, a count, a ½) is wrong",
        )
    shape = _shape_difference(expected, got)
    if shape:
        return ("shape wrong", shape)
    return None


def _reciprocal(expected: Any, got: Any, close) -> bool:
    e, g = _numeric(expected), _numeric(got)
    if e is None or g is None or e.shape != g.shape or not e.size or np.any(e == 0):
        return False
    if np.allclose(np.abs(e), 1.0):
        return False
    return bool(close(e, 1.0 / np.where(g == 0, np.nan, g)))


def _constant_factor(expected: Any, got: Any) -> bool:
    """Arrays whose every entry is the same multiple (not 1) of the expected one (≥ 2 distinct entries)."""
    e, g = _numeric(expected), _numeric(got)
    if e is None or g is None or e.shape != g.shape:
        return False
    mask = np.abs(e) > 1e-12
    if np.count_nonzero(mask) < 2 or len(np.unique(np.round(e[mask], 12))) < 2 or np.any(np.abs(g[~mask]) > 1e-12):
        return False
    ratio = g[mask] / e[mask]
    return bool(np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio[0], rtol=1e-6) and abs(ratio[0] - 1) > 0.01)


def significant_digits(x: float) -> int:
    """How many significant digits ``x`` has as written: 7.39 -> 3, 0.07295 -> 4, 1/3 -> 16."""
    if not np.isfinite(x) or x == 0:
        return 1
    for m in range(1, 16):
        if float(f"{x:.{m - 1}e}") == x:
            return m
    return 16


def matching_sig_figs(expected: np.ndarray, got: np.ndarray, atol: float) -> int:
    """The largest k such that every entry of ``got`` rounds like ``expected`` to k significant
    figures (within half a unit of the k-th; 0 if not even the first agrees; an expected 0 must
    be met within atol). Acceptance (``_within``) allows a whole unit: rounded or truncated."""
    e, g = np.asarray(expected, dtype=float), np.asarray(got, dtype=float)
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(g))):
        return 0
    zero = e == 0
    if np.any(np.abs(g[zero]) > atol):
        return 0
    if np.all(zero):
        return 0
    k = 0
    while k < 16 and np.all(np.abs(g[~zero] - e[~zero]) <= 0.5 * sig_fig_unit(e[~zero], k + 1) * (1 + 1e-9)):
        k += 1
    return k


def closeness(q: Question, expected: Any, got: Any) -> tuple[str | None, str] | None:
    """How close a wrong number is, without the number: (diagnosis name or None, sentence)."""
    e, g = _numeric(expected), _numeric(got)
    if e is None or g is None or e.size != g.size or not e.size:
        return None
    g = g.reshape(e.shape)
    sig_figs = getattr(q, "sig_figs", None)
    if np.all(np.isfinite(e)) and not np.all(np.isfinite(g)):
        return None, "your answer contains nan or inf: an overflow (e.g. exp of a large number) or a division by 0?"
    if not sig_figs and np.all(np.isfinite(e)) and np.all(e == np.round(e)):
        return None  # a count or an index: closeness in significant figures would mislead
    needed = sig_figs or max(1, int(round(-np.log10(q.rtol))) + 1 if q.rtol > 0 else 7)
    k = matching_sig_figs(e, g, max(q.atol, 1e-12))
    if k >= needed:
        return None
    asks = "the question asks for" if sig_figs else "the check needs"
    if k == 0:
        return None, "not close: the first significant figure already differs"
    figs = "figure" if k == 1 else "figures"
    written = max(significant_digits(float(v)) for v in g.ravel())
    if written < needed and written <= k + 1:
        return (
            "rounded too early",
            f"agrees to {k} significant {figs}, but {asks} {needed} and your answer has only {written}: "
            "keep every digit until the end, then round",
        )
    return None, (
        f"agrees to {k} significant {figs}; {asks} {needed}: an intermediate value rounded too early, "
        "a constant approximated, or a small term missing?"
    )


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


class CaseVerdict(NamedTuple):
    """The verdict on one case: ``status`` (pass, wrong, not_attempted, missing or error),
    ``message`` for the learner, and ``mistake``, the name of the mistake recognised (or None)."""

    status: str
    message: str
    mistake: str | None


def judge_case(
    q: Question, case: dict, outcome: dict, exclude: frozenset[str] = frozenset()
) -> CaseVerdict:
    """One case's verdict: its status (pass, wrong, not_attempted, missing or error), the message,
    and the name of the mistake recognised, if any (never one in ``exclude``)."""
    if outcome.get("missing"):
        return CaseVerdict("missing", f"`{q.name}` is not defined yet: run the cell where you write it", None)
    if outcome.get("not_attempted"):
        return CaseVerdict("not_attempted", "not attempted yet", None)
    if "error" in outcome:
        error = outcome["error"]
        if error.startswith("CopiedAnswer: "):
            return CaseVerdict("error", error[len("CopiedAnswer: ") :].replace("this is", "the answer is", 1), None)
        short = error if len(error) <= 120 else error[:117] + "..."
        return CaseVerdict("error", f"your code raised {short}{error_diagnosis(error)}", None)
    got = to_py(outcome.get("value"))
    if q.validate is not None:
        # a validator may train a network: the same answer gets the same verdict, computed once
        ok, message = _validated(q.validate, json.dumps(outcome.get("value"), sort_keys=True))
        return CaseVerdict(("pass" if ok else "wrong"), message, None)
    try:
        expected = expected_output(q.reference, q, case)
    except KeyError:  # public expectations only (grading sandbox): a hidden case is judged by the grader
        if not hasattr(q.reference, "lookup"):
            raise
        return CaseVerdict("error", "this case is checked when your notebook is graded", None)
    sig_figs = getattr(q, "sig_figs", None)
    same = lambda a, b: compare(a, b, q.rtol, q.atol, sig_figs) is None  # noqa: E731
    reason = compare(expected, got, q.rtol, q.atol, sig_figs)
    if reason is None:
        return CaseVerdict("pass", "correct", None)
    correct = [expected]
    for fn in getattr(q, "also_correct", ()):
        try:
            correct.append(expected_output(fn, q, case))
        except Exception:  # an alternative may not apply to every case
            continue
        if same(correct[-1], got):
            return CaseVerdict("pass", "correct", None)
    # A mistake is named only for an answer that is no correct answer (checked above) and only
    # when the mistake's own output differs from every correct answer on this case.
    for mistake in q.mistakes:
        if mistake.name in exclude:
            continue
        try:
            variant = expected_output(mistake.fn, q, case)
        except Exception:  # a variant may not apply to every case
            continue
        if same(variant, got) and not any(same(variant, c) for c in correct):
            return CaseVerdict("wrong", f"{mistake.name}: {mistake.fix}", mistake.name)
    general = general_diagnosis(q, case, expected, got)
    if general:
        return CaseVerdict("wrong", f"{general[0]}: {general[1]}", general[0])
    near = closeness(q, expected, got)
    if near:
        name, sentence = near
        return CaseVerdict("wrong", (f"{name}: {sentence}" if name else f"{reason}: {sentence}"), name)
    return CaseVerdict("wrong", reason, None)


def _consistent(q: Question, name: str, cases: list[dict], outcomes: list[dict]) -> bool:
    """A known mistake is a consistent variant: the answer must match it on every case where both
    give a value. An answer that is right where the mistake's output differs (e.g. the later of two
    tied minima, right on every other case) is not that mistake, so the mistake is not named."""
    sig_figs = getattr(q, "sig_figs", None)
    mistake = next(m for m in q.mistakes if m.name == name)
    for case, outcome in zip(cases, outcomes):
        if "value" not in outcome:
            continue
        try:
            variant = expected_output(mistake.fn, q, case)
        except Exception:
            continue
        if compare(variant, to_py(outcome["value"]), q.rtol, q.atol, sig_figs) is not None:
            return False
    return True


PUBLIC = "public tests"  # the label ``check`` uses: a pass then says that hidden tests come at grading


def judge_all(q: Question, cases: list[dict], outcomes: list[dict]) -> list[CaseVerdict]:
    """:func:`judge_case` for every case, naming a mistake only if the answer makes it on every case."""
    results = [judge_case(q, c, o) for c, o in zip(cases, outcomes)]
    named = {r.mistake for r in results if r.mistake} & {m.name for m in q.mistakes}
    ruled_out = frozenset(name for name in named if not _consistent(q, name, cases, outcomes))
    if ruled_out:  # judge those cases again without the mistakes the answer does not make
        results = [
            judge_case(q, c, o, ruled_out) if r.mistake in ruled_out else r for c, o, r in zip(cases, outcomes, results)
        ]
    return results


def evaluate(q: Question, cases: list[dict], outcomes: list[dict], label: str = "tests") -> Verdict:
    """The verdict for question ``q`` from one outcome per case (see ``wire.run_case``)."""
    if q.kind == "manual":
        return Verdict(q.id, "manual", 0, 0, 0.0, q.points, "marked by your instructor (no automatic check)")
    if len(outcomes) != len(cases):
        return Verdict(q.id, "error", 0, len(cases), 0.0, q.points, "no result came back for this question")
    results = judge_all(q, cases, outcomes)
    passed = sum(r.status == "pass" for r in results)
    total = len(results)
    points = round(q.points * passed / total, 2) if total else 0.0
    statuses = {r.status for r in results}
    if statuses <= {"not_attempted", "missing"}:
        message = results[0].message
        if message == "not attempted yet" and q.kind == "function":
            message += f": replace the `raise NotImplementedError` in `{q.name}` with your code and run it"
        elif message == "not attempted yet":
            message += f": give `{q.name}` a value and run its cell"
        return Verdict(q.id, "not_attempted", 0, total, 0.0, q.points, message)
    if passed == total:
        if q.validate:
            message = results[0].message
        elif label == PUBLIC and q.kind == "function":
            message = f"public checks passed ({passed}/{total}): hidden tests run at grading"
        elif q.kind == "value":
            precision = q.precision_text() if hasattr(q, "precision_text") else ""
            message = f"correct{' ' + precision if precision else ''}"
        else:
            message = f"correct on all {total} {label}" if total > 1 else f"correct on the {label[:-1]}"
        return Verdict(q.id, "pass", passed, total, points, q.points, message)
    failing = [(i, r) for i, r in enumerate(results) if r.status != "pass"]
    # Report a named mistake if one was recognised, else the first failing case.
    index, (status, message, _) = next(((i, r) for i, r in failing if r.mistake), failing[0])
    where = f" (case {index + 1} of {total})" if total > 1 else ""
    diagnoses = sorted({d for _, _, d in results if d})
    return Verdict(
        q.id,
        "error" if all(r.status == "error" for _, r in failing) else "fail",
        passed,
        total,
        points,
        q.points,
        f"{message}{where}; {passed}/{total} {label} passed",
        diagnoses,
    )
