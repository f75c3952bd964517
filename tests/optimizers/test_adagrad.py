import numpy as np
import pytest
import torch

from gradwise.optimizers import Adagrad

from .reference import assert_same_trajectory, gradwise_trajectory, make_problem, single_tensor_trajectory, torch_trajectory


@pytest.mark.parametrize("initial_accumulator_value", [0.1, 0.0, 2.0])
def test_ten_steps_match_torch(rng, initial_accumulator_value):
    weights, grads = make_problem(rng)
    ours = gradwise_trajectory(Adagrad(0.1, initial_accumulator_value, epsilon=1e-12), weights, grads)
    theirs = torch_trajectory(
        lambda p: torch.optim.Adagrad(p, lr=0.1, initial_accumulator_value=initial_accumulator_value, eps=1e-12),
        weights, grads)
    assert_same_trajectory(ours, theirs)


@pytest.mark.parametrize("initial_accumulator_value", [0.1, 0.0])
def test_keras_closed_form_with_default_epsilon(initial_accumulator_value):
    lr, eps = 0.001, 1e-7
    w0, g1, g2, g3 = -1.0, 1e-4, 3e-4, -2e-4
    acc1 = initial_accumulator_value + g1**2
    w1 = w0 - lr * g1 / np.sqrt(acc1 + eps)
    acc2 = acc1 + g2**2
    w2 = w1 - lr * g2 / np.sqrt(acc2 + eps)
    acc3 = acc2 + g3**2
    w3 = w2 - lr * g3 / np.sqrt(acc3 + eps)
    ours = single_tensor_trajectory(Adagrad(initial_accumulator_value=initial_accumulator_value),
                                    [w0], [[g1], [g2], [g3]])
    np.testing.assert_allclose(ours[:, 0], [w1, w2, w3], rtol=1e-14)


def test_epsilon_inside_the_sqrt_differs_from_torch():
    # accumulator 1e-8 from 0: Keras divides by sqrt(1e-8 + 1e-7), PyTorch by 1e-4 + 1e-7
    ours = single_tensor_trajectory(Adagrad(1.0, initial_accumulator_value=0.0), [0.0], [[1e-4]])
    assert ours[0, 0] == pytest.approx(-1e-4 / np.sqrt(1.1e-7), rel=1e-12)
    theirs = torch_trajectory(lambda p: torch.optim.Adagrad(p, lr=1.0, eps=1e-7), {"w": np.zeros(1)},
                              [{"w": np.array([1e-4])}])
    assert theirs[0, 0] == pytest.approx(-1e-4 / (1e-4 + 1e-7), rel=1e-12)


def test_accumulator_starts_at_the_initial_value():
    slots = Adagrad(initial_accumulator_value=0.3)._new_slots(np.zeros(4))
    np.testing.assert_array_equal(slots["accumulator"], np.full(4, 0.3))


@pytest.mark.parametrize("arg, value", [("initial_accumulator_value", -0.1), ("epsilon", -1e-7),
                                        ("learning_rate", 0.0)])
def test_bad_arguments(arg, value):
    with pytest.raises(ValueError, match=rf"Adagrad: `{arg}` must be .*got {value}"):
        Adagrad(**{arg: value})
