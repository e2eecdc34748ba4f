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


# -- dropout and the train/eval modes ----------------------------------------------------------------

def fixed_masks(net, batch, seed=0):
    """One inverted-dropout mask per hidden layer (None where p = 0), drawn once."""
    from nncourse.regularisation import dropout_mask

    rng = np.random.default_rng(seed)
    return [dropout_mask((batch, n), p, rng) if p > 0 else None for n, p in zip(net.sizes[1:-1], net.dropout)]


@pytest.mark.parametrize("sizes, activation, dropout, loss", [
    ([3, 5, 2], "sigmoid", 0.5, "mse"),  # sigmoid's f' uses a: it must be a before its mask
    ([3, 6, 4, 2], "tanh", [0.3, 0.0], "bce"),
    ([4, 6, 5, 3], "relu", [0.2, 0.6], "cross_entropy"),
])
def test_dropout_backprop_with_a_fixed_mask_matches_finite_differences(sizes, activation, dropout, loss):
    output = "linear" if loss == "cross_entropy" else "sigmoid"
    net = Network(sizes, activation=activation, output_activation=output, seed=2, dropout=dropout)
    X, Y = data(sizes, loss, batch=7)
    masks = fixed_masks(net, 7)
    assert sum((m == 0).sum() for m in masks if m is not None) > 0  # some units are dropped
    report = gradient_check(net, X, Y, loss, masks=masks)
    assert max(report.values()) < 1e-6, report
    # backprop's default masks are those of the last feedforward
    X, Y, loss = net.check_data(X, Y, loss)
    zs, acts = net.feedforward(X)  # training mode: fresh masks, kept in net.masks
    dWs, dbs = net.backprop(zs, acts, loss.grad(acts[-1], Y))
    for got, expected in zip(dWs + dbs, sum(net.gradients(X, Y, loss, masks=net.masks), [])):
        np.testing.assert_array_equal(got, expected)


def test_dropout_masks_hidden_activations_only():
    net = Network([3, 8, 8, 2], seed=0, dropout=[0.5, 0.25])
    X = data([3, 8, 8, 2], "mse")[0]
    _, acts = net.feedforward(X)
    assert [m.shape for m in net.masks] == [(6, 8), (6, 8)]
    assert set(np.unique(net.masks[0])) == {0.0, 2.0} and set(np.unique(net.masks[1])) <= {0.0, 4 / 3}
    plain = Network([3, 8, 8, 2], seed=0)  # the same weights: dropout does not change their draw
    _, ref = plain.feedforward(X, masks=net.masks)
    np.testing.assert_array_equal(acts[-1], ref[-1])
    assert (acts[1][net.masks[0] == 0] == 0).all()
    assert (acts[3] > 0).all()  # the output (sigmoid) is never dropped


def test_eval_mode_has_no_dropout_and_training_mode_draws_new_masks():
    X = data([3, 10, 2], "mse")[0]
    net, plain = Network([3, 10, 2], seed=4, dropout=0.5), Network([3, 10, 2], seed=4)
    assert net.training and net.train() is net
    first, second = net.forward(X), net.forward(X)
    assert not np.array_equal(first, second)
    assert net.eval() is net and not net.training
    np.testing.assert_array_equal(net.forward(X), plain.forward(X))
    assert net.masks is None
    again = Network([3, 10, 2], seed=4, dropout=0.5)  # seeded: the same masks in the same order
    np.testing.assert_array_equal(again.forward(X), first)


def test_inverted_dropout_output_has_the_eval_output_as_its_mean():
    # One hidden layer and a linear output: z^(2) = W^(2) (m ⊙ a^(1)) + b^(2) is linear in the mask, so
    # E[z^(2)] = W^(2) E[m ⊙ a^(1)] + b^(2) = W^(2) a^(1) + b^(2), the eval output, because E[m] = 1.
    # Var(m) = E[m²] − 1 = 1/(1 − p) − 1 = p/(1 − p), so one draw of z^(2)_j has variance
    # Σ_k (W_jk a_k)² p/(1 − p); the mean of N draws is within 5 standard errors of E with
    # probability above 1 − 6e-7 per entry (and the seed is fixed).
    p, N = 0.4, 20_000
    net = Network([3, 30, 2], activation="tanh", output_activation="linear", seed=1, dropout=p)
    x = data([3, 30, 2], "mse", batch=2)[0]
    eval_out = net.eval().forward(x)
    a1 = np.tanh(x @ net.weights[0].T + net.biases[0])
    outputs = net.train().forward(np.repeat(x, N, axis=0)).reshape(2, N, 2)
    se = np.sqrt(((a1[:, None, :] * net.weights[1][None]) ** 2).sum(axis=2) * p / (1 - p) / N)
    assert (np.abs(outputs.mean(axis=1) - eval_out) < 5 * se).all()
    assert (se < 0.05).all()  # the test has power: N is large enough to see a bias of 0.05


def test_train_leaves_a_dropout_network_in_eval_mode_and_validates_without_dropout():
    from nncourse import train

    X, Y = data([3, 6, 1], "mse", batch=20)
    net = Network([3, 6, 1], seed=0, dropout=0.3)
    h = train(net, X, Y, "mse", lr=0.1, epochs=2, batch_size=5, X_val=X, Y_val=Y)
    assert not net.training
    assert h.val_loss[-1] == net.loss(X, Y, "mse")  # eval mode: deterministic, equal to the recorded value
    assert net.masks is None


@pytest.mark.parametrize("kwargs, message", [
    ({"dropout": 1.0}, r"dropout must be a finite number in \[0, 1\); got 1.0"),
    ({"dropout": -0.1}, r"dropout must be a finite number in \[0, 1\); got -0.1"),
    ({"dropout": [0.5]}, r"dropout must be one probability, or a list with one per hidden layer \(2\); got 1"),
    ({"dropout": [0.5, "x"]}, r"dropout\[1\] must be a finite number in \[0, 1\)"),
])
def test_bad_dropout_gives_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Network([3, 4, 4, 2], **kwargs)


def test_bad_masks_and_modes_give_clear_errors():
    with pytest.raises(ValueError, match="dropout needs a hidden layer"):
        Network([3, 2], dropout=0.5)
    net = Network([3, 4, 2], dropout=0.5)
    X = np.ones((5, 3))
    with pytest.raises(ValueError, match=r"masks\[0\] multiplies a\^\(1\): expected shape \(5, 4\); got \(4, 4\)"):
        net.feedforward(X, masks=[np.ones((4, 4))])
    with pytest.raises(ValueError, match=r"masks must hold one entry per hidden layer \(1\)"):
        net.feedforward(X, masks=[None, None])
    with pytest.raises(TypeError, match="mode must be True or False"):
        net.train("eval")
