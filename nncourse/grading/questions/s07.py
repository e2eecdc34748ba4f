"""Section 07, backpropagation in matrix form.

Sigmoid layers everywhere; E = ½ Σ (t − y)² summed over outputs, averaged over the batch.
"""

from __future__ import annotations

import numpy as np

from ..spec import Mistake, Question
from .common import dsig, sig


def backward(X, T, Ws, bs, hidden_prime=True, transpose_bug=False, at_a=False):
    """(dWs, dbs) for a sigmoid network with weights Ws[l] (n_out, n_in) and biases bs[l] (n_out,)."""
    zs, acts = [], [X]
    for W, b in zip(Ws, bs):
        zs.append(acts[-1] @ W.T + b)
        acts.append(sig(zs[-1]))
    n = X.shape[0]
    prime = (lambda z, a: dsig(a)) if at_a else (lambda z, a: a * (1 - a))
    delta = (acts[-1] - T) * prime(zs[-1], acts[-1])
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for layer in range(len(Ws) - 1, -1, -1):
        dWs[layer], dbs[layer] = delta.T @ acts[layer] / n, delta.sum(axis=0) / n
        if layer > 0:
            back = delta @ (Ws[layer].T if transpose_bug else Ws[layer])
            delta = back * prime(zs[layer - 1], acts[layer]) if hidden_prime else back
    return dWs, dbs


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
        mistakes=(
            Mistake(
                "σ′ factor missing in the hidden layers",
                "δ[l] = (δ[l+1] @ W[l+1]) ⊙ σ′(z[l])",
                lambda **k: backward(**k, hidden_prime=False),
            ),
            Mistake(
                "transpose wrong when sending δ back",
                "δ (batch, n_out) @ W (n_out, n_in) gives (batch, n_in): no .T there",
                lambda **k: backward(**k, transpose_bug=True),
            ),
            Mistake(
                "`a` used where `z` belongs",
                "σ′ takes z: σ′(z) = a(1 − a), not σ′(a)",
                lambda **k: backward(**k, at_a=True),
            ),
        ),
        hints=(
            "Forward first, keeping every z and a (a[0] = X).",
            "Output: δ = (a[L] − T) ⊙ a[L](1 − a[L]). Going back: δ ← (δ @ W[l]) ⊙ a[l](1 − a[l]).",
            "dW[l] = δᵀ a[l] / batch and db[l] = Σ_batch δ / batch, for l from the last layer down to 0.",
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
        reference=lambda: 1,
        mistakes=(
            Mistake("counted layers from 1", "the course counts weight layers from 0: W[0], W[1], W[2]", lambda: 2),
        ),
        hints=(
            "Compare each dWs[l] with `network_numeric_gradients` or run `gradient_check`-style comparisons "
            "layer by layer.",
        ),
    ),
    Question("q5", 2, "Why backprop is cheap", kind="manual"),
]
