"""Every loss's value and gradient: SymPy, finite differences and PyTorch's definitions."""

import math
import warnings

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse.checks import as_targets
from nncourse.gradcheck import numeric_gradient
from nncourse.losses import BCE, MAE, MSE, BCEWithLogits, CrossEntropy, HalfSSE, get_loss
from nncourse.network import Network

shapes = st.tuples(st.integers(1, 4), st.integers(1, 4))


def sample(shape, seed, loss):
    """Outputs a and targets y that suit ``loss``: probabilities for BCE, rows of probabilities as
    CrossEntropy's targets, any real numbers otherwise."""
    rng = np.random.default_rng(seed)
    if isinstance(loss, BCE):
        return rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)
    a, y = rng.normal(size=shape), rng.normal(size=shape)
    if isinstance(loss, CrossEntropy):
        y = np.abs(y) / np.abs(y).sum(axis=1, keepdims=True)
    return a, y


def sympy_value_and_grad(expr, a, y, a_val, y_val):
    """``expr``'s value and its gradient with respect to the symbols ``a``, at a = a_val, y = y_val."""
    n_rows, n_cols = a_val.shape
    subs = {a[i, j]: a_val[i, j] for i in range(n_rows) for j in range(n_cols)}
    subs.update({y[i, j]: y_val[i, j] for i in range(n_rows) for j in range(n_cols)})
    grad = [[float(sp.diff(expr, a[i, j]).subs(subs)) for j in range(n_cols)] for i in range(n_rows)]
    return float(expr.subs(subs)), np.array(grad)


def sympy_loss(loss, n_rows, n_cols):
    """The loss as a SymPy expression of symbols a_ij and y_ij, following PyTorch's docs."""
    a = sp.Matrix(n_rows, n_cols, lambda i, j: sp.Symbol(f"a{i}_{j}", real=True))
    y = sp.Matrix(n_rows, n_cols, lambda i, j: sp.Symbol(f"y{i}_{j}", real=True))
    N = n_rows * n_cols
    cells = [(a[i, j], y[i, j]) for i in range(n_rows) for j in range(n_cols)]
    if isinstance(loss, MSE):
        expr = sum((ai - yi) ** 2 for ai, yi in cells) / N
    elif isinstance(loss, HalfSSE):
        expr = sum(sp.Rational(1, 2) * (yi - ai) ** 2 for ai, yi in cells) / n_rows
    elif isinstance(loss, MAE):
        expr = sum(sp.Abs(ai - yi) for ai, yi in cells) / N
    elif isinstance(loss, BCE):
        expr = -sum(yi * sp.log(ai) + (1 - yi) * sp.log(1 - ai) for ai, yi in cells) / N
    else:  # cross-entropy on logits, y as probabilities per row
        expr = 0
        for i in range(n_rows):
            log_norm = sp.log(sum(sp.exp(a[i, k]) for k in range(n_cols)))
            expr += -sum(y[i, j] * (a[i, j] - log_norm) for j in range(n_cols))
        expr = expr / n_rows
    return expr, a, y


LOSSES = [MSE(), HalfSSE(), MAE(), BCE(), CrossEntropy()]


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
@settings(max_examples=8, deadline=None)
@given(shape=shapes, seed=st.integers(0, 10_000))
def test_value_and_gradient_match_sympy(loss, shape, seed):
    a_val, y_val = sample(shape, seed, loss)
    value, grad = sympy_value_and_grad(*sympy_loss(loss, *shape), a_val, y_val)
    assert loss.fn(a_val, y_val) == pytest.approx(value, rel=1e-10)
    np.testing.assert_allclose(loss.grad(a_val, y_val), grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda loss: loss.name)
@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 10_000))
def test_gradient_matches_finite_differences(loss, shape, seed):
    a, y = sample(shape, seed, loss)
    if isinstance(loss, CrossEntropy):  # one-hot rows here: the case training meets
        y = np.eye(shape[1])[np.random.default_rng(seed).integers(0, shape[1], shape[0])]
    if isinstance(loss, MAE):
        a = a + np.where(np.abs(a - y) < 1e-3, 0.01, 0.0)  # keep away from the kink at a = y
    np.testing.assert_allclose(loss.grad(a, y), numeric_gradient(lambda v: loss.fn(v, y), a),
                               rtol=1e-5, atol=1e-9)


