"""Question banks of sections 05, 06, 08 and 13: each reference against an independent computation
(SymPy, finite differences, a closed form or the course notes' hand-derived numbers), every named
mistake recognised by the judge, and hidden cases that a hard-coded answer cannot pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from nncourse.course import outline
from nncourse.gradcheck import numeric_gradients
from nncourse.grading import Checker, judge, wire
from nncourse.grading.probe import hidden_cases
from nncourse.grading.questions import s05, s06, s08, s13
from nncourse.grading.spec import bank

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("05", "06", "08", "13")


def source(section: str) -> Path:
    return ROOT / outline.section(section).exercise


def hidden(section: str) -> dict[str, list[dict]]:
    return hidden_cases(source(section))


def auto_questions():
    for sid in SECTIONS:
        for q in bank(sid).values():
            if q.kind != "manual" and q.reference is not None:
                yield sid, q


AUTO = list(auto_questions())
IDS = [f"{sid}-{q.id}" for sid, q in AUTO]


def outcomes(fn, q, cases) -> list[dict]:
    """What a learner's function computing ``fn`` returns, through the wire (defined here, not in nncourse)."""

    def learner(**kwargs):
        return fn(**kwargs)

    if q.kind == "value":
        return [wire.run_case(learner(), "value", c) for c in cases]
    return [wire.run_case(learner, "function", c, q.lists, q.functions) for c in cases]


def args(q, case: dict) -> dict:
    return wire.decode_args(case, q.lists, q.functions)


# -- hidden cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("section", SECTIONS)
def test_every_function_question_has_hidden_cases(section):
    found = hidden(section)
    for q in bank(section).values():
        if q.kind == "function":
            assert len(found.get(q.id, [])) >= 2, (section, q.id)


@pytest.mark.parametrize(("sid", "q"), [a for a in AUTO if a[1].kind == "function"], ids=lambda x: getattr(x, "id", x))
def test_reference_passes_public_and_hidden_cases(sid, q):
    cases = list(q.cases) + hidden(sid)[q.id]
    v = judge.evaluate(q, cases, outcomes(q.reference, q, cases))
    assert v.status == "pass" and v.passed == len(cases), v


@pytest.mark.parametrize(("sid", "q"), [a for a in AUTO if a[1].kind == "function"], ids=lambda x: getattr(x, "id", x))
def test_a_hard_coded_answer_fails_the_hidden_cases(sid, q):
    """An answer that returns what a public case expects, whatever the input, fails the hidden cases:
    every one of them, except where the answer is a small whole number (a layer number), where it
    fails most of them."""
    hidden_list = hidden(sid)[q.id]
    for public in q.cases:
        constant = judge.expected_output(q.reference, q, public)
        passed = [
            judge.compare(judge.expected_output(q.reference, q, case), constant, q.rtol, q.atol) is None
            for case in hidden_list
        ]
        if (sid, q.id) == ("08", "q4"):
            assert sum(passed) <= len(passed) // 2, (q.id, passed)
        else:
            assert not any(passed), (q.id, passed)


@pytest.mark.parametrize(("sid", "q"), [a for a in AUTO if a[1].mistakes], ids=lambda x: getattr(x, "id", x))
def test_every_mistake_is_named_on_public_and_hidden_cases(sid, q):
    """Submitted as an answer, each known mistake fails and is named (public cases, then all cases)."""
    cases = list(q.cases) + hidden(sid).get(q.id, [])
    for some in (list(q.cases), cases):
        for m in q.mistakes:
            v = judge.evaluate(q, some, outcomes(m.fn, q, some))
            assert v.status == "fail" and v.points < q.points, (m.name, v)
            assert m.name in v.diagnoses, (m.name, v)


# -- 05: the Huber loss ---------------------------------------------------------------------------


