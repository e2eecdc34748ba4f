"""Activation functions, each written beside its derivative.

Shapes: ``z`` is the weighted input of a layer, ``(batch, n)``; every
function returns an array of the same shape. ``backward(z, a, grad_a)``
turns ∂C/∂a into ∂C/∂z = δ, the error signal of the layer.
"""

from __future__ import annotations

import numpy as np

from .checks import unknown_name


class Activation:
    """Base class: ``fn`` is a = f(z), ``derivative`` is f'(z), elementwise."""

    name = "activation"

    def fn(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def derivative(self, z: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, grad_a: np.ndarray) -> np.ndarray:
        """δ = ∂C/∂a ⊙ f'(z). ``a`` = f(z) is passed in so it need not be recomputed."""
        return grad_a * self.derivative(z)

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.fn(z)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z)),  σ'(z) = σ(z)(1 − σ(z)).

    For z < −709, e^(−z) overflows to inf and 1/(1 + inf) = 0, the correctly
    rounded value; the overflow is expected, so numpy is told not to warn.
    """

    name = "sigmoid"

    def fn(self, z):
        with np.errstate(over="ignore"):
            return 1.0 / (1.0 + np.exp(np.negative(z)))

    def derivative(self, z):
        # σ(1 − σ) written as e^(−|z|) / (1 + e^(−|z|))²: no cancellation in the tails.
        e = np.exp(-np.abs(z))
        return e / (1.0 + e) ** 2

    def backward(self, z, a, grad_a):
        return grad_a * a * (1.0 - a)


class Tanh(Activation):
    """tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z)),  tanh'(z) = 1 − tanh²(z)."""

    name = "tanh"

    def fn(self, z):
        return np.tanh(z)

    def derivative(self, z):
        # 1 − tanh² written as 4e^(−2|z|) / (1 + e^(−2|z|))²: exact in the tails, no overflow.
        e = np.exp(-2.0 * np.abs(z))
        return 4.0 * e / (1.0 + e) ** 2

    def backward(self, z, a, grad_a):
        return grad_a * (1.0 - a * a)


class ReLU(Activation):
    """relu(z) = max(0, z),  relu'(z) = 1 if z > 0 else 0 (0 at z = 0, as in PyTorch)."""

    name = "relu"

    def fn(self, z):
        return np.maximum(z, 0.0)

    def derivative(self, z):
        return (z > 0).astype(np.float64)

    def backward(self, z, a, grad_a):
        return grad_a * (z > 0)


class LeakyReLU(Activation):
    """f(z) = z if z > 0 else slope·z,  f'(z) = 1 if z > 0 else slope."""

    name = "leaky_relu"

    def __init__(self, slope: float = 0.01):
        self.slope = float(slope)

    def fn(self, z):
        return np.where(z > 0, z, self.slope * z)

    def derivative(self, z):
        return np.where(z > 0, 1.0, self.slope)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class Linear(Activation):
    """f(z) = z,  f'(z) = 1. Used for regression outputs and for logits."""

    name = "linear"

    def fn(self, z):
        return np.asarray(z, dtype=np.float64)

    def derivative(self, z):
        return np.ones_like(z, dtype=np.float64)

    def backward(self, z, a, grad_a):
        return grad_a


class Softmax(Activation):
    """softmax(z)_i = e^(z_i) / Σ_k e^(z_k), taken along each row.

    Its derivative is a Jacobian, not an elementwise factor:
    ∂a_i/∂z_k = a_i (1[i = k] − a_k). ``derivative`` returns it with shape
    ``(batch, n, n)``; ``backward`` applies it without building it.
    """

    name = "softmax"

    @staticmethod
    def parts(z):
        """``(s, e^s, Σ e^s)`` per row, with s = z − max(z): the largest exponent is 0, so e^s never overflows.

        Softmax is e^s / Σ e^s and log-softmax is s − log Σ e^s; the shift cancels in both.
        """
        shifted = z - z.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        return shifted, e, e.sum(axis=-1, keepdims=True)

    @staticmethod
    def log_fn(z):
        """log softmax(z) = s − log Σ_k e^(s_k), the log-sum-exp form: finite even where softmax underflows to 0."""
        shifted, _, total = Softmax.parts(z)
        return shifted - np.log(total)

    def fn(self, z):
        _, e, total = self.parts(z)
        return e / total

    def derivative(self, z):
        a = self.fn(z)
        return a[..., :, None] * (np.eye(a.shape[-1]) - a[..., None, :])

    def backward(self, z, a, grad_a):
        # Row by row: J^T g = a ⊙ (g − (g·a)).
        return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


ACTIVATIONS: dict[str, type[Activation]] = {
    cls.name: cls for cls in (Sigmoid, Tanh, ReLU, LeakyReLU, Linear, Softmax)
}


def get_activation(activation: str | Activation) -> Activation:
    """Return an activation object from its name (``"relu"``) or the object itself."""
    if isinstance(activation, Activation):
        return activation
    if isinstance(activation, str) and activation.lower() in ACTIVATIONS:
        return ACTIVATIONS[activation.lower()]()
    raise unknown_name("activation", activation, list(ACTIVATIONS))
