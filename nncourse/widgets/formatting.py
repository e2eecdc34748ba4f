"""How the widgets write numbers: on the slider's grid, and with a fixed number of decimals.

Fixed formats keep a readout's width steady while a slider moves, and keep notebook outputs
identical from run to run.
"""

from __future__ import annotations

import math


def snap(x: float, step: float) -> float:
    """``x`` rounded to a slider's grid of ``step``, so 0.30000000000000004 reads as 0.3."""
    decimals = max(0, -math.floor(math.log10(step)))
    return round(round(float(x) / step) * step, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def fixed(x: float, digits: int = 6, true_minus: bool = False) -> str:
    """``x`` with ``digits`` decimals, never "-0.000" (a tiny negative residue prints as 0.000).

    ``true_minus`` writes the minus sign as "−" (U+2212), as in typeset mathematics.
    """
    text = f"{float(x):.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "\u2212") if true_minus else text
