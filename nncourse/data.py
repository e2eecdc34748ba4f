"""Data for the course: the worked example, toy 2-D sets, the 8x8 digits,
and the plumbing around them (scaling, splitting, mini-batches).

Every random draw takes a ``seed``, so the same call gives the same data.
Shapes follow the package: X is (n, n_features), Y is (n, n_out).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .checks import as_matrix, check_positive, check_same_rows, unknown_name


@dataclass(frozen=True)
class WorkedExample:
    """The 2-2-2 sigmoid network of the worked H1/Y1 example.

    The hidden layer shares one bias b1, the output layer one bias b2.
    w3, w4, w7, w8 are missing from the seed; the values here are the
    course notes' completion, which reproduces every number the seed prints.
    """

    x: tuple[float, float] = (0.95, 0.06)
    t: tuple[float, float] = (0.05, 0.82)
    w1: float = 0.1   # x1 -> H1
    w2: float = 0.15  # x2 -> H1
    w3: float = 0.03  # x1 -> H2
    w4: float = 0.025  # x2 -> H2
    w5: float = 0.18  # H1 -> Y1
    w6: float = 0.06  # H2 -> Y1
    w7: float = 0.11  # H1 -> Y2
    w8: float = 0.26  # H2 -> Y2
    b1: float = 0.05
    b2: float = 0.42
    lr: float = 0.01

    @property
    def X(self) -> np.ndarray:
        """The single input as a batch: shape (1, 2)."""
        return np.array([self.x])

    @property
    def Y(self) -> np.ndarray:
        """The single target as a batch: shape (1, 2)."""
        return np.array([self.t])

    def network(self):
        """A :class:`~nncourse.network.Network` holding these weights (loss: ``"half_sse"``)."""
        from .network import Network

        net = Network([2, 2, 2], activation="sigmoid")
        net.weights = [
            np.array([[self.w1, self.w2], [self.w3, self.w4]]),
            np.array([[self.w5, self.w6], [self.w7, self.w8]]),
        ]
        net.biases = [np.array([self.b1, self.b1]), np.array([self.b2, self.b2])]
        return net


def worked_example() -> WorkedExample:
    """The numbers of the worked example (see :class:`WorkedExample`)."""
    return WorkedExample()


# -- toy 2-D data sets -------------------------------------------------------


def _circle(n, rng):
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, (np.hypot(X[:, 0], X[:, 1]) < 0.6).astype(int)


def _xor(n, rng):
    X = rng.uniform(-1, 1, size=(n, 2))
    return X, ((X[:, 0] > 0) != (X[:, 1] > 0)).astype(int)


def _gauss(n, rng):
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, 0.5, -0.5)
    return centres + rng.normal(0, 0.3, size=(n, 2)), y


def _spiral(n, rng):
    y = np.arange(n) % 2
    r = rng.uniform(0.05, 1.0, size=n)
    angle = 1.75 * 2 * np.pi * r + np.pi * y
    return np.column_stack([r * np.sin(angle), r * np.cos(angle)]), y


def _moons(n, rng):
    y = np.arange(n) % 2
    angle = rng.uniform(0, np.pi, size=n)
    X = np.column_stack([np.cos(angle), np.sin(angle)])
    X[y == 1] = 1 - X[y == 1] - [0, 0.5]  # the second moon, flipped and tucked under the first
    return (X - [0.5, 0.25]) / 1.5, y


TOY_SETS = {"circle": _circle, "xor": _xor, "gauss": _gauss, "spiral": _spiral, "moons": _moons}


def make_toy(name: str, n: int = 200, noise: float = 0.0, seed: int | None = 0):
    """A 2-D binary classification set: ``X`` (n, 2) in about [-1, 1]², labels ``y`` (n,).

    ``name`` is one of circle, xor, gauss, spiral, moons. ``noise`` is the
    standard deviation of Gaussian jitter added to every point.
    """
    if name not in TOY_SETS:
        raise unknown_name("data set", name, list(TOY_SETS))
    check_positive(n, "n", integer=True)
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0; got {noise!r}.")
    rng = np.random.default_rng(seed)
    X, y = TOY_SETS[name](n, rng)
    return X + rng.normal(0, noise, size=X.shape) if noise else X, y


def load_digits():
    """The 8x8 handwritten digits (1797 images) shipped with scikit-learn.

    Returns ``X`` (1797, 64) with pixel values 0..16 and labels ``y`` (1797,).
    """
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as err:  # pragma: no cover - scikit-learn is a dependency
        raise ImportError("load_digits needs scikit-learn: pip install scikit-learn") from err
    digits = sk_load_digits()
    return digits.data.astype(np.float64), digits.target.astype(int)


def one_hot(y, n_classes: int | None = None) -> np.ndarray:
    """Labels (n,) -> one-hot rows (n, n_classes)."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or y.size == 0 or y.min() < 0:
        raise ValueError(f"y must be a non-empty 1-D array of integer labels >= 0; got {y!r:.60}.")
    n_classes = int(y.max()) + 1 if n_classes is None else n_classes
    if y.max() >= n_classes:
        raise ValueError(f"labels go up to {y.max()} but n_classes is {n_classes}.")
    return np.eye(n_classes)[y]


