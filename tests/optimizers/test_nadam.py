import numpy as np
import pytest
import torch

from gradwise.optimizers import Nadam
from gradwise.parameters import ParameterSet

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("epsilon", [1e-7, 1e-12])
@pytest.mark.parametrize("beta_1, beta_2", [(0.9, 0.999), (0.7, 0.9)])
def test_ten_steps_match_torch(rng, epsilon, beta_1, beta_2):
    # momentum_decay=1.0 makes torch's schedule 0.96**t, Keras'; epsilon is placed alike
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(Nadam(0.05, beta_1, beta_2, epsilon=epsilon), weights, grads)
    theirs = torch_trajectory(
        lambda p: torch.optim.NAdam(p, lr=0.05, betas=(beta_1, beta_2), eps=epsilon, momentum_decay=1.0),
        weights, grads)
    assert_same_trajectory(ours, theirs)


def test_torch_default_momentum_decay_is_a_different_schedule(rng):
    weights, grads = make_problem(rng, steps=3)
    ours = gradwise_trajectory(Nadam(0.05), weights, grads)
    theirs = torch_trajectory(lambda p: torch.optim.NAdam(p, lr=0.05, eps=1e-7), weights, grads)
    assert np.max(np.abs(ours - theirs)) > 1e-4


def test_keras_closed_form_two_steps():
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7
    u1, u2, u3 = (b1 * (1 - 0.5 * 0.96**t) for t in (1, 2, 3))
    w0, g1, g2 = 1.0, 0.5, -0.25
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    m_hat1 = u2 * m1 / (1 - u1 * u2) + (1 - u1) * g1 / (1 - u1)
    w1 = w0 - lr * m_hat1 / (np.sqrt(v1 / (1 - b2)) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    m_hat2 = u3 * m2 / (1 - u1 * u2 * u3) + (1 - u2) * g2 / (1 - u1 * u2)
    w2 = w1 - lr * m_hat2 / (np.sqrt(v2 / (1 - b2**2)) + eps)
    optimizer = Nadam()
    ours = single_tensor_trajectory(optimizer, [w0], [[g1], [g2]])
    np.testing.assert_allclose(ours[:, 0], [w1, w2], rtol=1e-14)
    assert float(optimizer.slots["u_product"]) == pytest.approx(u1 * u2, rel=1e-15)


def test_the_scalar_slot_is_saved_and_restored():
    parameter_set = ParameterSet({"a": np.ones((2, 2)), "b": np.ones(3)}, np.float64)
    parameter_set.grads[:] = 0.1
    optimizer = Nadam()
    optimizer.step(parameter_set)
    optimizer.step(parameter_set)
    state = optimizer.get_state()
    assert state["u_product"].shape == ()
    assert float(state["u_product"]) == pytest.approx(0.9 * (1 - 0.5 * 0.96) * 0.9 * (1 - 0.5 * 0.96**2))
    restored = Nadam()
    restored.set_state(state, parameter_set)
    assert float(restored.slots["u_product"]) == float(state["u_product"])
    state.pop("u_product")
    with pytest.raises(ValueError, match="missing slot 'u_product'"):
        Nadam().set_state(state, parameter_set)


@pytest.mark.parametrize("arg, value", [("beta_1", 1.0), ("beta_2", 1.5), ("epsilon", -1.0)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=rf"Nadam: `{arg}` must be .*got {value}"):
        Nadam(**{arg: value})
