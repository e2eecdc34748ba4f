"""Input checks that fail early, with a message a learner can act on.

Every public function in ``nncourse`` runs its arguments through these
helpers, so a wrong shape or a NaN is reported where it enters, not as a
broadcasting surprise deep inside numpy. Messages follow scikit-learn's
habit: say what was expected, what was given, and how to fix it.
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np


def as_matrix(X: Any, name: str = "X", n_cols: int | None = None) -> np.ndarray:
    """Return ``X`` as a finite float64 array of shape ``(batch, n_cols)``.

    A 1-D array is refused rather than guessed at: one example of 4
    features and 4 examples of 1 feature look the same in 1-D.
    """
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of numbers; got {type(X).__name__}.") from err
    if arr.ndim != 2:
        hint = ""
        if arr.ndim == 1:
            hint = (
                f" For one example use {name}.reshape(1, -1); for one feature use "
                f"{name}.reshape(-1, 1)."
            )
        raise ValueError(
            f"{name} must be 2-D with shape (batch, n_features); got {arr.ndim}-D "
            f"with shape {arr.shape}.{hint}"
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty: expected at least one row, got shape {arr.shape}.")
    if n_cols is not None and arr.shape[1] != n_cols:
        raise ValueError(
            f"{name} has {arr.shape[1]} columns but the network expects {n_cols}: "
            f"expected shape (batch, {n_cols}), got {arr.shape}."
        )
    check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise if ``arr`` holds NaN or inf, saying where the first one is."""
    if not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        where = tuple(int(i) for i in bad)
        raise ValueError(
            f"{name} contains NaN or inf (first at index {where}, value {arr[where]}). "
            "Clean or impute the data before training."
        )


def check_same_rows(X: np.ndarray, Y: np.ndarray, x_name: str = "X", y_name: str = "Y") -> None:
    """Raise unless ``X`` and ``Y`` have one row per example each."""
    if X.shape[0] != Y.shape[0]:
        raise ValueError(
            f"{x_name} and {y_name} must have the same number of rows (one per example); "
            f"got {X.shape[0]} and {Y.shape[0]}."
        )


def check_positive(value: Any, name: str, integer: bool = False) -> None:
    """Raise unless ``value`` is a real number > 0 (an int >= 1 if ``integer``)."""
    if integer:
        ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1
        if not ok:
            raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
        return
    ok = isinstance(value, Real) and not isinstance(value, bool) and np.isfinite(value) and value > 0
    if not ok:
        raise ValueError(f"{name} must be a finite number > 0; got {value!r}.")


def unknown_name(kind: str, given: Any, known: list[str]) -> ValueError:
    """The error for a name that is not in a registry, listing the valid ones."""
    return ValueError(f"Unknown {kind} {given!r}. Choose one of: {', '.join(sorted(known))}.")
