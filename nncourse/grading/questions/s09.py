"""Section 09, batch, stochastic and mini-batch training."""

from __future__ import annotations

import math

import numpy as np

from ...data import load_digits, make_toy, minibatches, split
from ..spec import Bank, Mistake, learning_rate, validates_learning_rate

QUESTIONS = Bank()


# -- q1: a mini-batch iterator -----------------------------------------------------------------

XY = {"X": [[float(i), float(-i)] for i in range(7)], "Y": [[float(i % 2)] for i in range(7)]}


def _drop_last(X, Y, batch_size, seed):
    return [b for b in iterate(X, Y, batch_size, seed) if len(b[0]) == batch_size]


def _unshuffled(X, Y, batch_size, seed):
    return list(minibatches(X, Y, int(batch_size), shuffle=False))


def _two_orders(X, Y, batch_size, seed):
    rng = np.random.default_rng(seed)
    ox, oy = rng.permutation(len(X)), rng.permutation(len(X))
    return [(X[ox[i : i + batch_size]], Y[oy[i : i + batch_size]]) for i in range(0, len(X), int(batch_size))]


@QUESTIONS.ask(
    "q1",
    3,
    "A mini-batch iterator",
    name="iterate_minibatches",
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
)
def iterate(X, Y, batch_size, seed):
    """Mini-batches (X_b, Y_b) of one epoch, shuffled by default_rng(seed).permutation(n)."""
    return list(minibatches(X, Y, int(batch_size), shuffle=True, seed=seed))


@QUESTIONS.ask(
    "q2",
    2,
    "How many updates?",
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
)
def n_updates(n, batch_size, epochs):
    """Weight updates in a run: ceil(n / batch_size) batches per epoch, one update per batch."""
    return math.ceil(n / batch_size) * epochs


@QUESTIONS.ask_value("q3", 2, "Choose a learning rate that trains", name="lr_choice", hints=(
    "Try 0.01, 0.1, 1 and 10 with the cell below and watch the accuracy.",
))
@validates_learning_rate
def trains_well(lr: float) -> tuple[bool, str]:
    """Does mini-batch SGD with this lr reach 85% training accuracy on the "circle" set in 30 epochs?

    The [2, 8, 1] network has a linear output (a logit) and is trained with BCE on logits.
    """
    from ...network import Network
    from ...train import DivergenceError, train

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


# -- q4: the noise of a mini-batch gradient ----------------------------------------------------


def _noise_over_b(sigma, b, n, replace):
    return gradient_noise(sigma, b, n, replace) / math.sqrt(b)


def _noise_variance(sigma, b, n, replace):
    return gradient_noise(sigma, b, n, replace) ** 2


def _noise_swapped(sigma, b, n, replace):
    return gradient_noise(sigma, b, n, not replace)


def _noise_unrooted(sigma, b, n, replace):
    if replace:
        raise ValueError("no correction with replacement")
    return sigma / math.sqrt(b) * (n - b) / (n - 1)


@QUESTIONS.ask(
    "q4",
    2,
    "How noisy is a mini-batch gradient?",
    cases=(
        {"sigma": 3.0, "b": 16, "n": 1000, "replace": False},
        {"sigma": 2.0, "b": 4, "n": 100, "replace": True},
        {"sigma": 1.5, "b": 50, "n": 60, "replace": False},
    ),
    mistakes=(
        Mistake("divided by b instead of √b", "the variance falls as 1/b, so its square root falls as 1/√b",
                _noise_over_b),
        Mistake("variance instead of root-mean-square", "the question asks for the RMS: take a square root",
                _noise_variance),
        Mistake(
            "finite-population correction left out",
            "without replacement (replace=False) the variance also gets the finite-population correction "
            "of notebook 09",
            lambda sigma, b, n, replace: sigma / math.sqrt(b),
        ),
        Mistake(
            "correction applied to the wrong kind of draw",
            "the factor (n − b)/(n − 1) belongs to batches drawn WITHOUT replacement (replace=False)",
            _noise_swapped,
        ),
        Mistake(
            "correction not square-rooted",
            "(n − b)/(n − 1) multiplies the variance; the RMS gets its square root",
            _noise_unrooted,
        ),
    ),
    hints=(
        "With replacement the mean of b independent draws has variance σ²/b.",
        "Without replacement the variance is multiplied by (n − b)/(n − 1); the RMS is the square root "
        "of the variance.",
    ),
)
def gradient_noise(sigma, b, n, replace):
    """RMS of ‖g_B − g‖ for a batch of b of n examples: σ/√b, times √((n − b)/(n − 1)) without replacement."""
    plain = sigma / math.sqrt(b)
    return plain if replace else plain * math.sqrt((n - b) / (n - 1))


