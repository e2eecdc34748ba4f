"""Section 03, gradient descent."""

from __future__ import annotations

import math

import numpy as np

from ..spec import Bank, Mistake, validates_learning_rate

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    2,
    "One gradient-descent step",
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
)
def gd_step(theta, grad, lr):
    """θ − η ∇C."""
    return theta - lr * grad


@QUESTIONS.ask(
    "q2",
    3,
    "Gradient descent on a parabola",
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
)
def descend(theta0, lr, steps):
    """Gradient descent on C(θ) = (θ − 3)² from θ0: the array of θ0, θ1, ..., θ_steps."""
    thetas = [float(theta0)]
    for _ in range(int(steps)):
        thetas.append(thetas[-1] - lr * 2 * (thetas[-1] - 3))
    return np.array(thetas)


@QUESTIONS.ask_value("q3", 2, "Choose a learning rate that converges", name="lr_good", hints=(
    "Each step multiplies θ by the factor r = 1 − 10·lr: what must be true of r?",
    "Aim for |r| = |1 − 10·lr| well below 1, e.g. r near 0.5 or 0 (lr = 1/10 lands in one step).",
))
@validates_learning_rate
def converges(lr: float) -> tuple[bool, str]:
    """Does gradient descent on C(θ) = 5θ² from θ = 1 reach |θ| < 1e-6 within 50 steps?

    One step is θ ← θ − lr·10θ = r·θ with r = 1 − 10·lr (curvature k = 10), so θ_50 = r^50;
    the feedback names the regime of r as notebook 03 defines it.
    """
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


@QUESTIONS.ask(
    "q4",
    1,
    "How far does one step move?",
    cases=({"grad": 2.5, "lr": 0.01}, {"grad": [3.0, 4.0], "lr": 0.1}, {"grad": -2.0, "lr": 0.3}),
    mistakes=(
        Mistake(
            "moved by the gradient itself",
            "the step is the learning rate times the gradient",
            lambda grad, lr: float(np.linalg.norm(grad)),
        ),
        Mistake(
            "moved by the learning rate alone",
            "multiply the learning rate by the gradient's size",
            lambda grad, lr: float(lr),
        ),
        Mistake(
            "the step itself, not its length",
            "a distance is never negative: take the size of the step, |η·g| (np.linalg.norm for a vector)",
            lambda grad, lr: -lr * grad,
        ),
        Mistake(
            "components added instead of the length",
            "the length of a vector is √(g₁² + g₂² + ...), np.linalg.norm, not the sum of its entries",
            lambda grad, lr: float(lr * np.sum(np.abs(grad))),
        ),
    ),
    hints=("The step is −η·∇C; its length is η times the length of the gradient.", "np.linalg.norm(grad)."),
)
def step_length(grad, lr):
    """How far one step moves θ: ‖η ∇C‖ = η ‖∇C‖ (for a number, η |∇C|)."""
    return float(lr * np.linalg.norm(grad))


QUESTIONS.written("q5", 2, "Local and global minima")


@QUESTIONS.ask(
    "q6",
    3,
    "Gradient descent on a 2-D quadratic",
    cases=(
        {"p0": [1.0, 1.0], "lr": 0.1, "steps": 3, "k": [4.0, 16.0]},
        {"p0": [2.0, -1.0, 0.5], "lr": 0.05, "steps": 2, "k": [1.0, 10.0, 30.0]},
    ),
    mistakes=(
        Mistake(
            "factor 2 in the gradient (the ½ convention)",
            "C = ½ Σ k_i p_i²: the ½ cancels the 2 of the power rule, so ∂C/∂p_i = k_i p_i",
            lambda p0, lr, steps, k: descend_quadratic(p0, lr, steps, 2 * k),
        ),
        Mistake(
            "starting point left out",
            "return p0 too: steps + 1 rows in all",
            lambda p0, lr, steps, k: descend_quadratic(p0, lr, steps, k)[1:],
        ),
        Mistake(
            "sign error in the update",
            "gradient descent subtracts the step: p − η ∇C",
            lambda p0, lr, steps, k: descend_quadratic(p0, -lr, steps, k),
        ),
        Mistake(
            "curvatures not applied per coordinate",
            "the gradient is k ⊙ p (each coordinate times its own k_i), not one number for all",
            lambda p0, lr, steps, k: descend_quadratic(p0, lr, steps, np.full_like(k, np.mean(k))),
        ),
    ),
    hints=(
        "∂C/∂p_i = k_i p_i, so the whole gradient is k * p (elementwise).",
        "Keep a list that starts with p0 and append p − lr * k * p each step; return np.array(list).",
    ),
)
def descend_quadratic(p0, lr, steps, k):
    """Gradient descent on C(p) = ½ Σ_i k_i p_i² (gradient k ⊙ p) from p0: shape (steps + 1, n).

    Each coordinate is multiplied by its own r_i = 1 − η k_i per step (notebook 03's factor).
    """
    points = [np.asarray(p0, dtype=float)]
    for _ in range(int(steps)):
        points.append(points[-1] - lr * k * points[-1])
    return np.array(points)


# Q7: C(x, y) = 2x² + 8y², curvatures k = (4, 16), from (1, 1); 40 steps must bring both below 1e-6.
K_2D, STEPS_2D, GOAL_2D = (4.0, 16.0), 40, 1e-6


@QUESTIONS.ask_value("q7", 2, "A learning rate for two curvatures", name="lr_2d", hints=(
    "On C = 2x² + 8y² the curvatures are 4 and 16: x is multiplied by r_x = 1 − 4·lr and y by r_y = 1 − 16·lr.",
    "Both |r_x| and |r_y| must be small enough that |r|^40 < 1e-6: write both conditions as ranges of lr.",
))
@validates_learning_rate
def converges_2d(lr: float) -> tuple[bool, str]:
    """Does gradient descent on C(x, y) = 2x² + 8y² from (1, 1) get |x| and |y| below 1e-6 in 40 steps?

    x is multiplied by r_x = 1 − 4·lr per step and y by r_y = 1 − 16·lr; the feedback names the
    regime of each (notebook 03's definitions), so it says which direction limits the rate.
    """
    rs = {"x": 1 - K_2D[0] * lr, "y": 1 - K_2D[1] * lr}
    where = ", ".join(f"r_{c} = 1 − {k:g}·lr = {r:.3g}" for (c, r), k in zip(rs.items(), K_2D))
    for c, r in rs.items():
        if math.isclose(r, -1.0, rel_tol=0.0, abs_tol=1e-12):
            return False, f"lr = {lr:g}: {c} bounces for ever ({where}); make lr smaller"
        if abs(r) > 1:
            return False, f"lr = {lr:g}: {c} diverges ({where}, and |r_{c}| > 1); make lr smaller"
    final = {c: abs(r) ** STEPS_2D for c, r in rs.items()}
    slow = [c for c in rs if final[c] >= GOAL_2D]
    if slow:
        c = slow[0]
        fix = "larger" if rs[c] > 0 else "smaller"
        return False, (
            f"lr = {lr:g}: {c} converges too slowly ({where}; after {STEPS_2D} steps |{c}| = {final[c]:.2e}): "
            f"make |r_{c}| smaller with a {fix} lr, without pushing the other factor past the limit"
        )
    return True, f"lr = {lr:g} converges in both directions: {where}; after {STEPS_2D} steps both are below 1e-6"
