"""train(): the three modes, shuffling, history, early stopping, divergence, digits."""

import numpy as np
import pytest

from nncourse import DivergenceError, Network, StandardScaler, load_digits, make_toy, split, train
from nncourse.optim import SGD


def toy():
    X, y = make_toy("gauss", n=120, seed=1)
    return X, y.reshape(-1, 1).astype(float)


@pytest.mark.parametrize("batch_size, updates_per_epoch", [(None, 1), (1, 120), (32, 4)])
def test_modes_update_once_per_batch(batch_size, updates_per_epoch):
    X, Y = toy()
    net = Network([2, 4, 1], seed=0)

    class Counting(SGD):
        calls = 0

        def step(self, params, grads, decay=None):
            Counting.calls += 1
            super().step(params, grads, decay)

    history = train(net, X, Y, "bce", optimizer=Counting(lr=0.5), epochs=3, batch_size=batch_size)
    assert Counting.calls == 3 * updates_per_epoch
    assert history.epochs == 3 and len(history.accuracy) == 3


def test_full_batch_training_equals_plain_gradient_descent():
    X, Y = toy()
    net, ref = Network([2, 3, 1], seed=2), Network([2, 3, 1], seed=2)
    train(net, X, Y, "mse", lr=0.3, epochs=5, batch_size=None)
    for _ in range(5):
        dWs, dbs = ref.gradients(X, Y, "mse")
        for p, g in zip(ref.weights + ref.biases, dWs + dbs):
            p -= 0.3 * g
    for a, b in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_training_is_reproducible_and_the_seed_matters():
    X, Y = toy()
    runs = []
    for seed in (0, 0, 1):
        net = Network([2, 4, 1], seed=0)
        runs.append(train(net, X, Y, "bce", lr=0.5, epochs=2, batch_size=8, seed=seed).loss)
    assert runs[0] == runs[1] and runs[0] != runs[2]


def test_loss_falls_and_history_is_complete():
    X, Y = toy()
    (Xtr, Ytr), (Xva, Yva) = split(X, Y, (0.75, 0.25), seed=0)
    net = Network([2, 4, 1], seed=0)
    h = train(net, Xtr, Ytr, "bce", optimizer="adam", lr=0.05, epochs=30, batch_size=16, X_val=Xva, Y_val=Yva)
    assert h.loss[-1] < 0.5 * h.loss[0]
    assert len(h.val_loss) == len(h.val_accuracy) == len(h.lr) == len(h.seconds) == 30
    assert h.val_accuracy[-1] > 0.9


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 5))
    Y = rng.uniform(size=(30, 1))  # pure noise: validation loss soon rises
    Xv, Yv = rng.normal(size=(30, 5)), rng.uniform(size=(30, 1))
    net = Network([5, 32, 1], seed=0)
    h = train(net, X, Y, "mse", lr=0.5, epochs=300, batch_size=5, X_val=Xv, Y_val=Yv, patience=5)
    assert h.stopped_early and h.epochs == h.best_epoch + 6
    assert net.loss(Xv, Yv, "mse") == pytest.approx(min(h.val_loss), rel=1e-12)


def test_divergence_stops_with_a_clear_message():
    X = np.linspace(-1, 1, 20).reshape(-1, 1) * 100
    Y = 3 * X
    net = Network([1, 1], activation="linear", seed=0)
    message = r"Training diverged: the loss became (nan|inf) in epoch \d+.*lr=1"
    with pytest.raises(DivergenceError, match=message):
        train(net, X, Y, "mse", lr=1.0, epochs=50, batch_size=None)


def test_schedule_sets_the_learning_rate_each_epoch():
    X, Y = toy()
    h = train(Network([2, 1], seed=0), X, Y, "bce", epochs=3, schedule=lambda e: 0.1 / (e + 1))
    assert h.lr == pytest.approx([0.1, 0.05, 0.1 / 3])


def test_callback_can_stop_training():
    X, Y = toy()
    h = train(Network([2, 1], seed=0), X, Y, "bce", epochs=10, callback=lambda epoch, hist: epoch == 2)
    assert h.epochs == 3


def test_progress_bar_runs(capsys):
    X, Y = toy()
    train(Network([2, 1], seed=0), X, Y, "bce", epochs=2, progress=True)
    assert "2/2" in capsys.readouterr().err


def test_digits_64_32_10_reaches_95_percent():
    X, y = load_digits()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = split(X, y, (0.7, 0.15, 0.15), seed=0)
    scaler = StandardScaler().fit(Xtr)
    net = Network([64, 32, 10], activation="sigmoid", output_activation="linear", seed=0)
    train(net, scaler.transform(Xtr), ytr, "cross_entropy", lr=0.5, epochs=30, batch_size=32,
          X_val=scaler.transform(Xva), Y_val=yva, patience=5)
    assert net.accuracy(scaler.transform(Xte), yte) >= 0.95


def test_on_batch_sees_every_update_and_can_stop_mid_epoch():
    """The per-batch hook gets each update's batch loss, equal to the loss computed by hand before it."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(10, 2)), rng.uniform(size=(10, 1))
    net = Network([2, 3, 1], seed=0)
    shadow = Network([2, 3, 1], seed=0)
    order_rng = np.random.default_rng(7)
    seen = []

    def hook(update, batch_loss):
        seen.append((update, batch_loss))
        return update == 6  # stop after the seventh update: mid-way through the third epoch of 3 batches

    history = train(net, X, Y, "mse", lr=0.5, epochs=5, batch_size=4, seed=7, on_batch=hook)
    assert [u for u, _ in seen] == list(range(7))
    assert history.epochs == 3  # two whole epochs and the unfinished third
    expected = []
    for _ in range(3):
        order = order_rng.permutation(10)
        for first in range(0, 10, 4):
            if len(expected) == 7:
                break
            idx = order[first : first + 4]
            expected.append(shadow.loss(X[idx], Y[idx], "mse"))
            dWs, dbs = shadow.gradients(X[idx], Y[idx], "mse")
            for p, g in zip(shadow.weights + shadow.biases, dWs + dbs):
                p -= 0.5 * g
    assert [loss for _, loss in seen] == pytest.approx(expected, rel=1e-12)
    for a, b in zip(net.weights, shadow.weights):
        np.testing.assert_allclose(a, b, rtol=1e-12)
