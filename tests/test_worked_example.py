"""The worked H1/Y1 example reproduces every number of the course notes' table."""

import numpy as np
import pytest

from nncourse import worked_example
from nncourse.gradcheck import network_numeric_gradients

# The course notes' table (../shared/course-notes.md), derived there by hand.
EXPECTED = {
    "net_H": (0.154, 0.080),
    "H": (0.538424, 0.519989),
    "net_Y": (0.548116, 0.614424),
    "Y": (0.633698, 0.648949),
    "E_parts": (0.170352, 0.014629),
    "E": 0.184981,
    "dW_output": ((0.072952, 0.070454), (-0.020981, -0.020263)),  # [[w5, w6], [w7, w8]]
    "dW_hidden": ((0.0047460, 0.00029975), (-0.00047476, -0.000029985)),  # [[w1, w2], [w3, w4]]
    "db2": 0.096523,
    "db1": 0.0044961,
    "w5_after": 0.179270,
}


def close(actual, expected):
    """Equal to the precision the table prints (six significant digits, or 1e-6 absolute)."""
    np.testing.assert_allclose(actual, expected, rtol=5e-6, atol=5e-7)


@pytest.fixture
def example():
    ex = worked_example()
    return ex, ex.network()


def test_forward_pass(example):
    ex, net = example
    zs, activations = net.trace(ex.X)
    close(zs[0][0], EXPECTED["net_H"])
    close(activations[1][0], EXPECTED["H"])
    close(zs[1][0], EXPECTED["net_Y"])
    close(activations[2][0], EXPECTED["Y"])
    Y = activations[2][0]
    close(0.5 * (np.array(ex.t) - Y) ** 2, EXPECTED["E_parts"])
    close(net.loss(ex.X, ex.Y, "half_sse"), EXPECTED["E"])


def test_backward_pass_matches_the_table_and_finite_differences(example):
    ex, net = example
    dWs, dbs = net.gradients(ex.X, ex.Y, "half_sse")
    close(dWs[1], EXPECTED["dW_output"])
    close(dWs[0], EXPECTED["dW_hidden"])
    close(dbs[1].sum(), EXPECTED["db2"])  # the bias is shared by both neurons: sum their gradients
    close(dbs[0].sum(), EXPECTED["db1"])
    nWs, nbs = network_numeric_gradients(net, ex.X, ex.Y, "half_sse")
    for analytic, numeric in zip(dWs + dbs, nWs + nbs):
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-10)


def test_w5_as_a_product_of_three_factors(example):
    ex, net = example
    _, activations = net.trace(ex.X)
    H1, Y1 = activations[1][0, 0], activations[2][0, 0]
    dE_dY1, dY1_dnet, dnet_dw5 = Y1 - ex.t[0], Y1 * (1 - Y1), H1
    close(dE_dY1 * dY1_dnet * dnet_dw5, EXPECTED["dW_output"][0][0])


def test_update_subtracts_the_gradient(example):
    ex, net = example
    dWs, _ = net.gradients(ex.X, ex.Y, "half_sse")
    close(ex.w5 - ex.lr * dWs[1][0, 0], EXPECTED["w5_after"])


def test_the_seeds_rounded_intermediates_give_its_printed_error():
    ex = worked_example()
    H1, H2 = 0.538, 0.52  # rounded as the seed rounds them

    def sig(v):
        return 1 / (1 + np.exp(-v))

    Y1 = sig(ex.w5 * H1 + ex.w6 * H2 + ex.b2)
    Y2 = sig(ex.w7 * H1 + ex.w8 * H2 + ex.b2)
    assert round(Y1, 5) == 0.63368
    assert 0.5 * (ex.t[0] - Y1) ** 2 + 0.5 * (ex.t[1] - Y2) ** 2 == pytest.approx(0.184972, abs=5e-7)
