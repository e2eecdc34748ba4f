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
