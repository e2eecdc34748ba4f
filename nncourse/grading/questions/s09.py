"""Section 09, batch, stochastic and mini-batch training."""

from __future__ import annotations

import math

import numpy as np

from ...data import make_toy, minibatches
from ..spec import Mistake, Question, learning_rate


def iterate(X, Y, batch_size, seed):
    """Mini-batches (X_b, Y_b) of one epoch, shuffled by default_rng(seed).permutation(n)."""
    return list(minibatches(X, Y, int(batch_size), shuffle=True, seed=seed))


def _drop_last(X, Y, batch_size, seed):
    return [b for b in iterate(X, Y, batch_size, seed) if len(b[0]) == batch_size]


def _unshuffled(X, Y, batch_size, seed):
    return list(minibatches(X, Y, int(batch_size), shuffle=False))


def _two_orders(X, Y, batch_size, seed):
    rng = np.random.default_rng(seed)
    ox, oy = rng.permutation(len(X)), rng.permutation(len(X))
    return [(X[ox[i : i + batch_size]], Y[oy[i : i + batch_size]]) for i in range(0, len(X), int(batch_size))]


def trains_well(lr) -> tuple[bool, str]:
    """Does mini-batch SGD with this lr reach 85% training accuracy on the "circle" set in 30 epochs?

    The [2, 8, 1] network has a linear output (a logit) and is trained with BCE on logits.
    """
    from ...network import Network
    from ...train import DivergenceError, train

    lr, problem = learning_rate(lr)
    if lr is None:
        return False, problem
    X, y = make_toy("circle", n=200, seed=0)
    net = Network([2, 8, 1], activation="tanh", output_activation="linear", seed=0)
    try:
        history = train(net, X, y.reshape(-1, 1), loss="bce_logits", lr=lr, epochs=30, batch_size=16, seed=0)
    except DivergenceError:
        return False, f"lr = {lr:g} diverges: the loss became nan or inf"
    acc = net.accuracy(X, y.reshape(-1, 1))
    if acc >= 0.85:
        return True, f"lr = {lr:g} trains: accuracy {acc:.1%} after 30 epochs (loss {history.loss[-1]:.3f})"
    why = ", the share of class 0: the network calls every point 0 (its logit z < 0 everywhere)"
    why = why if not np.any(net.predict(X)) else ""
    return False, f"lr = {lr:g} does not reach 85% in 30 epochs: accuracy {acc:.1%}{why}; loss {history.loss[-1]:.3f}"


XY = {"X": [[float(i), float(-i)] for i in range(7)], "Y": [[float(i % 2)] for i in range(7)]}

QUESTIONS = [
    Question(
        "q1",
        3,
        "A mini-batch iterator",
        name="iterate_minibatches",
        reference=iterate,
        cases=(XY | {"batch_size": 3, "seed": 0}, XY | {"batch_size": 7, "seed": 1}, XY | {"batch_size": 2, "seed": 5}),
        mistakes=(
            Mistake(
                "last partial batch dropped",
                "when the batch size does not divide n, the last batch is smaller but still used",
                _drop_last,
            ),
            Mistake("not shuffled", "shuffle the rows each epoch with default_rng(seed).permutation(n)", _unshuffled),
            Mistake(
                "X and Y shuffled with different orders",
                "use ONE permutation for both, so each target stays with its input",
                _two_orders,
            ),
        ),
        hints=(
            "order = np.random.default_rng(seed).permutation(len(X))",
            "for start in range(0, n, batch_size): idx = order[start:start + batch_size]; yield X[idx], Y[idx]",
        ),
    ),
    Question(
        "q2",
        2,
        "How many updates?",
        name="n_updates",
        reference=lambda n, batch_size, epochs: math.ceil(n / batch_size) * epochs,
        cases=({"n": 1000, "batch_size": 32, "epochs": 10}, {"n": 64, "batch_size": 64, "epochs": 3}),
        mistakes=(
            Mistake(
                "partial batch not counted",
                "the last, smaller batch is an update too: use ceil(n / batch_size)",
                lambda n, batch_size, epochs: (n // batch_size) * epochs,
            ),
            Mistake(
                "one update per epoch (the seed's erratum)",
                "with mini-batches the weights change after every batch",
                lambda n, batch_size, epochs: epochs,
            ),
        ),
        hints=("Batches per epoch: ceil(n / batch_size).",),
    ),
    Question(
        "q3",
        2,
        "Choose a learning rate that trains",
        kind="value",
        name="lr_choice",
        validate=trains_well,
        hints=("Try 0.01, 0.1, 1 and 10 with the cell below and watch the accuracy.",),
    ),
    Question(
        "q4",
        1,
        "Stochastic gradient descent",
        kind="value",
        name="sgd_batch_size",
        reference=lambda: 1,
        mistakes=(
            Mistake(
                "that is mini-batch",
                "stochastic gradient descent updates after every single example",
                lambda: 32,
            ),
        ),
        hints=("How many examples does stochastic gradient descent use per update?",),
    ),
    Question("q5", 2, "Per epoch or per second?", kind="manual"),
]
