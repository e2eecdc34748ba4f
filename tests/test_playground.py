"""The playground of notebook 13, driven from Python as a learner would drive it in the browser:
set the controls, click the buttons, tick the Play widget, read the status and the picture."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import Adam, Network, make_toy, split
from nncourse.widgets.playground import (
    TICK_BACKLOG_SECONDS,
    Playground,
    nice_ceiling,
    parameter_counter,
    parameter_readout,
)
from nncourse.widgets.playground_model import (
    LIMIT,
    PlaygroundModel,
    Settings,
    n_parameters,
    network_sizes,
)


class FakeClock:
    """A clock that only moves when the test moves it: ``clock()`` reads it, ``advance(s)`` moves it on."""

    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def epochs_take(model: PlaygroundModel, clock: FakeClock, seconds: float) -> None:
    """From now on every epoch ``model`` trains moves ``clock`` on by ``seconds``."""
    step = model.step

    def timed_step(epochs: int = 1) -> int:
        done = step(epochs)
        clock.advance(seconds * done)
        return done

    model.step = timed_step


@pytest.fixture
def panel():
    return Playground(clock=FakeClock())


def tick(panel: Playground) -> None:
    """What the browser does on each beat of the Play widget: wait one interval, raise the value by one."""
    panel.clock.advance(panel.play.interval / 1000)
    panel.play.value += 1


def test_panel_starts_at_epoch_zero_with_a_picture(panel):
    assert panel.model.epoch == 0
    assert "Epoch 0" in panel.status.value and "paused" in panel.status.value
    assert panel.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert panel.controls["dataset"].value == "circle"
    assert panel.model.sizes == [2, 4, 4, 1]
    assert "2-4-4-1, 37 weights and biases" in panel.status.value


def test_step_button_advances_the_epoch(panel):
    before = panel.image.value
    for _ in range(3):
        panel.step_button.click()
    assert panel.model.epoch == 3
    assert len(panel.model.train_losses) == len(panel.model.test_losses) == 4
    assert "Epoch 3" in panel.status.value
    assert panel.image.value != before


def test_losses_drop_on_the_easy_gauss_set(panel):
    panel.controls["dataset"].value = "gauss"
    first_train, first_test = panel.model.train_loss, panel.model.test_loss
    assert first_train > 0.6 and first_test > 0.6  # about log 2: a guess
    for _ in range(20):
        panel.step_button.click()
    assert panel.model.epoch == 20
    assert panel.model.train_loss < first_train / 5
    assert panel.model.test_loss < first_test / 5
    assert panel.model.accuracy("test") > 0.95
    assert f"{panel.model.test_loss:.4f}" in panel.status.value


def test_reset_restores_epoch_zero_and_the_same_initial_weights(panel):
    initial = [w.copy() for w in panel.model.net.weights]
    first_losses = (panel.model.train_loss, panel.model.test_loss)
    for _ in range(5):
        panel.step_button.click()
    run = list(panel.model.test_losses)
    assert not np.allclose(panel.model.net.weights[0], initial[0])
    panel.reset_button.click()
    assert panel.model.epoch == 0 and "Epoch 0" in panel.status.value
    for w, w0 in zip(panel.model.net.weights, initial):
        np.testing.assert_array_equal(w, w0)
    # the same weights an independent Network with the same seed draws
    fresh = Network([2, 4, 4, 1], activation="tanh", output_activation="linear", seed=0)
    for w, w0 in zip(panel.model.net.weights, fresh.weights):
        np.testing.assert_array_equal(w, w0)
    assert (panel.model.train_loss, panel.model.test_loss) == first_losses
    for _ in range(5):
        panel.step_button.click()
    assert panel.model.test_losses == run  # seeded: the same run again


def test_same_settings_give_the_same_run_in_two_panels():
    a, b = Playground(dataset="xor", seed=3), Playground(dataset="xor", seed=3)
    for _ in range(4):
        a.step_button.click()
        b.step_button.click()
    assert a.model.train_losses == b.model.train_losses
    assert a.image.value == b.image.value
    c = Playground(dataset="xor", seed=4)
    assert not np.array_equal(c.model.X_train, a.model.X_train)


def test_changing_the_data_set_changes_the_data(panel):
    panel.step_button.click()
    X_before, y_before = panel.model.X_train.copy(), panel.model.y_train.copy()
    panel.controls["dataset"].value = "xor"
    assert panel.model.epoch == 0
    # circle and xor draw the same uniform points from the same seed; the labels differ
    assert not np.array_equal(panel.model.y_train, y_before)
    X, y = make_toy("xor", n=400, noise=0.0, seed=0)
    (X_train, y_train), (X_test, y_test) = split(X, y, (0.5, 0.5), seed=0)
    np.testing.assert_array_equal(panel.model.X_train, X_train)
    np.testing.assert_array_equal(panel.model.y_test, y_test)
    # xor labels: 1 where the signs of x1 and x2 differ
    np.testing.assert_array_equal(panel.model.y_train, (X_train[:, 0] * X_train[:, 1] < 0).astype(int))
    panel.controls["noise"].value = 0.2
    assert not np.array_equal(panel.model.X_train, X_train)
    assert panel.model.settings.noise == 0.2
    panel.controls["dataset"].value = "spiral"
    assert not np.array_equal(panel.model.X_train, X_before)
    assert np.hypot(*panel.model.X_train.T).max() < 1 + 5 * 0.2  # spiral radius <= 1, plus the noise


def test_architecture_controls_reset_and_rebuild_the_network(panel):
    panel.step_button.click()
    panel.controls["hidden_layers"].value = 3
    panel.controls["neurons"].value = 6
    assert panel.model.sizes == [2, 6, 6, 6, 1] and panel.model.epoch == 0
    assert "2-6-6-6-1, 109 weights and biases" in panel.status.value
    panel.controls["activation"].value = "relu"
    assert panel.model.net.activation.name == "relu" and panel.model.net.output_activation.name == "linear"
    panel.step_button.click()
    panel.controls["loss"].value = "mse"
    assert panel.model.epoch == 0 and panel.model.net.output_activation.name == "sigmoid"  # mse on σ(z)
    expected = float(np.mean((panel.model.net.forward(panel.model.X_train) - panel.model.Y_train) ** 2))
    assert panel.model.train_loss == pytest.approx(expected, rel=1e-12)


def test_optimizer_learning_rate_and_batch_size_apply_on_the_fly(panel):
    for _ in range(2):
        panel.step_button.click()
    weights = [w.copy() for w in panel.model.net.weights]
    panel.controls["lr"].value = 0.03
    panel.controls["optimizer"].value = "adam"
    panel.controls["batch_size"].value = 25
    assert panel.model.epoch == 2
    assert isinstance(panel.model.optimizer, Adam) and panel.model.optimizer.lr == 0.03
    for w, w0 in zip(panel.model.net.weights, weights):
        np.testing.assert_array_equal(w, w0)
    panel.step_button.click()
    assert panel.model.epoch == 3
    assert panel.model.optimizer.t == 200 // 25  # one Adam step per mini-batch of the 200 training points


def test_play_and_pause(panel):
    tick(panel)
    assert panel.model.epoch == 0  # not playing: a stray tick does nothing
    panel.play.playing = True
    assert panel.running and panel.step_button.disabled and "running" in panel.status.value
    tick(panel)
    # the clock stands still while training, so the time budget never runs out: a full chunk
    assert panel.model.epoch == panel.epochs_per_tick == 5
    tick(panel)
    assert panel.model.epoch == 2 * panel.epochs_per_tick
    panel.play.playing = False
    assert not panel.running and not panel.step_button.disabled and "paused" in panel.status.value
    epoch = panel.model.epoch
    tick(panel)
    assert panel.model.epoch == epoch


def test_ticks_that_queued_up_are_skipped(panel):
    panel.play.playing = True
    tick(panel)
    epoch = panel.model.epoch
    panel.play.value += 1  # arrives straight after the last update ended: a backlog
    assert panel.model.epoch == epoch
    panel.clock.advance(TICK_BACKLOG_SECONDS / 2)
    panel.play.value += 1  # still within the backlog window
    assert panel.model.epoch == epoch
    panel.clock.advance(TICK_BACKLOG_SECONDS)
    panel.play.value += 1  # far enough after the last update: a real beat
    assert panel.model.epoch == epoch + panel.epochs_per_tick


def test_divergence_stops_play_and_says_so(panel):
    panel.play.playing = True
    panel.model.net.weights[0][:] = np.nan
    tick(panel)
    assert panel.model.diverged and not panel.running
    assert "diverged" in panel.status.value
    assert panel.model.step(3) == 0
    assert np.all(panel.model.boundary() == 0.5)
    panel.reset_button.click()
    assert not panel.model.diverged and panel.model.epoch == 0


def test_step_and_play_train_and_record_their_update_times():
    """Step and Play train at the heaviest settings and record what each update cost on the panel's clock.

    Here every epoch takes 30 ms of (fake) time and drawing none, so a beat with a 50 ms budget
    trains 2 epochs (30 ms < 50 ms, 60 ms >= 50 ms). How long an update really takes is
    measured by benchmarks/playground_speed.py, not here."""
    clock = FakeClock()
    panel = Playground(dataset="spiral", hidden_layers=6, neurons=8, batch_size=1, chunk_seconds=0.05,
                       clock=clock)
    epochs_take(panel.model, clock, 0.03)
    panel.step_button.click()
    assert panel.model.epoch == 1
    panel.play.playing = True
    for _ in range(5):
        tick(panel)
    assert panel.model.epoch == 1 + 5 * 2
    assert panel.update_seconds[-6:] == pytest.approx([0.03] + [0.06] * 5, abs=1e-9)


def test_a_blitted_frame_equals_a_full_redraw(panel):
    for _ in range(12):
        panel.step_button.click()
    assert panel.figure.full_draws == 2  # at the start, and when the epoch axis grew from 10 to 20
    blit = np.asarray(panel.figure.fig.canvas.buffer_rgba()).copy()
    panel.figure._background = None
    panel.figure.png()
    np.testing.assert_array_equal(blit, np.asarray(panel.figure.fig.canvas.buffer_rgba()))
    assert panel.figure.ax_loss.get_xlim() == (0, 20)


def test_nice_ceiling():
    assert [nice_ceiling(x, 10) for x in (0, 10, 11, 37, 100, 101, 499, 501)] == [10, 10, 20, 50, 100, 200, 500, 1000]
    assert nice_ceiling(0.76, 0.1) == 1 and nice_ceiling(11.8, 0.1) == 20 and nice_ceiling(0.3, 0.1) == 0.5


def test_boundary_is_the_network_output_over_the_grid():
    model = PlaygroundModel(dataset="gauss")
    model.step(10)
    b = model.boundary(50)
    assert b.shape == (50, 50)
    assert b.min() >= 0 and b.max() <= 1 and b.min() < 0.5 < b.max()
    axis = np.linspace(-LIMIT, LIMIT, 50)
    i, j = 7, 41  # row i is x2 = axis[i], column j is x1 = axis[j] (imshow origin="lower")
    z = model.net.forward(np.array([[axis[j], axis[i]]]))[0, 0]  # the logit: the output neuron is linear
    assert b[i, j] == pytest.approx(1 / (1 + np.exp(-z)), rel=1e-12)
    # gauss: class 1 sits around (0.5, 0.5), class 0 around (-0.5, -0.5)
    assert b[-1, -1] > 0.9 and b[0, 0] < 0.1


def test_model_run_is_bounded_by_epochs_and_time():
    model, clock = PlaygroundModel(), FakeClock()
    epochs_take(model, clock, 1.0)  # every epoch takes one second on the fake clock
    assert model.run(seconds=10.0, max_epochs=4, clock=clock) == 4  # 4 s < 10 s: the epoch cap stops it
    assert model.run(seconds=2.5, max_epochs=100, clock=clock) == 3  # stops at the first reading >= 2.5 s
    assert model.run(seconds=0.0, max_epochs=100, clock=clock) == 1  # a spent budget still runs one epoch, no more
    assert model.epoch == 4 + 3 + 1 and clock.now == 100.0 + 8


def test_settings_are_checked():
    with pytest.raises(ValueError, match="dataset"):
        PlaygroundModel(dataset="moon")
    with pytest.raises(ValueError, match="unknown setting"):
        PlaygroundModel().update(colour="red")
    with pytest.raises(ValueError, match="hidden_layers"):
        PlaygroundModel(hidden_layers=-1)


def test_no_hidden_layer_is_logistic_regression():
    model = PlaygroundModel(Settings(hidden_layers=0))
    assert model.sizes == [2, 1] and n_parameters(model.sizes) == 3


@pytest.mark.parametrize("neurons", [1, 4, 8])
def test_parameter_readout_counts_weights_and_biases(neurons):
    net = Network(network_sizes(2, neurons))
    counted = sum(w.size for w in net.weights) + sum(b.size for b in net.biases)
    assert n_parameters(net.sizes) == counted == neurons**2 + 5 * neurons + 1
    assert parameter_readout(neurons) == (
        f"2-{neurons}-{neurons}-1 network: <b>{counted}</b> weights and biases"
    )


def test_parameter_counter_readout_follows_the_slider():
    box = parameter_counter()
    slider, readout = box.children
    assert slider.description == "Hidden width" and "nncourse-readout" in readout._dom_classes
    assert readout.value == parameter_readout(slider.value)
    slider.value = 7
    assert readout.value == parameter_readout(7) and "<b>85</b>" in readout.value


def test_default_loss_is_bce_on_logits_and_reads_binary_cross_entropy(panel):
    assert panel.model.settings.loss == "bce_logits"
    assert panel.controls["loss"].label == "binary cross-entropy"
    m = panel.model
    z, y = m.net.forward(m.X_train), m.Y_train
    p = 1 / (1 + np.exp(-z))
    expected = float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))  # BCE written out on σ(z)
    assert m.train_loss == pytest.approx(expected, rel=1e-12)


def test_saturated_output_keeps_its_full_gradient():
    """With the output pushed far into saturation the bias gradient is still mean(σ(z) − y), not ~0."""
    m = PlaygroundModel()
    m.net.biases[-1][...] = -40.0  # σ(z) < 1e-16 on every point: the network says "orange" everywhere
    _, dbs = m.net.gradients(m.X_train, m.Y_train, m.settings.loss)
    assert np.all(m.probabilities(m.X_train) < 1e-15)
    assert dbs[-1][0] == pytest.approx(-m.y_train.mean(), rel=1e-9)  # mean(0 − y) = −(share of blue)
    assert dbs[-1][0] < -0.2


def test_validation_points_are_separate_and_recorded_every_epoch():
    m = PlaygroundModel(dataset="xor", val_points=100)
    assert (len(m.X_train), len(m.X_test), len(m.X_val)) == (200, 200, 100)
    X, y = make_toy("xor", n=500, noise=0.0, seed=0)
    together = np.vstack([m.X_train, m.X_test, m.X_val])
    assert sorted(map(tuple, together)) == sorted(map(tuple, X))  # a split of the 500 points: no point used twice
    m.step(3)
    assert len(m.val_losses) == len(m.train_losses) == 4
    z = m.net.forward(m.X_val)[:, 0]
    p = 1 / (1 + np.exp(-z))
    yv = m.y_val
    assert m.val_losses[-1] == pytest.approx(float(np.mean(-(yv * np.log(p) + (1 - yv) * np.log(1 - p)))), rel=1e-10)
    assert m.accuracy("val") == pytest.approx(float(np.mean((z > 0) == (yv == 1))))
    plain = PlaygroundModel(dataset="xor")
    assert plain.val_losses == [] and len(plain.X_val) == 0
    with pytest.raises(ValueError, match="val_points"):
        plain.accuracy("val")
