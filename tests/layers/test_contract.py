"""The Layer contract, checked for every registered gradwise layer (as keras' run_layer_test).

Every layer class gradwise registers must appear in CASES: a new layer without a case
fails test_every_registered_layer_has_a_case."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gradwise import layers, registry

from .cells import ShiftMemoryCell
from .gradient_check import check_layer_gradients

# id -> (factory, per-sample input shape)
CASES = {
    "input": (lambda: layers.Input((4,)), (4,)),
    "dense": (lambda: layers.Dense(3, bias_initializer="random_normal"), (4,)),
    "dense_tanh_no_bias": (lambda: layers.Dense(2, activation="tanh", use_bias=False, kernel_regularizer="l2"), (3,)),
    "activation": (lambda: layers.Activation("tanh"), (2, 3)),
    "relu": (lambda: layers.ReLU(max_value=2.0, negative_slope=0.1), (3,)),
    "leaky_relu": (lambda: layers.LeakyReLU(negative_slope=0.1), (3,)),
    "elu": (lambda: layers.ELU(alpha=0.5), (2, 2)),
    "softmax": (lambda: layers.Softmax(), (4,)),
    "softmax_axis_1": (lambda: layers.Softmax(axis=1), (3, 2)),
    "dropout": (lambda: layers.Dropout(0.3), (3, 4)),
    "dropout_noise_shape": (lambda: layers.Dropout(0.3, noise_shape=(None, 1, 4), seed=5), (3, 4)),
    "spatial_dropout1d": (lambda: layers.SpatialDropout1D(0.2), (3, 4)),
    "spatial_dropout2d": (lambda: layers.SpatialDropout2D(0.2), (3, 3, 2)),
    "spatial_dropout2d_first": (lambda: layers.SpatialDropout2D(0.2, data_format="channels_first"), (2, 3, 3)),
    "batch_norm": (lambda: layers.BatchNormalization(gamma_initializer="random_normal"), (5,)),
    "batch_norm_nhwc": (lambda: layers.BatchNormalization(momentum=0.9, scale=False, beta_regularizer="l1"), (2, 2, 3)),
    "batch_norm_nchw": (lambda: layers.BatchNormalization(axis=1, center=False, epsilon=0.01), (3, 2, 2)),
    "layer_norm": (lambda: layers.LayerNormalization(gamma_initializer="random_normal"), (5,)),
    "layer_norm_two_axes": (lambda: layers.LayerNormalization(axis=[1, 2], beta_regularizer="l2"), (3, 2, 2)),
    "layer_norm_rms": (lambda: layers.LayerNormalization(rms_scaling=True), (2, 4)),
    "rms_normalization": (lambda: layers.RMSNormalization(gamma_initializer="random_normal"), (2, 4)),
    "group_norm": (lambda: layers.GroupNormalization(2, beta_initializer="random_normal"), (3, 3, 4)),
    "group_norm_instance_axis_1": (lambda: layers.GroupNormalization(-1, axis=1, scale=False), (3, 4)),
    "unit_norm": (lambda: layers.UnitNormalization(), (4,)),
    "unit_norm_two_axes": (lambda: layers.UnitNormalization(axis=[1, 2]), (3, 2, 2)),
    "rescaling": (lambda: layers.Rescaling(0.5, offset=1.0), (2, 3)),
    "flatten": (lambda: layers.Flatten(), (2, 3, 2)),
    "flatten_channels_first": (lambda: layers.Flatten(data_format="channels_first"), (2, 3, 2)),
    "reshape": (lambda: layers.Reshape((3, -1)), (2, 3)),
}
CASES.update({
    "conv2d": (lambda: layers.Conv2D(3, 3, bias_initializer="random_normal"), (5, 6, 2)),
    "conv2d_same_strided_relu": (lambda: layers.Conv2D(2, (2, 3), strides=2, padding="same", activation="tanh",
                                                       kernel_regularizer="l2"), (5, 4, 2)),
    "conv2d_dilated": (lambda: layers.Conv2D(2, 2, dilation_rate=2, use_bias=False), (5, 5, 1)),
    "conv1d_causal": (lambda: layers.Conv1D(3, 3, padding="causal", bias_initializer="random_normal"), (6, 2)),
    "conv1d_same_strided": (lambda: layers.Conv1D(2, 2, strides=2, padding="same"), (7, 3)),
    "max_pooling2d": (lambda: layers.MaxPooling2D(2), (4, 5, 2)),
    "max_pooling2d_same_overlap": (lambda: layers.MaxPooling2D(3, strides=2, padding="same"), (5, 6, 2)),
    "average_pooling2d_same": (lambda: layers.AveragePooling2D(2, padding="same"), (5, 5, 2)),
    "average_pooling2d_overlap": (lambda: layers.AveragePooling2D(3, strides=1), (5, 4, 2)),
    "max_pooling1d": (lambda: layers.MaxPooling1D(3, strides=2, padding="same"), (7, 2)),
    "average_pooling1d": (lambda: layers.AveragePooling1D(2), (5, 3)),
    "global_average_pooling2d": (lambda: layers.GlobalAveragePooling2D(), (3, 4, 2)),
    "global_max_pooling2d": (lambda: layers.GlobalMaxPooling2D(keepdims=True), (3, 4, 2)),
    "global_average_pooling1d": (lambda: layers.GlobalAveragePooling1D(), (5, 2)),
    "global_max_pooling1d": (lambda: layers.GlobalMaxPooling1D(), (5, 2)),
})
CASES.update({
    "embedding": (lambda: layers.Embedding(7, 3), (5,)),
    "embedding_mask_zero_l2": (lambda: layers.Embedding(7, 2, mask_zero=True, embeddings_regularizer="l2"), (2, 3)),
    "masking": (lambda: layers.Masking(mask_value=0.5), (4, 3)),
    "simple_rnn": (lambda: layers.SimpleRNN(3, bias_initializer="random_normal"), (4, 2)),
    "simple_rnn_sequences_backwards": (lambda: layers.SimpleRNN(2, return_sequences=True, go_backwards=True,
                                                                activation="relu"), (4, 3)),
    "lstm": (lambda: layers.LSTM(3, kernel_regularizer="l2"), (4, 2)),
    "lstm_sequences_no_bias": (lambda: layers.LSTM(2, return_sequences=True, use_bias=False), (3, 3)),
    "gru": (lambda: layers.GRU(3, bias_initializer="random_normal", recurrent_regularizer="l1"), (4, 2)),
    "gru_reset_before_sequences": (lambda: layers.GRU(2, reset_after=False, return_sequences=True,
                                                      bias_initializer="random_normal"), (3, 3)),
})
CASES.update({
    "stacked_rnn_lstm_gru": (lambda: layers.RNN([layers.LSTMCell(3, kernel_regularizer="l2"),
                                                 layers.GRUCell(2, bias_initializer="random_normal")]), (4, 2)),
    "cell_rnn_own_cell": (lambda: layers.RNN(ShiftMemoryCell(3), return_sequences=True, go_backwards=True), (4, 2)),
    "stacked_rnn_sequences_backwards": (lambda: layers.RNN([layers.SimpleRNNCell(2), layers.SimpleRNNCell(3)],
                                                           return_sequences=True, go_backwards=True), (3, 2)),
    "bidirectional_lstm_concat": (lambda: layers.Bidirectional(layers.LSTM(2, bias_initializer="random_normal")), (4, 3)),
    "bidirectional_gru_sequences_mul": (lambda: layers.Bidirectional(
        layers.GRU(2, return_sequences=True, kernel_regularizer="l2"), merge_mode="mul"), (3, 2)),
    "time_distributed_dense": (lambda: layers.TimeDistributed(layers.Dense(3, activation="tanh")), (4, 2)),
    "time_distributed_conv1d": (lambda: layers.TimeDistributed(layers.Conv1D(2, 2, bias_initializer="random_normal")),
                                (3, 5, 2)),
})
# cases whose inputs are token indices in [0, bound), given as floats as models feed them
TOKEN_CASES = {"embedding": 7, "embedding_mask_zero_l2": 7}
CASES.update({  # augmentation draws anew each call: its training gradients are checked in test_augmentation.py
    "normalization": (lambda: layers.Normalization(mean=[0.5, -1.0, 2.0], variance=[4.0, 0.5, 1.0]), (2, 3)),
    "normalization_invert_all": (lambda: layers.Normalization(axis=None, mean=1.0, variance=9.0, invert=True), (3,)),
    "mean_imputation": (lambda: layers.MeanImputation(fill=[0.5, -1.0, 2.0]), (3,)),
    "piecewise_linear_encoding": (lambda: layers.PiecewiseLinearEncoding(bin_edges=[[-1.0, 0.0, 1.5], [-0.5, 0.7]],
                                                                         columns=[2, 0]), (3,)),
    "random_flip": (lambda: layers.RandomFlip(), (3, 4, 2)),
    "random_rotation": (lambda: layers.RandomRotation(0.1, fill_mode="constant"), (4, 4, 1)),
    "random_translation": (lambda: layers.RandomTranslation(0.2, 0.2), (4, 5, 2)),
    "random_zoom": (lambda: layers.RandomZoom(0.2, interpolation="nearest"), (4, 4, 1)),
    "random_contrast": (lambda: layers.RandomContrast(0.3, value_range=(-10, 10)), (3, 3, 2)),
    "random_crop": (lambda: layers.RandomCrop(2, 3), (4, 4, 1)),
})
CASES.update({  # Keras-parity layers: learned slopes, pass-throughs and the steps axis
    "prelu": (lambda: layers.PReLU(alpha_initializer="random_normal", alpha_regularizer="l2"), (2, 3)),
    "prelu_shared": (lambda: layers.PReLU(alpha_initializer="random_normal", shared_axes=[1]), (3, 2)),
    "identity": (lambda: layers.Identity(), (3,)),
    "activity_regularization": (lambda: layers.ActivityRegularization(l1=0.01, l2=0.02), (3,)),
    "zero_padding1d": (lambda: layers.ZeroPadding1D((1, 2)), (3, 2)),
    "zero_padding1d_first": (lambda: layers.ZeroPadding1D(1, data_format="channels_first"), (2, 3)),
    "cropping1d": (lambda: layers.Cropping1D((1, 0)), (4, 2)),
    "up_sampling1d": (lambda: layers.UpSampling1D(3), (2, 2)),
})
CASES.update({  # Keras-parity layers: spatial, reshaping and noise
    "zero_padding2d": (lambda: layers.ZeroPadding2D(((1, 0), (2, 1))), (3, 2, 2)),
    "zero_padding2d_first": (lambda: layers.ZeroPadding2D(1, data_format="channels_first"), (2, 2, 3)),
    "cropping2d": (lambda: layers.Cropping2D(((1, 0), (0, 2))), (4, 5, 2)),
    "up_sampling2d": (lambda: layers.UpSampling2D((2, 3)), (2, 3, 2)),
    "up_sampling2d_bilinear": (lambda: layers.UpSampling2D(2, interpolation="bilinear"), (3, 2, 2)),
    "conv2d_transpose": (lambda: layers.Conv2DTranspose(3, 3, strides=2, padding="same",
                                                        bias_initializer="random_normal"), (3, 2, 2)),
    "conv2d_transpose_valid_tanh": (lambda: layers.Conv2DTranspose(2, 2, activation="tanh", kernel_regularizer="l2",
                                                                   output_padding=None), (3, 3, 2)),
    "depthwise_conv2d": (lambda: layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2,
                                                        bias_initializer="random_normal"), (4, 3, 2)),
    "depthwise_conv2d_strided": (lambda: layers.DepthwiseConv2D(2, strides=2, activation="tanh",
                                                                depthwise_regularizer="l2"), (5, 4, 3)),
    "separable_conv2d": (lambda: layers.SeparableConv2D(3, 3, bias_initializer="random_normal",
                                                        pointwise_regularizer="l1"), (4, 5, 2)),
    "separable_conv2d_same_tanh": (lambda: layers.SeparableConv2D(2, 2, strides=2, padding="same",
                                                                   depth_multiplier=2, activation="tanh"), (5, 5, 2)),
    "permute": (lambda: layers.Permute((2, 3, 1)), (2, 3, 4)),
    "repeat_vector": (lambda: layers.RepeatVector(3), (4,)),
    "gaussian_noise": (lambda: layers.GaussianNoise(0.3), (3, 4)),
    "gaussian_dropout": (lambda: layers.GaussianDropout(0.2, seed=2), (5,)),
    "alpha_dropout": (lambda: layers.AlphaDropout(0.2), (3, 4)),
})


def _squared_sum(inputs):  # per sample (sum x)^2: not elementwise
    return inputs.sum(axis=-1, keepdims=True) ** 2


# y = (sum x)^2  =>  dx = dy * 2 sum x, broadcast over the summed axis
def _squared_sum_backward(grad_outputs, inputs, outputs):
    return np.broadcast_to(grad_outputs * 2 * inputs.sum(axis=-1, keepdims=True), inputs.shape)


CASES.update({
    "lambda_elementwise": (lambda: layers.Lambda(np.tanh, derivative=lambda x: 1 - np.tanh(x) ** 2), (2, 3)),
    "lambda_backward": (lambda: layers.Lambda(_squared_sum, backward=_squared_sum_backward), (4,)),
})
IDS = sorted(CASES)


def test_every_registered_layer_has_a_case():
    registered = {cls for cls in registry.classes("layer") if cls.__module__.startswith("gradwise.")}
    from .test_merge import MERGE_CASES  # the merge layers take lists: their own cases
    from .test_preprocessing import INPUT_ONLY_CASES  # lookups take tokens: their own cases
    from .test_attention import ATTENTION_CASES  # a query, a value and masks: their own cases
    from .test_multi_head_attention import MHA_CASES

    covered = {type(factory()) for factory, _ in [*CASES.values(), *MERGE_CASES.values()]}
    covered |= {type(factory()) for factory in [*ATTENTION_CASES.values(), *MHA_CASES.values()]}
    covered |= {type(factory()) for factory in INPUT_ONLY_CASES.values()}
    missing = sorted(cls.__name__ for cls in registered - covered)
    assert not missing, f"registered layers without a contract case: {missing}; add them to CASES"


def make(case, dtype=np.float64, seed=0):
    factory, input_shape = CASES[case]
    layer = factory()
    layer.build_for(input_shape, np.random.default_rng(seed), dtype)
    return layer, input_shape


def inputs_for(input_shape, batch, seed, dtype=np.float64):
    return np.random.default_rng(seed).normal(size=(batch, *input_shape)).astype(dtype)


def case_inputs(case, input_shape, batch, seed, dtype=np.float64):
    """The inputs of `case`: token indices for an embedding, normal numbers for the others."""
    if case in TOKEN_CASES:
        return np.random.default_rng(seed).integers(0, TOKEN_CASES[case], size=(batch, *input_shape)).astype(dtype)
    return inputs_for(input_shape, batch, seed, dtype)


@pytest.mark.parametrize("case", IDS)
def test_build_and_output_shape(case):
    layer, input_shape = make(case)
    assert layer.built and layer.input_shape == input_shape
    assert layer.output_shape == tuple(layer.compute_output_shape(input_shape))
    assert set(layer.grads) == set(layer.params)
    for key, param in layer.params.items():
        assert param.dtype == np.float64 and layer.grads[key].shape == param.shape
    assert set(layer.regularizers) <= set(layer.params)
    for batch in (1, 7):
        for training in (False, True):
            outputs, _ = layer.forward(case_inputs(case, input_shape, batch, seed=batch), training=training)
            assert outputs.shape == (batch, *layer.output_shape) and outputs.dtype == np.float64
            assert np.all(np.isfinite(outputs))


@pytest.mark.parametrize("case", IDS)
def test_config_round_trip(case):
    layer, input_shape = make(case, seed=3)
    if isinstance(layer, layers.Lambda):  # it holds Python functions, which gradwise never pickles
        with pytest.raises(TypeError, match=r"Lambda '.*' holds Python functions"):
            layers.serialize(layer)
        return
    config = layers.serialize(layer)
    rebuilt = layers.deserialize(json.loads(json.dumps(config)))
    assert type(rebuilt) is type(layer)
    assert rebuilt.get_config() == layer.get_config()
    rebuilt.build_for(input_shape, np.random.default_rng(3), np.float64)
    rebuilt.set_weights(layer.get_weights())
    inputs = case_inputs(case, input_shape, 4, seed=1)
    for training in (False, True):  # same build seed: even dropout masks agree
        np.testing.assert_array_equal(rebuilt.forward(inputs, training)[0], layer.forward(inputs, training)[0])


@pytest.mark.parametrize("case", IDS)
def test_calls_keep_nothing_on_the_layer(case):
    """Two calls in flight (a layer used twice in a graph): each backward uses its own call's
    cache, a second call's param gradients add to the first's (`accumulate`), and the
    layer's attributes stay as built."""
    layer, input_shape = make(case)
    if isinstance(layer, layers.Dropout):
        layer.fix_mask(np.random.default_rng(1).random((4, *input_shape)) < 0.7)
    attributes = set(vars(layer))
    first, second = case_inputs(case, input_shape, 4, seed=1), case_inputs(case, input_shape, 4, seed=2)
    up_first, up_second = inputs_for(layer.output_shape, 4, seed=3), inputs_for(layer.output_shape, 4, seed=4)
    alone = []
    for inputs, upstream in ((first, up_first), (second, up_second)):
        outputs, cache = layer.forward(inputs, training=False)
        layer.zero_grads()
        alone.append((outputs.copy(), layer.backward(upstream, cache),
                      {key: grad.copy() for key, grad in layer.grads.items()}))
    outputs_1, cache_1 = layer.forward(first, training=False)
    outputs_2, cache_2 = layer.forward(second, training=False)
    for grad in layer.grads.values():
        grad[...] = np.nan  # the first backward writes every entry
    grad_2 = layer.backward(up_second, cache_2)
    grad_1 = layer.backward(up_first, cache_1, accumulate=True)
    np.testing.assert_array_equal(outputs_1, alone[0][0])
    np.testing.assert_array_equal(outputs_2, alone[1][0])
    np.testing.assert_allclose(grad_1, alone[0][1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(grad_2, alone[1][1], rtol=1e-12, atol=1e-14)
    for key, grad in layer.grads.items():
        np.testing.assert_allclose(grad, alone[0][2][key] + alone[1][2][key], rtol=1e-12, atol=1e-14)
    assert set(vars(layer)) == attributes


@pytest.mark.parametrize("case", IDS)
def test_float32_in_float32_out(case):
    layer, input_shape = make(case, dtype=np.float32)
    inputs = case_inputs(case, input_shape, 3, seed=0, dtype=np.float32)
    for training in (False, True):
        outputs, cache = layer.forward(inputs, training=training)
        assert outputs.dtype == np.float32
        assert layer.backward(np.ones_like(outputs), cache).dtype == np.float32
    assert all(value.dtype == np.float32 for value in [*layer.params.values(), *layer.grads.values(),
                                                       *layer.state.values()])


@pytest.mark.parametrize("case", IDS)
def test_first_layer_returns_no_input_gradient_but_fills_param_grads(case):
    layer, input_shape = make(case)
    outputs, cache = layer.forward(case_inputs(case, input_shape, 3, seed=0), training=True)
    for grad in layer.grads.values():
        grad[...] = np.nan  # backward writes every entry
    assert layer.backward(np.ones_like(outputs), cache, input_grad=False) is None
    with_inputs = {key: grad.copy() for key, grad in layer.grads.items()}
    assert all(np.all(np.isfinite(grad)) for grad in with_inputs.values())
    layer.backward(np.ones_like(outputs), cache)
    for key, grad in layer.grads.items():
        np.testing.assert_array_equal(with_inputs[key], grad)


@pytest.mark.parametrize("case", IDS)
def test_gradients_match_finite_differences(case):
    layer, input_shape = make(case)
    if case in TOKEN_CASES:  # token indices have no neighbourhood to difference in: the params only
        inputs = case_inputs(case, input_shape, 3, seed=2)
        check_layer_gradients(layer, inputs, np.random.default_rng(0), training=False, with_inputs=False)
        return
    inputs = inputs_for(input_shape, 3, seed=2)
    for kink in (0.0, 2.0):  # ReLU(max_value=2.0)'s kinks
        close = np.abs(inputs - kink) < 0.05
        inputs[close] += 0.1
    # checked with fixed masks or noise in test_dropout.py and test_noise.py, fixed draws in test_augmentation.py
    random_in_training = (isinstance(layer, (layers.Dropout, layers.GaussianNoise, layers.GaussianDropout))
                          or getattr(layer, "augments", False))
    for training in (False,) if random_in_training else (False, True):
        check_layer_gradients(layer, inputs, np.random.default_rng(0), training=training)


@pytest.mark.parametrize("case", IDS)
@settings(max_examples=10, deadline=None)
@given(batch=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_batch_equals_row_by_row(case, batch, seed):
    """Without batch statistics (inference mode) each sample is computed on its own."""
    layer, input_shape = make(case)
    inputs = case_inputs(case, input_shape, batch, seed)
    upstream = inputs_for(layer.output_shape, batch, seed + 1)
    outputs, cache = layer.forward(inputs, training=False)
    layer.zero_grads()
    grad_inputs = layer.backward(upstream, cache)
    grads = {key: grad.copy() for key, grad in layer.grads.items()}
    for row in range(batch):  # the first row's call writes the grads, the others add their share
        row_outputs, row_cache = layer.forward(inputs[row:row + 1], training=False)
        np.testing.assert_allclose(row_outputs, outputs[row:row + 1], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.backward(upstream[row:row + 1], row_cache, accumulate=row > 0),
                                   grad_inputs[row:row + 1], rtol=1e-12, atol=1e-14)
    for key, grad in grads.items():
        np.testing.assert_allclose(layer.grads[key], grad, rtol=1e-10, atol=1e-12)
