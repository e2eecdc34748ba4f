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

from .checks import check_positive, check_range
from .losses import Loss
from .network import Network, accuracy, predicted_classes, true_classes
from .optim import Optimizer, get_optimizer
from .regularisation import clip_grad_norm, l2_penalty, l2_penalty_grad


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
    l2: float = 0.0,
    clip_norm: float | None = None,
) -> History:
    """Train ``net`` in place and return its :class:`History`.

    X: (n, n_in); Y: (n, n_out), or labels (n,) for cross-entropy.
    ``optimizer`` is a name (``"sgd"``, ``"momentum"``, ``"rmsprop"``, ``"adam"``, ``"adamw"``)
    used with ``lr``, or an optimizer object (then ``lr`` is ignored).
    ``patience``: stop once the validation loss has not improved for that
    many epochs, and restore the weights of the best epoch.
    ``callback(epoch, history)`` runs after each epoch; returning True stops.
    ``on_batch(update, batch_loss)`` runs after each update (counted from 0 over the whole run),
    with the loss of the batch just before its update; returning True stops at once, and the
    unfinished epoch is recorded over the batches it ran.
    ``l2``: adds (λ/2)·Σ‖W^(l)‖² to each batch loss and λW^(l) to each dW^(l) (``history.loss`` includes
    it, ``history.val_loss`` not); ``clip_norm``: clip the global gradient norm before each step.
    Weight decay comes with the optimizer and never touches biases. As in a torch loop, batches run in
    training mode (dropout on), validation in eval mode, and ``net`` is left in eval mode.
    """
    X, Y, loss = net.check_data(X, Y, loss)
    opt = get_optimizer(optimizer, lr if not isinstance(optimizer, Optimizer) else None)
    batch_size = _check_settings(X, epochs, batch_size, l2, clip_norm)
    validation = _validation_data(net, X_val, Y_val, loss, patience)
    rng, labels = np.random.default_rng(seed), (true_classes(Y) if loss.classifies else None)
    run, history = _Run(net, loss, opt, batch_size, on_batch, l2, clip_norm), History()
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
            if _stops(run, history, callback, patience, epoch):
                break
    if bar is not None:
        bar.close()
    _restore_best(net, run, patience)
    return history


def _stops(run, history: History, callback, patience: int | None, epoch: int) -> bool:
    """Stop after this epoch? When ``on_batch`` or ``callback`` asked to, or when patience ran out."""
    stop = run.stopped or (callback is not None and callback(epoch, history) is True)
    if patience is not None and epoch - history.best_epoch >= patience:
        history.stopped_early = stop = True
    return stop


def _check_settings(X, epochs, batch_size, l2, clip_norm) -> int:
    """Check train's numeric settings; returns the batch size (all of X for None)."""
    check_positive(epochs, "epochs", integer=True)
    batch_size = X.shape[0] if batch_size is None else batch_size
    check_positive(batch_size, "batch_size", integer=True)
    check_range(l2, "l2", 0, hint="Use 0 for no L2 penalty.")
    if clip_norm is not None:
        check_positive(clip_norm, "clip_norm")
    return batch_size


def _restore_best(net, run, patience: int | None) -> None:
    """Early stopping (``patience`` given) keeps the weights of the best validated epoch."""
    if patience is not None and run.best_params is not None:
        for p, saved in zip(net.weights + net.biases, run.best_params):
            p[...] = saved


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
    l2: float = 0.0
    clip_norm: float | None = None
    updates: int = 0
    stopped: bool = False
    best_val_loss: float = math.inf
    best_params: list[np.ndarray] | None = None

    def epoch(self, X, Y, labels, order, epoch):
        """One pass over the data in the given order: one update per batch.

        Returns the mean loss and the accuracy over the examples seen, each batch
        measured just before its update (as Keras reports them). The batches run in
        training mode (dropout on); the network is left in eval mode, for validation.
        """
        try:
            self.net.train()
            return self._batches(X, Y, labels, order, epoch)
        finally:
            self.net.eval()

    def _batches(self, X, Y, labels, order, epoch):
        """The loop of :meth:`epoch`: one update per batch; returns (mean loss, accuracy)."""
        total_loss, correct, seen = 0.0, 0, 0
        X, Y = X[order], Y[order]  # shuffled once; each batch below is then a slice (a view, no copy)
        labels = labels[order] if labels is not None else None
        for first in range(0, len(order), self.batch_size):
            xb, yb = X[first : first + self.batch_size], Y[first : first + self.batch_size]
            zs, activations = self.net.feedforward(xb)
            batch_loss, grad_out = self.loss.value_and_grad(activations[-1], yb)
            if self.l2:
                batch_loss += l2_penalty(self.net.weights, self.l2)
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
            self.step(zs, activations, grad_out)
            self.updates += 1
            if self.on_batch is not None and self.on_batch(self.updates - 1, batch_loss) is True:
                self.stopped = True
                break
        return total_loss / seen, correct / seen

    def step(self, zs, activations, grad_out) -> None:
        """Backprop, add the L2 gradient, clip, and let the optimizer update (weights decay, biases don't)."""
        dWs, dbs = self.net.backprop(zs, activations, grad_out)
        if self.l2:
            dWs = [dW + g for dW, g in zip(dWs, l2_penalty_grad(self.net.weights, self.l2))]
        if self.clip_norm is not None:
            clip_grad_norm(dWs + dbs, self.clip_norm)
        decay = [True] * len(dWs) + [False] * len(dbs) if self.opt.weight_decay else None  # None: nothing decays
        self.opt.step(self.net.weights + self.net.biases, dWs + dbs, decay)


def _progress_bar(total: int):
    """A tqdm bar: an ipywidgets bar inside Jupyter, text in a terminal."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="epoch")
