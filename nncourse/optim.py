"""Optimizers with one interface: ``opt.step(params, grads, decay=None)``.

``params`` and ``grads`` are matching lists of arrays, for example
``net.weights + net.biases`` and ``dWs + dbs``. ``step`` changes each
parameter in place. The update rules are those of ``torch.optim`` with
the same hyperparameters, weight decay included.

Weight decay (``weight_decay=wd``) pulls each parameter towards 0. SGD,
Momentum, RMSprop and Adam couple it to the gradient, as ``torch.optim``
does: g ← g + wd·θ before the rule (the gradient of an L2 penalty
(wd/2)·‖θ‖²). AdamW decouples it: θ ← θ·(1 − lr·wd), then the plain Adam step.
``decay`` lists, for each parameter, whether it decays (default: all).
``train`` passes True for weights and False for biases; torch does the same
with two parameter groups, the biases' group having ``weight_decay=0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import numpy as np

from .checks import check_positive, check_range, unknown_name


class Optimizer:
    """Base class: keeps ``lr``, ``weight_decay`` and a step counter ``t``."""

    decoupled = False  # True: decay acts on θ directly (AdamW), not through the gradient

    def __init__(self, lr: float = 0.01, weight_decay: float = 0.0):
        check_positive(lr, "lr")
        check_range(weight_decay, "weight_decay", 0, hint="Use 0 for no weight decay.")
        self.lr = float(lr)
        self.weight_decay = float(weight_decay)
        self.t = 0
        self.state: list[dict[str, np.ndarray]] = []

    def step(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray],
             decay: Sequence[bool] | None = None) -> None:
        """Update every parameter in place from its gradient.

        ``decay[i]`` says whether ``params[i]`` gets weight decay (``None``: all do).
        """
        if len(params) != len(grads):
            raise ValueError(
                f"params and grads must pair up; got {len(params)} params and {len(grads)} grads."
            )
        if decay is not None:
            decay = list(decay)
            if len(decay) != len(params) or not all(isinstance(d, (bool, np.bool_)) for d in decay):
                raise ValueError(
                    f"decay must hold one True/False per parameter ({len(params)} of them); got {decay!r}."
                )
        if not self.state:
            self.state = [{} for _ in params]
        self.t += 1
        wd = self.weight_decay
        for p, g, s, d in zip(params, grads, self.state, decay or [True] * len(params)):
            if d and wd:
                if self.decoupled:
                    p *= 1 - self.lr * wd
                else:
                    g = g + wd * p
            p -= self.update(g, s)

    def update(self, g: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
        """The amount to subtract from a parameter whose gradient is ``g``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in vars(self).items()
                         if k not in ("t", "state") and not (k == "weight_decay" and v == 0))
        return f"{type(self).__name__}({args})"


def _check_beta(value: float, name: str) -> float:
    """A decay rate of a running mean must lie in [0, 1)."""
    if not isinstance(value, Real) or isinstance(value, bool) or not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1); got {value!r}. Typical values are 0.9 to 0.999.")
    return float(value)


class SGD(Optimizer):
    """θ ← θ − lr·g. Same as ``torch.optim.SGD(params, lr, weight_decay=wd)``."""

    def update(self, g, state):
        return self.lr * g


class Momentum(Optimizer):
    """v ← μ·v + g;  θ ← θ − lr·v  (v starts as g, as in PyTorch).

    Same as ``torch.optim.SGD(params, lr, momentum=mu, weight_decay=wd)``.
    """

    def __init__(self, lr: float = 0.01, mu: float = 0.9, weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.mu = _check_beta(mu, "mu")

    def update(self, g, state):
        state["v"] = g.copy() if "v" not in state else self.mu * state["v"] + g
        return self.lr * state["v"]


class RMSprop(Optimizer):
    """RMSProp: divide each step by a running root mean square of the gradient.

    v ← α·v + (1 − α)·g²  (v starts at 0, no bias correction);  θ ← θ − lr·g/(√v + eps).
    Same as ``torch.optim.RMSprop(params, lr, alpha=alpha, eps=eps, weight_decay=wd)``.
    """

    def __init__(self, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.alpha = _check_beta(alpha, "alpha")
        check_positive(eps, "eps")
        self.eps = float(eps)

    def update(self, g, state):
        state["v"] = self.alpha * state.get("v", 0.0) + (1 - self.alpha) * g * g
        return self.lr * g / (np.sqrt(state["v"]) + self.eps)


class Adam(Optimizer):
    """Adam: running means of g and g², corrected for their start at 0.

    m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
    m̂ = m/(1 − β1^t);  v̂ = v/(1 − β2^t);  θ ← θ − lr·m̂/(√v̂ + eps).
    Same as ``torch.optim.Adam(params, lr, betas=(beta1, beta2), eps=eps, weight_decay=wd)``.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2 = _check_beta(beta1, "beta1"), _check_beta(beta2, "beta2")
        check_positive(eps, "eps")
        self.eps = float(eps)

    def update(self, g, state):
        if "m" not in state:
            state["m"], state["v"] = np.zeros_like(g), np.zeros_like(g)
        state["m"] = self.beta1 * state["m"] + (1 - self.beta1) * g
        state["v"] = self.beta2 * state["v"] + (1 - self.beta2) * g * g
        m_hat = state["m"] / (1 - self.beta1**self.t)
        v_hat = state["v"] / (1 - self.beta2**self.t)
        return self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamW(Adam):
    """Adam with decoupled weight decay: θ ← θ·(1 − lr·wd), then the Adam step with the plain g.

    Unlike ``Adam(weight_decay=wd)``, the decay does not pass through m and v, so it is not
    divided by √v̂. Same as ``torch.optim.AdamW(params, lr, betas, eps, weight_decay=wd)``.
    """

    decoupled = True

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
                 weight_decay: float = 0.01):
        super().__init__(lr, beta1, beta2, eps, weight_decay)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD, "momentum": Momentum, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW,
}


def get_optimizer(optimizer: str | Optimizer, lr: float | None = None) -> Optimizer:
    """An optimizer from its name (``"adam"``) and ``lr``, or the object itself."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS:
        cls = OPTIMIZERS[optimizer.lower()]
        return cls() if lr is None else cls(lr=lr)
    raise unknown_name("optimizer", optimizer, list(OPTIMIZERS))
