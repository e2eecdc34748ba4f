"""Gradient checking (nncourse/gradcheck.py): finite differences against gradients derived by hand,
the relative error's edge cases, gradient_check's report and its ``grads=`` parameter catching a
broken backward pass, and agreement_table's layout and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse import Network
from nncourse.gradcheck import (
    agreement_table,
    central_difference,
    gradient_check,
    network_numeric_gradients,
    numeric_gradient,
    numeric_gradients,
    relative_error,
)

# Hypothesis draws its examples from a fixed seed (derandomize) and has no time limit per example
# (deadline=None): the same examples on every run, on any machine.
PROPERTY = settings(max_examples=30, deadline=None, derandomize=True)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# --- central_difference and numeric_gradient ---------------------------------------------------


def test_central_difference_of_a_cubic_is_off_by_exactly_h_squared():
    # ((x+h)³ − (x−h)³) / 2h = (6x²h + 2h³) / 2h = 3x² + h²: at x = 2, h = 1e-3 that is 12 + 1e-6
    h = 1e-3
    assert central_difference(lambda x: x**3, 2.0, h) == pytest.approx(12.0 + h * h, rel=0, abs=1e-10)
    assert central_difference(math.sin, 0.3) == pytest.approx(math.cos(0.3), rel=1e-9)


def test_numeric_gradient_of_a_weighted_sum_of_cubes():
    c = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.5]])
    x = np.array([[0.2, -1.0, 2.0], [0.7, 5.0, -0.3]])
    grad = numeric_gradient(lambda v: float(np.sum(c * v**3)), x)
    assert grad.shape == x.shape and grad.dtype == np.float64
    np.testing.assert_allclose(grad, 3 * c * x**2, rtol=1e-8, atol=1e-8)  # ∂/∂x_i Σ c_j x_j³ = 3 c_i x_i²


def test_numeric_gradient_of_log_sum_exp_is_softmax():
    x = np.array([0.5, -1.0, 2.0, 0.0])
    grad = numeric_gradient(lambda v: float(np.log(np.sum(np.exp(v)))), x)
    # ∂/∂x_i log Σ_j e^(x_j) = e^(x_i) / Σ_j e^(x_j)
    np.testing.assert_allclose(grad, np.exp(x) / np.exp(x).sum(), rtol=1e-8)


def test_numeric_gradient_of_half_squared_error_in_the_weights():
    # C(W) = ½‖W x − y‖², so ∂C/∂W = (W x − y) xᵀ, shape (2, 3) like W
    W = np.array([[0.1, -0.4, 0.3], [0.8, 0.2, -0.5]])
    x, y = np.array([1.0, 2.0, -1.0]), np.array([0.5, -0.2])
    grad = numeric_gradient(lambda V: 0.5 * float(np.sum((V @ x - y) ** 2)), W)
    np.testing.assert_allclose(grad, np.outer(W @ x - y, x), rtol=1e-8, atol=1e-10)


def test_numeric_gradient_leaves_its_input_alone_and_takes_any_shape():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = x.copy()
    numeric_gradient(lambda v: float(np.sum(v**2)), x)
    np.testing.assert_array_equal(x, before)
    assert numeric_gradient(lambda v: float(v) ** 2, 3.0) == pytest.approx(6.0, rel=1e-9)  # a 0-d input
    assert numeric_gradient(lambda v: float(np.sum(v**2)), [1, 2]).tolist() == pytest.approx([2.0, 4.0])  # ints
    cube = np.arange(24.0).reshape(2, 3, 4) / 10
    np.testing.assert_allclose(numeric_gradient(lambda v: float(np.sum(v**2)), cube), 2 * cube, atol=1e-8)


@PROPERTY
@given(n=st.integers(1, 5), seed=st.integers(0, 2**31 - 1))
def test_numeric_gradient_of_any_quadratic(n, seed):
    """f(x) = ½ xᵀ A x + bᵀ x has gradient ½ (A + Aᵀ) x + b, for any square A."""
    rng = np.random.default_rng(seed)
    A, b, x = rng.uniform(-3, 3, (n, n)), rng.uniform(-3, 3, n), rng.uniform(-3, 3, n)
    grad = numeric_gradient(lambda v: float(0.5 * v @ A @ v + b @ v), x)
    np.testing.assert_allclose(grad, 0.5 * (A + A.T) @ x + b, rtol=1e-7, atol=1e-7)


# --- relative_error ------------------------------------------------------------------------------


def test_relative_error_edge_cases():
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0  # both zero: they agree, no 0/0
    assert relative_error([3.0, 4.0], [0.0, 0.0]) == 1.0  # one zero: ‖a‖ / ‖a‖
    assert relative_error([0.0], [1e-300]) == 1.0  # however small the other one is (1e-300² underflows)
    assert relative_error([1e-200], [2e-200]) == pytest.approx(1 / 3, rel=1e-15)  # tiny, but not equal
    assert relative_error([1e200], [2e200]) == pytest.approx(1 / 3, rel=1e-15)  # 1e200² would overflow
    assert relative_error([1.0, -2.0], [-1.0, 2.0]) == 1.0  # opposite: 2‖a‖ / 2‖a‖
    assert relative_error([2.0], [1.0]) == pytest.approx(1 / 3, rel=1e-15)  # |2 − 1| / (2 + 1)
    assert relative_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(math.sqrt(2) / 2, rel=1e-15)
    assert relative_error(np.ones((2, 3)), np.ones((2, 3))) == 0.0
    assert isinstance(relative_error(1.0, 2.0), float)


@PROPERTY
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(1e-6, 1e6))
def test_relative_error_is_symmetric_scale_free_and_between_0_and_1(seed, scale):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=5), rng.normal(size=5)
    e = relative_error(a, b)
    assert 0.0 <= e <= 1.0  # triangle inequality: ‖a − b‖ ≤ ‖a‖ + ‖b‖
    assert relative_error(b, a) == pytest.approx(e, rel=1e-12)
    assert relative_error(scale * a, scale * b) == pytest.approx(e, rel=1e-9)


# --- gradient_check and network_numeric_gradients -------------------------------------------------


def two_layer_problem(seed=0):
    """A 3-4-2 sigmoid network with non-zero biases, and a batch of 5 examples with targets in (0, 1)."""
    net = Network([3, 4, 2], activation="sigmoid", seed=seed)
    rng = np.random.default_rng(seed + 1)
    for b in net.biases:
        b += rng.normal(scale=0.3, size=b.shape)
    X, Y = rng.normal(size=(5, 3)), rng.uniform(0.1, 0.9, size=(5, 2))
    return net, X, Y


def hand_backprop(net, X, Y, sigma_prime_in_hidden=True):
    """Backprop of C = mean((a^(2) − y)²) for a 3-4-2 sigmoid network, written out here in full.

    ``sigma_prime_in_hidden=False`` forgets σ'(z^(1)) in δ^(1): a classic mistake.
    """
    W1, W2 = net.weights  # net.weights[0] holds W^(1), net.weights[1] holds W^(2)
    b1, b2 = net.biases
    A1 = sigmoid(X @ W1.T + b1)
    A2 = sigmoid(A1 @ W2.T + b2)
    delta2 = 2 * (A2 - Y) / Y.size * A2 * (1 - A2)  # ∂C/∂z^(2) = ∂C/∂a^(2) ⊙ σ'(z^(2))
    delta1 = delta2 @ W2
    if sigma_prime_in_hidden:
        delta1 = delta1 * A1 * (1 - A1)
    return [delta1.T @ X, delta2.T @ A1], [delta1.sum(axis=0), delta2.sum(axis=0)]


def test_gradient_check_reports_W1_to_WL_in_the_course_notation():
    net, X, Y = two_layer_problem()
    report = gradient_check(net, X, Y, "mse")
    assert list(report) == ["W1", "b1", "W2", "b2"]
    assert max(report.values()) < 1e-7, report
    deep = Network([2, 3, 3, 3, 1], activation="tanh", output_activation="sigmoid", seed=2)
    X2, Y2 = np.random.default_rng(3).normal(size=(4, 2)), np.array([[0.2], [0.9], [0.4], [0.6]])
    assert list(gradient_check(deep, X2, Y2, "mse")) == ["W1", "b1", "W2", "b2", "W3", "b3", "W4", "b4"]


def test_a_hand_written_backprop_passes_and_one_without_sigma_prime_fails():
    net, X, Y = two_layer_problem()
    right = gradient_check(net, X, Y, "mse", grads=hand_backprop(net, X, Y))
    assert max(right.values()) < 1e-7, right
    wrong = gradient_check(net, X, Y, "mse", grads=hand_backprop(net, X, Y, sigma_prime_in_hidden=False))
    assert wrong["W1"] > 0.1 and wrong["b1"] > 0.1, wrong  # the layer whose δ lost its σ'
    assert wrong["W2"] < 1e-7 and wrong["b2"] < 1e-7, wrong  # the output layer's δ is still right


def test_grads_that_are_doubled_negated_or_zero_give_the_hand_derived_errors():
    net, X, Y = two_layer_problem(seed=5)
    dWs, dbs = net.gradients(X, Y, "mse")
    # 2g against g: ‖2g − g‖ / (‖2g‖ + ‖g‖) = 1/3; −g against g: 2‖g‖ / 2‖g‖ = 1; 0 against g: 1
    report = gradient_check(net, X, Y, "mse", grads=([2 * dWs[0], -dWs[1]], [np.zeros_like(dbs[0]), dbs[1]]))
    assert report["W1"] == pytest.approx(1 / 3, rel=1e-6)
    assert report["W2"] == pytest.approx(1.0, rel=1e-6)
    assert report["b1"] == 1.0
    assert report["b2"] < 1e-7


def test_numeric_gradients_of_logistic_regression_match_the_formula():
    """One sigmoid neuron with binary cross-entropy: ∂C/∂W = (a − y)ᵀ X / N, ∂C/∂b = Σ (a − y) / N."""
    net = Network([3, 1], activation="sigmoid", seed=1)
    net.biases[0][:] = 0.2
    rng = np.random.default_rng(7)
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 1)).astype(float)
    before = [p.copy() for p in net.weights + net.biases]
    nWs, nbs = network_numeric_gradients(net, X, Y, "bce")
    a = sigmoid(X @ net.weights[0].T + net.biases[0])
    np.testing.assert_allclose(nWs[0], (a - Y).T @ X / len(X), rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(nbs[0], (a - Y).sum(axis=0) / len(X), rtol=1e-7, atol=1e-10)
    for p, p0 in zip(net.weights + net.biases, before):
        np.testing.assert_array_equal(p, p0)  # every parameter put back as it was


# --- agreement_table -----------------------------------------------------------------------------


def test_agreement_table_layout():
    table = agreement_table({"∂E/∂w5": (0.0729, 0.07290001, 0.0729), "∂E/∂b1": (-1.5, -1.5, -1.5)})
    # columns of digits + 6 = 14 characters, right-aligned; names padded to the longest, "quantity"
    assert table.splitlines() == [
        "quantity  " + "         SymPy" + "  finite diff." + "      backprop" + "   largest gap",
        "∂E/∂w5    " + "    0.07290000" + "    0.07290001" + "    0.07290000" + "       1.0e-08",
        "∂E/∂b1    " + "   -1.50000000" + "   -1.50000000" + "   -1.50000000" + "       0.0e+00",
    ]


def test_agreement_table_with_other_methods_and_digits():
    table = agreement_table({"a long quantity name": (1, 2)}, methods=("x", "y"), digits=3)
    # a long name widens the first column; columns of 9 would not fit "largest gap", so they take 13
    assert table.splitlines() == [
        "quantity              " + "            x" + "            y" + "  largest gap",
        "a long quantity name  " + "        1.000" + "        2.000" + "      1.0e+00",
    ]


def test_agreement_table_refuses_a_row_with_the_wrong_number_of_values():
    with pytest.raises(ValueError, match=r"row '∂E/∂w5' has 2 values; expected one per method "
                                         r"\('SymPy', 'finite diff\.', 'backprop'\)"):
        agreement_table({"∂E/∂w1": (1.0, 1.0, 1.0), "∂E/∂w5": (1.0, 1.0)})
    with pytest.raises(ValueError, match=r"row 'q' has 3 values; expected one per method \('a', 'b'\)"):
        agreement_table({"q": (1.0, 2.0, 3.0)}, methods=("a", "b"))


def test_a_dropout_network_in_training_mode_needs_fixed_masks():
    """Fresh masks at every evaluation would make finite differences measure noise: a clear error instead."""
    net = Network([3, 4, 2], activation="tanh", output_activation="linear", dropout=0.5, seed=0)
    X, Y = np.ones((2, 3)), np.zeros((2, 2))
    with pytest.raises(ValueError, match="masks=.*net.eval"):
        gradient_check(net, X, Y, "mse")
    net.feedforward(X)  # draws and stores one mask per hidden layer
    assert max(gradient_check(net, X, Y, "mse", masks=net.masks).values()) < 1e-6
    assert max(gradient_check(net.eval(), X, Y, "mse").values()) < 1e-6


def test_numeric_gradients_of_a_cost_that_reads_its_arrays():
    """cost = ½‖A‖² + Σ B³ has gradients A and 3B² (by hand); the arrays are left as they were."""
    A, B = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.3, -1.1])
    before = A.copy(), B.copy()
    gA, gB = numeric_gradients(lambda: 0.5 * np.sum(A**2) + np.sum(B**3), [A, B])
    assert np.allclose(gA, A, atol=1e-8) and np.allclose(gB, 3 * B**2, atol=1e-8)
    assert np.array_equal(A, before[0]) and np.array_equal(B, before[1])
