"""Models holding the Keras-parity layers (normalization, spatial, reshaping, noise) save and
load: the loaded model predicts the same and trains on exactly as the saved one would."""

import numpy as np
import pytest

from gradwise import Input, Sequential, layers
from gradwise.saving import load_model_from_bytes, save_model_to_bytes

from .test_contract import CASES

# Contract cases of the layers added for Keras parity (issue 16).
NEW_LAYER_CASES = sorted(case for case in CASES if case.startswith((
    "layer_norm", "group_norm", "unit_norm", "zero_padding2d", "cropping2d", "up_sampling2d", "conv2d_transpose",
    "depthwise_conv2d", "separable_conv2d", "permute", "repeat_vector", "gaussian_", "alpha_dropout")))


def _model(case):
    factory, input_shape = CASES[case]
    model = Sequential([Input(input_shape), factory(), layers.Flatten(), layers.Dense(2)], seed=1)
    model.compile(optimizer="adam", loss="mse")
    return model, input_shape


@pytest.mark.parametrize("case", NEW_LAYER_CASES)
def test_saved_model_predicts_and_trains_on_as_the_original(case):
    model, input_shape = _model(case)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, *input_shape)), rng.normal(size=(16, 2))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    loaded = load_model_from_bytes(save_model_to_bytes(model))
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    resumed = loaded.fit(x, y, epochs=2, batch_size=8, verbose=0).history["loss"]
    assert resumed == model.fit(x, y, epochs=2, batch_size=8, verbose=0).history["loss"]
