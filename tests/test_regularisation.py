"""Regularisation helpers against hand-derived values and finite differences; train's l2, clip_norm, decay."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse import Network, make_toy, train
from nncourse.gradcheck import numeric_gradient
from nncourse.optim import SGD
from nncourse.regularisation import clip_grad_norm, dropout_mask, l2_penalty, l2_penalty_grad


def test_l2_penalty_by_hand():
    # ‖[[1, 2], [3, 4]]‖² = 1 + 4 + 9 + 16 = 30, ‖[[-1]]‖² = 1; (0.1/2)·31 = 1.55
    weights = [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[-1.0]])]
    assert l2_penalty(weights, 0.1) == pytest.approx(1.55, rel=1e-15)
    assert l2_penalty(weights, 0.0) == 0.0
    grads = l2_penalty_grad(weights, 0.1)
    np.testing.assert_allclose(grads[0], [[0.1, 0.2], [0.3, 0.4]], rtol=1e-15)
    np.testing.assert_allclose(grads[1], [[-0.1]], rtol=1e-15)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), lam=st.floats(0.0, 10.0), rows=st.integers(1, 4), cols=st.integers(1, 4))
def test_l2_penalty_grad_matches_finite_differences(seed, lam, rows, cols):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(rows, cols)), rng.normal(size=(cols, 2))]
    grads = l2_penalty_grad(weights, lam)
    for i, W in enumerate(weights):
        def penalty(values, i=i):
            trial = [w.copy() for w in weights]
            trial[i] = values
            return l2_penalty(trial, lam)
        # The penalty is quadratic: central differences are exact up to rounding (~1e-10 here).
        np.testing.assert_allclose(grads[i], numeric_gradient(penalty, W), atol=1e-7 * (1 + lam))
        assert grads[i].shape == W.shape


def test_clip_grad_norm_by_hand():
    # total = √(3² + 4² + 12²) = √169 = 13; max_norm 6.5 -> every entry × 6.5/(13 + 1e-6)
    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]
    total = clip_grad_norm(grads, 6.5)
    assert total == 13.0
    scale = 6.5 / (13 + 1e-6)
    np.testing.assert_allclose(grads[0], [3 * scale, 4 * scale], rtol=1e-15)
    np.testing.assert_allclose(grads[1], [[12 * scale]], rtol=1e-15)


def test_clip_grad_norm_does_nothing_below_the_threshold():
    grads = [np.array([3.0, 4.0]), np.array([[12.0]])]
    before = [g.copy() for g in grads]
    assert clip_grad_norm(grads, 20.0) == 13.0
    assert all((g == b).all() for g, b in zip(grads, before))


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(1e-3, 1e3), max_norm=st.floats(1e-2, 1e2))
def test_clipped_norm_is_at_most_max_norm_and_direction_is_kept(seed, scale, max_norm):
    rng = np.random.default_rng(seed)
    grads = [scale * rng.normal(size=(3, 2)), scale * rng.normal(size=4)]
    before = [g.copy() for g in grads]
    total = clip_grad_norm(grads, max_norm)
    after = np.sqrt(sum((g**2).sum() for g in grads))
    assert total == pytest.approx(np.sqrt(sum((g**2).sum() for g in before)), rel=1e-12)
    assert after <= max_norm * (1 + 1e-12)
    ratio = after / total  # one common factor for every array
    for g, b in zip(grads, before):
        np.testing.assert_allclose(g, ratio * b, rtol=1e-10)


def test_dropout_mask_values_and_rate():
    rng = np.random.default_rng(0)
    mask = dropout_mask((200, 500), 0.3, rng)
    assert set(np.unique(mask)) == {0.0, 1 / 0.7}
    # 100 000 Bernoulli draws: the fraction dropped has standard deviation √(0.3·0.7/1e5) ≈ 0.00145;
    # 5 standard deviations is 0.0072.
    assert abs((mask == 0).mean() - 0.3) < 0.0072
    assert (dropout_mask((4, 3), 0.0, rng) == 1.0).all()


@pytest.mark.parametrize("call, error, message", [
    (lambda: l2_penalty([np.ones((2, 2))], -1.0), ValueError, r"lam must be a finite number >= 0; got -1.0"),
    (lambda: l2_penalty_grad([np.ones((2, 2))], "a"), ValueError, r"lam must be a finite number >= 0; got 'a'"),
    (lambda: clip_grad_norm([np.ones(2)], 0.0), ValueError, r"max_norm must be a finite number > 0; got 0.0"),
    (lambda: dropout_mask((2, 2), 1.0, np.random.default_rng(0)), ValueError, r"p must be a finite number in \[0, 1\)"),
    (lambda: dropout_mask((2, 2), 0.5, 0), TypeError, r"rng must be a numpy Generator"),
])
def test_bad_inputs_give_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- train(..., l2=, clip_norm=) and the optimizers' decay flags ------------------------------------

def toy():
    X, y = make_toy("gauss", n=60, seed=2)
    return X, y.reshape(-1, 1).astype(float)


def test_train_with_l2_reports_the_penalty_in_the_loss_not_in_val_loss():
    X, Y = toy()
    net, before = Network([2, 4, 1], seed=1), Network([2, 4, 1], seed=1)
    h = train(net, X, Y, "bce", lr=0.5, epochs=1, batch_size=None, l2=0.1, X_val=X, Y_val=Y)
    # One full-batch epoch: the loss is measured before the step, on the starting weights.
    expected = before.loss(X, Y, "bce") + 0.05 * sum((W**2).sum() for W in before.weights)
    assert h.loss[0] == pytest.approx(expected, rel=1e-12)
    assert h.val_loss[0] == pytest.approx(net.loss(X, Y, "bce"), rel=1e-12)  # after the step, no penalty


def test_l2_penalty_with_sgd_is_weight_decay():
    # g + λW (the penalty's gradient) is exactly torch's coupled weight decay, and neither touches b.
    X, Y = toy()
    a, b = Network([2, 4, 1], seed=1), Network([2, 4, 1], seed=1)
    for net in (a, b):
        net.biases[0] += 0.5
    train(a, X, Y, "bce", lr=0.5, epochs=3, batch_size=16, l2=0.1)
    train(b, X, Y, "bce", optimizer=SGD(lr=0.5, weight_decay=0.1), epochs=3, batch_size=16)
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_allclose(p, q, rtol=1e-12)


def test_train_passes_decay_true_for_weights_false_for_biases():
    X, Y = toy()
    seen = []

    class Spy(SGD):
        def step(self, params, grads, decay=None):
            seen.append(decay)
            super().step(params, grads, decay)

    train(Network([2, 3, 3, 1], seed=0), X, Y, "bce", optimizer=Spy(lr=0.1, weight_decay=0.01), epochs=1,
          batch_size=None)
    assert seen == [[True, True, True, False, False, False]]
    seen.clear()  # without weight decay there is nothing to say: train passes None
    train(Network([2, 3, 3, 1], seed=0), X, Y, "bce", optimizer=Spy(lr=0.1), epochs=1, batch_size=None)
    assert seen == [None]


def test_train_clips_after_backprop_before_the_step():
    X, Y = toy()
    net, ref = Network([2, 4, 1], seed=3), Network([2, 4, 1], seed=3)
    train(net, X, Y, "bce", lr=0.5, epochs=1, batch_size=None, clip_norm=0.05)
    dWs, dbs = ref.gradients(X, Y, "bce")
    total = np.sqrt(sum((g**2).sum() for g in dWs + dbs))
    assert total > 0.05  # so that this case does clip
    for p, g in zip(ref.weights + ref.biases, dWs + dbs):
        p -= 0.5 * g * 0.05 / (total + 1e-6)
    for p, q in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(p, q, rtol=1e-12)


def test_train_bad_l2_and_clip_norm():
    X, Y = toy()
    with pytest.raises(ValueError, match=r"l2 must be a finite number >= 0; got -0.1"):
        train(Network([2, 1]), X, Y, "bce", l2=-0.1)
    with pytest.raises(ValueError, match=r"clip_norm must be a finite number > 0; got 0"):
        train(Network([2, 1]), X, Y, "bce", clip_norm=0)
