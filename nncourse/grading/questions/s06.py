"""Section 06, backpropagation by hand: the worked 2-2-2 example.

Loss: E = ½ Σ (t − y)², summed over outputs and averaged over the batch
(nncourse's "half_sse"). Layer shapes: X (batch, n0), W1 (n1, n0), W2 (n2, n1).
"""

from __future__ import annotations

import numpy as np

from ...data import worked_example
from ...network import BACKPROP
from ..spec import Mistake, Question
from .common import backprop_mistakes, dsig, random_case, sig, sigmoid_backprop, without, worked_case

EX = worked_example()


def forward(X, W1, b1, W2, b2):
    """(H, Y): H = σ(X W1ᵀ + b1), Y = σ(H W2ᵀ + b2)."""
    H = sig(X @ W1.T + b1)
    return H, sig(H @ W2.T + b2)


def _worked():
    H, Y = forward(EX.X, *[np.array(v) for v in list(worked_case().values())[2:]])
    return H[0], Y[0]


def error_E() -> float:
    _, Y = _worked()
    return float(0.5 * np.sum((np.array(EX.t) - Y) ** 2))


def dE_dw5(sigma_prime=lambda y, net: y * (1 - y), sign=1.0) -> float:
    H, Y = _worked()
    net_y1 = EX.w5 * H[0] + EX.w6 * H[1] + EX.b2
    return float(sign * (Y[0] - EX.t[0]) * sigma_prime(Y[0], net_y1) * H[0])


def hidden_deltas() -> np.ndarray:
    """δ of H1 and H2 in the worked example (shape (2,))."""
    H, Y = _worked()
    d_out = (Y - np.array(EX.t)) * Y * (1 - Y)
    W2 = np.array([[EX.w5, EX.w6], [EX.w7, EX.w8]])
    return (d_out @ W2) * H * (1 - H)


def output_layer_grads(A_prev, Z, T, prime=None, sign=1.0):
    """(dW, db) of a sigmoid output layer, E averaged over the batch.

    δ = (σ(Z) − T) ⊙ σ′(Z) (batch, n_out); dW = δᵀ A_prev / batch; db = Σ_batch δ / batch.
    """
    A = sig(Z)
    delta = sign * (A - T) * (dsig(Z) if prime is None else prime(Z, A))
    n = A_prev.shape[0]
    return delta.T @ A_prev / n, delta.sum(axis=0) / n


def backprop(X, T, W1, b1, W2, b2, steps=BACKPROP):
    """(dW1, db1, dW2, db2) of E averaged over the batch, for the 2-layer sigmoid network.

    W1 is W^(1) (n1, n0), W2 is W^(2) (n2, n1); computed by ``Network``'s backward pass
    (``steps`` plants one of the shared backprop mistakes).
    """
    (dW1, dW2), (db1, db2) = sigmoid_backprop(X, T, [W1, W2], [b1, b2], steps)
    return dW1, db1, dW2, db2


