"""What the notebook widgets share: a panel of controls, readout and picture that prints as one
line, figures as PNG bytes, and a Play button that works on ipywidgets 7 and 8."""

from __future__ import annotations

import io
from collections.abc import Callable

import ipywidgets as widgets

FULL_LABEL = {"description_width": "initial"}  # show a control's whole description, never cut short


class Panel(widgets.VBox):
    """A VBox of a widget's controls, readout and picture.

    Its text form (what a notebook shows where widgets cannot render) is ``text``:
    the default would print every child, PNG bytes included.
    """

    def __init__(self, children: list, text: str):
        super().__init__(children)
        self._text = text

    def __repr__(self) -> str:
        return self._text


class SliderPanel:
    """The pattern every lesson widget repeats: controls, a readout and a picture that follow them.

    Subclasses create their controls, then call ``super().__init__(controls, text, width, ...)``
    with ``readout`` and ``picture``: functions of the controls' values, in the order of
    ``controls``, that return the readout's HTML and the picture's PNG bytes. (A subclass whose
    readout needs more than the values overrides :meth:`readout_html` and :meth:`picture_png`.)
    Attributes: ``readout`` (HTML with class ``nncourse-readout``), ``picture`` (Image, PNG of
    ``width`` pixels) and ``box`` (the whole widget, to display; its text form is ``text``).
    """

    def __init__(self, controls: list, text: str, width: int, row: list | None = None,
                 readout: Callable[..., str] | None = None, picture: Callable[..., bytes] | None = None):
        self._controls, self._readout_of, self._picture_of = controls, readout, picture
        self.readout = widgets.HTML(value=self.readout_html())
        self.readout.add_class("nncourse-readout")
        self.picture = widgets.Image(value=self.picture_png(), format="png", width=width)
        for control in controls:
            control.observe(self._update, names="value")
        row = row or controls  # what stands above the readout (``controls`` unless told otherwise)
        self.box = Panel([row[0] if len(row) == 1 else widgets.HBox(row), self.readout, self.picture], text)

    def readout_html(self) -> str:
        """The readout for the controls' current values."""
        return self._readout_of(*(control.value for control in self._controls))

    def picture_png(self) -> bytes:
        """The picture for the controls' current values, as PNG bytes."""
        return self._picture_of(*(control.value for control in self._controls))

    def _update(self, change=None) -> None:
        self.readout.value = self.readout_html()  # first: it is instant
        self.picture.value = self.picture_png()


class StepPanel(SliderPanel):
    """A :class:`SliderPanel` over numbered steps, with "previous" and "next" buttons beside the slider.

    Attributes, besides the panel's: ``slider`` (IntSlider from 0 to ``n_steps`` − 1), ``previous``
    and ``next`` (Buttons that move it by one step, staying in range).
    """

    def __init__(self, n_steps: int, description: str, next_label: str, text: str, width: int):
        self.slider = widgets.IntSlider(value=0, min=0, max=n_steps - 1, step=1, description=description,
                                        style=FULL_LABEL, continuous_update=True)
        self.previous = widgets.Button(description="previous", icon="arrow-left")
        self.next = widgets.Button(description=next_label, icon="arrow-right")
        self.previous.on_click(lambda _: self.move(-1))
        self.next.on_click(lambda _: self.move(+1))
        super().__init__([self.slider], text, width, row=[self.previous, self.next, self.slider])

    def move(self, by: int) -> None:
        """Move the slider ``by`` steps, staying within its range."""
        self.slider.value = min(self.slider.max, max(self.slider.min, self.slider.value + by))


def figure_png(draw, figsize: tuple[float, float], dpi: int = 80, adjust: dict | None = None) -> bytes:
    """PNG bytes of a new figure of ``figsize`` inches with one axes, drawn by ``draw(ax)``.

    No pyplot state is touched, so widgets can redraw without a figure appearing in the notebook.
    ``adjust`` goes to ``fig.subplots_adjust`` (cheaper); without it the layout is ``tight_layout``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    draw(fig.add_subplot())
    if adjust:
        fig.subplots_adjust(**adjust)
    else:
        fig.tight_layout()
    return png(fig, dpi)


def frame_diagram(ax, xlim: tuple[float, float], ylim: tuple[float, float], title: str = ""):
    """Finish a drawn diagram: these limits, equal scales on both axes, no axis lines, the title if any."""
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def png(fig, dpi: int = 80) -> bytes:
    """A matplotlib figure as PNG bytes, for an ``ipywidgets.Image``."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def play(**kwargs) -> widgets.Play:
    """An ``ipywidgets.Play`` whose running state is the trait ``playing`` on ipywidgets 7 and 8.

    ipywidgets 8 calls that trait ``playing``; 7.7 (what Colab ships) calls it ``_playing``.
    On 7.x a ``playing`` trait is added and linked both ways to ``_playing``, so code and tests
    read, set and observe ``play.playing`` on either version.
    """
    control = widgets.Play(**kwargs)
    if not control.has_trait("playing"):
        import traitlets

        control.add_traits(playing=traitlets.Bool(False))
        traitlets.link((control, "playing"), (control, "_playing"))
    return control
