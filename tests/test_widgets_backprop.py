"""Headless tests of nncourse.widgets.backprop (notebook 08, backpropagation in matrix form)."""

import numpy as np
import pytest
from widget_helpers import check_readout_follows

from nncourse import Network, worked_example
from nncourse.gradcheck import gradient_check, network_numeric_gradients, relative_error
from nncourse.widgets import backprop as bp

THREE_WAYS = (bp.gradients_per_neuron, bp.gradients_per_sample, bp.gradients_batched)


def small_problem(sizes, loss, seed=0, n=7, **kw):
    rng = np.random.default_rng(seed)
    net = Network(sizes, seed=seed, **kw)
    for b in net.biases:  # non-zero biases, so a bias bug cannot hide
        b[...] = rng.normal(0, 0.3, size=b.shape)
    X = rng.normal(size=(n, sizes[0]))
    if loss == "cross_entropy":
        Y = rng.integers(0, sizes[-1], size=n)
    else:
        Y = rng.uniform(0.05, 0.95, size=(n, sizes[-1]))
    return net, X, Y


CASES = [
    (([3, 4, 2], "mse"), {}),
    (([2, 5, 3, 2], "half_sse"), {"activation": "tanh"}),
    (([4, 6, 3], "cross_entropy"), {"activation": "sigmoid", "output_activation": "linear"}),
    (([3, 4, 1], "bce"), {"activation": "relu", "output_activation": "sigmoid"}),
]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("fn", THREE_WAYS)
def test_three_ways_match_nncourse_and_finite_differences(case, fn):
    (sizes, loss), kw = case
    net, X, Y = small_problem(sizes, loss, **kw)
    grads = fn(net, X, Y, loss)
    ref = net.gradients(X, Y, loss)
    for mine, theirs in zip(grads[0] + grads[1], ref[0] + ref[1]):
        assert mine.shape == theirs.shape
    assert bp.max_abs_diff(grads, ref) < 1e-14
    nWs, nbs = network_numeric_gradients(net, X, Y, loss)
    for mine, numeric in zip(grads[0] + grads[1], nWs + nbs):
        assert relative_error(mine, numeric) < 1e-6


def test_worked_example_gradients_by_hand():
    # Course-notes table: dE/dw5..w8 and dE/dw1..w4; the shared biases' gradients are sums.
    ex = worked_example()
    net = ex.network()
    for fn in THREE_WAYS:
        dWs, dbs = fn(net, ex.X, ex.Y, "half_sse")
        np.testing.assert_allclose(dWs[1], [[0.072952, 0.070454], [-0.020981, -0.020263]], atol=5e-7)
        np.testing.assert_allclose(dWs[0], [[0.0047460, 0.00029975], [-0.00047476, -0.000029985]], rtol=5e-5)
        assert dbs[1].sum() == pytest.approx(0.096523, abs=5e-7)
        assert dbs[0].sum() == pytest.approx(0.0044961, abs=5e-8)


def test_bugs_are_caught_by_the_check():
    net, X, Y = small_problem([2, 3, 3, 3], "mse")
    good = gradient_check(net, X, Y, "mse", grads=bp.gradients_batched(net, X, Y, "mse"))
    assert max(good.values()) < 1e-6
    for bug in ("no_sigma_prime", "no_transpose"):
        report = gradient_check(net, X, Y, "mse", grads=bp.gradients_batched(net, X, Y, "mse", bug=bug))
        assert report["W3"] < 1e-6 and report["b3"] < 1e-6  # the output layer W^(3) is untouched
        assert report["W1"] > 1e-2 and report["W2"] > 1e-2
    with pytest.raises(ValueError, match="bug must be"):
        bp.gradients_batched(net, X, Y, "mse", bug="typo")


