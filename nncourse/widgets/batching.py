"""Notebook 09: batch, stochastic and mini-batch gradient descent.

The weights change after every batch; an epoch is one pass over the training
data. With n examples and batch size b, an epoch makes ceil(n / b) updates:
the last batch is smaller when b does not divide n.

What is here:

- :func:`updates_per_epoch`: ceil(n / b), with ``None`` meaning the whole set;
- :func:`toy_data`, :func:`toy_network`: the toy problem of the notebook (XOR, n = 300),
  a 2-16-1 network with a linear output trained on BCE on logits (``"bce_logits"``);
- :func:`loss_per_update`: training-set loss after every single update;
- :func:`train_toy`: train the toy network with one batch size;
- :func:`loss_curve`: loss per epoch for one batch size (cached, for the widget);
- :func:`batch_readout` and :func:`batch_size_widget`: the batch-size slider;
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..data import make_toy
from ..losses import Loss
from ..network import Network
from ..optim import SGD
from ..train import History, train
from .panel import FULL_LABEL, SliderPanel, png

#: The toy problem: XOR with a little noise, 300 points, a 2-16-1 network, BCE on logits, lr 0.1.
N_TOY = 300
LOSS = "bce_logits"
TOY_NAME, TOY_NOISE, TOY_SEED = "xor", 0.05, 0
SIZES = (2, 16, 1)
LR = 0.1
WIDGET_EPOCHS = 20


def updates_per_epoch(n: int, batch_size: int | None) -> int:
    """Number of weight updates in one epoch: ceil(n / batch_size); ``None`` (full batch) gives 1."""
    n = int(n)
    if n < 1:
        raise ValueError(f"n must be >= 1; got {n}.")
    if batch_size is None:
        return 1
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1 or None; got {batch_size!r}.")
    return -(-n // int(batch_size))


def toy_data() -> tuple[np.ndarray, np.ndarray]:
    """The notebook's toy set: ``X`` (300, 2) and targets ``Y`` (300, 1) of 0.0 and 1.0."""
    X, y = make_toy(TOY_NAME, n=N_TOY, noise=TOY_NOISE, seed=TOY_SEED)
    return X, y.reshape(-1, 1).astype(float)


def toy_network(seed: int = 0) -> Network:
    """A fresh 2-16-1 network: tanh hidden layer, linear output z^(2) (a logit, for ``"bce_logits"``).

    The probability of class 1 is σ(z^(2)); the loss applies the sigmoid itself, so a
    saturated output keeps its gradient (σ(z) − y)/N.
    """
    return Network(list(SIZES), activation="tanh", output_activation="linear", seed=seed)


