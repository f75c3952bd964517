import numpy as np
import pytest
import torch

from gradwise.layers import Permute, RepeatVector

from .gradient_check import built, check_layer_gradients


@pytest.mark.parametrize("dims, shape", [((2, 1), (3, 4)), ((3, 1, 2), (2, 3, 4)), ((1, 2), (3, 2))])
def test_permute_gradients_and_torch(rng, dims, shape):
    layer = built(Permute(dims), shape)
    inputs = rng.normal(size=(2, *shape))
    check_layer_gradients(layer, inputs, rng)
    expected = torch.from_numpy(inputs).permute(0, *dims).numpy()  # the same 1-based axes after the batch
    np.testing.assert_array_equal(layer.forward(inputs)[0], expected)
    assert layer.output_shape == expected.shape[1:]


def test_repeat_vector_gradients_and_torch(rng):
    layer = built(RepeatVector(3), (4,))
    inputs = rng.normal(size=(2, 4))
    check_layer_gradients(layer, inputs, rng)
    x = torch.from_numpy(inputs).requires_grad_(True)
    y = x[:, None, :].expand(2, 3, 4)
    upstream = rng.normal(size=(2, 3, 4))
    y.backward(torch.from_numpy(upstream))
    outputs, cache = layer.forward(inputs)
    np.testing.assert_array_equal(outputs, y.detach().numpy())
    np.testing.assert_allclose(layer.backward(upstream, cache), x.grad.numpy(), rtol=1e-15)
    outputs[0, 0, 0] = 7.0  # a copy: writing to one step leaves the others (and the inputs) alone
    assert outputs[0, 1, 0] == inputs[0, 0] != 7.0


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"`dims` must be a permutation of 1, ..., rank .* got \(0, 1\)"):
        Permute((0, 1))
    with pytest.raises(ValueError, match=r"`dims` \(2, 1\) permutes 2 axes, but the inputs have per-sample shape"):
        built(Permute((2, 1)), (2, 3, 4))
    with pytest.raises(ValueError, match="`n` must be a positive int, got 0"):
        RepeatVector(0)
    with pytest.raises(ValueError, match=r"expected inputs of rank 2"):
        built(RepeatVector(2), (3, 4))