def huber_loss(a, y, delta):
    """Written here: the mean over every entry of ½r² (|r| ≤ δ) or δ(|r| − δ/2) (|r| > δ)."""
    total = 0.0
    for r in (np.asarray(a) - np.asarray(y)).ravel():
        total += 0.5 * r * r if abs(r) <= delta else delta * (abs(r) - delta / 2)
    return total / np.asarray(a).size


def test_huber_loss_written_here_matches_hand_values():
    assert huber_loss([[0.5]], [[0.0]], 1.0) == 0.125  # ½ · 0.25
    assert huber_loss([[3.0]], [[0.0]], 1.5) == 3.375  # 1.5 · (3 − 0.75)
    assert huber_loss([[0.5, 3.0]], [[0.0, 0.0]], 1.5) == (0.125 + 3.375) / 2


@pytest.mark.parametrize("case", list(s05.AYD) + hidden("05")["q7"])
def test_huber_grad_matches_finite_differences(case):
    a, y, delta = np.array(case["a"]), np.array(case["y"]), case["delta"]
    numeric = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[i] = 1e-6
        numeric[i] = (huber_loss(a + step, y, delta) - huber_loss(a - step, y, delta)) / 2e-6
    np.testing.assert_allclose(s05.huber_grad(a, y, delta), numeric, rtol=1e-6, atol=1e-9)


def test_huber_derivative_by_sympy():
    r, d = sp.symbols("r delta", real=True)
    h = sp.Piecewise((r**2 / 2, sp.Abs(r) <= d), (d * (sp.Abs(r) - d / 2), True))
    dh = sp.diff(h, r)
    for rv, dv in ((0.3, 1.0), (-0.3, 1.0), (2.5, 1.5), (-2.5, 1.5), (4.0, 0.7)):
        got = s05.huber_grad(np.array([[rv]]), np.array([[0.0]]), dv)[0, 0]
        assert abs(float(dh.subs({r: rv, d: dv})) - got) < 1e-12


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ("return np.clip(a - y, -delta, delta)", "forgot the 1/N"),
        ("return np.clip(y - a, -delta, delta) / a.size", "sign flipped"),
        ("return (a - y) / a.size", "no clipping (that is the gradient of ½ MSE)"),
    ],
)
def test_hand_written_huber_mistakes_are_named(body, name):
    scope: dict = {"np": np}
    exec(f"def huber_grad(a, y, delta):\n    {body}\n", scope)
    v = Checker("05", {"huber_grad": scope["huber_grad"]}).verdict("q7")
    assert v.status == "fail" and name in v.diagnoses, v


# -- 06: the worked example as functions of the weights -----------------------------------------


W_NAMES = s06.NAMES


def E_here(w: dict, x, t) -> float:
    """The 2-2-2 network's error written out neuron by neuron (math.exp, no matrices)."""
    import math

    s = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    h1 = s(w["w1"] * x[0] + w["w2"] * x[1] + w["b1"])
    h2 = s(w["w3"] * x[0] + w["w4"] * x[1] + w["b1"])
    y1 = s(w["w5"] * h1 + w["w6"] * h2 + w["b2"])
    y2 = s(w["w7"] * h1 + w["w8"] * h2 + w["b2"])
    return 0.5 * (t[0] - y1) ** 2 + 0.5 * (t[1] - y2) ** 2


def fd(w: dict, name: str, x, t, eps=1e-6) -> float:
    up, down = dict(w, **{name: w[name] + eps}), dict(w, **{name: w[name] - eps})
    return (E_here(up, x, t) - E_here(down, x, t)) / (2 * eps)


