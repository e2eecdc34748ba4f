"""A readout function for the browser test's own self-check notebook (not course material).

``square_readout(x)`` is what the self-check notebook's ``nncourse-readout`` widget shows for
slider value ``x``, following the browser-test convention in docs/notebook-style.md.
"""

from __future__ import annotations


def square_readout(x: float) -> str:
    """HTML readout: ``x`` and ``x²`` to two decimals, e.g. ``<b>x</b> = 0.30, x² = 0.0900``."""
    return f"<b>x</b> = {x:.2f}, <i>x²</i> = {x * x:.4f} &amp; done"
