"""Section 02, partial derivatives and the gradient."""

from __future__ import annotations

import numpy as np

from ..spec import Bank, Mistake

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    1,
    "f(3, −3) for f(x, y) = xy + x²",
    kind="value",
    mistakes=(
        Mistake(
            "the seed's erratum",
            "substitute both values with their signs: xy is a product of a positive and a negative number",
            lambda: 9.0,
        ),
    ),
    hints=("Substitute x = 3 and y = −3: xy = −9 and x² = 9.",),
)
def f_value():
    """f(3, −3) = 3·(−3) + 3² = 0."""
    return 0.0


@QUESTIONS.ask(
    "q2",
    2,
    "The gradient of f(x, y) = xy + x²",
    cases=({"x": 3.0, "y": -3.0}, {"x": -1.5, "y": 2.0}),
    mistakes=(
        Mistake(
            "partial derivatives swapped",
            "the first entry is ∂f/∂x = y + 2x, the second ∂f/∂y = x",
            lambda x, y: np.array([x, y + 2 * x]),
        ),
        Mistake(
            "minus sign added (the seed's erratum)",
            "the gradient has no minus sign; −∇f is the descent direction",
            lambda x, y: -grad_f(x, y),
        ),
        Mistake(
            "y not held fixed", "∂/∂x of xy is y: hold y fixed, it is a constant", lambda x, y: np.array([2 * x, x])
        ),
    ),
    hints=("For ∂f/∂x treat y as a constant: ∂(xy)/∂x = y, ∂(x²)/∂x = 2x.", "Return np.array([df_dx, df_dy])."),
)
def grad_f(x, y):
    """∇f for f(x, y) = xy + x²: (y + 2x, x), as an array of shape (2,)."""
    return np.array([y + 2 * x, x], dtype=float)


@QUESTIONS.ask(
    "q3",
    2,
    "A partial derivative of Newton's law",
    cases=({"G": 1.0, "m1": 2.0, "m2": 3.0, "r": 2.0}, {"G": 6.674e-11, "m1": 5.97e24, "m2": 7.35e22, "r": 3.84e8}),
    rtol=1e-6,
    atol=0.0,
    mistakes=(
        Mistake("sign error", "F falls as r grows, so ∂F/∂r is negative", lambda G, m1, m2, r: -dF_dr(G, m1, m2, r)),
        Mistake(
            "power rule exponent not lowered",
            "d/dr r^(−2) = −2 r^(−3)",
            lambda G, m1, m2, r: -2 * G * m1 * m2 / r**2,
        ),
        Mistake(
            "factor 2 missing",
            "the power rule brings down the exponent −2",
            lambda G, m1, m2, r: -G * m1 * m2 / r**3,
        ),
    ),
    hints=("Write F = G m1 m2 · r^(−2); G, m1 and m2 are constants.", "Power rule: d/dr r^(−2) = −2 r^(−3)."),
)
def dF_dr(G, m1, m2, r):
    """∂F/∂r for Newton's F = G m1 m2 / r²: −2 G m1 m2 / r³."""
    return -2 * G * m1 * m2 / r**3


@QUESTIONS.ask(
    "q4",
    2,
    "The direction of steepest descent",
    cases=({"g": [3.0, 4.0]}, {"g": [1.0, -2.0, 2.0]}),
    mistakes=(
        Mistake(
            "ascent direction returned",
            "steepest descent is −∇f / ‖∇f‖: flip the sign",
            lambda g: g / np.linalg.norm(g),
        ),
        Mistake("not normalised", "divide by the length ‖g‖ to get a unit vector", lambda g: -g),
    ),
    hints=("The gradient points uphill.", "np.linalg.norm(g) is the length of g."),
)
def descent_direction(g):
    """The unit vector of steepest descent: −g / ‖g‖."""
    return -g / np.linalg.norm(g)


QUESTIONS.written("q5", 2, "Reading a contour plot")


def _path_u(x):
    return 2 * np.sin(x) * x**3 * np.cos(x)


def _path_v(x):
    return np.sin(x) ** 2 * 3 * x**2


@QUESTIONS.ask(
    "q6",
    2,
    "The multivariable chain rule",
    cases=({"x": [0.5, -1.2, 2.0]}, {"x": 0.8}),
    mistakes=(
        Mistake(
            "path through v missing",
            "x reaches f through u and through v: add ∂f/∂v · dv/dx = u² · 3x²",
            _path_u,
        ),
        Mistake(
            "path through u missing",
            "x reaches f through u and through v: add ∂f/∂u · du/dx = 2uv · cos x",
            _path_v,
        ),
        Mistake(
            "paths multiplied instead of added",
            "multiply along each path, then add the paths",
            lambda x: _path_u(x) * _path_v(x),
        ),
    ),
    hints=(
        "Compute u = sin x and v = x³ first; then ∂f/∂u = 2uv and ∂f/∂v = u².",
        "du/dx = cos x and dv/dx = 3x²; multiply along each path and add the two paths.",
    ),
)
def df_dx(x):
    """f(u, v) = u²·v, u = sin x, v = x³: df/dx = ∂f/∂u·du/dx + ∂f/∂v·dv/dx = 2uv·cos x + u²·3x²."""
    u, v = np.sin(x), x**3
    return 2 * u * v * np.cos(x) + u**2 * 3 * x**2


@QUESTIONS.ask(
    "q7",
    3,
    "A gradient the lecture did not show",
    cases=({"x": 1.0, "y": 2.0}, {"x": -0.5, "y": 1.5}, {"x": 2.0, "y": -0.75}),
    mistakes=(
        Mistake(
            "inner derivative of sin(xy) missing",
            "∂/∂x sin(xy) = cos(xy) · ∂(xy)/∂x: the chain rule brings in the factor y (and x for ∂/∂y)",
            lambda x, y: np.array([np.cos(x * y) + y**3, np.cos(x * y) + 3 * x * y**2]),
        ),
        Mistake(
            "partial derivatives swapped",
            "the first entry is ∂g/∂x (y held fixed), the second ∂g/∂y (x held fixed)",
            lambda x, y: grad_g(x, y)[::-1].copy(),
        ),
        Mistake(
            "x not held fixed in ∂(xy³)/∂y",
            "x is a constant factor when you differentiate with respect to y: keep it",
            lambda x, y: np.array([y * np.cos(x * y) + y**3, x * np.cos(x * y) + 3 * y**2]),
        ),
        Mistake(
            "sign error in the derivative of sin",
            "d/du sin u = +cos u",
            lambda x, y: np.array([-y * np.cos(x * y) + y**3, -x * np.cos(x * y) + 3 * x * y**2]),
        ),
    ),
    hints=(
        "Take one term at a time. For ∂g/∂x, y is a number: sin(xy) is sin of (y times x), and x·y³ is y³ times x.",
        "∂/∂x sin(xy) = cos(xy)·y and ∂/∂y (x·y³) = 3xy²; return np.array([dg_dx, dg_dy]).",
    ),
)
def grad_g(x, y):
    """∇g for g(x, y) = sin(xy) + x·y³: (y·cos(xy) + y³, x·cos(xy) + 3xy²), shape (2,)."""
    c = np.cos(x * y)
    return np.array([y * c + y**3, x * c + 3 * x * y**2], dtype=float)
