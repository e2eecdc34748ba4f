"""Instant feedback: check() verdicts, named mistakes, hints, "not attempted yet" (no kernels)."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from nncourse.course import outline
from nncourse.gradcheck import numeric_gradients
from nncourse.grading import Checker, judge, wire
from nncourse.grading.questions import s06, s09, s10
from nncourse.grading.spec import Mistake, Question, bank

# every section whose bank exists (a new section's bank may still be being written)
SECTIONS = [
    s.id for s in outline.load()[1] if importlib.util.find_spec(f"nncourse.grading.questions.s{s.id}") is not None
]


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
    case = wire.decode_args(s06.weights_case())  # the worked example's weights, x and t
    assert f"{s06.error_E(**case):.6f}" == "0.184981"
    assert f"{s06.dE_dw5(**case):.6f}" == "0.072952"
    assert f"{s06.w5_after_step(**case, lr=s06.EX.lr):.6f}" == "0.179270"
    assert f"{s06.dE_db1(**case):.7f}" == "0.0044961"  # ∂E/∂b1 (shared bias), course-notes table


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
        for p, g, numeric in zip(params, grads, numeric_gradients(E, params)):
            assert g.shape == p.shape
            assert np.abs(numeric - g).max() < 1e-8


def test_s07_broken_layer_is_counted_as_in_the_notation():
    """Exercise 08 Q4: run the exercise's own setup cell, find the broken gradient by a gradient check
    (keys "W1".."WL" name W^(1)..W^(L)), and compare its layer number with the question's reference."""
    from pathlib import Path

    import nbformat

    from nncourse.gradcheck import gradient_check, network_numeric_gradients
    from nncourse.grading.questions import s08

    path = Path(__file__).resolve().parent.parent / "exercises" / "source" / "08_backprop_matrix_form.ipynb"
    setup = next(c.source for c in nbformat.read(path, as_version=4).cells if "def buggy_gradients" in c.source)
    ns: dict = {"np": np}
    exec(setup, ns)
    net, X, Y = ns["check_net"], ns["X_check"], ns["Y_check"]
    grads = ns["buggy_gradients"](net, X, Y)
    report = gradient_check(net, X, Y, "half_sse", grads=grads)
    broken = [key for key, err in report.items() if err > 1e-2]
    numeric, _ = network_numeric_gradients(net, X, Y, "half_sse")
    assert broken == [f"W{s08.QUESTIONS[3].reference(grads[0], numeric)}"], report
    assert all(err < 1e-6 for key, err in report.items() if key not in broken), report


def make(ns=None, section="06") -> tuple[Checker, dict]:
    ns = {} if ns is None else ns
    return Checker(section, ns), ns


def test_stub_reports_not_attempted_without_traceback(capsys):
    grader, ns = make()

    def forward(X, W1, b1, W2, b2):
        raise NotImplementedError("write your code here")

    def error_E(weights, x, t):
        raise NotImplementedError("write your code here")

    ns.update(forward=forward, error_E=error_E)
    grader.check("q1")
    grader.check("q2")
    grader.check("q4")  # not even defined
    out = capsys.readouterr().out
    assert "q1 … not attempted yet" in out and "q2 … not attempted yet" in out
    assert "`output_layer_grads` is not defined yet" in out and "Traceback" not in out


def test_check_finds_answers_in_the_callers_globals():
    grader = Checker("06")  # namespace: this module's globals, as in a notebook
    globals()["w5_after_step"] = lambda weights, x, t, lr: weights["w5"] - lr * s06.dE_dw5(weights, x, t)
    try:
        assert grader.verdict("q6").status == "pass"
    finally:
        del globals()["w5_after_step"]


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


# -- issue 12: feedback that teaches and gives nothing away ---------------------------------


def _value_question(answer, **kw) -> Question:
    return Question("qx", 1, "a test question", kind="value", name="answer", reference=lambda: answer, **kw)


def _verdict(q: Question, answer) -> judge.Verdict:
    return judge.evaluate(q, [{}], [wire.run_case(answer, "value", {})], label="public tests")


@pytest.mark.parametrize(
    "answer",
    [[1.0, 2.0], (1, 2), np.array([1.0, 2.0]), np.array([1, 2], dtype=np.int64), [np.float32(1.0), np.float64(2.0)]],
    ids=["list", "tuple", "ndarray", "int-array", "numpy-scalars"],
)
def test_equivalent_sequences_are_accepted(answer):
    assert _verdict(_value_question((1.0, 2.0)), answer).status == "pass"


