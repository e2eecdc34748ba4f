"""Learning-rate schedules: functions of the epoch number (from 0) that give lr.

Pass one to ``train(..., schedule=...)``; it sets ``optimizer.lr`` before
each epoch. The arguments are checked when the schedule is made, and the
epoch when it is called (an integer >= 0), so a wrong value is reported
at once rather than as a strange learning rate many epochs later.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .checks import check_positive, check_range

Schedule = Callable[[int], float]


def _check_epoch(epoch: int) -> None:
    check_range(epoch, "epoch", 0, integer=True, hint="Epochs count from 0: the first epoch is 0.")


def constant(lr: float) -> Schedule:
    """lr(e) = lr."""
    check_positive(lr, "lr")

    def schedule(epoch: int) -> float:
        _check_epoch(epoch)
        return lr

    return schedule


def step_decay(lr: float, factor: float = 0.5, every: int = 10) -> Schedule:
    """lr(e) = lr · factor^⌊e / every⌋: drop by ``factor`` (0 < factor ≤ 1) every ``every`` epochs."""
    check_positive(lr, "lr")
    check_range(factor, "factor", 0, 1, include_low=False,
                hint="lr is multiplied by factor at each drop: 0.5 halves it.")
    check_positive(every, "every", integer=True)

    def schedule(epoch: int) -> float:
        _check_epoch(epoch)
        return lr * factor ** (epoch // every)

    return schedule


def exponential(lr: float, gamma: float = 0.95) -> Schedule:
    """lr(e) = lr · γ^e, 0 < γ ≤ 1 (as ``torch.optim.lr_scheduler.ExponentialLR``)."""
    check_positive(lr, "lr")
    check_range(gamma, "gamma", 0, 1, include_low=False,
                hint="lr is multiplied by gamma every epoch: 0.95 lowers it by 5 % an epoch.")

    def schedule(epoch: int) -> float:
        _check_epoch(epoch)
        return lr * gamma**epoch

    return schedule


def cosine(lr: float, epochs: int, lr_min: float = 0.0) -> Schedule:
    """lr(e) = lr_min + ½(lr − lr_min)(1 + cos(π e / epochs)), from lr down to lr_min (0 ≤ lr_min ≤ lr).

    After ``epochs`` epochs it stays at lr_min.
    """
    check_positive(lr, "lr")
    check_positive(epochs, "epochs", integer=True)
    check_range(lr_min, "lr_min", 0, lr, hint="lr_min is where the schedule ends, so at most the starting lr.")

    def schedule(epoch: int) -> float:
        _check_epoch(epoch)
        return lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * min(epoch, epochs) / epochs))

    return schedule
