import json
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from gradwise.optimizers import schedules
from gradwise.optimizers.schedules import (
    CosineDecay, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay)


def torch_rates(make_scheduler, initial, steps):
    """The learning rate torch uses at each of `steps` optimizer steps."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=initial)
    scheduler = make_scheduler(optimizer)
    rates = []
    for _ in range(steps):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return np.array(rates)


def rates(schedule, steps):
    return np.array([schedule(step) for step in range(steps)])


# ----- ExponentialDecay -----------------------------------------------------------------
@pytest.mark.parametrize("step, smooth, stairs", [
    (0, 0.1, 0.1), (5, 0.1 * 0.5**0.5, 0.1), (9, 0.1 * 0.5**0.9, 0.1), (10, 0.05, 0.05), (25, 0.1 * 0.5**2.5, 0.025),
])
def test_exponential_decay_closed_form(step, smooth, stairs):
    assert ExponentialDecay(0.1, 10, 0.5)(step) == pytest.approx(smooth, rel=1e-14)
    assert ExponentialDecay(0.1, 10, 0.5, staircase=True)(step) == pytest.approx(stairs, rel=1e-14)


def test_exponential_decay_matches_torch_exponential_lr():
    ours = rates(ExponentialDecay(0.1, decay_steps=1, decay_rate=0.9), 30)
    theirs = torch_rates(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9), 0.1, 30)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


# ----- InverseTimeDecay ------------------------------------------------------------------
@pytest.mark.parametrize("step, smooth, stairs", [
    (0, 0.1, 0.1), (3, 0.1 / 1.15, 0.1), (10, 0.1 / 1.5, 0.1 / 1.5), (19, 0.1 / 1.95, 0.1 / 1.5), (20, 0.05, 0.05),
])
def test_inverse_time_decay_closed_form(step, smooth, stairs):
    # 0.1 / (1 + 0.5 * step / 10); staircase floors step / 10
    assert InverseTimeDecay(0.1, 10, 0.5)(step) == pytest.approx(smooth, rel=1e-14)
    assert InverseTimeDecay(0.1, 10, 0.5, staircase=True)(step) == pytest.approx(stairs, rel=1e-14)


# ----- PiecewiseConstantDecay ------------------------------------------------------------
@pytest.mark.parametrize("step, expected", [(0, 1.0), (10, 1.0), (11, 0.5), (20, 0.5), (21, 0.25), (1000, 0.25)])
def test_piecewise_constant_closed_form(step, expected):
    # a step equal to a boundary still gets the value before it
    assert PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.25])(step) == expected


def test_piecewise_constant_matches_torch_multistep_lr():
    # torch switches *at* a milestone, Keras just *after* a boundary: milestones = boundaries + 1
    ours = rates(PiecewiseConstantDecay([4, 9], [0.2, 0.1, 0.05]), 15)
    theirs = torch_rates(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[5, 10], gamma=0.5), 0.2, 15)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14)


# ----- PolynomialDecay ---------------------------------------------------------------------
@pytest.mark.parametrize("step, expected", [
    (0, 0.1), (4, (0.1 - 0.01) * (1 - 0.4) ** 2 + 0.01), (10, 0.01), (15, 0.01),
])
def test_polynomial_decay_closed_form(step, expected):
    assert PolynomialDecay(0.1, 10, end_learning_rate=0.01, power=2.0)(step) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("step, decay_steps", [(0, 10), (4, 10), (10, 10), (11, 20), (20, 20), (25, 30)])
def test_polynomial_decay_cycle_stretches_to_the_next_multiple(step, decay_steps):
    expected = (0.1 - 0.01) * (1 - step / decay_steps) ** 0.5 + 0.01
    assert PolynomialDecay(0.1, 10, 0.01, power=0.5, cycle=True)(step) == pytest.approx(expected, rel=1e-14)


def test_polynomial_decay_matches_torch_polynomial_lr():
    ours = rates(PolynomialDecay(0.1, 8, end_learning_rate=0.0, power=1.5), 12)
    theirs = torch_rates(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=8, power=1.5), 0.1, 12)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-16)


# ----- CosineDecay -------------------------------------------------------------------------
@pytest.mark.parametrize("step", [0, 3, 10, 17, 20, 30])
def test_cosine_decay_closed_form(step):
    fraction = min(step, 20) / 20
    expected = 0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * fraction)) + 0.1)
    assert CosineDecay(0.1, 20, alpha=0.1)(step) == pytest.approx(expected, rel=1e-14)


def test_cosine_decay_matches_torch_cosine_annealing():
    # torch's eta_min is alpha * initial_learning_rate
    ours = rates(CosineDecay(0.1, 20, alpha=0.2), 21)
    theirs = torch_rates(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=20, eta_min=0.02), 0.1, 21)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("step, expected", [
    (0, 0.01), (2, 0.01 + 0.09 * 2 / 5), (4, 0.01 + 0.09 * 4 / 5),   # linear warm-up over 5 steps
    (5, 0.1),                                                         # the target, start of the decay
    (10, 0.1 * (0.5 * 0.5 * (1 + math.cos(math.pi * 0.5)) + 0.5)),     # half-way through 10 decay steps
    (15, 0.05), (40, 0.05),                                          # alpha * target at the end, and after
])
def test_cosine_decay_with_linear_warm_up(step, expected):
    schedule = CosineDecay(0.01, decay_steps=10, alpha=0.5, warmup_target=0.1, warmup_steps=5)
    assert schedule(step) == pytest.approx(expected, rel=1e-14)


def test_cosine_warm_up_matches_torch_linear_then_cosine_annealing():
    lr_scheduler = torch.optim.lr_scheduler
    ours = rates(CosineDecay(0.01, decay_steps=10, alpha=0.5, warmup_target=0.1, warmup_steps=5), 16)
    theirs = torch_rates(lambda o: lr_scheduler.SequentialLR(o, [
        lr_scheduler.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=5),
        lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=0.05)], milestones=[5]), 0.1, 16)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_cosine_warm_up_target_without_warm_up_steps_decays_from_the_target():
    assert CosineDecay(0.01, 10, warmup_target=0.1)(0) == pytest.approx(0.1, rel=1e-15)


# ----- every schedule ---------------------------------------------------------------------
ALL = [
    ExponentialDecay(0.1, 7, 0.5, staircase=True),
    InverseTimeDecay(0.2, 3.5, 0.7),
    PiecewiseConstantDecay([3, 8], [0.3, 0.2, 0.1]),
    PolynomialDecay(0.1, 9, end_learning_rate=0.001, power=3.0, cycle=True),
    CosineDecay(0.0, 12, alpha=0.05, warmup_target=0.2, warmup_steps=4),
]


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_config_round_trip_through_json(schedule):
    config = json.loads(json.dumps(schedules.serialize(schedule)))
    restored = schedules.deserialize(config)
    assert type(restored) is type(schedule)
    assert restored.get_config() == schedule.get_config()
    np.testing.assert_array_equal(rates(restored, 30), rates(schedule, 30))


@pytest.mark.parametrize("schedule", ALL, ids=lambda s: type(s).__name__)
def test_array_of_steps_equals_step_by_step(schedule):
    np.testing.assert_array_equal(schedule(np.arange(30)), rates(schedule, 30))
    assert isinstance(schedule(3), float)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_decays_never_increase(first, second):
    early, late = min(first, second), max(first, second)
    for schedule in (ExponentialDecay(0.1, 7, 0.5), InverseTimeDecay(0.1, 3, 0.5), CosineDecay(0.1, 500, 0.1),
                     PolynomialDecay(0.1, 900, 0.001, power=2.0), PiecewiseConstantDecay([5, 50], [0.3, 0.2, 0.1])):
        assert 0 <= schedule(late) <= schedule(early)


def test_unknown_schedule_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown learning-rate schedule 'StepDecay'. Valid names: CosineDecay, "
                                         "CosineDecayRestarts, ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay"):
        schedules.deserialize({"class_name": "StepDecay", "config": {}})


@pytest.mark.parametrize("make, message", [
    (lambda: ExponentialDecay(0.1, 0, 0.5), r"ExponentialDecay: `decay_steps` must be a positive finite number, got 0"),
    (lambda: ExponentialDecay(0.1, 10, -0.5), r"ExponentialDecay: `decay_rate` must be a positive finite number"),
    (lambda: InverseTimeDecay(-0.1, 10, 0.5), r"InverseTimeDecay: `initial_learning_rate` must be a non-negative"),
    (lambda: InverseTimeDecay(0.1, -1, 0.5), r"InverseTimeDecay: `decay_steps` must be a positive finite number"),
    (lambda: PiecewiseConstantDecay([10], [1.0]),
     r"PiecewiseConstantDecay: `values` must have one more element than `boundaries`, got 1 boundaries and 1 values"),
    (lambda: PiecewiseConstantDecay([10, 10], [1.0, 0.5, 0.1]),
     r"PiecewiseConstantDecay: `boundaries` must be strictly increasing numbers, got \[10, 10\]"),
    (lambda: PolynomialDecay(0.1, 10, power=0.0), r"PolynomialDecay: `power` must be a positive finite number, got 0.0"),
    (lambda: PolynomialDecay(0.1, 10, end_learning_rate=-1.0), r"PolynomialDecay: `end_learning_rate` must be"),
    (lambda: CosineDecay(0.1, 10, alpha=1.5), r"CosineDecay: `alpha` must be a float in \[0, 1\], got 1.5"),
    (lambda: CosineDecay(0.1, 10, warmup_steps=5), r"CosineDecay: `warmup_steps`=5 needs `warmup_target`"),
    (lambda: CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=-1),
     r"CosineDecay: `warmup_steps` must be a non-negative int, got -1"),
])
def test_bad_arguments(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_piecewise_constant_needs_lists():
    with pytest.raises(TypeError, match="PiecewiseConstantDecay: `boundaries` and `values` must be lists"):
        PiecewiseConstantDecay(10, [1.0, 0.5])
