"""Notebook 01: derivatives as slopes, the tangent line, and secants that turn into it.

A function here is a :class:`Curve`: its formula (text and SymPy form), a numpy
function ``f`` and its derivative ``df`` written out by hand with the rules of
notebook 01. The tests compare every ``df`` with SymPy's derivative.

Pure functions (numbers the widget shows, computable without a screen):

- :func:`tangent` -- f(x), f'(x) and the tangent line y = f'(x)·(t − x) + f(x);
- :func:`secant_slope` -- (f(x + h) − f(x)) / h, which tends to f'(x) as h → 0;
- :func:`central_difference` -- (f(x + h) − f(x − h)) / 2h;
- :func:`readout_html` / :func:`tangent_readout` -- the widget's readout.

The widget :class:`TangentExplorer` moves x along a curve (chosen from :data:`CURVES`)
and redraws the tangent line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from ..activations import Sigmoid
from ..gradcheck import central_difference  # noqa: F401 - the one central difference; notebook 01 uses it as dw.central_difference
from .formatting import fixed
from .formatting import snap as snap_to
from .panel import FULL_LABEL, SliderPanel, figure_png

E2 = math.exp(2.0)


_sigmoid = Sigmoid().fn


@dataclass(frozen=True)
class Curve:
    """A function of one variable with its derivative.

    ``label`` is how the notebook writes it, ``sympy`` its formula in SymPy syntax (in ``x``),
    ``f`` and ``df`` numpy functions (arrays in, arrays of the same shape out), ``df`` derived by hand.
    """

    label: str
    sympy: str
    f: Callable
    df: Callable
    derivative_label: str


#: The curves the widget offers, by label. ``df`` is each one's hand-derived derivative.
CURVES: dict[str, Curve] = {
    c.label: c
    for c in (
        Curve("x²", "x**2", lambda x: np.asarray(x, float) ** 2, lambda x: 2.0 * np.asarray(x, float), "2x"),
        Curve("x³ − 3x", "x**3 - 3*x", lambda x: np.asarray(x, float) ** 3 - 3.0 * np.asarray(x, float),
              lambda x: 3.0 * np.asarray(x, float) ** 2 - 3.0, "3x² − 3"),
        Curve("sin(x)", "sin(x)", np.sin, np.cos, "cos(x)"),
        Curve("e²·sin(x)", "exp(2)*sin(x)", lambda x: E2 * np.sin(x), lambda x: E2 * np.cos(x), "e²·cos(x)"),
        Curve("sin(x²)", "sin(x**2)", lambda x: np.sin(np.asarray(x, float) ** 2),
              lambda x: 2.0 * np.asarray(x, float) * np.cos(np.asarray(x, float) ** 2), "2x·cos(x²)"),
        Curve("σ(x)", "1/(1 + exp(-x))", _sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x)), "σ(x)(1 − σ(x))"),
    )
}

#: The curve the widget starts with (and the one :func:`tangent_readout` reads).
DEFAULT_CURVE = "sin(x²)"
#: The x-range of the slider and the picture.
X_MIN, X_MAX, X_STEP = -3.0, 3.0, 0.1


def num(v: float) -> str:
    """``v`` with 6 decimals, never "-0.000000" (a tiny negative rounding residue prints as 0.000000)."""
    return fixed(v, 6)


def curve(name: str) -> Curve:
    """The curve called ``name`` (a key of :data:`CURVES`), with a clear error for an unknown name."""
    try:
        return CURVES[name]
    except KeyError:
        raise ValueError(f"Unknown curve {name!r}. Choose one of: {', '.join(CURVES)}.") from None


def snap(x: float, step: float = X_STEP) -> float:
    """``x`` rounded to the slider's grid (0.1), so 0.30000000000000004 reads as 0.3."""
    return snap_to(x, step)


def tangent(name: str, x: float) -> tuple[float, float, float]:
    """``(f(x), f'(x), c)`` for the curve ``name``: the tangent line at x is y = f'(x)·t + c.

    The intercept is c = f(x) − f'(x)·x, so the line passes through (x, f(x)) with slope f'(x).
    """
    c = curve(name)
    fx, slope = float(c.f(x)), float(c.df(x))
    return fx, slope, fx - slope * x


def secant_slope(f: Callable[[float], float], x: float, h: float) -> float:
    """The slope of the secant through (x, f(x)) and (x + h, f(x + h)): (f(x + h) − f(x)) / h."""
    return (float(f(x + h)) - float(f(x))) / h


