"""Section 05, cost functions. Shapes: a (outputs) and y (targets) are (batch, n_out)."""

from __future__ import annotations

import numpy as np

from ..spec import Bank, Mistake
from .common import softmax

AY = (
    {"a": [[0.2, 0.9], [0.5, 0.1], [1.5, -0.3]], "y": [[0.0, 1.0], [1.0, 0.0], [1.0, 0.0]]},
    {"a": [[3.0]], "y": [[1.0]]},
)
ZY = (
    {"z": [[2.0, 1.0, 0.1], [0.5, -1.0, 3.0]], "y": [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]},
    {"z": [[1000.0, 1001.0, 1002.0]], "y": [[0.0, 0.0, 1.0]]},
)
AYD = (
    {"a": [[0.5, 3.0], [-2.0, 0.2]], "y": [[0.0, 0.0], [0.0, 1.0]], "delta": 1.5},
    {"a": [[2.0], [0.1], [-0.4]], "y": [[0.0], [0.0], [0.0]], "delta": 0.25},
)
PY = ({"p": [[0.9], [0.2], [0.6], [0.01]], "y": [[1.0], [0.0], [1.0], [0.0]]}, {"p": [[0.7, 0.3]], "y": [[1.0, 1.0]]})

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    2,
    "Mean squared error",
    cases=AY,
    mistakes=(
        Mistake(
            "summed instead of averaged",
            "divide by the number of entries (np.mean)",
            lambda a, y: float(np.sum((a - y) ** 2)),
        ),
        Mistake(
            "square missing (that is the MAE)", "square each difference", lambda a, y: float(np.mean(np.abs(a - y)))
        ),
        Mistake("a ½ that MSE does not have", "MSE is the plain mean of (a − y)²", lambda a, y: 0.5 * mse(a, y)),
    ),
    hints=("np.mean averages over every entry.",),
)
def mse(a, y):
    """(1/N) Σ (a − y)², N = number of entries (as torch.nn.MSELoss)."""
    return float(np.mean((a - y) ** 2))


@QUESTIONS.ask(
    "q2",
    3,
    "The gradient of the MSE",
    cases=AY,
    mistakes=(
        Mistake("sign error", "∂/∂a (a − y)² = 2(a − y), not 2(y − a)", lambda a, y: -mse_grad(a, y)),
        Mistake(
            "summing instead of averaging",
            "C is a mean, so its gradient is divided by N = a.size",
            lambda a, y: 2 * (a - y),
        ),
        Mistake(
            "factor 2 missing (the ½ convention)",
            "MSE has no ½: the power rule leaves a 2",
            lambda a, y: (a - y) / a.size,
        ),
    ),
    hints=("Power rule on each entry: d/da (a − y)² = 2(a − y).", "Then divide by N = a.size, as the mean does."),
)
def mse_grad(a, y):
    """∂C/∂a = 2(a − y)/N."""
    return 2 * (a - y) / a.size


@QUESTIONS.ask(
    "q3",
    3,
    "Binary cross-entropy",
    cases=PY,
    mistakes=(
        Mistake(
            "brackets wrong (the seed's erratum)",
            "the minus sign covers both terms: −(y log p + (1 − y) log(1 − p))",
            lambda p, y: float(np.mean(-y * np.log(p) + (1 - y) * np.log(1 - p))),
        ),
        Mistake("sign error", "log p < 0, so the loss needs a minus sign to be positive", lambda p, y: -bce(p, y)),
        Mistake(
            "summed instead of averaged",
            "average over the entries (np.mean)",
            lambda p, y: float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))),
        ),
    ),
    hints=("For y = 1 the loss is −log p; for y = 0 it is −log(1 − p).", "Average over all entries."),
)
def bce(p, y):
    """−(1/N) Σ [y log p + (1 − y) log(1 − p)]."""
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@QUESTIONS.ask(
    "q4",
    2,
    "The gradient of the worked example's error",
    cases=AY,
    mistakes=(
        Mistake(
            "factor 2 kept (that is the MSE's gradient form)",
            "the ½ cancels the 2 of the power rule",
            lambda a, y: 2 * (a - y) / a.shape[0],
        ),
        Mistake(
            "divided by every entry, not by the batch",
            "E sums over outputs and averages over the batch only",
            lambda a, y: (a - y) / a.size,
        ),
        Mistake("sign error", "∂/∂a ½(y − a)² = a − y", lambda a, y: (y - a) / a.shape[0]),
    ),
    hints=("∂/∂a ½(y − a)² = a − y.", "Divide by the batch size, a.shape[0], not by a.size."),
)
def half_sse_grad(a, y):
    """E = (1/batch) Σ ½ (y − a)²  ->  ∂E/∂a = (a − y)/batch."""
    return (a - y) / a.shape[0]


