"""Section 11, activations, initialisation and over-fitting."""

from __future__ import annotations

import math

import numpy as np

from ..spec import Bank, Mistake

Z = ({"z": [-2.0, -0.5, 0.0, 0.5, 3.0]}, {"z": [[1.5, -1.5], [0.0, 0.25]]})

QUESTIONS = Bank()


@QUESTIONS.ask(
    "q1",
    2,
    "The derivative of ReLU",
    cases=Z,
    mistakes=(
        Mistake(
            "ReLU returned instead of its derivative",
            "the slope is 1 for z > 0 and 0 otherwise",
            lambda z: np.maximum(z, 0.0),
        ),
        Mistake(
            "slope 1 at z = 0",
            "the course (and PyTorch) use 0 at z = 0: test z > 0, not z >= 0",
            lambda z: (z >= 0).astype(float),
        ),
    ),
    hints=("A boolean array (z > 0) turns into 0.0/1.0 with .astype(float).",),
)
def relu_prime(z):
    """1 where z > 0, else 0 (0 at z = 0, as in PyTorch)."""
    return (z > 0).astype(float)


@QUESTIONS.ask(
    "q2",
    2,
    "The derivative of tanh",
    cases=Z,
    mistakes=(
        Mistake("`z` used where `a` belongs", "the formula 1 − a² needs a = tanh(z), not z", lambda z: 1 - z**2),
        Mistake("sign error", "tanh′(z) = 1 − tanh²(z) is positive", lambda z: np.tanh(z) ** 2 - 1),
        Mistake("tanh returned instead of its derivative", "differentiate: 1 − tanh²(z)", lambda z: np.tanh(z)),
    ),
    hints=("a = np.tanh(z); the derivative is 1 − a².",),
)
def tanh_prime(z):
    """1 − tanh²(z)."""
    return 1 - np.tanh(z) ** 2


# -- q3: early stopping, the best epoch (q8 adds the patience) ----------------------------------


def _latest_minimum(val_loss):
    losses = np.asarray(val_loss, dtype=float)
    return int(np.flatnonzero(losses == losses.min())[-1])


def _best_counted_from_1(val_loss):
    """argmin + 1. Where that index is itself a tied minimum the answer is a tie slip, not this
    mistake (issue 12: a tie was wrongly diagnosed as counting from 1), so the variant does not apply."""
    answer = best_epoch(val_loss) + 1
    if answer < len(val_loss) and val_loss[answer] == min(val_loss):
        raise ValueError("the later of two tied minima, not an off-by-one")
    return answer


@QUESTIONS.ask(
    "q3",
    2,
    "Early stopping: the best epoch",
    cases=({"val_loss": [0.9, 0.6, 0.45, 0.47, 0.52, 0.6]}, {"val_loss": [1.0, 0.8, 0.8, 0.9]}),
    mistakes=(
        Mistake(
            "last epoch returned",
            "keep the weights of the epoch with the LOWEST validation loss",
            lambda val_loss: len(val_loss) - 1,
        ),
        Mistake(
            "the later of two tied minima kept",
            "a later epoch that only equals the lowest loss is no improvement: keep the EARLIEST epoch with the "
            "lowest loss",
            _latest_minimum,
        ),
        Mistake("counted epochs from 1", "return the list index (epochs count from 0 here)", _best_counted_from_1),
        Mistake("highest loss chosen", "argmin, not argmax", lambda val_loss: int(np.argmax(val_loss))),
    ),
    hints=("np.argmin returns the first index of the smallest value.",),
)
def best_epoch(val_loss):
    """The epoch (from 0) with the lowest validation loss; the earliest of tied minima."""
    return int(np.argmin(val_loss))


@QUESTIONS.ask(
    "q4",
    2,
    "Xavier initialisation",
    cases=({"n_in": 64, "n_out": 32}, {"n_in": 2, "n_out": 2}),
    mistakes=(
        Mistake(
            "He's formula",
            "He uses √(2/n_in) for ReLU; Xavier uses √(2/(n_in + n_out))",
            lambda n_in, n_out: float(np.sqrt(2.0 / n_in)),
        ),
        Mistake(
            "variance instead of standard deviation",
            "take the square root",
            lambda n_in, n_out: 2.0 / (n_in + n_out),
        ),
    ),
    hints=("Var(w) = 2 / (n_in + n_out); the standard deviation is its square root.",),
)
def xavier_std(n_in, n_out):
    """Xavier's standard deviation for the weights of a layer: √(2/(n_in + n_out))."""
    return float(np.sqrt(2.0 / (n_in + n_out)))


