"""Gradient checking: compare backprop with central finite differences.

    ∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / (2ε),  error O(ε²).

The relative error ‖g_backprop − g_numeric‖ / (‖g_backprop‖ + ‖g_numeric‖)
is below about 1e-7 in float64 when backprop is right.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .losses import Loss


def central_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """f'(x) ≈ (f(x + h) − f(x − h)) / 2h for a function of one number; the error shrinks like h²."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numeric_gradient(f: Callable[[np.ndarray], float], x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x`` (any shape), one entry at a time."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        saved = x[i]

        def along(value, i=i):  # f as a function of entry i alone
            x[i] = value
            return f(x)

        grad[i] = central_difference(along, saved, eps)
        x[i] = saved
    return grad


def numeric_gradients(cost: Callable[[], float], params, eps: float = 1e-6) -> list[np.ndarray]:
    """Central-difference gradient of ``cost()`` with respect to each array in ``params``.

    ``cost`` reads the arrays themselves (a network's weights, say): each entry is changed in
    place, ``cost()`` evaluated, and the entry put back.
    """
    grads = []
    for p in params:
        def at(values, p=p):  # cost as a function of this array's entries
            saved = p.copy()
            p[...] = values
            c = cost()
            p[...] = saved
            return c
        grads.append(numeric_gradient(at, p, eps))
    return grads


def relative_error(a, b) -> float:
    """‖a − b‖ / (‖a‖ + ‖b‖), and 0 when both are exactly zero."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    if 0 < scale < 1e-100 or scale > 1e100:  # the squares inside the norms would underflow or overflow
        a, b = a / scale, b / scale  # the ratio does not change
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def network_numeric_gradients(net, X, Y, loss: str | Loss = "mse", eps: float = 1e-6, masks=None):
    """``(dWs, dbs)`` of ``net`` by central differences, one parameter at a time.

    ``masks`` fixes the dropout masks (see ``Network.feedforward``); a dropout network
    in training mode needs them, or every evaluation would draw new ones.
    """
    X, Y, loss = net.check_data(X, Y, loss)
    if masks is None and getattr(net, "training", False) and any(getattr(net, "dropout", ())):
        raise ValueError(
            "this network has dropout and is in training mode, so every evaluation of the loss would draw "
            "new masks and the finite differences would measure noise. Pass masks= (one per hidden layer, "
            "e.g. net.masks after a forward pass) or call net.eval() first."
        )

    def cost() -> float:
        return loss.fn(net.feedforward(X, masks)[1][-1], Y)

    return numeric_gradients(cost, net.weights, eps), numeric_gradients(cost, net.biases, eps)


def gradient_check(net, X, Y, loss: str | Loss = "mse", eps: float = 1e-6, grads=None,
                   masks=None) -> dict[str, float]:
    """Relative error between backprop and finite differences for each parameter.

    ``grads = (dWs, dbs)`` checks gradients computed some other way (a hand-written
    or deliberately broken backward pass); by default it is ``net.gradients(X, Y, loss)``.
    Keys follow the course's notation, layers counted from 1: ``"W1"``, ``"b1"``,
    ..., ``"WL"``, ``"bL"``. ``"W1"`` is W^(1), which the code stores as ``net.weights[0]``.
    ``masks`` fixes the dropout masks for both sides (see ``Network.feedforward``).
    """
    dWs, dbs = net.gradients(X, Y, loss, masks) if grads is None else grads
    nWs, nbs = network_numeric_gradients(net, X, Y, loss, eps, masks)
    report = {}
    for layer in range(net.n_layers):
        report[f"W{layer + 1}"] = relative_error(dWs[layer], nWs[layer])
        report[f"b{layer + 1}"] = relative_error(dbs[layer], nbs[layer])
    return report


def agreement_table(rows, methods=("SymPy", "finite diff.", "backprop"), digits: int = 8) -> str:
    """A compact table: one line per quantity, its value by each method, and the largest gap.

    ``rows`` maps a quantity's name to one value per method, e.g.
    ``{"∂E/∂w5": (0.0729, 0.0729, 0.0729)}``. Use it after a check has been
    shown once in full, so that later checks read as one table, not rows of True.
    """
    width = max([len("quantity")] + [len(name) for name in rows])
    col = max(digits + 6, 2 + max(len(m) for m in (*methods, "largest gap")))  # names never run together
    lines = [f"{'quantity':<{width}}  " + "".join(f"{m:>{col}}" for m in methods) + f"{'largest gap':>{col}}"]
    for name, values in rows.items():
        values = [float(v) for v in values]
        if len(values) != len(methods):
            raise ValueError(
                f"row {name!r} has {len(values)} values; expected one per method {tuple(methods)}."
            )
        gap = max(values) - min(values)
        lines.append(
            f"{name:<{width}}  " + "".join(f"{v:>{col}.{digits}f}" for v in values) + f"{gap:>{col}.1e}"
        )
    return "\n".join(lines)