@pytest.mark.parametrize(
    "answer", [0.1, np.float64(0.1), np.float32(0.1), np.array(0.1), np.array([0.1]), [0.1]], ids=str
)
def test_equivalent_numbers_are_accepted(answer):
    # float32 holds 0.1 only to about 7 significant figures: inside the default rtol of 1e-6
    assert _verdict(_value_question(0.1), answer).status == "pass"


@pytest.mark.parametrize("answer", ["sigmoid", "Sigmoid", " SIGMOID ", "sigmoid\n"])
def test_names_match_in_any_case_and_spacing(answer):
    assert _verdict(_value_question("sigmoid"), answer).status == "pass"


def test_a_wrong_name_is_wrong_without_showing_the_right_one():
    v = _verdict(_value_question("sigmoid"), "relu")
    assert v.status == "fail" and "sigmoid" not in v.message.lower() and "not the right name" in v.message


def test_significant_figures_tolerance():
    e2 = float(np.exp(2.0))  # 7.389056...; the lecture rounds it to 7.39
    q4 = _value_question(e2, sig_figs=4)
    assert q4.precision_text() == "to 4 significant figures"
    # within one unit of the 4th significant figure (0.001): rounded or truncated, and 7.39 (= 7.390)
    for ok in (7.389, 7.3891, 7.39, np.float32(7.389056)):
        assert _verdict(q4, ok).status == "pass", ok
    for bad in (7.387, 7.4, 7.3):
        v = _verdict(q4, bad)
        assert v.status == "fail", bad
    v = _verdict(q4, 7.4)
    assert "agrees to 2 significant figures" in v.message and "asks for 4" in v.message, v.message
    assert "has only 2" in v.message and v.diagnoses == ["rounded too early"], v
    v = _verdict(_value_question(e2, sig_figs=3), 7.39)
    assert v.status == "pass" and v.message == "correct to 3 significant figures", v
    # a hand calculation: 0.0729515 asked to 4 significant figures accepts 0.07295 and 0.0730 is 3
    hand = _value_question(0.0729515, sig_figs=4)
    assert _verdict(hand, 0.07295).status == "pass"
    v = _verdict(hand, 0.073)
    assert v.status == "fail" and "agrees to 3 significant figures" in v.message, v.message
    with pytest.raises(ValueError, match="sig_figs"):
        _value_question(1.0, sig_figs=0)


def test_closeness_is_described_without_the_value():
    x = 0.0729515
    cases = {
        -x: "sign error",
        2 * x: "a factor of 2 too large",
        x / 2: "a factor of 2 too small",
        10 * x: "off by a power of 10",
        1 / x: "upside down",
        round(x, 3): "rounded too early",
        x * 1.003: "agrees to 2 significant figures",
        3.5: "not close",
    }
    q = _value_question(x)
    for got, words in cases.items():
        v = _verdict(q, got)
        assert v.status == "fail" and words in v.message, (got, v.message)
        assert "0.0729" not in v.message and "0.073" not in v.message, v.message
    arr = np.array([[0.5, -1.25], [2.0, 3.0]])
    qa = _value_question(arr)
    assert "off by a constant factor" in _verdict(qa, 3 * arr).message
    v = _verdict(_value_question(np.arange(6.0).reshape(2, 3) + 1), (np.arange(6.0).reshape(2, 3) + 1).T)
    assert "transpose missing" in v.message and "expected" not in v.message.split("transpose")[0]
    v = _verdict(qa, arr + [[0, 0], [0, 0.5]])
    assert "wrong value at index (1, 1) (1 of 4 entries wrong)" in v.message, v.message
    assert "nan or inf" in _verdict(qa, arr * np.nan).message
    # a count (a whole number) is right or wrong: no talk of significant figures or rounding
    v = _verdict(_value_question(2080), 2112)
    assert v.status == "fail" and "significant" not in v.message and "rounded" not in v.message, v.message


def test_batch_factor_names_the_batch_size():
    q = Question("qx", 1, "mean", name="f", reference=lambda X: X.mean(axis=0), cases=({"X": [[1.0, 2.0]] * 3},),
                 batch_arg="X")
    v = judge.evaluate(q, list(q.cases), outcomes_of(lambda X: X.sum(axis=0), q, q.cases))
    assert "summing instead of averaging" in v.message and "3× too large" in v.message


def _numbers(x):
    """Every number in an expected output (nested lists, arrays, dicts)."""
    if isinstance(x, dict):
        for v in x.values():
            yield from _numbers(v)
    elif isinstance(x, (list, tuple)):
        for v in x:
            yield from _numbers(v)
    elif isinstance(x, np.ndarray):
        yield from (float(v) for v in x.ravel())
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        yield float(x)


def _significant(text: str) -> int:
    digits = text.lstrip("-").split("e")[0].replace(".", "").lstrip("0")
    return len(digits)


