import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import UnitNormalization

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("input_shape, axis", [((5,), -1), ((3, 4), 1), ((3, 4, 2), [1, 2]), ((3, 4, 2), -1)])
def test_gradients_match_finite_differences(rng, input_shape, axis):
    layer = built(UnitNormalization(axis=axis), input_shape)
    check_layer_gradients(layer, rng.normal(size=(3, *input_shape)), rng)


@pytest.mark.parametrize("input_shape, axis", [((6,), -1), ((3, 4, 2), [1, 2]), ((3, 4, 2), 1)])
def test_forward_and_gradients_match_torch(rng, input_shape, axis):
    layer = built(UnitNormalization(axis=axis), input_shape)
    inputs = rng.normal(size=(4, *input_shape))
    inputs[0] = 0.0  # an all-zero sample: the clamped norm, on both sides
    upstream = rng.normal(size=inputs.shape)
    outputs, cache = layer.forward(inputs, training=True)
    grad_inputs = layer.backward(upstream, cache)
    x = torch.from_numpy(inputs.copy()).requires_grad_(True)
    # Keras clamps the squared norm at 1e-12, torch the norm at 1e-6: the same clamp
    y = F.normalize(x, dim=tuple(np.atleast_1d(axis).tolist()), eps=1e-6)
    y.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(outputs, y.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_rows_have_unit_norm_and_zero_stays_zero(rng):
    layer = built(UnitNormalization(), (7,))
    inputs = np.vstack([rng.normal(size=(3, 7)), np.zeros((1, 7))])
    outputs = layer.forward(inputs)[0]
    np.testing.assert_allclose(np.linalg.norm(outputs[:3], axis=1), 1.0, rtol=1e-14)
    np.testing.assert_array_equal(outputs[3], 0.0)
    hand_worked = built(UnitNormalization(), (2,)).forward(np.array([[3.0, 4.0]]))[0]  # |(3, 4)| = 5
    np.testing.assert_allclose(hand_worked, [[0.6, 0.8]], rtol=1e-15)


def test_bad_axis_is_named():
    with pytest.raises(ValueError, match=r"`axis` \[1, 1\] does not name distinct feature axes"):
        built(UnitNormalization(axis=[1, 1]), (3, 4))
