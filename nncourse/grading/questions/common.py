"""Small helpers shared by the question banks: σ, σ′ and the worked example as test-case data."""

from __future__ import annotations

import numpy as np

from ...data import worked_example


def sig(z) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(−z)), elementwise."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def dsig(z) -> np.ndarray:
    """σ′(z) = σ(z)(1 − σ(z)), elementwise."""
    s = sig(z)
    return s * (1.0 - s)


def worked_case() -> dict:
    """The worked 2-2-2 example as keyword arguments X, T, W1, b1, W2, b2 (plain lists)."""
    ex = worked_example()
    net = ex.network()
    return {
        "X": ex.X.tolist(),
        "T": ex.Y.tolist(),
        "W1": net.weights[0].tolist(),
        "b1": net.biases[0].tolist(),
        "W2": net.weights[1].tolist(),
        "b2": net.biases[1].tolist(),
    }


def random_case(sizes: tuple[int, int, int], batch: int, seed: int) -> dict:
    """A random network and batch as keyword arguments X, T, W1, b1, W2, b2 (rounded to 3 decimals)."""
    rng = np.random.default_rng(seed)
    n0, n1, n2 = sizes
    r = lambda *shape: np.round(rng.uniform(-1, 1, size=shape), 3).tolist()  # noqa: E731
    return {
        "X": r(batch, n0),
        "T": np.round(rng.uniform(0, 1, size=(batch, n2)), 3).tolist(),
        "W1": r(n1, n0),
        "b1": r(n1),
        "W2": r(n2, n1),
        "b2": r(n2),
    }


def without(case: dict, *keys: str) -> dict:
    """A copy of ``case`` without ``keys``."""
    return {k: v for k, v in case.items() if k not in keys}
