"""Section 04, the neuron and the forward pass."""

from __future__ import annotations

import numpy as np

from ..spec import Bank, Mistake
from .common import sig

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    2,
    "One neuron",
    cases=({"x": [0.3, 1.0], "w": [1.1, 2.6], "b": 0.0}, {"x": [0.5, -1.0, 2.0], "w": [0.2, 0.4, -0.1], "b": 0.3}),
    mistakes=(
        Mistake("σ not applied", "the activation is a = σ(z); you returned z", lambda x, w, b: w @ x + b),
        Mistake("bias missing", "z = w·x + b: add the bias", lambda x, w, b: sig(w @ x)),
    ),
    hints=("z = Σ_k w_k x_k + b (np.dot or @).", "a = 1 / (1 + e^(−z))."),
)
def neuron(x, w, b):
    """a = σ(w·x + b) for one neuron: x, w of shape (n,), b a number."""
    return sig(w @ x + b)


@QUESTIONS.ask(
    "q2",
    3,
    "A layer on a mini-batch",
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
)
def layer_forward(A, W, b):
    """A^(l) = σ(A^(l−1) W^(l)ᵀ + b^(l)): A (batch, n_in), W (n_out, n_in), b (n_out,) -> (batch, n_out)."""
    return sig(A @ W.T + b)


@QUESTIONS.ask(
    "q3",
    1,
    "Which entry is w_jk?",
    cases=(
        {"W": [[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1.0, 1.1, 1.2]], "neuron": 2, "input": 0},
        {"W": [[1.5, -2.0], [0.25, 3.0]], "neuron": 0, "input": 1},
    ),
    mistakes=(
        Mistake(
            "to and from swapped",
            "w_jk is the weight TO neuron j FROM input k: the row is the neuron, the column the input",
            lambda W, neuron, input: float(W[int(input), int(neuron)]),
        ),
    ),
    hints=("Row j of W holds the weights into neuron j.",),
)
def weight_from(W, neuron, input):
    """w_jk = W[j, k]: the weight to neuron j (row) from input k (column)."""
    return float(W[int(neuron), int(input)])


@QUESTIONS.ask(
    "q4",
    1,
    "Counting parameters",
    cases=({"n_in": 64, "n_out": 32}, {"n_in": 2, "n_out": 3}),
    mistakes=(
        Mistake("biases forgotten", "each neuron also has a bias", lambda n_in, n_out: n_in * n_out),
        Mistake(
            "one bias per input",
            "a bias belongs to a neuron (b has shape (n_out,)), not to an input",
            lambda n_in, n_out: n_in * n_out + n_in,
        ),
    ),
    hints=("W has shape (n_out, n_in); b has shape (n_out,).",),
)
def n_params(n_in, n_out):
    """Weights and biases of a dense layer: W is (n_out, n_in), b is (n_out,)."""
    return n_in * n_out + n_out


QUESTIONS.written("q5", 2, "Why one matrix product per batch")


@QUESTIONS.ask(
    "q6",
    3,
    "A skip connection around a tanh layer",
    batch_arg="A",
    cases=(
        {"A": [[1.0, -1.0], [0.5, 2.0], [0.0, 0.25]], "W": [[0.5, -0.25], [1.0, 0.75]], "b": [0.1, -0.2]},
        {
            "A": [[0.2, 0.4, -0.6], [1.0, 0.0, -1.0]],
            "W": [[0.3, -0.1, 0.2], [0.0, 0.5, -0.5], [1.0, 0.2, 0.1]],
            "b": [0.0, 0.1, -0.1],
        },
    ),
    mistakes=(
        Mistake(
            "skip connection missing",
            "the block adds its input back: output = A + (the layer's output)",
            lambda A, W, b: np.tanh(A @ W.T + b),
        ),
        Mistake(
            "transpose missing",
            "with examples in rows the layer computes A @ W.T + b (W is (n_out, n_in))",
            lambda A, W, b: A + np.tanh(A @ W + b),
        ),
        Mistake(
            "σ used where tanh belongs",
            "this layer's activation is tanh (np.tanh), not the sigmoid",
            lambda A, W, b: A + sig(A @ W.T + b),
        ),
        Mistake(
            "input added inside the activation",
            "add A after the activation: A + tanh(Z), not tanh(Z + A)",
            lambda A, W, b: np.tanh(A @ W.T + b + A),
        ),
    ),
    hints=(
        "First the layer as in Q2, with tanh instead of σ: tanh(A @ W.T + b).",
        "Then the skip connection adds the layer's input: A + tanh(A @ W.T + b). Shapes: (batch, n) both.",
    ),
)
def residual_forward(A, W, b):
    """A skip connection around a tanh layer: A + tanh(A Wᵀ + b); A (batch, n), W (n, n), b (n,)."""
    return A + np.tanh(A @ W.T + b)
