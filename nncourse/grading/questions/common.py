"""Small helpers shared by the question banks: σ, σ′ and softmax (the package's own, from
:mod:`nncourse.activations`), the worked example as test-case data,
and a sigmoid network's backward pass with the classic backprop mistakes (sections 06 and 08)."""

from __future__ import annotations

from functools import partial

import numpy as np

from ...activations import Sigmoid, Softmax
from ...data import worked_example
from ...network import BACKPROP, BackwardSteps, Network
from ..spec import Mistake

_SIGMOID, _SOFTMAX = Sigmoid(), Softmax()


def sig(z) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), elementwise (:class:`nncourse.activations.Sigmoid`)."""
    return _SIGMOID.fn(np.asarray(z, dtype=float))


def dsig(z) -> np.ndarray:
    """σ′(z) = σ(z)(1 − σ(z)), elementwise."""
    s = sig(z)
    return s * (1.0 - s)


def softmax(z) -> np.ndarray:
    """Row-wise softmax of logits z (batch, K), shifted by each row's maximum so e^z cannot overflow
    (:class:`nncourse.activations.Softmax`)."""
    return _SOFTMAX.fn(np.asarray(z, dtype=float))


def worked_case() -> dict:
    """The worked 2-2-2 example as keyword arguments X, T, W1, b1, W2, b2 (plain lists)."""
    ex = worked_example()
    net = ex.network()
    return {
        "X": ex.X.tolist(),
        "T": ex.Y.tolist(),
        "W1": net.weights[0].tolist(),
        "b1": net.biases[0].tolist(),
        "W2": net.weights[1].tolist(),
        "b2": net.biases[1].tolist(),
    }


def random_case(sizes: tuple[int, int, int], batch: int, seed: int) -> dict:
    """A random network and batch as keyword arguments X, T, W1, b1, W2, b2 (rounded to 3 decimals)."""
    rng = np.random.default_rng(seed)
    n0, n1, n2 = sizes
    r = lambda *shape: np.round(rng.uniform(-1, 1, size=shape), 3).tolist()  # noqa: E731
    return {
        "X": r(batch, n0),
        "T": np.round(rng.uniform(0, 1, size=(batch, n2)), 3).tolist(),
        "W1": r(n1, n0),
        "b1": r(n1),
        "W2": r(n2, n1),
        "b2": r(n2),
    }


def without(case: dict, *keys: str) -> dict:
    """A copy of ``case`` without ``keys``."""
    return {k: v for k, v in case.items() if k not in keys}


def sigmoid_backprop(X, T, Ws, bs, steps: BackwardSteps = BACKPROP):
    """``(dWs, dbs)`` of E = ½ Σ (t − y)² averaged over the batch, for sigmoid layers.

    ``Ws[l-1]`` is W^(l), (n_l, n_{l−1}); ``bs[l-1]`` is b^(l). The gradients come from
    ``Network``'s own backward pass; ``steps`` plants one of :data:`BACKPROP_MISTAKES`.
    """
    Ws = [np.asarray(W, dtype=float) for W in Ws]
    net = Network([Ws[0].shape[1]] + [W.shape[0] for W in Ws], activation="sigmoid", seed=0)
    net.weights, net.biases = Ws, [np.asarray(b, dtype=float) for b in bs]
    X, T, loss = net.check_data(X, T, "half_sse")
    zs, activations = net.feedforward(X)
    return net.backprop(zs, activations, loss.grad(activations[-1], T), steps)


# The backprop mistakes that sections 06 and 08 diagnose: (name, what to fix, the broken steps).
BACKPROP_MISTAKES = (
    (
        "σ′ factor missing in the hidden layers",
        "each hidden δ needs its σ′: δ^(l) = (δ^(l+1) W^(l+1)) ⊙ σ′(Z^(l)), with σ′(Z) = A(1 − A)",
        BackwardSteps(hidden_prime=False),
    ),
    (
        "σ′ factor missing in the output layer",
        "δ^(L) = (A^(L) − T) ⊙ σ′(Z^(L)), with σ′(Z^(L)) = A^(L)(1 − A^(L))",
        BackwardSteps(output_prime=False),
    ),
    (
        "σ′ factor missing in every layer",
        "each δ needs its own layer's σ′(Z) = A(1 − A)",
        BackwardSteps(hidden_prime=False, output_prime=False),
    ),
    (
        "transpose wrong when sending δ back",
        "with one example per row, δ^(l+1) (batch, n_{l+1}) @ W^(l+1) (n_{l+1}, n_l) gives (batch, n_l): "
        "no .T there (the row form already holds the column form's transpose)",
        BackwardSteps(transpose=False),
    ),
    (
        "`a` used where `z` belongs",
        "σ′ takes z: σ′(z) = a(1 − a) with a = σ(z), not σ′(a)",
        BackwardSteps(prime_at_a=True),
    ),
)


def backprop_mistakes(reference) -> tuple[Mistake, ...]:
    """:data:`BACKPROP_MISTAKES` as ``Mistake`` objects for a question whose reference answer is
    ``reference(**case, steps=BACKPROP)``."""
    return tuple(Mistake(name, fix, partial(reference, steps=steps)) for name, fix, steps in BACKPROP_MISTAKES)
