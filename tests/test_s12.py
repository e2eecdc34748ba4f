"""Section 12's graded questions: each reference against an independent computation (nncourse's own
layers and optimizers, finite differences, hand-derived values), and each classic mistake, written as a
learner would write it, recognised and named by `check`."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import Network, StandardScaler
from nncourse.gradcheck import numeric_gradient
from nncourse.grading import Checker, judge, wire
from nncourse.grading.questions import s12
from nncourse.grading.spec import bank
from nncourse.optim import SGD, AdamW
from nncourse.regularisation import clip_grad_norm

rng = np.random.default_rng(12)


# -- references against independent computations ------------------------------------------------


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_forward_matches_the_network_with_a_fixed_mask(p):
    net = Network([5, 7, 3], activation="tanh", output_activation="linear", dropout=p, seed=1)
    X = rng.normal(size=(4, 5))
    keep = (rng.random((4, 7)) >= p).astype(float)
    a1 = np.tanh(X @ net.weights[0].T + net.biases[0])  # a^(1) before dropout
    masked = net.feedforward(X, masks=[keep / (1 - p)])[1][1]  # nncourse's inverted-dropout mask: 0 or 1/(1 − p)
    np.testing.assert_allclose(s12.dropout_forward(a1, keep, p, True), masked, rtol=1e-12)
    net.eval()
    np.testing.assert_array_equal(s12.dropout_forward(a1, keep, p, False), net.trace(X)[1][1])


def test_dropout_forward_keeps_the_expected_activation():
    """E[dropout(a)] = a: the average over many random masks is a (to sampling error)."""
    p, n = 0.3, 200_000
    a = np.array([[0.5, -1.0, 2.0]])
    keep = (rng.random((n, 3)) >= p).astype(float)
    mean = s12.dropout_forward(np.repeat(a, n, axis=0), keep, p, True).mean(axis=0)
    np.testing.assert_allclose(mean, a[0], atol=0.02)


def test_dropout_backward_is_the_finite_difference_gradient():
    p = 0.4
    a, keep = rng.normal(size=(3, 4)), (rng.random((3, 4)) >= p).astype(float)
    upstream = rng.normal(size=(3, 4))  # C = Σ upstream ⊙ dropout(a), so ∂C/∂(output) = upstream

    def cost(values):
        return float(np.sum(upstream * s12.dropout_forward(values, keep, p, True)))

    np.testing.assert_allclose(s12.dropout_backward(upstream, keep, p), numeric_gradient(cost, a), atol=1e-8)


def test_sgd_step_with_decay_matches_the_optimizer_and_the_penalty_gradient():
    W, b, dW, db = rng.normal(size=(3, 2)), rng.normal(size=3), rng.normal(size=(3, 2)), rng.normal(size=3)
    lr, wd = 0.2, 0.05
    W_new, b_new = s12.sgd_step_with_decay(W, b, dW, db, lr, wd)
    W_opt, b_opt = W.copy(), b.copy()
    SGD(lr, weight_decay=wd).step([W_opt, b_opt], [dW, db], decay=[True, False])
    np.testing.assert_allclose(W_new, W_opt, rtol=1e-14)
    np.testing.assert_allclose(b_new, b_opt, rtol=1e-14)

    # A loss with gradient dW (linear in W) plus the penalty (wd/2)‖W‖²: a finite difference of the total.
    def total(values):
        return float(np.sum(dW * values) + wd / 2 * np.sum(values**2))

    np.testing.assert_allclose(W_new, W - lr * numeric_gradient(total, W), atol=1e-9)


def test_adamw_step_matches_the_optimizer_over_three_steps():
    w0 = np.array([1.0, -2.0, 0.3])
    lr, beta1, beta2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.2
    opt, w_lib = AdamW(lr, beta1, beta2, eps, weight_decay=wd), w0.copy()
    w, m, v = w0.copy(), np.zeros(3), np.zeros(3)
    for t in range(1, 4):
        g = np.array([0.5, -3.0, 0.01]) * t
        w, m, v = s12.adamw_step(w, m, v, g, t, lr, beta1, beta2, eps, wd)
        opt.step([w_lib], [g])
        np.testing.assert_allclose(w, w_lib, rtol=1e-13)
        np.testing.assert_allclose(m, opt.state[0]["m"], rtol=1e-13)
        np.testing.assert_allclose(v, opt.state[0]["v"], rtol=1e-13)


def test_adamw_first_step_by_hand():
    """At t = 1 from m = v = 0, m̂ = g and √v̂ = |g|: w ← w(1 − lr·wd) − lr·g/(|g| + ε)."""
    w, g = np.array([2.0, -1.0]), np.array([0.001, 40.0])
    lr, wd, eps = 0.1, 0.5, 1e-8
    out = s12.adamw_step(w, np.zeros(2), np.zeros(2), g, 1, lr, 0.9, 0.999, eps, wd)[0]
    np.testing.assert_allclose(out, w * 0.95 - 0.1 * g / (np.abs(g) + eps), rtol=1e-12)


def test_clip_by_global_norm_matches_the_library_and_a_hand_value():
    grads = [rng.normal(size=(3, 4)) * 10, rng.normal(size=3), rng.normal(size=(2, 3))]
    expected = [g.copy() for g in grads]
    clip_grad_norm(expected, 1.5)
    for got, want in zip(s12.clip_by_global_norm(grads, 1.5), expected):
        np.testing.assert_allclose(got, want, rtol=1e-14)
    # 3, 4 and 12: global norm √(9 + 16 + 144) = 13; clipped to 6.5, every entry halves.
    got = s12.clip_by_global_norm([np.array([[3.0, 0.0], [0.0, 4.0]]), np.array([12.0])], 6.5)
    np.testing.assert_allclose(got[0], [[1.5, 0.0], [0.0, 2.0]], rtol=1e-6)
    np.testing.assert_allclose(got[1], [6.0], rtol=1e-6)


def test_standardise_matches_the_standard_scaler():
    X_train, X = rng.normal(3, 2, size=(20, 4)), rng.normal(3, 2, size=(5, 4))
    X_train[:, 2] = 7.0  # a constant column: its standard deviation counts as 1
    np.testing.assert_allclose(s12.standardise(X_train, X), StandardScaler().fit(X_train).transform(X), rtol=1e-12)


# -- mistakes, written as a learner would, are named ----------------------------------------------


LEARNER_MISTAKES = [
    ("q1", "def dropout_forward(a, keep, p, training):\n    return a * keep if training else a",
     "not rescaled at training time"),
    ("q1", "def dropout_forward(a, keep, p, training):\n    return a * keep / (1 - p)",
     "left on at evaluation"),
    ("q1", "def dropout_forward(a, keep, p, training):\n    return a * keep if training else a * (1 - p)",
     "rescaled at evaluation instead of at training time"),
    ("q1", "def dropout_forward(a, keep, p, training):\n    return a * keep / p if training else a",
     "p taken as the probability of keeping a unit"),
    ("q2", "def dropout_backward(grad_out, keep, p):\n    return grad_out * keep", "not rescaled"),
    ("q2", "def dropout_backward(grad_out, keep, p):\n    return grad_out / (1 - p)",
     "dropped units still get a gradient"),
    ("q3", "def sgd_step_with_decay(W, b, dW, db, lr, wd):\n"
     "    return W - lr * (dW + wd * W), b - lr * (db + wd * b)", "weight decay applied to the biases"),
    ("q3", "def sgd_step_with_decay(W, b, dW, db, lr, wd):\n"
     "    return (1 - wd) * W - lr * dW, b - lr * db", "decay not multiplied by the learning rate"),
    ("q4", "def adamw_step(w, m, v, g, t, lr, beta1, beta2, eps, wd):\n"
     "    g = g + wd * w\n    m = beta1 * m + (1 - beta1) * g\n    v = beta2 * v + (1 - beta2) * g * g\n"
     "    return w - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v",
     "L2 term added to the gradient"),
    ("q5", "def clip_by_global_norm(grads, max_norm):\n"
     "    return [g * min(1, max_norm / np.linalg.norm(g)) for g in grads]",
     "clipped each tensor separately where the whole norm was asked"),
    ("q5", "def clip_by_global_norm(grads, max_norm):\n"
     "    total = np.sqrt(sum((g**2).sum() for g in grads))\n    return [g * max_norm / total for g in grads]",
     "scaled even when the norm was already below max_norm"),
    ("q6", "def standardise(X_train, X):\n    s = X.std(axis=0)\n"
     "    return (X - X.mean(axis=0)) / np.where(s > 0, s, 1)",
     "statistics taken from the set being transformed, not from the training set"),
    ("q6", "def standardise(X_train, X):\n    return (X - X_train.mean()) / X_train.std()",
     "one mean and standard deviation for the whole array"),
]


@pytest.mark.parametrize("qid,code,name", LEARNER_MISTAKES, ids=[f"{q}-{n[:30]}" for q, _, n in LEARNER_MISTAKES])
def test_learner_mistakes_are_named(qid, code, name, capsys):
    scope = {"np": np}
    exec(code, scope)
    ns = {k: v for k, v in scope.items() if callable(v) and k != "np"}
    grader = Checker("12", ns)
    verdict = grader.verdict(qid)
    assert verdict.status == "fail" and verdict.points < verdict.max_points, verdict
    assert any(name in d for d in verdict.diagnoses) and name in verdict.message, verdict.message
    grader.check(qid)
    assert name in capsys.readouterr().out


@pytest.mark.parametrize(
    "qid,code",
    [
        ("q5", "def clip_by_global_norm(grads, max_norm):\n"  # no 1e-6, a tuple, in place: all right
         "    total = np.sqrt(sum((g**2).sum() for g in grads))\n"
         "    if total > max_norm:\n        for g in grads:\n            g *= max_norm / total\n"
         "    return tuple(grads)"),
        ("q1", "def dropout_forward(a, keep, p, training):\n"
         "    if not training:\n        return a.tolist()\n    return (np.asarray(a) * keep * (1 / (1 - p))).tolist()"),
        ("q6", "def standardise(X_train, X):\n    mu = np.mean(X_train, 0)\n"
         "    sd = np.sqrt(np.mean((X_train - mu)**2, 0))\n    sd[sd == 0] = 1\n    return (X - mu) / sd"),
    ],
)
def test_equivalent_right_answers_pass(qid, code):
    scope = {"np": np}
    exec(code, scope)
    ns = {k: v for k, v in scope.items() if callable(v) and k != "np"}
    assert Checker("12", ns).verdict(qid).status == "pass"


def test_feedback_on_a_wrong_step_does_not_reveal_the_expected_values():
    q = bank("12")["q3"]

    def wrong(W, b, dW, db, lr, wd):
        return W - lr * dW, b - lr * db  # no decay at all: not one of the named mistakes

    outcomes = [wire.run_case(wrong, q.kind, c, q.lists) for c in q.cases]
    verdict = judge.evaluate(q, list(q.cases), outcomes)
    assert verdict.status == "fail"
    for case in q.cases:
        W_new, b_new = s12.sgd_step_with_decay(*(np.asarray(case[k], float) for k in ("W", "b", "dW", "db")),
                                               case["lr"], case["wd"])
        for value in np.concatenate([W_new.ravel(), b_new.ravel()]):
            if value != round(value):  # whole numbers could be indices or counts in the text
                assert f"{value:.6g}" not in verdict.message, (value, verdict.message)


def test_every_function_question_has_hidden_cases_that_its_reference_passes():
    from pathlib import Path

    from nncourse.grading.probe import hidden_cases

    root = Path(__file__).resolve().parent.parent
    hidden = hidden_cases(root / "exercises" / "source" / "12_regularisation.ipynb")
    questions = bank("12")
    assert set(hidden) == {qid for qid, q in questions.items() if q.kind == "function"}
    for qid, cases in hidden.items():
        q = questions[qid]

        def answer(q=q, **kwargs):  # defined here: the grader refuses nncourse's own functions as answers
            return q.reference(**kwargs)

        outcomes = [wire.run_case(answer, q.kind, c, q.lists) for c in cases]
        assert judge.evaluate(q, list(cases), outcomes).status == "pass", qid
