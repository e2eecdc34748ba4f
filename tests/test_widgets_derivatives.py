"""Headless tests of nncourse.widgets.derivatives (notebook 01, derivatives and the chain rule).

The tangent widget is driven from Python (slider values set, dropdown changed) and its readout is
compared with numbers computed independently: SymPy derivatives and central differences. The pure
readout function named in the notebook's browser-test cell is checked against the live widget.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from widget_helpers import check_browser_cell_names_a_real_slider_and_readout, numbers

from nncourse.activations import Sigmoid
from nncourse.widgets import derivatives as dw

X = sp.Symbol("x", real=True)


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


# --- the notebook's browser-test cell points at these functions ---------------------------------------


@pytest.mark.parametrize("notebook, module", [("01_derivatives.ipynb", dw)])
def test_browser_test_cells_name_a_real_slider_and_readout(notebook, module):
    check_browser_cell_names_a_real_slider_and_readout(notebook, module)
