"""Notebook 13: a playground in the spirit of TensorFlow Playground, on nncourse.

- :class:`Playground` -- the panel: controls on the left; on the right the
  decision boundary (the network's probability of class 1 over the plane, with the train
  and test points) and the train and test loss curves, redrawn as it trains;
- :class:`PlaygroundFigure` -- that two-panel picture, redrawn by updating
  the existing image and lines (no new figure per frame); :func:`plot_boundary`
  draws the left panel on any matplotlib axes;
- :func:`parameter_readout` and :func:`parameter_counter` -- a small slider
  widget counting the weights and biases of a 2-n-n-1 network.

The training state lives in :class:`~nncourse.widgets.playground_model.PlaygroundModel`
(no widgets), so tests and the notebook's experiments drive the same code.

Responsiveness: a :class:`ipywidgets.Play` widget ticks in the browser every
``interval_ms``; each tick trains whole epochs for at most ``chunk_seconds``
and redraws once (about 40 ms for the picture), so no update holds the
kernel much longer than a tenth of a second and clicks are answered between ticks.
The panel reads time from its ``clock`` (``time.perf_counter`` unless given), so
tests can drive the time budget and the skipping of queued ticks by hand.
"""

from __future__ import annotations

import io
import math
import time
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from PIL import Image

from .panel import FULL_LABEL, play
from .playground_model import (
    ACTIVATIONS,
    DATASETS,
    LEARNING_RATES,
    LIMIT,
    LIVE_FIELDS,
    LOSSES,
    OPTIMIZERS,
    RESET_FIELDS,
    PlaygroundModel,
    Settings,
    n_parameters,
    network_sizes,
)

ORANGE, BLUE = "#f59322", "#0877bd"  # class 0, class 1 (TensorFlow Playground's colours)
CMAP = LinearSegmentedColormap.from_list("playground", [ORANGE, "#f7f7f7", BLUE])
LOSS_NAMES = {"bce_logits": "binary cross-entropy", "mse": "mean squared error"}
TICK_BACKLOG_SECONDS = 0.02  # a tick this soon after the last update ended had queued up: skipped


def parameter_readout(neurons: int) -> str:
    """HTML readout: the layer widths of a 2-n-n-1 network and its number of weights and biases.

    For n neurons per hidden layer: (2n + n) + (n·n + n) + (n + 1) = n² + 5n + 1 parameters.
    """
    sizes = network_sizes(2, neurons)
    return f"{'-'.join(map(str, sizes))} network: <b>{n_parameters(sizes)}</b> weights and biases"


def parameter_counter(neurons: int = 4) -> widgets.VBox:
    """An IntSlider "Hidden width" (neurons in each of 2 hidden layers) and its :func:`parameter_readout`."""
    slider = widgets.IntSlider(value=neurons, min=1, max=8, step=1, description="Hidden width",
                               style=FULL_LABEL)
    readout = widgets.HTML(parameter_readout(neurons)).add_class("nncourse-readout")
    slider.observe(lambda change: setattr(readout, "value", parameter_readout(change["new"])), names="value")
    return widgets.VBox([slider, readout])


def plot_boundary(ax, model: PlaygroundModel, resolution: int = 50):
    """Draw the probability of class 1, σ(z), over the plane (orange 0 ... blue 1) and the points on ``ax``.

    Training points have a white rim, test points a black one. Returns the artists
    ``(image, train_points, test_points)``.
    """
    image = ax.imshow(model.boundary(resolution), extent=(-LIMIT, LIMIT, -LIMIT, LIMIT), origin="lower",
                      cmap=CMAP, vmin=0, vmax=1, interpolation="bilinear")
    train_points = ax.scatter([], [], s=14, edgecolors="white", linewidths=0.6, label="train")
    test_points = ax.scatter([], [], s=14, edgecolors="black", linewidths=0.6, label="test")
    _set_points(train_points, model.X_train, model.y_train)
    _set_points(test_points, model.X_test, model.y_test)
    ax.set(xlim=(-LIMIT, LIMIT), ylim=(-LIMIT, LIMIT), xlabel="x1", ylabel="x2")
    return image, train_points, test_points


def _set_points(points, X: np.ndarray, y: np.ndarray) -> None:
    points.set_offsets(X)
    points.set_facecolor([BLUE if label == 1 else ORANGE for label in y])