# -- scaling -----------------------------------------------------------------


class MinMaxScaler:
    """x' = (x − min) / (max − min), per column, with min and max from ``fit``."""

    def fit(self, X) -> MinMaxScaler:
        X = as_matrix(X)
        self.low, span = X.min(axis=0), np.ptp(X, axis=0)
        self.span = np.where(span > 0, span, 1.0)  # a constant column maps to 0
        return self

    def transform(self, X) -> np.ndarray:
        return (as_matrix(X, n_cols=self.low.size) - self.low) / self.span

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)


class StandardScaler:
    """x' = (x − mean) / std, per column, with mean and std from ``fit``."""

    def fit(self, X) -> StandardScaler:
        X = as_matrix(X)
        self.mean, std = X.mean(axis=0), X.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X) -> np.ndarray:
        return (as_matrix(X, n_cols=self.mean.size) - self.mean) / self.std

    def fit_transform(self, X) -> np.ndarray:
        return self.fit(X).transform(X)


# -- splitting and batching --------------------------------------------------


def split(X, y, fractions=(0.6, 0.2, 0.2), seed: int | None = 0):
    """Shuffle and cut (X, y) into train, validation and test parts.

    Returns ``[(X_train, y_train), (X_val, y_val), (X_test, y_test)]`` (one
    pair per fraction). The fractions must be positive and sum to 1.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or X.shape[0] == 0:
        raise ValueError("X is empty: there is nothing to split.")
    check_same_rows(X, y, "X", "y")
    fractions = np.asarray(fractions, dtype=float)
    if fractions.ndim != 1 or (fractions <= 0).any() or not np.isclose(fractions.sum(), 1.0):
        raise ValueError(f"fractions must be positive and sum to 1; got {fractions.tolist()}.")
    n = X.shape[0]
    cuts = np.round(np.cumsum(fractions)[:-1] * n).astype(int)
    if (np.diff(np.concatenate([[0], cuts, [n]])) == 0).any():
        raise ValueError(
            f"{n} examples are too few to split into {fractions.tolist()}: a part would be empty."
        )
    order = np.random.default_rng(seed).permutation(n)
    return [(X[part], y[part]) for part in np.split(order, cuts)]


def minibatches(X, Y, batch_size: int, shuffle: bool = True, seed: int | None = 0) -> Iterator[tuple]:
    """Yield ``(X_batch, Y_batch)`` pairs that cover the data once (one epoch).

    The last batch is smaller when ``batch_size`` does not divide n.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim == 0 or X.shape[0] == 0:
        raise ValueError("X is empty: there are no examples to batch.")
    check_same_rows(X, Y)
    check_positive(batch_size, "batch_size", integer=True)
    n = X.shape[0]
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    for first in range(0, n, batch_size):
        idx = order[first : first + batch_size]
        yield X[idx], Y[idx]
