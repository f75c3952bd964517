import numpy as np
import pytest
import torch

from gradwise.optimizers import Adadelta

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("learning_rate, rho, epsilon", [(0.001, 0.95, 1e-7), (1.0, 0.9, 1e-6), (0.5, 0.5, 1e-3)])
def test_ten_steps_match_torch(rng, learning_rate, rho, epsilon):
    # Keras and PyTorch define Adadelta identically, epsilon included: no tiny epsilon needed
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(Adadelta(learning_rate, rho=rho, epsilon=epsilon), weights, grads)
    theirs = torch_trajectory(lambda p: torch.optim.Adadelta(p, lr=learning_rate, rho=rho, eps=epsilon),
                              weights, grads)
    assert_same_trajectory(ours, theirs)


def test_keras_closed_form_with_defaults():
    lr, rho, eps = 0.001, 0.95, 1e-7
    w0, g1, g2 = 1.0, 0.3, -0.2
    acc_g1 = (1 - rho) * g1**2
    delta1 = np.sqrt(0.0 + eps) / np.sqrt(acc_g1 + eps) * g1
    acc_d1 = (1 - rho) * delta1**2
    acc_g2 = rho * acc_g1 + (1 - rho) * g2**2
    delta2 = np.sqrt(acc_d1 + eps) / np.sqrt(acc_g2 + eps) * g2
    ours = single_tensor_trajectory(Adadelta(), [w0], [[g1], [g2]])
    np.testing.assert_allclose(ours[:, 0], [w0 - lr * delta1, w0 - lr * delta1 - lr * delta2], rtol=1e-14)


@pytest.mark.parametrize("arg, value", [("rho", 1.0), ("rho", -0.1), ("epsilon", -1.0)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=rf"Adadelta: `{arg}` must be .*got {value}"):
        Adadelta(**{arg: value})
