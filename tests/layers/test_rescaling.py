import numpy as np
import pytest

from gradwise.layers import Rescaling

from .gradient_check import built, check_layer_gradients


def test_pixels_to_unit_interval_and_symmetric_range():
    pixels = np.array([[0.0, 127.5, 255.0]])
    np.testing.assert_allclose(built(Rescaling(1 / 255), (3,)).forward(pixels)[0], [[0.0, 0.5, 1.0]], rtol=1e-15)
    np.testing.assert_allclose(built(Rescaling(1 / 127.5, offset=-1), (3,)).forward(pixels)[0], [[-1.0, 0.0, 1.0]],
                               atol=1e-15)


@pytest.mark.parametrize("scale, offset", [(0.5, 0.0), (-3.0, 2.0)])
def test_gradients_match_finite_differences(rng, scale, offset):
    layer = built(Rescaling(scale, offset), (3, 2))
    grad_inputs, _ = check_layer_gradients(layer, rng.normal(size=(4, 3, 2)), rng)
    assert grad_inputs.shape == (4, 3, 2)


def test_float32_stays_float32():
    layer = built(Rescaling(1 / 255, offset=0.5), (2,), dtype=np.float32)
    inputs = np.ones((3, 2), dtype=np.float32)
    outputs, cache = layer.forward(inputs)
    assert outputs.dtype == np.float32
    assert layer.backward(inputs, cache).dtype == np.float32


@pytest.mark.parametrize("kwargs, match", [
    ({"scale": "1/255"}, r"`scale` must be a finite number, got '1/255'"),
    ({"scale": float("inf")}, "`scale` must be a finite number, got inf"),
    ({"scale": 1.0, "offset": None}, "`offset` must be a finite number, got None"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Rescaling(**kwargs)
