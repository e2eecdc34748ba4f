"""How good a classifier's predictions are, class by class: the confusion matrix.

(The overall share of right answers is ``network.accuracy``.)
"""

from __future__ import annotations

import numpy as np


def confusion_matrix(y_true, y_pred, n_classes: int) -> np.ndarray:
    """``M[i, j]`` = number of examples of true class i predicted as class j.

    y_true, y_pred: (batch,) integer labels in 0..n_classes − 1. Returns (n_classes, n_classes):
    the diagonal counts the right answers, row i shows where the examples of class i went.
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(
            f"y_true and y_pred must be 1-D label arrays of equal length; got shapes {y_true.shape} and "
            f"{y_pred.shape}. Pass class labels, e.g. net.predict(X), not one-hot rows."
        )
    labels = np.concatenate([y_true, y_pred])
    if labels.size and (not np.all(np.equal(np.mod(labels, 1), 0)) or labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must be whole numbers from 0 to {n_classes - 1} (n_classes = {n_classes}); "
            f"got values from {labels.min()} to {labels.max()}."
        )
    M = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(M, (y_true.astype(int), y_pred.astype(int)), 1)  # add.at: repeated pairs each count
    return M
