"""Section 03, gradient descent."""

from __future__ import annotations

import math

import numpy as np

from ..spec import Mistake, Question, learning_rate


def gd_step(theta, grad, lr):
    """θ − η ∇C."""
    return theta - lr * grad


def descend(theta0, lr, steps):
    """Gradient descent on C(θ) = (θ − 3)² from θ0: the array of θ0, θ1, ..., θ_steps."""
    thetas = [float(theta0)]
    for _ in range(int(steps)):
        thetas.append(thetas[-1] - lr * 2 * (thetas[-1] - 3))
    return np.array(thetas)


def converges(lr) -> tuple[bool, str]:
    """Does gradient descent on C(θ) = 5θ² from θ = 1 reach |θ| < 1e-6 within 50 steps?

    One step is θ ← θ − lr·10θ = r·θ with r = 1 − 10·lr (curvature k = 10), so θ_50 = r^50;
    the feedback names the regime of r as notebook 03 defines it.
    """
    lr, problem = learning_rate(lr)
    if lr is None:
        return False, problem
    r = 1 - 10 * lr
    theta = r**50
    if math.isclose(r, -1.0, rel_tol=0.0, abs_tol=1e-12):
        return False, f"lr = {lr:g} bounces for ever: r = 1 − 10·lr = −1, so θ flips between 1 and −1"
    if abs(r) > 1:
        return False, f"lr = {lr:g} diverges: each step multiplies θ by r = 1 − 10·lr = {r:.3g}, and |r| > 1"
    if abs(theta) >= 1e-6:
        how = "while oscillating (−1 < r < 0)" if r < 0 else "monotonically (0 < r < 1)"
        return False, (
            f"lr = {lr:g} converges {how}, but too slowly: r = 1 − 10·lr = {r:.3g}, "
            f"so after 50 steps |θ| = |r|^50 = {abs(theta):.2e}. Choose lr so that |r| is smaller."
        )
    return True, f"lr = {lr:g} converges: r = 1 − 10·lr = {r:.3g}, after 50 steps |θ| = {abs(theta):.1e}"


QUESTIONS = [
    Question(
        "q1",
        2,
        "One gradient-descent step",
        name="gd_step",
        reference=gd_step,
        cases=({"theta": [1.0, -2.0], "grad": [0.5, 4.0], "lr": 0.1}, {"theta": 3.0, "grad": -2.5, "lr": 0.01}),
        mistakes=(
            Mistake(
                "sign error in the update (the seed's θ + η∇C)",
                "gradient descent subtracts: θ − η∇C",
                lambda theta, grad, lr: theta + lr * grad,
            ),
            Mistake("learning rate left out", "the step is η times the gradient", lambda theta, grad, lr: theta - grad),
        ),
        hints=("θ_new = θ − lr · grad, elementwise.",),
    ),
    Question(
        "q2",
        3,
        "Gradient descent on a parabola",
        name="descend",
        reference=descend,
        cases=({"theta0": 0.0, "lr": 0.1, "steps": 5}, {"theta0": 10.0, "lr": 0.45, "steps": 3}),
        mistakes=(
            Mistake(
                "starting value left out",
                "return θ0 too: steps + 1 values in all",
                lambda theta0, lr, steps: descend(theta0, lr, steps)[1:],
            ),
            Mistake(
                "factor 2 missing in the gradient",
                "dC/dθ = 2(θ − 3)",
                lambda theta0, lr, steps: descend(theta0, lr / 2, steps),
            ),
            Mistake(
                "sign error in the update",
                "subtract the step: θ − η·2(θ − 3)",
                lambda theta0, lr, steps: descend(theta0, -lr, steps),
            ),
        ),
        hints=(
            "The gradient of (θ − 3)² is 2(θ − 3).",
            "Keep a list that starts with θ0 and append each new θ; return np.array(list).",
        ),
    ),
    Question(
        "q3",
        2,
        "Choose a learning rate that converges",
        kind="value",
        name="lr_good",
        validate=converges,
        hints=(
            "Each step multiplies θ by the factor r = 1 − 10·lr: what must be true of r?",
            "Aim for |r| = |1 − 10·lr| well below 1, e.g. r near 0.5 or 0 (lr = 1/10 lands in one step).",
        ),
    ),
    Question(
        "q4",
        1,
        "How far does one step move?",
        kind="value",
        name="step_size",
        reference=lambda: 0.025,
        mistakes=(
            Mistake("moved by the gradient itself", "the step is the learning rate times the gradient", lambda: 2.5),
            Mistake("moved by the learning rate alone", "multiply the learning rate by the gradient", lambda: 0.01),
        ),
        hints=("step = lr × |gradient|.",),
    ),
    Question("q5", 2, "Local and global minima", kind="manual"),
]
