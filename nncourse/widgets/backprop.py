"""Notebook 08: backpropagation in matrix form, three ways, and what it costs.

Notation (layers count from 0, the input layer; l = 1..L for the weight layers). ``W^(l)``
maps layer l − 1 to layer l and has shape (n_l, n_{l−1}); in code it is ``net.weights[l − 1]``.
A batch is a matrix with one example per row::

    Z^(l) = A^(l−1) W^(l)ᵀ + b^(l)        A^(l) = σ(Z^(l))
    Δ^(L) = ∂C/∂A^(L) ⊙ σ'(Z^(L))
    Δ^(l) = (Δ^(l+1) W^(l+1)) ⊙ σ'(Z^(l))
    ∂C/∂W^(l) = Δ^(l)ᵀ A^(l−1)             ∂C/∂b^(l) = Σ_rows Δ^(l)

What is here:

- :func:`gradients_per_neuron`, :func:`gradients_per_sample`, :func:`gradients_batched`:
  the same gradients written three ways (scalar loops, one example at a time,
  the whole batch at once); ``gradients_batched(..., bug=...)`` plants a classic bug;
- any of them is checked against finite differences by
  ``nncourse.gradcheck.gradient_check(net, X, Y, loss, grads=...)``;
- :func:`count_ops` and :func:`depth_sizes`: multiply-adds of backprop, of one backward
  pass per parameter, and of finite differences;
- :func:`ops_readout` and :func:`op_count_widget`: the depth slider of the notebook;
- :func:`draw_dependency_graph`: the layer-by-layer dependency graph of the gradients.
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets
import numpy as np

from ..activations import Softmax
from ..losses import Loss
from ..network import BACKPROP, BackwardSteps, Network
from .panel import FULL_LABEL, Panel

Grads = tuple[list[np.ndarray], list[np.ndarray]]

BUGS = (None, "no_sigma_prime", "no_transpose")
BUG_STEPS = {None: BACKPROP, "no_sigma_prime": BackwardSteps(hidden_prime=False),
             "no_transpose": BackwardSteps(transpose=False)}


def _setup(net: Network, X, Y, loss: str | Loss):
    X, Y, loss = net.check_data(X, Y, loss)
    for layer in range(net.n_layers):
        if isinstance(net.activation_of(layer), Softmax):
            raise ValueError(
                "These hand-written versions use the elementwise derivative σ'(z); softmax is not "
                "elementwise. Use output_activation='linear' with the cross_entropy loss instead."
            )
    return X, Y, loss


def gradients_per_neuron(net: Network, X, Y, loss: str | Loss = "mse") -> Grads:
    """``(dWs, dbs)`` of the mean loss, with plain Python loops over examples, neurons and weights.

    For each example: a forward pass one neuron at a time (z_j = b_j + Σ_k w_jk a_k),
    then δ_j = ∂C/∂a_j · σ'(z_j) at the output, ∂C/∂w_jk += δ_j a_k, ∂C/∂b_j += δ_j,
    and one layer down δ_k = (Σ_j w_jk δ_j) · σ'(z_k). Slow on purpose: every
    multiply-add is one Python statement. Shapes as in :meth:`Network.gradients`.
    """
    X, Y, loss = _setup(net, X, Y, loss)
    n_batch, L = X.shape[0], net.n_layers
    Ws = [W.tolist() for W in net.weights]
    bs = [b.tolist() for b in net.biases]
    dWs = [[[0.0] * len(row) for row in W] for W in Ws]
    dbs = [[0.0] * len(b) for b in bs]
    for i in range(n_batch):
        a, zs = [X[i].tolist()], []
        for layer in range(L):
            z = []
            for j, row in enumerate(Ws[layer]):
                s = bs[layer][j]
                for k, w in enumerate(row):
                    s += w * a[layer][k]
                z.append(s)
            zs.append(z)
            a.append(net.activation_of(layer).fn(np.array(z)).tolist())
        # ∂C/∂a of this example's output; the loss averages over the batch, hence / n_batch
        grad_a = (loss.grad(np.array([a[L]]), Y[i : i + 1])[0] / n_batch).tolist()
        for layer in range(L - 1, -1, -1):
            slope = net.activation_of(layer).derivative(np.array(zs[layer])).tolist()
            delta = [g * s for g, s in zip(grad_a, slope)]
            for j, d in enumerate(delta):
                dbs[layer][j] += d
                for k in range(len(a[layer])):
                    dWs[layer][j][k] += d * a[layer][k]
            if layer > 0:
                grad_a = []
                for k in range(len(a[layer])):
                    s = 0.0
                    for j, d in enumerate(delta):
                        s += Ws[layer][j][k] * d
                    grad_a.append(s)
    return [np.array(d) for d in dWs], [np.array(d) for d in dbs]


def gradients_per_sample(net: Network, X, Y, loss: str | Loss = "mse") -> Grads:
    """``(dWs, dbs)`` of the mean loss, one example (column vectors) at a time.

    For example i: δ^(L) = ∂C/∂a ⊙ σ'(z^(L)), then δ^(l) = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^(l));
    ∂C/∂W^(l) += δ^(l) (a^(l−1))ᵀ (an outer product), ∂C/∂b^(l) += δ^(l).
    The sum over examples of these, with ∂C/∂a of the mean loss, is the batch gradient.
    """
    X, Y, loss = _setup(net, X, Y, loss)
    n_batch, L = X.shape[0], net.n_layers
    dWs = [np.zeros_like(W) for W in net.weights]
    dbs = [np.zeros_like(b) for b in net.biases]
    for i in range(n_batch):
        a, zs = [X[i]], []
        for layer in range(L):
            zs.append(net.weights[layer] @ a[-1] + net.biases[layer])
            a.append(net.activation_of(layer).fn(zs[-1]))
        delta = loss.grad(a[-1][None, :], Y[i : i + 1])[0] / n_batch * net.activation_of(L - 1).derivative(zs[-1])
        for layer in range(L - 1, -1, -1):
            dWs[layer] += np.outer(delta, a[layer])
            dbs[layer] += delta
            if layer > 0:
                delta = (net.weights[layer].T @ delta) * net.activation_of(layer - 1).derivative(zs[layer - 1])
    return dWs, dbs


def gradients_batched(net: Network, X, Y, loss: str | Loss = "mse", bug: str | None = None) -> Grads:
    """``(dWs, dbs)`` of the mean loss for the whole batch at once (rows are examples).

    Δ^(L) = ∂C/∂A ⊙ σ'(Z^(L));  Δ^(l) = (Δ^(l+1) W^(l+1)) ⊙ σ'(Z^(l));
    ∂C/∂W^(l) = Δ^(l)ᵀ A^(l−1)  (n_l, n_{l−1});  ∂C/∂b^(l) = Σ_rows Δ^(l)  (n_l,).
    These are exactly the lines of ``Network.backprop``, which this calls.

    ``bug`` plants a mistake, to be caught by a gradient check:
    ``"no_sigma_prime"`` drops the σ'(Z^(l)) factor in the hidden layers;
    ``"no_transpose"`` uses Δ^(l+1) W^(l+1)ᵀ, i.e. W δ instead of Wᵀ δ in column form
    (it only runs when that W is square, which is why shapes alone do not catch it).
    """
    if bug not in BUGS:
        raise ValueError(f"bug must be one of {BUGS}; got {bug!r}.")
    X, Y, loss = _setup(net, X, Y, loss)
    zs, acts = net.feedforward(X)
    return net.backprop(zs, acts, loss.grad(acts[-1], Y), BUG_STEPS[bug])


def max_abs_diff(a: Grads, b: Grads) -> float:
    """Largest |difference| between two ``(dWs, dbs)`` gradient sets, over every entry."""
    return max(float(np.max(np.abs(x - y))) for x, y in zip(a[0] + a[1], b[0] + b[1]))


# -- counting multiply-adds --------------------------------------------------------


def count_ops(sizes: Sequence[int], batch: int = 1) -> dict[str, int]:
    """Multiply-adds needed for all gradients of a dense network with layer widths ``sizes``.

    One multiply-add = one product accumulated into a sum. Only the products with weight
    matrices, activations and δ's are counted; elementwise work (σ, σ', ⊙) is O(neurons),
    not O(weights), and left out. With n_l the widths and M = Σ_l n_{l−1} n_l:

    - ``params``: P = Σ_l (n_{l−1} n_l + n_l);
    - ``forward``: M per example;
    - ``backprop``: forward + backward = M + M (∂C/∂W = Δᵀ A) + Σ_{l≥2} n_{l−1} n_l (Δ W), per example;
    - ``per_parameter``: one forward pass, then for every parameter of layer l its own backward
      pass from the output down to layer l with nothing reused: S_l = Σ_{k>l} n_{k−1} n_k,
      plus 1 for a weight (δ_j a_k) and 0 for a bias (∂C/∂b_j = δ_j);
    - ``finite_differences``: two forward passes per parameter, 2 P M per example.
    """
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1 or int(batch) < 1:
        raise ValueError(f"sizes must list at least two widths >= 1 and batch must be >= 1; got {sizes}, {batch}.")
    pairs = [n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    forward = sum(pairs)
    backprop = forward + forward + sum(pairs[1:])
    per_parameter = forward
    for layer, n_out in enumerate(sizes[1:]):
        above = sum(pairs[layer + 1 :])
        per_parameter += pairs[layer] * (above + 1) + n_out * above
    params = forward + sum(sizes[1:])
    batch = int(batch)
    return {
        "params": params,
        "forward": batch * forward,
        "backprop": batch * backprop,
        "per_parameter": batch * per_parameter,
        "finite_differences": batch * 2 * params * forward,
    }


N_INPUT, WIDTH, N_OUTPUT = 64, 32, 10
MAX_DEPTH = 8


def depth_sizes(depth: int) -> list[int]:
    """Layer widths of the slider's network: 64 inputs, ``depth`` hidden layers of 32, 10 outputs."""
    depth = int(depth)
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be an integer from 1 to {MAX_DEPTH}; got {depth!r}.")
    return [N_INPUT] + [WIDTH] * depth + [N_OUTPUT]


