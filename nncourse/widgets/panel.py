"""What the notebook widgets share: a panel that prints as one line, and figures as PNG bytes."""

from __future__ import annotations

import io

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
