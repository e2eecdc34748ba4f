"""Instant feedback: check() verdicts, named mistakes, hints, "not attempted yet" (no kernels)."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import outline
from nncourse.grading import Checker, judge, wire
from nncourse.grading.questions import s06, s09, s10
from nncourse.grading.spec import Question, bank

SECTIONS = [s.id for s in outline.load()[1]]


def all_questions():
    for sid in SECTIONS:
        for q in bank(sid).values():
            yield sid, q


def outcomes_of(reference, q: Question, cases) -> list[dict]:
    """What a learner's answer computing ``reference`` would give (defined here, not in nncourse)."""

    def fn(**kwargs):
        return reference(**kwargs)

    return [
        wire.run_case(fn, q.kind, c, q.lists, q.functions) if q.kind == "function" else wire.run_case(fn(), "value", c)
        for c in cases
    ]


@pytest.mark.parametrize(
    "sid,q",
    # not generated: manual questions (read by hand) and value questions without a reference answer
    [(s, q) for s, q in all_questions() if q.kind != "manual" and q.reference is not None],
    ids=lambda x: x if isinstance(x, str) else x.id,
)
def test_reference_passes_its_public_cases(sid, q):
    v = judge.evaluate(q, list(q.cases), outcomes_of(q.reference, q, q.cases))
    assert v.status == "pass" and v.points == q.points, v


@pytest.mark.parametrize(
    "sid,q", [(s, q) for s, q in all_questions() if q.mistakes], ids=lambda x: x if isinstance(x, str) else x.id
)
def test_every_known_mistake_is_named(sid, q):
    """Each mistake variant, submitted as an answer, is diagnosed by its own name and scores less."""
    for m in q.mistakes:
        v = judge.evaluate(q, list(q.cases), outcomes_of(m.fn, q, q.cases))
        assert v.status == "fail" and v.points < q.points, (m.name, v)
        assert m.name in v.diagnoses and m.name in v.message, (m.name, v.message)


def test_worked_example_numbers_match_the_course_notes():
    assert f"{s06.error_E():.6f}" == "0.184981"
    assert f"{s06.dE_dw5():.6f}" == "0.072952"
    assert f"{s06.EX.w5 - s06.EX.lr * s06.dE_dw5():.6f}" == "0.179270"
    assert f"{s06.hidden_deltas().sum():.7f}" == "0.0044961"  # ∂E/∂b1 (shared bias), course-notes table


def test_backprop_reference_matches_the_course_notes():
    # s06.backprop runs Network's backward pass, so compare it with the course notes' hand-derived table
    from nncourse import worked_example

    ex = worked_example()
    net = ex.network()
    dW1, db1, dW2, db2 = s06.backprop(ex.X, ex.Y, net.weights[0], net.biases[0], net.weights[1], net.biases[1])
    np.testing.assert_allclose(dW2, [[0.072952, 0.070454], [-0.020981, -0.020263]], atol=5e-7)
    np.testing.assert_allclose(dW1, [[0.0047460, 0.00029975], [-0.00047476, -0.000029985]], rtol=1e-4)
    assert f"{db2.sum():.6f}" == "0.096523" and f"{db1.sum():.7f}" == "0.0044961"  # shared biases


def test_s07_reference_matches_finite_differences():
    # an independent forward pass written here, differentiated numerically
    from nncourse.grading.questions import s08

    rng = np.random.default_rng(4)
    sizes = (3, 4, 4, 2)
    X, T = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    Ws = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=o) for o in sizes[1:]]

    def E():
        a = X
        for W, b in zip(Ws, bs):
            a = 1 / (1 + np.exp(-(a @ W.T + b)))
        return 0.5 * np.sum((T - a) ** 2) / X.shape[0]

    dWs, dbs = s08.backward(X, T, Ws, bs)
    for params, grads in ((Ws, dWs), (bs, dbs)):
        for p, g in zip(params, grads):
            assert g.shape == p.shape
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + 1e-6
                up = E()
                p[idx] = old - 1e-6
                down = E()
                p[idx] = old
                assert abs((up - down) / 2e-6 - g[idx]) < 1e-8, idx


def test_s07_broken_layer_is_counted_as_in_the_notation():
    """Exercise 08 Q4: run the exercise's own setup cell, find the broken gradient by a gradient check
    (keys "W1".."WL" name W^(1)..W^(L)), and compare its layer number with the question's reference."""
    from pathlib import Path

    import nbformat

    from nncourse.gradcheck import gradient_check
    from nncourse.grading.questions import s08

    path = Path(__file__).resolve().parent.parent / "exercises" / "source" / "08_backprop_matrix_form.ipynb"
    setup = next(c.source for c in nbformat.read(path, as_version=4).cells if "def buggy_gradients" in c.source)
    ns: dict = {"np": np}
    exec(setup, ns)
    net, X, Y = ns["check_net"], ns["X_check"], ns["Y_check"]
    report = gradient_check(net, X, Y, "half_sse", grads=ns["buggy_gradients"](net, X, Y))
    broken = [key for key, err in report.items() if err > 1e-2]
    assert broken == [f"W{s08.QUESTIONS[3].reference()}"], report
    assert all(err < 1e-6 for key, err in report.items() if key not in broken), report


