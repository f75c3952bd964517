"""Features every optimizer gets from the base class: weight decay, schedules as the
learning rate, standalone arrays, state, and name lookup."""

import json

import numpy as np
import pytest
import torch

from gradwise import optimizers
from gradwise.optimizers import SGD, Adam, RMSprop, schedules
from gradwise.parameters import ParameterSet

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


# ----- weight decay -------------------------------------------------------------------
def test_weight_decay_on_plain_sgd_matches_torch(rng):
    # without momentum, torch's coupled L2 decay and Keras' decoupled decay coincide
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(SGD(0.05, weight_decay=0.3), weights, grads)
    theirs = torch_trajectory(lambda p: torch.optim.SGD(p, lr=0.05, weight_decay=0.3), weights, grads)
    assert_same_trajectory(ours, theirs)


def test_weight_decay_on_adam_matches_torch_decoupled(rng):
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(Adam(0.05, weight_decay=0.2, epsilon=1e-12), weights, grads)
    theirs = torch_trajectory(
        lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.2, eps=1e-12, decoupled_weight_decay=True),
        weights, grads)
    assert_same_trajectory(ours, theirs)


def test_weight_decay_with_momentum_is_decoupled():
    # w <- w (1 - lr wd) first, then the momentum update, which never sees the decay
    lr, wd, mu = 0.1, 0.5, 0.9
    w0, g1, g2 = 2.0, 1.0, -1.0
    v1 = -lr * g1
    w1 = w0 * (1 - lr * wd) + v1          # 1.9 - 0.1 = 1.8
    v2 = mu * v1 - lr * g2                # 0.01
    w2 = w1 * (1 - lr * wd) + v2          # 1.71 + 0.01 = 1.72
    ours = single_tensor_trajectory(SGD(lr, momentum=mu, weight_decay=wd), [w0], [[g1], [g2]])
    np.testing.assert_allclose(ours[:, 0], [w1, w2], rtol=1e-14)
    np.testing.assert_allclose(ours[:, 0], [1.8, 1.72], rtol=1e-14)


# ----- learning-rate schedules ------------------------------------------------------------
def test_schedule_is_evaluated_at_iterations():
    # 0.1 for steps 0 and 1 (step <= boundary 1), then 0.01
    optimizer = SGD(schedules.PiecewiseConstantDecay([1], [0.1, 0.01]))
    seen = []
    parameter_set = ParameterSet({"w": np.zeros(1)}, np.float64)
    parameter_set.grads[:] = 1.0
    for _ in range(3):
        seen.append(optimizer.learning_rate)
        optimizer.step(parameter_set)
    assert seen == [0.1, 0.1, 0.01]
    assert parameter_set.values[0] == pytest.approx(-0.21, rel=1e-14)
    assert optimizer.learning_rate == 0.01 and optimizer.iterations == 3


def test_adam_with_exponential_decay_matches_torch_exponential_lr(rng):
    weights, grads = make_problem(rng)
    schedule = schedules.ExponentialDecay(0.05, decay_steps=1, decay_rate=0.8)
    ours = gradwise_trajectory(Adam(schedule, epsilon=1e-12), weights, grads)
    theirs = torch_trajectory(lambda p: torch.optim.Adam(p, lr=0.05, eps=1e-12), weights, grads,
                              make_scheduler=lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.8))
    assert_same_trajectory(ours, theirs)


def test_schedule_survives_config_round_trip():
    schedule = schedules.CosineDecay(0.0, 100, warmup_target=0.1, warmup_steps=10)
    config = json.loads(json.dumps(optimizers.serialize(RMSprop(schedule))))
    assert config["config"]["learning_rate"]["class_name"] == "CosineDecay"
    restored = optimizers.deserialize(config)
    assert isinstance(restored.schedule, schedules.CosineDecay)
    assert restored.schedule.get_config() == schedule.get_config()


def test_a_plain_callable_works_but_cannot_be_serialized():
    optimizer = SGD(lambda step: 0.5 / (step + 1))
    single_tensor_trajectory(optimizer, [0.0], [[1.0], [1.0]])
    assert optimizer.learning_rate == pytest.approx(0.5 / 3)
    with pytest.raises(TypeError, match="Only a LearningRateSchedule can be serialized"):
        optimizer.get_config()