QUESTIONS.written("q5", 2, "Per epoch or per second?")


# -- q6: the confusion matrix ----------------------------------------------------------------


def _confusion_repeats_once(y_true, y_pred, n_classes):
    M = np.zeros((int(n_classes), int(n_classes)), dtype=int)
    M[np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)] += 1  # a repeated pair adds 1 once
    return M


def _confusion_sized_by_labels(y_true, y_pred, n_classes):
    return confusion_matrix(y_true, y_pred, max(max(y_true), max(y_pred)) + 1)


@QUESTIONS.ask(
    "q6",
    2,
    "The confusion matrix",
    cases=(
        {"y_true": [0, 1, 2, 2, 1, 0, 2], "y_pred": [0, 2, 2, 2, 1, 0, 1], "n_classes": 4},
        {"y_true": [1, 1, 0], "y_pred": [0, 0, 0], "n_classes": 2},
    ),
    mistakes=(
        Mistake(
            "rows and columns swapped",
            "row i is the TRUE class and column j the PREDICTED class: count into M[true, predicted]",
            lambda y_true, y_pred, n_classes: confusion_matrix(y_true, y_pred, n_classes).T,
        ),
        Mistake(
            "repeated pairs counted once",
            "M[y_true, y_pred] += 1 adds 1 only once for a pair that appears several times: loop over the "
            "pairs, or use np.add.at",
            _confusion_repeats_once,
        ),
        Mistake(
            "size taken from the labels, not from n_classes",
            "a class may never occur in a small sample: make the matrix n_classes × n_classes",
            _confusion_sized_by_labels,
        ),
    ),
    hints=(
        "Start from M = np.zeros((n_classes, n_classes), dtype=int).",
        "for t, p in zip(y_true, y_pred): add 1 to the entry in row t, column p.",
    ),
)
def confusion_matrix(y_true, y_pred, n_classes):
    """M[i, j] = number of examples of true class i predicted as j; shape (n_classes, n_classes)."""
    M = np.zeros((int(n_classes), int(n_classes)), dtype=int)
    np.add.at(M, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    return M


# -- q7: a mini-batch training loop ------------------------------------------------------------


def _network(W1, b1, W2, b2):
    """The 2-layer network of q7: sigmoid hidden layer, linear output (logits), own copies of W and b."""
    from ...network import Network

    W1, W2 = np.array(W1, dtype=float), np.array(W2, dtype=float)
    net = Network([W1.shape[1], W1.shape[0], W2.shape[0]], activation="sigmoid", output_activation="linear")
    net.weights = [W1, W2]
    net.biases = [np.array(b1, dtype=float), np.array(b2, dtype=float)]
    return net


def _loop(W1, b1, W2, b2, X, y, lr, batch_size, epochs, seed, shuffle="per-epoch", update="batch",
          average=True, drop_last=False):
    """q7's loop; the keyword arguments plant the named mistakes."""
    net = _network(W1, b1, W2, b2)
    X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=int)
    n, batch_size = len(X), int(batch_size)
    one_rng = np.random.default_rng(seed)
    for epoch in range(int(epochs)):
        if shuffle == "per-epoch":
            order = np.random.default_rng(seed + epoch).permutation(n)
        elif shuffle == "same":
            order = np.random.default_rng(seed).permutation(n)
        elif shuffle == "one-rng":
            order = one_rng.permutation(n)
        else:
            order = np.arange(n)
        for first in range(0, n, batch_size):
            idx = order[first : first + batch_size]
            if drop_last and len(idx) < batch_size:
                continue
            dWs, dbs = net.gradients(X[idx], y[idx], "cross_entropy")
            scale = 1.0 if average else len(idx)
            if update == "batch":
                for p, g in zip(net.weights + net.biases, dWs + dbs):
                    p -= lr * scale * g
        if update == "epoch":  # the update sits after the batch loop: only the last batch's gradient
            for p, g in zip(net.weights + net.biases, dWs + dbs):
                p -= lr * g
    return [net.weights[0], net.biases[0], net.weights[1], net.biases[1]]