def make(ns=None, section="06") -> tuple[Checker, dict]:
    ns = {} if ns is None else ns
    return Checker(section, ns), ns


def test_stub_reports_not_attempted_without_traceback(capsys):
    grader, ns = make()

    def forward(X, W1, b1, W2, b2):
        raise NotImplementedError("write your code here")

    ns.update(forward=forward, E=None)
    grader.check("q1")
    grader.check("q2")
    grader.check("q4")  # not even defined
    out = capsys.readouterr().out
    assert "q1 … not attempted yet" in out and "q2 … not attempted yet" in out
    assert "`output_layer_grads` is not defined yet" in out and "Traceback" not in out


def test_check_finds_answers_in_the_callers_globals():
    grader = Checker("06")  # namespace: this module's globals, as in a notebook
    globals()["w5_new"] = 0.18 - 0.01 * s06.dE_dw5()
    try:
        assert grader.verdict("q6").status == "pass"
    finally:
        del globals()["w5_new"]


@pytest.mark.parametrize(
    "code,name",
    [
        (
            "def f(A_prev, Z, T):\n A = 1/(1+np.exp(-Z)); d = (A-T)*A*(1-A)\n return d.T @ A_prev, d.sum(0)",
            "summing instead of averaging over the batch",
        ),
        (
            "def f(A_prev, Z, T):\n A = 1/(1+np.exp(-Z)); d = (A-T)*A*(1-A); n = len(Z)\n"
            " return A_prev.T @ d / n, d.sum(0) / n",
            "transpose missing or shape wrong",
        ),
        (
            "def f(A_prev, Z, T):\n A = 1/(1+np.exp(-Z)); d = A-T; n = len(Z)\n return d.T @ A_prev / n, d.sum(0) / n",
            "σ′ factor missing",
        ),
        (
            "def f(A_prev, Z, T):\n A = 1/(1+np.exp(-Z)); d = (T-A)*A*(1-A); n = len(Z)\n"
            " return d.T @ A_prev / n, d.sum(0) / n",
            "sign error",
        ),
        (
            "def f(A_prev, Z, T):\n A = 1/(1+np.exp(-Z)); s = 1/(1+np.exp(-A)); d = (A-T)*s*(1-s); n = len(Z)\n"
            " return d.T @ A_prev / n, d.sum(0) / n",
            "`a` used where `z` belongs",
        ),
    ],
)
def test_hand_written_backprop_mistakes_are_named(code, name, capsys):
    scope = {"np": np}
    exec(code, scope)
    grader, ns = make()
    ns["output_layer_grads"] = scope["f"]
    grader.check("q4")
    assert name in capsys.readouterr().out


def test_shape_error_raised_by_learner_code_is_explained():
    grader, ns = make()
    ns["output_layer_grads"] = lambda A_prev, Z, T: (A_prev @ Z, None)
    v = grader.verdict("q4")
    assert v.status == "error" and "ValueError" in v.message and "shape problem" in v.message


def test_hints_are_revealed_one_at_a_time(capsys):
    grader, _ = make()
    grader.hint("q3")
    first = capsys.readouterr().out
    assert "hint 1/3" in first and "hint 2/3" not in first and "again for the next one" in first
    grader.hint("q3")
    assert "hint 2/3" in capsys.readouterr().out
    grader.hint("q3", all=True)
    assert "hint 3/3" in capsys.readouterr().out


def test_validator_question_explains_divergence():
    grader, ns = make(section="03")
    ns["lr_good"] = 0.3
    v = grader.verdict("q3")
    assert v.status == "fail" and "diverges" in v.message and "r = 1 − 10·lr = -2" in v.message
    ns["lr_good"] = 0.2  # r = −1: neither converges nor diverges (notebook 03's regimes)
    v = grader.verdict("q3")
    assert v.status == "fail" and "bounces for ever" in v.message and "diverges" not in v.message
    ns["lr_good"] = 0.19  # r = −0.9: converges, oscillating, but |θ_50| = 0.9^50 ≈ 5.2e-3
    v = grader.verdict("q3")
    assert v.status == "fail" and "converges while oscillating" in v.message and "5.15e-03" in v.message
    ns["lr_good"] = 0.001  # r = 0.99: converges monotonically, too slowly
    v = grader.verdict("q3")
    assert v.status == "fail" and "converges monotonically" in v.message
    ns["lr_good"] = 0.05
    assert grader.verdict("q3").status == "pass"


def test_unknown_question_is_a_clear_error():
    grader, _ = make()
    with pytest.raises(ValueError, match="Choose one of: q1"):
        grader.check("q99")


