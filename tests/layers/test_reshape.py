import numpy as np
import pytest
import torch

from gradwise.layers import Reshape

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("input_shape, target_shape, expected", [
    ((12,), (3, 4), (3, 4)),
    ((12,), (-1, 2), (6, 2)),
    ((2, 3, 4), (4, -1), (4, 6)),
    ((2, 3), (-1,), (6,)),
    ((6,), 6, (6,)),
])
def test_output_shape_and_values_match_torch(rng, input_shape, target_shape, expected):
    layer = built(Reshape(target_shape), input_shape)
    assert layer.output_shape == expected
    inputs = rng.normal(size=(5, *input_shape))
    reference = torch.from_numpy(inputs).reshape(5, *expected).numpy()
    np.testing.assert_array_equal(layer.forward(inputs)[0], reference)


def test_gradients_match_finite_differences(rng):
    check_layer_gradients(built(Reshape((3, -1)), (2, 3)), rng.normal(size=(4, 2, 3)), rng)


@pytest.mark.parametrize("input_shape, target_shape, match", [
    ((12,), (5, 2), r"cannot reshape per-sample shape \(12,\) \(12 entries\) to \(5, 2\) \(10 entries\)"),
    ((12,), (5, -1), r"cannot reshape per-sample shape \(12,\) \(12 entries\) to \(5, -1\): 12 is not a multiple of 5"),
])
def test_size_mismatch(input_shape, target_shape, match):
    with pytest.raises(ValueError, match=match):
        built(Reshape(target_shape), input_shape)


@pytest.mark.parametrize("target_shape, match", [
    ((-1, -1), "at most one -1"),
    ((0, 3), "must be a tuple of positive ints"),
    ("3x4", "must be a tuple of positive ints"),
    ((2.0, 3), "must be a tuple of positive ints"),
])
def test_bad_target_shape(target_shape, match):
    with pytest.raises(ValueError, match=match):
        Reshape(target_shape)
