"""SymPy helpers for the calculus notebooks: derive, then check numerically.

SymPy is imported inside each function, so ``import nncourse`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .gradcheck import central_difference


def symbols(names: str):
    """``symbols("x y")`` -> real SymPy symbols (x, y)."""
    import sympy as sp

    return sp.symbols(names, real=True)


def derivative(expr, *variables):
    """The simplified derivative of ``expr`` (a SymPy expression or a string)."""
    import sympy as sp

    expr = sp.sympify(expr)
    return sp.simplify(sp.diff(expr, *variables))


def gradient(expr, variables):
    """The list of partial derivatives of ``expr``, one per variable."""
    return [derivative(expr, v) for v in variables]


def to_function(expr, variables) -> Callable:
    """A numpy function of ``variables`` computing ``expr``."""
    import sympy as sp

    return sp.lambdify(variables, expr, modules="numpy")


def same(expr_a, expr_b) -> bool:
    """True when SymPy proves the two expressions equal (their difference simplifies to 0)."""
    import sympy as sp

    return sp.simplify(sp.sympify(expr_a) - sp.sympify(expr_b)) == 0


def check_derivative(expr, variable, claimed, points, rtol: float = 1e-6) -> dict[str, bool]:
    """Check a claimed derivative of ``expr`` two ways at ``points`` (backprop, the third, needs a network).

    Returns ``{"sympy": ..., "finite_difference": ...}``: the claim equals
    SymPy's derivative symbolically, and it matches a central difference
    of ``expr`` at every point.
    """
    import sympy as sp

    expr, claimed = sp.sympify(expr), sp.sympify(claimed)
    f = to_function(expr, variable)
    d = to_function(claimed, variable)
    numeric = all(
        np.isclose(d(x), central_difference(f, x), rtol=rtol, atol=1e-8) for x in np.atleast_1d(points)
    )
    return {"sympy": same(sp.diff(expr, variable), claimed), "finite_difference": bool(numeric)}


def sympy_activation(name: str, z):
    """The SymPy expression of an activation from :mod:`nncourse.activations`."""
    import sympy as sp

    table = {
        "sigmoid": 1 / (1 + sp.exp(-z)),
        "tanh": sp.tanh(z),
        "relu": sp.Piecewise((z, z > 0), (0, True)),
        "linear": z,
    }
    return table[name]
