"""Notebook 02: partial derivatives, the gradient vector and the direction of steepest ascent.

The running example is f(x, y) = x·y + x², whose partial derivatives are
∂f/∂x = y + 2x (hold y fixed) and ∂f/∂y = x (hold x fixed). At (3, −3):
f = 0, ∇f = (3, 3).

Pure functions (numbers the widget shows, computable without a screen):

- :func:`f`, :func:`grad_f` -- the function and its hand-derived gradient;
- :func:`directional_derivative` -- D_u f = ∇f · u for a unit vector u;
- :func:`directional_scan` -- D_u f by central differences over many unit directions;
- :func:`readout_html` / :func:`point_readout` -- the widget's readout.

The widget :class:`GradientExplorer` moves the point with two sliders and draws ∇f
(steepest ascent) and −∇f (steepest descent) on a contour plot.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from .formatting import fixed
from .formatting import snap as snap_to
from .panel import FULL_LABEL, SliderPanel, figure_png

#: Where the widget starts: the example point of the seeds.
X0, Y0 = 3.0, -3.0
#: The sliders' range and step, and the plotted square.
LO, HI, STEP = -4.0, 4.0, 0.1


def f(x, y):
    """f(x, y) = x·y + x² (numbers or arrays of the same shape)."""
    return x * y + x**2


def grad_f(x: float, y: float) -> tuple[float, float]:
    """∇f(x, y) = (∂f/∂x, ∂f/∂y) = (y + 2x, x)."""
    return (y + 2.0 * x, x)


def snap(v: float, step: float = STEP) -> float:
    """``v`` rounded to the slider grid (0.1), so 0.30000000000000004 reads as 0.3."""
    return snap_to(v, step)


def num(v: float) -> str:
    """``v`` with 6 decimals, never "-0.000000" (a tiny negative rounding residue prints as 0.000000)."""
    return fixed(v, 6)


def directional_derivative(grad: tuple[float, float], angle: float) -> float:
    """D_u f = ∇f · u for the unit vector u = (cos angle, sin angle), angle in radians."""
    return grad[0] * math.cos(angle) + grad[1] * math.sin(angle)


def directional_scan(func: Callable[[float, float], float], x: float, y: float, n: int = 3600,
                     h: float = 1e-6) -> tuple[np.ndarray, np.ndarray]:
    """``(angles, slopes)``: the slope of ``func`` at (x, y) along n unit directions, by central differences.

    angles[i] = 2π·i/n (radians); slopes[i] = (func(p + h·u) − func(p − h·u)) / 2h with
    u = (cos angles[i], sin angles[i]). No derivative formula is used.
    """
    angles = 2.0 * np.pi * np.arange(n) / n
    ux, uy = np.cos(angles), np.sin(angles)
    slopes = (func(x + h * ux, y + h * uy) - func(x - h * ux, y - h * uy)) / (2.0 * h)
    return angles, slopes


def readout_html(x: float, y: float) -> str:
    """The widget's readout at (x, y), both snapped to the 0.1 grid: f, ∇f, |∇f| and its direction.

    Pure: the same point always gives the same string; numbers have 6 decimals
    (the angle, measured from the +x axis, has 2).
    """
    x, y = snap(x), snap(y)
    gx, gy = grad_f(x, y)
    norm = math.hypot(gx, gy)
    if norm > 0:
        tail = (f"steepest ascent at {math.degrees(math.atan2(gy, gx)):.2f}° from the +x axis; "
                f"steepest descent along −∇f = ({num(-gx)}, {num(-gy)})")
    else:
        tail = "a flat point (∇f = 0): no direction is steepest"
    return (
        f"<div>at (x, y) = ({x:.1f}, {y:.1f}): f = x·y + x² = <b>{num(f(x, y))}</b><br>"
        f"∇f = (y + 2x, x) = (<b>{num(gx)}</b>, <b>{num(gy)}</b>), |∇f| = {num(norm)}, "
        f"{tail}</div>"
    )


def point_readout(x: float) -> str:
    """The readout when only the x slider moves and y stays at its start, −3 (the browser test's function)."""
    return readout_html(x, Y0)


def draw_gradient(ax, x: float, y: float, levels: int = 21, scale: float = 0.25, labels: bool = False):
    """Contours of f on [LO, HI]², the point (x, y), ∇f (ascent, orange) and −∇f (descent, green); return ``ax``.

    Both arrows are drawn ``scale`` times their true length. ``labels`` writes each contour's value on it
    (slow to draw, so the widget leaves it off).
    """
    t = np.linspace(LO, HI, 121)
    XX, YY = np.meshgrid(t, t)
    cs = ax.contour(XX, YY, f(XX, YY), levels=levels, cmap="viridis", linewidths=0.8)
    if labels:
        ax.clabel(cs, fontsize=6, fmt="%.0f")
    gx, gy = grad_f(x, y)
    ax.plot([x], [y], "o", color="black", zorder=3)
    if gx or gy:
        ax.annotate("", xy=(x + scale * gx, y + scale * gy), xytext=(x, y),
                    arrowprops={"arrowstyle": "->", "color": "#e8710a", "lw": 2})
        ax.annotate("", xy=(x - scale * gx, y - scale * gy), xytext=(x, y),
                    arrowprops={"arrowstyle": "->", "color": "#2ca02c", "lw": 2})
    ax.plot([], [], color="#e8710a", lw=2, label="∇f (steepest ascent)")
    ax.plot([], [], color="#2ca02c", lw=2, label="−∇f (steepest descent)")
    ax.set_xlim(LO, HI)
    ax.set_ylim(LO, HI)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="lower left", fontsize=7)
    return ax


def gradient_png(x: float, y: float) -> bytes:
    """PNG bytes of :func:`draw_gradient` at the snapped point (no pyplot state is touched)."""
    def draw(ax) -> None:
        draw_gradient(ax, snap(x), snap(y))
        ax.set_title(f"contours of f(x, y) = x·y + x², point ({snap(x):.1f}, {snap(y):.1f})", fontsize=9)

    return figure_png(draw, (4.6, 4.6), adjust={"left": 0.13, "right": 0.97, "bottom": 0.1, "top": 0.93})


class GradientExplorer(SliderPanel):
    """Two sliders move the point (x, y); the readout and the contour plot follow.

    Attributes: ``slider`` (the x slider, FloatSlider step 0.1), ``y_slider``, ``readout``
    (HTML with class ``nncourse-readout``, always ``readout_html(slider.value, y_slider.value)``),
    ``picture`` (Image) and ``box`` (display it).
    """

    def __init__(self, description: str = "point x", y_description: str = "point y",
                 x: float = X0, y: float = Y0):
        def make(desc: str, value: float) -> widgets.FloatSlider:
            return widgets.FloatSlider(value=snap(value), min=LO, max=HI, step=STEP, readout_format=".1f",
                                       description=desc, continuous_update=True, style=FULL_LABEL)

        self.slider = make(description, x)
        self.y_slider = make(y_description, y)
        super().__init__([self.slider, self.y_slider],
                         "GradientExplorer(move the point, read f and ∇f, see ∇f and −∇f)", width=370,
                         readout=readout_html, picture=gradient_png)


gradient_explorer = GradientExplorer  # the name the notebooks call