def ops_readout(depth: int) -> str:
    """The depth slider's readout: multiply-adds per example for ``depth_sizes(depth)``.

    Pure: the same depth always gives the same HTML string.
    """
    sizes = depth_sizes(depth)
    c = count_ops(sizes)
    rows = [
        ("backprop (forward + backward)", c["backprop"]),
        ("one backward pass per parameter", c["per_parameter"]),
        ("finite differences (2 forward passes per parameter)", c["finite_differences"]),
    ]
    body = "".join(
        f"<tr><td>{name}</td><td style='text-align:right'>{value:,}</td>"
        f"<td style='text-align:right'>{value / c['backprop']:,.1f}×</td></tr>"
        for name, value in rows
    )
    return (
        f"<div><b>{'-'.join(map(str, sizes))}</b>: {c['params']:,} parameters, "
        f"forward pass {c['forward']:,} multiply-adds per example"
        f"<table><tr><th>method</th><th>multiply-adds</th><th>vs backprop</th></tr>{body}</table></div>"
    )


class OpCountWidget:
    """Slider over the number of hidden layers with a readout of the operation counts.

    ``slider`` (IntSlider), ``readout`` (HTML with class ``nncourse-readout``, always
    ``ops_readout(slider.value)``), ``box`` (what to display).
    """

    def __init__(self, description: str = "hidden layers", value: int = 1):
        self.slider = widgets.IntSlider(value=value, min=1, max=MAX_DEPTH, step=1, description=description,
                                        style=FULL_LABEL)
        self.readout = widgets.HTML(value=ops_readout(value))
        self.readout.add_class("nncourse-readout")
        self.slider.observe(self._update, names="value")
        self.box = Panel(
            [self.slider, self.readout],
            "OpCountWidget(hidden layers slider, multiply-add readout)",
        )

    def _update(self, change) -> None:
        self.readout.value = ops_readout(change["new"])


