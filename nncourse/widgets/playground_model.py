"""The state behind the playground of notebook 13, with no widgets in it.

A :class:`PlaygroundModel` holds a toy 2-D data set (split half for
training, half for testing), a network ``2 -> hidden layers -> 1`` whose
output neuron is linear (its value z is a logit; the probability of class 1
is σ(z)), an optimizer and the loss history. The classification loss is
binary cross-entropy on the logit, ``"bce_logits"``: it applies σ itself, so
its gradient (σ(z) − y)/N stays exact even when σ(z) is close to 0 or 1. It trains one epoch
at a time (one pass over the training half, an update after every
mini-batch) with :func:`nncourse.train`, so the panel, the tests and the
notebook's experiments all run the same code.

Settings fall in two groups:

- ``RESET_FIELDS`` (data, noise, architecture, activation, loss, number of points, seed):
  changing one rebuilds the data and the network and starts again at epoch 0;
- ``LIVE_FIELDS`` (optimizer, learning rate, batch size): a change applies
  from the next mini-batch on and keeps the weights. A new optimizer starts
  with empty state (no momentum, no Adam averages).

Everything random is drawn from generators seeded with ``settings.seed``,
so :meth:`PlaygroundModel.reset` with the same settings replays the same run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

import numpy as np

from ..activations import Sigmoid
from ..data import make_toy, split
from ..network import Network
from ..optim import Optimizer, get_optimizer
from ..train import DivergenceError, train

DATASETS = ("circle", "xor", "gauss", "spiral")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
LOSSES = ("bce_logits", "mse")
OPTIMIZERS = ("sgd", "momentum", "adam")
LEARNING_RATES = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
RESET_FIELDS = ("dataset", "noise", "hidden_layers", "neurons", "activation", "loss", "n_points", "val_points",
                "seed")
LIVE_FIELDS = ("optimizer", "lr", "batch_size")
LIMIT = 1.5  # the decision boundary is drawn over [-LIMIT, LIMIT]²


@dataclass(frozen=True)
class Settings:
    """Everything that defines a run. ``n_points`` are split half train, half test.

    ``val_points`` > 0 draws that many more points from the same source as a validation
    set (for choosing when to stop without looking at the test points); the panel uses none.
    """

    dataset: str = "circle"
    noise: float = 0.0
    hidden_layers: int = 2
    neurons: int = 4
    activation: str = "tanh"
    loss: str = "bce_logits"
    optimizer: str = "sgd"
    lr: float = 0.1
    batch_size: int = 10
    n_points: int = 400
    val_points: int = 0
    seed: int = 0


def network_sizes(hidden_layers: int, neurons: int) -> list[int]:
    """Layer widths ``[2, neurons, ..., neurons, 1]`` with ``hidden_layers`` hidden layers."""
    return [2] + [int(neurons)] * int(hidden_layers) + [1]


def n_parameters(sizes: list[int]) -> int:
    """Weights and biases of a dense network: Σ over layers of n_out·n_in + n_out."""
    return sum(n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


class PlaygroundModel:
    """Data, network, optimizer and loss history of one playground run.

    ``epoch`` counts passes over the training half; ``train_losses[e]`` and
    ``test_losses[e]`` are the losses on the whole training and test halves
    after ``e`` epochs (entry 0 is before any training); ``val_losses[e]`` the
    same on the validation points (an empty list when ``val_points`` is 0).
    """

    def __init__(self, settings: Settings | None = None, **changes):
        self.settings = replace(settings or Settings(), **changes)
        self._grids: dict[int, np.ndarray] = {}
        self.reset()

    def __repr__(self) -> str:
        return f"PlaygroundModel({', '.join(f'{k}={v!r}' for k, v in asdict(self.settings).items())})"

    # -- state ----------------------------------------------------------

    def reset(self) -> None:
        """Rebuild data, network and optimizer from ``settings``; back to epoch 0."""
        s = self.settings
        _check(s)
        X, y = make_toy(s.dataset, n=s.n_points + s.val_points, noise=s.noise, seed=s.seed)
        if s.val_points:
            half = s.n_points / 2 / len(X)
            parts = split(X, y, (half, half, s.val_points / len(X)), seed=s.seed)
            (self.X_train, self.y_train), (self.X_test, self.y_test), (self.X_val, self.y_val) = parts
        else:
            (self.X_train, self.y_train), (self.X_test, self.y_test) = split(X, y, (0.5, 0.5), seed=s.seed)
            self.X_val, self.y_val = X[:0], y[:0]
        self.Y_val = self.y_val.reshape(-1, 1)
        self.Y_train, self.Y_test = self.y_train.reshape(-1, 1), self.y_test.reshape(-1, 1)
        # bce_logits needs a linear output (it applies the sigmoid itself); mse is taken on σ(z).
        output = "linear" if s.loss == "bce_logits" else "sigmoid"
        self.net = Network(network_sizes(s.hidden_layers, s.neurons), activation=s.activation,
                           output_activation=output, seed=s.seed)
        self.optimizer: Optimizer = get_optimizer(s.optimizer, s.lr)
        self._rng = np.random.default_rng(s.seed)  # shuffles the batches, epoch after epoch
        self.epoch = 0
        self.diverged = False
        self.train_losses: list[float] = []
        self.test_losses: list[float] = []
        self.val_losses: list[float] = []
        self._record()

    def update(self, **changes) -> bool:
        """Change settings. Returns True if the change reset the run (see ``RESET_FIELDS``)."""
        unknown = set(changes) - set(RESET_FIELDS) - set(LIVE_FIELDS)
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; choose from {RESET_FIELDS + LIVE_FIELDS}.")
        old, self.settings = self.settings, replace(self.settings, **changes)
        if any(getattr(old, f) != getattr(self.settings, f) for f in RESET_FIELDS):
            self.reset()
            return True
        _check(self.settings)
        if self.settings.optimizer != old.optimizer:
            self.optimizer = get_optimizer(self.settings.optimizer, self.settings.lr)
        self.optimizer.lr = float(self.settings.lr)
        return False

    @property
    def sizes(self) -> list[int]:
        return self.net.sizes

    # -- training -------------------------------------------------------

    def step(self, epochs: int = 1) -> int:
        """Train ``epochs`` epochs (fewer if the loss diverges). Returns the number run."""
        for done in range(epochs):
            if self.diverged:
                return done
            seed = int(self._rng.integers(2**31))
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    train(self.net, self.X_train, self.Y_train, loss=self.settings.loss,
                          optimizer=self.optimizer, epochs=1, batch_size=self.settings.batch_size, seed=seed)
            except DivergenceError:
                self.diverged = True
                return done
            self.epoch += 1
            self._record()
        return epochs

    def run(self, seconds: float = 0.05, max_epochs: int = 50,
            clock: Callable[[], float] = time.perf_counter) -> int:
        """Train whole epochs until ``seconds`` have passed on ``clock`` (at least one epoch). Returns epochs run."""
        start, done = clock(), 0
        while done < max_epochs and not self.diverged:
            done += self.step(1)
            if clock() - start >= seconds:
                break
        return done

    def _record(self) -> None:
        loss = self.settings.loss
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                losses = (self.net.loss(self.X_train, self.Y_train, loss),
                          self.net.loss(self.X_test, self.Y_test, loss))
            except ValueError:  # the weights hold nan or inf
                losses = (np.nan, np.nan)
        if not all(np.isfinite(losses)):
            self.diverged = True
        self.train_losses.append(float(losses[0]))
        self.test_losses.append(float(losses[1]))
        if len(self.X_val):
            with np.errstate(over="ignore", invalid="ignore"):
                try:
                    self.val_losses.append(float(self.net.loss(self.X_val, self.Y_val, loss)))
                except ValueError:
                    self.val_losses.append(np.nan)

    # -- readings -------------------------------------------------------

    @property
    def train_loss(self) -> float:
        return self.train_losses[-1]

    @property
    def test_loss(self) -> float:
        return self.test_losses[-1]

    def accuracy(self, part: str = "test") -> float:
        """Fraction of the ``"train"``, ``"val"`` or ``"test"`` points on the right side of the 0.5 contour of σ(z)."""
        parts = {"train": (self.X_train, self.Y_train), "test": (self.X_test, self.Y_test)}
        if len(self.X_val):
            parts["val"] = (self.X_val, self.Y_val)
        if part not in parts:
            raise ValueError(f"part must be one of {tuple(parts)}; got {part!r}"
                             + (" (set val_points > 0 for a validation set)." if part == "val" else "."))
        return self.net.accuracy(*parts[part])

    def epochs_to_reach(self, test_loss: float, max_epochs: int) -> int | None:
        """Train until the test loss is below ``test_loss``; the epoch it happened, or None."""
        while self.test_loss >= test_loss:
            if self.epoch >= max_epochs or self.step(1) == 0:
                return None
        return self.epoch

    def grid(self, resolution: int = 50) -> np.ndarray:
        """The ``resolution²`` points (x1, x2) of the boundary picture, row by row from the bottom."""
        if resolution not in self._grids:
            axis = np.linspace(-LIMIT, LIMIT, resolution)
            x1, x2 = np.meshgrid(axis, axis)
            self._grids[resolution] = np.column_stack([x1.ravel(), x2.ravel()])
        return self._grids[resolution]

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """The network's probability of class 1 for each row of X (n, 2); shape (n,).

        With ``"bce_logits"`` the output neuron is linear and this is σ(z) of its value z;
        with ``"mse"`` the output neuron is a sigmoid and this is its output.
        """
        out = self.net.forward(X)[:, 0]
        return Sigmoid().fn(out) if self.settings.loss == "bce_logits" else out

    def boundary(self, resolution: int = 50) -> np.ndarray:
        """The probability of class 1 over the grid: shape (resolution, resolution), values in [0, 1].

        Row i is x2 = ``linspace(-LIMIT, LIMIT)[i]``, column j is x1, so
        ``imshow(..., origin="lower")`` draws it the right way up.
        """
        if self.diverged:
            return np.full((resolution, resolution), 0.5)
        with np.errstate(over="ignore", invalid="ignore"):
            out = self.probabilities(self.grid(resolution))
        return out.reshape(resolution, resolution)


def _check(s: Settings) -> None:
    for name, value, allowed in (("dataset", s.dataset, DATASETS), ("activation", s.activation, ACTIVATIONS),
                                 ("loss", s.loss, LOSSES), ("optimizer", s.optimizer, OPTIMIZERS)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}; got {value!r}.")
    for name in ("hidden_layers", "neurons", "batch_size", "n_points", "val_points"):
        value = getattr(s, name)
        low = 0 if name in ("hidden_layers", "val_points") else 1
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}; got {value!r}.")
    if not (s.lr > 0 and np.isfinite(s.lr)):
        raise ValueError(f"lr must be a positive number; got {s.lr!r}.")
