"""Headless tests of nncourse.widgets.costs (notebook 05, cost functions).

Every readout is compared with numbers computed here independently, with ``math`` and the
formulas written out, not with the module's own helpers.
"""

from __future__ import annotations

import math

import pytest
from widget_helpers import check_browser_cell_metadata, shown

from nncourse.widgets import costs


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


# --- the notebook's browser-test cell points at this widget --------------------------------------------


@pytest.mark.parametrize("notebook, builder, slider_attr", [
    ("notebooks/05_cost_functions.ipynb", costs.cost_explorer, "slider"),
])
def test_browser_test_cell_metadata(notebook, builder, slider_attr):
    check_browser_cell_metadata(notebook, builder, slider_attr)
