"""Headless tests of nncourse.widgets.gradient (notebook 02, partial derivatives and the gradient).

The gradient widget is driven from Python (slider values set) and its readout is compared with
numbers computed independently: SymPy partial derivatives and a fine scan of directional slopes.
The pure readout function named in the notebook's browser-test cell is checked against the live widget.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from widget_helpers import check_browser_cell_names_a_real_slider_and_readout, numbers

from nncourse.widgets import gradient as gw


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


# --- the notebook's browser-test cell points at these functions ---------------------------------------


@pytest.mark.parametrize("notebook, module", [("02_partial_derivatives.ipynb", gw)])
def test_browser_test_cells_name_a_real_slider_and_readout(notebook, module):
    check_browser_cell_names_a_real_slider_and_readout(notebook, module)
