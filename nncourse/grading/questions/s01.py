"""Section 01, derivatives and the chain rule."""

from __future__ import annotations

import numpy as np

from ... import gradcheck
from ..spec import Bank, Mistake
from .common import dsig, sig

QUESTIONS = Bank()

Z_CASES = ({"z": [0.0, 1.0, -2.0, 3.5]}, {"z": [[-0.5, 0.25], [4.0, -8.0]]})


@QUESTIONS.ask(
    "q1",
    2,
    "The derivative of the sigmoid",
    cases=Z_CASES,
    mistakes=(
        Mistake("σ returned instead of σ′", "σ′(z) = σ(z)(1 − σ(z)), not σ(z) itself", lambda z: sig(z)),
        Mistake("`z` used where `a` belongs", "the formula a(1 − a) needs a = σ(z), not z", lambda z: z * (1 - z)),
        Mistake("sign error", "σ′(z) = σ(z)(1 − σ(z)) is positive everywhere", lambda z: -dsig(z)),
    ),
    hints=("Compute s = σ(z) = 1 / (1 + e^(−z)) first.", "σ′(z) = s · (1 − s), elementwise (works on arrays)."),
)
def sigmoid_prime(z):
    """σ′(z) = σ(z)(1 − σ(z)), elementwise: the shared ``dsig``."""
    return dsig(z)


@QUESTIONS.ask(
    "q2",
    3,
    "The chain rule on a composite",
    cases=({"x": [0.0, 0.5, -1.0, 2.0]},),
    mistakes=(
        Mistake(
            "inner derivative missing",
            "the chain rule multiplies by the inner derivative du/dx = 6x",
            lambda x: dsig(3 * x**2 + 1),
        ),
        Mistake(
            "outer derivative taken at x",
            "σ′ must be evaluated at the inner value u = 3x² + 1, not at x",
            lambda x: dsig(x) * 6 * x,
        ),
        Mistake(
            "σ used where σ′ belongs",
            "the outer derivative is σ′(u) = σ(u)(1 − σ(u))",
            lambda x: sig(3 * x**2 + 1) * 6 * x,
        ),
    ),
    hints=(
        "Name the inner function u = g(x) = 3x² + 1 and the outer y = σ(u).",
        "dy/dx = dy/du · du/dx = σ′(u) · 6x.",
    ),
)
def h_prime(x):
    """h(x) = σ(3x² + 1)  ->  h′(x) = σ′(3x² + 1) · 6x."""
    return dsig(3 * x**2 + 1) * 6 * x


@QUESTIONS.ask(
    "q3",
    2,
    "A central finite difference",
    functions=("f",),
    cases=(
        {"f": "exp", "x": 0.0, "eps": 0.1},
        {"f": "sin", "x": [0.0, 1.0, 2.0], "eps": 0.01},
        {"f": "cube", "x": 2.0, "eps": 0.5},
    ),
    mistakes=(
        Mistake(
            "forward difference", "use both sides: f(x + ε) − f(x − ε)", lambda f, x, eps: (f(x + eps) - f(x)) / eps
        ),
        Mistake(
            "divided by ε instead of 2ε",
            "the two points are 2ε apart",
            lambda f, x, eps: (f(x + eps) - f(x - eps)) / eps,
        ),
    ),
    hints=("The slope of the chord through x − ε and x + ε.", "(f(x + eps) − f(x − eps)) / (2 * eps)"),
)
def central_difference(f, x, eps):
    """(f(x + ε) − f(x − ε)) / (2ε): the package's :func:`nncourse.gradcheck.central_difference`."""
    return gradcheck.central_difference(f, x, h=eps)


