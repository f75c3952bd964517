import numpy as np
import pytest
import torch

from gradwise.layers import SpatialDropout1D, SpatialDropout2D

from .gradient_check import built, check_layer_gradients

CASES = [
    # layer, per-sample shape, channel axis (batch included), spatial axes
    (lambda **kw: SpatialDropout1D(0.4, **kw), (30, 200), 2, (1,)),
    (lambda **kw: SpatialDropout2D(0.4, **kw), (6, 5, 200), 3, (1, 2)),
    (lambda **kw: SpatialDropout2D(0.4, data_format="channels_first", **kw), (200, 6, 5), 1, (2, 3)),
]


@pytest.mark.parametrize("make, shape, channel_axis, spatial_axes", CASES)
def test_whole_channels_are_dropped_with_inverted_scaling(make, shape, channel_axis, spatial_axes):
    layer = built(make(seed=0), shape)
    outputs = layer.forward(np.ones((50, *shape)), training=True)[0]
    per_channel = outputs.max(axis=spatial_axes)
    assert np.array_equal(outputs.min(axis=spatial_axes), per_channel)  # one decision per channel
    kept = per_channel != 0
    assert per_channel.shape == (50, 200)
    assert abs(kept.mean() - 0.6) < 5 * np.sqrt(0.24 / kept.size)
    np.testing.assert_array_equal(per_channel[kept], 1 / 0.6)


def test_same_scaling_as_torch_dropout2d():
    inputs = np.ones((40, 64, 3, 3))
    reference = torch.nn.functional.dropout2d(torch.from_numpy(inputs), p=0.25, training=True).numpy()
    layer = built(SpatialDropout2D(0.25, data_format="channels_first", seed=0), (64, 3, 3))
    outputs = layer.forward(inputs, training=True)[0]
    np.testing.assert_array_equal(np.unique(outputs[outputs != 0]), np.unique(reference[reference != 0]))


@pytest.mark.parametrize("make, shape, channel_axis, spatial_axes", CASES)
def test_gradients_with_a_fixed_mask(rng, make, shape, channel_axis, spatial_axes):
    small = tuple(2 if axis + 1 in spatial_axes else 3 for axis in range(len(shape)))
    layer = built(make(), small)
    mask_shape = tuple(1 if axis in spatial_axes else size for axis, size in enumerate((4, *small)))
    keep = rng.random(mask_shape) > 0.5
    layer.fix_mask(keep)
    inputs = rng.normal(size=(4, *small))
    np.testing.assert_allclose(layer.forward(inputs, training=True)[0], inputs * keep / 0.6, rtol=1e-14)
    check_layer_gradients(layer, inputs, rng, training=True)


@pytest.mark.parametrize("make, shape, channel_axis, spatial_axes", CASES)
def test_inference_is_the_identity(rng, make, shape, channel_axis, spatial_axes):
    inputs = rng.normal(size=(2, *shape))
    np.testing.assert_array_equal(built(make(), shape).forward(inputs, training=False)[0], inputs)


def test_rank_is_checked():
    with pytest.raises(ValueError, match=r"SpatialDropout1D '.*' expected inputs of rank 3 \(batch, steps, channels\)"):
        built(SpatialDropout1D(0.1), (4,))
    with pytest.raises(ValueError, match=r"expected inputs of rank 4 \(batch, height, width, channels\), "
                                         r"got per-sample shape \(4, 3\)"):
        built(SpatialDropout2D(0.1), (4, 3))


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"SpatialDropout2D: `rate` must be a float in \[0, 1\), got 1"):
        SpatialDropout2D(1)
    with pytest.raises(ValueError, match="`data_format` must be one of"):
        SpatialDropout2D(0.1, data_format="nhwc")
    with pytest.raises(TypeError, match="noise_shape"):
        SpatialDropout1D(0.1, noise_shape=(None, 1, 3))


def test_keras_names():
    assert SpatialDropout1D(0.1).name.startswith("spatial_dropout1d")
    assert SpatialDropout2D(0.1).name.startswith("spatial_dropout2d")
