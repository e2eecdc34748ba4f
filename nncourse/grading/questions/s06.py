"""Section 06, backpropagation by hand: the worked 2-2-2 example.

Loss: E = ½ Σ (t − y)², summed over outputs and averaged over the batch
(nncourse's "half_sse"). Layer shapes: X (batch, n0), W1 (n1, n0), W2 (n2, n1).
The by-hand questions (E, ∂E/∂w5, the step on w5, ∂E/∂b1) are functions of
``weights`` (a dict of the ten named numbers w1..w8, b1, b2), ``x`` and ``t``
(one example, shape (2,)), so that hidden cases can try other weights.
"""

from __future__ import annotations

import numpy as np

from ...data import worked_example
from ...network import BACKPROP
from ..spec import Bank, Mistake
from .common import backprop_mistakes, dsig, random_case, sig, sigmoid_backprop, without, worked_case

EX = worked_example()

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    3,
    "Forward pass of the 2-2-2 network",
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
)
def forward(X, W1, b1, W2, b2):
    """(H, Y): H = σ(X W1ᵀ + b1), Y = σ(H W2ᵀ + b2)."""
    H = sig(X @ W1.T + b1)
    return H, sig(H @ W2.T + b2)


NAMES = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2")


def matrices(weights):
    """The named weights of the 2-2-2 network as (W1, b1, W2, b2): W1 = [[w1, w2], [w3, w4]] is W^(1),
    W2 = [[w5, w6], [w7, w8]] is W^(2); each layer's bias b1, b2 is shared by its two neurons."""
    w = {k: float(weights[k]) for k in NAMES}
    W1 = np.array([[w["w1"], w["w2"]], [w["w3"], w["w4"]]])
    W2 = np.array([[w["w5"], w["w6"]], [w["w7"], w["w8"]]])
    return W1, np.full(2, w["b1"]), W2, np.full(2, w["b2"])


def _pass(weights, x):
    """(H, Y, net_Y) of the 2-2-2 network for one example x (shape (2,))."""
    W1, b1, W2, b2 = matrices(weights)
    H = sig(W1 @ x + b1)
    net_y = W2 @ H + b2
    return H, sig(net_y), net_y


def weights_case(seed: int | None = None) -> dict:
    """Keyword arguments weights (a dict of w1..w8, b1, b2), x and t: the worked example (no seed),
    or random weights in [−1, 1], inputs in [−1, 1] and targets in [0, 1] (rounded to 3 decimals)."""
    if seed is None:
        return {
            "weights": {k: float(getattr(EX, k)) for k in NAMES},
            "x": [float(v) for v in EX.x],
            "t": [float(v) for v in EX.t],
        }
    rng = np.random.default_rng(seed)
    return {
        "weights": {k: float(np.round(rng.uniform(-1, 1), 3)) for k in NAMES},
        "x": np.round(rng.uniform(-1, 1, 2), 3).tolist(),
        "t": np.round(rng.uniform(0, 1, 2), 3).tolist(),
    }


WEIGHTS_CASES = (weights_case(), weights_case(seed=11))


@QUESTIONS.ask(
    "q2",
    1,
    "The error E of one example",
    cases=WEIGHTS_CASES,
    mistakes=(
        Mistake(
            "the ½ left out",
            "E = ½(t1 − Y1)² + ½(t2 − Y2)²",
            lambda weights, x, t: 2 * error_E(weights, x, t),
        ),
        Mistake(
            "averaged over the outputs, not summed",
            "E adds the two outputs' errors: use np.sum, not np.mean",
            lambda weights, x, t: error_E(weights, x, t) / 2,
        ),
        Mistake(
            "σ missing on the output layer",
            "Y = σ(net_Y): apply σ to the output neurons' weighted inputs too",
            lambda weights, x, t: error_E(weights, x, t, sigma_out=False),
        ),
        Mistake(
            "rounded intermediates (as the seed tutorial does)",
            "keep full precision: do not round H before it feeds the output layer",
            lambda weights, x, t: error_E(weights, x, t, round_h=True),
        ),
    ),
    hints=(
        "`matrices(weights)` gives W1, b1, W2, b2; your `forward` takes a batch, so pass x as one row.",
        "E = ½ Σ (t − y)², summed over both outputs.",
    ),
)
def error_E(weights, x, t, sigma_out=True, round_h=False) -> float:
    """E = ½ Σ_k (t_k − Y_k)² for one example (``sigma_out``/``round_h`` plant mistakes)."""
    W1, b1, W2, b2 = matrices(weights)
    H = sig(W1 @ x + b1)
    if round_h:
        H = np.round(H, 3)
    net_y = W2 @ H + b2
    Y = sig(net_y) if sigma_out else net_y
    return float(0.5 * np.sum((t - Y) ** 2))


