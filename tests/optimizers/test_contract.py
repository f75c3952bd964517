"""One contract suite for every optimizer: Keras defaults by name, config and state
round trips, standalone arrays, schedules, weight decay, dtype and vectorization."""

import json

import numpy as np
import pytest

from gradwise import optimizers
from gradwise.optimizers import SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, schedules
from gradwise.parameters import ParameterSet

from .reference import gradwise_trajectory, make_problem

# Keras 3's defaults, written out from its documentation.
KERAS_DEFAULTS = {
    "sgd": (SGD, {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False, "weight_decay": None}),
    "adam": (Adam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": False,
                    "weight_decay": None}),
    "adamw": (AdamW, {"learning_rate": 0.001, "weight_decay": 0.004, "beta_1": 0.9, "beta_2": 0.999,
                      "epsilon": 1e-7, "amsgrad": False}),
    "rmsprop": (RMSprop, {"learning_rate": 0.001, "rho": 0.9, "momentum": 0.0, "epsilon": 1e-7, "centered": False,
                          "weight_decay": None}),
    "adagrad": (Adagrad, {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7,
                          "weight_decay": None}),
    "adadelta": (Adadelta, {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7, "weight_decay": None}),
    "nadam": (Nadam, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
                      "weight_decay": None}),
    "adamax": (Adamax, {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7,
                        "weight_decay": None}),
}

# Every optimizer with its optional slots switched on.
CONFIGURED = {
    "sgd": lambda **kw: SGD(momentum=0.9, nesterov=True, **kw),
    "adam": lambda **kw: Adam(amsgrad=True, **kw),
    "adamw": lambda **kw: AdamW(weight_decay=0.1, **kw),
    "rmsprop": lambda **kw: RMSprop(momentum=0.5, centered=True, **kw),
    "adagrad": lambda **kw: Adagrad(**kw),
    "adadelta": lambda **kw: Adadelta(**kw),
    "nadam": lambda **kw: Nadam(**kw),
    "adamax": lambda **kw: Adamax(**kw),
}
NAMES = sorted(KERAS_DEFAULTS)


def test_every_optimizer_is_registered_and_exported():
    assert sorted(optimizers._REGISTRY) == NAMES
    for name, (cls, _) in KERAS_DEFAULTS.items():
        assert optimizers._REGISTRY[name] is cls
        assert cls.__name__ in optimizers.__all__


@pytest.mark.parametrize("name", NAMES)
def test_strings_give_keras_defaults(name):
    cls, defaults = KERAS_DEFAULTS[name]
    optimizer = optimizers.get(name)
    assert type(optimizer) is cls
    assert {key: getattr(optimizer, key) for key in defaults} == defaults


@pytest.mark.parametrize("name", NAMES)
def test_config_round_trip_through_json(rng, name):
    optimizer = CONFIGURED[name](learning_rate=0.02, clipnorm=3.0)
    config = json.loads(json.dumps(optimizers.serialize(optimizer)))
    restored = optimizers.deserialize(config)
    assert type(restored) is type(optimizer)
    assert restored.get_config() == optimizer.get_config()
    weights, grads = make_problem(rng, steps=3)
    np.testing.assert_array_equal(gradwise_trajectory(restored, weights, grads),
                                  gradwise_trajectory(CONFIGURED[name](learning_rate=0.02, clipnorm=3.0),
                                                      weights, grads))


@pytest.mark.parametrize("name", NAMES)
def test_state_round_trip_continues_bit_for_bit(rng, name):
    weights, grads = make_problem(rng, steps=8)
    full = gradwise_trajectory(CONFIGURED[name](learning_rate=0.05), weights, grads)

    first = CONFIGURED[name](learning_rate=0.05)
    parameter_set = ParameterSet(weights, np.float64)
    for step_grads in grads[:3]:
        for key, grad in step_grads.items():
            parameter_set.grad_views[key][...] = grad
        first.step(parameter_set)
    state = json_like_copy(first.get_state())
    saved_weights = {key: view.copy() for key, view in parameter_set.value_views.items()}

    resumed = CONFIGURED[name](learning_rate=0.05)
    resumed_set = ParameterSet(saved_weights, np.float64)
    resumed.set_state(state, resumed_set)
    assert resumed.iterations == 3
    rest = []
    for step_grads in grads[3:]:
        for key, grad in step_grads.items():
            resumed_set.grad_views[key][...] = grad
        resumed.step(resumed_set)
        rest.append(resumed_set.values.copy())
    np.testing.assert_array_equal(np.array(rest), full[3:])


def json_like_copy(state):
    """What a checkpoint gives back: fresh arrays, nothing shared with the optimizer."""
    return {key: np.array(np.asarray(value).tolist()) for key, value in state.items()}


@pytest.mark.parametrize("name", NAMES)
def test_apply_gradients_equals_a_parameter_set_step(rng, name):
    weights, grads = make_problem(rng, steps=3)
    variables = [w.copy() for w in weights.values()]
    optimizer = CONFIGURED[name](learning_rate=0.05)
    for step_grads in grads:
        optimizer.apply_gradients(zip(step_grads.values(), variables))
    expected = gradwise_trajectory(CONFIGURED[name](learning_rate=0.05), weights, grads)[-1]
    np.testing.assert_array_equal(np.concatenate([v.ravel() for v in variables]), expected)


