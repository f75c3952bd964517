import numpy as np
import pytest
import torch

from gradwise.optimizers import Adam, AdamW

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("weight_decay", [0.004, 0.5])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_ten_steps_match_torch(rng, weight_decay, amsgrad):
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(AdamW(0.05, weight_decay=weight_decay, epsilon=1e-12, amsgrad=amsgrad), weights, grads)
    theirs = torch_trajectory(
        lambda p: torch.optim.AdamW(p, lr=0.05, weight_decay=weight_decay, eps=1e-12, amsgrad=amsgrad), weights, grads)
    assert_same_trajectory(ours, theirs)


def test_keras_default_decay_is_0_004_and_applied_before_the_update():
    # step 1 with lr 0.1: w1 = w0 (1 - 0.1 * 0.004) - Adam's first step (m_hat / sqrt(v_hat) = sign(g))
    w0, g = 2.0, 0.5
    eps = 1e-7
    adam_step = 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9) * (0.1 * g) / (np.sqrt(0.001 * g * g) + eps)
    ours = single_tensor_trajectory(AdamW(0.1), [w0], [[g]])
    assert AdamW().weight_decay == 0.004
    assert ours[0, 0] == pytest.approx(w0 * (1 - 0.1 * 0.004) - adam_step, rel=1e-14)


def test_is_adam_with_weight_decay(rng):
    weights, grads = make_problem(rng, steps=4)
    np.testing.assert_array_equal(gradwise_trajectory(AdamW(0.01, weight_decay=0.1), weights, grads),
                                  gradwise_trajectory(Adam(0.01, weight_decay=0.1), weights, grads))


@pytest.mark.parametrize("weight_decay", [None, -0.1])
def test_weight_decay_must_be_a_non_negative_number(weight_decay):
    with pytest.raises(ValueError, match="AdamW: `weight_decay` must be a non-negative finite number"):
        AdamW(weight_decay=weight_decay)
