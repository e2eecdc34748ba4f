"""Notebook 11: activations, initialisation and vanishing gradients.

A deep network is probed on one fixed batch: inputs (64, 16) and targets
(64, 4) drawn from N(0, 1) with seed 0, MSE loss, linear output layer.
``depth`` counts weight layers (L in the course's notation): ``depth = 10`` is
``Network([16, 32, 32, ..., 32, 4])`` with nine hidden layers of 32. Layers are
numbered as in the notebooks: W^(l), l = 1 .. L, maps layer l − 1 to layer l,
and the code stores it as ``net.weights[l - 1]``.

What is here:

- :func:`deep_network`, :func:`probe_batch`, :func:`gradient_norms`: ‖∂C/∂W^(l)‖ per layer;
- :func:`gradient_readout` and :func:`gradient_widget`: the depth slider;
- :func:`activation_spread`: the variance of the activations layer by layer for an init;
- :func:`constant_network`, :func:`max_unit_difference`: the symmetry experiment.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..network import Network
from .panel import FULL_LABEL, SliderPanel, png

N_IN, WIDTH, N_OUT, BATCH = 16, 32, 4, 64
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
MIN_DEPTH, MAX_DEPTH = 2, 10
COLOURS = {"sigmoid": "#1f77b4", "tanh": "#e8710a", "relu": "#2ca02c", "leaky_relu": "#9467bd"}


def probe_batch() -> tuple[np.ndarray, np.ndarray]:
    """The fixed batch: X (64, 16) then Y (64, 4), both N(0, 1) from ``default_rng(0)``."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(BATCH, N_IN)), rng.normal(size=(BATCH, N_OUT))


def deep_network(activation: str, depth: int, init: str = "auto", seed: int = 0) -> Network:
    """``depth`` weight layers: [16] + [32] * (depth − 1) + [4]; hidden ``activation``, linear output.

    ``init="auto"`` gives Xavier for sigmoid and tanh, He for ReLU and leaky ReLU.
    """
    depth = int(depth)
    if depth < 1:
        raise ValueError(f"depth must be >= 1; got {depth}.")
    sizes = [N_IN] + [WIDTH] * (depth - 1) + [N_OUT]
    return Network(sizes, activation=activation, output_activation="linear", init=init, seed=seed)


def gradient_norms(activation: str, depth: int, init: str = "auto") -> np.ndarray:
    """Frobenius norms ‖∂C/∂W^(l)‖ for l = 1 .. depth (MSE on :func:`probe_batch`); shape (depth,).

    Entry ``l - 1`` of the result belongs to W^(l) (``net.weights[l - 1]``).
    """
    X, Y = probe_batch()
    dWs, _ = deep_network(activation, depth, init).gradients(X, Y, "mse")
    return np.array([np.linalg.norm(dW) for dW in dWs])


def gradient_readout(depth: int) -> str:
    """HTML table of the per-layer gradient norms of each activation for a net ``depth`` layers deep.

    Columns W^(1) .. W^(L) with L = ``depth``; the last column is the ratio
    ‖∂C/∂W^(1)‖ / ‖∂C/∂W^(L)‖: first layer over last.
    Pure: the same depth always gives the same string.
    """
    d = int(depth)
    if d != depth or not MIN_DEPTH <= d <= MAX_DEPTH:
        raise ValueError(f"depth must be an integer from {MIN_DEPTH} to {MAX_DEPTH}; got {depth!r}.")
    head = "".join(f"<th>W<sup>({layer})</sup></th>" for layer in range(1, d + 1))
    rows = ""
    for act in ACTIVATIONS:
        norms = gradient_norms(act, d)
        cells = "".join(f"<td>{v:.1e}</td>" for v in norms)
        rows += f"<tr><td><b>{act}</b></td>{cells}<td><b>{norms[0] / norms[-1]:.1e}</b></td></tr>"
    return (
        f"<div><b>depth {d}</b> (L = {d} weight layers): gradient norm ‖∂C/∂W<sup>(l)</sup>‖ per weight layer "
        f"(W<sup>(1)</sup> is next to the input, W<sup>({d})</sup> feeds the output)"
        f"<table><tr><th>activation</th>{head}<th>first / last</th></tr>{rows}</table></div>"
    )