def sympy_gradient(w: dict, x, t, name: str) -> float:
    sym = {k: sp.Symbol(k) for k in W_NAMES}
    s = lambda v: 1 / (1 + sp.exp(-v))  # noqa: E731
    h1 = s(sym["w1"] * x[0] + sym["w2"] * x[1] + sym["b1"])
    h2 = s(sym["w3"] * x[0] + sym["w4"] * x[1] + sym["b1"])
    y1 = s(sym["w5"] * h1 + sym["w6"] * h2 + sym["b2"])
    y2 = s(sym["w7"] * h1 + sym["w8"] * h2 + sym["b2"])
    E = sp.Rational(1, 2) * (t[0] - y1) ** 2 + sp.Rational(1, 2) * (t[1] - y2) ** 2
    return float(sp.diff(E, sym[name]).subs({sym[k]: w[k] for k in W_NAMES}))


def test_worked_example_functions_give_the_course_notes_numbers():
    q = bank("06")["q2"]
    a = args(q, s06.weights_case())
    assert f"{s06.error_E(**a):.6f}" == "0.184981"
    assert f"{s06.dE_dw5(**a):.6f}" == "0.072952"
    assert f"{s06.w5_after_step(**a, lr=0.01):.6f}" == "0.179270"
    assert f"{s06.dE_db1(**a):.7f}" == "0.0044961"


CASES_06 = list(s06.WEIGHTS_CASES) + hidden("06")["q3"]


@pytest.mark.parametrize("case", CASES_06)
def test_06_gradients_match_sympy_and_finite_differences(case):
    w, x, t = case["weights"], case["x"], case["t"]
    a = args(bank("06")["q3"], case)
    assert abs(s06.error_E(**a) - E_here(w, x, t)) < 1e-12
    for got, name in ((s06.dE_dw5(**a), "w5"), (s06.dE_db1(**a), "b1")):
        assert abs(got - fd(w, name, x, t)) < 1e-9, name
        assert abs(got - sympy_gradient(w, x, t, name)) < 1e-12, name
    lr = 0.3
    assert abs(s06.w5_after_step(**a, lr=lr) - (w["w5"] - lr * sympy_gradient(w, x, t, "w5"))) < 1e-12


def test_tanh_derivative_by_sympy():
    z = sp.Symbol("z")
    assert sp.simplify(sp.diff(sp.tanh(z), z) - (1 - sp.tanh(z) ** 2)) == 0


@pytest.mark.parametrize("case", list(bank("06")["q9"].cases) + hidden("06")["q9"])
def test_tanh_backprop_matches_finite_differences(case):
    X, T = np.array(case["X"]), np.array(case["T"])
    params = [np.array(case[k]) for k in ("W1", "b1", "W2", "b2")]

    def E():
        H = np.tanh(X @ params[0].T + params[1])
        Y = 1 / (1 + np.exp(-(H @ params[2].T + params[3])))
        return 0.5 * np.sum((T - Y) ** 2) / len(X)

    grads = s06.tanh_backprop(X, T, *params)
    for p, g, numeric in zip(params, grads, numeric_gradients(E, params)):
        assert g.shape == p.shape
        assert np.abs(numeric - g).max() < 1e-9


def test_hand_written_tanh_mistake_is_named():
    code = """
def tanh_backprop(X, T, W1, b1, W2, b2):
    H = np.tanh(X @ W1.T + b1)
    Y = 1 / (1 + np.exp(-(H @ W2.T + b2)))
    n = len(X)
    d2 = (Y - T) * Y * (1 - Y)
    d1 = (d2 @ W2) * H * (1 - H)
    return d1.T @ X / n, d1.sum(0) / n, d2.T @ H / n, d2.sum(0) / n
"""
    scope: dict = {"np": np}
    exec(code, scope)
    v = Checker("06", {"tanh_backprop": scope["tanh_backprop"]}).verdict("q9")
    assert v.status == "fail" and v.diagnoses == ["used σ′ where tanh′ belongs"], v


# -- 08: softmax cross-entropy, the broken layer ---------------------------------------------------


