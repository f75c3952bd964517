import numpy as np
import pytest
import torch

from gradwise.layers import Flatten

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("shape", [(5,), (2, 3), (2, 3, 4)])
def test_matches_torch_flatten(rng, shape):
    inputs = rng.normal(size=(3, *shape))
    layer = built(Flatten(), shape)
    outputs = layer.forward(inputs)[0]
    assert outputs.shape == (3, *layer.output_shape)
    np.testing.assert_array_equal(outputs, torch.flatten(torch.from_numpy(inputs), start_dim=1).numpy())


def test_scalar_samples_become_one_feature_as_keras(rng):
    inputs = rng.normal(size=4)
    layer = built(Flatten(), ())
    assert layer.output_shape == (1,)
    outputs, cache = layer.forward(inputs)
    np.testing.assert_array_equal(outputs, inputs[:, None])
    np.testing.assert_array_equal(layer.backward(inputs[:, None] * 2, cache), inputs * 2)


def test_channels_first_flattens_in_channels_last_order(rng):
    inputs = rng.normal(size=(2, 3, 4, 5))  # (batch, channels, height, width)
    outputs = built(Flatten(data_format="channels_first"), (3, 4, 5)).forward(inputs)[0]
    reference = torch.from_numpy(inputs).permute(0, 2, 3, 1).flatten(start_dim=1).numpy()
    np.testing.assert_array_equal(outputs, reference)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_gradients_match_finite_differences(rng, data_format):
    check_layer_gradients(built(Flatten(data_format), (2, 3, 2)), rng.normal(size=(3, 2, 3, 2)), rng)


def test_bad_data_format():
    with pytest.raises(ValueError, match=r"Flatten: `data_format` must be one of \['channels_first', 'channels_last'\]"):
        Flatten(data_format="NCHW")
