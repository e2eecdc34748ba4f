"""Notebook 04: one sigmoid neuron with a weight slider and a bias slider, and a drawing of a layer.

A neuron with one input x, weight w and bias b computes::

    z = w·x + b        (its weighted input)
    a = σ(z) = 1 / (1 + e^(−z))

so its output curve a(x) is a sigmoid that crosses 0.5 where z = 0, at x = −b/w, with slope
σ'(0)·w = w/4 there. The weight sets how steep the curve is (and, by its sign, which way it
faces); the bias slides it left or right.

Everything the widget shows comes from plain functions, testable without a screen:

- :func:`neuron_values` -- z, a, the midpoint and the slope, as floats;
- :func:`neuron_readout` -- the widget's readout HTML (pure: a function of w and b only);
- :func:`draw_neuron_curve` / :func:`curve_png` -- the picture of a(x);
- :func:`draw_layer` -- a layer drawn with its w_jk ("to j, from k") labels;
- :func:`neuron_explorer` -- the widget itself.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..activations import Sigmoid
from .formatting import fixed
from .panel import FULL_LABEL, SliderPanel, figure_png, frame_diagram

#: Initial slider values; :func:`neuron_readout` uses them as its defaults.
DEFAULT_WEIGHT = 1.0
DEFAULT_BIAS = 0.0
#: The input at which the readout evaluates the neuron.
PROBE_X = 1.0
#: The x range of the curve plot.
X_RANGE = (-6.0, 6.0)
#: Size of the plot in the widget: inches, and pixels per inch (shown at its natural width).
FIGSIZE, PNG_DPI = (5.5, 3.2), 90


_SIGMOID = Sigmoid()


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)) from :class:`nncourse.activations.Sigmoid`: elementwise for arrays,
    a float for a float."""
    a = _SIGMOID.fn(np.asarray(z, dtype=np.float64))
    return float(a) if np.ndim(z) == 0 else a


def neuron_values(w: float, b: float = DEFAULT_BIAS, x: float = PROBE_X) -> dict[str, float | None]:
    """The numbers the widget shows for weight ``w`` and bias ``b``.

    Keys: ``z`` = w·x + b and ``a`` = σ(z) at the input ``x``; ``midpoint`` = −b/w, where
    a = 0.5 (None when w = 0: the curve is then flat at σ(b)); ``slope`` = w/4, the
    derivative da/dx at the midpoint.
    """
    w, b, x = float(w), float(b), float(x)
    z = w * x + b
    return {
        "z": z,
        "a": sigmoid(z),
        "midpoint": (-b / w) if w != 0 else None,
        "slope": w / 4.0,
    }


def _num(x: float, digits: int = 3) -> str:
    """Fixed-point text with a true minus sign, and no "−0.000"."""
    return fixed(x, digits, true_minus=True)


def neuron_readout(w: float, b: float = DEFAULT_BIAS) -> str:
    """The readout of the neuron widget, as HTML, for weight ``w`` and bias ``b``.

    Pure: the same (w, b) always gives the same string. The input is fixed at
    ``PROBE_X``; ``b`` defaults to the bias slider's initial value, so with the bias
    slider untouched the readout is ``neuron_readout(weight_slider.value)``.
    """
    v = neuron_values(w, b)
    if v["midpoint"] is None:
        where = f"w = 0: the curve is flat at a = σ(b) = {_num(sigmoid(float(b)))}"
    else:
        where = (
            f"a = 0.5 at x = −b/w = {_num(v['midpoint'])}; "
            f"slope there da/dx = w/4 = {_num(v['slope'])}"
        )
    return (
        f"<div><b>a(x) = σ(w·x + b)</b> with w = {_num(w, 1)}, b = {_num(b, 1)}<br>"
        f"at x = {_num(PROBE_X, 1)}: z = w·x + b = {_num(v['z'])}, a = σ(z) = <b>{_num(v['a'])}</b><br>"
        f"{where}</div>"
    )


