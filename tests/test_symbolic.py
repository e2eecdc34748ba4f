"""The SymPy helpers the calculus notebooks rely on."""

import math

import sympy as sp

from nncourse import symbolic


def test_check_derivative_accepts_right_and_rejects_wrong_claims():
    x = sp.Symbol("x", real=True)
    expr = sp.exp(2) * sp.sin(x)
    assert symbolic.check_derivative(expr, x, sp.exp(2) * sp.cos(x), [0.0, 1.3]) == {
        "sympy": True, "finite_difference": True}
    assert symbolic.check_derivative(expr, x, sp.exp(2) * sp.sin(x), [0.0, 1.3]) == {
        "sympy": False, "finite_difference": False}
    assert float(symbolic.derivative(expr, x).subs(x, 0)) == math.exp(2)


def test_gradient_of_the_corrected_partials_example():
    x, y = symbolic.symbols("x y")
    f = x * y + x**2
    assert f.subs({x: 3, y: -3}) == 0  # the seed's 9 is wrong
    assert [g.subs({x: 3, y: -3}) for g in symbolic.gradient(f, [x, y])] == [3, 3]


def test_sympy_activation_matches_nncourse():
    import numpy as np

    from nncourse.activations import Sigmoid

    z = sp.Symbol("z", real=True)
    f = symbolic.to_function(sp.diff(symbolic.sympy_activation("sigmoid", z), z), z)
    points = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(f(points), Sigmoid().derivative(points), rtol=1e-12)
    sigma = symbolic.sympy_activation("sigmoid", z)
    assert symbolic.same(sp.diff(sigma, z), sigma * (1 - sigma))


def test_central_difference_is_second_order():
    err_h = abs(symbolic.central_difference(math.sin, 1.0, 1e-2) - math.cos(1.0))
    err_h2 = abs(symbolic.central_difference(math.sin, 1.0, 5e-3) - math.cos(1.0))
    assert 3.5 < err_h / err_h2 < 4.5  # halving h quarters the error