class PlaygroundFigure:
    """Decision boundary (left) and loss curves (right) of a model, as a PNG that is cheap to redraw.

    Drawing the axes, ticks and labels is most of the cost of a matplotlib frame, and they rarely
    change: the loss axes grow in steps of 1, 2, 5 × 10^k. So :meth:`png` keeps a picture of
    everything but the boundary, the points and the loss lines, and redraws only those on top of
    it (blitting), unless a limit or the title changed.
    """

    def __init__(self, model: PlaygroundModel, resolution: int = 50, figsize=(7.6, 3.3), dpi: int = 80):
        self.resolution = resolution
        self.fig = Figure(figsize=figsize, dpi=dpi)
        FigureCanvasAgg(self.fig)
        self.ax_boundary, self.ax_loss = self.fig.subplots(1, 2)
        self.image, self.train_points, self.test_points = plot_boundary(self.ax_boundary, model, resolution)
        self.ax_boundary.set_title("probability of blue, σ(z)", fontsize=10)
        self.train_line, = self.ax_loss.plot([], [], color="#555555", label="train")
        self.test_line, = self.ax_loss.plot([], [], color="black", linestyle="--", label="test")
        self.ax_loss.set(xlabel="epoch", ylabel="loss")
        self.ax_loss.legend(loc="upper right", fontsize=8)
        self.fig.tight_layout()
        self.dynamic = (self.image, self.train_points, self.test_points, self.train_line, self.test_line)
        self._background = None
        self.full_draws = 0  # how often the whole figure was drawn (the rest were blits)
        self.update(model, data=True)

    def update(self, model: PlaygroundModel, data: bool = False) -> None:
        """Redraw from ``model``; ``data=True`` also moves the points (after a reset)."""
        if data:
            _set_points(self.train_points, model.X_train, model.y_train)
            _set_points(self.test_points, model.X_test, model.y_test)
            self._background = None
        self.image.set_data(model.boundary(self.resolution))
        epochs = np.arange(len(model.train_losses))
        self.train_line.set_data(epochs, model.train_losses)
        self.test_line.set_data(epochs, model.test_losses)
        finite = [v for v in model.train_losses + model.test_losses if np.isfinite(v)]
        limits = ((0, nice_ceiling(model.epoch, 10)), (0, nice_ceiling(1.1 * max(finite, default=1.0), 0.1)))
        title = LOSS_NAMES[model.settings.loss]
        if (self.ax_loss.get_xlim(), self.ax_loss.get_ylim(), self.ax_loss.get_title()) != (*limits, title):
            self.ax_loss.set(xlim=limits[0], ylim=limits[1])
            self.ax_loss.set_title(title, fontsize=10)
            self._background = None

    def png(self) -> bytes:
        """The figure as PNG bytes: blit the changing artists, encode with little compression (fast)."""
        canvas = self.fig.canvas
        if self._background is None:
            for artist in self.dynamic:
                artist.set_animated(True)  # canvas.draw() leaves animated artists out
            canvas.draw()
            self._background = canvas.copy_from_bbox(self.fig.bbox)
            for artist in self.dynamic:
                artist.set_animated(False)  # so that savefig and inline display show them
            self.full_draws += 1
        else:
            canvas.restore_region(self._background)
        for artist in self.dynamic:
            artist.axes.draw_artist(artist)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def nice_ceiling(x: float, minimum: float) -> float:
    """The smallest number 1, 2 or 5 × 10^k that is >= max(x, minimum): 37 -> 50, 0.76 -> 1."""
    x = max(float(x), minimum)
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= x * (1 - 1e-12))