@pytest.mark.parametrize("case", list(bank("08")["q6"].cases) + hidden("08")["q6"])
def test_softmax_backward_matches_finite_differences(case):
    X, Y = np.array(case["X"]), np.array(case["Y"])
    Ws, bs = [np.array(W) for W in case["Ws"]], [np.array(b) for b in case["bs"]]

    def C():
        a = X
        for W, b in zip(Ws[:-1], bs[:-1]):
            a = 1 / (1 + np.exp(-(a @ W.T + b)))
        z = a @ Ws[-1].T + bs[-1]
        log_p = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
        return -np.sum(Y * log_p) / len(X)

    dWs, dbs = s08.softmax_backward(X, Y, Ws, bs)
    for params, grads in ((Ws, dWs), (bs, dbs)):
        for p, g, numeric in zip(params, grads, numeric_gradients(C, params)):
            assert g.shape == p.shape
            assert np.abs(numeric - g).max() < 1e-9


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ("delta = (P - Y) / X.shape[0]", "no averaging over the batch"),
        ("delta = (P - Y) * P * (1 - P) / X.shape[0]", "applied σ′ at the softmax output"),
    ],
)
def test_hand_written_softmax_mistakes_are_named(change, name):
    code = """
def softmax_backward(X, Y, Ws, bs):
    acts = [X]
    for W, b in zip(Ws[:-1], bs[:-1]):
        acts.append(1 / (1 + np.exp(-(acts[-1] @ W.T + b))))
    z = acts[-1] @ Ws[-1].T + bs[-1]
    P = np.exp(z - z.max(axis=1, keepdims=True))
    P = P / P.sum(axis=1, keepdims=True)
    DELTA
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for l in range(len(Ws) - 1, -1, -1):
        dWs[l], dbs[l] = delta.T @ acts[l], delta.sum(axis=0)
        if l > 0:
            delta = (delta @ Ws[l]) * acts[l] * (1 - acts[l])
    return dWs, dbs
"""
    if name == "no averaging over the batch":
        change = "delta = P - Y"
    scope: dict = {"np": np}
    exec(code.replace("DELTA", change), scope)
    v = Checker("08", {"softmax_backward": scope["softmax_backward"]}).verdict("q6")
    assert v.status == "fail" and name in v.diagnoses, v


def test_broken_layer_of_the_exercise_by_a_gradient_check():
    """The exercise's own setup cell: the gradient check (keys "W1".."WL") and the question's reference agree."""
    import nbformat

    from nncourse.gradcheck import gradient_check, network_numeric_gradients

    setup = next(c.source for c in nbformat.read(source("08"), as_version=4).cells if "def buggy_gradients" in c.source)
    ns: dict = {"np": np}
    exec(setup, ns)
    net, X, Y = ns["check_net"], ns["X_check"], ns["Y_check"]
    dWs_bp, dbs_bp = ns["buggy_gradients"](net, X, Y)
    report = gradient_check(net, X, Y, "half_sse", grads=(dWs_bp, dbs_bp))
    broken = [key for key, err in report.items() if err > 1e-2]
    dWs_num, _ = network_numeric_gradients(net, X, Y, "half_sse")
    assert broken == [f"W{s08.broken_layer(dWs_bp, dWs_num)}"], report


def test_broken_layer_cases_separate_relative_from_absolute_differences():
    q = bank("08")["q4"]
    first = args(q, q.cases[0])
    assert s08.broken_layer(**first) != s08._broken_by_absolute(**first)


# -- 13: a learning rate chosen by validation loss ----------------------------------------------


