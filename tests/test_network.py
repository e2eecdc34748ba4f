"""Network: the shape contract, initialisation, and backprop against finite differences."""

import numpy as np
import pytest

from nncourse import Network
from nncourse.gradcheck import gradient_check, network_numeric_gradients, relative_error

ARCHITECTURES = [
    ([2, 2, 2], "sigmoid", "sigmoid"),
    ([3, 5, 4, 2], "tanh", "sigmoid"),
    ([4, 6, 3], "relu", "sigmoid"),
    ([3, 4, 4, 3], "leaky_relu", "softmax"),
    ([5, 3], "sigmoid", "sigmoid"),
]
LOSSES = ["mse", "half_sse", "mae", "bce", "cross_entropy"]


def data(sizes, loss, seed=0, batch=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(batch, sizes[0]))
    if loss == "cross_entropy":
        return X, rng.integers(0, sizes[-1], batch)
    return X, rng.uniform(0.05, 0.95, size=(batch, sizes[-1]))


@pytest.mark.parametrize("sizes, activation, output", ARCHITECTURES)
@pytest.mark.parametrize("loss", LOSSES)
def test_backprop_matches_finite_differences(sizes, activation, output, loss):
    if loss == "cross_entropy":
        output = "linear"
    net = Network(sizes, activation=activation, output_activation=output, seed=3)
    for b in net.biases:  # non-zero biases, so that their gradients are tested too
        b += np.random.default_rng(4).normal(scale=0.1, size=b.shape)
    X, Y = data(sizes, loss)
    report = gradient_check(net, X, Y, loss)
    assert max(report.values()) < 1e-6, report


def test_gradients_have_the_parameters_shapes_and_use_the_mean_over_the_batch():
    net = Network([3, 4, 2], seed=0)
    X, Y = data([3, 4, 2], "mse", batch=8)
    dWs, dbs = net.gradients(X, Y, "half_sse")
    assert [d.shape for d in dWs] == [(4, 3), (2, 4)] and [d.shape for d in dbs] == [(4,), (2,)]
    # The batch gradient is the mean of the per-example gradients.
    per_example = [net.gradients(X[i : i + 1], Y[i : i + 1], "half_sse") for i in range(8)]
    for layer in range(2):
        np.testing.assert_allclose(dWs[layer], np.mean([g[0][layer] for g in per_example], axis=0))
        np.testing.assert_allclose(dbs[layer], np.mean([g[1][layer] for g in per_example], axis=0))


def test_forward_is_sigma_of_W_a_plus_b_with_W_as_n_out_by_n_in():
    net = Network([3, 2], activation="sigmoid", seed=0)
    net.weights[0] = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    net.biases[0] = np.array([0.1, -0.2])
    x = np.array([[0.5, -1.0, 2.0]])
    z = np.array([0.5 - 2.0 + 6.0 + 0.1, -0.5 - 0.5 + 0.0 - 0.2])  # by hand
    np.testing.assert_allclose(net.forward(x)[0], 1 / (1 + np.exp(-z)), rtol=1e-15)


def test_weights_are_seeded_and_scaled_by_init():
    first, again = Network([4, 3], seed=5), Network([4, 3], seed=5)
    assert all((a == b).all() for a, b in zip(first.weights, again.weights))
    assert not (Network([4, 3], seed=5).weights[0] == Network([4, 3], seed=6).weights[0]).all()
    big = 400
    xavier = Network([big, big], activation="tanh", init="xavier", seed=0).weights[0]
    he = Network([big, big], activation="relu", seed=0).weights[0]  # "auto" picks He for ReLU
    assert xavier.std() == pytest.approx(np.sqrt(2 / (2 * big)), rel=0.02)
    assert he.std() == pytest.approx(np.sqrt(2 / big), rel=0.02)
    assert all((b == 0).all() for b in Network([3, 4, 2]).biases)


def test_numeric_gradients_do_not_change_the_network():
    net = Network([2, 3, 1], seed=0)
    before = [w.copy() for w in net.weights]
    network_numeric_gradients(net, *data([2, 3, 1], "mse"), "mse")
    assert all((a == b).all() for a, b in zip(before, net.weights))


def test_relative_error():
    assert relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert relative_error([0.0], [0.0]) == 0.0
    assert relative_error([1.0], [-1.0]) == 1.0


def test_predict_and_accuracy():
    net = Network([2, 2], activation="linear", seed=0)
    net.weights[0] = np.eye(2)
    X = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 1.0]])
    assert net.predict(X).tolist() == [0, 1, 0]
    assert net.accuracy(X, np.array([0, 1, 1])) == pytest.approx(2 / 3)