def _variant(**planted):
    def variant(W1, b1, W2, b2, X, y, lr, batch_size, epochs, seed):
        return _loop(W1, b1, W2, b2, X, y, lr, batch_size, epochs, seed, **planted)

    return variant


LOOP_CASE = {
    "W1": [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]],
    "b1": [0.0, 0.1, -0.1],
    "W2": [[0.4, -0.2, 0.3], [-0.5, 0.6, 0.1], [0.2, 0.3, -0.4]],
    "b2": [0.05, 0.0, -0.05],
    "X": [[0.1, 0.9], [0.8, 0.2], [0.5, 0.5], [0.9, 0.7], [0.2, 0.1], [0.4, 0.8], [0.7, 0.3], [0.3, 0.6],
          [0.6, 0.9]],
    "y": [0, 1, 2, 1, 0, 2, 1, 0, 2],
    "lr": 0.5,
    "batch_size": 4,
    "epochs": 2,
    "seed": 0,
}


@QUESTIONS.ask(
    "q7",
    4,
    "A mini-batch training loop",
    cases=(LOOP_CASE, LOOP_CASE | {"lr": 1.0, "batch_size": 3, "epochs": 3, "seed": 5}),
    mistakes=(
        Mistake(
            "updated once per epoch instead of once per batch",
            "the update belongs inside the loop over batches: every batch changes the weights",
            _variant(update="epoch"),
        ),
        Mistake(
            "gradient not averaged over the batch",
            "C is the MEAN loss over the batch, so its gradient is the mean of the examples' gradients "
            "(Network.gradients already returns the mean)",
            _variant(average=False),
        ),
        Mistake(
            "not shuffled",
            "visit the rows in the order np.random.default_rng(seed + e).permutation(n) in epoch e",
            _variant(shuffle="none"),
        ),
        Mistake(
            "the same order in every epoch",
            "epoch e shuffles with np.random.default_rng(seed + e), a new seed each epoch",
            _variant(shuffle="same"),
        ),
        Mistake(
            "one generator for the whole run",
            "this loop makes a new generator in each epoch, np.random.default_rng(seed + e); drawing every "
            "epoch from one generator (as nncourse.train does) gives other batches",
            _variant(shuffle="one-rng"),
        ),
        Mistake(
            "last partial batch dropped",
            "when batch_size does not divide n, the last, smaller batch is an update too",
            _variant(drop_last=True),
        ),
    ),
    hints=(
        "Build the network once: net = Network([n_in, n_hidden, n_out], activation=\"sigmoid\", "
        "output_activation=\"linear\"), then set net.weights and net.biases to float copies of the inputs.",
        "for e in range(epochs): order = np.random.default_rng(seed + e).permutation(n); then loop over "
        "order in chunks of batch_size.",
        "For each batch: dWs, dbs = net.gradients(X[idx], y[idx], \"cross_entropy\"); then W −= lr · dW for "
        "every weight and bias.",
    ),
)
def train_epochs(W1, b1, W2, b2, X, y, lr, batch_size, epochs, seed):
    """Mini-batch SGD on the mean cross-entropy of softmax(logits); returns [W1, b1, W2, b2].

    Epoch e (from 0) visits the rows in the order np.random.default_rng(seed + e).permutation(n),
    cut into consecutive batches of batch_size (the last may be smaller); one update per batch,
    W ← W − lr · ∂C/∂W with C the mean loss over the batch.
    """
    return _loop(W1, b1, W2, b2, X, y, lr, batch_size, epochs, seed)


# -- q8: a learning rate justified by a measurement --------------------------------------------

_DIGITS: list = []