def test_values_match_pytorch_formulas_by_hand():
    a = np.array([[0.2, 0.9], [0.6, 0.4]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    # MSELoss: mean of squares over all 4 elements.
    assert MSE().fn(a, y) == pytest.approx((0.04 + 0.01 + 0.16 + 0.16) / 4, rel=1e-15)
    # L1Loss: mean of absolute differences.
    assert MAE().fn(a, y) == pytest.approx((0.2 + 0.1 + 0.4 + 0.4) / 4, rel=1e-15)
    # BCELoss: -mean(y log a + (1 - y) log(1 - a)).
    expected = -(math.log(0.8) + math.log(0.9) + math.log(0.6) + math.log(0.6)) / 4
    assert BCE().fn(a, y) == pytest.approx(expected, rel=1e-15)
    # CrossEntropyLoss with class indices [1, 0] on logits.
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    rows = [-(2.0 - math.log(math.e + math.e**2 + math.e**0.5)),
            -(0.0 - math.log(1 + math.e**-1 + math.e**3))]
    assert CrossEntropy().fn(z, as_targets(np.array([1, 0]), 3, CrossEntropy())) == pytest.approx(
        sum(rows) / 2, rel=1e-14)


def test_half_sse_is_the_worked_example_error():
    # E = ½(0.05 − 0.633698)² + ½(0.82 − 0.648949)² for one example.
    a = np.array([[0.6336983, 0.6489493]])
    y = np.array([[0.05, 0.82]])
    assert HalfSSE().fn(a, y) == pytest.approx(0.5 * (0.05 - 0.6336983) ** 2 + 0.5 * (0.82 - 0.6489493) ** 2)


def test_bce_clamps_like_pytorch_so_log0_is_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert BCE().fn(np.array([[0.0]]), np.array([[1.0]])) == pytest.approx(100.0)
        assert BCE().fn(np.array([[1.0]]), np.array([[1.0]])) == 0.0
        assert np.isfinite(BCE().grad(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))).all()


def test_cross_entropy_is_stable_for_huge_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = np.array([[1000.0, -1000.0]])
        assert CrossEntropy().fn(z, np.array([[1.0, 0.0]])) == 0.0
        assert CrossEntropy().fn(z, np.array([[0.0, 1.0]])) == pytest.approx(2000.0)


def test_cross_entropy_accepts_labels_and_one_hot_alike():
    z = np.random.default_rng(0).normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    one_hot = np.eye(3)[labels]
    loss = CrossEntropy()
    assert loss.fn(z, as_targets(labels, 3, loss)) == loss.fn(z, one_hot)


def test_names_and_aliases():
    assert isinstance(get_loss("L1"), MAE) and isinstance(get_loss("ce"), CrossEntropy)
    expected = "Unknown loss 'msee'. Choose one of: bce, bce_logits, cross_entropy, half_sse"
    with pytest.raises(ValueError, match=expected):
        get_loss("msee")


# --- binary cross-entropy on logits ---------------------------------------------------------


def sympy_bce_logits(n_rows, n_cols):
    """−(1/N) Σ [y log σ(z) + (1 − y) log(1 − σ(z))], written from the definition (no rearranging)."""
    z = sp.Matrix(n_rows, n_cols, lambda i, j: sp.Symbol(f"z{i}_{j}", real=True))
    y = sp.Matrix(n_rows, n_cols, lambda i, j: sp.Symbol(f"y{i}_{j}", real=True))
    sig = lambda v: 1 / (1 + sp.exp(-v))  # noqa: E731
    cells = [(z[i, j], y[i, j]) for i in range(n_rows) for j in range(n_cols)]
    expr = -sum(yi * sp.log(sig(zi)) + (1 - yi) * sp.log(1 - sig(zi)) for zi, yi in cells) / (n_rows * n_cols)
    return expr, z, y


@settings(max_examples=8, deadline=None)
@given(shape=shapes, seed=st.integers(0, 10_000))
def test_bce_logits_value_and_gradient_match_sympy(shape, seed):
    rng = np.random.default_rng(seed)
    z_val, y_val = rng.normal(0, 3, shape), rng.uniform(0, 1, shape)
    value, grad = sympy_value_and_grad(*sympy_bce_logits(*shape), z_val, y_val)
    loss = BCEWithLogits()
    assert loss.fn(z_val, y_val) == pytest.approx(value, rel=1e-10)
    np.testing.assert_allclose(loss.grad(z_val, y_val), grad, rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=st.integers(0, 10_000))
def test_bce_logits_gradient_matches_finite_differences(shape, seed):
    rng = np.random.default_rng(seed)
    z, y = rng.normal(0, 4, shape), rng.integers(0, 2, shape).astype(float)
    loss = BCEWithLogits()
    np.testing.assert_allclose(loss.grad(z, y), numeric_gradient(lambda v: loss.fn(v, y), z), rtol=1e-5, atol=1e-9)


def test_bce_logits_equals_bce_of_the_sigmoid_where_both_are_exact():
    z = np.array([[-3.0, -0.5, 0.0, 1.0, 4.0]])
    y = np.array([[1.0, 0.0, 1.0, 0.3, 0.0]])
    a = 1 / (1 + np.exp(-z))
    assert BCEWithLogits().fn(z, y) == pytest.approx(BCE().fn(a, y), rel=1e-12)
    np.testing.assert_allclose(BCEWithLogits().grad(z, y), BCE().grad(a, y) * a * (1 - a), rtol=1e-9)


def test_bce_logits_keeps_the_full_gradient_of_a_saturated_output():
    """z = −40 with y = 1: the exact gradient is mean(σ(z) − y) ≈ −1; BCE-then-σ′ collapses."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = np.array([[-40.0, -30.0], [35.0, -800.0]])
        y = np.array([[1.0, 1.0], [0.0, 1.0]])
        exact = np.array([[math.exp(-40) / (1 + math.exp(-40)) - 1, math.exp(-30) / (1 + math.exp(-30)) - 1],
                          [1 / (1 + math.exp(-35)), -1.0]]) / z.size
        np.testing.assert_allclose(BCEWithLogits().grad(z, y), exact, rtol=1e-12)
        # The value: log(1 + e^(−z)) + (1 − y)z per entry, exact; BCE on σ(z) stops at the −100 clamp.
        values = [40 + math.log1p(math.exp(-40)), 30 + math.log1p(math.exp(-30)), 35 + math.log1p(math.exp(-35)), 800.0]
        assert BCEWithLogits().fn(z, y) == pytest.approx(sum(values) / 4, rel=1e-12)
        a = 1 / (1 + np.exp(40.0))
        unfused = (BCE().grad(np.array([[a]]), np.array([[1.0]])) * a * (1 - a))[0, 0]
        assert abs(unfused) < 1e-5  # what the clamp in BCE.grad leaves of the exact −1


def test_bce_logits_names_and_aliases():
    for name in ("bce_logits", "bce_with_logits", "binary_cross_entropy_with_logits", "BCE_with_logits"):
        assert isinstance(get_loss(name), BCEWithLogits)
    loss = get_loss("bce_logits")
    assert loss.takes_logits and loss.classifies and not loss.needs_probabilities
    assert not BCE().takes_logits and BCE().needs_probabilities


def test_bce_logits_needs_a_linear_output_layer():
    X, Y = np.array([[0.5, -0.5]]), np.array([[1.0]])
    sigmoid_out = Network([2, 1], activation="sigmoid")
    with pytest.raises(ValueError, match="bce_logits loss takes logits and applies the sigmoid itself.*"
                                         "output activation is sigmoid.*output_activation='linear'"):
        sigmoid_out.loss(X, Y, "bce_logits")
    linear_out = Network([2, 1], activation="sigmoid", output_activation="linear", seed=0)
    z = linear_out.forward(X)
    assert linear_out.loss(X, Y, "bce_logits") == pytest.approx(BCEWithLogits().fn(z, Y), rel=1e-15)
    with pytest.raises(ValueError, match=r"must lie in \[0, 1\] for the bce_logits loss"):
        linear_out.loss(X, np.array([[2.0]]), "bce_logits")
