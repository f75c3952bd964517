"""Preprocessing and augmentation layers against PyTorch where it has a counterpart, in float64:
Normalization as an inference-mode batch norm with the adapted statistics (outputs and input
gradients through autograd), CategoryEncoding as one_hot sums, Discretization as bucketize, and
MeanImputation as torch.where(isfinite) with the means scikit-learn's SimpleImputer learns, the
augmentations' deterministic parts (flips, crops, a contrast stretch, a quarter turn) as torch
ops on the draws the layer made; at inference every augmentation is the identity."""

import numpy as np
import pytest
import torch

from gradwise import layers


def _torch(array, grad=False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


@pytest.mark.parametrize("invert", [False, True])
def test_normalization_is_pytorchs_inference_batch_norm_with_the_adapted_statistics(rng, invert):
    data = rng.normal(3.0, 2.0, size=(64, 4)) * np.array([1.0, 10.0, 0.1, 3.0])
    adapted = layers.Normalization()
    adapted.adapt(data)
    np.testing.assert_allclose(adapted.mean, data.mean(axis=0), rtol=1e-6)  # kept in float32, the default
    np.testing.assert_allclose(adapted.variance, data.var(axis=0), rtol=1e-6)
    mean, variance = data.mean(axis=0), data.var(axis=0)
    layer = layers.Normalization(mean=mean, variance=variance, invert=invert)  # identical statistics, float64
    layer.build_for((4,), rng, np.float64)
    x = rng.normal(size=(8, 4)) * 3
    upstream = rng.normal(size=(8, 4))
    outputs, cache = layer.forward(x, training=True)
    grad_inputs = layer.backward(upstream, cache)
    inputs = _torch(x, grad=True)
    if invert:  # the inverse map: mean + x sqrt(var)
        expected = _torch(mean) + inputs * torch.sqrt(_torch(variance))
    else:
        expected = torch.nn.functional.batch_norm(inputs, _torch(mean), _torch(variance), training=False, eps=0.0)
    expected.backward(_torch(upstream))
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, inputs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_mean_imputation_is_torch_where_finite_with_simple_imputers_means(rng):
    from sklearn.impute import SimpleImputer

    data = rng.normal(size=(40, 3)) * np.array([1.0, 5.0, 0.2]) + np.array([2.0, -1.0, 0.5])
    data[rng.random(data.shape) < 0.2] = np.nan
    data[3, 0], data[7, 2] = np.inf, -np.inf
    layer = layers.MeanImputation()
    layer.adapt(data)
    layer.build_for((3,), rng, np.float64)
    with_nan = np.where(np.isfinite(data), data, np.nan)  # SimpleImputer treats only NaN as missing
    means = SimpleImputer(strategy="mean").fit(with_nan).statistics_
    np.testing.assert_allclose(layer.state["fill"], means, rtol=1e-12)

    x = data[:10]
    assert not np.isfinite(x).all()
    upstream = rng.normal(size=x.shape)
    outputs, cache = layer.forward(x, training=True)
    grad_inputs = layer.backward(upstream, cache)
    inputs = _torch(x, grad=True)
    expected = torch.where(torch.isfinite(inputs), inputs, _torch(means))
    expected.backward(_torch(upstream))
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, inputs.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_category_encoding_modes_are_sums_of_pytorchs_one_hot(rng):
    tokens = rng.integers(0, 6, size=(7, 5))
    one_hot = torch.nn.functional.one_hot(torch.from_numpy(tokens), 6).double()
    counts = one_hot.sum(dim=1).numpy()
    for mode, expected in (("count", counts), ("multi_hot", np.minimum(counts, 1))):
        np.testing.assert_array_equal(layers.CategoryEncoding(num_tokens=6, output_mode=mode)(tokens), expected)
    single = rng.integers(0, 6, size=(9,))
    np.testing.assert_array_equal(layers.CategoryEncoding(num_tokens=6, output_mode="one_hot")(single),
                                  torch.nn.functional.one_hot(torch.from_numpy(single), 6).numpy())


def test_discretization_is_pytorchs_bucketize_right(rng):
    boundaries = [-1.0, 0.0, 0.5, 2.0]
    values = np.concatenate([rng.normal(size=30), boundaries])  # the boundaries themselves go up a bin, as Keras
    expected = torch.bucketize(_torch(values), _torch(boundaries), right=True).numpy()
    np.testing.assert_array_equal(layers.Discretization(bin_boundaries=boundaries)(values.reshape(-1, 1))[:, 0],
                                  expected)


def _built(layer, shape=(5, 6, 2)):
    layer.build_for(shape, np.random.default_rng(0), np.float64)
    return layer


def _check_against_torch(layer, images, torch_map, rng):
    """The layer's training-mode outputs and input gradient against `torch_map(tensor, cache)`."""
    outputs, cache = layer.forward(images, training=True)
    upstream = rng.normal(size=outputs.shape)
    grad_inputs = layer.backward(upstream, cache)
    inputs = _torch(images, grad=True)
    expected = torch_map(inputs, cache)
    expected.backward(_torch(upstream))
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, inputs.grad.numpy(), rtol=1e-12, atol=1e-12)
    return cache


