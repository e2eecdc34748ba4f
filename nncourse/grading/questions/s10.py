"""Section 10, optimizers and learning-rate schedules (conventions of torch.optim)."""

from __future__ import annotations

import math

import numpy as np

from ..spec import Bank, Mistake, validates_learning_rate

QUESTIONS = Bank()

W_CASES = (
    {"w": [1.0, -2.0], "v": [0.0, 0.0], "g": [0.5, 0.5], "lr": 0.1, "mu": 0.9},
    {"w": [[0.3, 0.2]], "v": [[1.0, -1.0]], "g": [[0.2, 0.4]], "lr": 0.05, "mu": 0.5},
)


@QUESTIONS.ask(
    "q1",
    3,
    "A momentum step",
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
)
def momentum_step(w, v, g, lr, mu):
    """v ← μv + g;  w ← w − lr·v. Returns (w, v)."""
    v = mu * v + g
    return w - lr * v, v


ADAM = {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def _adam_no_correction(w, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v


@QUESTIONS.ask(
    "q2",
    3,
    "An Adam step",
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
)
def adam_step(w, m, v, g, t, lr, beta1, beta2, eps):
    """One Adam step at step number t (from 1). Returns (w, m, v)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


@QUESTIONS.ask_value("q3", 2, "A learning rate for the narrow valley", name="lr_valley", hints=(
    "With momentum μ, the steep direction (curvature 25) diverges when lr·25 > 2(1 + μ).",
    "Any lr comfortably between about 0.003 and 0.15 works; try 0.05.",
))
@validates_learning_rate
def valley_converges(lr: float) -> tuple[bool, str]:
    """Momentum (μ = 0.9) on f(θ) = ½(θ1² + 25·θ2²) from θ = (−4, 1): is ‖θ‖ < 1e-3 after 200 steps?"""
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


@QUESTIONS.ask(
    "q4",
    2,
    "Step decay",
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
)
def step_decay(lr0, epoch, factor, every):
    """The learning rate in epoch `epoch` (from 0): lr0, multiplied by factor once every `every` epochs."""
    return lr0 * factor ** (epoch // every)


QUESTIONS.written("q5", 2, "Why momentum helps in a narrow valley")


def _rmsprop_g_not_squared(w, v, g, lr, alpha, eps):
    with np.errstate(invalid="ignore"):  # a negative v has no square root: nan, as the learner's code gives
        v = alpha * v + (1 - alpha) * g
        return w - lr * g / (np.sqrt(v) + eps), v


@QUESTIONS.ask(
    "q6",
    3,
    "An RMSProp step",
    cases=(
        {"w": [1.0, -2.0], "v": [0.0, 0.0], "g": [0.5, -4.0], "lr": 0.01, "alpha": 0.99, "eps": 1e-8},
        {"w": [[0.3, 0.2]], "v": [[0.04, 0.01]], "g": [[0.2, -0.1]], "lr": 0.1, "alpha": 0.9, "eps": 1e-8},
    ),
    mistakes=(
        Mistake(
            "square root missing",
            "divide the step by √v + ε, the typical size of g, not by v + ε",
            lambda w, v, g, lr, alpha, eps: (
                w - lr * g / (alpha * v + (1 - alpha) * g * g + eps),
                alpha * v + (1 - alpha) * g * g,
            ),
        ),
        Mistake(
            "gradient not squared in the running average",
            "v averages the squares of the gradients",
            _rmsprop_g_not_squared,
        ),
        Mistake(
            "old v used for the step",
            "update v with this step's gradient first, then divide by the new √v",
            lambda w, v, g, lr, alpha, eps: (
                w - lr * g / (np.sqrt(v) + eps),
                alpha * v + (1 - alpha) * g * g,
            ),
        ),
        Mistake(
            "α and 1 − α swapped",
            "α weighs the old average (it is close to 1); the new square gets the small weight",
            lambda w, v, g, lr, alpha, eps: (
                w - lr * g / (np.sqrt((1 - alpha) * v + alpha * g * g) + eps),
                (1 - alpha) * v + alpha * g * g,
            ),
        ),
    ),
    hints=("v_new = alpha * v + (1 - alpha) * g**2", "w_new = w - lr * g / (np.sqrt(v_new) + eps)"),
)
def rmsprop_step(w, v, g, lr, alpha, eps):
    """v ← αv + (1 − α)g²;  w ← w − lr·g/(√v + ε) (torch.optim.RMSprop). Returns (w, v)."""
    v = alpha * v + (1 - alpha) * g * g
    return w - lr * g / (np.sqrt(v) + eps), v


@QUESTIONS.ask(
    "q7",
    2,
    "Tune on the validation set",
    cases=(
        {"lrs": [0.1, 0.3, 1.0], "val_losses": [0.092, 0.089, 14.29], "test_losses": [0.07, 0.09, 12.0]},
        {"lrs": [0.001, 0.003, 0.01, 0.03], "val_losses": [0.32, 0.153, 0.169, 0.208],
         "test_losses": [0.3, 0.17, 0.14, 0.2]},
    ),
    mistakes=(
        Mistake(
            "chosen by the test loss",
            "the test set is for the final report only: choose with the validation losses",
            lambda lrs, val_losses, test_losses: float(lrs[int(np.argmin(test_losses))]),
        ),
        Mistake(
            "chose the highest loss",
            "the best run is the one whose validation loss is lowest",
            lambda lrs, val_losses, test_losses: float(lrs[int(np.argmax(val_losses))]),
        ),
        Mistake(
            "returned the position in the grid, not the rate",
            "return the learning rate itself, an entry of lrs",
            lambda lrs, val_losses, test_losses: int(np.argmin(val_losses)),
        ),
    ),
    hints=("np.argmin gives the position of the smallest entry of an array.",
           "Which of the two sets may choose a setting, and which is kept for the final report?"),
)
def choose_lr(lrs, val_losses, test_losses):
    """The learning rate whose run has the lowest validation loss (the test set is not looked at)."""
    return float(lrs[int(np.argmin(val_losses))])


@QUESTIONS.ask(
    "q8",
    2,
    "RMSProp with a bias correction",
    cases=(
        {"w": [1.0, -1.0], "v": [0.0, 0.0], "g": [0.1, -3.0], "t": 1, "lr": 0.01, "alpha": 0.99, "eps": 1e-8},
        {"w": [[0.5]], "v": [[0.002]], "g": [[0.3]], "t": 3, "lr": 0.01, "alpha": 0.9, "eps": 1e-8},
    ),
    mistakes=(
        Mistake(
            "bias correction missing",
            "divide v by (1 − α^t) before taking its square root",
            lambda w, v, g, t, lr, alpha, eps: rmsprop_step(w, v, g, lr, alpha, eps),
        ),
        Mistake(
            "corrected by (1 − α) instead of (1 − α^t)",
            "the weights of the average add up to 1 − α^t after t steps",
            lambda w, v, g, t, lr, alpha, eps: rmsprop_corrected_step(w, v, g, 1, lr, alpha, eps),
        ),
        Mistake(
            "corrected average stored as the new state",
            "return the running average v itself; only the step uses the corrected v̂",
            lambda w, v, g, t, lr, alpha, eps: (
                rmsprop_corrected_step(w, v, g, t, lr, alpha, eps)[0],
                (alpha * v + (1 - alpha) * g * g) / (1 - alpha**t),
            ),
        ),
    ),
    hints=("Under a constant gradient g, v_t = (1 − α^t)·g² (notebook 10).",
           "v_hat = v_new / (1 - alpha**t); the step divides by np.sqrt(v_hat) + eps"),
)
def rmsprop_corrected_step(w, v, g, t, lr, alpha, eps):
    """RMSProp with Adam's bias correction at step t (from 1): v̂ = v/(1 − α^t). Returns (w, v)."""
    v = alpha * v + (1 - alpha) * g * g
    v_hat = v / (1 - alpha**t)
    return w - lr * g / (np.sqrt(v_hat) + eps), v
