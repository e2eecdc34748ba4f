"""Optimizers with one interface: ``opt.step(params, grads)``.

``params`` and ``grads`` are matching lists of arrays, for example
``net.weights + net.biases`` and ``dWs + dbs``. ``step`` changes each
parameter in place. The update rules are those of ``torch.optim`` with
the same hyperparameters (no weight decay).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .checks import check_positive, unknown_name


class Optimizer:
    """Base class: keeps the learning rate ``lr`` and a step counter ``t``."""

    def __init__(self, lr: float = 0.01):
        check_positive(lr, "lr")
        self.lr = float(lr)
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        if len(params) != len(grads):
            raise ValueError(
                f"params and grads must pair up; got {len(params)} params and {len(grads)} grads."
            )
        if not self.state:
            self.state = [{} for _ in params]
        self.t += 1
        for p, g, s in zip(params, grads, self.state):
            p -= self.update(g, s)

    def update(self, g: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
        """The amount to subtract from a parameter whose gradient is ``g``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items() if k not in ("t", "state"))
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """θ ← θ − lr·g. Same as ``torch.optim.SGD(params, lr)``."""

    def update(self, g, state):
        return self.lr * g


class Momentum(Optimizer):
    """v ← μ·v + g;  θ ← θ − lr·v  (v starts as g, as in PyTorch).

    Same as ``torch.optim.SGD(params, lr, momentum=mu)``.
    """

    def __init__(self, lr: float = 0.01, mu: float = 0.9):
        super().__init__(lr)
        if not 0 <= mu < 1:
            raise ValueError(f"mu must be in [0, 1); got {mu!r}.")
        self.mu = float(mu)

    def update(self, g, state):
        state["v"] = g.copy() if "v" not in state else self.mu * state["v"] + g
        return self.lr * state["v"]


class Adam(Optimizer):
    """Adam: running means of g and g², corrected for their start at 0.

    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
    m̂ = m/(1 − β1^t);  v̂ = v/(1 − β2^t);  θ ← θ − lr·m̂/(√v̂ + eps).
    Same as ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps)``.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        for name, beta in (("beta1", beta1), ("beta2", beta2)):
            if not 0 <= beta < 1:
                raise ValueError(f"{name} must be in [0, 1); got {beta!r}.")
        check_positive(eps, "eps")
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def update(self, g, state):
        if "m" not in state:
            state["m"], state["v"] = np.zeros_like(g), np.zeros_like(g)
        state["m"] = self.beta1 * state["m"] + (1 - self.beta1) * g
        state["v"] = self.beta2 * state["v"] + (1 - self.beta2) * g * g
        m_hat = state["m"] / (1 - self.beta1**self.t)
        v_hat = state["v"] / (1 - self.beta2**self.t)
        return self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer: str | Optimizer, lr: float | None = None) -> Optimizer:
    """An optimizer from its name (``"adam"``) and ``lr``, or the object itself."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS:
        cls = OPTIMIZERS[optimizer.lower()]
        return cls() if lr is None else cls(lr=lr)
    raise unknown_name("optimizer", optimizer, list(OPTIMIZERS))