def secant_table(f: Callable[[float], float], df: Callable[[float], float], x: float,
                 hs: tuple[float, ...] = (1.0, 0.1, 0.01, 0.001, 0.0001)) -> list[tuple[float, float, float]]:
    """Rows ``(h, secant slope, secant slope − f'(x))``: the secant turns into the tangent as h shrinks."""
    exact = float(df(x))
    return [(h, secant_slope(f, x, h), secant_slope(f, x, h) - exact) for h in hs]


def readout_html(x: float, name: str = DEFAULT_CURVE) -> str:
    """The widget's readout for curve ``name`` at ``x`` (snapped to the 0.1 grid): f(x), f'(x) and the tangent.

    Pure: the same (x, name) always gives the same string; numbers have 6 decimals. The tangent line is
    written in the variable t, through the point (x, f(x)).
    """
    x = snap(x)
    c = curve(name)
    fx, slope, _ = tangent(name, x)
    return (
        f"<div><b>f(x) = {c.label}</b> at x = {x:.1f}: f(x) = {num(fx)}, "
        f"dy/dx = {c.derivative_label} = <b>{num(slope)}</b><br>"
        f"tangent line: y = {num(slope)}·(t − {x:.1f}) {'−' if num(fx).startswith('-') else '+'} "
        f"{num(fx).lstrip('-')}</div>"
    )


def tangent_readout(x: float) -> str:
    """The readout for the default curve sin(x²) at slider value ``x`` (the browser test's function)."""
    return readout_html(x, DEFAULT_CURVE)


def draw_tangent(ax, name: str, x: float, half_width: float = 1.0):
    """Draw curve ``name`` on [X_MIN, X_MAX], the point (x, f(x)) and its tangent line on ``ax``; return ``ax``."""
    c = curve(name)
    t = np.linspace(X_MIN, X_MAX, 601)
    fx, slope, intercept = tangent(name, x)
    ax.plot(t, c.f(t), color="#1f77b4", lw=2, label=f"f(x) = {c.label}")
    tt = np.array([x - half_width, x + half_width])
    ax.plot(tt, slope * tt + intercept, color="#e8710a", lw=2, label=f"tangent, slope {slope:.3f}")
    ax.plot([x], [fx], "o", color="black", zorder=3)
    ys = c.f(t)
    pad = 0.15 * (ys.max() - ys.min() + 1e-9)
    ax.set_ylim(ys.min() - pad, ys.max() + pad)
    ax.set_xlim(X_MIN, X_MAX)
    ax.axhline(0, color="#cccccc", lw=0.8, zorder=0)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper left", fontsize=8)
    return ax


def tangent_png(name: str, x: float) -> bytes:
    """PNG bytes of :func:`draw_tangent` (no pyplot state is touched)."""
    return figure_png(lambda ax: draw_tangent(ax, name, snap(x)), (6, 3.6),
                      adjust={"left": 0.13, "right": 0.97, "bottom": 0.14, "top": 0.97})


class TangentExplorer(SliderPanel):
    """Move x along a curve and watch the tangent line and dy/dx.

    Attributes: ``function`` (Dropdown over :data:`CURVES`), ``slider`` (FloatSlider over x,
    step 0.1), ``readout`` (HTML with class ``nncourse-readout``, always
    ``readout_html(slider.value, function.value)``), ``picture`` (Image) and ``box`` (display it).
    """

    def __init__(self, description: str = "x on curve", x: float = 1.0, name: str = DEFAULT_CURVE):
        curve(name)
        self.function = widgets.Dropdown(options=list(CURVES), value=name, description="f(x) =")
        self.slider = widgets.FloatSlider(value=snap(x), min=X_MIN, max=X_MAX, step=X_STEP,
                                          readout_format=".1f", description=description,
                                          continuous_update=True, style=FULL_LABEL)
        super().__init__([self.function, self.slider],
                         "TangentExplorer(choose a curve, move x, read the tangent's slope)", width=480)

    def readout_html(self) -> str:
        return readout_html(self.slider.value, self.function.value)

    def picture_png(self) -> bytes:
        return tangent_png(self.function.value, self.slider.value)


def tangent_explorer(description: str = "x on curve", x: float = 1.0, name: str = DEFAULT_CURVE) -> TangentExplorer:
    """Build the tangent widget; display its ``.box``."""
    return TangentExplorer(description, x, name)