# ----- standalone arrays ----------------------------------------------------------------
def test_apply_gradients_updates_arrays_in_place():
    kernel, bias = np.ones((2, 2)), np.zeros(3)
    SGD(0.5).apply_gradients([(np.full((2, 2), 2.0), kernel), (np.array([1.0, -1.0, 0.0]), bias)])
    np.testing.assert_array_equal(kernel, np.zeros((2, 2)))
    np.testing.assert_array_equal(bias, [-0.5, 0.5, 0.0])


def test_apply_gradients_keeps_slots_between_calls(rng):
    weights, grads = make_problem(rng, steps=3)
    variables = [w.copy() for w in weights.values()]
    optimizer = Adam(0.1)
    for step_grads in grads:
        optimizer.apply_gradients(zip(step_grads.values(), variables))
    expected = gradwise_trajectory(Adam(0.1), weights, grads)[-1]
    np.testing.assert_array_equal(np.concatenate([v.ravel() for v in variables]), expected)
    assert optimizer.iterations == 3


def test_apply_gradients_to_other_variables_of_another_size_raises():
    optimizer = Adam()
    optimizer.apply_gradients([(np.ones(3), np.zeros(3))])
    with pytest.raises(ValueError, match="already holds state for 3 parameters and was given 4"):
        optimizer.apply_gradients([(np.ones(4), np.zeros(4))])


# ----- state ------------------------------------------------------------------------------
def test_state_is_named_per_tensor_and_copied():
    parameter_set = ParameterSet({"dense/kernel": np.ones((2, 3)), "dense/bias": np.ones(3)}, np.float64)
    parameter_set.grads[:] = 0.5
    optimizer = Adam()
    optimizer.step(parameter_set)
    state = optimizer.get_state()
    assert set(state) == {"iterations", "dense/kernel/momentum", "dense/bias/momentum",
                          "dense/kernel/velocity", "dense/bias/velocity"}
    assert state["dense/kernel/momentum"].shape == (2, 3)
    np.testing.assert_allclose(state["dense/bias/momentum"], np.full(3, 0.05), rtol=1e-15)
    state["dense/bias/momentum"][...] = 7.0
    assert not np.any(optimizer.slots["momentum"] == 7.0)


def test_set_state_with_a_missing_slot_raises():
    parameter_set = ParameterSet({"w": np.ones(2)}, np.float64)
    with pytest.raises(ValueError, match="Adam.set_state: missing slot 'w/momentum'"):
        Adam().set_state({"iterations": np.array(1)}, parameter_set)


# ----- lookup by name --------------------------------------------------------------------
def test_get_accepts_names_any_case_configs_and_instances():
    assert type(optimizers.get("RMSprop")) is RMSprop
    instance = Adam(0.3)
    assert optimizers.get(instance) is instance
    rebuilt = optimizers.get(optimizers.serialize(instance))
    assert type(rebuilt) is Adam and rebuilt.learning_rate == 0.3


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="Unknown optimizer 'adamm'. Valid names: adadelta, adagrad, adam, "
                                         "adamax, adamw, nadam, rmsprop, sgd."):
        optimizers.get("adamm")


def test_get_rejects_other_types():
    with pytest.raises(TypeError, match="`optimizer` must be a name such as 'adam' or a gradwise Optimizer, got 3 "
                                        "of type int"):
        optimizers.get(3)


@pytest.mark.parametrize("t_mul, alpha", [(1, 0.0), (2, 0.0), (2, 0.1), (3, 0.05)])
def test_cosine_decay_restarts_is_torchs_warm_restarts(t_mul, alpha):
    schedule = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=float(t_mul), alpha=alpha)
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    warm = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=10, T_mult=t_mul, eta_min=0.1 * alpha)
    for step in range(200):
        assert schedule(step) == pytest.approx(optimizer.param_groups[0]["lr"], rel=1e-9, abs=1e-12), step
        optimizer.step()
        warm.step()


def test_cosine_decay_restarts_m_mul_and_config():
    schedule = schedules.CosineDecayRestarts(0.1, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    assert schedule(0) == pytest.approx(0.1) and schedule(10) == pytest.approx(0.05)
    assert schedule(30) == pytest.approx(0.025)  # third period: 10 + 20 steps in
    rebuilt = schedules.deserialize(schedules.serialize(schedule))
    np.testing.assert_allclose(rebuilt(np.arange(100)), schedule(np.arange(100)))
    with pytest.raises(ValueError, match="CosineDecayRestarts: `t_mul`"):
        schedules.CosineDecayRestarts(0.1, 10, t_mul=0)
