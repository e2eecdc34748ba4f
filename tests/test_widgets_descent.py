"""Headless tests of nncourse.widgets.descent (notebook 03, gradient descent).

The learning-rate widget is driven from Python (slider values set) and its readout is compared with
numbers computed independently: hand-derived closed forms, SymPy and the descent paths themselves.
The pure readout function named in the notebook's browser-test cell is checked against the live widget.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from widget_helpers import check_browser_cell_names_a_real_slider_and_readout, numbers

from nncourse.optim import SGD
from nncourse.widgets import descent as gd


def test_seed_step_on_the_parabola():
    slope = float(gd.parabola_grad(gd.PARABOLA_START))
    assert slope == 2.5
    assert gd.descend(gd.parabola_grad, gd.PARABOLA_START, 0.01, 1)[1] == pytest.approx(1.25 - 0.025, abs=1e-15)
    params = [np.array([1.25])]
    SGD(lr=0.01).step(params, [np.array([2.5])])
    assert params[0][0] == pytest.approx(1.225, abs=1e-15)


@pytest.mark.parametrize("lr", [0.05, 0.3, 0.7, 0.97, 1.04])
def test_paths_follow_the_closed_form(lr):
    t = np.arange(gd.N_STEPS + 1)
    np.testing.assert_allclose(gd.parabola_path(lr), 1.25 * (1 - 2 * lr) ** t, rtol=1e-10, atol=1e-300)
    b = gd.bowl_path(lr)
    np.testing.assert_allclose(b[:, 0], -4.0 * (1 - 0.2 * lr) ** t, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(b[:, 1], 1.5 * (1 - 2 * lr) ** t, rtol=1e-10, atol=1e-300)


def path_behaviour(path) -> str:
    """The regime read off a long path θ_0, θ_1, ... alone (no factor r), for comparison with gd.regime."""
    d = np.asarray(path, dtype=float)
    size, sign = np.abs(d), np.sign(d)
    if np.all(d[1:] == 0):
        return "lands in one step"
    if np.all(size[1:] > size[:-1]):
        return "diverges"
    if np.allclose(size, size[0], rtol=1e-12) and np.all(sign[1:] == -sign[:-1]):
        return "bounces for ever"
    if np.all(size[1:] == size[:-1]):
        return "does not move"
    assert np.all(size[1:] < size[:-1]), "a converging path shrinks at every step"
    if np.all(sign == sign[0]):
        return "converges monotonically"
    assert np.all(sign[1:] == -sign[:-1]), "an oscillating path changes sign at every step"
    return "converges, oscillating"


@pytest.mark.parametrize("step", list(range(0, 111)))
def test_regime_from_r_matches_what_the_path_does(step):
    lr = round(step * 0.01, 2)
    for curvature, start in ((gd.PARABOLA_K, gd.PARABOLA_START), (gd.BOWL_K[0], gd.BOWL_START[0])):
        r = gd.factor(lr, curvature)
        assert r == pytest.approx(1 - lr * curvature, abs=1e-15)
        path = gd.descend(lambda t, k=curvature: k * t, start, lr, 40)
        assert gd.regime(r) == path_behaviour(path), (lr, curvature)
    assert gd.parabola_regime(lr) == gd.regime(1 - 2 * lr)
    assert gd.bowl_regimes(lr) == (gd.regime(1 - 0.2 * lr), gd.regime(1 - 2 * lr))


def test_regime_boundaries_and_bad_input():
    assert gd.regime(-1.0) == "bounces for ever"
    assert gd.regime(0.0) == "lands in one step"
    assert gd.regime(1.0) == "does not move"
    assert gd.regime(-1.0001) == "diverges" and gd.regime(1.5) == "diverges"
    assert gd.regime(-0.9999) == "converges, oscillating" and gd.regime(0.9999) == "converges monotonically"
    assert gd.regime(-1.0 + 1e-15) == "bounces for ever"  # rounding of 1 − lr·k is absorbed
    with pytest.raises(ValueError, match="finite number"):
        gd.regime(float("nan"))
    assert set(gd.REGIMES) == {gd.regime(r) for r in (1.0, 0.5, 0.0, -0.5, -1.0, 2.0)}


@pytest.mark.parametrize("r", [0.98, 0.4, -0.94, -0.5, 0.0005, 0.0, -1.0, 1.0, 1.06])
def test_steps_needed_is_the_first_step_within_tol(r):
    brute = next((t for t in range(1, 5000) if abs(r) ** t <= gd.TOL), None)
    assert gd.steps_needed(r) == brute
    if brute is not None:  # and a real run arrives exactly then
        path = gd.descend(lambda t: (1 - r) * t, 1.0, 1.0, brute)
        assert abs(path[brute]) <= gd.TOL and (brute == 1 or abs(path[brute - 1]) > gd.TOL)


def test_the_50_step_horizon_no_longer_decides_the_label():
    # lr = 0.97: r = −0.94, still 0.056663 away after 50 steps, but converging (112 steps)
    assert gd.fmt(gd.parabola_position(0.97)) == "0.056663"
    assert gd.parabola_regime(0.97) == "converges, oscillating"
    assert gd.steps_needed(gd.factor(0.97, 2.0)) == 112
    assert gd.parabola_regime(0.01) == "converges monotonically"


def test_learning_rate_widget_readout_follows_the_slider():
    w = gd.learning_rate_explorer()
    for lr in (0.01, 0.3, 0.5, 0.97, 1.0, 1.1):
        w.slider.value = lr
        assert w.readout.value == gd.lr_readout(w.slider.value)
        vals = numbers(w.readout.value)
        theta = 1.25 * (1 - 2 * lr) ** gd.N_STEPS
        assert vals[0] == lr
        assert gd.fmt(theta) in w.readout.value
        assert gd.fmt(-4.0 * (1 - 0.2 * lr) ** gd.N_STEPS) in w.readout.value
        assert f"<b>{gd.describe(1 - 2 * lr)}</b>" in w.readout.value
        assert f"<b>{gd.describe(1 - 0.2 * lr)}</b>" in w.readout.value
    assert "bounces for ever" in gd.lr_readout(1.0) and "diverges" in gd.lr_readout(1.1)
    assert "(112 steps to 0.1%)" in gd.lr_readout(0.97)
    assert gd.lr_readout(0.1 * 3) == gd.lr_readout(0.3)


def test_threshold_is_2_over_k_by_sympy():
    eta, k = sp.symbols("eta k", positive=True)
    solution = sp.reduce_inequalities([sp.Abs(1 - eta * k) < 1], [eta])
    assert solution == (eta < 2 / k)
    assert gd.threshold(gd.PARABOLA_K) == 1.0
    assert gd.threshold(max(gd.BOWL_K)) == 1.0


def test_two_minima_start_decides_the_valley():
    th = sp.Symbol("theta", real=True)
    cost = th**4 - 3 * th**2 + th
    dcost = sp.lambdify(th, sp.diff(cost, th))
    ts = np.linspace(-2, 2, 41)
    np.testing.assert_allclose(gd.two_minima_grad(ts), dcost(ts), rtol=1e-12, atol=1e-12)
    roots = sorted(float(r) for r in sp.Poly(sp.diff(cost, th), th).nroots())
    left = gd.descend(gd.two_minima_grad, 0.0, 0.05, 100)[-1]
    right = gd.descend(gd.two_minima_grad, 0.5, 0.05, 100)[-1]
    assert left == pytest.approx(roots[0], abs=1e-9)
    assert right == pytest.approx(roots[2], abs=1e-9)
    assert float(cost.subs(th, roots[0])) < float(cost.subs(th, roots[2]))


# --- the notebook's browser-test cell points at these functions ---------------------------------------


@pytest.mark.parametrize("notebook, module", [("03_gradient_descent.ipynb", gd)])
def test_browser_test_cells_name_a_real_slider_and_readout(notebook, module):
    check_browser_cell_names_a_real_slider_and_readout(notebook, module)
