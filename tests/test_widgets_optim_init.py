"""Headless tests of nncourse.widgets.optimizers (notebook 10) and .initialisation (notebook 11)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nncourse import Network, train
from nncourse.gradcheck import numeric_gradient
from nncourse.optim import SGD, Adam, Momentum
from nncourse.widgets import initialisation as ini
from nncourse.widgets import optimizers as opw

# -- optimizers: surfaces ----------------------------------------------------


@pytest.mark.parametrize("point", [(-4.0, 1.0), (0.3, -0.7), (1.5, 2.2)])
def test_surface_gradients_match_finite_differences(point):
    p = np.array(point)
    for loss, grad in ((opw.bowl_loss, opw.bowl_grad), (opw.rosenbrock_loss, opw.rosenbrock_grad)):
        numeric = numeric_gradient(lambda q, f=loss: float(f(q)), p.copy(), eps=1e-6)
        assert np.allclose(grad(p), numeric, rtol=1e-6, atol=1e-6)


def test_surface_values_by_hand():
    assert opw.bowl_loss(np.array([-4.0, 1.0])) == pytest.approx(0.5 * (16 + 25))
    assert opw.rosenbrock_loss(np.array([1.0, 1.0])) == 0.0
    assert opw.rosenbrock_loss(np.array([-1.5, 2.0])) == pytest.approx(2.5**2 + 100 * (2 - 2.25) ** 2)


# -- optimizers: paths against hand-written updates ---------------------------


def _hand_paths(steps: int) -> dict[str, list[tuple[float, float]]]:
    """The three update rules written out with Python floats, coordinate by coordinate."""
    c = (1.0, 25.0)
    out = {}
    # SGD
    x = list(opw.START)
    path = [tuple(x)]
    for _ in range(steps):
        x = [x[i] - 0.07 * c[i] * x[i] for i in range(2)]
        path.append(tuple(x))
    out["SGD"] = path
    # Momentum, v_1 = g_1
    x, v = list(opw.START), [0.0, 0.0]
    path = [tuple(x)]
    for t in range(1, steps + 1):
        g = [c[i] * x[i] for i in range(2)]
        v = g if t == 1 else [0.8 * v[i] + g[i] for i in range(2)]
        x = [x[i] - 0.07 * v[i] for i in range(2)]
        path.append(tuple(x))
    out["Momentum"] = path
    # Adam
    x, m, s = list(opw.START), [0.0, 0.0], [0.0, 0.0]
    path = [tuple(x)]
    for t in range(1, steps + 1):
        g = [c[i] * x[i] for i in range(2)]
        m = [0.9 * m[i] + 0.1 * g[i] for i in range(2)]
        s = [0.999 * s[i] + 0.001 * g[i] ** 2 for i in range(2)]
        x = [x[i] - 0.2 * (m[i] / (1 - 0.9**t)) / (math.sqrt(s[i] / (1 - 0.999**t)) + 1e-8) for i in range(2)]
        path.append(tuple(x))
    out["Adam"] = path
    return out


def test_bowl_paths_match_hand_written_updates():
    paths = opw.bowl_paths()
    hand = _hand_paths(5)
    assert set(paths) == {"SGD", "Momentum", "Adam"}
    for name, path in paths.items():
        assert path.shape == (opw.STEPS + 1, 2)
        assert np.allclose(path[:6], np.array(hand[name]), rtol=0, atol=1e-12), name


def test_first_steps_known_values():
    paths = opw.bowl_paths()
    # SGD: θ ← (1 − 0.07 c) θ = (0.93·(−4), −0.75·1)
    assert np.allclose(paths["SGD"][1], [-3.72, -0.75])
    # Momentum's first step equals SGD's (v_1 = g_1)
    assert np.allclose(paths["Momentum"][1], paths["SGD"][1])
    # Adam's first step is lr·g/(|g| + eps): 0.2 per coordinate, against the gradient's sign
    assert np.allclose(paths["Adam"][1], [-4.0 + 0.2, 1.0 - 0.2], atol=1e-9)


def test_bowl_paths_are_copies():
    a = opw.bowl_paths()
    a["SGD"][:] = 0.0
    assert opw.bowl_paths()["SGD"][0, 0] == opw.START[0]


def test_optimizer_path_on_quadratic_matches_hand():
    path = opw.optimizer_path(Momentum(0.1, 0.9), lambda p: 2 * p, start=(1.0, -2.0), steps=3)
    assert np.allclose(path[:, 0], [1.0, 0.8, 0.46, 0.062])
    assert np.allclose(path[:, 1], [-2.0, -1.6, -0.92, -0.124])
    path = opw.optimizer_path(SGD(0.1), lambda p: 2 * p, start=(1.0, 1.0), steps=3)
    assert np.allclose(path[:, 0], [1.0, 0.8, 0.64, 0.512])
    path = opw.optimizer_path(Adam(0.1), lambda p: 2 * p, start=(1.0, 1.0), steps=2)
    assert path[2, 0] == pytest.approx(0.800412229, abs=1e-9)


def test_settings_and_default_optimizers_agree():
    opts = opw.default_optimizers()
    assert isinstance(opts["SGD"], SGD) and opts["SGD"].lr == 0.07
    assert isinstance(opts["Momentum"], Momentum) and opts["Momentum"].mu == 0.8
    assert isinstance(opts["Adam"], Adam) and opts["Adam"].lr == 0.2


# -- optimizers: readout and widget ------------------------------------------


@pytest.mark.parametrize("step", [0, 1, 17, opw.STEPS])
def test_path_readout_shows_positions_and_losses(step):
    html = opw.path_readout(step)
    assert html == opw.path_readout(step)  # pure
    assert f"after step {step}" in html
    for name, path in opw.bowl_paths().items():
        assert name in html
        assert f"{path[step, 0]:+.4f}" in html
        assert f"{path[step, 1]:+.4f}" in html
        assert f"{opw.bowl_loss(path[step]):.6f}" in html


@pytest.mark.parametrize("bad", [-1, opw.STEPS + 1, 2.5])
def test_path_readout_rejects_bad_steps(bad):
    with pytest.raises(ValueError):
        opw.path_readout(bad)


def test_path_widget_readout_follows_slider():
    w = opw.path_widget(description="step", value=0)
    assert "nncourse-readout" in w.readout._dom_classes
    assert w.slider.description == "step" and (w.slider.min, w.slider.max) == (0, opw.STEPS)
    w.slider.value = 12
    assert w.readout.value == opw.path_readout(12)
    assert w.picture.value[:4] == b"\x89PNG"


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
    w = ini.gradient_widget(description="depth", value=4)
    assert "nncourse-readout" in w.readout._dom_classes
    w.slider.value = 7
    assert w.readout.value == ini.gradient_readout(7)


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
