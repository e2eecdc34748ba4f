"""Section 08, backpropagation in matrix form.

Sigmoid layers everywhere; E = ½ Σ (t − y)² summed over outputs, averaged over the batch, except in
q6: sigmoid hidden layers, a linear last layer, softmax and the mean cross-entropy over the batch.
Notation: ``Ws[l-1]`` is W^(l), of shape (n_l, n_{l−1}); the layers count from 1, the lists from 0.
"""

from __future__ import annotations

import numpy as np

from ...network import BACKPROP
from ..spec import Bank, Mistake
from .common import BACKPROP_MISTAKES, backprop_mistakes, sig, sigmoid_backprop, softmax


def _net(sizes, batch, seed):
    rng = np.random.default_rng(seed)
    r = lambda *s: np.round(rng.uniform(-1, 1, size=s), 3).tolist()  # noqa: E731
    return {
        "X": r(batch, sizes[0]),
        "T": np.round(rng.uniform(0, 1, size=(batch, sizes[-1])), 3).tolist(),
        "Ws": [r(o, i) for i, o in zip(sizes[:-1], sizes[1:])],
        "bs": [r(o) for o in sizes[1:]],
    }


QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    5,
    "Backprop for any number of layers",
    lists=("Ws", "bs"),
    batch_arg="X",
    cases=(_net((2, 3, 2), 4, 1), _net((2, 2, 2, 2), 3, 2), _net((3, 4, 4, 1), 5, 3)),
    # backward(**case, steps) is sigmoid_backprop(**case, steps): the shared mistakes plant their steps there.
    mistakes=backprop_mistakes(sigmoid_backprop),
    hints=(
        "Forward first, keeping every z and a (a[0] = X).",
        "Output: δ^(L) = (A^(L) − T) ⊙ A^(L)(1 − A^(L)). One layer down: "
        "δ^(l) = (δ^(l+1) W^(l+1)) ⊙ A^(l)(1 − A^(l)); in code W^(l+1) is Ws[l].",
        "∂E/∂W^(l) = δ^(l)ᵀ A^(l−1) / batch and ∂E/∂b^(l) = Σ_batch δ^(l) / batch, for l = L down to 1; "
        "store them in dWs[l-1], dbs[l-1].",
    ),
)
def backward(X, T, Ws, bs, steps=BACKPROP):
    """(dWs, dbs) for a sigmoid network with weights Ws[l-1] = W^(l) (n_l, n_{l−1}) and biases bs[l-1] = b^(l).

    Computed by ``Network``'s backward pass (``steps`` plants one of the shared backprop mistakes).
    """
    return sigmoid_backprop(X, T, Ws, bs, steps)


@QUESTIONS.ask(
    "q2",
    3,
    "Accumulating gradients example by example",
    name="accumulate_gradients",
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
)
def one_layer_grads(X, T, W, b, last_only=False):
    """(dW, db) of one sigmoid layer, averaged over the batch (``last_only``: the `=` bug)."""
    A = sig(X @ W.T + b)
    delta = (A - T) * A * (1 - A)
    if last_only:
        return np.outer(delta[-1], X[-1]) / X.shape[0], delta[-1] / X.shape[0]
    return delta.T @ X / X.shape[0], delta.sum(axis=0) / X.shape[0]


@QUESTIONS.ask(
    "q3",
    2,
    "The relative error of a gradient check",
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
)
def relative_error(g1, g2):
    """‖g1 − g2‖ / (‖g1‖ + ‖g2‖)."""
    return float(np.linalg.norm(g1 - g2) / (np.linalg.norm(g1) + np.linalg.norm(g2)))


def _broken_by_absolute(dWs_bp, dWs_num):
    return int(np.argmax([np.linalg.norm(np.asarray(a) - np.asarray(b)) for a, b in zip(dWs_bp, dWs_num)])) + 1


