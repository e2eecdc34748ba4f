"""Learning-rate schedules (nncourse/schedules.py): values against formulas derived by hand,
the properties that define each schedule, train() following a schedule, and clear errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nncourse import Network, train
from nncourse.checks import check_range
from nncourse.schedules import constant, cosine, exponential, step_decay

# Hypothesis draws its examples from a fixed seed (derandomize) and has no time limit per example
# (deadline=None): the same examples on every run, on any machine.
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True)

lrs = st.floats(1e-4, 10.0)
epochs = st.integers(0, 200)


# --- values at chosen epochs, worked out by hand -----------------------------------------------


def test_constant_is_the_same_at_every_epoch():
    lr = constant(0.3)
    assert [lr(e) for e in (0, 1, 7, 100)] == [0.3, 0.3, 0.3, 0.3]


@pytest.mark.parametrize(
    "epoch, expected",
    [(0, 0.1), (9, 0.1), (10, 0.05), (19, 0.05), (20, 0.025), (35, 0.0125)],  # 0.1 · 0.5^⌊e/10⌋
)
def test_step_decay_halves_every_ten_epochs(epoch, expected):
    assert step_decay(0.1, factor=0.5, every=10)(epoch) == pytest.approx(expected, rel=1e-15)


def test_step_decay_with_a_factor_of_a_tenth_every_three_epochs():
    lr = step_decay(1.0, factor=0.1, every=3)
    # ⌊e/3⌋ = 0, 0, 0, 1, 1, 1, 2, 2, 2, 3
    expected = [1.0, 1.0, 1.0, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001]
    assert [lr(e) for e in range(10)] == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    "epoch, expected",
    # 0.5 · 0.85^e: 0.85² = 0.7225, 0.85⁵ = 0.4437053125
    [(0, 0.5), (1, 0.425), (2, 0.36125), (5, 0.22185265625)],
)
def test_exponential_multiplies_by_gamma_each_epoch(epoch, expected):
    assert exponential(0.5, gamma=0.85)(epoch) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    "epoch, expected",
    # 0.25 · (1 + cos(π e / 20)): cos 0 = 1, cos(π/4) = √2/2, cos(π/2) = 0, cos(3π/4) = −√2/2, cos π = −1
    [(0, 0.5), (5, 0.25 + 0.125 * math.sqrt(2)), (10, 0.25), (15, 0.25 - 0.125 * math.sqrt(2)), (20, 0.0)],
)
def test_cosine_goes_from_lr_to_zero_over_the_epochs(epoch, expected):
    assert cosine(0.5, epochs=20)(epoch) == pytest.approx(expected, rel=1e-14, abs=1e-16)


def test_cosine_with_a_floor_and_after_the_last_epoch():
    lr = cosine(0.5, epochs=20, lr_min=0.1)
    # 0.1 + 0.2 · (1 + cos(π e / 20))
    assert lr(0) == pytest.approx(0.5, rel=1e-15)
    assert lr(10) == pytest.approx(0.3, rel=1e-15)
    assert lr(20) == pytest.approx(0.1, rel=1e-15)
    assert lr(21) == lr(100) == lr(20)  # it stays at lr_min once the epochs are spent


def test_the_values_notebook_09_prints():
    """The table of notebook 10 (lr0 = 0.5, 20 epochs), at epochs 0, 5, 10, 15, 19, worked out by hand."""
    at = (0, 5, 10, 15, 19)
    table = {
        "step decay": ([0.5 * 0.5 ** (e // 5) for e in at], step_decay(0.5, factor=0.5, every=5)),
        "exponential": ([0.5 * 0.85**e for e in at], exponential(0.5, gamma=0.85)),
    }
    for name, (expected, schedule) in table.items():
        assert [schedule(e) for e in at] == pytest.approx(expected, rel=1e-14), name
    assert [round(step_decay(0.5, factor=0.5, every=5)(e), 4) for e in at] == [0.5, 0.25, 0.125, 0.0625, 0.0625]


# --- the properties that define each schedule ---------------------------------------------------


@PROPERTY
@given(lr=lrs, factor=st.floats(0.05, 1.0), every=st.integers(1, 20), epoch=epochs)
def test_step_decay_is_flat_within_a_block_and_drops_by_factor_between_blocks(lr, factor, every, epoch):
    schedule = step_decay(lr, factor=factor, every=every)
    start = epoch - epoch % every  # the first epoch of this block
    assert schedule(epoch) == schedule(start)
    assert schedule(start + every) == pytest.approx(factor * schedule(start), rel=1e-12)
    assert schedule(epoch) <= lr


@PROPERTY
@given(lr=lrs, gamma=st.floats(0.05, 1.0), epoch=epochs)
def test_exponential_is_gamma_times_the_previous_epoch(lr, gamma, epoch):
    schedule = exponential(lr, gamma=gamma)
    assert schedule(0) == lr
    assert schedule(epoch + 1) == pytest.approx(gamma * schedule(epoch), rel=1e-12, abs=1e-300)


@PROPERTY
@given(lr=lrs, floor=st.floats(0.0, 1.0), total=st.integers(1, 100))
def test_cosine_falls_from_lr_to_lr_min_symmetrically(lr, floor, total):
    lr_min = floor * lr
    schedule = cosine(lr, epochs=total, lr_min=lr_min)
    values = np.array([schedule(e) for e in range(total + 1)])
    assert values[0] == pytest.approx(lr, rel=1e-12) and values[-1] == pytest.approx(lr_min, rel=1e-12, abs=1e-15)
    assert np.all(np.diff(values) <= 1e-12 * lr)  # never rises
    assert np.all((values >= lr_min - 1e-12 * lr) & (values <= lr + 1e-12 * lr))
    # cos(π(T − e)/T) = −cos(πe/T): the curve is symmetric about its midpoint (lr + lr_min)/2
    np.testing.assert_allclose(values + values[::-1], lr + lr_min, rtol=1e-12, atol=1e-12 * lr)


# --- train() follows the schedule ----------------------------------------------------------------


def test_train_sets_the_scheduled_learning_rate_every_epoch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(16, 2))
    Y = (X[:, :1] > 0).astype(float)
    schedule = step_decay(0.4, factor=0.5, every=2)
    history = train(Network([2, 1], seed=0), X, Y, "bce", epochs=6, batch_size=8, schedule=schedule)
    assert history.lr == pytest.approx([0.4, 0.4, 0.2, 0.2, 0.1, 0.1], rel=1e-15)


# --- bad input: a clear error when the schedule is made or called ------------------------------


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: constant(0.0), r"lr must be a finite number > 0; got 0\.0"),
        (lambda: constant(-0.1), r"lr must be a finite number > 0; got -0\.1"),
        (lambda: constant(float("nan")), r"lr must be a finite number > 0; got nan"),
        (lambda: constant("0.1"), r"lr must be a finite number > 0; got '0\.1'"),
        (lambda: exponential(float("inf")), r"lr must be a finite number > 0; got inf"),
        (lambda: step_decay(-1.0), r"lr must be a finite number > 0"),
        (lambda: cosine(-0.5, epochs=10), r"lr must be a finite number > 0"),
        (lambda: step_decay(0.1, every=0), r"every must be an integer >= 1; got 0"),
        (lambda: step_decay(0.1, every=2.5), r"every must be an integer >= 1; got 2\.5"),
        (lambda: step_decay(0.1, factor=0.0), r"factor must be a finite number in \(0, 1\]; got 0\.0\. .*0\.5 halves"),
        (lambda: step_decay(0.1, factor=-0.5), r"factor must be a finite number in \(0, 1\]; got -0\.5"),
        (lambda: step_decay(0.1, factor=2.0), r"factor must be a finite number in \(0, 1\]; got 2\.0"),
        (lambda: exponential(0.1, gamma=0.0), r"gamma must be a finite number in \(0, 1\]; got 0\.0"),
        (lambda: exponential(0.1, gamma=1.05), r"gamma must be a finite number in \(0, 1\]; got 1\.05"),
        (lambda: exponential(0.1, gamma=-0.9), r"gamma must be a finite number in \(0, 1\]; got -0\.9"),
        (lambda: cosine(0.1, epochs=0), r"epochs must be an integer >= 1; got 0"),
        (lambda: cosine(0.1, epochs=10.0), r"epochs must be an integer >= 1; got 10\.0"),
        (lambda: cosine(0.1, epochs=10, lr_min=-0.01), r"lr_min must be a finite number in \[0, 0\.1\]; got -0\.01"),
        (lambda: cosine(0.1, epochs=10, lr_min=0.2), r"lr_min must be .* got 0\.2\. .*at most the starting lr"),
    ],
)
def test_bad_settings_are_refused_with_what_was_expected_and_given(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("schedule", [constant(0.1), step_decay(0.1), exponential(0.1), cosine(0.1, epochs=10)],
                         ids=["constant", "step_decay", "exponential", "cosine"])
@pytest.mark.parametrize("epoch", [-1, 1.5, "3", True, None])
def test_an_epoch_that_is_not_a_count_from_zero_is_refused(schedule, epoch):
    with pytest.raises(ValueError, match=rf"epoch must be an integer >= 0; got {epoch!r}\. Epochs count from 0"):
        schedule(epoch)


def test_the_ends_of_the_allowed_ranges_are_accepted():
    assert [step_decay(0.1, factor=1.0, every=1)(e) for e in (0, 5)] == [0.1, 0.1]
    assert exponential(0.1, gamma=1.0)(50) == 0.1
    assert [cosine(0.1, epochs=4, lr_min=0.1)(e) for e in range(5)] == pytest.approx([0.1] * 5, rel=1e-15)
    assert cosine(0.1, epochs=4, lr_min=0.0)(4) == 0.0
    assert constant(0.1)(np.int64(3)) == 0.1  # a numpy integer epoch is an integer


def test_check_range_reports_the_interval_it_wanted():
    check_range(0.5, "p", 0, 1)
    check_range(0, "p", 0, 1)
    check_range(7, "n", 0, integer=True)
    with pytest.raises(ValueError, match=r"^p must be a finite number in \[0, 1\); got 1\.$"):
        check_range(1, "p", 0, 1, include_high=False)
    with pytest.raises(ValueError, match=r"^p must be a finite number > 0; got 0\. Try 0\.5\.$"):
        check_range(0, "p", 0, include_low=False, hint="Try 0.5.")
    with pytest.raises(ValueError, match=r"^n must be an integer >= 0; got 2\.0\.$"):
        check_range(2.0, "n", 0, integer=True)
    with pytest.raises(ValueError, match=r"^p must be a finite number in \[0, 1\]; got nan\.$"):
        check_range(float("nan"), "p", 0, 1)
