"""Section 04, the neuron and the forward pass."""

from __future__ import annotations

from ..spec import Mistake, Question
from .common import sig


def neuron(x, w, b):
    """a = σ(w·x + b) for one neuron: x, w of shape (n,), b a number."""
    return sig(w @ x + b)


def layer_forward(A, W, b):
    """A^(l) = σ(A^(l−1) W^(l)ᵀ + b^(l)): A (batch, n_in), W (n_out, n_in), b (n_out,) -> (batch, n_out)."""
    return sig(A @ W.T + b)


QUESTIONS = [
    Question(
        "q1",
        2,
        "One neuron",
        name="neuron",
        reference=neuron,
        cases=({"x": [0.3, 1.0], "w": [1.1, 2.6], "b": 0.0}, {"x": [0.5, -1.0, 2.0], "w": [0.2, 0.4, -0.1], "b": 0.3}),
        mistakes=(
            Mistake("σ not applied", "the activation is a = σ(z); you returned z", lambda x, w, b: w @ x + b),
            Mistake("bias missing", "z = w·x + b: add the bias", lambda x, w, b: sig(w @ x)),
        ),
        hints=("z = Σ_k w_k x_k + b (np.dot or @).", "a = 1 / (1 + e^(−z))."),
    ),
    Question(
        "q2",
        3,
        "A layer on a mini-batch",
        name="layer_forward",
        reference=layer_forward,
        batch_arg="A",
        cases=(
            {"A": [[1.0, 2.0], [0.0, -1.0], [0.5, 0.5]], "W": [[0.1, 0.2], [-0.3, 0.4]], "b": [0.0, 0.1]},
            {
                "A": [[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]],
                "W": [[0.5, -0.5, 0.25], [0.1, 0.2, 0.3], [0.0, 1.0, -1.0], [0.3, 0.3, 0.3]],
                "b": [0.1, -0.1, 0.0, 0.2],
            },
        ),
        mistakes=(
            Mistake(
                "transpose missing",
                "W^(l) has shape (n_out, n_in); with examples in rows, Z^(l) = A^(l−1) W^(l)ᵀ + b^(l): A @ W.T + b",
                lambda A, W, b: sig(A @ W + b),
            ),
            Mistake("σ not applied", "return σ(Z), not Z", lambda A, W, b: A @ W.T + b),
        ),
        hints=(
            "A has one example per row; W has one row per neuron.",
            "Z^(l) = A^(l−1) W^(l)ᵀ + b^(l), in code A @ W.T + b, has shape (batch, n_out).",
        ),
    ),
    Question(
        "q3",
        1,
        "Which entry is w_jk?",
        kind="value",
        name="w_index",
        reference=lambda: (2, 0),
        mistakes=(
            Mistake("to and from swapped", "w_jk is the weight TO neuron j FROM input k: W[j, k]", lambda: (0, 2)),
        ),
        hints=("Row j of W holds the weights into neuron j.",),
    ),
    Question(
        "q4",
        1,
        "Counting parameters",
        kind="value",
        name="n_params",
        reference=lambda: 64 * 32 + 32,
        mistakes=(Mistake("biases forgotten", "each of the 32 neurons also has a bias", lambda: 64 * 32),),
        hints=("W has shape (32, 64); b has shape (32,).",),
    ),
    Question("q5", 2, "Why one matrix product per batch", kind="manual"),
]
