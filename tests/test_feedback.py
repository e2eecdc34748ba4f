"""Instant feedback: check() verdicts, named mistakes, hints, "not attempted yet" (no kernels)."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import outline
from nncourse.grading import Checker, judge, wire
from nncourse.grading.questions import s06
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


@pytest.mark.parametrize("sid,q", list(all_questions()), ids=lambda x: x if isinstance(x, str) else x.id)
def test_reference_passes_its_public_cases(sid, q):
    if q.kind == "manual" or q.reference is None:
        return
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


def test_backprop_reference_agrees_with_nncourse():
    from nncourse import worked_example

    ex = worked_example()
    net = ex.network()
    dWs, dbs = net.gradients(ex.X, ex.Y, "half_sse")
    got = s06.backprop(ex.X, ex.Y, net.weights[0], net.biases[0], net.weights[1], net.biases[1])
    for a, b in zip(got, [dWs[0], dbs[0], dWs[1], dbs[1]]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


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
    assert v.status == "fail" and "diverges" in v.message
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
