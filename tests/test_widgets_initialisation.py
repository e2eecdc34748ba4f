"""Headless tests of nncourse.widgets.initialisation (notebook 11, activations, initialisation and over-fitting)."""

from __future__ import annotations

import numpy as np
import pytest
from widget_helpers import check_readout_follows

from nncourse import Network, train
from nncourse.gradcheck import numeric_gradient
from nncourse.widgets import initialisation as ini

# -- initialisation: gradient norms -------------------------------------------


def test_deep_network_shape():
    net = ini.deep_network("tanh", 10)
    assert net.sizes == [16] + [32] * 9 + [4]
    assert ini.deep_network("relu", 2).sizes == [16, 32, 4]


def test_gradient_norms_match_numeric_gradient():
    # The norms come from backprop; compare the first layer's gradient with finite differences.
    X, Y = ini.probe_batch()
    net = ini.deep_network("sigmoid", 3)
    W0 = net.weights[0]

    def cost(values):
        saved = W0.copy()
        W0[...] = values
        c = net.loss(X, Y, "mse")
        W0[...] = saved
        return c

    numeric = numeric_gradient(cost, W0.copy(), eps=1e-6)
    norms = ini.gradient_norms("sigmoid", 3)
    assert norms.shape == (3,)
    assert norms[0] == pytest.approx(np.linalg.norm(numeric), rel=1e-5)


def test_sigmoid_gradients_vanish_and_relu_do_not():
    sig = ini.gradient_norms("sigmoid", 10)
    relu = ini.gradient_norms("relu", 10)
    assert sig[0] / sig[-1] < 1e-4
    assert np.all(np.diff(sig) > 0)  # smaller layer by layer towards the input
    assert relu[0] / relu[-1] > 0.05


@pytest.mark.parametrize("depth", [2, 5, 10])
def test_gradient_readout(depth):
    html = ini.gradient_readout(depth)
    assert html == ini.gradient_readout(depth)
    assert f"depth {depth}" in html
    for act in ini.ACTIVATIONS:
        n = ini.gradient_norms(act, depth)
        assert act in html
        assert f"<td>{n[0]:.1e}</td>" in html
        assert f"<b>{n[0] / n[-1]:.1e}</b>" in html
    assert html.count("<th>W<sup>(") == depth
    assert "<th>W<sup>(1)</sup></th>" in html and f"<th>W<sup>({depth})</sup></th>" in html  # layers 1..L
    assert "<th>W<sup>(0)</sup></th>" not in html


@pytest.mark.parametrize("bad", [1, 11, 3.5])
def test_gradient_readout_rejects_bad_depth(bad):
    with pytest.raises(ValueError):
        ini.gradient_readout(bad)


def test_gradient_widget_readout_follows_slider():
    check_readout_follows(ini.gradient_widget(description="depth", value=4), ini.gradient_readout, 7)


# -- initialisation: variance and symmetry -------------------------------------


def test_activation_spread_he_keeps_relu_variance():
    he = ini.activation_spread("relu", "he")
    xavier = ini.activation_spread("relu", "xavier")
    assert he.shape == xavier.shape == (10,)
    assert 0.5 < he[-1] < 2.0
    assert xavier[-1] < 0.01


def test_activation_spread_first_layer_by_hand():
    X = np.random.default_rng(0).normal(size=(500, 100))
    net = Network([100] * 11, activation="tanh", init="xavier", seed=0)
    expected = np.tanh(X @ net.weights[0].T + net.biases[0]).var()
    assert ini.activation_spread("tanh", "xavier")[0] == pytest.approx(expected, rel=1e-12)


def test_equal_weights_never_break_symmetry():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 5)), rng.integers(0, 3, size=40)
    net = ini.constant_network([5, 4, 3], value=0.1)
    assert all(np.all(W == 0.1) for W in net.weights)
    train(net, X, y, loss="cross_entropy", lr=0.5, epochs=5, batch_size=8)
    assert ini.max_unit_difference(net) == 0.0
    assert not np.allclose(net.weights[0], 0.1)  # it did change, all units alike


def test_random_weights_differ_and_max_unit_difference_by_hand():
    net = Network([2, 3, 1], seed=0)
    net.weights[0] = np.array([[1.0, 2.0], [1.0, 2.5], [0.0, 2.0]])
    net.biases[0] = np.array([0.0, 0.0, 0.3])
    net.weights[1] = np.array([[1.0, 1.0, 1.0]])
    assert ini.max_unit_difference(net) == 1.0
    net.weights[1] = np.array([[1.0, 1.0, -1.5]])
    assert ini.max_unit_difference(net) == 2.5