@pytest.mark.parametrize(
    "flags,wrong",
    [
        ({"hidden_prime": False}, {"W1", "b1", "W2", "b2"}),
        ({"transpose": False}, {"W1", "b1", "W2", "b2"}),
        ({"output_prime": False}, {"W1", "b1", "W2", "b2", "W3", "b3"}),
        ({"prime_at_a": True}, {"W1", "b1", "W2", "b2", "W3", "b3"}),
    ],
)
def test_network_backward_steps_plant_each_mistake_where_expected(flags, wrong):
    # Network.backprop's teaching hook (used by gradients_batched and the s06/s08 feedback):
    # the default is backprop (finite differences agree), each flag breaks exactly the layers it should
    from nncourse.gradcheck import gradient_check
    from nncourse.losses import get_loss
    from nncourse.network import BackwardSteps

    net, X, Y = small_problem([2, 3, 3, 3], "mse")
    zs, acts = net.trace(X)
    grad_out = get_loss("mse").grad(acts[-1], Y)
    assert max(gradient_check(net, X, Y, "mse", grads=net.backprop(zs, acts, grad_out)).values()) < 1e-6
    report = gradient_check(net, X, Y, "mse", grads=net.backprop(zs, acts, grad_out, BackwardSteps(**flags)))
    assert {key for key, err in report.items() if err > 1e-2} == wrong, report
    assert all(err < 1e-6 for key, err in report.items() if key not in wrong), report


def test_softmax_output_refused():
    net = Network([2, 3], output_activation="softmax")
    with pytest.raises(ValueError, match="elementwise"):
        bp.gradients_per_sample(net, np.ones((1, 2)), np.array([[0.2, 0.3, 0.5]]), "bce")


def test_count_ops_by_hand():
    # 2-2-2: forward 2·2 + 2·2 = 8; backward 8 (Δᵀ A) + 4 (Δ W for the top layer) = 12;
    # one backward pass per parameter: W^(1) 4·(4 + 1), b^(1) 2·4, W^(2) 4·1, b^(2) 0, plus the forward 8.
    assert bp.count_ops([2, 2, 2]) == {
        "params": 12, "forward": 8, "backprop": 20, "per_parameter": 40, "finite_differences": 192,
    }
    # 3-1: one layer. forward 3, backprop 3 + 3, per parameter 3 + 3·1, finite differences 2·4·3.
    assert bp.count_ops([3, 1], batch=5) == {
        "params": 4, "forward": 15, "backprop": 30, "per_parameter": 30, "finite_differences": 120,
    }


def count_per_neuron_macs(sizes):
    """Count the multiply-adds of gradients_per_neuron's loops for one example, by walking them."""
    forward = sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    backward = 0
    for layer in range(len(sizes) - 2, -1, -1):
        backward += sizes[layer] * sizes[layer + 1]  # dW[j][k] += d * a[k]
        if layer > 0:
            backward += sizes[layer] * sizes[layer + 1]  # s += W[j][k] * d
    return forward + backward


@pytest.mark.parametrize("sizes", [[2, 2, 2], [64, 32, 10], [5, 7, 7, 3, 2]])
def test_backprop_count_matches_the_loops(sizes):
    assert bp.count_ops(sizes)["backprop"] == count_per_neuron_macs(sizes)
    c = bp.count_ops(sizes)
    assert c["params"] == sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    assert c["backprop"] < c["per_parameter"] < c["finite_differences"] or len(sizes) == 2


def test_ops_readout_and_widget():
    html = bp.ops_readout(1)
    c = bp.count_ops([64, 32, 10])
    assert "64-32-10" in html and f"{c['backprop']:,}" in html and f"{c['finite_differences']:,}" in html
    assert bp.ops_readout(3) == bp.ops_readout(3) and bp.ops_readout(3) != html
    w = bp.op_count_widget()
    check_readout_follows(w, bp.ops_readout, 5, picture=False)  # a readout only
    with pytest.raises(ValueError):
        bp.ops_readout(0)
    assert repr(w.box).startswith("OpCountWidget")


def test_dependency_graph_draws():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = bp.draw_dependency_graph(3)
    assert len(ax.texts) > 10
    plt.close("all")
