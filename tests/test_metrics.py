"""nncourse.metrics: the confusion matrix, against scikit-learn's and a count by hand."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

from nncourse.metrics import confusion_matrix


def test_counts_by_hand():
    M = confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], 3)
    np.testing.assert_array_equal(M, [[1, 0, 0], [0, 1, 1], [0, 0, 2]])  # (2, 2) appears twice
    assert M.sum() == 5


def test_agrees_with_scikit_learn_and_keeps_empty_classes():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 200), rng.integers(0, 4, 200)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 6),
                                  sklearn_confusion_matrix(y_true, y_pred, labels=range(6)))


def test_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="equal length"):
        confusion_matrix([0, 1], [0], 2)
    with pytest.raises(ValueError, match="not one-hot"):
        confusion_matrix(np.eye(2), np.eye(2), 2)
    with pytest.raises(ValueError, match="from 0 to 1"):
        confusion_matrix([0, 2], [0, 1], 2)
