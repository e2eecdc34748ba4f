"""Notebook 03: gradient descent, θ ← θ − lr·∇C(θ), and what the learning rate does to it.

Two test surfaces share one stability threshold, so one learning-rate slider drives both:

- the parabola C(θ) = θ² (curvature C'' = 2), started at θ = 1.25 where the slope is 2.5;
- the elongated bowl C(x, y) = 0.1·x² + y² (curvatures 0.2 along x and 2 along y), started at (−4, 1.5).

On a quadratic C(θ) = ½·k·θ² with curvature k, one step gives θ ← θ − lr·k·θ = r·θ with the
factor r = 1 − lr·k, so θ_t = r^t·θ_0. The regime follows from r alone (not from a run of some
length): 0 < r < 1 converges monotonically, r = 0 lands in one step, −1 < r < 0 converges while
oscillating, r = −1 bounces for ever, |r| > 1 diverges. Stable exactly when |r| < 1, i.e.
0 < lr < 2/k (here lr < 1).

Pure functions (numbers the widget shows, computable without a screen):

- :func:`descend` -- the path θ_0, θ_1, ..., θ_n of plain gradient descent;
- :func:`factor`, :func:`regime`, :func:`steps_needed` -- r = 1 − lr·k, its regime, and the steps
  until the distance to the minimum is below TOL times the start;
- :func:`parabola_position` -- θ after n steps on the parabola;
- :func:`readout_html` / :func:`lr_readout` -- the widget's readout.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from .formatting import fixed
from .formatting import snap as snap_to
from .panel import FULL_LABEL, SliderPanel, png

#: The parabola C(θ) = θ²: curvature, start (slope 2 × 1.25 = 2.5 there) and minimum.
PARABOLA_K = 2.0
PARABOLA_START = 1.25
#: The bowl C(x, y) = ½(0.2·x² + 2·y²) = 0.1·x² + y²: curvatures along x and y, start, minimum at (0, 0).
BOWL_K = (0.2, 2.0)
BOWL_START = (-4.0, 1.5)
#: Steps the widget draws, and the fraction of the starting distance that counts as "arrived"
#: (only for :func:`steps_needed`; the regime does not depend on either).
N_STEPS = 50
TOL = 1e-3
#: The learning-rate slider.
LR_MIN, LR_MAX, LR_STEP = 0.01, 1.10, 0.01

#: The regimes of θ_t = r^t·θ_0, in the order of falling r (see :func:`regime`).
REGIMES = (
    "does not move",           # r = 1 (lr = 0)
    "converges monotonically",  # 0 < r < 1
    "lands in one step",        # r = 0
    "converges, oscillating",   # −1 < r < 0
    "bounces for ever",         # r = −1: neither converges nor diverges
    "diverges",                 # |r| > 1
)


def parabola(theta):
    """C(θ) = θ²."""
    return np.asarray(theta, dtype=float) ** 2


def parabola_grad(theta):
    """dC/dθ = 2θ."""
    return 2.0 * np.asarray(theta, dtype=float)


def bowl(x, y):
    """C(x, y) = 0.1·x² + y² (numbers or arrays of the same shape)."""
    return 0.1 * np.asarray(x, dtype=float) ** 2 + np.asarray(y, dtype=float) ** 2


def bowl_grad(theta):
    """∇C(x, y) = (0.2·x, 2·y) for θ = (x, y), shape (2,)."""
    theta = np.asarray(theta, dtype=float)
    return np.array([BOWL_K[0] * theta[0], BOWL_K[1] * theta[1]])


def two_minima(theta):
    """C(θ) = θ⁴ − 3θ² + θ: a global minimum near θ = −1.30 and a local one near θ = 1.13."""
    theta = np.asarray(theta, dtype=float)
    return theta**4 - 3.0 * theta**2 + theta


def two_minima_grad(theta):
    """dC/dθ = 4θ³ − 6θ + 1."""
    theta = np.asarray(theta, dtype=float)
    return 4.0 * theta**3 - 6.0 * theta + 1.0


def threshold(curvature: float) -> float:
    """The largest stable learning rate on a quadratic with this curvature: 2 / curvature (exclusive)."""
    return 2.0 / curvature


def descend(grad: Callable, theta0, lr: float, steps: int) -> np.ndarray:
    """The path of gradient descent θ_{t+1} = θ_t − lr·grad(θ_t), t = 0 .. steps − 1.

    Returns an array of shape (steps + 1,) + shape(theta0): row t is θ_t, row 0 the start.
    A diverging path may overflow to inf/nan; numpy is told not to warn about it.
    """
    theta = np.array(theta0, dtype=float)
    path = np.empty((steps + 1,) + theta.shape)
    path[0] = theta
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            theta = theta - lr * grad(theta)
            path[t + 1] = theta
    return path


def factor(lr: float, curvature: float) -> float:
    """r = 1 − lr·curvature: one gradient-descent step on ½·k·θ² maps θ to r·θ."""
    return 1.0 - float(lr) * float(curvature)


def regime(r: float, eps: float = 1e-12) -> str:
    """The regime of θ_t = r^t·θ_0, one of :data:`REGIMES`, from the factor r alone.

    |r| > 1 diverges; r = −1 bounces between ±θ_0; −1 < r < 0 converges with θ changing sign at
    every step; r = 0 lands on the minimum in one step; 0 < r < 1 converges without changing sign;
    r = 1 does not move. Equalities are tested to within ``eps`` (floating-point rounding of 1 − lr·k).
    """
    r = float(r)
    if not math.isfinite(r):
        raise ValueError(f"The factor r must be a finite number; got {r}. Compute it as 1 − lr·curvature.")
    if abs(r - 1.0) <= eps:
        return "does not move"
    if abs(r + 1.0) <= eps:
        return "bounces for ever"
    if abs(r) > 1.0:
        return "diverges"
    if abs(r) <= eps:
        return "lands in one step"
    return "converges monotonically" if r > 0 else "converges, oscillating"


def steps_needed(r: float, tol: float = TOL, eps: float = 1e-12) -> int | None:
    """The fewest steps t with |r|^t ≤ tol, i.e. ⌈ln(1/tol) / ln(1/|r|)⌉; None if |r| ≥ 1 (never)."""
    size = abs(float(r))
    if size <= eps:
        return 1
    if size >= 1.0 - eps:
        return None
    t = max(1, math.ceil(math.log(tol) / math.log(size)))
    while size**t > tol:  # guard the ceiling against rounding, both ways
        t += 1
    while t > 1 and size ** (t - 1) <= tol:
        t -= 1
    return t


def parabola_regime(lr: float) -> str:
    """The regime on the parabola θ² (curvature 2): :func:`regime` of r = 1 − 2·lr."""
    return regime(factor(lr, PARABOLA_K))


def bowl_regimes(lr: float) -> tuple[str, str]:
    """The regimes along x and along y on the bowl (curvatures 0.2 and 2)."""
    return tuple(regime(factor(lr, k)) for k in BOWL_K)


def describe(r: float) -> str:
    """The regime of r and, if it converges, the steps it needs: "converges, oscillating (112 steps to 0.1%)"."""
    name, n = regime(r), steps_needed(r)
    if n is None or name == "lands in one step":
        return name
    return f"{name} ({n} steps to {TOL:.1%})"


def snap(lr: float, step: float = LR_STEP) -> float:
    """``lr`` rounded to the slider grid (0.01), so 0.30000000000000004 reads as 0.3."""
    return snap_to(lr, step)


def parabola_path(lr: float, steps: int = N_STEPS) -> np.ndarray:
    """The path on C(θ) = θ² from θ = 1.25, shape (steps + 1,)."""
    return descend(parabola_grad, PARABOLA_START, lr, steps)


def bowl_path(lr: float, steps: int = N_STEPS) -> np.ndarray:
    """The path on the bowl from (−4, 1.5), shape (steps + 1, 2)."""
    return descend(bowl_grad, BOWL_START, lr, steps)


def parabola_position(lr: float, steps: int = N_STEPS) -> float:
    """θ after ``steps`` steps on C(θ) = θ² from 1.25; exactly 1.25·(1 − 2·lr)^steps."""
    return float(parabola_path(lr, steps)[-1])


def fmt(v: float) -> str:
    """Fixed format: 6 decimals below 10⁴ in size, else scientific with 4; never "-0.000000"."""
    v = float(v)
    if not math.isfinite(v) or abs(v) >= 1e4:
        return f"{v:.4e}"
    return fixed(v, 6)


def readout_html(lr: float) -> str:
    """The widget's readout at learning rate ``lr`` (snapped to 0.01): both surfaces after N_STEPS steps.

    Pure: the same lr always gives the same string.
    """
    lr = snap(lr)
    p = parabola_path(lr)
    b = bowl_path(lr)
    r = factor(lr, PARABOLA_K)
    rx, ry = (factor(lr, k) for k in BOWL_K)
    return (
        f"<div>lr = {lr:.2f}, {N_STEPS} steps drawn (stable for lr &lt; 2/curvature = {threshold(PARABOLA_K):.2f})<br>"
        f"parabola C = θ², from θ = {PARABOLA_START}: θ = <b>{fmt(p[-1])}</b> after {N_STEPS} steps; "
        f"r = 1 − 2·lr = {fmt(r)}: <b>{describe(r)}</b><br>"
        f"bowl C = 0.1x² + y², from ({BOWL_START[0]}, {BOWL_START[1]}): (x, y) = "
        f"(<b>{fmt(b[-1, 0])}</b>, <b>{fmt(b[-1, 1])}</b>) after {N_STEPS} steps; "
        f"along x r = 1 − 0.2·lr = {fmt(rx)}: <b>{describe(rx)}</b>; "
        f"along y r = 1 − 2·lr = {fmt(ry)}: <b>{describe(ry)}</b></div>"
    )


def lr_readout(lr: float) -> str:
    """The browser test's readout function: :func:`readout_html` of the slider's value."""
    return readout_html(lr)


def draw_parabola(ax, lr: float, steps: int = N_STEPS, title: str | None = None):
    """The parabola C(θ) = θ² with the descent path at ``lr`` (fixed limits: a diverging path leaves the box)."""
    p = parabola_path(lr, steps)
    t = np.linspace(-2.0, 2.0, 401)
    ax.plot(t, parabola(t), color="#1f77b4", lw=2)
    with np.errstate(over="ignore", invalid="ignore"):
        ax.plot(p, parabola(p), "o-", color="#e8710a", ms=3, lw=0.8)
    ax.plot([p[0]], [parabola(p[0])], "ks", ms=5)
    ax.set_xlim(-2.0, 2.0)
    ax.set_ylim(-0.2, 4.0)
    ax.set_xlabel("θ")
    ax.set_ylabel("C(θ) = θ²")
    ax.set_title(title if title is not None else f"parabola: {parabola_regime(lr)}", fontsize=9)
    return ax


def draw_bowl(ax, lr: float, steps: int = N_STEPS, title: str | None = None):
    """Contours of the bowl 0.1x² + y² with the descent path at ``lr`` from (−4, 1.5); the star is the minimum."""
    b = bowl_path(lr, steps)
    xs, ys = np.linspace(-5, 5, 201), np.linspace(-2.5, 2.5, 121)
    XX, YY = np.meshgrid(xs, ys)
    ax.contour(XX, YY, bowl(XX, YY), levels=[0.05, 0.2, 0.5, 1, 2, 3, 4, 5], cmap="viridis", linewidths=0.8)
    ax.plot(b[:, 0], b[:, 1], "o-", color="#e8710a", ms=3, lw=0.8)
    ax.plot([b[0, 0]], [b[0, 1]], "ks", ms=5)
    ax.plot([0], [0], "k*", ms=8)
    ax.set_xlim(-5, 5)
    ax.set_ylim(-2.5, 2.5)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    x_regime, y_regime = bowl_regimes(lr)
    ax.set_title(title if title is not None else f"bowl, x: {x_regime}; y: {y_regime}", fontsize=9)
    return ax


def draw_paths(axes, lr: float, steps: int = N_STEPS):
    """Both pictures at ``lr`` on two matplotlib axes (parabola, bowl); return ``axes``."""
    draw_parabola(axes[0], lr, steps)
    draw_bowl(axes[1], lr, steps)
    return axes


def paths_png(lr: float) -> bytes:
    """PNG bytes of :func:`draw_paths` at the snapped ``lr`` (no pyplot state is touched)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lr = snap(lr)
    fig = Figure(figsize=(8, 3.2))
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    draw_paths(axes, lr)
    fig.suptitle(f"gradient descent, lr = {lr:.2f}, {N_STEPS} steps", fontsize=10)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.84, wspace=0.25)
    return png(fig)


class LearningRateExplorer(SliderPanel):
    """One learning-rate slider; the readout and both paths follow.

    Attributes: ``slider`` (FloatSlider, step 0.01), ``readout`` (HTML with class
    ``nncourse-readout``, always ``readout_html(slider.value)``), ``picture`` (Image), ``box``.
    """

    def __init__(self, description: str = "learning rate", lr: float = 0.1):
        self.slider = widgets.FloatSlider(value=snap(lr), min=LR_MIN, max=LR_MAX, step=LR_STEP,
                                          readout_format=".2f", description=description,
                                          continuous_update=True, style=FULL_LABEL)
        super().__init__([self.slider], "LearningRateExplorer(move lr, watch descent on a parabola and a bowl)",
                         width=640, readout=readout_html, picture=paths_png)


learning_rate_explorer = LearningRateExplorer  # the name the notebooks call
