"""Regularisation helpers: the L2 penalty, gradient clipping and inverted-dropout masks.

Each works on the same lists of arrays as the optimizers (``net.weights``, ``dWs + dbs``).
``train(..., l2=, clip_norm=)`` and ``Network(..., dropout=)`` use them; weight decay itself
lives in the optimizers (``nncourse.optim``, ``weight_decay=``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .checks import check_positive, check_range


def l2_penalty(weights: Sequence[np.ndarray], lam: float) -> float:
    """The L2 penalty added to the loss: (λ/2)·Σ_l ‖W^(l)‖², every entry of every W squared.

    ``weights``: the W^(l) only, each (n_l, n_{l−1}); biases are not penalised.
    """
    check_range(lam, "lam", 0, hint="Use 0 for no penalty.")
    return 0.5 * lam * float(sum(np.sum(W * W) for W in weights))


def l2_penalty_grad(weights: Sequence[np.ndarray], lam: float) -> list[np.ndarray]:
    """Gradient of :func:`l2_penalty`: ∂/∂W^(l) of (λ/2)·‖W^(l)‖² is λ·W^(l), same shape as W^(l)."""
    check_range(lam, "lam", 0, hint="Use 0 for no penalty.")
    return [lam * W for W in weights]


def clip_grad_norm(grads: Sequence[np.ndarray], max_norm: float) -> float:
    """Scale all gradients together so that their global L2 norm is at most ``max_norm``.

    total = √(Σ over every array of Σ g²). When c = max_norm/(total + 1e-6) is below 1,
    every array is multiplied in place by c; otherwise nothing changes. Returns ``total``,
    the norm before clipping. Same as ``torch.nn.utils.clip_grad_norm_(params, max_norm)``.
    """
    check_positive(max_norm, "max_norm")
    total = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for g in grads:
            g *= scale
    return total


def dropout_mask(shape: int | tuple[int, ...], p: float, rng: np.random.Generator) -> np.ndarray:
    """An inverted-dropout mask: each entry 0 with probability p, else 1/(1 − p), so E[mask] = 1.

    Multiplying activations a^(l) (batch, n_l) by a mask of that shape drops each unit with
    probability p and scales the kept ones up, so no rescaling is needed in eval mode.
    Same as the scaling of ``torch.nn.Dropout(p)`` in training mode.
    """
    check_range(p, "p", 0, 1, include_high=False, hint="p is the probability of dropping a unit.")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy Generator, e.g. np.random.default_rng(0); got {type(rng).__name__}.")
    return (rng.random(shape) >= p) / (1.0 - p)
