"""Gradient checking: compare backprop with central finite differences.

    ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / (2ε),  error O(ε²).

The relative error ‖g_backprop − g_numeric‖ / (‖g_backprop‖ + ‖g_numeric‖)
is below about 1e-7 in float64 when backprop is right.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .losses import Loss


def numeric_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x`` (any shape)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]
        x[i] = saved + eps
        up = f(x)
        x[i] = saved - eps
        down = f(x)
        x[i] = saved
        grad[i] = (up - down) / (2 * eps)
    return grad


def relative_error(a, b) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), and 0 when both are exactly zero."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def network_numeric_gradients(net, X, Y, loss: str | Loss = "mse", eps: float = 1e-6):
    """``(dWs, dbs)`` of ``net`` by central differences, one parameter at a time."""
    X, Y, loss = net.check_data(X, Y, loss)

    def numeric(params):
        grads = []
        for p in params:
            def cost(values, p=p):
                saved = p.copy()
                p[...] = values
                c = loss.fn(net._trace(X)[1][-1], Y)
                p[...] = saved
                return c
            grads.append(numeric_gradient(cost, p, eps))
        return grads

    return numeric(net.weights), numeric(net.biases)


def gradient_check(net, X, Y, loss: str | Loss = "mse", eps: float = 1e-6) -> dict[str, float]:
    """Relative error between backprop and finite differences for each parameter.

    Keys are ``"W0"``, ``"b0"``, ``"W1"``, ... in layer order.
    """
    dWs, dbs = net.gradients(X, Y, loss)
    nWs, nbs = network_numeric_gradients(net, X, Y, loss, eps)
    report = {}
    for layer in range(net.n_layers):
        report[f"W{layer}"] = relative_error(dWs[layer], nWs[layer])
        report[f"b{layer}"] = relative_error(dbs[layer], nbs[layer])
    return report
