"""Exercise 10's RMSProp, tuning and bias-correction questions: references against independent computations."""

import warnings

import numpy as np
import pytest

from nncourse.grading import judge, wire
from nncourse.grading.questions import s10
from nncourse.grading.spec import bank
from nncourse.optim import Adam, RMSprop


def test_rmsprop_step_reference_matches_nncourse_optim_over_three_steps():
    rng = np.random.default_rng(0)
    w, v = rng.normal(size=(2, 3)), np.zeros((2, 3))
    theta, opt = w.copy(), RMSprop(lr=0.05, alpha=0.9, eps=1e-8)
    for _ in range(3):
        g = rng.normal(size=(2, 3))
        w, v = s10.rmsprop_step(w, v, g, 0.05, 0.9, 1e-8)
        opt.step([theta], [g])
        np.testing.assert_allclose(w, theta, rtol=1e-14)
        np.testing.assert_allclose(v, opt.state[0]["v"], rtol=1e-14)


def test_rmsprop_step_by_hand():
    # g = 0.5, v = 0: v_new = 0.01·0.25 = 0.0025, √ = 0.05, step = 0.01·0.5/0.05 = 0.1 (ε aside)
    w, v = s10.rmsprop_step(np.array([1.0]), np.array([0.0]), np.array([0.5]), 0.01, 0.99, 0.0)
    assert w[0] == pytest.approx(0.9, abs=1e-15) and v[0] == pytest.approx(0.0025, rel=1e-14)


def test_bias_corrected_rmsprop_is_adam_with_beta1_zero():
    # With β1 = 0, Adam's m is g and m̂ = g: Adam becomes RMSProp with v̂ = v/(1 − β2^t).
    rng = np.random.default_rng(1)
    w, v = rng.normal(size=4), np.zeros(4)
    theta, opt = w.copy(), Adam(lr=0.01, beta1=0.0, beta2=0.95, eps=1e-8)
    for t in range(1, 4):
        g = rng.normal(size=4)
        w, v = s10.rmsprop_corrected_step(w, v, g, t, 0.01, 0.95, 1e-8)
        opt.step([theta], [g])
        np.testing.assert_allclose(w, theta, rtol=1e-13)
        np.testing.assert_allclose(v, opt.state[0]["v"], rtol=1e-13)


def test_bias_corrected_first_step_is_lr_whatever_the_gradient():
    # t = 1: v̂ = (1 − α)g²/(1 − α) = g², so the step is lr·g/|g| = lr (the notebook's RMSProp took 10·lr)
    for g in (1000.0, 1.0, -0.001):
        w, _ = s10.rmsprop_corrected_step(np.array([0.0]), np.array([0.0]), np.array([g]), 1, 0.01, 0.99, 0.0)
        assert w[0] == pytest.approx(-0.01 * np.sign(g), rel=1e-12)


def test_choose_lr_by_hand():
    # validation losses 0.5, 0.2, 0.3: the second rate; the test losses (lowest for the third) are not used
    assert s10.choose_lr(np.array([0.01, 0.1, 1.0]), np.array([0.5, 0.2, 0.3]), np.array([0.4, 0.3, 0.1])) == 0.1


@pytest.mark.parametrize("qid", ["q6", "q7", "q8"])
def test_mistakes_differ_from_the_reference_on_some_public_case_and_run_without_warnings(qid):
    q = bank("10")[qid]
    for m in q.mistakes:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            outputs = [judge.expected_output(m.fn, q, c) for c in q.cases]
        expected = [judge.expected_output(q.reference, q, c) for c in q.cases]
        assert any(judge.compare(e, o, q.rtol, q.atol) is not None for e, o in zip(expected, outputs)), m.name


def test_a_correct_answer_written_another_way_passes():
    q = bank("10")["q6"]

    def rmsprop_step(w, v, g, lr, alpha, eps):  # a learner's version: tuple in, lists out
        v_new = [alpha * a + (1 - alpha) * b**2 for a, b in zip(np.ravel(v), np.ravel(g))]
        w_new = [x - lr * b / (np.sqrt(a) + eps) for x, a, b in zip(np.ravel(w), v_new, np.ravel(g))]
        return np.reshape(w_new, np.shape(w)), np.reshape(v_new, np.shape(v))

    outcomes = [wire.run_case(rmsprop_step, "function", c) for c in q.cases]
    assert judge.evaluate(q, list(q.cases), outcomes).status == "pass"