QUESTIONS.written("q5", 2, "Why equal starting weights never learn")


# -- q6 and q7: gradients layer by layer ----------------------------------------------------------


def _gradients(Ws, bs, X, Y, activation, output_activation="linear"):
    """(dWs, dbs) of the mean squared error for the network with these weights (Network's backprop)."""
    from ...network import Network

    Ws = [np.array(W, dtype=float) for W in Ws]
    sizes = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    net = Network(sizes, activation=activation, output_activation=output_activation)
    net.weights, net.biases = Ws, [np.array(b, dtype=float) for b in bs]
    return net.gradients(X, Y, "mse")


def _bias_norms(Ws, bs, X, Y, activation):
    return [float(np.linalg.norm(db)) for db in _gradients(Ws, bs, X, Y, activation)[1]]


def _net_case(sizes, activation, batch, seed):
    """A network and a batch as plain lists (rounded to 3 decimals), for layer_gradient_norms."""
    rng = np.random.default_rng(seed)
    r = lambda *shape: np.round(rng.normal(0, 1, size=shape), 3).tolist()  # noqa: E731
    return {
        "Ws": [r(n_out, n_in) for n_in, n_out in zip(sizes[:-1], sizes[1:])],
        "bs": [r(n) for n in sizes[1:]],
        "X": r(batch, sizes[0]),
        "Y": r(batch, sizes[-1]),
        "activation": activation,
    }


@QUESTIONS.ask(
    "q6",
    3,
    "Gradient norms layer by layer",
    cases=(_net_case([3, 4, 4, 2], "tanh", 5, 0), _net_case([2, 3, 1], "sigmoid", 4, 1)),
    lists=("Ws", "bs"),
    batch_arg="X",
    mistakes=(
        Mistake(
            "layers in reverse order",
            "backprop finds ∂C/∂W^(L) first, but the list starts with layer 1: ‖∂C/∂W^(1)‖ comes first",
            lambda **case: layer_gradient_norms(**case)[::-1],
        ),
        Mistake(
            "norms of the weights, not of their gradients",
            "take the norm of each ∂C/∂W^(l) (the dWs from net.gradients), not of W^(l)",
            lambda Ws, bs, X, Y, activation: [float(np.linalg.norm(W)) for W in Ws],
        ),
        Mistake(
            "squared norm",
            "the norm is the square root of the sum of squares: np.linalg.norm(dW)",
            lambda **case: [v**2 for v in layer_gradient_norms(**case)],
        ),
        Mistake(
            "norms of the bias gradients",
            "the question asks for ∂C/∂W^(l), the weights' gradients (dWs), not dbs",
            _bias_norms,
        ),
    ),
    hints=(
        "net = Network(sizes, activation=activation, output_activation=\"linear\"); set net.weights and "
        "net.biases to float arrays of Ws and bs.",
        "dWs, dbs = net.gradients(X, Y, \"mse\"); then one np.linalg.norm per dW, in the order of dWs.",
    ),
)
def layer_gradient_norms(Ws, bs, X, Y, activation):
    """[‖∂C/∂W^(1)‖, …, ‖∂C/∂W^(L)‖] (Frobenius norms), C the mean squared error, linear output."""
    dWs, _ = _gradients(Ws, bs, X, Y, activation)
    return [float(np.linalg.norm(dW)) for dW in dWs]


def _spread_columns(W1, b1, W2, b2, X, Y):
    dWs, _ = _gradients([W1, W2], [b1, b2], X, Y, "sigmoid", "sigmoid")
    return float(np.ptp(dWs[0], axis=1).max())


def _spread_all_entries(W1, b1, W2, b2, X, Y):
    dWs, _ = _gradients([W1, W2], [b1, b2], X, Y, "sigmoid", "sigmoid")
    return float(np.ptp(dWs[0]))


EQUAL = {
    "W1": [[0.3, 0.3], [0.3, 0.3], [0.3, 0.3]],
    "b1": [0.1, 0.1, 0.1],
    "W2": [[0.2, 0.2, 0.2], [-0.4, -0.4, -0.4]],
    "b2": [0.0, 0.0],
    "X": [[0.5, -1.0], [1.5, 0.25], [-0.5, 2.0]],
    "Y": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]],
}
RANDOM = EQUAL | {"W1": [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]], "W2": [[0.2, -0.3, 0.5], [-0.4, 0.1, 0.3]]}