@pytest.mark.parametrize("name", NAMES)
def test_schedule_equals_setting_the_rate_before_each_step(rng, name):
    schedule = schedules.PolynomialDecay(0.1, decay_steps=4, end_learning_rate=0.01, power=2.0)
    weights, grads = make_problem(rng, steps=6)
    scheduled = gradwise_trajectory(CONFIGURED[name](learning_rate=schedule), weights, grads)

    manual = CONFIGURED[name](learning_rate=0.1)
    parameter_set = ParameterSet(weights, np.float64)
    trajectory = []
    for step, step_grads in enumerate(grads):
        manual.learning_rate = schedule(step)
        for key, grad in step_grads.items():
            parameter_set.grad_views[key][...] = grad
        manual.step(parameter_set)
        trajectory.append(parameter_set.values.copy())
    np.testing.assert_array_equal(scheduled, np.array(trajectory))
    # and the rate did change: a constant 0.1 gives another trajectory
    assert not np.allclose(scheduled, gradwise_trajectory(CONFIGURED[name](learning_rate=0.1), weights, grads))


@pytest.mark.parametrize("name", [n for n in NAMES if n != "adamw"])
def test_weight_decay_shrinks_the_weights_before_the_update(rng, name):
    lr, wd = 0.05, 0.2
    weights, grads = make_problem(rng, steps=4)
    decayed = gradwise_trajectory(CONFIGURED[name](learning_rate=lr, weight_decay=wd), weights, grads)

    plain = CONFIGURED[name](learning_rate=lr)
    parameter_set = ParameterSet(weights, np.float64)
    trajectory = []
    for step_grads in grads:
        parameter_set.values -= lr * wd * parameter_set.values
        for key, grad in step_grads.items():
            parameter_set.grad_views[key][...] = grad
        plain.step(parameter_set)
        trajectory.append(parameter_set.values.copy())
    np.testing.assert_allclose(decayed, np.array(trajectory), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_one_vectorized_step_whatever_the_number_of_tensors(rng, name, monkeypatch):
    optimizer = CONFIGURED[name](learning_rate=0.05)
    calls = []
    original = type(optimizer)._step
    monkeypatch.setattr(type(optimizer), "_step", lambda self, grad, slots, lr: calls.append(grad.shape)
                        or original(self, grad, slots, lr))
    shapes = {f"layer_{i}/kernel": (i + 1, 3) for i in range(20)}
    weights, grads = make_problem(rng, shapes=shapes, steps=2)
    gradwise_trajectory(optimizer, weights, grads)
    total = sum(a * b for a, b in shapes.values())
    assert calls == [(total,), (total,)]
    for slot in optimizer.slots.values():
        assert np.shape(slot) in {(total,), ()}


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(rng, name):
    weights, grads = make_problem(rng, steps=3)
    optimizer = CONFIGURED[name](learning_rate=0.05)
    trajectory = gradwise_trajectory(optimizer, weights, grads, dtype=np.float32)
    assert trajectory.dtype == np.float32
    assert all(np.asarray(slot).dtype == np.float32 for slot in optimizer.slots.values())
    expected = gradwise_trajectory(CONFIGURED[name](learning_rate=0.05), weights, grads)
    np.testing.assert_allclose(trajectory, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("learning_rate", [-0.01, 0.0, float("nan"), "fast"])
def test_bad_learning_rate(name, learning_rate):
    cls = KERAS_DEFAULTS[name][0]
    with pytest.raises(ValueError, match=rf"{cls.__name__}: `learning_rate` must be a positive finite number"):
        cls(learning_rate=learning_rate)


@pytest.mark.parametrize("name", NAMES)
def test_both_clipnorms_raise(name):
    cls = KERAS_DEFAULTS[name][0]
    with pytest.raises(ValueError, match=rf"{cls.__name__}: set at most one of `clipnorm` and `global_clipnorm`"):
        cls(clipnorm=1.0, global_clipnorm=1.0)


@pytest.mark.parametrize("name", NAMES)
def test_a_model_of_another_size_is_refused(name):
    optimizer = CONFIGURED[name]()
    first, second = ParameterSet({"w": np.ones(3)}, np.float64), ParameterSet({"w": np.ones(5)}, np.float64)
    optimizer.step(first)
    with pytest.raises(ValueError, match="holds state for 3 parameters and was given 5"):
        optimizer.step(second)


@pytest.mark.parametrize("name", NAMES)
def test_blocked_threaded_update_equals_one_whole_array_update(monkeypatch, name):
    """A model larger than a block is updated block by block (in threads); every element
    must end exactly where the single whole-array update puts it."""
    from gradwise.ops import numpy_ops, threads

    rng_local = np.random.default_rng(3)
    size = 5 * numpy_ops.BLOCK_ELEMENTS + 123
    start = {"a": rng_local.normal(size=size - 1000), "b": rng_local.normal(size=(10, 100))}
    gradients = [rng_local.normal(size=size) for _ in range(4)]

    def run(block_elements):
        monkeypatch.setattr(numpy_ops, "BLOCK_ELEMENTS", block_elements)
        monkeypatch.setattr(threads, "MIN_ELEMENTS", 1)  # let threads take part even at this size
        monkeypatch.setenv("GRADWISE_NUM_THREADS", "2")
        ps = ParameterSet(start, np.float64)
        optimizer = CONFIGURED[name](weight_decay=0.01) if name != "adamw" else CONFIGURED[name]()
        for gradient in gradients:
            ps.grads[:] = gradient
            optimizer.step(ps)
        return ps.values.copy(), optimizer.get_state()

    whole_values, whole_state = run(size + 1)
    blocked_values, blocked_state = run(numpy_ops.BLOCK_ELEMENTS)
    np.testing.assert_array_equal(blocked_values, whole_values)
    for key, value in whole_state.items():
        np.testing.assert_array_equal(blocked_state[key], value)
