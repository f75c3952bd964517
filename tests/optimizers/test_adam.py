import numpy as np
import pytest
import torch

from gradwise.optimizers import Adam
from gradwise.parameters import ParameterSet

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("beta_1, beta_2", [(0.9, 0.999), (0.8, 0.95)])
@pytest.mark.parametrize("amsgrad", [False, True])
def test_ten_steps_match_torch(rng, beta_1, beta_2, amsgrad):
    # epsilon sits in different places (see the Adam docstring): make it negligible
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(Adam(0.05, beta_1, beta_2, epsilon=1e-12, amsgrad=amsgrad), weights, grads)
    theirs = torch_trajectory(
        lambda p: torch.optim.Adam(p, lr=0.05, betas=(beta_1, beta_2), eps=1e-12, amsgrad=amsgrad), weights, grads)
    assert_same_trajectory(ours, theirs)


def test_amsgrad_takes_the_running_maximum():
    # a large gradient then small ones: with amsgrad the denominator keeps the large v
    grads = [[10.0], [0.1], [0.1]]
    plain = single_tensor_trajectory(Adam(0.1), [0.0], grads)
    amsgrad = single_tensor_trajectory(Adam(0.1, amsgrad=True), [0.0], grads)
    np.testing.assert_array_equal(plain[0], amsgrad[0])
    assert abs(amsgrad[2, 0] - amsgrad[1, 0]) < abs(plain[2, 0] - plain[1, 0])


def test_keras_closed_form_with_default_epsilon():
    # Gradients of 1e-5 make Keras' epsilon (1e-7, added to sqrt(v), not bias-corrected) visible.
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-7
    w0, g1, g2, g3 = 0.5, 1e-5, -2e-5, 3e-5
    m1, v1 = (1 - b1) * g1, (1 - b2) * g1**2
    w1 = w0 - lr * np.sqrt(1 - b2) / (1 - b1) * m1 / (np.sqrt(v1) + eps)
    m2, v2 = b1 * m1 + (1 - b1) * g2, b2 * v1 + (1 - b2) * g2**2
    w2 = w1 - lr * np.sqrt(1 - b2**2) / (1 - b1**2) * m2 / (np.sqrt(v2) + eps)
    m3, v3 = b1 * m2 + (1 - b1) * g3, b2 * v2 + (1 - b2) * g3**2
    w3 = w2 - lr * np.sqrt(1 - b2**3) / (1 - b1**3) * m3 / (np.sqrt(v3) + eps)
    ours = single_tensor_trajectory(Adam(), [w0], [[g1], [g2], [g3]])
    np.testing.assert_allclose(ours[:, 0], [w1, w2, w3], rtol=1e-13)
    # step 1 by hand: lr * sqrt(1e-3) * 1e-5 / (sqrt(1e-3) * 1e-5 + 1e-7) = 7.5975e-4
    assert w0 - ours[0, 0] == pytest.approx(7.5975e-4, rel=1e-4)
    # PyTorch's placement gives lr * 1e-5 / (1e-5 + 1e-7) = 9.90e-4 instead
    theirs = torch_trajectory(lambda p: torch.optim.Adam(p, lr=lr, eps=eps), {"w": np.array([w0])}, [{"w": np.array([g1])}])
    assert w0 - theirs[0, 0] == pytest.approx(9.901e-4, rel=1e-3)


@pytest.mark.parametrize("arg, value, message", [
    ("beta_1", 1.0, r"Adam: `beta_1` must be a float in \[0, 1\), got 1.0"),
    ("beta_2", -0.1, r"Adam: `beta_2` must be a float in \[0, 1\), got -0.1"),
    ("epsilon", -1e-7, r"Adam: `epsilon` must be a non-negative finite number, got -1e-07"),
])
def test_bad_arguments(arg, value, message):
    with pytest.raises(ValueError, match=message):
        Adam(**{arg: value})


def test_config_has_the_adam_arguments():
    config = Adam(0.01, beta_1=0.8, beta_2=0.9, epsilon=1e-6, amsgrad=True).get_config()
    assert {k: config[k] for k in ("learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad")} == {
        "learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-6, "amsgrad": True}


def test_a_step_allocates_no_model_sized_temporaries():
    """Adam computes its increment in a reused scratch buffer: after the first step, a step
    over a model of several blocks allocates less than one parameter array."""
    import tracemalloc

    from gradwise.ops import numpy_ops

    size = 3 * numpy_ops.BLOCK_ELEMENTS + 17
    parameters = ParameterSet({"w": np.zeros(size)}, np.float32)
    parameters.grads[:] = np.random.default_rng(0).normal(size=size)
    optimizer = Adam()
    optimizer.step(parameters)  # builds the slots and the scratch buffer
    tracemalloc.start()
    try:
        optimizer.step(parameters)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < parameters.values.nbytes // 4, f"a step allocated {peak} bytes at its peak"
