"""Section 10, optimizers and learning-rate schedules (conventions of torch.optim)."""

from __future__ import annotations

import math

import numpy as np

from ..spec import Mistake, Question, learning_rate


def momentum_step(w, v, g, lr, mu):
    """v ← μv + g;  w ← w − lr·v. Returns (w, v)."""
    v = mu * v + g
    return w - lr * v, v


def adam_step(w, m, v, g, t, lr, beta1, beta2, eps):
    """One Adam step at step number t (from 1). Returns (w, m, v)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_no_correction(w, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v


def valley_converges(lr) -> tuple[bool, str]:
    """Momentum (μ = 0.9) on f(θ) = ½(θ1² + 25·θ2²) from θ = (−4, 1): is ‖θ‖ < 1e-3 after 200 steps?"""
    lr, problem = learning_rate(lr)
    if lr is None:
        return False, problem
    theta, v, curvature = np.array([-4.0, 1.0]), np.zeros(2), np.array([1.0, 25.0])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(200):
            v = 0.9 * v + curvature * theta
            theta = theta - lr * v
    size = float(np.linalg.norm(theta))
    if not math.isfinite(size) or size > 5:
        return False, f"lr = {lr:g} diverges along the steep direction (θ2): try a smaller lr"
    if size >= 1e-3:
        return False, f"lr = {lr:g} is too slow: after 200 steps ‖θ‖ = {size:.2e}; try a larger lr"
    return True, f"lr = {lr:g} converges: after 200 steps ‖θ‖ = {size:.1e}"


W_CASES = (
    {"w": [1.0, -2.0], "v": [0.0, 0.0], "g": [0.5, 0.5], "lr": 0.1, "mu": 0.9},
    {"w": [[0.3, 0.2]], "v": [[1.0, -1.0]], "g": [[0.2, 0.4]], "lr": 0.05, "mu": 0.5},
)
ADAM = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}

QUESTIONS = [
    Question(
        "q1",
        3,
        "A momentum step",
        name="momentum_step",
        reference=momentum_step,
        cases=W_CASES,
        mistakes=(
            Mistake(
                "sign error in the update",
                "subtract the velocity: w − lr·v",
                lambda w, v, g, lr, mu: (w + lr * (mu * v + g), mu * v + g),
            ),
            Mistake(
                "old velocity used for the step",
                "update v first, then step with the new v",
                lambda w, v, g, lr, mu: (w - lr * v, mu * v + g),
            ),
            Mistake(
                "velocity scaled by lr (the other convention)",
                "here v ← μv + g holds raw gradients; the step is lr·v",
                lambda w, v, g, lr, mu: (w - (mu * v + lr * g), mu * v + lr * g),
            ),
        ),
        hints=("v_new = mu * v + g", "w_new = w - lr * v_new; return (w_new, v_new)"),
    ),
    Question(
        "q2",
        3,
        "An Adam step",
        name="adam_step",
        reference=adam_step,
        cases=(
            {"w": [1.0, -1.0], "m": [0.0, 0.0], "v": [0.0, 0.0], "g": [0.1, -3.0], "t": 1} | ADAM,
            {"w": [[0.5]], "m": [[0.02]], "v": [[0.001]], "g": [[0.3]], "t": 4} | ADAM,
        ),
        mistakes=(
            Mistake(
                "bias correction missing",
                "divide m by (1 − β1^t) and v by (1 − β2^t) before the step",
                _adam_no_correction,
            ),
            Mistake(
                "square root missing",
                "the step divides by √v̂ + ε, not by v̂ + ε",
                lambda w, m, v, g, t, lr, beta1, beta2, eps: (
                    w
                    - lr
                    * ((beta1 * m + (1 - beta1) * g) / (1 - beta1**t))
                    / ((beta2 * v + (1 - beta2) * g * g) / (1 - beta2**t) + eps),
                    beta1 * m + (1 - beta1) * g,
                    beta2 * v + (1 - beta2) * g * g,
                ),
            ),
        ),
        hints=(
            "m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²",
            "m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t); w ← w − lr·m̂ / (√v̂ + ε); return (w, m, v)",
        ),
    ),
    Question(
        "q3",
        2,
        "A learning rate for the narrow valley",
        kind="value",
        name="lr_valley",
        validate=valley_converges,
        hints=(
            "With momentum μ, the steep direction (curvature 25) diverges when lr·25 > 2(1 + μ).",
            "Any lr comfortably between about 0.003 and 0.15 works; try 0.05.",
        ),
    ),
    Question(
        "q4",
        2,
        "Step decay",
        name="step_decay",
        reference=lambda lr0, epoch, factor, every: lr0 * factor ** (epoch // every),
        cases=(
            {"lr0": 0.1, "epoch": 0, "factor": 0.5, "every": 10},
            {"lr0": 0.1, "epoch": 25, "factor": 0.5, "every": 10},
            {"lr0": 1.0, "epoch": 8, "factor": 0.1, "every": 3},
        ),
        mistakes=(
            Mistake(
                "decays every epoch",
                "the rate drops once every `every` epochs: factor ** (epoch // every)",
                lambda lr0, epoch, factor, every: lr0 * factor**epoch,
            ),
            Mistake(
                "off by one: decays an epoch early",
                "epochs count from 0; the first drop is at epoch `every`",
                lambda lr0, epoch, factor, every: lr0 * factor ** ((epoch + 1) // every),
            ),
        ),
        hints=("Integer division: epoch // every counts the drops so far.",),
    ),
    Question("q5", 2, "Why momentum helps in a narrow valley", kind="manual"),
]
