"""Section 08, backpropagation in matrix form.

Sigmoid layers everywhere; E = ½ Σ (t − y)² summed over outputs, averaged over the batch.
Notation: ``Ws[l-1]`` is W^(l), of shape (n_l, n_{l−1}); the layers count from 1, the lists from 0.
"""

from __future__ import annotations

import numpy as np

from ...network import BACKPROP
from ..spec import Mistake, Question
from .common import backprop_mistakes, sig, sigmoid_backprop


def backward(X, T, Ws, bs, steps=BACKPROP):
    """(dWs, dbs) for a sigmoid network with weights Ws[l-1] = W^(l) (n_l, n_{l−1}) and biases bs[l-1] = b^(l).

    Computed by ``Network``'s backward pass (``steps`` plants one of the shared backprop mistakes).
    """
    return sigmoid_backprop(X, T, Ws, bs, steps)


def one_layer_grads(X, T, W, b, last_only=False):
    """(dW, db) of one sigmoid layer, averaged over the batch (``last_only``: the `=` bug)."""
    A = sig(X @ W.T + b)
    delta = (A - T) * A * (1 - A)
    if last_only:
        return np.outer(delta[-1], X[-1]) / X.shape[0], delta[-1] / X.shape[0]
    return delta.T @ X / X.shape[0], delta.sum(axis=0) / X.shape[0]


def relative_error(g1, g2):
    """‖g1 − g2‖ / (‖g1‖ + ‖g2‖)."""
    return float(np.linalg.norm(g1 - g2) / (np.linalg.norm(g1) + np.linalg.norm(g2)))


def _net(sizes, batch, seed):
    rng = np.random.default_rng(seed)
    r = lambda *s: np.round(rng.uniform(-1, 1, size=s), 3).tolist()  # noqa: E731
    return {
        "X": r(batch, sizes[0]),
        "T": np.round(rng.uniform(0, 1, size=(batch, sizes[-1])), 3).tolist(),
        "Ws": [r(o, i) for i, o in zip(sizes[:-1], sizes[1:])],
        "bs": [r(o) for o in sizes[1:]],
    }


QUESTIONS = [
    Question(
        "q1",
        5,
        "Backprop for any number of layers",
        name="backward",
        reference=backward,
        lists=("Ws", "bs"),
        batch_arg="X",
        cases=(_net((2, 3, 2), 4, 1), _net((2, 2, 2, 2), 3, 2), _net((3, 4, 4, 1), 5, 3)),
        mistakes=backprop_mistakes(backward),
        hints=(
            "Forward first, keeping every z and a (a[0] = X).",
            "Output: δ^(L) = (A^(L) − T) ⊙ A^(L)(1 − A^(L)). One layer down: "
            "δ^(l) = (δ^(l+1) W^(l+1)) ⊙ A^(l)(1 − A^(l)); in code W^(l+1) is Ws[l].",
            "∂E/∂W^(l) = δ^(l)ᵀ A^(l−1) / batch and ∂E/∂b^(l) = Σ_batch δ^(l) / batch, for l = L down to 1; "
            "store them in dWs[l-1], dbs[l-1].",
        ),
    ),
    Question(
        "q2",
        3,
        "Accumulating gradients example by example",
        name="accumulate_gradients",
        reference=one_layer_grads,
        batch_arg="X",
        cases=(
            {"X": [[1.0, 0.5], [-0.5, 2.0], [0.0, -1.0]], "T": [[1.0], [0.0], [1.0]], "W": [[0.3, -0.2]], "b": [0.1]},
            {
                "X": [[0.2, 0.4, 0.6], [1.0, 0.0, -1.0]],
                "T": [[0.0, 1.0], [1.0, 0.0]],
                "W": [[0.1, 0.2, 0.3], [-0.3, 0.0, 0.5]],
                "b": [0.0, -0.2],
            },
        ),
        mistakes=(
            Mistake(
                "`=` where `+=` accumulates",
                "each example's gradient must be added to the running total; with `=` only the last example counts",
                lambda X, T, W, b: one_layer_grads(X, T, W, b, True),
            ),
        ),
        hints=(
            "Start dW = np.zeros_like(W), db = np.zeros_like(b).",
            "For each row x, t: δ = (a − t) a(1 − a); dW += np.outer(δ, x); db += δ.",
            "Divide both by the batch size at the end.",
        ),
    ),
    Question(
        "q3",
        2,
        "The relative error of a gradient check",
        name="relative_error",
        reference=relative_error,
        cases=({"g1": [1.0, 2.0, 3.0], "g2": [1.0, 2.0, 3.1]}, {"g1": [[0.5, -0.5]], "g2": [[-0.5, 0.5]]}),
        mistakes=(
            Mistake(
                "not symmetric: divided by one norm",
                "divide by ‖g1‖ + ‖g2‖",
                lambda g1, g2: float(np.linalg.norm(g1 - g2) / np.linalg.norm(g1)),
            ),
            Mistake(
                "not normalised",
                "divide the difference's norm by ‖g1‖ + ‖g2‖",
                lambda g1, g2: float(np.linalg.norm(g1 - g2)),
            ),
        ),
        hints=("np.linalg.norm flattens any array.",),
    ),
    Question(
        "q4",
        1,
        "Find the broken layer",
        kind="value",
        name="broken_layer",
        reference=lambda: 2,
        mistakes=(
            Mistake(
                "gave the list index, not the layer number",
                "dWs[1] holds ∂E/∂W^(2): the lists count from 0, the layers from 1. The question asks for l",
                lambda: 1,
            ),
        ),
        hints=(
            "Compute relative_error(dWs[i], numeric[i]) for each list index i; one is far from zero.",
            "dWs[i] holds ∂E/∂W^(i+1), so the layer number is the list index plus 1.",
        ),
    ),
    Question("q5", 2, "Why backprop is cheap", kind="manual"),
]