def draw_neuron_curve(ax, w: float, b: float, others: bool = False):
    """Plot a(x) = σ(w·x + b) on ``ax`` over ``X_RANGE``, marking x = ``PROBE_X``; return ``ax``.

    ``others`` adds the curve of w = 1, b = 0 in grey for comparison.
    """
    x = np.linspace(*X_RANGE, 301)
    if others:
        ax.plot(x, sigmoid(x), color="0.7", lw=1, label="w = 1, b = 0")
    ax.plot(x, sigmoid(w * x + b), lw=2, label=f"w = {w:.1f}, b = {b:.1f}")
    v = neuron_values(w, b)
    ax.plot([PROBE_X], [v["a"]], "o", color="C3", label=f"x = {PROBE_X:g}: a = {v['a']:.3f}")
    ax.axhline(0.5, color="0.85", lw=0.8, zorder=0)
    ax.set_xlim(*X_RANGE)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("input x")
    ax.set_ylabel("output a = σ(w·x + b)")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def curve_png(w: float, b: float) -> bytes:
    """PNG bytes of :func:`draw_neuron_curve` for (w, b), drawn off-screen (no pyplot state)."""
    return figure_png(lambda ax: draw_neuron_curve(ax, w, b, others=True), FIGSIZE, dpi=PNG_DPI)


class NeuronExplorer(SliderPanel):
    """Sliders for the weight and the bias of one sigmoid neuron, its curve and a readout.

    Attributes: ``weight`` and ``bias`` (FloatSliders, step 0.1), ``readout`` (HTML with class
    ``nncourse-readout``, always ``neuron_readout(weight.value, bias.value)``), ``picture``
    (Image of the curve), ``box`` (the whole widget, to display).
    """

    def __init__(self, weight_description: str = "neuron w", bias_description: str = "neuron b"):
        style = FULL_LABEL
        self.weight = widgets.FloatSlider(value=DEFAULT_WEIGHT, min=-5.0, max=5.0, step=0.1,
                                          readout_format=".1f", description=weight_description, style=style)
        self.bias = widgets.FloatSlider(value=DEFAULT_BIAS, min=-5.0, max=5.0, step=0.1,
                                        readout_format=".1f", description=bias_description, style=style)
        super().__init__([self.weight, self.bias], "NeuronExplorer(weight and bias sliders of one sigmoid neuron)",
                         width=int(FIGSIZE[0] * PNG_DPI), readout=neuron_readout, picture=curve_png)


neuron_explorer = NeuronExplorer  # the name the notebooks call


def draw_layer(ax, W, b=None, title: str | None = None):
    """Draw one dense layer on ``ax``: inputs a_k on the left, neurons j on the right; return ``ax``.

    ``W`` has shape (n_out, n_in): the edge from input k to neuron j carries the label
    w_jk = W[j, k] ("to j, from k"), placed near neuron j. ``b`` (shape (n_out,)) is written
    beside each neuron. Counting starts at zero, as in numpy.
    """
    from matplotlib.patches import Circle

    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError(f"W must be 2-D with shape (n_out, n_in); got shape {W.shape}.")
    n_out, n_in = W.shape
    # one unit between neighbours in both columns, both columns centred; index 0 at the top
    height = max(n_in, n_out) - 1
    y_in = (height + n_in - 1) / 2 - np.arange(n_in)
    y_out = (height + n_out - 1) / 2 - np.arange(n_out)
    x_in, x_out, r = 0.0, 3.0, 0.22
    for j in range(n_out):
        color = f"C{j % 10}"
        for k in range(n_in):
            ax.plot([x_in, x_out], [y_in[k], y_out[j]], color=color, alpha=0.6, lw=1.2, zorder=1)
            t = 0.78  # labels near neuron j, where the edges into j have separated
            lx, ly = x_in + t * (x_out - x_in), y_in[k] + t * (y_out[j] - y_in[k])
            ax.text(lx, ly, f"$w_{{{j}{k}}}$ = {W[j, k]:g}", ha="center", va="center", fontsize=8, zorder=3,
                    color=color, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.9})
    for k in range(n_in):
        ax.add_patch(Circle((x_in, y_in[k]), r, fc="#fde9c9", ec="#555555", zorder=2))
        ax.text(x_in, y_in[k], f"$a_{k}$", ha="center", va="center", fontsize=10, zorder=4)
    for j in range(n_out):
        ax.add_patch(Circle((x_out, y_out[j]), r, fc="#dbe9f6", ec="#555555", zorder=2))
        ax.text(x_out, y_out[j], f"{j}", ha="center", va="center", fontsize=10, fontweight="bold", zorder=4)
        if b is not None:
            ax.text(x_out + 0.35, y_out[j], f"$b_{j}$ = {np.asarray(b)[j]:g}", ha="left", va="center", fontsize=8)
    ax.text(x_in, height + 0.55, "inputs (k)", ha="center", fontsize=9, color="#444444")
    ax.text(x_out, height + 0.55, "neurons (j)", ha="center", fontsize=9, color="#444444")
    return frame_diagram(ax, (-0.6, 4.3), (-0.5, height + 0.9), title)