def _gradient_pair(shapes, scales, broken, seed):
    """Numerical gradients for layers of ``shapes`` (entries of size ``scales[i]``) and backprop ones that
    agree with them to a relative 1e-5 (finite-difference noise), except layer ``broken`` (1-based),
    whose backprop gradient is wrong in a third of its entries."""
    rng = np.random.default_rng(seed)
    num = [np.round(rng.normal(0, 1, s), 3) * scale for s, scale in zip(shapes, scales)]
    bp = [g * (1 + np.round(rng.normal(0, 1e-5, g.shape), 8)) for g in num]
    bad = bp[broken - 1]
    bad.flat[: max(1, bad.size // 3)] *= -1.5
    return {"dWs_bp": [g.tolist() for g in bp], "dWs_num": [g.tolist() for g in num]}


@QUESTIONS.ask(
    "q4",
    1,
    "Find the broken layer",
    name="find_broken_layer",
    lists=("dWs_bp", "dWs_num"),
    cases=(
        _gradient_pair([(4, 3), (4, 4), (2, 4)], [1.0, 0.0001, 10000.0], 2, 1),
        _gradient_pair([(2, 5), (1, 2)], [1.0, 1.0], 1, 2),
    ),
    mistakes=(
        Mistake(
            "gave the list index, not the layer number",
            "dWs[l-1] holds ∂E/∂W^(l): the lists count from 0, the layers from 1, and the question asks for l",
            lambda dWs_bp, dWs_num: broken_layer(dWs_bp, dWs_num, base=0),
        ),
        Mistake(
            "compared absolute differences",
            "a large gradient has large differences even when right: compare the relative error of each layer",
            _broken_by_absolute,
        ),
    ),
    hints=(
        "Compute relative_error(dWs_bp[i], dWs_num[i]) for each list index i; one is far from zero.",
        "dWs[i] holds ∂E/∂W^(i+1), so the layer number is the list index plus 1.",
    ),
)
def broken_layer(dWs_bp, dWs_num, base=1):
    """The layer number l (1..L) whose backprop gradient ∂E/∂W^(l) = dWs_bp[l-1] disagrees most with
    the numerical one, measured by the relative error (``base=0``: the list index, a mistake)."""
    errors = [relative_error(np.asarray(a), np.asarray(b)) for a, b in zip(dWs_bp, dWs_num)]
    return int(np.argmax(errors)) + base


QUESTIONS.written("q5", 2, "Why backprop is cheap")


def _softmax_mistake(**options):
    def variant(X, Y, Ws, bs):
        return softmax_backward(X, Y, Ws, bs, **options)

    return variant


def _one_hot_net(sizes, batch, seed):
    """A random network (weights and biases rounded to 3 decimals) and a batch with one-hot targets Y."""
    case = _net(sizes, batch, seed)
    rng = np.random.default_rng(seed + 100)
    labels = rng.integers(0, sizes[-1], size=batch)
    case.pop("T")
    return {"X": case["X"], "Y": np.eye(sizes[-1])[labels].tolist(), "Ws": case["Ws"], "bs": case["bs"]}


@QUESTIONS.ask(
    "q6",
    4,
    "A mini-batch gradient with a softmax cross-entropy output",
    lists=("Ws", "bs"),
    batch_arg="X",
    cases=(_one_hot_net((2, 3, 3), 4, 31), _one_hot_net((3, 4, 4, 2), 5, 32)),
    mistakes=(
        Mistake(
            "no averaging over the batch",
            "C is a mean over the B examples of the mini-batch: each gradient carries a 1/B",
            _softmax_mistake(average=False),
        ),
        Mistake(
            "applied σ′ at the softmax output",
            "for softmax with cross-entropy ∂C/∂z^(L) is already (P − Y)/B: the softmax's slope is inside it",
            _softmax_mistake(output_prime=True),
        ),
    )
    + tuple(
        Mistake(name, fix, _softmax_mistake(steps=steps))
        for name, fix, steps in BACKPROP_MISTAKES
        if steps.output_prime  # the output layer has no σ′ to drop here
    ),
    hints=(
        "Forward as before, but the last layer is linear: z^(L) = A^(L−1) W^(L)ᵀ + b^(L), then P = softmax(z^(L)).",
        "Start the backward pass at δ^(L) = ∂C/∂z^(L); derive it once for softmax with cross-entropy.",
        "Below the output nothing changes: δ^(l) = (δ^(l+1) W^(l+1)) ⊙ A^(l)(1 − A^(l)).",
    ),
)
def softmax_backward(X, Y, Ws, bs, steps=BACKPROP, average=True, output_prime=False):
    """(dWs, dbs) of C = −(1/B) Σ_i Σ_k y_ik log p_ik, p = softmax(z^(L)), for sigmoid hidden layers.

    Output: δ^(L) = (P − Y)/B (batch, n_L), the softmax-with-cross-entropy shortcut; then as for
    sigmoid layers, δ^(l) = (δ^(l+1) W^(l+1)) ⊙ σ′(Z^(l)). ``steps`` plants a shared backprop mistake;
    ``average`` False drops the 1/B; ``output_prime`` True multiplies δ^(L) by P(1 − P).
    """
    from ...network import Network

    Ws = [np.asarray(W, dtype=float) for W in Ws]
    net = Network([Ws[0].shape[1]] + [W.shape[0] for W in Ws], activation="sigmoid", output_activation="linear")
    net.weights, net.biases = Ws, [np.asarray(b, dtype=float) for b in bs]
    X, Y, loss = net.check_data(X, Y, "cross_entropy")
    zs, activations = net.feedforward(X)
    P = softmax(zs[-1])
    delta = loss.grad(activations[-1], Y)  # (P − Y)/B
    if output_prime:
        delta = delta * P * (1 - P)
    if not average:
        delta = delta * X.shape[0]
    return net.backprop(zs, activations, delta, steps)
