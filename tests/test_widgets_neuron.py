"""Headless tests of nncourse.widgets.neuron (notebook 04, the neuron and the forward pass).

Every readout is compared with numbers computed here independently, with ``math`` and the
formulas written out, not with the module's own helpers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from widget_helpers import check_browser_cell_metadata, shown

from nncourse.widgets import neuron


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


@pytest.mark.parametrize("w, b", [(1.0, 0.0), (2.3, -1.2), (-0.7, 3.1), (5.0, -5.0), (0.1, 0.4)])
def test_neuron_values_match_the_formulas(w, b):
    v = neuron.neuron_values(w, b)
    z = w * neuron.PROBE_X + b
    assert v["z"] == pytest.approx(z, abs=1e-15)
    assert v["a"] == pytest.approx(sig(z), rel=1e-15)
    assert v["midpoint"] == pytest.approx(-b / w, rel=1e-15)
    assert sig(w * v["midpoint"] + b) == pytest.approx(0.5, abs=1e-12)
    # slope of a(x) at the midpoint, by a central difference
    h = 1e-6
    slope = (sig(w * (v["midpoint"] + h) + b) - sig(w * (v["midpoint"] - h) + b)) / (2 * h)
    assert v["slope"] == pytest.approx(slope, rel=1e-6)


def test_neuron_with_zero_weight_is_flat():
    v = neuron.neuron_values(0.0, -0.3)
    assert v["midpoint"] is None
    text = neuron.neuron_readout(0.0, -0.3)
    assert "flat" in text and shown(sig(-0.3), 3) in text


def test_sigmoid_does_not_overflow():
    assert neuron.sigmoid(-1000.0) == 0.0
    assert neuron.sigmoid(1000.0) == 1.0
    arr = neuron.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert arr.tolist() == [0.0, 0.5, 1.0]


def test_neuron_readout_shows_independent_numbers():
    w, b = 2.3, -1.2
    text = neuron.neuron_readout(w, b)
    z = w * 1.0 + b
    assert f"z = w·x + b = {shown(z, 3)}" in text
    assert f"a = σ(z) = <b>{shown(sig(z), 3)}</b>" in text
    assert f"x = −b/w = {shown(-b / w, 3)}" in text
    assert f"w/4 = {shown(w / 4, 3)}" in text
    assert text.startswith("<div>") and text.endswith("</div>")


def test_neuron_readout_default_bias_is_the_slider_start():
    explorer = neuron.neuron_explorer()
    assert explorer.bias.value == neuron.DEFAULT_BIAS
    assert explorer.readout.value == neuron.neuron_readout(explorer.weight.value)


def test_neuron_explorer_updates_when_the_sliders_move():
    explorer = neuron.neuron_explorer()
    assert "nncourse-readout" in explorer.readout._dom_classes
    before = explorer.picture.value
    explorer.weight.value = 2.3
    assert explorer.readout.value == neuron.neuron_readout(2.3)
    assert shown(sig(2.3), 3) in explorer.readout.value
    explorer.bias.value = -1.2
    assert explorer.readout.value == neuron.neuron_readout(2.3, -1.2)
    assert shown(sig(2.3 - 1.2), 3) in explorer.readout.value
    assert explorer.picture.value != before
    assert explorer.picture.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_neuron_slider_values_are_exact_at_the_shown_precision():
    explorer = neuron.neuron_explorer()
    s = explorer.weight
    n = round((s.max - s.min) / s.step)
    for k in range(n + 1):
        value = s.min + k * s.step
        assert float(f"{value:.1f}") == pytest.approx(value, abs=1e-9)
    assert s.readout_format == ".1f"


def test_draw_layer_labels_every_weight_to_j_from_k():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    W = np.array([[0.2, -0.5], [1.5, 0.3], [-1.0, 0.8]])
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = neuron.draw_layer(fig.add_subplot(), W, np.array([0.1, -0.2, 0.0]))
    texts = {t.get_text() for t in ax.texts}
    for j in range(3):
        for k in range(2):
            assert f"$w_{{{j}{k}}}$ = {W[j, k]:g}" in texts
    assert "$b_1$ = -0.2" in texts
    with pytest.raises(ValueError, match="n_out, n_in"):
        neuron.draw_layer(ax, np.zeros(3))


# --- the notebook's browser-test cell points at this widget --------------------------------------------


@pytest.mark.parametrize("notebook, builder, slider_attr", [
    ("notebooks/04_neuron_forward_pass.ipynb", neuron.neuron_explorer, "weight"),
])
def test_browser_test_cell_metadata(notebook, builder, slider_attr):
    check_browser_cell_metadata(notebook, builder, slider_attr)
