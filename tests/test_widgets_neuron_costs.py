"""Headless tests of the widgets of notebooks 04 (one neuron) and 05 (cost functions).

Every readout is compared with numbers computed here independently, with ``math`` and the
formulas written out, not with the module's own helpers.
"""

from __future__ import annotations

import importlib
import json
import math
from pathlib import Path

import numpy as np
import pytest

from nncourse.widgets import costs, neuron

ROOT = Path(__file__).resolve().parent.parent


def sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def shown(x: float, digits: int) -> str:
    """How the readouts print a number: fixed digits, a true minus sign, no "−0"."""
    text = f"{x:.{digits}f}"
    if float(text) == 0:
        text = f"{0:.{digits}f}"
    return text.replace("-", "\u2212")


# --- notebook 04: one neuron -------------------------------------------------------------------


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


# --- notebook 05: cost functions ---------------------------------------------------------------


def independent_losses(p: float, y: float) -> dict[str, tuple[float, float, float]]:
    """(C, dC/dŷ, dC/dz) by hand, with ŷ = σ(z) so that dŷ/dz = ŷ(1 − ŷ)."""
    sign = (p > y) - (p < y)
    slope = p * (1 - p)
    return {
        "MSE": ((p - y) ** 2, 2 * (p - y), 2 * (p - y) * slope),
        "MAE": (abs(p - y), float(sign), float(sign) * slope),
        "BCE": (-(y * math.log(p) + (1 - y) * math.log(1 - p)), (p - y) / (p * (1 - p)), p - y),
    }


@pytest.mark.parametrize("p", [0.01, 0.1, 0.3, 0.5, 0.7, 0.99])
@pytest.mark.parametrize("y", [0.0, 0.3, 1.0])
def test_loss_table_matches_the_formulas(p, y):
    table = costs.loss_table(p, y)
    expected = independent_losses(p, y)
    assert list(table) == ["MSE", "MAE", "BCE"]
    for name, (value, grad, grad_z) in expected.items():
        assert table[name][0] == pytest.approx(value, rel=1e-12, abs=1e-15)
        assert table[name][1] == pytest.approx(grad, rel=1e-12, abs=1e-15)
        assert table[name][2] == pytest.approx(grad_z, rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("p, y", [(0.2, 1.0), (0.65, 0.0), (0.45, 0.3)])
def test_loss_table_gradients_are_slopes_of_the_values(p, y):
    h = 1e-6
    up, down = costs.loss_table(p + h, y), costs.loss_table(p - h, y)
    for name, (_, grad, _) in costs.loss_table(p, y).items():
        assert grad == pytest.approx((up[name][0] - down[name][0]) / (2 * h), rel=1e-6)


@pytest.mark.parametrize("p, y", [(0.2, 1.0), (0.65, 0.0), (0.45, 0.3)])
def test_loss_table_logit_gradients_are_slopes_in_z(p, y):
    """dC/dz, the last column, is the slope of C(σ(z)) in z: a central difference in z."""
    h = 1e-6
    z = math.log(p / (1 - p))
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    up, down = costs.loss_table(sig(z + h), y), costs.loss_table(sig(z - h), y)
    assert costs.logit(p) == pytest.approx(z, rel=1e-12)
    for name, (_, _, grad_z) in costs.loss_table(p, y).items():
        assert grad_z == pytest.approx((up[name][0] - down[name][0]) / (2 * h), rel=1e-6)


def test_mae_gradient_is_zero_at_the_target():
    assert costs.loss_table(0.3, 0.3)["MAE"] == (0.0, 0.0, 0.0)


def test_cost_readout_shows_independent_numbers():
    text = costs.cost_readout(0.25)
    assert "ŷ = 0.25, target y = 1" in text
    assert f"logit z = {shown(math.log(0.25 / 0.75), 4)}" in text
    for name, (value, grad, grad_z) in independent_losses(0.25, 1.0).items():
        cell = "<td style='padding:1px 10px; text-align:right'>"
        assert (f"{name}</td>{cell}{shown(value, 4)}</td>{cell}{shown(grad, 4)}</td>"
                f"{cell}{shown(grad_z, 4)}</td></tr>") in text
    assert shown(-math.log(0.25), 4) == "1.3863" and "1.3863" in text


def test_cost_explorer_updates_when_the_controls_move():
    explorer = costs.cost_explorer()
    assert "nncourse-readout" in explorer.readout._dom_classes
    assert explorer.readout.value == costs.cost_readout(explorer.slider.value)
    explorer.slider.value = 0.25
    assert explorer.readout.value == costs.cost_readout(0.25)
    assert shown(-math.log(0.25), 4) in explorer.readout.value
    explorer.target.value = 0.0
    assert explorer.readout.value == costs.cost_readout(0.25, 0.0)
    assert shown(-math.log(0.75), 4) in explorer.readout.value  # BCE for y = 0
    assert explorer.picture.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_cost_slider_values_are_exact_at_the_shown_precision():
    s = costs.cost_explorer().slider
    assert s.readout_format == ".2f"
    n = round((s.max - s.min) / s.step)
    for k in range(n + 1):
        value = s.min + k * s.step
        assert float(f"{value:.2f}") == pytest.approx(value, abs=1e-9)
        assert 0 < value < 1  # BCE is finite on the whole range


# --- the notebooks' browser-test cells point at these widgets ----------------------------------


@pytest.mark.parametrize("notebook, builder, slider_attr", [
    ("notebooks/04_neuron_forward_pass.ipynb", neuron.neuron_explorer, "weight"),
    ("notebooks/05_cost_functions.ipynb", costs.cost_explorer, "slider"),
])
def test_browser_test_cell_metadata(notebook, builder, slider_attr):
    path = ROOT / notebook
    if not path.is_file():
        pytest.skip(f"{notebook} not present")
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if "browser-test" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1
    meta = cells[0]["metadata"]["nncourse"]
    module_name, function_name = meta["readout"].split(":")
    readout = getattr(importlib.import_module(module_name), function_name)
    explorer = builder()
    slider = getattr(explorer, slider_attr)
    assert slider.description == meta["slider"]
    slider.value = slider.min + 3 * slider.step
    assert explorer.readout.value == readout(slider.value)