def test_wire_round_trip_and_odd_values():
    enc = wire.encode((np.arange(6.0).reshape(2, 3), 2, [np.float32(1.5)], None, True, iter([1, 2])))
    back = judge.to_py(enc)
    assert back[0].shape == (2, 3) and back[1] == 2.0 and back[2] == [1.5] and back[3] is None
    assert back[4] is True and back[5] == [1.0, 2.0]
    assert judge.to_py(__import__("json").loads(wire.dumps(wire.encode(np.array([np.nan, np.inf])))))[1] == np.inf
    assert wire.encode(object()) == {"type": "object"}


def test_the_library_reference_itself_is_not_accepted():
    grader, ns = make()
    ns["forward"] = s06.forward
    v = grader.verdict("q1")
    assert v.points == 0 and "from the course library, not your own code" in v.message


def test_an_endless_answer_is_stopped_by_check():
    grader = Checker("06", {}, seconds=0.5)

    def forward(X, W1, b1, W2, b2):
        while True:
            pass

    grader.namespace["forward"] = forward
    v = grader.verdict("q1")
    assert v.status == "error" and "time limit" in v.message


def test_softmax_ce_grad_without_the_max_shift_is_named():
    """s05 q6: a learner's unshifted softmax overflows to nan on logits near 1000; feedback says why."""

    def softmax_ce_grad(z, y):
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z)
            return (e / e.sum(axis=1, keepdims=True) - y) / z.shape[0]

    grader, ns = make({"softmax_ce_grad": softmax_ce_grad}, section="05")
    v = grader.verdict("q6")
    assert v.status == "fail" and v.passed == 1 and v.total == 2, v
    assert v.diagnoses == ["no max-shift: e^z overflowed to inf and inf/inf gave nan"], v
    assert "subtract each row's largest logit" in v.message


def test_softmax_ce_grad_reference_matches_an_independent_computation():
    """s05 q6's reference against the gradient of −(1/B) Σ log softmax, by central differences."""
    from nncourse.gradcheck import numeric_gradient
    from nncourse.grading.questions import s05

    rng = np.random.default_rng(5)
    z, y = rng.normal(0, 3, (4, 3)), np.eye(3)[[0, 2, 1, 1]]

    def loss(v):
        shifted = v - v.max(axis=1, keepdims=True)
        return -np.sum(y * (shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True)))) / v.shape[0]

    np.testing.assert_allclose(s05.softmax_ce_grad(z, y), numeric_gradient(loss, z), rtol=1e-6, atol=1e-10)


def test_s08_learning_rate_feedback_trains_on_logits():
    # The [2, 8, 1] network with a linear output and BCE on logits, trained here independently.
    from nncourse import Network, make_toy, train

    X, y = make_toy("circle", n=200, seed=0)
    net = Network([2, 8, 1], activation="tanh", output_activation="linear", seed=0)
    train(net, X, y.reshape(-1, 1), loss="bce_logits", lr=1.0, epochs=30, batch_size=16, seed=0)
    ok, message = s09.trains_well(1.0)
    assert ok and f"accuracy {net.accuracy(X, y.reshape(-1, 1)):.1%}" in message
    ok, message = s09.trains_well(0.1)  # stuck: predicts class 0 everywhere, 74.5 % of the points
    assert not ok and f"accuracy {np.mean(y == 0):.1%}, the share of class 0" in message
    ok, message = s09.trains_well("fast")
    assert not ok and "must be a number" in message


def test_s09_valley_feedback_follows_the_momentum_stability_limit():
    # Momentum on curvature c is stable only for lr·c < 2(1 + μ): here lr < 2 · 1.9 / 25 = 0.152.
    assert not s10.valley_converges(0.153)[0] and "diverges" in s10.valley_converges(0.153)[1]
    assert s10.valley_converges(0.151)[0]
    ok, message = s10.valley_converges(0.002)
    assert not ok and "too slow" in message


def test_s11_moons_validator_trains_on_logits_and_checks_the_threshold():
    """The validator trains a linear-output network with BCE on logits; 95 % is the bar, both ways."""
    from nncourse import Network, make_toy, train
    from nncourse.grading.questions import s13

    good = {"sizes": [2.0, 16.0, 16.0, 1.0], "activation": "relu", "optimizer": "adam", "lr": 0.01, "epochs": 200.0}
    ok, message = s13.moons_config_ok(good)
    # the same training, written out here: linear output, BCE on the logit, threshold z > 0
    X, y = make_toy("moons", n=200, noise=0.15, seed=0)
    net = Network([2, 16, 16, 1], activation="relu", output_activation="linear", seed=0)
    train(net, X, y.reshape(-1, 1), loss="bce_logits", optimizer="adam", lr=0.01, epochs=200, batch_size=16, seed=0)
    acc = float(np.mean((net.forward(X)[:, 0] > 0) == (y == 1)))
    assert acc >= 0.95 and ok and f"{acc:.1%}" in message
    small = {"sizes": [2.0, 8.0, 1.0], "activation": "tanh", "optimizer": "sgd", "lr": 0.5, "epochs": 100.0}
    ok, message = s13.moons_config_ok(small)
    assert not ok and "95% is needed" in message
