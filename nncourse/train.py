"""One ``train`` function for batch, stochastic and mini-batch gradient descent.

``batch_size=None`` uses the whole training set per step (batch gradient
descent), ``batch_size=1`` one example per step (stochastic), anything in
between is mini-batch. The weights change after every batch; an epoch is
one pass over the shuffled data.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .checks import check_positive
from .losses import Loss
from .network import Network, accuracy, predicted_classes, true_classes
from .optim import Optimizer, get_optimizer


class DivergenceError(FloatingPointError):
    """Raised when the training loss becomes nan or inf."""


@dataclass
class History:
    """What happened in each epoch. Lists have one entry per epoch run."""

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        return len(self.loss)


def train(
    net: Network,
    X,
    Y,
    loss: str | Loss = "mse",
    optimizer: str | Optimizer = "sgd",
    lr: float | None = 0.1,
    epochs: int = 10,
    batch_size: int | None = 32,
    X_val=None,
    Y_val=None,
    patience: int | None = None,
    schedule: Callable[[int], float] | None = None,
    seed: int | None = 0,
    progress: bool = False,
    callback: Callable[[int, History], object] | None = None,
) -> History:
    """Train ``net`` in place and return its :class:`History`.

    X: (n, n_in); Y: (n, n_out), or labels (n,) for cross-entropy.
    ``optimizer`` is a name (``"sgd"``, ``"momentum"``, ``"adam"``) used
    with ``lr``, or an optimizer object (then ``lr`` is ignored).
    ``patience``: stop once the validation loss has not improved for that
    many epochs, and restore the weights of the best epoch.
    ``callback(epoch, history)`` runs after each epoch; returning True stops.
    """
    X, Y, loss = net.check_data(X, Y, loss)
    opt = get_optimizer(optimizer, lr if not isinstance(optimizer, Optimizer) else None)
    check_positive(epochs, "epochs", integer=True)
    n = X.shape[0]
    if batch_size is None:
        batch_size = n
    check_positive(batch_size, "batch_size", integer=True)
    has_val = X_val is not None or Y_val is not None
    if has_val:
        if X_val is None or Y_val is None:
            raise ValueError("Give both X_val and Y_val, or neither.")
        X_val, Y_val, _ = net.check_data(X_val, Y_val, loss)
    if patience is not None:
        check_positive(patience, "patience", integer=True)
        if not has_val:
            raise ValueError("patience (early stopping) needs validation data: pass X_val and Y_val.")
    classify = loss.classifies
    logits = loss.takes_logits
    labels = true_classes(Y) if classify else None

    rng = np.random.default_rng(seed)
    history = History()
    best = (np.inf, None)
    params = net.weights + net.biases
    bar = _progress_bar(epochs) if progress else None
    # Overflow is not warned about: a nan or inf loss stops training below, with advice.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            start = time.perf_counter()
            if schedule is not None:
                opt.lr = float(schedule(epoch))
            mean_loss, acc = _epoch(net, X, Y, labels, loss, opt, batch_size, rng.permutation(n), epoch)
            history.loss.append(mean_loss)
            if classify:
                history.accuracy.append(acc)
            history.lr.append(opt.lr)
            if has_val:
                out_val = net._trace(X_val)[1][-1]
                history.val_loss.append(loss.fn(out_val, Y_val))
                if classify:
                    history.val_accuracy.append(accuracy(out_val, Y_val, logits))
                if history.val_loss[-1] < best[0]:
                    best = (history.val_loss[-1], [p.copy() for p in params])
                    history.best_epoch = epoch
            history.seconds.append(time.perf_counter() - start)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{history.loss[-1]:.4g}")
            stop = callback is not None and callback(epoch, history) is True
            if patience is not None and epoch - history.best_epoch >= patience:
                history.stopped_early = True
                stop = True
            if stop:
                break
    if bar is not None:
        bar.close()
    if patience is not None and best[1] is not None:
        for p, saved in zip(params, best[1]):
            p[...] = saved
    return history


def _epoch(net, X, Y, labels, loss, opt, batch_size, order, epoch):
    """One pass over the data in the given order: one update per batch.

    Returns the mean loss and the accuracy over the epoch, measured on each
    batch just before its update (as Keras reports them).
    """
    total_loss, correct = 0.0, 0.0
    logits = loss.takes_logits
    X, Y = X[order], Y[order]  # shuffled once; each batch below is then a slice (a view, no copy)
    labels = labels[order] if labels is not None else None
    for first in range(0, len(order), batch_size):
        xb, yb = X[first : first + batch_size], Y[first : first + batch_size]
        zs, activations = net._trace(xb)
        out = activations[-1]
        batch_loss, grad_out = loss.value_and_grad(out, yb)
        if not math.isfinite(batch_loss):
            raise DivergenceError(
                f"Training diverged: the loss became {batch_loss} in epoch {epoch + 1}, "
                f"batch {first // batch_size + 1}, with lr={opt.lr}. Lower the learning "
                "rate (try 10x smaller) or scale the inputs."
            )
        total_loss += batch_loss * len(xb)
        if labels is not None:
            correct += np.count_nonzero(predicted_classes(out, logits) == labels[first : first + batch_size])
        dWs, dbs = net._backward(zs, activations, grad_out)
        opt.step(net.weights + net.biases, dWs + dbs)
    return total_loss / len(order), correct / len(order)


def _progress_bar(total: int):
    """A tqdm bar: an ipywidgets bar inside Jupyter, text in a terminal."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="epoch")
