"""Notebook 05: the value and the gradient of MSE, MAE and BCE for one prediction.

For one prediction ŷ of a target y (a batch of one, so every mean is over N = 1)::

    MSE  C = (ŷ − y)²                            dC/dŷ = 2(ŷ − y)
    MAE  C = |ŷ − y|                             dC/dŷ = sign(ŷ − y)   (0 at ŷ = y)
    BCE  C = −(y·log ŷ + (1 − y)·log(1 − ŷ))     dC/dŷ = (ŷ − y) / (ŷ(1 − ŷ))

and, when ŷ = σ(z) is a sigmoid output with logit z = log(ŷ/(1 − ŷ)), the gradient with
respect to z: dC/dz = dC/dŷ · σ′(z) for MSE and MAE, and for BCE the fused
``BCEWithLogits`` gradient σ(z) − y (the sigmoid's slope cancels BCE's denominator).

The numbers come from :mod:`nncourse.losses` (``fn`` and ``grad`` on 1×1 arrays), so the
widget shows exactly what the library computes; the tests compare them with the formulas.

- :func:`loss_table` -- {name: (value, dC/dŷ, dC/dz)} for one (ŷ, y);
- :func:`cost_readout` -- the widget's readout HTML (pure);
- :func:`draw_costs` / :func:`costs_png` -- the three losses against ŷ, with ŷ marked;
- :func:`cost_explorer` -- the widget: a slider for ŷ and a toggle for the target y.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..activations import Sigmoid
from ..losses import BCE, MAE, MSE, BCEWithLogits, Loss
from .formatting import fixed
from .panel import FULL_LABEL, SliderPanel, figure_png

#: The losses the widget shows, in order.
LOSSES: dict[str, Loss] = {"MSE": MSE(), "MAE": MAE(), "BCE": BCE()}
#: Initial slider value and target; :func:`cost_readout` uses them as defaults.
DEFAULT_PREDICTION = 0.7
DEFAULT_TARGET = 1.0
#: Slider range: ŷ is a probability strictly between 0 and 1 (BCE is infinite at the ends).
PREDICTION_MIN, PREDICTION_MAX, PREDICTION_STEP = 0.01, 0.99, 0.01
#: Size of the plot in the widget: inches, and pixels per inch (shown at its natural width).
FIGSIZE, PNG_DPI = (5.0, 3.2), 90


def logit(prediction: float) -> float:
    """z = log(ŷ/(1 − ŷ)), the weighted input whose sigmoid is ŷ (for 0 < ŷ < 1)."""
    p = float(prediction)
    return float(np.log(p) - np.log1p(-p))


def loss_table(prediction: float, target: float = DEFAULT_TARGET) -> dict[str, tuple[float, float, float]]:
    """``{"MSE": (C, dC/dŷ, dC/dz), "MAE": ..., "BCE": ...}`` for one prediction ŷ and target y.

    Computed with nncourse's losses on arrays of shape (1, 1). dC/dz is the gradient with
    respect to the logit z of a sigmoid output ŷ = σ(z): the chain rule dC/dŷ · σ′(z) for MSE
    and MAE, and ``BCEWithLogits().grad(z, y)`` for BCE, the fused loss a sigmoid output is
    trained with (its value equals BCE's).
    """
    a = np.array([[float(prediction)]])
    y = np.array([[float(target)]])
    z = np.array([[logit(prediction)]])
    slope = Sigmoid().derivative(z)
    table = {}
    for name, loss in LOSSES.items():
        grad_a = loss.grad(a, y)
        grad_z = BCEWithLogits().grad(z, y) if isinstance(loss, BCE) else grad_a * slope
        table[name] = (loss.fn(a, y), float(grad_a[0, 0]), float(grad_z[0, 0]))
    return table


def _num(x: float, digits: int = 4) -> str:
    return fixed(x, digits, true_minus=True)


def cost_readout(prediction: float, target: float = DEFAULT_TARGET) -> str:
    """The readout of the cost widget, as HTML: each loss and its gradient at (ŷ, y).

    Pure: the same (ŷ, y) always gives the same string. ``target`` defaults to the toggle's
    initial value, so with the toggle untouched the readout is ``cost_readout(slider.value)``.
    """
    cell = "<td style='padding:1px 10px; text-align:right'>"
    rows = "".join(
        f"<tr><td style='padding:1px 10px'>{name}</td>{cell}{_num(value)}</td>{cell}{_num(grad)}</td>"
        f"{cell}{_num(grad_z)}</td></tr>"
        for name, (value, grad, grad_z) in loss_table(prediction, target).items()
    )
    head = "<th style='padding:1px 10px'>"
    return (
        f"<div><b>prediction ŷ = {_num(prediction, 2)}, target y = {target:g}</b>"
        f" (as a sigmoid output: logit z = {_num(logit(prediction))})"
        f"<table><tr>{head}loss</th>{head}C</th>{head}dC/dŷ</th>{head}dC/dz</th></tr>{rows}</table></div>"
    )


def draw_costs(ax, prediction: float, target: float = DEFAULT_TARGET):
    """Plot MSE, MAE and BCE against ŷ in (0, 1) for the target y, marking ŷ = ``prediction``."""
    p = np.linspace(0.005, 0.995, 199)
    y = np.full((p.size, 1), float(target))
    for i, (name, loss) in enumerate(LOSSES.items()):
        values = [loss.fn(p[m : m + 1, None], y[m : m + 1]) for m in range(p.size)]
        ax.plot(p, values, color=f"C{i}", label=name)
        value = loss_table(prediction, target)[name][0]
        ax.plot([prediction], [value], "o", color=f"C{i}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 5)
    ax.set_xlabel("prediction ŷ")
    ax.set_ylabel(f"loss C (target y = {target:g})")
    ax.legend(loc="upper center", fontsize=8)
    return ax


def costs_png(prediction: float, target: float = DEFAULT_TARGET) -> bytes:
    """PNG bytes of :func:`draw_costs`, drawn off-screen."""
    return figure_png(lambda ax: draw_costs(ax, prediction, target), FIGSIZE, dpi=PNG_DPI)


class CostExplorer(SliderPanel):
    """A slider for the prediction ŷ, a toggle for the target y, the losses' readout and plot.

    Attributes: ``slider`` (FloatSlider 0.01..0.99, step 0.01), ``target`` (ToggleButtons,
    y = 1 or y = 0), ``readout`` (HTML with class ``nncourse-readout``, always
    ``cost_readout(slider.value, target.value)``), ``picture`` (Image), ``box`` (to display).
    """

    def __init__(self, description: str = "predicted ŷ"):
        self.slider = widgets.FloatSlider(value=DEFAULT_PREDICTION, min=PREDICTION_MIN, max=PREDICTION_MAX,
                                          step=PREDICTION_STEP, readout_format=".2f", description=description,
                                          style=FULL_LABEL)
        self.target = widgets.ToggleButtons(options=[("target y = 1", 1.0), ("target y = 0", 0.0)],
                                            value=DEFAULT_TARGET)
        super().__init__([self.slider, self.target],
                         "CostExplorer(MSE, MAE and BCE of one prediction, with their gradients)",
                         width=int(FIGSIZE[0] * PNG_DPI), readout=cost_readout, picture=costs_png)


cost_explorer = CostExplorer  # the name the notebooks call
