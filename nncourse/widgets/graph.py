"""Notebook 07: computational graphs of :class:`nncourse.autograd.Value`, drawn and stepped through.

- :func:`layers` and :func:`positions` -- a layered layout from the topological order
  (a node's layer is one more than its deepest parent's; leaves are layer 0);
- :func:`draw_graph` -- boxes with label, data and grad, each operation in a circle on
  the edges into its result (matplotlib only, no graphviz);
- :func:`backward_steps` -- the backward pass, one node at a time, with every
  "local × upstream" product it adds to a parent (plain data, testable without a screen);
- :func:`readout_html` -- the pure readout of one step;
- :func:`step_through` -- the widget: a slider over the steps, the readout and the picture;
  :func:`lecture_readout` is its readout for the notebook's first graph (:func:`lecture_example`);
- :func:`draw_layer_graph` -- one dense layer as a graph with matrix nodes (section 08's form).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..autograd import Value, topological_order, zero_grad
from .panel import StepPanel, frame_diagram, png
from .worked_example import HIGHLIGHT, PLAIN_EDGE, PLAIN_NODE, fmt

DONE_NODE = "#d6efd0"  # a node whose gradient is complete
BOX_W, BOX_H, DX = 1.5, 0.78, 2.4  # box size and the distance between layers


def name_of(node: Value) -> str:
    """How a node is called in pictures and readouts: its label, else its operation, else its number."""
    if node.label:
        return node.label
    return f"({node.op})" if node.op else f"{node.data:g}"


def layers(root: Value) -> dict[int, int]:
    """``id(node) -> layer``: 0 for leaves, else 1 + the largest layer among the node's parents."""
    layer: dict[int, int] = {}
    for node in topological_order(root):  # parents come first, so their layers are known
        layer[id(node)] = 1 + max((layer[id(p)] for p in node.parents), default=-1)
    return layer


def positions(root: Value) -> dict[int, tuple[float, float]]:
    """``id(node) -> (x, y)``: one column per layer, nodes in a column in topological order, top down."""
    layer = layers(root)
    columns: dict[int, list[Value]] = {}
    for node in topological_order(root):
        columns.setdefault(layer[id(node)], []).append(node)
    pos = {}
    for col, nodes in columns.items():
        for row, node in enumerate(nodes):
            pos[id(node)] = (col * DX, (len(nodes) - 1) / 2 - row)
    return pos


