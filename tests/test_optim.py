"""Each optimizer's first three updates against values derived by hand (torch.optim's rules)."""

import numpy as np
import pytest

from nncourse.optim import SGD, Adam, Momentum, get_optimizer

# One parameter θ0 = 1.0 with the fixed gradients g1, g2, g3 = 0.5, -1.0, 2.0.
GRADS = [0.5, -1.0, 2.0]


def run(opt):
    theta = np.array([1.0])
    path = []
    for g in GRADS:
        opt.step([theta], [np.array([g])])
        path.append(theta[0])
    return path


def test_sgd_by_hand():
    # θ ← θ − 0.1 g:  1 − 0.05 = 0.95;  0.95 + 0.1 = 1.05;  1.05 − 0.2 = 0.85
    assert run(SGD(lr=0.1)) == pytest.approx([0.95, 1.05, 0.85], abs=1e-15)


def test_momentum_by_hand():
    # v1 = g1 = 0.5 -> θ = 1 − 0.05 = 0.95
    # v2 = 0.9·0.5 − 1 = −0.55 -> θ = 0.95 + 0.055 = 1.005
    # v3 = 0.9·(−0.55) + 2 = 1.505 -> θ = 1.005 − 0.1505 = 0.8545
    assert run(Momentum(lr=0.1, mu=0.9)) == pytest.approx([0.95, 1.005, 0.8545], abs=1e-15)


def test_adam_by_hand():
    # β1 = 0.9, β2 = 0.999, lr = 0.1, eps = 1e-8.
    # t=1: m = 0.05, v = 0.00025; m̂ = 0.5, v̂ = 0.25 -> step 0.1·0.5/(0.5 + 1e-8)
    # t=2: m = 0.045 − 0.1 = −0.055, v = 0.00024975 + 0.001 = 0.00124975
    #      m̂ = −0.055/0.19 , v̂ = 0.00124975/0.001999
    # t=3: m = −0.0495 + 0.2 = 0.1505, v = 0.00124850025 + 0.004 = 0.00524850025
    #      m̂ = 0.1505/0.271, v̂ = 0.00524850025/0.002997001
    steps = [
        0.1 * 0.5 / (0.5 + 1e-8),
        0.1 * (-0.055 / 0.19) / (np.sqrt(0.00124975 / 0.001999) + 1e-8),
        0.1 * (0.1505 / 0.271) / (np.sqrt(0.00524850025 / 0.002997001) + 1e-8),
    ]
    expected = list(1.0 - np.cumsum(steps))
    assert run(Adam(lr=0.1)) == pytest.approx(expected, abs=1e-12)


def test_step_updates_every_parameter_in_place():
    W, b = np.ones((2, 2)), np.zeros(2)
    SGD(lr=0.5).step([W, b], [np.full((2, 2), 2.0), np.array([1.0, -1.0])])
    assert (W == 0).all() and b.tolist() == [-0.5, 0.5]


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), float("inf"), "0.1", True])
def test_learning_rate_must_be_positive(bad):
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0; got"):
        SGD(lr=bad)


def test_bad_hyperparameters_and_names():
    with pytest.raises(ValueError, match="mu must be in"):
        Momentum(lr=0.1, mu=1.0)
    with pytest.raises(ValueError, match="beta2 must be in"):
        Adam(beta2=1.5)
    with pytest.raises(ValueError, match="Unknown optimizer 'adamw'. Choose one of: adam, momentum, sgd"):
        get_optimizer("adamw")
    with pytest.raises(ValueError, match="params and grads must pair up; got 2 params and 1 grads"):
        SGD(lr=0.1).step([np.ones(1), np.ones(1)], [np.ones(1)])
