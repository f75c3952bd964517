import numpy as np
import pytest
import torch

from gradwise.optimizers import RMSprop

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("rho", [0.9, 0.7])
def test_ten_steps_match_torch(rng, momentum, centered, rho):
    # torch's `alpha` is Keras' `rho`; epsilon is placed differently (inside vs outside the sqrt)
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(RMSprop(0.01, rho=rho, momentum=momentum, epsilon=1e-12, centered=centered),
                               weights, grads)
    theirs = torch_trajectory(
        lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=rho, eps=1e-12, momentum=momentum, centered=centered),
        weights, grads)
    assert_same_trajectory(ours, theirs)


def test_keras_closed_form_with_default_epsilon():
    # gradients of 1e-4: v ~ 1e-9, well below epsilon, which sits inside the sqrt in Keras
    lr, rho, eps = 0.001, 0.9, 1e-7
    w0, g1, g2, g3 = 1.0, 1e-4, -2e-4, 5e-5
    v1 = (1 - rho) * g1**2
    w1 = w0 - lr * g1 / np.sqrt(v1 + eps)
    v2 = rho * v1 + (1 - rho) * g2**2
    w2 = w1 - lr * g2 / np.sqrt(v2 + eps)
    v3 = rho * v2 + (1 - rho) * g3**2
    w3 = w2 - lr * g3 / np.sqrt(v3 + eps)
    ours = single_tensor_trajectory(RMSprop(), [w0], [[g1], [g2], [g3]])
    np.testing.assert_allclose(ours[:, 0], [w1, w2, w3], rtol=1e-14)
    # step 1 by hand: 1e-3 * 1e-4 / sqrt(1e-9 + 1e-7) = 3.1466e-4; PyTorch's placement,
    # lr g / (sqrt(v) + eps), gives 1e-7 / (3.1623e-5 + 1e-7) = 3.1523e-3 instead
    assert w0 - ours[0, 0] == pytest.approx(3.1466e-4, rel=1e-4)
    theirs = torch_trajectory(lambda p: torch.optim.RMSprop(p, lr=lr, alpha=rho, eps=eps),
                              {"w": np.array([w0])}, [{"w": np.array([g1])}])
    assert w0 - theirs[0, 0] == pytest.approx(3.1523e-3, rel=1e-4)


def test_keras_closed_form_centered_with_momentum():
    lr, rho, mu, eps = 0.01, 0.9, 0.5, 1e-7
    w0, g1, g2 = 1.0, 2e-3, -1e-3
    v1, a1 = (1 - rho) * g1**2, (1 - rho) * g1
    buffer1 = lr * g1 / np.sqrt(v1 - a1**2 + eps)
    v2, a2 = rho * v1 + (1 - rho) * g2**2, rho * a1 + (1 - rho) * g2
    buffer2 = mu * buffer1 + lr * g2 / np.sqrt(v2 - a2**2 + eps)
    ours = single_tensor_trajectory(RMSprop(lr, momentum=mu, centered=True), [w0], [[g1], [g2]])
    np.testing.assert_allclose(ours[:, 0], [w0 - buffer1, w0 - buffer1 - buffer2], rtol=1e-14)


def test_slots_follow_the_options():
    assert set(RMSprop()._new_slots(np.zeros(3))) == {"velocity"}
    assert set(RMSprop(momentum=0.9, centered=True)._new_slots(np.zeros(3))) == {
        "velocity", "momentum", "average_gradient"}


@pytest.mark.parametrize("arg, value", [("rho", 1.0), ("rho", -0.5), ("momentum", 1.5), ("epsilon", -1.0)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=rf"RMSprop: `{arg}` must be .*got {value}"):
        RMSprop(**{arg: value})
