"""Headless tests of nncourse.widgets.optimizers (notebook 10, optimizers and learning-rate schedules)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from widget_helpers import check_readout_follows

from nncourse.gradcheck import numeric_gradient
from nncourse.optim import SGD, Adam, Momentum, RMSprop
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
    """The four update rules written out with Python floats, coordinate by coordinate."""
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
    # RMSProp (torch's alpha = 0.99, no bias correction)
    x, s = list(opw.START), [0.0, 0.0]
    path = [tuple(x)]
    for _ in range(steps):
        g = [c[i] * x[i] for i in range(2)]
        s = [0.99 * s[i] + 0.01 * g[i] ** 2 for i in range(2)]
        x = [x[i] - 0.05 * g[i] / (math.sqrt(s[i]) + 1e-8) for i in range(2)]
        path.append(tuple(x))
    out["RMSProp"] = path
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
    assert set(paths) == {"SGD", "Momentum", "RMSProp", "Adam"}
    for name, path in paths.items():
        assert path.shape == (opw.STEPS + 1, 2)
        assert np.allclose(path[:6], np.array(hand[name]), rtol=0, atol=1e-12), name


def test_first_steps_known_values():
    paths = opw.bowl_paths()
    # SGD: θ ← (1 − 0.07 c) θ = (0.93·(−4), −0.75·1)
    assert np.allclose(paths["SGD"][1], [-3.72, -0.75])
    # Momentum's first step equals SGD's (v_1 = g_1)
    assert np.allclose(paths["Momentum"][1], paths["SGD"][1])
    # RMSProp's first step is lr·g/(√(0.01 g²) + eps) ≈ 10·lr = 0.5 per coordinate (no bias correction)
    assert np.allclose(paths["RMSProp"][1], [-4.0 + 0.5, 1.0 - 0.5], atol=1e-9)
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
    assert isinstance(opts["RMSProp"], RMSprop) and (opts["RMSProp"].lr, opts["RMSProp"].alpha) == (0.05, 0.99)


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
    assert w.slider.description == "step" and (w.slider.min, w.slider.max) == (0, opw.STEPS)
    check_readout_follows(w, opw.path_readout, 12)