@QUESTIONS.ask(
    "q3",
    2,
    "∂E/∂w5 by hand",
    cases=WEIGHTS_CASES,
    mistakes=(
        Mistake(
            "σ′ factor missing",
            "multiply by σ′(net_Y1), the slope of Y1's sigmoid",
            lambda weights, x, t: dE_dw5(weights, x, t, prime="none"),
        ),
        Mistake(
            "sign error",
            "∂E/∂Y1 for E = ½(t1 − Y1)² is Y1 − t1, not t1 − Y1",
            lambda weights, x, t: dE_dw5(weights, x, t, sign=-1.0),
        ),
        Mistake(
            "`a` used where `z` belongs",
            "σ′ takes the weighted input: σ′(net_Y1), not σ′(Y1)",
            lambda weights, x, t: dE_dw5(weights, x, t, prime="at_y"),
        ),
        Mistake(
            "`z` used where `a` belongs",
            "σ′(net) = Y1(1 − Y1) uses the activation Y1, not net_Y1",
            lambda weights, x, t: dE_dw5(weights, x, t, prime="z"),
        ),
        Mistake(
            "H2 used where H1 belongs",
            "w5 carries H1 into Y1, so ∂net_Y1/∂w5 is H1 (H2 goes with w6)",
            lambda weights, x, t: dE_dw5(weights, x, t, h_index=1),
        ),
    ),
    hints=(
        "Three chain-rule factors: ∂E/∂Y1 · ∂Y1/∂net_Y1 · ∂net_Y1/∂w5.",
        "Only the error of Y1 depends on w5; differentiate ½(t1 − Y1)² with respect to Y1.",
        "∂net_Y1/∂w5 is the value that w5 multiplies in net_Y1 = w5·H1 + w6·H2 + b2.",
    ),
)
def dE_dw5(weights, x, t, prime="y", sign=1.0, h_index=0) -> float:
    """∂E/∂w5 = (Y1 − t1) · σ′(net_Y1) · H1, with σ′(net_Y1) = Y1(1 − Y1).

    ``prime``, ``sign`` and ``h_index`` plant mistakes: prime "none" (σ′ left out), "at_y"
    (σ′ evaluated at Y1), "z" (net_Y1(1 − net_Y1)); sign −1; h_index 1 (H2, w6's input)."""
    H, Y, net_y = _pass(weights, x)
    factor = {
        "y": Y[0] * (1 - Y[0]),
        "none": 1.0,
        "at_y": float(dsig(Y[0])),
        "z": net_y[0] * (1 - net_y[0]),
    }[prime]
    return float(sign * (Y[0] - t[0]) * factor * H[h_index])


@QUESTIONS.ask(
    "q4",
    3,
    "Backprop through one (output) layer",
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
)
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


# Declared after its answer: the mistakes are ``backprop`` itself with one backward step broken.
QUESTIONS.ask(
    "q5",
    4,
    "Backprop through the whole network",
    batch_arg="X",
    cases=(worked_case(), random_case((2, 3, 2), 4, 2)),
    mistakes=backprop_mistakes(backprop),
    hints=(
        "Forward first, keeping Z1, H, Z2, Y.",
        "δ2 = (Y − T) ⊙ Y(1 − Y); δ1 = (δ2 @ W2) ⊙ H(1 − H).",
        "dW2 = δ2ᵀ H / batch, db2 = Σ δ2 / batch; the same pattern with δ1 and X for layer 1.",
    ),
)(backprop)


@QUESTIONS.ask(
    "q6",
    1,
    "One gradient-descent step on w5",
    cases=tuple(dict(c, lr=lr) for c, lr in zip(WEIGHTS_CASES, (0.01, 0.5))),
    mistakes=(
        Mistake(
            "sign error in the update (the seed's w + η∂E/∂w)",
            "gradient descent steps downhill, against the gradient",
            lambda weights, x, t, lr: w5_after_step(weights, x, t, lr, direction=1.0),
        ),
        Mistake(
            "learning rate left out",
            "the step is the gradient scaled by the learning rate lr",
            lambda weights, x, t, lr: w5_after_step(weights, x, t, lr, use_lr=False),
        ),
    ),
    hints=("Use your dE_dw5; the update rule is w ← w − η ∂E/∂w.",),
)
def w5_after_step(weights, x, t, lr, direction=-1.0, use_lr=True) -> float:
    """w5 − lr · ∂E/∂w5 (``direction`` +1: the seed's uphill step; ``use_lr`` False: η left out)."""
    return float(weights["w5"] + direction * (lr if use_lr else 1.0) * dE_dw5(weights, x, t))