def test_random_flip_is_torch_flip_on_the_drawn_images(rng):
    images = rng.normal(size=(12, 5, 6, 2))

    def flipped(inputs, cache):
        rows, columns = (torch.from_numpy(mask) for mask in cache)
        inputs = torch.where(rows[:, None, None, None], torch.flip(inputs, dims=[1]), inputs)
        return torch.where(columns[:, None, None, None], torch.flip(inputs, dims=[2]), inputs)

    rows, columns = _check_against_torch(_built(layers.RandomFlip(seed=3)), images, flipped, rng)
    assert 0 < rows.sum() < 12 and 0 < columns.sum() < 12  # both kinds drawn, both kept


def test_random_crop_is_a_torch_slice_at_the_drawn_offsets(rng):
    images = rng.normal(size=(6, 5, 6, 2))

    def cropped(inputs, cache):
        _, rows, columns = cache
        return torch.stack([inputs[k, rows[k, 0]:rows[k, -1] + 1, columns[k, 0]:columns[k, -1] + 1]
                            for k in range(len(rows))])

    _, rows, columns = _check_against_torch(_built(layers.RandomCrop(3, 4, seed=1)), images, cropped, rng)
    assert len(set(rows[:, 0].tolist())) > 1 or len(set(columns[:, 0].tolist())) > 1  # offsets vary


def test_random_contrast_is_the_stretch_about_each_images_mean_with_the_drawn_factor(rng):
    images = rng.normal(size=(5, 4, 4, 3))

    def stretched(inputs, cache):
        factor = torch.from_numpy(cache[0])
        mean = inputs.mean(dim=(1, 2), keepdim=True)
        return torch.clamp((inputs - mean) * factor + mean, -1.0, 1.0)

    layer = _built(layers.RandomContrast(0.5, value_range=(-1.0, 1.0), seed=2), (4, 4, 3))
    contrast, inside = _check_against_torch(layer, images, stretched, rng)
    assert not inside.all() and inside.any()  # the clipped and the kept pixels both checked


def test_a_quarter_rotation_is_torch_rot90(rng):
    images = rng.normal(size=(3, 4, 4, 2))
    layer = _built(layers.RandomRotation((0.25, 0.25), interpolation="nearest", seed=0), (4, 4, 2))
    outputs = layer.forward(images, training=True)[0]
    np.testing.assert_allclose(outputs, torch.rot90(_torch(images), 1, dims=(1, 2)).numpy(), atol=1e-12)


@pytest.mark.parametrize("layer", [layers.RandomFlip(seed=0), layers.RandomRotation(0.3, seed=0),
                                   layers.RandomTranslation(0.2, 0.2, seed=0), layers.RandomZoom(0.2, seed=0),
                                   layers.RandomContrast(0.3, seed=0)], ids=lambda layer: type(layer).__name__)
def test_augmentation_is_the_identity_at_inference(layer, rng):
    images = rng.normal(size=(4, 5, 6, 2))
    _built(layer)
    outputs, cache = layer.forward(images, training=False)
    np.testing.assert_array_equal(outputs, images)
    upstream = rng.normal(size=images.shape)
    np.testing.assert_array_equal(layer.backward(upstream, cache), upstream)


def test_piecewise_linear_encoding_is_torch_clamp_of_each_bins_fraction(rng):
    edges, columns = [[-1.0, -0.3, 0.2, 1.4], [-2.0, 0.5, 2.0]], [2, 0]
    layer = layers.PiecewiseLinearEncoding(bin_edges=edges, columns=columns)
    layer.build_for((4,), rng, np.float64)
    x = rng.normal(size=(16, 4))
    outputs, cache = layer.forward(x, training=True)
    upstream = rng.normal(size=outputs.shape)
    grad_inputs = layer.backward(upstream, cache)
    inputs = _torch(x, grad=True)
    pieces = [torch.clamp((inputs[:, [column]] - _torch(bins[:-1])) / _torch(np.diff(bins)), 0.0, 1.0)
              for column, bins in zip(columns, edges)]
    expected = torch.cat([*pieces, inputs[:, [1, 3]]], dim=1)
    expected.backward(_torch(upstream))
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_inputs, inputs.grad.numpy(), rtol=1e-12, atol=1e-12)