def val_loss_after(lr) -> float:
    """Validation loss of the 64-32-10 digits network (seed 0) after 5 epochs of mini-batch SGD
    (b = 32, seed 0) at this learning rate; inf if training diverged. The notebook holds the same code."""
    from ...network import Network
    from ...train import DivergenceError, train

    if not _DIGITS:
        digits, labels = load_digits()
        _DIGITS.extend(split(digits / 16.0, labels, (0.6, 0.2, 0.2), seed=0)[:2])
    (X_train, y_train), (X_val, y_val) = _DIGITS
    net = Network([64, 32, 10], activation="sigmoid", output_activation="linear", seed=0)
    try:
        train(net, X_train, y_train, loss="cross_entropy", lr=lr, epochs=5, batch_size=32, seed=0)
    except DivergenceError:
        return math.inf
    return net.loss(X_val, y_val, "cross_entropy")


LR_TARGET = 0.4  # the chosen learning rate must bring the validation loss below this
MAX_LRS = 8  # at most this many learning rates are re-run


def _numbers(value, what: str) -> tuple[list[float] | None, str]:
    try:
        numbers = [float(v) for v in np.asarray(value, dtype=float).ravel()]
    except (TypeError, ValueError):
        return None, f"{what} must be a list of numbers; got {value!r:.60}"
    return numbers, ""


@QUESTIONS.ask_value("q8", 3, "A learning rate justified by a measurement", name="lr_evidence", hints=(
    "Measure val_loss_after(lr) for learning rates a factor of about 3 apart, e.g. 0.1, 0.3, 1, 3, 10.",
    "Your choice needs a smaller and a larger learning rate measured beside it, both with a higher loss.",
))
def lr_justified(evidence) -> tuple[bool, str]:
    """Is ``{"lrs": [...], "val_losses": [...], "chosen": lr}`` a measurement that justifies ``chosen``?

    Each claimed loss must match a re-run of val_loss_after(lr) to 3 significant figures (inf for a
    run that diverged); the chosen lr must have the lowest loss, below LR_TARGET, with a smaller and a
    larger learning rate measured on either side (both worse), so the scan brackets the choice.
    """
    if not isinstance(evidence, dict) or set(evidence) != {"lrs", "val_losses", "chosen"}:
        return False, 'lr_evidence must be a dict with the keys "lrs", "val_losses" and "chosen"'
    lrs, problem = _numbers(evidence["lrs"], "lrs")
    losses, problem2 = _numbers(evidence["val_losses"], "val_losses")
    if lrs is None or losses is None:
        return False, problem or problem2
    chosen, problem = learning_rate(evidence["chosen"])
    if chosen is None:
        return False, f"chosen: {problem}"
    if len(lrs) != len(losses):
        return False, f"lrs has {len(lrs)} entries and val_losses {len(losses)}: give one loss per learning rate"
    if len(set(lrs)) < 3 or len(lrs) > MAX_LRS:
        return False, f"measure at least 3 different learning rates (and at most {MAX_LRS})"
    for lr in lrs:
        if learning_rate(lr)[0] is None:
            return False, f"every learning rate must be a positive number; got {lr!r}"
    for lr, claimed in zip(lrs, losses):
        measured = val_loss_after(lr)
        same = (math.isinf(measured) and not math.isfinite(claimed)) or (
            math.isfinite(measured) and math.isclose(claimed, measured, rel_tol=5e-3)
        )
        if not same:
            return False, (
                f"the loss you give for lr = {lr:g} is not what val_loss_after({lr:g}) returns "
                "(to 3 significant figures): run it again and copy its value"
            )
    if chosen not in lrs:
        return False, f"chosen = {chosen:g} is not one of the learning rates you measured"
    best = losses[lrs.index(chosen)]
    if any(loss < best for loss in losses):
        return False, f"another learning rate you measured gave a lower validation loss than chosen = {chosen:g}"
    if not best < LR_TARGET:
        return False, f"lr = {chosen:g} does not bring the validation loss below {LR_TARGET}: look further"
    if not any(lr < chosen for lr in lrs) or not any(lr > chosen for lr in lrs):
        side = "smaller" if not any(lr < chosen for lr in lrs) else "larger"
        return False, f"lr = {chosen:g} is at the edge of your scan: measure a {side} learning rate too"
    return True, f"lr = {chosen:g} is justified: the re-run confirms your {len(lrs)} measurements and it is the best"
