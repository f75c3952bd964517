import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import UpSampling2D

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("size", [2, (3, 1), (1, 2)])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_gradients_match_finite_differences(rng, size, interpolation, data_format):
    layer = built(UpSampling2D(size, data_format=data_format, interpolation=interpolation), (3, 4, 2))
    check_layer_gradients(layer, rng.normal(size=(2, 3, 4, 2)), rng)


@pytest.mark.parametrize("size", [2, (3, 2), (1, 4)])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_forward_and_gradients_match_torch(rng, size, interpolation):
    layer = built(UpSampling2D(size, interpolation=interpolation), (3, 5, 2))
    inputs = rng.normal(size=(2, 3, 5, 2))
    upstream = rng.normal(size=(2, *layer.output_shape))
    outputs, cache = layer.forward(inputs)
    grad_inputs = layer.backward(upstream, cache)
    x = torch.from_numpy(np.ascontiguousarray(inputs.transpose(0, 3, 1, 2))).requires_grad_(True)
    options = {"align_corners": False} if interpolation == "bilinear" else {}  # half-pixel centres, as Keras
    y = F.interpolate(x, scale_factor=layer.size, mode=interpolation, **options)
    y.backward(torch.from_numpy(np.ascontiguousarray(upstream.transpose(0, 3, 1, 2))))
    np.testing.assert_allclose(outputs, y.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-12, atol=1e-14)


def test_hand_worked_cases():
    inputs = np.array([[1.0, 3.0]]).reshape(1, 1, 2, 1)
    nearest = built(UpSampling2D((1, 2)), (1, 2, 1)).forward(inputs)[0]
    np.testing.assert_array_equal(nearest.ravel(), [1, 1, 3, 3])
    # bilinear with half-pixel centres: samples at -0.25 (clamped), 0.25, 0.75, 1.25 (clamped)
    bilinear = built(UpSampling2D((1, 2), interpolation="bilinear"), (1, 2, 1)).forward(inputs)[0]
    np.testing.assert_allclose(bilinear.ravel(), [1, 1.5, 2.5, 3], rtol=1e-15)


def test_defaults_and_bad_arguments():
    layer = UpSampling2D()
    assert (layer.size, layer.interpolation, layer.data_format) == ((2, 2), "nearest", "channels_last")
    with pytest.raises(ValueError, match=r"`interpolation` must be one of \['nearest', 'bilinear'\], got 'bicubic'"):
        UpSampling2D(interpolation="bicubic")
    with pytest.raises(ValueError, match="`size` must be a positive int"):
        UpSampling2D(0)
