"""Data: toy sets, digits, scaling, splitting and mini-batches."""

import numpy as np
import pytest

from nncourse.data import TOY_SETS, MinMaxScaler, StandardScaler, load_digits, make_toy, minibatches, one_hot, split


@pytest.mark.parametrize("name", sorted(TOY_SETS))
def test_toy_sets_are_seeded_balanced_and_bounded(name):
    X, y = make_toy(name, n=300, noise=0.05, seed=3)
    X2, y2 = make_toy(name, n=300, noise=0.05, seed=3)
    assert X.shape == (300, 2) and y.shape == (300,)
    assert (X == X2).all() and (y == y2).all()
    assert not (make_toy(name, n=300, noise=0.05, seed=4)[0] == X).all()
    assert set(np.unique(y)) == {0, 1} and 0.2 < y.mean() < 0.8
    assert np.abs(X).max() < 2.5



def test_moons_interleave_as_two_half_circles():
    """Undo the rescaling: class 0 is the upper half of the unit circle about (0, 0), class 1
    the lower half of the unit circle about (1, 0.5), so each moon reaches into the other's hollow."""
    X, y = make_toy("moons", n=400, seed=0)
    P = X * 1.5 + [0.5, 0.25]
    upper, lower = P[y == 0], P[y == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0) and (upper[:, 1] >= 0).all()
    assert np.allclose(np.hypot(*(lower - [1.0, 0.5]).T), 1.0) and (lower[:, 1] <= 0.5).all()
    assert lower[:, 1].min() < 0 < upper[:, 1].max()  # the lower moon dips below the upper's ends
    gap = np.min(np.hypot(*(upper[:, None, :] - lower[None, :, :]).transpose(2, 0, 1)))
    assert gap > 0.1  # without noise the classes never touch

def test_digits_shipped_offline():
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,) and X.max() == 16 and set(y) == set(range(10))


def test_scalers():
    X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    np.testing.assert_allclose(MinMaxScaler().fit_transform(X), [[0, 0], [0.5, 0], [1, 0]])
    Z = StandardScaler().fit_transform(X)
    np.testing.assert_allclose(Z[:, 0], [-np.sqrt(1.5), 0, np.sqrt(1.5)])
    assert (Z[:, 1] == 0).all()  # a constant column does not divide by zero
    with pytest.raises(ValueError, match="X has 3 columns but the network expects 2"):
        StandardScaler().fit(X).transform(np.ones((2, 3)))


def test_split_is_a_seeded_partition():
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    parts = split(X, y, (0.6, 0.2, 0.2), seed=1)
    assert [len(p[1]) for p in parts] == [6, 2, 2]
    assert sorted(np.concatenate([p[1] for p in parts]).tolist()) == list(range(10))
    assert all((Xp[:, 0] == 2 * yp).all() for Xp, yp in parts)  # rows stay paired
    with pytest.raises(ValueError, match="fractions must be positive and sum to 1"):
        split(X, y, (0.5, 0.6))
    with pytest.raises(ValueError, match="too few to split"):
        split(X[:2], y[:2], (0.8, 0.1, 0.1))


def test_minibatches_cover_every_row_once():
    X, Y = np.arange(10).reshape(10, 1), np.arange(10)
    batches = list(minibatches(X, Y, 4, seed=0))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[1] for b in batches]).tolist()) == list(range(10))
    assert [b[1].tolist() for b in minibatches(X, Y, 4, shuffle=False)][0] == [0, 1, 2, 3]


def test_one_hot():
    assert one_hot(np.array([2, 0])).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match="labels go up to 3 but n_classes is 3"):
        one_hot(np.array([3]), 3)