def forms(x: float) -> set[str]:
    """How an expected number could appear in a message: repr, 6g, 4g, 3 decimals. Forms with
    fewer than 3 significant digits ("0.5", "2", "0.073") are left out: they occur innocently
    (shapes, indices, counts, "10×") and say too little to give an answer away."""
    out = {repr(x), f"{x:.6g}", f"{x:.4g}", f"{x:.3f}"}
    return {f for f in out if _significant(f) >= 3 and f not in ("inf", "-inf", "nan")}


def perturbed(x):
    """A wrong answer of the same form: each number moved by 0.37·|x| + 0.1, names changed."""
    if isinstance(x, dict):
        return {k: perturbed(v) for k, v in x.items()}
    if isinstance(x, list):
        return [perturbed(v) for v in x]
    if isinstance(x, np.ndarray):
        return x + 0.37 * np.abs(x) + 0.1
    if isinstance(x, bool):
        return not x
    if isinstance(x, (int, float)):
        return x + 0.37 * abs(x) + 0.1
    if isinstance(x, str):
        return x + "-wrong"
    return x


def _answers_for(expected):
    """Wrong answers that exercise every kind of message: a perturbed one and, for numbers,
    the general diagnoses (sign, ×2, ½, ×10, rounded to 2 significant figures)."""
    yield perturbed(expected)
    e = judge._numeric(expected)
    if e is not None and not isinstance(expected, list):
        for f in (lambda a: -a, lambda a: 2 * a, lambda a: a / 2, lambda a: 10 * a):
            yield f(e)
        with np.errstate(divide="ignore"):
            yield np.vectorize(lambda v: float(f"{v:.1e}"))(e) if e.size else e


@pytest.mark.parametrize(
    "sid,q",
    [(s, q) for s, q in all_questions() if q.kind != "manual" and q.reference is not None],
    ids=lambda x: x if isinstance(x, str) else x.id,
)
def test_no_feedback_message_shows_the_expected_value(sid, q):
    """Wrong answers (perturbed, sign-flipped, scaled, rounded, and each known mistake) get
    messages in which no expected number appears, at any usual precision."""
    for case in q.cases:
        expected = judge.expected_output(q.reference, q, case)
        secret = set().union(*(forms(x) for x in _numbers(expected))) if list(_numbers(expected)) else set()
        if isinstance(expected, str):
            secret.add(expected)
        answers = [wire.encode(a) for a in _answers_for(expected)]
        for m in q.mistakes:
            try:
                answers.append(wire.encode(m.fn(**wire.decode_args(case, q.lists, q.functions))))
            except Exception:
                pass
        for data in answers:
            status, message, _ = judge.judge_case(q, case, {"value": data})
            if status == "pass":
                continue
            leaked = [s for s in secret if s in message]
            assert not leaked, (sid, q.id, case, leaked, message)


def test_a_mistake_is_never_named_for_a_correct_answer():
    """Ties resolve to correct: the later of two tied minima is accepted (also_correct), and a
    mistake whose output equals a correct answer on a case is not named there."""
    q = Question(
        "qx", 2, "best epoch", name="best_epoch",
        reference=lambda val_loss: int(np.argmin(val_loss)),
        also_correct=(lambda val_loss: int(len(val_loss) - 1 - np.argmin(val_loss[::-1])),),
        cases=({"val_loss": [0.9, 0.5, 0.6]}, {"val_loss": [1.0, 0.8, 0.8, 0.9]}),
        mistakes=(Mistake("counted epochs from 1", "count from 0", lambda val_loss: int(np.argmin(val_loss)) + 1),),
    )
    last_min = lambda val_loss: int(len(val_loss) - 1 - np.argmin(val_loss[::-1]))  # noqa: E731
    v = judge.evaluate(q, list(q.cases), outcomes_of(last_min, q, q.cases))
    assert v.status == "pass" and not v.diagnoses, v
    # the same answer to a question without the alternative: wrong on the tie, but NOT that mistake
    strict = Question("qy", 2, "best epoch", name="best_epoch", reference=q.reference, cases=q.cases,
                      mistakes=q.mistakes)
    v = judge.evaluate(strict, list(strict.cases), outcomes_of(last_min, strict, strict.cases))
    assert v.status == "fail" and "counted epochs from 1" not in v.diagnoses and v.passed == 1, v
    # a real off-by-one is still named (first case), although on the tie its output is a correct answer
    v = judge.evaluate(q, list(q.cases), outcomes_of(q.mistakes[0].fn, q, q.cases))
    assert v.passed == 1 and v.diagnoses == ["counted epochs from 1"], v


