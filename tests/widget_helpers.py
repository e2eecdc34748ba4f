"""Small helpers shared by the headless widget tests (tests/test_widgets_*.py).

Not a test file itself. The tests import it as a plain module (``from widget_helpers import numbers``),
the way tests/test_attacks.py imports tests/test_grading.py: tests/ has no ``__init__.py``, so pytest
puts the folder on ``sys.path`` when it collects a test file there.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
NUMBER = r"(-?\d+\.\d+(?:e[+-]\d+)?)"


def numbers(html: str) -> list[float]:
    """Every decimal number in a readout, in order."""
    return [float(s) for s in re.findall(NUMBER, html)]


def shown(x: float, digits: int) -> str:
    """How the readouts print a number: fixed digits, a true minus sign, no "−0"."""
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "\u2212")


def check_readout_follows(widget: Any, readout: Callable[[Any], str], value: Any, picture: bool = True) -> None:
    """``widget.readout`` (class nncourse-readout) is ``readout(widget.slider.value)`` before and after the
    slider moves to ``value``, and ``widget.picture`` holds a PNG (when ``picture``)."""
    assert "nncourse-readout" in widget.readout._dom_classes
    assert widget.readout.value == readout(widget.slider.value)
    widget.slider.value = value
    assert widget.readout.value == readout(value)
    if picture:
        assert widget.picture.value[:4] == b"\x89PNG"


def browser_test_cell(path: Path) -> dict[str, Any]:
    """The one cell of the notebook at ``path`` tagged ``browser-test`` (asserts there is exactly one)."""
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if "browser-test" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    return cells[0]


def check_browser_cell_names_a_real_slider_and_readout(notebook: str, module: ModuleType) -> None:
    """notebooks/<notebook>'s browser-test cell names ``module``'s readout function and its explorer's slider,
    and that readout is what the live explorer shows (notebooks 01-03)."""
    cell = browser_test_cell(ROOT / "notebooks" / notebook)
    meta = cell["metadata"]["nncourse"]
    module_name, function_name = meta["readout"].split(":")
    assert importlib.import_module(module_name) is module
    readout = getattr(module, function_name)
    source = "".join(cell["source"])
    assert f'"{meta["slider"]}"' in source
    explorer = next(v for k, v in vars(module).items() if k.endswith("_explorer"))(meta["slider"])
    assert explorer.slider.description == meta["slider"]
    assert explorer.readout.value == readout(explorer.slider.value)


def check_browser_cell_metadata(notebook: str, builder: Callable[[], Any], slider_attr: str) -> None:
    """The browser-test cell of ``notebook`` (a path from the repository root) names the slider
    ``builder().<slider_attr>`` and a readout function that agrees with the live widget (notebooks 04-05).
    Skips when the notebook is absent."""
    path = ROOT / notebook
    if not path.is_file():
        pytest.skip(f"{notebook} not present")
    meta = browser_test_cell(path)["metadata"]["nncourse"]
    module_name, function_name = meta["readout"].split(":")
    readout = getattr(importlib.import_module(module_name), function_name)
    explorer = builder()
    slider = getattr(explorer, slider_attr)
    assert slider.description == meta["slider"]
    slider.value = slider.min + 3 * slider.step
    assert explorer.readout.value == readout(slider.value)
