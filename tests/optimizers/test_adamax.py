import numpy as np
import pytest
import torch

from gradwise.optimizers import Adamax

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("beta_1, beta_2", [(0.9, 0.999), (0.5, 0.8)])
def test_ten_steps_match_torch(rng, beta_1, beta_2):
    # torch puts epsilon inside the max, Keras adds it to u: make it negligible
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(Adamax(0.05, beta_1, beta_2, epsilon=1e-12), weights, grads)
    theirs = torch_trajectory(lambda p: torch.optim.Adamax(p, lr=0.05, betas=(beta_1, beta_2), eps=1e-12),
                              weights, grads)
    assert_same_trajectory(ours, theirs)


def test_keras_closed_form_with_default_epsilon():
    # gradients of 1e-6: u is ten times epsilon, so where epsilon sits matters
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7
    w0, g1, g2, g3 = 1.0, 1e-6, -3e-6, 5e-7
    m1, u1 = (1 - b1) * g1, abs(g1)
    w1 = w0 - lr * m1 / ((1 - b1) * (u1 + eps))
    m2, u2 = b1 * m1 + (1 - b1) * g2, max(b2 * u1, abs(g2))
    w2 = w1 - lr * m2 / ((1 - b1**2) * (u2 + eps))
    m3, u3 = b1 * m2 + (1 - b1) * g3, max(b2 * u2, abs(g3))  # the max keeps b2 * u2 here
    w3 = w2 - lr * m3 / ((1 - b1**3) * (u3 + eps))
    ours = single_tensor_trajectory(Adamax(), [w0], [[g1], [g2], [g3]])
    np.testing.assert_allclose(ours[:, 0], [w1, w2, w3], rtol=1e-14)
    # step 1 by hand: 1e-3 * 1e-6 / (1e-6 + 1e-7)
    assert w0 - ours[0, 0] == pytest.approx(1e-3 / 1.1, rel=1e-10)


@pytest.mark.parametrize("arg, value", [("beta_1", -0.2), ("beta_2", 1.0), ("epsilon", -1.0)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=rf"Adamax: `{arg}` must be .*got {value}"):
        Adamax(**{arg: value})
