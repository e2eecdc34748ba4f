"""Notebook 10: optimizers on a 2-D loss surface.

Four optimizers of :mod:`nncourse.optim` walk from the same start across an
elongated bowl, a loss whose curvature is 25 times larger along θ2 than
along θ1::

    f(θ) = ½ (c1·θ1² + c2·θ2²),   ∇f(θ) = (c1·θ1, c2·θ2),   c = (1, 25).

Plain gradient descent must keep lr below 2/c2 = 0.08 to stay stable across
the narrow direction, and then crawls along the long one. Momentum adds up
past gradients; RMSProp divides each coordinate's step by the size of its
own recent gradients; Adam does both.

What is here:

- :func:`bowl_loss`, :func:`bowl_grad`, :func:`rosenbrock_loss`, :func:`rosenbrock_grad`;
- :func:`default_optimizers`: the four optimizers with the notebook's settings;
- :func:`optimizer_path`: the positions visited by one optimizer, shape (steps + 1, 2);
- :func:`bowl_paths`: the four paths on the bowl (cached);
- :func:`path_readout` and :func:`path_widget`: the step slider and its readout.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from ..optim import SGD, Adam, Momentum, Optimizer, RMSprop
from .panel import FULL_LABEL, Panel, png

#: Curvatures of the bowl along θ1 and θ2.
CURVATURE = np.array([1.0, 25.0])
#: The common starting point and the number of steps shown.
START = (-4.0, 1.0)
STEPS = 50
#: Settings of the four optimizers on the bowl (RMSProp keeps torch's default alpha = 0.99).
SETTINGS = {"SGD": {"lr": 0.07}, "Momentum": {"lr": 0.07, "mu": 0.8}, "RMSProp": {"lr": 0.05}, "Adam": {"lr": 0.2}}
COLOURS = {"SGD": "#1f77b4", "Momentum": "#e8710a", "RMSProp": "#2ca02c", "Adam": "#d62728"}  # blue, orange, green, red


def bowl_loss(theta) -> np.ndarray | float:
    """f(θ) = ½ Σ_i c_i θ_i² for θ of shape (..., 2); returns shape (...)."""
    theta = np.asarray(theta, dtype=float)
    return 0.5 * np.sum(CURVATURE * theta**2, axis=-1)


def bowl_grad(theta) -> np.ndarray:
    """∇f(θ) = (c1 θ1, c2 θ2), same shape as θ (..., 2)."""
    return CURVATURE * np.asarray(theta, dtype=float)


def rosenbrock_loss(theta) -> np.ndarray | float:
    """Rosenbrock's valley f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1). θ: (..., 2)."""
    theta = np.asarray(theta, dtype=float)
    x, y = theta[..., 0], theta[..., 1]
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def rosenbrock_grad(theta) -> np.ndarray:
    """∇f = (−2(1 − x) − 400 x (y − x²), 200 (y − x²)), shape (..., 2)."""
    theta = np.asarray(theta, dtype=float)
    x, y = theta[..., 0], theta[..., 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], axis=-1)


def default_optimizers() -> dict[str, Optimizer]:
    """Fresh optimizers with :data:`SETTINGS`: SGD(0.07), Momentum(0.07, μ=0.8), RMSprop(0.05), Adam(0.2)."""
    return {
        "SGD": SGD(**SETTINGS["SGD"]),
        "Momentum": Momentum(**SETTINGS["Momentum"]),
        "RMSProp": RMSprop(**SETTINGS["RMSProp"]),
        "Adam": Adam(**SETTINGS["Adam"]),
    }


def optimizer_path(
    opt: Optimizer, grad: Callable[[np.ndarray], np.ndarray], start=START, steps: int = STEPS
) -> np.ndarray:
    """Positions of a 2-element parameter array under ``opt``: shape (steps + 1, 2), row 0 = start.

    Each step calls ``opt.step([theta], [grad(theta)])``, exactly as training calls it
    with the weight arrays of a network.
    """
    theta = np.array(start, dtype=float)
    path = [theta.copy()]
    for _ in range(int(steps)):
        opt.step([theta], [grad(theta)])
        path.append(theta.copy())
    return np.array(path)


_PATHS: dict[str, np.ndarray] = {}