def draw_graph(
    root: Value,
    ax=None,
    show_grad: bool = True,
    grads: dict[int, float] | None = None,
    highlight: Value | None = None,
    done: tuple[Value, ...] = (),
    title: str | None = None,
):
    """Draw the graph of ``root`` on ``ax`` (a new figure if None); return ``ax``.

    Each box shows the node's name, ``data`` and (with ``show_grad``) ``grad``, or the
    gradients in ``grads`` (``id(node) -> grad``, e.g. a step of :func:`backward_steps`).
    ``highlight`` is drawn in orange, the nodes in ``done`` in green.
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4))
    pos = positions(root)
    layer = layers(root)
    done_ids = {id(n) for n in done}
    for node in topological_order(root):
        x, y = pos[id(node)]
        hot = highlight is node
        if node.parents:  # the operation sits in a circle just before its result
            ox = x - BOX_W / 2 - 0.35
            for parent in node.parents:
                px, py = pos[id(parent)]
                ax.annotate("", xy=(ox - 0.18, y), xytext=(px + BOX_W / 2, py), zorder=1,
                            arrowprops={"arrowstyle": "-|>", "color": HIGHLIGHT if hot else PLAIN_EDGE,
                                        "lw": 2 if hot else 1.1, "shrinkA": 0, "shrinkB": 0,
                                        # an edge that skips a layer bends around the boxes between
                                        "connectionstyle": f"arc3,rad={skip_bend(layer, node, parent)}"})
            ax.plot([ox + 0.18, x - BOX_W / 2], [y, y], color=PLAIN_EDGE, lw=1.1, zorder=1)
            ax.add_patch(_circle((ox, y), 0.18, HIGHLIGHT if hot else "white"))
            ax.text(ox, y, node.op, ha="center", va="center", fontsize=8, zorder=4)
        grad = grads.get(id(node), 0.0) if grads is not None else node.grad
        lines = [name_of(node), f"data {fmt(node.data, 4)}"] + ([f"grad {fmt(grad, 4)}"] if show_grad else [])
        face = HIGHLIGHT if hot else DONE_NODE if id(node) in done_ids else PLAIN_NODE
        ax.add_patch(_box((x, y), face, hot))
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=7.5, zorder=4)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    return frame_diagram(ax, (min(xs) - BOX_W, max(xs) + BOX_W), (min(ys) - 0.7, max(ys) + 0.7), title)


def skip_bend(layer: dict[int, int], node: Value, parent: Value) -> float:
    """How much an edge bends: 0 between neighbouring layers, more the more layers it skips."""
    skipped = layer[id(node)] - layer[id(parent)] - 1
    return 0.0 if skipped <= 0 else -min(0.25 + 0.05 * skipped, 0.45)


def _box(center, face, hot=False):
    from matplotlib.patches import FancyBboxPatch

    x, y = center
    return FancyBboxPatch((x - BOX_W / 2, y - BOX_H / 2), BOX_W, BOX_H, boxstyle="round,pad=0.04",
                          fc=face, ec="black" if hot else "#555555", lw=2 if hot else 1, zorder=2)


def _circle(xy, r, face):
    from matplotlib.patches import Circle

    return Circle(xy, r, fc=face, ec="#555555", zorder=3)


# -- the backward pass, one node at a time -------------------------------------


@dataclass(frozen=True)
class Contribution:
    """What one node sends one parent: ``local`` × ``upstream`` = ``amount``, added to its grad."""

    parent: Value
    local: float
    amount: float
    before: float  # parent.grad before the addition
    after: float  # parent.grad after it


@dataclass(frozen=True)
class BackwardStep:
    """One node's turn in the backward pass: its gradient (``upstream``) and what it passes on.

    ``grads`` maps ``id(node)`` to every node's gradient after this step.
    """

    index: int
    node: Value
    upstream: float
    contributions: tuple[Contribution, ...]
    grads: dict[int, float]
    total: int  # number of steps (nodes)
    result: str  # the name of the value being differentiated


def backward_steps(root: Value) -> list[BackwardStep]:
    """Run ``root``'s backward pass node by node, in reverse topological order, and record each step.

    Afterwards every node's ``grad`` is what ``root.backward()`` gives from zero gradients.
    """
    order = topological_order(root)
    zero_grad(root)
    root.grad = 1.0  # the seed: ∂root/∂root = 1
    steps = []
    for index, node in enumerate(reversed(order)):
        before = [p.grad for p in node.parents]
        node._backward()  # the engine's own step: parent.grad += local × node.grad
        sent = tuple(Contribution(p, d, d * node.grad, b, 0.0) for p, d, b in zip(node.parents, node.local, before))
        # a parent used twice (x × x) is updated twice: report each addition against the running sum
        running: dict[int, float] = {}
        fixed = []
        for c in sent:
            start = running.get(id(c.parent), c.before)
            running[id(c.parent)] = start + c.amount
            fixed.append(Contribution(c.parent, c.local, c.amount, start, start + c.amount))
        grads = {id(n): n.grad for n in order}
        steps.append(BackwardStep(index, node, node.grad, tuple(fixed), grads, len(order), name_of(root)))
    return steps


def readout_html(step: BackwardStep) -> str:
    """The step-through widget's readout for one step: "local × upstream" for each parent. Pure."""
    me = name_of(step.node)
    head = f"<b>Step {step.index + 1} of {step.total}: node {me}</b>"
    if step.index == 0:
        head += f" (the result: its gradient is seeded, ∂{me}/∂{me} = 1)"
    lines = [head, f"upstream gradient: ∂{step.result}/∂{me} = {fmt(step.upstream)}"]
    if not step.contributions:
        lines.append(f"{me} is a leaf (an input, a parameter or a constant): nothing to pass on; "
                     "its gradient is complete.")
    for c in step.contributions:
        p = name_of(c.parent)
        lines.append(f"to {p}: local ∂{me}/∂{p} = {fmt(c.local)} × upstream {fmt(step.upstream)} "
                     f"= {fmt(c.amount)}; {p}.grad += {fmt(c.amount)}: {fmt(c.before)} → {fmt(c.after)}")
    return "<div>" + "<br>".join(lines) + "</div>"


def lecture_example() -> Value:
    """Notebook 07's first graph, f = (a·b + a)² with a = 2, b = −3: c = a·b, d = c + a, f = d²."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    f = d**2
    f.label = "f"
    return f


def lecture_readout(step: int) -> str:
    """The readout of notebook 07's step-through widget at slider value ``step`` (0 to 4). Pure."""
    steps = backward_steps(lecture_example())
    if not 0 <= int(step) < len(steps):
        raise ValueError(f"step must be an integer from 0 to {len(steps) - 1}; got {step!r}.")
    return readout_html(steps[int(step)])


