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
    on_batch: Callable[[int, float], object] | None = None,
) -> History:
    """Train ``net`` in place and return its :class:`History`.

    X: (n, n_in); Y: (n, n_out), or labels (n,) for cross-entropy.
    ``optimizer`` is a name (``"sgd"``, ``"momentum"``, ``"adam"``) used
    with ``lr``, or an optimizer object (then ``lr`` is ignored).
    ``patience``: stop once the validation loss has not improved for that
    many epochs, and restore the weights of the best epoch.
    ``callback(epoch, history)`` runs after each epoch; returning True stops.
    ``on_batch(update, batch_loss)`` runs after each update (counted from 0 over the whole run),
    with the loss of the batch just before its update; returning True stops at once, and the
    unfinished epoch is recorded over the batches it ran.
    """
    X, Y, loss = net.check_data(X, Y, loss)
    opt = get_optimizer(optimizer, lr if not isinstance(optimizer, Optimizer) else None)
    check_positive(epochs, "epochs", integer=True)
    batch_size = X.shape[0] if batch_size is None else batch_size
    check_positive(batch_size, "batch_size", integer=True)
    validation = _validation_data(net, X_val, Y_val, loss, patience)
    rng, labels = np.random.default_rng(seed), (true_classes(Y) if loss.classifies else None)
    run, history = _Run(net, loss, opt, batch_size, on_batch), History()
    bar = _progress_bar(epochs) if progress else None
    # Overflow is not warned about: a nan or inf loss stops training below, with advice.
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(epochs):
            start = time.perf_counter()
            if schedule is not None:
                opt.lr = float(schedule(epoch))
            mean_loss, acc = run.epoch(X, Y, labels, rng.permutation(X.shape[0]), epoch)
            _record(history, run, mean_loss, acc, validation, epoch)
            history.seconds.append(time.perf_counter() - start)
            _show_progress(bar, history)
            stop = run.stopped or (callback is not None and callback(epoch, history) is True)
            if patience is not None and epoch - history.best_epoch >= patience:
                history.stopped_early = stop = True
            if stop:
                break
    if bar is not None:
        bar.close()
    if patience is not None and run.best_params is not None:  # early stopping keeps the best epoch's weights
        for p, saved in zip(net.weights + net.biases, run.best_params):
            p[...] = saved
    return history


def _show_progress(bar, history: History) -> None:
    """Advance the progress bar (if any) by one epoch and show the latest loss."""
    if bar is not None:
        bar.update(1)
        bar.set_postfix(loss=f"{history.loss[-1]:.4g}")


def _validation_data(net, X_val, Y_val, loss, patience):
    """The checked validation set ``(X_val, Y_val)``, or None; early stopping needs one."""
    if X_val is None and Y_val is None:
        if patience is not None:
            check_positive(patience, "patience", integer=True)
            raise ValueError("patience (early stopping) needs validation data: pass X_val and Y_val.")
        return None
    if X_val is None or Y_val is None:
        raise ValueError("Give both X_val and Y_val, or neither.")
    if patience is not None:
        check_positive(patience, "patience", integer=True)
    X_val, Y_val, _ = net.check_data(X_val, Y_val, loss)
    return X_val, Y_val


def _record(history, run, mean_loss, acc, validation, epoch):
    """Append one epoch to ``history``; on a new best validation loss, keep a copy of the weights."""
    history.loss.append(mean_loss)
    if run.loss.classifies:
        history.accuracy.append(acc)
    history.lr.append(run.opt.lr)
    if validation is None:
        return
    X_val, Y_val = validation
    out_val = run.net.feedforward(X_val)[1][-1]
    history.val_loss.append(run.loss.fn(out_val, Y_val))
    if run.loss.classifies:
        history.val_accuracy.append(accuracy(out_val, Y_val, run.loss.takes_logits))
    if history.val_loss[-1] < run.best_val_loss:
        run.best_val_loss = history.val_loss[-1]
        history.best_epoch = epoch
        run.best_params = [p.copy() for p in run.net.weights + run.net.biases]


@dataclass
class _Run:
    """What stays fixed during one call of :func:`train`, and what it carries from epoch to epoch."""

    net: Network
    loss: Loss
    opt: Optimizer
    batch_size: int
    on_batch: Callable[[int, float], object] | None = None
    updates: int = 0
    stopped: bool = False
    best_val_loss: float = math.inf
    best_params: list[np.ndarray] | None = None

    def epoch(self, X, Y, labels, order, epoch):
        """One pass over the data in the given order: one update per batch.

        Returns the mean loss and the accuracy over the examples seen, each batch
        measured just before its update (as Keras reports them).
        """
        total_loss, correct, seen = 0.0, 0, 0
        X, Y = X[order], Y[order]  # shuffled once; each batch below is then a slice (a view, no copy)
        labels = labels[order] if labels is not None else None
        for first in range(0, len(order), self.batch_size):
            xb, yb = X[first : first + self.batch_size], Y[first : first + self.batch_size]
            zs, activations = self.net.feedforward(xb)
            batch_loss, grad_out = self.loss.value_and_grad(activations[-1], yb)
            if not math.isfinite(batch_loss):
                raise DivergenceError(
                    f"Training diverged: the loss became {batch_loss} in epoch {epoch + 1}, "
                    f"batch {first // self.batch_size + 1}, with lr={self.opt.lr}. Lower the learning "
                    "rate (try 10x smaller) or scale the inputs."
                )
            total_loss += batch_loss * len(xb)
            seen += len(xb)
            if labels is not None:
                predicted = predicted_classes(activations[-1], self.loss.takes_logits)
                correct += np.count_nonzero(predicted == labels[first : first + self.batch_size])
            dWs, dbs = self.net.backprop(zs, activations, grad_out)
            self.opt.step(self.net.weights + self.net.biases, dWs + dbs)
            self.updates += 1
            if self.on_batch is not None and self.on_batch(self.updates - 1, batch_loss) is True:
                self.stopped = True
                break
        return total_loss / seen, correct / seen


def _progress_bar(total: int):
    """A tqdm bar: an ipywidgets bar inside Jupyter, text in a terminal."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="epoch")