def hidden_deltas(weights, x, t) -> np.ndarray:
    """δ of H1 and H2, shape (2,): δ_Hj = (Σ_k δ_Yk w_kj) · Hj(1 − Hj), δ_Yk = (Yk − tk) Yk(1 − Yk)."""
    W2 = matrices(weights)[2]
    H, Y, _ = _pass(weights, x)
    d_out = (Y - t) * Y * (1 - Y)
    return (d_out @ W2) * H * (1 - H)


@QUESTIONS.ask(
    "q7",
    2,
    "∂E/∂b1 for the shared hidden bias",
    cases=WEIGHTS_CASES,
    mistakes=(
        Mistake(
            "`=` where `+=` accumulates",
            "b1 feeds both H1 and H2: add both contributions, do not overwrite the first",
            lambda weights, x, t: float(hidden_deltas(weights, x, t)[1]),
        ),
        Mistake(
            "only H1's contribution",
            "b1 also feeds H2: add the δ of H2",
            lambda weights, x, t: float(hidden_deltas(weights, x, t)[0]),
        ),
    ),
    hints=(
        "b1 reaches E along two paths, through H1 and through H2: add one term per path.",
        "Each term is that hidden neuron's δ: (Σ_k δ_Yk · weight from it to Yk) · H(1 − H).",
    ),
)
def dE_db1(weights, x, t) -> float:
    """∂E/∂b1 for the hidden bias shared by H1 and H2: δ_H1 + δ_H2."""
    return float(hidden_deltas(weights, x, t).sum())


QUESTIONS.written("q8", 2, "Why the seed's E differs")


def _tanh_mistake(**options):
    def variant(X, T, W1, b1, W2, b2):
        return tanh_backprop(X, T, W1, b1, W2, b2, **options)

    return variant


@QUESTIONS.ask(
    "q9",
    3,
    "Backprop through tanh hidden units",
    batch_arg="X",
    cases=(
        random_case((2, 2, 2), 1, 21),
        random_case((2, 3, 2), 4, 22),
    ),
    mistakes=(
        Mistake(
            "used σ′ where tanh′ belongs",
            "the hidden units are tanh now: their slope is tanh′(z), which is not a(1 − a)",
            _tanh_mistake(hidden="sigma"),
        ),
        Mistake(
            "`z` used where `a` belongs",
            "tanh′(z) = 1 − tanh²(z): square the activation H = tanh(z), not z",
            _tanh_mistake(hidden="z"),
        ),
        Mistake(
            "square missing in tanh′",
            "tanh′(z) = 1 − tanh(z)²: the activation is squared",
            _tanh_mistake(hidden="no_square"),
        ),
        Mistake(
            "σ′ factor missing in the output layer",
            "the output is still a sigmoid: δ2 = (Y − T) ⊙ Y(1 − Y)",
            _tanh_mistake(out_prime=False),
        ),
        Mistake(
            "transpose wrong when sending δ back",
            "with one example per row, δ2 (batch, n2) @ W2 (n2, n1) gives (batch, n1): no .T there",
            _tanh_mistake(transpose=False),
        ),
    ),
    hints=(
        "Only the hidden layer changed: keep the output δ of Q5.",
        "Derive tanh′ first: tanh = sinh/cosh, or check your formula by a finite difference at one z.",
        "Write tanh′(z) in terms of the activation H = tanh(z), as σ′ was written with a = σ(z).",
    ),
)
def tanh_backprop(X, T, W1, b1, W2, b2, hidden="tanh", out_prime=True, transpose=True):
    """(dW1, db1, dW2, db2) of E (½ Σ (t − y)², averaged over the batch) for tanh hidden units and a
    sigmoid output: H = tanh(X W1ᵀ + b1), Y = σ(H W2ᵀ + b2).

    δ2 = (Y − T) ⊙ Y(1 − Y) (batch, n2); δ1 = (δ2 W2) ⊙ (1 − H²) (batch, n1), since tanh′(z) = 1 − tanh²(z).
    ``hidden`` plants a mistake in the hidden layer's derivative: "sigma" (σ′ form H(1 − H)), "z" (1 − z²),
    "no_square" (1 − H); ``out_prime`` False drops σ′ at the output; ``transpose`` False sends δ2 back with W2ᵀ.
    """
    Z1 = X @ W1.T + b1
    H = np.tanh(Z1)
    Y = sig(H @ W2.T + b2)
    n = X.shape[0]
    delta2 = (Y - T) * (Y * (1 - Y) if out_prime else 1.0)
    back = delta2 @ (W2 if transpose else W2.T)
    prime = {"tanh": 1 - H**2, "sigma": H * (1 - H), "z": 1 - Z1**2, "no_square": 1 - H}[hidden]
    delta1 = back * prime
    return delta1.T @ X / n, delta1.sum(axis=0) / n, delta2.T @ H / n, delta2.sum(axis=0) / n