@QUESTIONS.ask(
    "q4",
    1,
    "The derivative of e²·sin x",
    name="e2_sin_prime",
    cases=({"x": [0.0, 1.0, -2.5]}, {"x": 0.5}),
    mistakes=(
        Mistake(
            "sign error",
            "d/dx sin x = +cos x (it is cos whose derivative is −sin)",
            lambda x: -d_e2_sin(x),
        ),
        Mistake(
            "constant factor dropped",
            "e² is a constant factor: it stays in front, (c·f)′ = c·f′",
            lambda x: np.cos(x),
        ),
        Mistake("sin x left in place of its derivative", "d/dx sin x = cos x", lambda x: np.exp(2.0) * np.sin(x)),
        Mistake(
            "e² treated as a variable",
            "e² is a number, not a function of x: its derivative is 0, so only sin x is differentiated",
            lambda x: 2 * np.e * np.sin(x) + np.exp(2.0) * np.cos(x),
        ),
    ),
    hints=("The constant-multiple rule: (c·f)′ = c·f′, and e² is a constant.", "e² is np.exp(2)."),
)
def d_e2_sin(x):
    """d/dx e²·sin x = e²·cos x (e² is a constant)."""
    return np.exp(2.0) * np.cos(x)


QUESTIONS.written("q5", 2, "How ε affects a finite difference")


@QUESTIONS.ask(
    "q6",
    2,
    "The rules for eᶻ and ln z",
    cases=({"z": [-2.0, -0.5, 1.0, 3.0]}, {"z": [[0.25, -1.5], [4.0, 0.75]]}),
    mistakes=(
        Mistake(
            "inner derivative missing",
            "the chain rule multiplies the log rule's 1/u by du/dz = eᶻ",
            lambda z: 1 / (1 + np.exp(z)),
        ),
        Mistake(
            "log rule taken at z, not at the inner value",
            "d/du ln u = 1/u at u = 1 + eᶻ, so the factor is 1/(1 + eᶻ), not 1/z",
            lambda z: np.exp(z) / z,
        ),
        Mistake(
            "sign error in the exponential",
            "d/dz eᶻ = +eᶻ (it is e^(−z) whose derivative is −e^(−z))",
            lambda z: -np.exp(z) / (1 + np.exp(z)),
        ),
    ),
    hints=(
        "Name the inner function u = 1 + eᶻ and the outer ln u.",
        "ds/dz = (1/u) · du/dz = eᶻ / (1 + eᶻ), elementwise.",
    ),
)
def softplus_prime(z):
    """s(z) = ln(1 + eᶻ)  ->  s′(z) = eᶻ / (1 + eᶻ) (log rule at u = 1 + eᶻ, times du/dz = eᶻ), which is σ(z)."""
    return np.exp(z) / (1 + np.exp(z))


@QUESTIONS.ask(
    "q7",
    3,
    "A composite the lecture did not show: softplus of tanh",
    name="g_prime",
    cases=({"x": [0.0, 0.5, -1.0, 2.0]}, {"x": [[1.5, -0.25], [3.0, -2.0]]}),
    mistakes=(
        Mistake(
            "inner derivative missing",
            "the chain rule multiplies the outer derivative by the inner one, tanh′(x) = 1 − tanh²(x)",
            lambda x: sig(np.tanh(x)),
        ),
        Mistake(
            "outer derivative taken at x",
            "s′ must be evaluated at the inner value u = tanh x, not at x",
            lambda x: sig(x) * (1 - np.tanh(x) ** 2),
        ),
        Mistake(
            "`x` used where tanh x belongs",
            "tanh′(x) = 1 − tanh²(x): square tanh x, not x",
            lambda x: sig(np.tanh(x)) * (1 - x**2),
        ),
        Mistake(
            "softplus used where its derivative belongs",
            "the outer derivative is s′(u) (your Q6), not s(u) = ln(1 + eᵘ)",
            lambda x: np.log1p(np.exp(np.tanh(x))) * (1 - np.tanh(x) ** 2),
        ),
    ),
    hints=(
        "Name the inner function u = tanh x and the outer s(u) = ln(1 + eᵘ); you found s′ in Q6.",
        "g′(x) = s′(u) · du/dx with du/dx = 1 − tanh²(x); evaluate s′ at u, not at x.",
    ),
)
def softplus_tanh_prime(x):
    """g(x) = ln(1 + e^(tanh x)) = s(tanh x)  ->  g′(x) = s′(tanh x) · tanh′(x) = σ(tanh x) · (1 − tanh² x)."""
    t = np.tanh(x)
    return sig(t) * (1 - t**2)