QUESTIONS.written("q5", 2, "Outliers and confident mistakes")


def _softmax_unshifted(z):
    with np.errstate(over="ignore", invalid="ignore"):  # the mistake overflows to inf/inf = nan
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


@QUESTIONS.ask(
    "q6",
    3,
    "The gradient of softmax cross-entropy",
    cases=ZY,
    batch_arg="z",
    mistakes=(
        Mistake(
            "not divided by the batch",
            "C is a mean over the B examples, so ∂C/∂z = (p − y)/B with B = z.shape[0]",
            lambda z, y: softmax(z) - y,
        ),
        Mistake(
            "divided by every entry, not by the batch",
            "cross-entropy sums over the classes and averages over the examples: divide by z.shape[0]",
            lambda z, y: (softmax(z) - y) / z.size,
        ),
        Mistake(
            "p returned instead of p − y",
            "the log of the softmax brings −y: ∂C/∂z = (p − y)/B",
            lambda z, y: softmax(z) / z.shape[0],
        ),
        Mistake(
            "no max-shift: e^z overflowed to inf and inf/inf gave nan",
            "subtract each row's largest logit before np.exp; the probabilities do not change",
            lambda z, y: (_softmax_unshifted(z) - y) / z.shape[0],
        ),
    ),
    hints=(
        "p = softmax(z) row by row: p_k = e^(z_k) / Σ_j e^(z_j).",
        "Subtract each row's maximum first: z - z.max(axis=1, keepdims=True).",
        "∂C/∂z = (p − y)/B, with B = z.shape[0].",
    ),
)
def softmax_ce_grad(z, y):
    """C = −(1/B) Σ_i Σ_k y_ik log softmax(z_i)_k  ->  ∂C/∂z = (softmax(z) − y)/B, shape (B, K)."""
    return (softmax(z) - y) / z.shape[0]


def huber(a, y, delta):
    """(1/N) Σ h(a − y), h(r) = ½ r² where |r| ≤ δ and δ(|r| − ½δ) elsewhere (as torch.nn.HuberLoss)."""
    r = np.abs(a - y)
    return float(np.mean(np.where(r <= delta, 0.5 * r**2, delta * (r - 0.5 * delta))))


def _huber_slope_one(a, y, delta):
    r = a - y
    return np.where(np.abs(r) <= delta, r, np.sign(r)) / a.size


@QUESTIONS.ask(
    "q7",
    3,
    "The gradient of the Huber loss",
    cases=AYD,
    batch_arg="a",
    mistakes=(
        Mistake(
            "forgot the 1/N",
            "the loss is a mean over every entry, so its gradient is divided by N = a.size",
            lambda a, y, delta: np.clip(a - y, -delta, delta),
        ),
        Mistake(
            "sign flipped",
            "differentiate with respect to a: the gradient points the way a − y points",
            lambda a, y, delta: -huber_grad(a, y, delta),
        ),
        Mistake(
            "no clipping (that is the gradient of ½ MSE)",
            "beyond |a − y| = δ the loss grows linearly, so its slope stops growing there",
            lambda a, y, delta: (a - y) / a.size,
        ),
        Mistake(
            "outer slope ±1 instead of ±δ",
            "differentiate δ(|r| − ½δ) with respect to r: the factor δ stays",
            _huber_slope_one,
        ),
        Mistake(
            "divided by the batch, not by every entry",
            "this loss averages over every entry, as MSE does: divide by a.size",
            lambda a, y, delta: np.clip(a - y, -delta, delta) / a.shape[0],
        ),
    ),
    hints=(
        "Work with one residual r = a − y: differentiate each branch of h(r) on its own.",
        "Inside |r| ≤ δ you get the MSE-like slope; outside, a constant slope whose size does not depend on r.",
        "np.clip(x, low, high) limits every entry of x to [low, high].",
    ),
)
def huber_grad(a, y, delta):
    """∂C/∂a of the mean Huber loss: clip(a − y, −δ, δ)/N, N = a.size; shape of a."""
    return np.clip(a - y, -delta, delta) / a.size
