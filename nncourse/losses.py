"""Loss functions, each a class with its value ``fn`` and its gradient ``grad``.

Shapes: ``a`` is the network's output and ``y`` the target, both
``(batch, n_out)``. ``fn`` returns one number, the loss averaged as
PyTorch's ``reduction="mean"`` does; ``grad`` returns ∂C/∂a with the
shape of ``a``.
"""

from __future__ import annotations

import numpy as np

from .activations import Sigmoid, Softmax
from .checks import unknown_name


class Loss:
    """Base class.

    ``needs_probabilities``: the network's outputs must lie in [0, 1] (a sigmoid or softmax output).
    ``takes_logits``: the loss applies its own sigmoid or softmax, so the output layer must be linear.
    ``classifies``: targets are classes, so training also reports accuracy.
    ``targets``: what the targets may hold: ``"any"`` number, ``"binary"`` values in [0, 1], or a
    ``"distribution"`` per row (one-hot or class probabilities; integer labels are turned into one-hot).
    """

    name = "loss"
    needs_probabilities = False
    takes_logits = False
    classifies = False
    targets = "any"

    def fn(self, a: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def grad(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def value_and_grad(self, a: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        """``(fn(a, y), grad(a, y))``; losses override it to share work between the two."""
        return self.fn(a, y), self.grad(a, y)

    def __call__(self, a: np.ndarray, y: np.ndarray) -> float:
        return self.fn(a, y)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    """C = (1/N) Σ (a − y)²,  ∂C/∂a = 2(a − y)/N, with N = batch · n_out.

    Same as ``torch.nn.MSELoss()``.
    """

    name = "mse"

    def fn(self, a, y):
        return float(np.mean((a - y) ** 2))

    def grad(self, a, y):
        return 2.0 * (a - y) / a.size


class HalfSSE(Loss):
    """C = (1/batch) Σ ½ (y − a)²,  ∂C/∂a = (a − y)/batch.

    The worked example's E = ½Σ(t − o)², summed over outputs and averaged
    over the batch. The ½ cancels the 2 of the power rule.
    """

    name = "half_sse"

    def fn(self, a, y):
        return float(0.5 * np.sum((y - a) ** 2) / a.shape[0])

    def grad(self, a, y):
        return (a - y) / a.shape[0]


class MAE(Loss):
    """C = (1/N) Σ |a − y|,  ∂C/∂a = sign(a − y)/N (0 where a = y).

    Same as ``torch.nn.L1Loss()``.
    """

    name = "mae"

    def fn(self, a, y):
        return float(np.mean(np.abs(a - y)))

    def grad(self, a, y):
        return np.sign(a - y) / a.size


class BCE(Loss):
    """C = −(1/N) Σ [y log a + (1 − y) log(1 − a)],  a in [0, 1].

    ∂C/∂a = (a − y) / (a(1 − a)) / N. As in ``torch.nn.BCELoss()``, each
    log is clamped at −100 and the denominator at 1e-12, so a = 0 or 1
    gives a large finite loss, never nan.
    """

    name = "bce"
    needs_probabilities = True
    classifies = True
    targets = "binary"
    LOG_MIN = -100.0

    def fn(self, a, y):
        log_a = np.log(np.clip(a, np.exp(self.LOG_MIN), None))
        log_1ma = np.log(np.clip(1.0 - a, np.exp(self.LOG_MIN), None))
        return float(-np.mean(y * log_a + (1.0 - y) * log_1ma))

    def grad(self, a, y):
        return (a - y) / np.maximum(a * (1.0 - a), 1e-12) / a.size


class BCEWithLogits(Loss):
    """Binary cross-entropy on logits ``z``, with a = σ(z) taken inside the loss.

    C = −(1/N) Σ [y log σ(z) + (1 − y) log(1 − σ(z))]
      = (1/N) Σ [max(z, 0) − z·y + log(1 + e^(−|z|))]      (never overflows)
    ∂C/∂z = (σ(z) − y)/N,  with N = batch · n_out.

    The σ'(z) = σ(1 − σ) of the sigmoid cancels the 1/(a(1 − a)) of BCE's
    gradient on paper; fusing the two keeps that cancellation in floating point,
    so a saturated output still gets its full gradient. Same as
    ``torch.nn.BCEWithLogitsLoss()``; the network's output activation must be linear.
    """

    name = "bce_logits"
    takes_logits = True
    classifies = True
    targets = "binary"

    def fn(self, z, y):
        return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))

    def grad(self, z, y):
        return (Sigmoid().fn(z) - y) / z.size


class CrossEntropy(Loss):
    """Softmax cross-entropy on logits ``z``: C = −(1/batch) Σ_i Σ_k y_ik log softmax(z_i)_k.

    ∂C/∂z = (softmax(z) − y)/batch. ``y`` holds one-hot rows or class
    probabilities, ``(batch, n_classes)``, each row summing to 1.
    Same as ``torch.nn.CrossEntropyLoss()``; the network's output
    activation must be linear, because the softmax is taken here.
    """

    name = "cross_entropy"
    takes_logits = True
    classifies = True
    targets = "distribution"

    def fn(self, z, y):
        return float(-np.sum(y * Softmax.log_fn(z)) / z.shape[0])

    def grad(self, z, y):
        return self.value_and_grad(z, y)[1]

    def value_and_grad(self, z, y):
        # One softmax serves both. With s = z − max(z) and S = Σ_k e^(s_k) per row,
        # log softmax = s − log S, so C = (Σ_i log S_i − Σ y ⊙ s)/batch (rows of y sum to 1).
        shifted, e, total = Softmax.parts(z)
        n = z.shape[0]
        value = float(np.log(total).sum() - np.vdot(y, shifted)) / n
        grad = e / total
        grad -= y
        grad /= n
        return value, grad


LOSSES: dict[str, type[Loss]] = {cls.name: cls for cls in (MSE, HalfSSE, MAE, BCE, BCEWithLogits, CrossEntropy)}
ALIASES = {
    "l1": "mae", "l2": "mse", "binary_cross_entropy": "bce", "ce": "cross_entropy",
    "bce_with_logits": "bce_logits", "binary_cross_entropy_with_logits": "bce_logits",
}


def get_loss(loss: str | Loss) -> Loss:
    """Return a loss object from its name (``"mse"``) or the object itself."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        key = ALIASES.get(loss.lower(), loss.lower())
        if key in LOSSES:
            return LOSSES[key]()
    raise unknown_name("loss", loss, list(LOSSES))
