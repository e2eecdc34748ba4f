"""Section 11, activations, initialisation and over-fitting."""

from __future__ import annotations

import numpy as np

from ..spec import Mistake, Question

Z = ({"z": [-2.0, -0.5, 0.0, 0.5, 3.0]}, {"z": [[1.5, -1.5], [0.0, 0.25]]})


def relu_prime(z):
    """1 where z > 0, else 0 (0 at z = 0, as in PyTorch)."""
    return (z > 0).astype(float)


def tanh_prime(z):
    """1 − tanh²(z)."""
    return 1 - np.tanh(z) ** 2


QUESTIONS = [
    Question(
        "q1",
        2,
        "The derivative of ReLU",
        name="relu_prime",
        reference=relu_prime,
        cases=Z,
        mistakes=(
            Mistake(
                "ReLU returned instead of its derivative",
                "the slope is 1 for z > 0 and 0 otherwise",
                lambda z: np.maximum(z, 0.0),
            ),
            Mistake(
                "slope 1 at z = 0",
                "the course (and PyTorch) use 0 at z = 0: test z > 0, not z >= 0",
                lambda z: (z >= 0).astype(float),
            ),
        ),
        hints=("A boolean array (z > 0) turns into 0.0/1.0 with .astype(float).",),
    ),
    Question(
        "q2",
        2,
        "The derivative of tanh",
        name="tanh_prime",
        reference=tanh_prime,
        cases=Z,
        mistakes=(
            Mistake("`z` used where `a` belongs", "the formula 1 − a² needs a = tanh(z), not z", lambda z: 1 - z**2),
            Mistake("sign error", "tanh′(z) = 1 − tanh²(z) is positive", lambda z: np.tanh(z) ** 2 - 1),
            Mistake("tanh returned instead of its derivative", "differentiate: 1 − tanh²(z)", lambda z: np.tanh(z)),
        ),
        hints=("a = np.tanh(z); the derivative is 1 − a².",),
    ),
    Question(
        "q3",
        2,
        "Early stopping: the best epoch",
        name="best_epoch",
        reference=lambda val_loss: int(np.argmin(val_loss)),
        cases=({"val_loss": [0.9, 0.6, 0.45, 0.47, 0.52, 0.6]}, {"val_loss": [1.0, 0.8, 0.8, 0.9]}),
        mistakes=(
            Mistake(
                "last epoch returned",
                "keep the weights of the epoch with the LOWEST validation loss",
                lambda val_loss: len(val_loss) - 1,
            ),
            Mistake(
                "counted epochs from 1",
                "return the list index (epochs count from 0 here)",
                lambda val_loss: int(np.argmin(val_loss)) + 1,
            ),
            Mistake("highest loss chosen", "argmin, not argmax", lambda val_loss: int(np.argmax(val_loss))),
        ),
        hints=("np.argmin returns the first index of the smallest value.",),
    ),
    Question(
        "q4",
        2,
        "Xavier initialisation",
        name="xavier_std",
        reference=lambda n_in, n_out: float(np.sqrt(2.0 / (n_in + n_out))),
        cases=({"n_in": 64, "n_out": 32}, {"n_in": 2, "n_out": 2}),
        mistakes=(
            Mistake(
                "He's formula",
                "He uses √(2/n_in) for ReLU; Xavier uses √(2/(n_in + n_out))",
                lambda n_in, n_out: float(np.sqrt(2.0 / n_in)),
            ),
            Mistake(
                "variance instead of standard deviation",
                "take the square root",
                lambda n_in, n_out: 2.0 / (n_in + n_out),
            ),
        ),
        hints=("Var(w) = 2 / (n_in + n_out); the standard deviation is its square root.",),
    ),
    Question("q5", 2, "Why equal starting weights never learn", kind="manual"),
]