def bowl_paths() -> dict[str, np.ndarray]:
    """The paths of :func:`default_optimizers` on the bowl from :data:`START`, each (STEPS + 1, 2).

    Computed once and cached; copies are returned, so the cache cannot be changed by callers.
    """
    if not _PATHS:
        for name, opt in default_optimizers().items():
            _PATHS[name] = optimizer_path(opt, bowl_grad)
    return {name: path.copy() for name, path in _PATHS.items()}


def path_readout(step: int) -> str:
    """HTML table: each optimizer's position θ and loss f(θ) after ``step`` steps on the bowl.

    Pure: the same step always gives the same string. ``step`` runs from 0 to :data:`STEPS`.
    """
    k = int(step)
    if k != step or not 0 <= k <= STEPS:
        raise ValueError(f"step must be an integer from 0 to {STEPS}; got {step!r}.")
    rows = "".join(
        f"<tr><td style='color:{COLOURS[name]}'><b>{name}</b></td>"
        f"<td>{path[k, 0]:+.4f}</td><td>{path[k, 1]:+.4f}</td><td>{bowl_loss(path[k]):.6f}</td></tr>"
        for name, path in bowl_paths().items()
    )
    return (
        f"<div><b>after step {k}</b> (start θ = ({START[0]:+.1f}, {START[1]:+.1f}), "
        f"f = {bowl_loss(np.array(START)):.1f})"
        "<table><tr><th>optimizer</th><th>θ1</th><th>θ2</th><th>f(θ)</th></tr>"
        f"{rows}</table></div>"
    )


def draw_paths(ax, paths: dict[str, np.ndarray], loss: Callable, upto: int | None = None,
               xlim=(-4.5, 1.5), ylim=(-1.5, 1.5), ms: float = 2.5) -> None:
    """Contours of ``loss`` on ``ax`` and each path up to step ``upto`` (all steps if None).

    Each path is drawn with dots of size ``ms`` and its last point as a large square.
    """
    x = np.linspace(*xlim, 200)
    y = np.linspace(*ylim, 200)
    XX, YY = np.meshgrid(x, y)
    ZZ = loss(np.stack([XX, YY], axis=-1))
    ax.contour(XX, YY, ZZ, levels=np.geomspace(max(ZZ.min(), 1e-3), ZZ.max(), 15), colors="#c0c0c0",
               linewidths=0.7)
    for name, path in paths.items():
        part = path if upto is None else path[: upto + 1]
        colour = COLOURS.get(name)
        ax.plot(part[:, 0], part[:, 1], "o-", ms=ms, lw=1, color=colour, label=name)
        ax.plot(part[-1, 0], part[-1, 1], "s", ms=7, color=colour, markeredgecolor="k")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel("θ1")
    ax.set_ylabel("θ2")
    ax.legend(fontsize=8, loc="lower right")


def paths_png(step: int) -> bytes:
    """PNG of the bowl with the four paths drawn up to ``step``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.2))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    draw_paths(ax, bowl_paths(), bowl_loss, upto=int(step))
    ax.set_title(f"paths after {int(step)} steps")
    fig.tight_layout()
    return png(fig)


class PathWidget:
    """Step slider (0 to STEPS) with the readout and a picture of the paths so far.

    ``slider`` (IntSlider), ``readout`` (HTML with class ``nncourse-readout``, always
    ``path_readout(slider.value)``), ``picture`` (Image), ``box`` (to display).
    """

    def __init__(self, description: str = "step", value: int = 0):
        self.slider = widgets.IntSlider(value=value, min=0, max=STEPS, step=1, description=description,
                                        style=FULL_LABEL)
        self.readout = widgets.HTML(value=path_readout(value))
        self.readout.add_class("nncourse-readout")
        self.picture = widgets.Image(value=paths_png(value), format="png", width=480)
        self.slider.observe(self._update, names="value")
        self.box = Panel(
            [self.slider, self.readout, self.picture],
            "PathWidget(step slider, position readout, paths picture)",
        )

    def _update(self, change) -> None:
        self.readout.value = path_readout(change["new"])
        self.picture.value = paths_png(change["new"])


path_widget = PathWidget  # the name the notebooks call
