"""Notebook 06: the worked 2-2-2 example, drawn and stepped through factor by factor.

The network (see :func:`nncourse.data.worked_example`)::

    net H1 = w1·x1 + w2·x2 + b1     H1 = σ(net H1)
    net H2 = w3·x1 + w4·x2 + b1     H2 = σ(net H2)
    net Y1 = w5·H1 + w6·H2 + b2     Y1 = σ(net Y1)
    net Y2 = w7·H1 + w8·H2 + b2     Y2 = σ(net Y2)
    E = ½(t1 − Y1)² + ½(t2 − Y2)²

Everything here is plain Python floats, so the numbers a widget shows can be
computed (and tested) without a screen:

- :func:`worked_values` -- every forward and backward value, by name;
- :func:`chain_factors` -- the chain-rule factors of ∂E/∂w5, then of ∂E/∂w1;
- :func:`readout_html` -- the pure readout of the step-through widget;
- :func:`draw_network` -- a matplotlib picture of the network with its values;
- :func:`step_through` -- the widget (buttons and a slider over the factors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..activations import Sigmoid
from ..data import worked_example
from .panel import StepPanel, frame_diagram, png

#: Layout of the picture: node name -> (x, y).
POSITIONS: dict[str, tuple[float, float]] = {
    "x1": (0.0, 1.0), "x2": (0.0, 0.0),
    "H1": (2.2, 1.0), "H2": (2.2, 0.0),
    "Y1": (4.4, 1.0), "Y2": (4.4, 0.0),
}

#: Each weight as the edge it sits on: name -> (from node, to node).
EDGES: dict[str, tuple[str, str]] = {
    "w1": ("x1", "H1"), "w2": ("x2", "H1"), "w3": ("x1", "H2"), "w4": ("x2", "H2"),
    "w5": ("H1", "Y1"), "w6": ("H2", "Y1"), "w7": ("H1", "Y2"), "w8": ("H2", "Y2"),
}

HIGHLIGHT = "#e8710a"
PLAIN_NODE = "#dbe9f6"
PLAIN_EDGE = "#9aa5b1"


def fmt(x: float, digits: int = 6) -> str:
    """``x`` in fixed notation with at least ``digits`` decimals and ``digits`` significant digits.

    ``fmt(0.154) == "0.154000"``, ``fmt(0.0729515276) == "0.0729515"``,
    ``fmt(-2.998453e-05) == "-0.0000299845"``. Fixed, so notebook outputs never change.
    """
    x = float(x)
    if x == 0 or not math.isfinite(x):
        return f"{x:.{digits}f}"
    decimals = max(digits, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:.{decimals}f}"


def sigmoid(z: float) -> float:
    """σ(z) = 1 / (1 + e^(−z)) for one float, from :class:`nncourse.activations.Sigmoid`."""
    return float(Sigmoid().fn(float(z)))


def worked_values() -> dict[str, float]:
    """Every value of the worked example, exact (no rounding of intermediates).

    Keys: the inputs and parameters (``x1 x2 t1 t2 w1..w8 b1 b2 lr``), the
    forward pass (``net_H1 net_H2 H1 H2 net_Y1 net_Y2 Y1 Y2 E1 E2 E``), the error
    signals δ = ∂E/∂net (``delta_Y1 delta_Y2 dE_dH1 dE_dH2 delta_H1 delta_H2``) and
    the gradients (``dE_dw1 .. dE_dw8 dE_db1 dE_db2``; the biases are shared, so
    ∂E/∂b2 = δ_Y1 + δ_Y2 and ∂E/∂b1 = δ_H1 + δ_H2).
    """
    ex = worked_example()
    v: dict[str, float] = {"x1": ex.x[0], "x2": ex.x[1], "t1": ex.t[0], "t2": ex.t[1], "lr": ex.lr}
    for name in ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b1", "b2"):
        v[name] = getattr(ex, name)
    v["net_H1"] = v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b1"]
    v["net_H2"] = v["w3"] * v["x1"] + v["w4"] * v["x2"] + v["b1"]
    v["H1"], v["H2"] = sigmoid(v["net_H1"]), sigmoid(v["net_H2"])
    v["net_Y1"] = v["w5"] * v["H1"] + v["w6"] * v["H2"] + v["b2"]
    v["net_Y2"] = v["w7"] * v["H1"] + v["w8"] * v["H2"] + v["b2"]
    v["Y1"], v["Y2"] = sigmoid(v["net_Y1"]), sigmoid(v["net_Y2"])
    v["E1"] = 0.5 * (v["t1"] - v["Y1"]) ** 2
    v["E2"] = 0.5 * (v["t2"] - v["Y2"]) ** 2
    v["E"] = v["E1"] + v["E2"]
    # backward: δ = ∂E/∂net, one per neuron
    v["delta_Y1"] = (v["Y1"] - v["t1"]) * v["Y1"] * (1 - v["Y1"])
    v["delta_Y2"] = (v["Y2"] - v["t2"]) * v["Y2"] * (1 - v["Y2"])
    v["dE_dH1"] = v["delta_Y1"] * v["w5"] + v["delta_Y2"] * v["w7"]
    v["dE_dH2"] = v["delta_Y1"] * v["w6"] + v["delta_Y2"] * v["w8"]
    v["delta_H1"] = v["dE_dH1"] * v["H1"] * (1 - v["H1"])
    v["delta_H2"] = v["dE_dH2"] * v["H2"] * (1 - v["H2"])
    for w, (src, dst) in EDGES.items():
        v[f"dE_d{w}"] = v[f"delta_{dst}"] * v[src]
    v["dE_db1"] = v["delta_H1"] + v["delta_H2"]
    v["dE_db2"] = v["delta_Y1"] + v["delta_Y2"]
    return v


@dataclass(frozen=True)
class Factor:
    """One step of the chain rule: what it is, how it is computed, its value, where it lives.

    ``nodes`` and ``edges`` name the neurons and weights to highlight on the picture.
    """

    target: str  # the gradient being built, e.g. "∂E/∂w5"
    name: str  # e.g. "∂E/∂Y1"
    formula: str  # the formula with the numbers filled in, ending in "="
    value: float
    nodes: tuple[str, ...] = ()
    edges: tuple[str, ...] = ()


def chain_factors() -> list[Factor]:
    """The factors of ∂E/∂w5 (steps 0-3) and then of ∂E/∂w1 (steps 4-11).

    ∂E/∂w5 = (Y1 − t1) · Y1(1 − Y1) · H1;
    ∂E/∂w1 = (δ_Y1·w5 + δ_Y2·w7) · H1(1 − H1) · x1 with δ_Yk = (Yk − tk)·Yk(1 − Yk):
    w1 reaches E through both outputs, so ∂E/∂H1 is a sum over them.
    """
    v = worked_values()
    f = fmt
    a, b = "∂E/∂w5", "∂E/∂w1"
    return [
        Factor(a, "∂E/∂Y1", f"Y1 − t1 = {f(v['Y1'])} − {v['t1']} =", v["Y1"] - v["t1"], ("Y1",)),
        Factor(a, "∂Y1/∂net Y1", f"Y1(1 − Y1) = {f(v['Y1'])} × {f(1 - v['Y1'])} =",
               v["Y1"] * (1 - v["Y1"]), ("Y1",)),
        Factor(a, "∂net Y1/∂w5", "H1 =", v["H1"], ("H1",), ("w5",)),
        Factor(a, "∂E/∂w5", f"{f(v['Y1'] - v['t1'])} × {f(v['Y1'] * (1 - v['Y1']))} × {f(v['H1'])} =",
               v["dE_dw5"], ("H1", "Y1"), ("w5",)),
        Factor(b, "δ_Y1 = ∂E/∂net Y1",
               f"(Y1 − t1) · Y1(1 − Y1), reused from ∂E/∂w5: {f(v['Y1'] - v['t1'])} × "
               f"{f(v['Y1'] * (1 - v['Y1']))} =", v["delta_Y1"], ("Y1",)),
        Factor(b, "∂net Y1/∂H1", "w5 =", v["w5"], ("H1", "Y1"), ("w5",)),
        Factor(b, "δ_Y2 = ∂E/∂net Y2",
               f"(Y2 − t2) · Y2(1 − Y2) = {f(v['Y2'] - v['t2'])} × {f(v['Y2'] * (1 - v['Y2']))} =",
               v["delta_Y2"], ("Y2",)),
        Factor(b, "∂net Y2/∂H1", "w7 =", v["w7"], ("H1", "Y2"), ("w7",)),
        Factor(b, "∂E/∂H1", f"δ_Y1·w5 + δ_Y2·w7 (sum over both outputs) = {f(v['delta_Y1'])} × "
               f"{v['w5']} + ({f(v['delta_Y2'])}) × {v['w7']} =", v["dE_dH1"], ("H1", "Y1", "Y2"),
               ("w5", "w7")),
        Factor(b, "∂H1/∂net H1", f"H1(1 − H1) = {f(v['H1'])} × {f(1 - v['H1'])} =",
               v["H1"] * (1 - v["H1"]), ("H1",)),
        Factor(b, "∂net H1/∂w1", "x1 =", v["x1"], ("x1",), ("w1",)),
        Factor(b, "∂E/∂w1", f"{f(v['dE_dH1'])} × {f(v['H1'] * (1 - v['H1']))} × {v['x1']} =",
               v["dE_dw1"], ("x1", "H1"), ("w1",)),
    ]


N_STEPS = 12  # len(chain_factors())


def readout_html(step: int) -> str:
    """The step-through widget's readout for ``step`` (0 to 11): the factor's name, formula and value.

    Pure: the same step always gives the same HTML string.
    """
    factors = chain_factors()
    if not 0 <= int(step) < len(factors):
        raise ValueError(f"step must be an integer from 0 to {len(factors) - 1}; got {step!r}.")
    fac = factors[int(step)]
    kind = "result" if fac.name == fac.target else "factor"
    return (
        f"<div><b>Building {fac.target}</b> (step {int(step) + 1} of {len(factors)}, {kind})<br>"
        f"{fac.name} = {fac.formula} <b>{fmt(fac.value)}</b></div>"
    )


def _node_text(name: str, v: dict[str, float]) -> str:
    if name.startswith("x"):
        return f"{name} = {v[name]:g}"
    text = f"net {v['net_' + name]:.6f}\nout {v[name]:.6f}"
    if name.startswith("Y"):
        t = "t" + name[1]
        text += f"\ntarget {v[t]}"
    return text


def draw_network(
    ax=None,
    values: dict[str, float] | None = None,
    show_values: bool = True,
    show_gradients: bool = False,
    highlight_nodes: tuple[str, ...] = (),
    highlight_edges: tuple[str, ...] = (),
    title: str | None = None,
):
    """Draw the 2-2-2 network on the matplotlib axes ``ax`` (a new figure if None); return ``ax``.

    Edges carry their weight (``w5 = 0.18``) and, with ``show_gradients``, ∂E/∂w.
    Neurons show their weighted input ("net") and activation ("out") when
    ``show_values``. Highlighted nodes and edges are drawn in orange.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 3.9))
    v = values if values is not None else worked_values()
    for w, (src, dst) in EDGES.items():
        (x0, y0), (x1, y1) = POSITIONS[src], POSITIONS[dst]
        hot = w in highlight_edges
        ax.plot([x0, x1], [y0, y1], color=HIGHLIGHT if hot else PLAIN_EDGE, lw=3 if hot else 1.2, zorder=1)
        # horizontal edges: label at the middle, above or below; diagonals: near the source
        frac = 0.5 if y0 == y1 else 0.35
        lx, ly = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
        if y0 == y1:
            ly += 0.08 if y0 > 0.5 else -0.08
        label = f"{w} = {v[w]:g}"
        if show_gradients:
            label += f"\n∂E/∂{w} = {v['dE_d' + w]:.4g}"
        ax.text(lx, ly, label, ha="center", va="bottom" if (y0 == y1 and y0 > 0.5) else "center",
                fontsize=7.5, color=HIGHLIGHT if hot else "black", zorder=3,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
    for name, (x, y) in POSITIONS.items():
        hot = name in highlight_nodes
        ax.add_patch(_circle((x, y), 0.2, fc=HIGHLIGHT if hot else PLAIN_NODE,
                             ec="black" if hot else "#555555", lw=2 if hot else 1))
        ax.text(x, y, name, ha="center", va="center", fontsize=10, fontweight="bold", zorder=4)
        if show_values:
            top = y > 0.5
            ax.text(x, y + (0.27 if top else -0.27), _node_text(name, v), ha="center",
                    va="bottom" if top else "top", fontsize=7.5, zorder=4,
                    color=HIGHLIGHT if hot else "black")
    for x, caption in ((0.0, "inputs"), (2.2, f"hidden layer\nshared bias b1 = {v['b1']:g}"),
                       (4.4, f"output layer\nshared bias b2 = {v['b2']:g}")):
        ax.text(x, 1.95, caption, ha="center", va="bottom", fontsize=8, color="#444444")
    if show_values:
        ax.text(5.55, 0.5, f"E = {fmt(v['E'])}", ha="center", va="center", fontsize=9,
                fontweight="bold", color=HIGHLIGHT if "E" in highlight_nodes else "black")
    return frame_diagram(ax, (-0.55, 6.05), (-0.85, 2.3), title)


def _circle(xy, r, **kwargs):
    from matplotlib.patches import Circle

    return Circle(xy, r, zorder=2, **kwargs)


def network_png(step: int) -> bytes:
    """PNG bytes of the network with factor ``step``'s nodes and edges highlighted."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fac = chain_factors()[int(step)]
    fig = Figure(figsize=(8, 3.9))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_network(ax, highlight_nodes=fac.nodes, highlight_edges=fac.edges,
                 title=f"{fac.target}, step {int(step) + 1}: {fac.name}")
    fig.subplots_adjust(left=0, right=1, bottom=0, top=0.93)
    return png(fig, dpi=100)


class StepThrough(StepPanel):
    """The step-through widget: "previous" / "next factor" buttons drive a slider over the factors.

    Attributes: ``slider`` (IntSlider, description "factor"), ``readout`` (HTML with class
    ``nncourse-readout``, always ``readout_html(slider.value)``), ``picture`` (Image of the
    network with the factor highlighted), ``previous`` and ``next`` (Buttons), ``box`` (the
    whole widget, to display).
    """

    def __init__(self, description: str = "factor"):
        super().__init__(N_STEPS, description, "next factor",
                         "StepThrough(∂E/∂w5 then ∂E/∂w1, one chain-rule factor per step)", width=720)

    def readout_html(self) -> str:
        return readout_html(self.slider.value)

    def picture_png(self) -> bytes:
        return network_png(self.slider.value)


step_through = StepThrough  # the name the notebooks call
