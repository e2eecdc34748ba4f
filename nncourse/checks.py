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


def check_range(value: Any, name: str, low: float, high: float = float("inf"), *, include_low: bool = True,
                include_high: bool = True, integer: bool = False, hint: str = "") -> None:
    """Raise unless ``value`` is a number from ``low`` to ``high`` (an int if ``integer``).

    ``include_low``/``include_high`` say whether the ends themselves are allowed:
    ``check_range(f, "factor", 0, 1, include_low=False)`` accepts 0 < f ≤ 1.
    ``hint`` is added to the message, to say how to fix it.
    """
    if integer:
        ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, Real) and not isinstance(value, bool) and bool(np.isfinite(value))
    if ok:
        ok = (value >= low if include_low else value > low) and (value <= high if include_high else value < high)
    if not ok:
        kind = "an integer" if integer else "a finite number"
        if high == float("inf"):
            where = f"{'>=' if include_low else '>'} {low:g}"
        else:
            where = f"in {'[' if include_low else '('}{low:g}, {high:g}{']' if include_high else ')'}"
        raise ValueError(f"{name} must be {kind} {where}; got {value!r}." + (f" {hint}" if hint else ""))


def unknown_name(kind: str, given: Any, known: list[str]) -> ValueError:
    """The error for a name that is not in a registry, listing the valid ones."""
    return ValueError(f"Unknown {kind} {given!r}. Choose one of: {', '.join(sorted(known))}.")


def as_targets(Y: Any, n_out: int, loss: Any, name: str = "Y") -> np.ndarray:
    """Check targets against the output layer and return them as ``(batch, n_out)``.

    ``loss.targets`` says what the targets may hold (see :class:`nncourse.losses.Loss`).
    Cross-entropy also takes class labels, shape ``(batch,)``, returned as one-hot rows.
    """
    arr = np.asarray(Y)
    if loss.targets == "distribution" and arr.ndim == 1:
        if arr.size == 0:
            raise ValueError(f"{name} is empty: expected at least one label.")
        if not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0 or arr.max() >= n_out:
            raise ValueError(
                f"{name} given as labels must be integers in 0..{n_out - 1}; "
                f"got dtype {arr.dtype}, values {arr.min()}..{arr.max()}."
            )
        return np.eye(n_out)[arr]
    if arr.ndim == 1 and n_out == 1:
        raise ValueError(
            f"{name} must be 2-D with shape (batch, 1) to match the network's one output; "
            f"got 1-D shape {arr.shape}. Use {name}.reshape(-1, 1)."
        )
    Y = as_matrix(arr, name)
    if Y.shape[1] != n_out:
        raise ValueError(
            f"{name} has {Y.shape[1]} columns but the network has {n_out} outputs: "
            f"expected shape (batch, {n_out}), got {Y.shape}."
        )
    if loss.targets == "distribution" and (Y.min() < 0 or not np.allclose(Y.sum(axis=1), 1.0)):
        raise ValueError(
            f"{name} for {loss.name} must hold one-hot rows or class probabilities, each row "
            f">= 0 and summing to 1; got row sums from {Y.sum(axis=1).min()} to {Y.sum(axis=1).max()}. "
            "Pass integer labels of shape (batch,) instead, or normalise the rows."
        )
    if loss.targets == "binary" and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(
            f"{name} must lie in [0, 1] for the {loss.name} loss; got values from "
            f"{Y.min()} to {Y.max()}."
        )
    return Y


def check_parameters(net: Any) -> None:
    """Make sure every W and b of ``net`` is a float array of the shape the layer sizes imply.

    It only looks: a list or an integer array is refused with the fix, not converted behind your back.
    """
    for name, params in (("weights", net.weights), ("biases", net.biases)):
        if len(params) != net.n_layers:
            raise ValueError(f"{name} must hold {net.n_layers} arrays, one per layer; it holds {len(params)}.")
        for i, (n_in, n_out) in enumerate(zip(net.sizes[:-1], net.sizes[1:])):
            p = params[i]
            expected = (n_out, n_in) if name == "weights" else (n_out,)
            shape = np.shape(p)
            if shape != expected:
                hint = ""
                if name == "weights" and shape == expected[::-1]:
                    hint = " W is stored as (n_out, n_in), as in torch.nn.Linear: pass W.T."
                raise ValueError(f"{name}[{i}] must have shape {expected}; got {shape}.{hint}")
            if not isinstance(p, np.ndarray) or p.dtype != np.float64:
                given = type(p).__name__ if not isinstance(p, np.ndarray) else f"an array of {p.dtype}"
                raise TypeError(
                    f"{name}[{i}] must be a numpy array of float64 (the optimizers update it in place); "
                    f"got {given}. Use np.array(..., dtype=float)."
                )


def check_data(net: Any, X: Any, Y: Any, loss: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate a data set for ``net`` and a loss object, once, before heavy work: ``(X, Y)`` as arrays."""
    check_parameters(net)
    X = as_matrix(X, "X", net.sizes[0])
    Y = as_targets(Y, net.sizes[-1], loss)
    check_same_rows(X, Y)
    out = net.output_activation.name
    if loss.takes_logits and out != "linear":
        squash = "softmax" if loss.targets == "distribution" else "sigmoid"
        raise ValueError(
            f"The {loss.name} loss takes logits and applies the {squash} itself; "
            f"the output activation is {out}. Use output_activation='linear'."
        )
    if loss.needs_probabilities and out not in ("sigmoid", "softmax"):
        raise ValueError(
            f"The {loss.name} loss needs outputs in [0, 1]; the output activation is "
            f"{out}. Use output_activation='sigmoid', or output_activation='linear' with the loss on logits."
        )
    return X, Y
