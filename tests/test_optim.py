"""Each optimizer's first three updates against values derived by hand (torch.optim's rules)."""

import numpy as np
import pytest

from nncourse.optim import SGD, Adam, AdamW, Momentum, RMSprop, get_optimizer

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
    with pytest.raises(ValueError, match="Unknown optimizer 'adagrad'. Choose one of: adam, adamw, momentum, rmsprop"):
        get_optimizer("adagrad")
    with pytest.raises(ValueError, match="params and grads must pair up; got 2 params and 1 grads"):
        SGD(lr=0.1).step([np.ones(1), np.ones(1)], [np.ones(1)])


# The steps of the three Adam updates above (they depend on the gradients only), reused by AdamW.
ADAM_STEPS = [
    0.1 * 0.5 / (0.5 + 1e-8),
    0.1 * (-0.055 / 0.19) / (np.sqrt(0.00124975 / 0.001999) + 1e-8),
    0.1 * (0.1505 / 0.271) / (np.sqrt(0.00524850025 / 0.002997001) + 1e-8),
]


def test_rmsprop_by_hand():
    # torch.optim.RMSprop: v ← α v + (1 − α) g² (v starts at 0); θ ← θ − lr g/(√v + eps).
    # α = 0.9, lr = 0.1: v1 = 0.1·0.25 = 0.025; v2 = 0.0225 + 0.1 = 0.1225 (√ = 0.35);
    # v3 = 0.11025 + 0.4 = 0.51025.
    steps = [0.1 * 0.5 / (np.sqrt(0.025) + 1e-8), 0.1 * -1.0 / (0.35 + 1e-8), 0.1 * 2.0 / (np.sqrt(0.51025) + 1e-8)]
    expected = list(1.0 - np.cumsum(steps))
    assert run(RMSprop(lr=0.1, alpha=0.9)) == pytest.approx(expected, abs=1e-12)


def test_rmsprop_defaults_are_torchs():
    opt = get_optimizer("rmsprop")
    assert (type(opt), opt.lr, opt.alpha, opt.eps, opt.weight_decay) == (RMSprop, 0.01, 0.99, 1e-8, 0.0)
    opt = get_optimizer("adamw", lr=0.002)
    hyper = (opt.lr, opt.beta1, opt.beta2, opt.eps, opt.weight_decay)
    assert type(opt) is AdamW and hyper == (0.002, 0.9, 0.999, 1e-8, 0.01)


def test_sgd_weight_decay_by_hand():
    # Coupled decay (torch.optim.SGD(weight_decay=0.5)): g ← g + 0.5 θ, then θ ← θ − 0.1 g.
    # g1 = 0.5 + 0.5 = 1 -> θ = 0.9;  g2 = −1 + 0.45 = −0.55 -> θ = 0.955;
    # g3 = 2 + 0.4775 = 2.4775 -> θ = 0.955 − 0.24775 = 0.70725
    assert run(SGD(lr=0.1, weight_decay=0.5)) == pytest.approx([0.9, 0.955, 0.70725], abs=1e-15)


def test_momentum_weight_decay_by_hand():
    # g1 = 1 -> v = 1, θ = 0.9;  g2 = −0.55 -> v = 0.9 − 0.55 = 0.35, θ = 0.865;
    # g3 = 2 + 0.4325 = 2.4325 -> v = 0.315 + 2.4325 = 2.7475, θ = 0.865 − 0.27475 = 0.59025
    assert run(Momentum(lr=0.1, mu=0.9, weight_decay=0.5)) == pytest.approx([0.9, 0.865, 0.59025], abs=1e-14)


def test_adam_and_rmsprop_weight_decay_by_hand():
    # Adam(weight_decay=0.5), lr = 0.1: g1 = 0.5 + 0.5 = 1 -> m̂ = 1, v̂ = 1 -> θ1 = 1 − 0.1/(1 + 1e-8)
    theta1 = 1 - 0.1 / (1 + 1e-8)
    # g2 = −1 + 0.5 θ1; m2 = 0.09 + 0.1 g2; v2 = 0.000999 + 0.001 g2²
    g2 = -1 + 0.5 * theta1
    m2, v2 = 0.09 + 0.1 * g2, 0.000999 + 0.001 * g2**2
    theta2 = theta1 - 0.1 * (m2 / 0.19) / (np.sqrt(v2 / 0.001999) + 1e-8)
    assert run(Adam(lr=0.1, weight_decay=0.5))[:2] == pytest.approx([theta1, theta2], abs=1e-12)
    # RMSprop(α = 0.9, weight_decay = 0.5): v1 = 0.1·1² = 0.1 -> θ1 = 1 − 0.1/(√0.1 + 1e-8)
    theta1 = 1 - 0.1 / (np.sqrt(0.1) + 1e-8)
    g2 = -1 + 0.5 * theta1
    v2 = 0.09 + 0.1 * g2**2
    theta2 = theta1 - 0.1 * g2 / (np.sqrt(v2) + 1e-8)
    assert run(RMSprop(lr=0.1, alpha=0.9, weight_decay=0.5))[:2] == pytest.approx([theta1, theta2], abs=1e-12)