@QUESTIONS.ask(
    "q7",
    2,
    "Breaking symmetry",
    cases=(EQUAL, RANDOM),
    mistakes=(
        Mistake(
            "columns compared instead of rows",
            "hidden unit j's weights are ROW j of W^(1) (shape (n_hidden, n_in)): compare the rows, entry by entry",
            _spread_columns,
        ),
        Mistake(
            "weights compared instead of their gradients",
            "compare the rows of ∂C/∂W^(1) (from net.gradients), not of W^(1)",
            lambda W1, b1, W2, b2, X, Y: float(np.ptp(np.asarray(W1), axis=0).max()),
        ),
        Mistake(
            "spread over all entries, not between units",
            "for each input k, compare the hidden units' entries in column k (np.ptp(dW1, axis=0)), then take "
            "the largest",
            _spread_all_entries,
        ),
    ),
    hints=(
        "dWs, dbs = net.gradients(X, Y, \"mse\") with a sigmoid network; dWs[0] is ∂C/∂W^(1), one row per "
        "hidden unit.",
        "np.ptp(A, axis=0) gives, for each column, the largest minus the smallest entry.",
    ),
)
def hidden_gradient_spread(W1, b1, W2, b2, X, Y):
    """The largest difference, entry by entry, between two hidden units' rows of ∂C/∂W^(1):
    max over k of (max_j − min_j) of ∂C/∂w^(1)_jk. Sigmoid layers, C the mean squared error."""
    dWs, _ = _gradients([W1, W2], [b1, b2], X, Y, "sigmoid", "sigmoid")
    return float(np.ptp(dWs[0], axis=0).max())


# -- q8: early stopping with patience (see q3) ----------------------------------------------------


def _early_stopping(val_loss, patience, tie_improves=False, slack=0):
    best, best_loss = 0, math.inf
    for epoch, loss in enumerate(val_loss):
        if loss < best_loss or (tie_improves and loss == best_loss):
            best, best_loss = epoch, loss
        if epoch - best >= patience + slack:
            return [epoch, best]
    return [len(val_loss) - 1, best]


def _stopping_counted_from_1(val_loss, patience):
    answer = [e + 1 for e in early_stopping(val_loss, patience)]
    if answer == _early_stopping(val_loss, patience, tie_improves=True):
        raise ValueError("a tie slip, not an off-by-one")
    return answer


def _stopping_last_weights(val_loss, patience):
    stop, _ = early_stopping(val_loss, patience)
    return [stop, stop]


@QUESTIONS.ask(
    "q8",
    3,
    "Early stopping with patience",
    cases=(
        {"val_loss": [1.0, 0.7, 0.5, 0.55, 0.6, 0.52, 0.4, 0.45], "patience": 2},
        {"val_loss": [0.9, 0.6, 0.6, 0.7, 0.8, 0.75], "patience": 3},
        {"val_loss": [0.5, 0.4, 0.3], "patience": 5},
    ),
    mistakes=(
        Mistake(
            "counted epochs from 1",
            "the first epoch is epoch 0: return list indices",
            _stopping_counted_from_1,
        ),
        Mistake(
            "a tie counted as an improvement",
            "only a STRICTLY lower loss is an improvement: an equal loss neither moves the best epoch nor "
            "restarts the patience",
            lambda val_loss, patience: _early_stopping(val_loss, patience, tie_improves=True),
        ),
        Mistake(
            "patience off by one",
            "stop as soon as (epoch − best epoch) reaches patience, not when it passes it",
            lambda val_loss, patience: _early_stopping(val_loss, patience, slack=1),
        ),
        Mistake(
            "the last epoch's weights kept",
            "early stopping restores the weights of the BEST epoch, not of the epoch where it stopped",
            _stopping_last_weights,
        ),
    ),
    hints=(
        "Walk through the epochs keeping best (its index) and best_loss; update them when loss < best_loss.",
        "After updating, stop when epoch − best >= patience: return [epoch, best].",
    ),
)
def early_stopping(val_loss, patience):
    """[stop, best]: the epoch after which training stops and the epoch whose weights are kept.

    As nncourse.train: after epoch e (from 0), the best epoch is the earliest with the lowest loss so
    far (only a strictly lower loss is an improvement); training stops once e − best ≥ patience, else
    after the last epoch.
    """
    return _early_stopping(val_loss, patience)
