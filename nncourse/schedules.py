"""Learning-rate schedules: functions of the epoch number (from 0) that give lr.

Pass one to ``train(..., schedule=...)``; it sets ``optimizer.lr`` before
each epoch.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .checks import check_positive

Schedule = Callable[[int], float]


def constant(lr: float) -> Schedule:
    """lr(e) = lr."""
    check_positive(lr, "lr")
    return lambda epoch: lr


def step_decay(lr: float, factor: float = 0.5, every: int = 10) -> Schedule:
    """lr(e) = lr · factor^⌊e / every⌋: drop by ``factor`` every ``every`` epochs."""
    check_positive(lr, "lr")
    check_positive(every, "every", integer=True)
    return lambda epoch: lr * factor ** (epoch // every)


def exponential(lr: float, gamma: float = 0.95) -> Schedule:
    """lr(e) = lr · γ^e (as ``torch.optim.lr_scheduler.ExponentialLR``)."""
    check_positive(lr, "lr")
    return lambda epoch: lr * gamma**epoch


def cosine(lr: float, epochs: int, lr_min: float = 0.0) -> Schedule:
    """lr(e) = lr_min + ½(lr − lr_min)(1 + cos(π e / epochs)), from lr down to lr_min."""
    check_positive(lr, "lr")
    check_positive(epochs, "epochs", integer=True)
    return lambda epoch: lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * min(epoch, epochs) / epochs))
