import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gradwise.layers import Cropping2D, ZeroPadding2D

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("padding", [1, (2, 0), ((1, 2), (0, 3))])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_zero_padding_gradients_and_torch(rng, padding, data_format):
    layer = built(ZeroPadding2D(padding, data_format=data_format), (3, 4, 2))
    inputs = rng.normal(size=(2, 3, 4, 2))
    check_layer_gradients(layer, inputs, rng)
    (top, bottom), (left, right) = layer.padding
    if data_format == "channels_last":
        expected = F.pad(torch.from_numpy(inputs.transpose(0, 3, 1, 2)), (left, right, top, bottom))
        expected = expected.numpy().transpose(0, 2, 3, 1)
    else:
        expected = F.pad(torch.from_numpy(inputs), (left, right, top, bottom)).numpy()
    np.testing.assert_array_equal(layer.forward(inputs)[0], expected)


@pytest.mark.parametrize("cropping", [1, (2, 0), ((1, 0), (0, 2))])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_cropping_gradients_and_inverse_of_padding(rng, cropping, data_format):
    layer = built(Cropping2D(cropping, data_format=data_format), (5, 6, 3))
    inputs = rng.normal(size=(2, 5, 6, 3))
    check_layer_gradients(layer, inputs, rng)
    padding = built(ZeroPadding2D(cropping, data_format=data_format), layer.output_shape)
    cropped = layer.forward(inputs)[0]
    np.testing.assert_array_equal(layer.forward(padding.forward(cropped)[0])[0], cropped)


def test_keras_argument_forms_and_shapes():
    assert ZeroPadding2D().padding == ((1, 1), (1, 1))
    assert built(ZeroPadding2D(((1, 0), (2, 3))), (4, 4, 3)).output_shape == (5, 9, 3)
    assert built(ZeroPadding2D(2, data_format="channels_first"), (3, 4, 4)).output_shape == (3, 8, 8)
    assert Cropping2D().cropping == ((0, 0), (0, 0))
    assert built(Cropping2D(((2, 2), (4, 4))), (28, 28, 1)).output_shape == (24, 20, 1)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"`padding` must be a non-negative int.*got -1"):
        ZeroPadding2D(-1)
    with pytest.raises(ValueError, match=r"`cropping` must be .*got \(1, 2, 3\)"):
        Cropping2D((1, 2, 3))
    with pytest.raises(ValueError, match=r"`cropping` \(\(2, 2\), \(0, 0\)\) leaves nothing of inputs"):
        built(Cropping2D((2, 0)), (4, 5, 1))
    with pytest.raises(ValueError, match=r"expected inputs of rank 4 \(batch, rows, cols, channels\)"):
        built(ZeroPadding2D(), (4, 5))
    with pytest.raises(ValueError, match="`data_format` must be one of"):
        Cropping2D(data_format="nhwc")