op_count_widget = OpCountWidget  # the name the notebooks call


# -- the dependency graph ----------------------------------------------------------


def _graph_layout(L: int, dx: float) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """Where each box of :func:`draw_dependency_graph` sits, and its label."""
    pos: dict[str, tuple[float, float]] = {"A0": (0.0, 2.0)}
    labels = {"A0": "X = A$^{(0)}$", "C": "C"}
    for layer in range(1, L + 1):
        pos[f"Z{layer}"] = (dx * (2 * layer - 1), 2.0)
        pos[f"A{layer}"] = (dx * 2 * layer, 2.0)
        pos[f"d{layer}"] = (dx * (2 * layer - 1), 0.8)
        pos[f"g{layer}"] = (dx * (2 * layer - 1) - dx * 0.5, -0.4)
        labels[f"Z{layer}"] = f"Z$^{{({layer})}}$"
        labels[f"A{layer}"] = f"A$^{{({layer})}}$"
        labels[f"d{layer}"] = f"Δ$^{{({layer})}}$"
        labels[f"g{layer}"] = f"∂C/∂W$^{{({layer})}}$, ∂C/∂b$^{{({layer})}}$"
    pos["C"] = (dx * (2 * L + 1), 2.0)
    return pos, labels


def draw_dependency_graph(n_layers: int = 3, ax=None):
    """Draw which quantities each gradient needs, for a network with ``n_layers`` weight layers.

    Top row, left to right: the forward pass A^(0) → Z^(1) → A^(1) → … → C.
    Bottom row, right to left: δ^(L), …, δ^(1), each computed from the one to its right
    (reuse). ∂C/∂W^(l) and ∂C/∂b^(l) hang off δ^(l) and A^(l−1). Returns ``ax``.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 3.6))
    L, dx = int(n_layers), 2.0
    pos, labels = _graph_layout(L, dx)
    colours = {"A": "#dbe9f6", "Z": "#dbe9f6", "C": "#f6dbdb", "d": "#fde3c8", "g": "#e2f0d9"}

    def arrow(a: str, b: str, colour: str, style: str = "-|>", rad: float = 0.0) -> None:
        ax.annotate("", xy=pos[b], xytext=pos[a],
                    arrowprops={"arrowstyle": style, "color": colour, "lw": 1.4, "shrinkA": 17, "shrinkB": 17,
                                "connectionstyle": f"arc3,rad={rad}"})

    chain = ["A0"] + [n for layer in range(1, L + 1) for n in (f"Z{layer}", f"A{layer}")] + ["C"]
    for a, b in zip(chain[:-1], chain[1:]):
        arrow(a, b, "black")
    arrow("C", f"d{L}", "#e8710a", rad=-0.25)
    arrow(f"Z{L}", f"d{L}", "#e8710a")
    for layer in range(L, 0, -1):
        arrow(f"d{layer}", f"g{layer}", "#2e7d32")
        arrow(f"A{layer - 1}", f"g{layer}", "#2e7d32", rad=0.0)
        if layer > 1:
            arrow(f"d{layer}", f"d{layer - 1}", "#e8710a")
            arrow(f"Z{layer - 1}", f"d{layer - 1}", "#e8710a")
            ax.text(dx * (2 * layer - 2), 0.92, f"·W$^{{({layer})}}$ ⊙ σ'", ha="center", va="bottom",
                    fontsize=8, color="#e8710a")
    for name, (x, y) in pos.items():
        w = 1.5 if name.startswith("g") else (1.1 if name == "A0" else 0.9)
        ax.add_patch(FancyBboxPatch((x - w / 2, y - 0.3), w, 0.6, boxstyle="round,pad=0.05",
                                    fc=colours[name[0]], ec="#555555", zorder=2))
        ax.text(x, y, labels[name], ha="center", va="center", fontsize=8 if name.startswith("g") else 10, zorder=3)
    for layer in range(1, L + 1):
        ax.text(dx * (2 * layer - 1) + 0.1, 2.55, f"W$^{{({layer})}}$, b$^{{({layer})}}$", ha="center", fontsize=8,
                color="#444444")
    ax.text(pos["C"][0], -0.4, "black: forward pass\norange: backward pass (δ reused)\ngreen: gradients",
            ha="center", va="center", fontsize=8)
    ax.set_xlim(-1.0, pos["C"][0] + 1.2)
    ax.set_ylim(-0.9, 2.9)
    ax.axis("off")
    return ax
