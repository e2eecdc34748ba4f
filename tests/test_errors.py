"""Bad input gets a clear error naming the argument, what was expected and what was given."""

import numpy as np
import pytest

from nncourse import Network, train
from nncourse.data import make_toy, minibatches, split


@pytest.fixture
def net():
    return Network([3, 4, 2], seed=0)


def good(n=5):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 3)), rng.uniform(size=(n, 2))


def test_wrong_input_width(net):
    with pytest.raises(ValueError, match=r"X has 4 columns but the network expects 3: expected shape \(batch, 3\), "
                                         r"got \(5, 4\)"):
        net.forward(np.ones((5, 4)))


def test_one_dimensional_input_gets_a_reshape_hint(net):
    with pytest.raises(ValueError, match=r"X must be 2-D with shape \(batch, n_features\); got 1-D with shape "
                                         r"\(3,\)\. For one example use X.reshape\(1, -1\)"):
        net.forward(np.ones(3))


def test_targets_that_do_not_match_the_output(net):
    X, _ = good()
    with pytest.raises(ValueError, match=r"Y has 3 columns but the network has 2 outputs"):
        net.gradients(X, np.ones((5, 3)), "mse")
    with pytest.raises(ValueError, match=r"X and Y must have the same number of rows \(one per example\); got 5 and 4"):
        net.gradients(X, np.ones((4, 2)), "mse")
    single = Network([3, 1])
    with pytest.raises(ValueError, match=r"Y must be 2-D with shape \(batch, 1\).*Use Y.reshape\(-1, 1\)"):
        single.gradients(X, np.ones(5), "mse")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_X(net, bad):
    X, Y = good()
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"X contains NaN or inf \(first at index \(2, 1\)"):
        train(net, X, Y, "mse")


def test_unknown_names(net):
    X, Y = good()
    with pytest.raises(ValueError, match="Unknown loss 'mean_squared'. Choose one of: .*mse"):
        net.gradients(X, Y, "mean_squared")
    with pytest.raises(ValueError, match="Unknown activation 'sigmoidd'"):
        Network([2, 2], activation="sigmoidd")
    with pytest.raises(ValueError, match="Unknown init 'glorot'. Choose one of: auto, he, xavier"):
        Network([2, 2], init="glorot")


@pytest.mark.parametrize("lr", [0, -0.5])
def test_learning_rate_must_be_positive(net, lr):
    with pytest.raises(ValueError, match=f"lr must be a finite number > 0; got {lr}"):
        train(net, *good(), "mse", lr=lr)


@pytest.mark.parametrize("batch_size", [0, -3, 2.5])
def test_batch_size_must_be_at_least_one(net, batch_size):
    with pytest.raises(ValueError, match=f"batch_size must be an integer >= 1; got {batch_size}"):
        train(net, *good(), "mse", batch_size=batch_size)
    with pytest.raises(ValueError, match="batch_size must be an integer >= 1"):
        list(minibatches(*good(), batch_size))


def test_empty_data_set(net):
    with pytest.raises(ValueError, match=r"X is empty: expected at least one row, got shape \(0, 3\)"):
        train(net, np.zeros((0, 3)), np.zeros((0, 2)), "mse")
    with pytest.raises(ValueError, match="X is empty"):
        split(np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match="X is empty"):
        list(minibatches(np.zeros((0, 2)), np.zeros(0), 4))


def test_loss_and_output_activation_must_fit(net):
    X, Y = good()
    with pytest.raises(ValueError, match="cross_entropy loss takes logits.*Use output_activation='linear'"):
        net.gradients(X, np.array([0, 1, 0, 1, 1]), "cross_entropy")
    linear = Network([3, 2], activation="linear")
    with pytest.raises(ValueError, match="bce loss needs outputs in \\[0, 1\\].*output_activation='sigmoid'"):
        linear.gradients(X, Y, "bce")
    with pytest.raises(ValueError, match="Y must lie in \\[0, 1\\] for the bce loss"):
        net.gradients(X, Y * 3, "bce")


def test_bad_labels_for_cross_entropy():
    net = Network([3, 2], output_activation="linear")
    with pytest.raises(ValueError, match=r"Y given as labels must be integers in 0..1"):
        net.gradients(good()[0], np.array([0, 1, 2, 0, 1]), "cross_entropy")


def test_weights_set_with_the_wrong_layout(net):
    net.weights[0] = net.weights[0].T
    with pytest.raises(ValueError, match=r"weights\[0\] must have shape \(4, 3\); got \(3, 4\). W is stored as "
                                         r"\(n_out, n_in\), as in torch.nn.Linear: pass W.T"):
        net.forward(good()[0])


def test_bad_network_sizes_and_training_options(net):
    with pytest.raises(ValueError, match="sizes must list at least two layer widths"):
        Network([3])
    with pytest.raises(ValueError, match="patience \\(early stopping\\) needs validation data"):
        train(net, *good(), "mse", patience=3)
    with pytest.raises(ValueError, match="Give both X_val and Y_val"):
        train(net, *good(), "mse", X_val=good()[0])
    with pytest.raises(ValueError, match="Unknown data set 'moon'"):
        make_toy("moon")
    with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
        make_toy("xor", noise=-1)


def test_errors_come_from_nncourse_not_from_deep_inside_numpy(net):
    """The traceback's last frame is in nncourse's checks, not in numpy."""
    try:
        net.forward(np.ones((2, 7)))
    except ValueError as err:
        assert "nncourse" in err.__traceback__.tb_next.tb_frame.f_code.co_filename
        frames = []
        tb = err.__traceback__
        while tb:
            frames.append(tb.tb_frame.f_code.co_filename)
            tb = tb.tb_next
        assert "numpy" not in frames[-1]


def test_parameters_are_checked_not_converted():
    """A list or an integer array is refused with the fix; the check leaves it exactly as it was."""
    net = Network([2, 2], seed=0)
    as_list = [[1.0, 0.0], [0.0, 1.0]]
    net.weights[0] = as_list
    with pytest.raises(TypeError, match=r"weights\[0\] must be a numpy array of float64.*got list.*dtype=float"):
        net.forward(np.ones((1, 2)))
    assert net.weights[0] is as_list
    net.weights[0] = np.eye(2, dtype=int)
    with pytest.raises(TypeError, match="got an array of int"):
        net.gradients(np.ones((1, 2)), np.ones((1, 2)), "mse")
    assert net.weights[0].dtype == int