QUESTIONS = [
    Question(
        "q1",
        3,
        "Forward pass of the 2-2-2 network",
        name="forward",
        reference=forward,
        cases=(without(worked_case(), "T"), without(random_case((2, 3, 2), 4, 1), "T")),
        mistakes=(
            Mistake(
                "transpose missing",
                "W has shape (n_out, n_in); with a batch in rows, use X @ W1.T",
                lambda X, W1, b1, W2, b2: forward(X, W1.T, b1, W2.T, b2),
            ),
            Mistake(
                "σ missing on the output layer",
                "apply σ to the output layer's z as well",
                lambda X, W1, b1, W2, b2: (sig(X @ W1.T + b1), sig(X @ W1.T + b1) @ W2.T + b2),
            ),
            Mistake(
                "σ missing on the hidden layer",
                "apply σ to the hidden layer's z before it feeds the output",
                lambda X, W1, b1, W2, b2: (X @ W1.T + b1, sig((X @ W1.T + b1) @ W2.T + b2)),
            ),
        ),
        hints=(
            "Z1 = X @ W1.T + b1 has one row per example and one column per hidden neuron.",
            "H = σ(Z1); then the output layer does the same with H, W2 and b2.",
            "Return a tuple (H, Y), both of shape (batch, 2) for the worked example.",
        ),
    ),
    Question(
        "q2",
        1,
        "The error E of the worked example",
        kind="value",
        name="E",
        reference=error_E,
        rtol=1e-5,
        mistakes=(
            Mistake("the ½ left out", "E = ½(t1 − y1)² + ½(t2 − y2)²", lambda: 2 * error_E()),
            Mistake(
                "rounded intermediates (the seed's 0.184972)",
                "keep full precision: use your forward pass, not H rounded to 3 digits",
                lambda: 0.184972,
            ),
        ),
        hints=("Use your `forward` on the worked example's X.", "E = ½ Σ (t − y)², summed over both outputs."),
    ),
    Question(
        "q3",
        2,
        "∂E/∂w5 by hand",
        kind="value",
        name="dE_dw5",
        reference=dE_dw5,
        rtol=1e-5,
        mistakes=(
            Mistake("σ′ factor missing", "multiply by σ′(net Y1) = Y1(1 − Y1)", lambda: dE_dw5(lambda y, net: 1.0)),
            Mistake("sign error", "∂E/∂Y1 = −(t1 − Y1) = Y1 − t1", lambda: dE_dw5(sign=-1.0)),
            Mistake(
                "`a` used where `z` belongs",
                "σ′ takes the weighted input: σ′(net Y1), not σ′(Y1)",
                lambda: dE_dw5(lambda y, net: float(dsig(y))),
            ),
            Mistake(
                "`z` used where `a` belongs",
                "Y1(1 − Y1) uses the activation Y1, not net Y1",
                lambda: dE_dw5(lambda y, net: net * (1 - net)),
            ),
        ),
        hints=(
            "Three chain-rule factors: ∂E/∂Y1 · ∂Y1/∂net · ∂net/∂w5.",
            "∂E/∂Y1 = Y1 − t1; ∂Y1/∂net = Y1(1 − Y1); ∂net/∂w5 = H1.",
            "The answer starts 0.0729…",
        ),
    ),
    Question(
        "q4",
        3,
        "Backprop through one (output) layer",
        name="output_layer_grads",
        reference=output_layer_grads,
        batch_arg="A_prev",
        cases=(
            {"A_prev": [[0.5, -1.0, 2.0]], "Z": [[0.3, -0.2]], "T": [[1.0, 0.0]]},
            {
                "A_prev": [[0.1, 0.2, 0.3], [1.0, -0.5, 0.0], [0.7, 0.7, -0.2], [-1.0, 0.4, 0.9]],
                "Z": [[0.3, -0.2], [1.5, 0.1], [-0.4, 0.8], [0.0, 2.0]],
                "T": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 0.2]],
            },
        ),
        mistakes=(
            Mistake(
                "σ′ factor missing",
                "δ = (a − t) ⊙ σ′(z): multiply by σ′(z) = a(1 − a)",
                lambda A_prev, Z, T: output_layer_grads(A_prev, Z, T, prime=lambda z, a: 1.0),
            ),
            Mistake(
                "`a` used where `z` belongs",
                "σ′ takes z: σ′(z) = σ(z)(1 − σ(z)), not σ′(a)",
                lambda A_prev, Z, T: output_layer_grads(A_prev, Z, T, prime=lambda z, a: dsig(a)),
            ),
            Mistake(
                "`z` used where `a` belongs",
                "a(1 − a) needs the activation a = σ(z), not z",
                lambda A_prev, Z, T: output_layer_grads(A_prev, Z, T, prime=lambda z, a: z * (1 - z)),
            ),
            Mistake(
                "sign error",
                "∂E/∂a = a − t (not t − a)",
                lambda A_prev, Z, T: output_layer_grads(A_prev, Z, T, sign=-1.0),
            ),
        ),
        hints=(
            "A = σ(Z); δ = (A − T) ⊙ σ′(Z) has the shape of Z: (batch, n_out).",
            "dW must have W's shape (n_out, n_in): δᵀ @ A_prev, divided by the batch size.",
            "db is δ summed over the batch (axis 0), divided by the batch size.",
        ),
    ),
    Question(
        "q5",
        4,
        "Backprop through the whole network",
        name="backprop",
        reference=backprop,
        batch_arg="X",
        cases=(worked_case(), random_case((2, 3, 2), 4, 2)),
        mistakes=backprop_mistakes(backprop),
        hints=(
            "Forward first, keeping Z1, H, Z2, Y.",
            "δ2 = (Y − T) ⊙ Y(1 − Y); δ1 = (δ2 @ W2) ⊙ H(1 − H).",
            "dW2 = δ2ᵀ H / batch, db2 = Σ δ2 / batch; the same pattern with δ1 and X for layer 1.",
        ),
    ),
    Question(
        "q6",
        1,
        "One gradient-descent step on w5",
        kind="value",
        name="w5_new",
        reference=lambda: EX.w5 - EX.lr * dE_dw5(),
        rtol=1e-5,
        mistakes=(
            Mistake(
                "sign error in the update (the seed's w + η∂E/∂w)",
                "gradient descent subtracts: w − η ∂E/∂w",
                lambda: EX.w5 + EX.lr * dE_dw5(),
            ),
            Mistake("learning rate left out", "the step is η ∂E/∂w with η = 0.01", lambda: EX.w5 - dE_dw5()),
        ),
        hints=("w5 ← w5 − η ∂E/∂w5 with η = 0.01.",),
    ),
    Question(
        "q7",
        2,
        "∂E/∂b1 for the shared hidden bias",
        kind="value",
        name="dE_db1",
        reference=lambda: float(hidden_deltas().sum()),
        rtol=1e-4,
        mistakes=(
            Mistake(
                "`=` where `+=` accumulates",
                "b1 feeds both H1 and H2: add both contributions",
                lambda: float(hidden_deltas()[1]),
            ),
            Mistake("only H1's contribution", "b1 also feeds H2: add δ of H2", lambda: float(hidden_deltas()[0])),
        ),
        hints=(
            "b1 feeds H1 and H2, so ∂E/∂b1 = δ_H1 + δ_H2.",
            "Each δ_H = (Σ_j δ_j w_jH) · H(1 − H).",
        ),
    ),
    Question("q8", 2, "Why the seed's E differs", kind="manual"),
]