def step_picture(root: Value, step: BackwardStep) -> bytes:
    """PNG bytes of the graph after ``step``: the node in orange, finished nodes in green."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width = (max(layers(root).values()) + 1) * 1.9 + 0.5
    fig = Figure(figsize=(width, 3.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    order = list(reversed(topological_order(root)))
    draw_graph(root, ax, grads=step.grads, highlight=step.node, done=tuple(order[: step.index]),
               title=f"backward pass, step {step.index + 1}: node {name_of(step.node)}")
    fig.subplots_adjust(left=0, right=1, bottom=0, top=0.9)
    return png(fig, dpi=90)


class StepThrough(StepPanel):
    """The step-through widget: "previous" / "next node" buttons drive a slider over the backward steps.

    Attributes: ``steps`` (from :func:`backward_steps`), ``slider`` (IntSlider, description "node"),
    ``readout`` (HTML, class ``nncourse-readout``, always ``readout_html(steps[slider.value])``),
    ``picture`` (Image), ``previous`` and ``next`` (Buttons), ``box`` (the whole widget).
    """

    def __init__(self, root: Value, description: str = "node"):
        self.root = root
        self.steps = backward_steps(root)
        super().__init__(len(self.steps), description, "next node",
                         f"StepThrough(backward pass of {name_of(root)}, {len(self.steps)} nodes, one per step)",
                         width=760)

    def readout_html(self) -> str:
        return readout_html(self.steps[self.slider.value])

    def picture_png(self) -> bytes:
        return step_picture(self.root, self.steps[self.slider.value])


def step_through(root: Value, description: str = "node") -> StepThrough:
    """Build the step-through widget for ``root``'s backward pass; display its ``.box``."""
    if not isinstance(root, Value):
        raise TypeError(f"step_through needs the Value whose gradients you want; got {type(root).__name__}.")
    return StepThrough(root, description)


# -- one dense layer with matrix nodes (section 08) ----------------------------


LAYER_NODES = {  # name -> (x, y, text)
    "A": (0.0, 1.3, "A^(l−1)\n(B, n_in)"),
    "W": (0.0, 0.0, "W^(l)\n(n_out, n_in)"),
    "b": (0.0, -1.3, "b^(l)\n(n_out,)"),
    "Z": (3.4, 0.0, "Z^(l)\n(B, n_out)"),
    "A_out": (6.2, 0.0, "A^(l)\n(B, n_out)"),
}


def draw_layer_graph(ax=None, title: str | None = None):
    """One dense layer as a graph with matrix nodes: Z = A Wᵀ + b, then A_out = σ(Z).

    Under each edge, the gradient the backward pass sends along it, from dZ = ∂C/∂Z (B, n_out):
    dA^(l−1) = dZ W (B, n_in), dW = dZᵀ A^(l−1) (n_out, n_in), db = Σ_rows dZ (n_out,),
    and dZ = dA^(l) ⊙ σ′(Z).
    """
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 3.6))
    backward = {"A": "dA^(l−1) = dZ W", "W": "dW = dZᵀ A^(l−1)", "b": "db = Σ_rows dZ"}
    for x, y, text in LAYER_NODES.values():
        ax.add_patch(_box((x, y), PLAIN_NODE))
        ax.text(x, y, text, ha="center", va="center", fontsize=8, zorder=4)
    zx, zy = LAYER_NODES["Z"][:2]
    ox = zx - BOX_W / 2 - 0.75
    for name, formula in backward.items():
        x, y = LAYER_NODES[name][:2]
        ax.annotate("", xy=(ox - 0.45, zy), xytext=(x + BOX_W / 2, y), zorder=1,
                    arrowprops={"arrowstyle": "-|>", "color": PLAIN_EDGE, "shrinkA": 0, "shrinkB": 0})
        ax.text(x, y - BOX_H / 2 - 0.06, "back: " + formula, ha="center", va="top", fontsize=8,
                color=HIGHLIGHT, zorder=4)
    ax.add_patch(_circle((ox, zy), 0.45, "white"))
    ax.text(ox, zy, "A Wᵀ + b", ha="center", va="center", fontsize=7, zorder=4)
    ax.plot([ox + 0.45, zx - BOX_W / 2], [zy, zy], color=PLAIN_EDGE, lw=1.1, zorder=1)
    ax2x = LAYER_NODES["A_out"][0]
    sx = (zx + ax2x) / 2
    ax.plot([zx + BOX_W / 2, ax2x - BOX_W / 2], [zy, zy], color=PLAIN_EDGE, lw=1.1, zorder=1)
    ax.add_patch(_circle((sx, zy), 0.22, "white"))
    ax.text(sx, zy, "σ", ha="center", va="center", fontsize=9, zorder=4)
    ax.text(sx, zy - 0.45, "back: dZ = dA^(l) ⊙ σ′(Z)", ha="center", va="top", fontsize=8, color=HIGHLIGHT)
    ax.text(ax2x + BOX_W / 2 + 0.15, zy, "→ … → C", ha="left", va="center", fontsize=9)
    return frame_diagram(ax, (-1.0, ax2x + 2.0), (-2.1, 1.9), title)
