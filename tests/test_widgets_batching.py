"""Headless tests of nncourse.widgets.batching (notebook 09, batch, stochastic and mini-batch training)."""

import math

import numpy as np
import pytest
from widget_helpers import check_readout_follows

from nncourse.widgets import batching as bt


@pytest.mark.parametrize("n,b", [(300, 1), (300, 32), (300, 300), (300, 299), (7, 3), (1, 1), (10, 64)])
def test_updates_per_epoch_is_the_number_of_batches_train_makes(n, b):
    assert bt.updates_per_epoch(n, b) == math.ceil(n / b)
    from nncourse.data import minibatches

    X = np.zeros((n, 1))
    assert bt.updates_per_epoch(n, b) == sum(1 for _ in minibatches(X, X, b))
    assert bt.updates_per_epoch(n, None) == 1


def test_updates_per_epoch_bad_input():
    for bad in (0, -3, 2.5):
        with pytest.raises(ValueError):
            bt.updates_per_epoch(10, bad)


def test_batch_readout_and_widget():
    assert "ceil(300 / 32) = <b>10</b>" in bt.batch_readout(32)
    assert "9 batches of 32 and one of 12" in bt.batch_readout(32)
    assert "(stochastic)" in bt.batch_readout(1) and "<b>6000</b> updates" in bt.batch_readout(1)
    assert "(full batch)" in bt.batch_readout(300) and "one of" not in bt.batch_readout(300)
    with pytest.raises(ValueError):
        bt.batch_readout(301)
    w = bt.batch_size_widget()
    check_readout_follows(w, bt.batch_readout, 100)
    assert repr(w.box).startswith("BatchSizeWidget")


def test_loss_curve_matches_train_and_is_cached():
    from nncourse import train

    X, Y = bt.toy_data()
    assert X.shape == (300, 2) and Y.shape == (300, 1) and set(np.unique(Y)) == {0.0, 1.0}
    history = train(bt.toy_network(), X, Y, loss=bt.LOSS, lr=bt.LR, epochs=bt.WIDGET_EPOCHS, batch_size=100, seed=0)
    assert bt.loss_curve(100) == tuple(history.loss)
    assert bt.loss_curve(100) is bt.loss_curve(100)
    assert bt.loss_curve(None) is bt.loss_curve(300) is bt.loss_curve(500)


def test_longer_runs_fill_the_cache_with_their_first_epochs():
    # A 60-epoch run starts exactly like a 20-epoch one, so its first 20 losses may serve the widget.
    from nncourse import train

    X, Y = bt.toy_data()
    bt._CURVES.pop(64, None)
    _, long_run = bt.train_toy(64, 3 * bt.WIDGET_EPOCHS)
    short = train(bt.toy_network(), X, Y, loss=bt.LOSS, lr=bt.LR, epochs=bt.WIDGET_EPOCHS, batch_size=64, seed=0)
    assert long_run.epochs == 3 * bt.WIDGET_EPOCHS
    assert bt._CURVES[64] == tuple(short.loss)
    assert bt.loss_curve(64) == tuple(short.loss)


def test_loss_per_update_follows_train():
    # Same shuffles and the same SGD steps as train(): after one epoch of batch size 50,
    # the weights must be identical.
    from nncourse import train

    X, Y = bt.toy_data()
    a, b = bt.toy_network(), bt.toy_network()
    batch_losses, train_losses = bt.loss_per_update(a, X, Y, 50, n_updates=6)
    history = train(b, X, Y, loss=bt.LOSS, lr=bt.LR, epochs=1, batch_size=50, seed=0)
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_array_equal(p, q)
    assert batch_losses.shape == train_losses.shape == (6,)
    assert np.mean(batch_losses) == pytest.approx(history.loss[0], rel=1e-12)
    assert train_losses[-1] == pytest.approx(b.loss(X, Y, bt.LOSS), rel=1e-12)


def test_toy_network_outputs_logits_and_its_loss_is_bce_of_the_sigmoid():
    # The output layer is linear; the loss on its logits z must equal BCE on σ(z), computed here by hand.
    X, Y = bt.toy_data()
    net = bt.toy_network()
    assert net.output_activation.name == "linear" and bt.LOSS == "bce_logits"
    z = net.forward(X)
    p = 1.0 / (1.0 + np.exp(-z))
    by_hand = -np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p))
    assert net.loss(X, Y, bt.LOSS) == pytest.approx(by_hand, rel=1e-12)
    with pytest.raises(ValueError, match="needs outputs in"):
        bt.loss_per_update(net, X, Y, 32, n_updates=1, loss="bce")  # BCE needs probabilities, not logits