def test_public_checks_that_pass_say_hidden_tests_come_at_grading(capsys):
    grader = Checker("01", {})
    grader.namespace["sigmoid_prime"] = lambda z: 1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z)))
    grader.check("q1")
    out = capsys.readouterr().out
    assert out.startswith("q1 ✔ public checks passed (2/2): hidden tests run at grading"), out
    assert "all tests passed" not in out and "correct on all" not in out
    grader.summary()
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("public checks: 2/") and last.endswith("hidden tests run at grading"), last


def test_public_data_keeps_the_tolerance_and_the_alternatives(monkeypatch):
    from nncourse.grading import public, spec

    qs = {
        "q1": Question("q1", 1, "t", name="g", reference=lambda x: float(np.exp(x)), cases=({"x": 2.0},),
                       sig_figs=3),
        "q2": Question("q2", 1, "t", name="f", reference=lambda x: x, also_correct=(lambda x: -x,),
                       cases=({"x": 2.0},)),
    }
    monkeypatch.setattr(spec, "bank", lambda section: qs)
    loaded = public.load(public.export("99"))
    assert loaded["q1"].sig_figs == 3
    assert judge.evaluate(loaded["q1"], [{"x": 2.0}], [{"value": 7.39}]).status == "pass"
    v = judge.evaluate(loaded["q2"], [{"x": 2.0}], [{"value": -2.0}])
    assert v.status == "pass"


def test_public_data_never_holds_a_value_questions_answer(monkeypatch):
    """A value question's one case is its answer, and its mistakes' outputs are the answer transformed:
    none of them is exported (the learner copy and the grading sandbox can read that file)."""
    from nncourse.grading import public, spec

    answer = 7.3890560989306495
    q = Question("qx", 1, "a test question", kind="value", name="answer", reference=lambda: answer,
                 mistakes=(Mistake("sign", "check the sign", lambda: -answer),), sig_figs=3)
    monkeypatch.setattr(spec, "bank", lambda section: {"qx": q})
    text = wire.dumps(public.export("99"))
    assert "7.38" not in text and "7.39" not in text
    loaded = public.load(public.export("99"))["qx"]
    ok, message = loaded.validate(answer)
    assert not ok and message == public.GRADED_ELSEWHERE


def _is_inexact(x) -> bool:
    return any(not float(v).is_integer() for v in _numbers(x))


@pytest.mark.parametrize(
    "sid,q",
    [(s, q) for s, q in all_questions() if q.kind == "value" and q.reference is not None],
    ids=lambda x: x if isinstance(x, str) else x.id,
)
def test_value_questions_state_their_precision(sid, q):
    """A value question whose answer is not a whole number asks for a precision (sig_figs), and its
    text in the source notebook states it ("to 4 significant figures"); an exact one states none."""
    from pathlib import Path

    import nbformat

    expected = judge.expected_output(q.reference, q, {})
    if _is_inexact(expected):
        assert q.sig_figs, f"{sid} {q.id}: the answer is not a whole number: give the question sig_figs"
    section = outline.section(sid)
    nb = nbformat.read(Path(__file__).resolve().parent.parent / section.exercise, as_version=4)
    text = "\n".join(
        c.source
        for c in nb.cells
        if c.cell_type == "markdown" and c.metadata.get("nncourse", {}).get("question") == q.id
    )
    assert text, f"{sid} {q.id}: no question cell in {section.exercise}"
    if q.sig_figs:
        assert q.precision_text() in text, f"{sid} {q.id}: the text must say {q.precision_text()!r}"
    else:
        assert "significant figure" not in text, f"{sid} {q.id}: the text states a precision the check does not use"


@pytest.mark.parametrize("sid", SECTIONS)
def test_public_data_judges_like_the_bank(sid):
    """The learner copy judges from exported public data (no reference code): the reference passes,
    each known mistake is named, and the precision travels with the data."""
    import json

    from nncourse.grading import public

    loaded = public.load(json.loads(wire.dumps(public.export(sid))))
    for q in bank(sid).values():
        lq = loaded[q.id]
        if q.kind == "value" and q.reference is not None:  # its answer stays with the grader
            assert lq.reference is None and lq.validate(None) == (False, public.GRADED_ELSEWHERE)
            continue
        if q.kind == "manual" or q.reference is None:
            continue
        assert lq.sig_figs == q.sig_figs
        v = judge.evaluate(lq, list(q.cases), outcomes_of(q.reference, q, q.cases), label="public tests")
        assert v.status == "pass", (q.id, v)
        for m in q.mistakes:
            v = judge.evaluate(lq, list(q.cases), outcomes_of(m.fn, q, q.cases), label="public tests")
            assert m.name in v.diagnoses, (q.id, m.name, v)
