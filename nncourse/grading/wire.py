"""Values across the kernel boundary: test inputs in, plain data out.

A learner's function is called on test inputs inside the learner's kernel;
what it returns is turned into plain JSON data (lists, floats, strings) by
``encode`` and compared later, elsewhere, by :mod:`nncourse.grading.judge`.
Nothing here decides whether an answer is right.

This module imports nothing from ``nncourse``: the grader pastes its source
into the probe cells it appends to a submission (see ``probe.py``), so it
must run on its own in any kernel. Encoded forms::

    ndarray      -> {"nd": nested list of floats, "shape": [..]}
    number       -> float          bool -> bool       None -> None
    list, tuple  -> list           iterator -> {"iter": [...]} (at most 10000 items)
    dict         -> {"dict": {key: value}}           str -> {"str": text}
    anything else-> {"type": "<type name>"}
"""

import itertools
import json
import math

MARK = "@@nncourse-probe@@"
MAX_ITEMS = 10_000


def _np():
    import numpy

    return numpy


def _sigmoid(x):
    # Its own σ, the same formula as nncourse.activations.Sigmoid: this module must run without nncourse.
    np = _np()
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


# Functions a test case may pass by name (a JSON case cannot hold a function).
FUNCTIONS = {
    "sin": lambda x: _np().sin(x),
    "cos": lambda x: _np().cos(x),
    "exp": lambda x: _np().exp(x),
    "square": lambda x: x * x,
    "cube": lambda x: x * x * x,
    "sigmoid": _sigmoid,
    "tanh": lambda x: _np().tanh(x),
}


def decode_args(args, lists=(), functions=()):
    """Test-case arguments -> Python objects: lists become float arrays (a flat list of
    ints stays a list),
    names in ``lists`` become lists of float arrays, names in ``functions``
    become the function of that name in ``FUNCTIONS``; other values stay."""
    np = _np()
    out = {}
    for key, value in args.items():
        if key in functions:
            out[key] = FUNCTIONS[value]
        elif key in lists:
            out[key] = [np.array(v, dtype=float) for v in value]
        elif isinstance(value, list) and value and all(type(v) is int for v in value):
            out[key] = list(value)  # a list of ints (e.g. layer sizes) stays a list
        elif isinstance(value, list):
            out[key] = np.array(value, dtype=float)
        else:
            out[key] = value
    return out


def encode(value, depth=0):
    """Any returned value -> JSON-safe data (see the module docstring)."""
    np = _np()
    if depth > 20:
        return {"type": "too deeply nested"}
    if value is None or isinstance(value, (bool, np.bool_)):
        return None if value is None else bool(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {"nd": value.astype(float).tolist(), "shape": list(value.shape)}
        return {"type": f"ndarray of {value.dtype}"}
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        return {"str": value[:1000]}
    if isinstance(value, (list, tuple)):
        return [encode(v, depth + 1) for v in value[:MAX_ITEMS]]
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v, depth + 1) for k, v in list(value.items())[:MAX_ITEMS]}}
    if hasattr(value, "__next__") or type(value).__name__ == "generator":
        return {"iter": [encode(v, depth + 1) for v in itertools.islice(value, MAX_ITEMS)]}
    return {"type": type(value).__name__}


def run_case(obj, kind, args, lists=(), functions=()):
    """Call (``kind="function"``) or read (``kind="value"``) one answer.

    Returns ``{"value": encoded}``, ``{"not_attempted": True}`` (the stub
    still raises NotImplementedError, or the value is still None),
    ``{"missing": True}`` or ``{"error": "TypeName: message"}``.
    """
    if obj is None and kind == "function":
        return {"missing": True}
    try:
        if kind == "function":
            if not callable(obj):
                return {"error": f"TypeError: it is a {type(obj).__name__}, not a function"}
            module = str(getattr(obj, "__module__", "") or "")
            if module == "nncourse" or module.startswith("nncourse."):
                return {
                    "error": f"CopiedAnswer: this is {module}.{getattr(obj, '__name__', '?')} from the "
                    "course library, not your own code"
                }
            result = obj(**decode_args(args, lists, functions))
        else:
            if obj is None or obj is Ellipsis:
                return {"not_attempted": True}
            result = obj
        return {"value": encode(result)}
    except NotImplementedError:
        return {"not_attempted": True}
    except KeyboardInterrupt:  # the grader interrupts an answer that runs over its time limit
        return {"error": "TimeoutError: interrupted after the time limit (an infinite loop?)", "stop": True}
    except BaseException as err:  # SystemExit too: the probe must go on
        return {"error": f"{type(err).__name__}: {str(err)[:300]}"}


def run_all(obj, kind, cases, lists=(), functions=()):
    """``run_case`` for every case; after an interrupted case the rest get the same outcome."""
    outcomes = []
    for case in cases:
        outcome = run_case(obj, kind, case, lists, functions)
        outcomes.append(outcome)
        if outcome.get("stop"):
            outcomes += [dict(outcome) for _ in range(len(cases) - len(outcomes))]
            break
    return outcomes


def dumps(data):
    """JSON text of probe data; NaN and inf become strings JSON can hold."""

    def clean(x):
        if isinstance(x, float) and not math.isfinite(x):
            return repr(x)
        if isinstance(x, list):
            return [clean(v) for v in x]
        if isinstance(x, dict):
            return {k: clean(v) for k, v in x.items()}
        return x

    return json.dumps(clean(data), allow_nan=False)
