"""Headless tests of the calculus widgets (notebooks 01-03).

Each widget is driven from Python (slider values set, dropdowns changed) and its readout is
compared with numbers computed independently: SymPy derivatives, hand-derived closed forms and
central differences. The pure readout functions named in the notebooks' browser-test cells are
checked against the live widgets.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import sympy as sp

from nncourse.activations import Sigmoid
from nncourse.optim import SGD
from nncourse.widgets import derivatives as dw
from nncourse.widgets import descent as gd
from nncourse.widgets import gradient as gw

X = sp.Symbol("x", real=True)
NUMBER = r"(-?\d+\.\d+(?:e[+-]\d+)?)"


def numbers(html: str) -> list[float]:
    """Every decimal number in a readout, in order."""
    return [float(s) for s in re.findall(NUMBER, html)]


# --- notebook 01: derivatives ------------------------------------------------------------------


@pytest.mark.parametrize("name", list(dw.CURVES))
def test_each_hand_derived_derivative_equals_sympy(name):
    c = dw.CURVES[name]
    expr = sp.sympify(c.sympy, locals={"x": X})
    f = sp.lambdify(X, expr, "numpy")
    df = sp.lambdify(X, sp.diff(expr, X), "numpy")
    xs = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(c.f(xs), f(xs), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(c.df(xs), df(xs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("value", [-2.3, -1.0, 0.0, 0.7, 1.0, 2.9])
def test_tangent_widget_readout_follows_the_slider_and_matches_sympy(value):
    w = dw.tangent_explorer()
    w.slider.value = value
    assert w.readout.value == dw.tangent_readout(w.slider.value)
    fx, slope, *_ = numbers(w.readout.value.split("</b> at x = ")[1].split("=", 1)[1])
    expr = sp.sin(X**2)
    assert f"{fx:.6f}" == dw.num(float(expr.subs(X, sp.Rational(str(value)))))
    assert f"{slope:.6f}" == dw.num(float(sp.diff(expr, X).subs(X, sp.Rational(str(value)))))
    assert "nncourse-readout" in w.readout._dom_classes


def test_tangent_widget_follows_the_dropdown():
    w = dw.tangent_explorer(x=0.0)
    w.function.value = "e²·sin(x)"
    assert w.readout.value == dw.readout_html(0.0, "e²·sin(x)")
    assert "<b>7.389056</b>" in w.readout.value  # e² cos 0 = e²
    assert f"{math.exp(2):.6f}" == "7.389056"


def test_readout_snaps_float_noise_to_the_slider_grid():
    assert dw.snap(0.1 * 3) == 0.3
    assert dw.tangent_readout(0.1 * 3) == dw.tangent_readout(0.3)
    assert dw.snap(-0.04) == 0.0 and math.copysign(1, dw.snap(-0.04)) == 1.0


@pytest.mark.parametrize("name", list(dw.CURVES))
def test_tangent_line_touches_the_curve_with_the_central_difference_slope(name):
    for x in (-1.7, 0.3, 2.2):
        fx, slope, intercept = dw.tangent(name, x)
        assert slope * x + intercept == pytest.approx(fx, abs=1e-12)
        assert slope == pytest.approx(dw.central_difference(dw.CURVES[name].f, x, 1e-5), rel=1e-7, abs=1e-8)


def test_secant_slopes_of_x_squared_are_2x_plus_h():
    c = dw.curve("x²")
    for h, slope, gap in dw.secant_table(c.f, c.df, 3.0):
        assert slope == pytest.approx(6.0 + h, abs=1e-9)
        assert gap == pytest.approx(h, abs=1e-9)


def test_sigmoid_curve_matches_nncourse():
    zs = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(dw.CURVES["σ(x)"].df(zs), Sigmoid().derivative(zs), rtol=1e-12, atol=1e-15)


def test_unknown_curve_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown curve"):
        dw.readout_html(1.0, "cos(x)")


# --- notebook 02: partial derivatives and the gradient ------------------------------------------


def test_gradient_widget_starts_at_the_corrected_example():
    w = gw.gradient_explorer()
    assert (w.slider.value, w.y_slider.value) == (3.0, -3.0)
    assert w.readout.value == gw.point_readout(3.0)
    vals = numbers(w.readout.value)
    # (x, y), f, ∇f, |∇f|: f(3, −3) = 0 (not 9), ∇f = (3, 3), |∇f| = 3√2
    assert vals[:6] == [3.0, -3.0, 0.0, 3.0, 3.0, float(f"{3 * math.sqrt(2):.6f}")]


@pytest.mark.parametrize("px, py", [(0.5, -1.2), (-2.0, 3.7), (1.3, 0.0), (-0.1, -4.0)])
def test_gradient_widget_readout_matches_sympy(px, py):
    x, y = sp.symbols("x y", real=True)
    f = x * y + x**2
    w = gw.gradient_explorer()
    w.slider.value, w.y_slider.value = px, py
    assert w.readout.value == gw.readout_html(w.slider.value, w.y_slider.value)
    at = {x: sp.Rational(str(px)), y: sp.Rational(str(py))}
    vals = numbers(w.readout.value)
    assert vals[2] == float(gw.num(float(f.subs(at))))
    assert vals[3] == float(gw.num(float(sp.diff(f, x).subs(at))))
    assert vals[4] == float(gw.num(float(sp.diff(f, y).subs(at))))


def test_point_readout_is_the_widget_with_y_left_at_minus_3():
    w = gw.gradient_explorer()
    for value in (-4.0, -0.5, 1.5, 4.0):
        w.slider.value = value
        assert w.readout.value == gw.point_readout(value)


def test_flat_point_is_reported():
    assert "flat point" in gw.readout_html(0.0, 0.0)


@pytest.mark.parametrize("px, py", [(3.0, -3.0), (-1.5, 2.0), (0.4, 0.9)])
def test_steepest_slope_is_along_the_gradient(px, py):
    gx, gy = gw.grad_f(px, py)
    angles, slopes = gw.directional_scan(gw.f, px, py, n=7200)
    best = angles[np.argmax(slopes)]
    expected = math.atan2(gy, gx) % (2 * math.pi)
    gap = abs((best - expected + math.pi) % (2 * math.pi) - math.pi)
    assert gap <= math.pi / 7200 + 1e-12
    assert slopes.max() == pytest.approx(math.hypot(gx, gy), rel=1e-7)
    assert slopes.min() == pytest.approx(-math.hypot(gx, gy), rel=1e-7)
    formula = [gw.directional_derivative((gx, gy), a) for a in angles[::97]]
    np.testing.assert_allclose(slopes[::97], formula, atol=1e-7)


# --- notebook 03: gradient descent ---------------------------------------------------------------


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


# --- the notebooks' browser-test cells point at these functions -----------------------------------


@pytest.mark.parametrize("notebook, module", [
    ("01_derivatives.ipynb", dw), ("02_partial_derivatives.ipynb", gw), ("03_gradient_descent.ipynb", gd)])
def test_browser_test_cells_name_a_real_slider_and_readout(notebook, module):
    import importlib
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "notebooks" / notebook
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if "browser-test" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    meta = cells[0]["metadata"]["nncourse"]
    module_name, function_name = meta["readout"].split(":")
    assert importlib.import_module(module_name) is module
    readout = getattr(module, function_name)
    source = "".join(cells[0]["source"])
    assert f'"{meta["slider"]}"' in source
    explorer = next(v for k, v in vars(module).items() if k.endswith("_explorer"))(meta["slider"])
    assert explorer.slider.description == meta["slider"]
    assert explorer.readout.value == readout(explorer.slider.value)
