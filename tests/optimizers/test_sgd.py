import numpy as np
import pytest
import torch

from gradwise.optimizers import SGD

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("momentum, nesterov", [(0.0, False), (0.9, False), (0.9, True), (0.5, True)])
def test_ten_steps_match_torch(rng, momentum, nesterov):
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(SGD(0.05, momentum=momentum, nesterov=nesterov), weights, grads)
    theirs = torch_trajectory(lambda p: torch.optim.SGD(p, lr=0.05, momentum=momentum, nesterov=nesterov),
                              weights, grads)
    assert_same_trajectory(ours, theirs)


def test_hand_worked_momentum_and_nesterov_steps():
    # lr 0.1, momentum 0.9, w0 = [1, -2], g1 = [0.5, 1], g2 = [-1, 0.5]
    # momentum: v1 = -0.1 g1 = [-0.05, -0.1], w1 = [0.95, -2.1]
    #           v2 = 0.9 v1 - 0.1 g2 = [0.055, -0.14], w2 = [1.005, -2.24]
    # nesterov: w1 = w0 + 0.9 v1 - 0.1 g1 = [0.905, -2.19]
    #           w2 = w1 + 0.9 v2 - 0.1 g2 = [1.0545, -2.366]
    grads = [[0.5, 1.0], [-1.0, 0.5]]
    plain = single_tensor_trajectory(SGD(0.1, momentum=0.9), [1.0, -2.0], grads)
    np.testing.assert_allclose(plain, [[0.95, -2.1], [1.005, -2.24]], rtol=1e-14)
    nesterov = single_tensor_trajectory(SGD(0.1, momentum=0.9, nesterov=True), [1.0, -2.0], grads)
    np.testing.assert_allclose(nesterov, [[0.905, -2.19], [1.0545, -2.366]], rtol=1e-14)


def test_no_momentum_slot_without_momentum():
    optimizer = SGD(0.1)
    single_tensor_trajectory(optimizer, [1.0], [[1.0]])
    assert optimizer.slots == {}


@pytest.mark.parametrize("momentum", [-0.1, 1.5])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match=r"SGD: `momentum` must be a float in \[0, 1\]"):
        SGD(momentum=momentum)