def test_adamw_by_hand():
    # torch.optim.AdamW: θ ← θ·(1 − lr·wd) first, then the Adam step of the plain g.
    # lr = 0.1, wd = 0.5: each step multiplies θ by 0.95, then subtracts the Adam step above.
    theta, expected = 1.0, []
    for step in ADAM_STEPS:
        theta = theta * 0.95 - step
        expected.append(theta)
    assert run(AdamW(lr=0.1, weight_decay=0.5)) == pytest.approx(expected, abs=1e-12)


def test_adamw_is_not_adam_with_l2():
    # With a zero loss gradient, Adam's coupled decay g = wd·θ is normalised away: the first step is
    # lr·m̂/√v̂ = lr·(wd θ)/|wd θ| = lr, whatever wd. AdamW shrinks θ by the factor (1 − lr·wd) instead.
    coupled, decoupled = np.array([1.0, 3.0]), np.array([1.0, 3.0])
    Adam(lr=0.1, weight_decay=0.01).step([coupled], [np.zeros(2)])
    AdamW(lr=0.1, weight_decay=0.01).step([decoupled], [np.zeros(2)])
    np.testing.assert_allclose(coupled, [0.9, 2.9], atol=1e-6)  # eps shifts it by lr·eps/(wd·θ) ≤ 1e-7
    np.testing.assert_allclose(decoupled, [0.999, 2.997], rtol=1e-15)


@pytest.mark.parametrize("make", [
    lambda: SGD(lr=0.1, weight_decay=0.3), lambda: Momentum(lr=0.1, weight_decay=0.3),
    lambda: RMSprop(lr=0.1, weight_decay=0.3), lambda: Adam(lr=0.1, weight_decay=0.3),
    lambda: AdamW(lr=0.1, weight_decay=0.3),
])
def test_weight_decay_skips_parameters_marked_false(make):
    # Zero gradients: only the decay can move a parameter. W (decay=True) moves, b (decay=False) does not.
    W, b = np.full((2, 2), 2.0), np.full(2, 2.0)
    opt = make()
    for _ in range(3):
        opt.step([W, b], [np.zeros((2, 2)), np.zeros(2)], decay=[True, False])
    assert (b == 2.0).all() and (np.abs(W) < 2.0).all()


def test_no_weight_decay_changes_nothing():
    # weight_decay=0 (the default) and decay flags leave the update bit-identical to before.
    for make in (lambda wd: SGD(0.1, wd), lambda wd: Adam(0.1, weight_decay=wd)):
        a, b = np.array([1.0, -2.0]), np.array([1.0, -2.0])
        make(0.0).step([a], [np.array([0.3, 0.7])], decay=[True])
        make(0.0).step([b], [np.array([0.3, 0.7])])
        assert (a == b).all()


@pytest.mark.parametrize("make, message", [
    (lambda: SGD(weight_decay=-0.1), r"weight_decay must be a finite number >= 0; got -0.1. Use 0"),
    (lambda: AdamW(weight_decay=float("nan")), r"weight_decay must be a finite number >= 0; got nan"),
    (lambda: RMSprop(alpha=1.0), r"alpha must be in \[0, 1\); got 1.0"),
    (lambda: RMSprop(alpha=-0.5), r"alpha must be in \[0, 1\); got -0.5"),
    (lambda: RMSprop(eps=0), r"eps must be a finite number > 0; got 0"),
    (lambda: AdamW(beta1=1), r"beta1 must be in \[0, 1\); got 1"),
    (lambda: RMSprop(lr=-1), r"lr must be a finite number > 0; got -1"),
])
def test_bad_new_hyperparameters(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_decay_flags_must_match_the_parameters():
    with pytest.raises(ValueError, match=r"decay must hold one True/False per parameter \(2 of them\)"):
        SGD(lr=0.1).step([np.ones(1), np.ones(1)], [np.ones(1), np.ones(1)], decay=[True])
    with pytest.raises(ValueError, match=r"decay must hold one True/False per parameter"):
        SGD(lr=0.1).step([np.ones(1)], [np.ones(1)], decay=["yes"])
