import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import Dense, Dropout, Input

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.75])
def test_fraction_kept_and_scale_on_a_large_tensor(rate):
    layer = built(Dropout(rate, seed=1), (1000,))
    outputs = layer.forward(np.ones((1000, 1000)), training=True)[0]
    kept = outputs != 0
    # binomial with n = 1e6: five standard deviations is about 0.0025
    assert abs(kept.mean() - (1 - rate)) < 5 * np.sqrt(rate * (1 - rate) / kept.size)
    np.testing.assert_array_equal(outputs[kept], 1 / (1 - rate))
    # the same inverted scaling as PyTorch's dropout
    reference = torch.nn.functional.dropout(torch.ones(1000, dtype=torch.float64), p=rate, training=True).numpy()
    np.testing.assert_array_equal(np.unique(reference[reference != 0]), [1 / (1 - rate)])


@pytest.mark.parametrize("rate", [0.1, 0.999])
def test_odd_sized_masks_are_fresh_per_step_and_tiny_keep_rates_hold(rate):
    # 7 x 143 units: an odd count, so the last 64-bit draw is only half used
    layer = built(Dropout(rate, seed=5), (143,))
    masks = [layer.forward(np.ones((7, 143)), training=True)[0] != 0 for _ in range(400)]
    assert masks[0].shape == (7, 143)
    assert not all(np.array_equal(masks[0], mask) for mask in masks[1:])
    kept = np.mean(masks)
    assert abs(kept - (1 - rate)) < 5 * np.sqrt(rate * (1 - rate) / np.size(masks)) + 1e-6
    # the last unit (from the half-used draw) is kept as often as any other
    assert abs(np.mean([mask[-1, -1] for mask in masks]) - (1 - rate)) < 0.1


def test_inference_and_rate_zero_are_the_identity(rng):
    inputs = rng.normal(size=(4, 5))
    layer = built(Dropout(0.5), (5,))
    np.testing.assert_array_equal(layer.forward(inputs, training=False)[0], inputs)
    upstream = rng.normal(size=inputs.shape)
    np.testing.assert_array_equal(layer.backward(upstream, None), upstream)
    no_drop = built(Dropout(0.0), (5,))
    np.testing.assert_array_equal(no_drop.forward(inputs, training=True)[0], inputs)


def test_backward_reuses_the_forward_mask(rng):
    layer = built(Dropout(0.4), (6,))
    inputs = rng.uniform(1, 2, size=(50, 6))
    outputs, cache = layer.forward(inputs, training=True)
    upstream = rng.normal(size=inputs.shape)
    layer.forward(inputs, training=True)  # another call draws another mask; backward uses its own call's
    np.testing.assert_allclose(layer.backward(upstream, cache), upstream * outputs / inputs, rtol=1e-14)


@pytest.mark.parametrize("noise_shape", [None, (None, 1, 4), (1, 3, 1)])
def test_gradients_with_a_fixed_mask(rng, noise_shape):
    layer = built(Dropout(0.3, noise_shape=noise_shape), (3, 4))
    mask_shape = {None: (5, 3, 4), (None, 1, 4): (5, 1, 4), (1, 3, 1): (1, 3, 1)}[noise_shape]
    keep = rng.random(mask_shape) > 0.5
    layer.fix_mask(keep)
    inputs = rng.normal(size=(5, 3, 4))
    np.testing.assert_allclose(layer.forward(inputs, training=True)[0], inputs * keep / 0.7, rtol=1e-14)
    check_layer_gradients(layer, inputs, rng, training=True)


def test_noise_shape_shares_the_mask_along_its_unit_axes():
    layer = built(Dropout(0.5, noise_shape=(None, 1, 8), seed=0), (10, 8))
    outputs = layer.forward(np.ones((6, 10, 8)), training=True)[0]
    assert np.all(outputs == outputs[:, :1, :])
    assert 0 < np.count_nonzero(outputs) < outputs.size


def test_seed_and_model_seed_make_masks_reproducible():
    inputs = np.ones((8, 20))
    first, second = built(Dropout(0.5, seed=3), (20,), seed=0), built(Dropout(0.5, seed=3), (20,), seed=1)
    np.testing.assert_array_equal(first.forward(inputs, True)[0], second.forward(inputs, True)[0])
    other = built(Dropout(0.5, seed=4), (20,), seed=0)
    assert not np.array_equal(first.forward(inputs, True)[0], other.forward(inputs, True)[0])

    def model_outputs(seed):
        model = gw.Sequential([Input((20,)), Dropout(0.5), Dense(3)], seed=seed, dtype="float64")
        return model(inputs, training=True)

    np.testing.assert_array_equal(model_outputs(7), model_outputs(7))
    assert not np.array_equal(model_outputs(7), model_outputs(8))


def test_float32_stays_float32(rng):
    layer = built(Dropout(0.5), (3,), dtype=np.float32)
    inputs = rng.normal(size=(4, 3)).astype(np.float32)
    outputs, cache = layer.forward(inputs, training=True)
    assert outputs.dtype == np.float32
    assert layer.backward(inputs, cache).dtype == np.float32


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5, "0.5", True])
def test_rate_must_be_in_zero_one(rate):
    with pytest.raises(ValueError, match=r"Dropout: `rate` must be a float in \[0, 1\), got"):
        Dropout(rate)


@pytest.mark.parametrize("noise_shape", [(None, 0), "abc", (None, 2.5)])
def test_bad_noise_shape_argument(noise_shape):
    with pytest.raises(ValueError, match="`noise_shape` must be None or a tuple"):
        Dropout(0.5, noise_shape=noise_shape)


def test_noise_shape_that_does_not_broadcast(rng):
    with pytest.raises(ValueError, match=r"`noise_shape` \(None, 3\) does not broadcast .* per-sample shape \(4,\)"):
        built(Dropout(0.5, noise_shape=(None, 3)), (4,))
    with pytest.raises(ValueError, match=r"`noise_shape` \(None,\) does not broadcast"):
        built(Dropout(0.5, noise_shape=(None,)), (4,))
    layer = built(Dropout(0.5, noise_shape=(3, 4)), (4,))
    with pytest.raises(ValueError, match=r"batch size 3 but the inputs have shape \(5, 4\)"):
        layer.forward(rng.normal(size=(5, 4)), training=True)[0]


def test_bad_seed():
    with pytest.raises(ValueError, match="`seed` must be a non-negative int or None, got -1"):
        Dropout(0.5, seed=-1)