def bars_png(depth: int) -> bytes:
    """PNG bar chart (log scale) of the per-layer gradient norms for each activation."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    d = int(depth)
    fig = Figure(figsize=(6, 3))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    width = 0.8 / len(ACTIVATIONS)
    for i, act in enumerate(ACTIVATIONS):
        ax.bar(np.arange(1, d + 1) + (i - 1.5) * width, gradient_norms(act, d), width, label=act,
               color=COLOURS[act])
    ax.set_yscale("log")
    ax.set_xticks(np.arange(1, d + 1))
    ax.set_xlabel("weight layer l (1 = next to the input)")
    ax.set_ylabel("‖∂C/∂W$^{(l)}$‖")
    ax.legend(fontsize=7, ncol=4)
    fig.tight_layout()
    return png(fig)


class GradientWidget(SliderPanel):
    """Depth slider (2 to 10) with the gradient-norm table and bar chart of that depth.

    ``slider`` (IntSlider), ``readout`` (HTML with class ``nncourse-readout``, always
    ``gradient_readout(slider.value)``), ``picture`` (Image), ``box`` (to display).
    """

    def __init__(self, description: str = "depth", value: int = MAX_DEPTH):
        self.slider = widgets.IntSlider(value=value, min=MIN_DEPTH, max=MAX_DEPTH, step=1,
                                        description=description,
                                        style=FULL_LABEL)
        super().__init__([self.slider], "GradientWidget(depth slider, gradient-norm readout, bar chart)", width=480,
                         readout=gradient_readout, picture=bars_png)


gradient_widget = GradientWidget  # the name the notebooks call


def activation_spread(activation: str, init: str, depth: int = 10, width: int = 100, n: int = 500,
                      seed: int = 0) -> np.ndarray:
    """Variance of the activations a^(1) .. a^(depth) of a ``width``-wide net, inputs N(0, 1).

    The net is ``Network([width] * (depth + 1), activation, init=init)``; the inputs
    are (n, width) from ``default_rng(seed)``. Returns shape (depth,).
    """
    X = np.random.default_rng(seed).normal(size=(n, width))
    net = Network([width] * (depth + 1), activation=activation, init=init, seed=seed)
    _, acts = net.trace(X)
    return np.array([a.var() for a in acts[1:]])


def constant_network(sizes, value: float = 0.1, activation: str = "sigmoid",
                     output_activation: str | None = "linear") -> Network:
    """A network whose every weight equals ``value`` and every bias is 0 (the seed's wrong advice)."""
    net = Network(list(sizes), activation=activation, output_activation=output_activation)
    net.weights = [np.full_like(W, value) for W in net.weights]
    net.biases = [np.zeros_like(b) for b in net.biases]
    return net


def max_unit_difference(net: Network, layer: int = 0) -> float:
    """Largest gap between two hidden units of ``layer``: the larger of

    max |W[j, :] − W[0, :]| (the weights into unit j vs unit 0), max |b[j] − b[0]| and
    max |W_next[:, j] − W_next[:, 0]| (the weights out of it), where W, b = ``net.weights[layer]``,
    ``net.biases[layer]`` (that is W^(l), b^(l) with l = layer + 1) and W_next = W^(l+1).
    0.0 means every unit of hidden layer l computes exactly the same thing.
    """
    W, b = net.weights[layer], net.biases[layer]
    gaps = [np.abs(W - W[0]).max(), np.abs(b - b[0]).max()]
    if layer + 1 < net.n_layers:
        W_next = net.weights[layer + 1]
        gaps.append(np.abs(W_next - W_next[:, [0]]).max())
    return float(max(gaps))