def gd_closed_form(x, y, lr, epochs):
    """Gradient descent on the MSE from w = 0, written in closed form: with A = 2ΦᵀΦ/n, c = 2Φᵀy/n and
    A = V diag(λ) Vᵀ, after k steps w_k = V diag((1 − (1 − lr·λ)^k)/λ) Vᵀ c. Returns every w_1..w_k."""
    Phi = np.vander(np.asarray(x), s13.DEGREE + 1, increasing=True)
    n = len(y)
    A, c = 2 * Phi.T @ Phi / n, 2 * Phi.T @ np.asarray(y) / n
    lam, V = np.linalg.eigh(A)
    cv = V.T @ c
    out = []
    for k in range(1, epochs + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            factor = np.where(np.abs(lam) > 1e-14, (1 - (1 - lr * lam) ** k) / np.where(lam == 0, 1, lam), lr * k)
        out.append(V @ (factor * cv))
    return out


def choose_here(case):
    """(lr, val choice index, train choice index, test choice index, losses) by the closed form."""
    losses = {"train": [], "val": [], "test": []}
    for lr in case["lrs"]:
        path = gd_closed_form(case["x_train"], case["y_train"], lr, case["epochs"])
        diverged = any(not np.all(np.abs(w) <= 1e6) for w in path)
        for part in losses:
            Phi = np.vander(np.asarray(case[f"x_{part}"]), s13.DEGREE + 1, increasing=True)
            mse = np.nan if diverged else float(np.mean((Phi @ path[-1] - np.asarray(case[f"y_{part}"])) ** 2))
            losses[part].append(mse)
    return losses


CASES_13 = list(bank("13")["q5"].cases) + hidden("13")["q5"]


@pytest.mark.parametrize("case", CASES_13)
def test_choose_lr_matches_the_closed_form(case):
    losses = choose_here(case)
    best = int(np.nanargmin(losses["val"]))
    lr, test_mse = s13.choose_lr(**args(bank("13")["q5"], case))
    assert lr == case["lrs"][best]
    assert abs(test_mse - losses["test"][best]) < 1e-9 * test_mse


@pytest.mark.parametrize("case", CASES_13)
def test_choose_lr_cases_tell_the_mistakes_apart(case):
    """Training, validation and test losses choose three different rates; one rate diverges and
    np.argmin would pick it; the validation minimum is clear (over 3 % below the next rate)."""
    losses = choose_here(case)
    picks = {part: int(np.nanargmin(v)) for part, v in losses.items()}
    assert len(set(picks.values())) == 3, picks
    assert np.isnan(losses["val"]).any() and np.isnan(losses["val"][int(np.argmin(losses["val"]))])
    ordered = sorted(v for v in losses["val"] if not np.isnan(v))
    assert ordered[1] > 1.03 * ordered[0]


def test_the_notebooks_training_function_is_the_banks():
    import nbformat

    given = next(c.source for c in nbformat.read(source("13"), as_version=4).cells if "def fit_polynomial" in c.source)
    ns: dict = {}
    exec(given, ns)
    case = CASES_13[0]
    for lr in case["lrs"]:
        mine = ns["fit_polynomial"](case["x_train"], case["y_train"], lr, case["epochs"])
        theirs = s13.fit_polynomial(case["x_train"], case["y_train"], lr, case["epochs"])
        np.testing.assert_array_equal(mine, theirs)


@pytest.mark.parametrize(
    ("pick", "name"),
    [
        ("train", "chose by training loss"),
        ("test", "chose by test data"),
    ],
)
def test_hand_written_lr_choices_are_named(pick, name):
    code = f"""
def choose_lr(lrs, epochs, x_train, y_train, x_val, y_val, x_test, y_test):
    data = {{"train": (x_train, y_train), "val": (x_val, y_val), "test": (x_test, y_test)}}
    fits = [fit_polynomial(x_train, y_train, lr, epochs) for lr in lrs]
    scores = [polynomial_mse(w, *data["{pick}"]) for w in fits]
    i = int(np.nanargmin(scores))
    return lrs[i], polynomial_mse(fits[i], x_test, y_test)
"""
    scope: dict = {"np": np, "fit_polynomial": s13.fit_polynomial, "polynomial_mse": s13.polynomial_mse}
    exec(code, scope)
    v = Checker("13", {"choose_lr": scope["choose_lr"]}).verdict("q5")
    assert v.status == "fail" and name in v.diagnoses, v