def loss_per_update(net: Network, X, Y, batch_size: int | None, n_updates: int, loss: str | Loss = LOSS,
                    lr: float = LR, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Train ``net`` in place with plain SGD for ``n_updates`` updates; return two arrays of that length.

    ``batch_losses[u]``: the loss on the batch used by update u, just before it;
    ``train_losses[u]``: the loss on all of (X, Y) just after it.
    Batches are drawn as :func:`nncourse.train` draws them: each epoch shuffles the data
    (``np.random.default_rng(seed).permutation`` per epoch) and cuts it into consecutive batches.
    """
    X, Y, loss = net.check_data(X, Y, loss)
    batch_losses, train_losses = [], []

    def record(update: int, batch_loss: float) -> bool:
        batch_losses.append(batch_loss)
        train_losses.append(net.loss(X, Y, loss))
        return update + 1 == n_updates  # True stops training

    per_epoch = -(-X.shape[0] // (batch_size or X.shape[0]))  # batches in one epoch, rounded up
    train(net, X, Y, loss, SGD(lr), epochs=-(-n_updates // per_epoch), batch_size=batch_size, seed=seed,
          on_batch=record)
    return np.array(batch_losses), np.array(train_losses)


_CURVES: dict[int, tuple[float, ...]] = {}


def train_toy(batch_size: int | None, epochs: int, seed: int = 0) -> tuple[Network, History]:
    """Train a fresh :func:`toy_network` on :func:`toy_data`: BCE on logits, plain SGD with ``lr=LR``.

    Returns the trained network and its :class:`~nncourse.train.History`. The losses of the
    first ``WIDGET_EPOCHS`` epochs are remembered for :func:`loss_curve` (a longer run starts
    exactly like a shorter one: same initial weights, same shuffles).
    """
    X, Y = toy_data()
    net = toy_network()
    history = train(net, X, Y, loss=LOSS, lr=LR, epochs=epochs, batch_size=batch_size, seed=seed)
    if seed == 0 and history.epochs >= WIDGET_EPOCHS:
        _CURVES.setdefault(N_TOY if batch_size is None else min(int(batch_size), N_TOY),
                           tuple(history.loss[:WIDGET_EPOCHS]))
    return net, history


def loss_curve(batch_size: int | None) -> tuple[float, ...]:
    """Mean training loss in each of the first ``WIDGET_EPOCHS`` epochs for ``batch_size``.

    Trained by :func:`train_toy` the first time a batch size is asked for, then cached, so
    moving the slider back is instant. ``None`` and any size >= 300 mean the full batch.
    """
    key = N_TOY if batch_size is None else min(int(batch_size), N_TOY)
    if key not in _CURVES:
        train_toy(key, WIDGET_EPOCHS)
    return _CURVES[key]


def batch_readout(batch_size: int) -> str:
    """The batch-size slider's readout for the toy set (n = 300): updates per epoch and in total.

    Pure: the same batch size always gives the same HTML string.
    """
    b = int(batch_size)
    if not 1 <= b <= N_TOY:
        raise ValueError(f"batch_size must be an integer from 1 to {N_TOY}; got {batch_size!r}.")
    k = updates_per_epoch(N_TOY, b)
    full, last = divmod(N_TOY, b)
    kind = "stochastic" if b == 1 else ("full batch" if b == N_TOY else "mini-batch")
    split = f"{full} batch{'es' if full > 1 else ''} of {b}" + (f" and one of {last}" if last else "")
    return (
        f"<div><b>batch size {b}</b> ({kind}): one epoch = {split}<br>"
        f"updates per epoch = ceil({N_TOY} / {b}) = <b>{k}</b>; "
        f"in {WIDGET_EPOCHS} epochs: <b>{k * WIDGET_EPOCHS}</b> updates</div>"
    )


def curve_png(batch_size: int) -> bytes:
    """PNG of the loss of ``batch_size`` per epoch (left) and per update (right, log scale),
    with full batch and SGD (batch 1) in grey for comparison."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 3.4))
    FigureCanvasAgg(fig)
    by_epoch, by_update = fig.subplots(1, 2)
    epochs = np.arange(1, WIDGET_EPOCHS + 1)
    for b, style, colour, label in ((N_TOY, "--", "#9aa5b1", f"full batch ({N_TOY})"),
                                    (1, ":", "#555555", "stochastic (1)"),
                                    (int(batch_size), "o-", "#e8710a", f"batch size {int(batch_size)}")):
        curve = loss_curve(b)
        by_epoch.plot(epochs, curve, style, color=colour, ms=3, label=label)
        by_update.plot(epochs * updates_per_epoch(N_TOY, b), curve, style, color=colour, ms=3, label=label)
    by_epoch.set_xlabel("epoch")
    by_epoch.set_xticks(epochs[::2])
    by_update.set_xscale("log")
    by_update.set_xlabel("updates so far (log scale)")
    for ax in (by_epoch, by_update):
        ax.set_ylabel("mean training loss (BCE)")
        ax.legend(fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.99, bottom=0.15, top=0.97, wspace=0.28)  # cheaper than tight_layout
    return png(fig)


class BatchSizeWidget(SliderPanel):
    """Slider over the batch size (1 to 300) with the readout and the training curve of that size.

    ``slider`` (IntSlider), ``readout`` (HTML with class ``nncourse-readout``, always
    ``batch_readout(slider.value)``), ``picture`` (Image of the loss curve), ``box`` (to display).
    """

    def __init__(self, description: str = "batch size", value: int = 32):
        self.slider = widgets.IntSlider(value=value, min=1, max=N_TOY, step=1, description=description,
                                        style=FULL_LABEL)
        super().__init__([self.slider], "BatchSizeWidget(batch size slider, updates readout, loss curve)",
                         width=720, readout=batch_readout, picture=curve_png)


batch_size_widget = BatchSizeWidget  # the name the notebooks call