class Playground(widgets.HBox):
    """The playground panel. ``Playground(dataset="xor", neurons=6)`` starts from those settings.

    Changing the data, noise, layers, neurons, activation or loss starts a new
    run (epoch 0); the optimizer, learning rate and batch size apply on the fly.
    ``step()``, ``reset()`` and ``tick()`` are what the buttons and the Play widget call.
    ``clock`` returns the time in seconds (default ``time.perf_counter``); a test passes its own.
    """

    def __init__(self, settings: Settings | None = None, resolution: int = 50, chunk_seconds: float = 0.05,
                 epochs_per_tick: int = 5, interval_ms: int = 200,
                 clock: Callable[[], float] = time.perf_counter, **changes):
        self.model = PlaygroundModel(settings, **changes)
        self.clock = clock
        self.chunk_seconds, self.epochs_per_tick = chunk_seconds, epochs_per_tick
        self.update_seconds: list[float] = []  # wall time of every redraw-producing update
        self._last_tick_end = -math.inf  # on self.clock; the first tick is never a backlog
        s = self.model.settings
        wide = {"description_width": "100px"}
        self.controls = {
            "dataset": widgets.Dropdown(options=DATASETS, value=s.dataset, description="Data"),
            "noise": widgets.FloatSlider(value=s.noise, min=0, max=0.5, step=0.05, readout_format=".2f",
                                         description="Noise"),
            "hidden_layers": widgets.IntSlider(value=s.hidden_layers, min=0, max=6, description="Hidden layers"),
            "neurons": widgets.IntSlider(value=s.neurons, min=1, max=8, description="Neurons"),
            "activation": widgets.Dropdown(options=ACTIVATIONS, value=s.activation, description="Activation"),
            "loss": widgets.Dropdown(options=[(LOSS_NAMES[k], k) for k in LOSSES], value=s.loss,
                                     description="Loss"),
            "optimizer": widgets.Dropdown(options=OPTIMIZERS, value=s.optimizer, description="Optimizer"),
            "lr": widgets.Dropdown(options=[(f"{v:g}", v) for v in LEARNING_RATES], value=s.lr,
                                   description="Learning rate"),
            "batch_size": widgets.IntSlider(value=s.batch_size, min=1, max=100, description="Batch size"),
        }
        for name, control in self.controls.items():
            control.style = wide
            control.observe(lambda change, name=name: self.set(**{name: change["new"]}), names="value")
        self.play = play(value=0, min=0, max=2**31 - 1, interval=interval_ms, show_repeat=False,
                       description="Run")
        self.play.observe(self._on_tick, names="value")
        self.play.observe(self._on_playing, names="playing")
        self.step_button = widgets.Button(description="Step", tooltip="train one epoch", icon="step-forward")
        self.reset_button = widgets.Button(description="Reset", tooltip="back to epoch 0", icon="refresh")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.status = widgets.HTML()
        self.figure = PlaygroundFigure(self.model, resolution)
        self.image = widgets.Image(format="png")
        buttons = widgets.HBox([self.play, self.step_button, self.reset_button])
        left = widgets.VBox([buttons, *self.controls.values()], layout=widgets.Layout(width="330px"))
        super().__init__([left, widgets.VBox([self.status, self.image])])
        self.redraw(data=True)

    def __repr__(self) -> str:
        return f"Playground({self.model!r})"

    @property
    def running(self) -> bool:
        return bool(self.play.playing)

    # -- actions (buttons, ticks, controls) ------------------------------

    def set(self, **changes) -> None:
        """Apply control values to the model; redraw everything after a reset."""
        self.redraw(data=self.model.update(**changes))

    def step(self) -> None:
        """One epoch, then redraw (the Step button)."""
        start = self.clock()
        self.model.step(1)
        self.redraw(started=start)

    def reset(self) -> None:
        """Pause and start the same settings again from epoch 0 (the Reset button)."""
        self.play.playing = False
        self.model.reset()
        self.redraw(data=True)

    def tick(self) -> None:
        """Train up to ``epochs_per_tick`` epochs (stopping after ``chunk_seconds``), then redraw once."""
        start = self.clock()
        self.model.run(seconds=self.chunk_seconds, max_epochs=self.epochs_per_tick, clock=self.clock)
        if self.model.diverged:
            self.play.playing = False
        self.redraw(started=start)

    def _on_tick(self, change) -> None:
        # The browser ticks on its own clock. Ticks that queued up while the kernel was busy
        # arrive back to back: skip those, so a pause takes effect at once.
        if not self.play.playing or change["new"] <= change["old"]:
            return
        if self.clock() - self._last_tick_end < TICK_BACKLOG_SECONDS:
            return
        self.tick()
        self._last_tick_end = self.clock()

    def _on_playing(self, change) -> None:
        self.step_button.disabled = bool(change["new"])
        self.redraw_status()

    # -- drawing ---------------------------------------------------------

    def redraw(self, data: bool = False, started: float | None = None) -> None:
        """Update the picture and the status line; record the update's wall time."""
        start = self.clock() if started is None else started
        self.figure.update(self.model, data=data)
        self.image.value = self.figure.png()
        self.redraw_status()
        self.update_seconds.append(self.clock() - start)

    def redraw_status(self) -> None:
        m = self.model
        sizes = m.sizes
        state = "running" if self.running else "paused"
        text = (f"<b>Epoch {m.epoch}</b> ({state}) &nbsp; train loss <b>{m.train_loss:.4f}</b> &nbsp; "
                f"test loss <b>{m.test_loss:.4f}</b> &nbsp; test accuracy {m.accuracy('test'):.2f}<br>"
                f"network {'-'.join(map(str, sizes))}, {n_parameters(sizes)} weights and biases")
        if m.diverged:
            text += "<br><b>Training diverged</b>: lower the learning rate, then press Reset."
        self.status.value = text


__all__ = ["LIVE_FIELDS", "RESET_FIELDS", "Playground", "PlaygroundFigure", "parameter_counter",
           "parameter_readout", "plot_boundary"]
