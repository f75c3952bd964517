"""Bidirectional and TimeDistributed: finite differences (every merge mode, masks, states), PyTorch's
bidirectional nn.LSTM / nn.GRU with identical weights, masks as Keras applies them, weights and config."""

import numpy as np
import pytest
import torch

import gradwise as gw
from gradwise.layers import GRU, LSTM, Bidirectional, Conv1D, Dense, Embedding, SimpleRNN, TimeDistributed

from .gradient_check import built, check_layer_gradients
from .recurrent_check import check_masked_gradients
from .test_recurrent import _torch_module

MASK = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 0, 1]], dtype=bool)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"return_state": True}])
@pytest.mark.parametrize("masked", [False, True])
def test_bidirectional_gradients_match_finite_differences(merge_mode, options, masked, rng):
    layer = built(Bidirectional(GRU(2, bias_initializer="random_normal", **options), merge_mode=merge_mode), (5, 2))
    check_masked_gradients(layer, rng.normal(size=(3, 5, 2)), MASK if masked else None, rng)


@pytest.mark.parametrize("cls", [LSTM, GRU, SimpleRNN])
def test_bidirectional_matches_torch_bidirectional(cls, rng):
    layer = built(Bidirectional(cls(3, bias_initializer="random_normal", return_sequences=True)), (6, 2))
    inputs = rng.normal(size=(4, 6, 2))
    outputs, cache = layer.forward(inputs)
    upstream = rng.normal(size=outputs.shape)
    grad_inputs = layer.backward(upstream, cache)
    forward_module, _ = _torch_module(layer.forward_layer)
    backward_module, _ = _torch_module(layer.backward_layer)
    module = {LSTM: torch.nn.LSTM, GRU: torch.nn.GRU, SimpleRNN: torch.nn.RNN}[cls](
        2, 3, batch_first=True, bidirectional=True).double()
    with torch.no_grad():  # PyTorch's reverse direction is the '_reverse' set of weights
        for name, value in forward_module.named_parameters():
            getattr(module, name).copy_(value)
            getattr(module, name + "_reverse").copy_(dict(backward_module.named_parameters())[name])
    x = torch.from_numpy(inputs.copy()).requires_grad_(True)
    expected, _ = module(x)
    (expected * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(outputs, expected.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(grad_inputs, x.grad.numpy(), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(layer.grads["backward/recurrent_kernel"],
                               _keras_order(cls, module.weight_hh_l0_reverse.grad.numpy().T), rtol=1e-11, atol=1e-12)


def _keras_order(cls, array):
    if cls is not GRU:
        return array
    blocks = np.split(array, 3, axis=-1)
    return np.concatenate([blocks[1], blocks[0], blocks[2]], axis=-1)


def test_masked_bidirectional_reads_the_real_steps_both_ways_and_zeroes_masked_outputs(rng):
    layer = built(Bidirectional(LSTM(2, bias_initializer="random_normal", return_sequences=True)), (5, 3))
    inputs = rng.normal(size=(3, 5, 3))
    outputs = layer.forward(inputs, mask=MASK)[0]
    reference = built(Bidirectional(LSTM(2, return_sequences=True)), (3, 3))
    reference.set_weights(layer.get_weights())
    for row, real in enumerate(MASK):
        alone = reference.forward(inputs[row:row + 1, real])[0][0] if real.sum() == 3 else None
        np.testing.assert_array_equal(outputs[row, ~real], 0.0)  # Keras's zero_output_for_mask
        if alone is not None:
            np.testing.assert_allclose(outputs[row, real], alone, rtol=1e-12, atol=1e-13)


def test_bidirectional_names_weights_config_and_bad_arguments(rng):
    layer = Bidirectional(LSTM(4, name="encoder", return_state=True), merge_mode="sum", name="both")
    assert (layer.forward_layer.name, layer.backward_layer.name) == ("forward_encoder", "backward_encoder")
    assert layer.backward_layer.go_backwards and not layer.forward_layer.go_backwards
    built(layer, (6, 3))
    assert list(layer.params) == [f"{side}/{key}" for side in ("forward", "backward")
                                  for key in ("kernel", "recurrent_kernel", "bias")]
    assert layer.output_shape == ((4,), (4,), (4,), (4,), (4,))
    rebuilt = gw.layers.deserialize(gw.layers.serialize(layer))
    assert rebuilt.get_config() == layer.get_config() and rebuilt.forward_layer.name == "forward_encoder"
    with pytest.raises(TypeError, match=r"Bidirectional: `layer` must be a recurrent layer"):
        Bidirectional(Dense(3))
    with pytest.raises(ValueError, match=r"`merge_mode` must be one of \['concat', 'sum', 'ave', 'mul', None\], "
                                         r"got 'max'"):
        Bidirectional(LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match=r"must have the opposite `go_backwards`"):
        Bidirectional(LSTM(2), backward_layer=LSTM(2))
    both = Bidirectional(GRU(2), merge_mode=None)(gw.Input((4, 2)))  # two outputs: two symbolic tensors
    assert isinstance(both, list) and [tensor.shape for tensor in both] == [(2,), (2,)]


def test_time_distributed_is_the_inner_layer_on_every_step(rng):
    dense = Dense(3, activation="tanh", bias_initializer="random_normal")
    layer = built(TimeDistributed(dense), (5, 2))
    inputs = rng.normal(size=(4, 5, 2))
    outputs = layer.forward(inputs)[0]
    assert outputs.shape == (4, 5, 3) and list(layer.params) == ["kernel", "bias"]
    for step in range(5):
        np.testing.assert_allclose(outputs[:, step], dense.forward(inputs[:, step])[0], rtol=1e-14)
    check_layer_gradients(layer, inputs, rng)
    convolved = built(TimeDistributed(Conv1D(2, 3)), (4, 6, 2))
    assert convolved.output_shape == (4, 4, 2)
    check_layer_gradients(convolved, rng.normal(size=(2, 4, 6, 2)), rng)
    with pytest.raises(TypeError, match=r"TimeDistributed: `layer` must be a gradwise Layer, got 3"):
        TimeDistributed(3)


def test_wrapped_models_train_save_and_load(tmp_path, rng):
    tokens = rng.integers(0, 20, size=(24, 8))
    tokens[:8, 5:] = 0
    targets = rng.normal(size=(24, 8, 2))
    model = gw.Sequential([gw.Input((8,)), Embedding(20, 4, mask_zero=True),
                           Bidirectional(LSTM(3, return_sequences=True, dropout=0.2, recurrent_dropout=0.2)),
                           TimeDistributed(Dense(2))], seed=0)
    model.compile(optimizer="adam", loss="mse")
    model.fit(tokens, targets, epochs=2, batch_size=8, verbose=0)
    assert len(model.parameter_set.names) == 9  # embeddings, 2 x 3 recurrent weights, kernel, bias
    model.save(tmp_path / "model.gw")
    loaded = gw.load_model(tmp_path / "model.gw")
    np.testing.assert_array_equal(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0))
    model.fit(tokens, targets, epochs=1, batch_size=8, verbose=0)  # dropout masks resume identically
    loaded.fit(tokens, targets, epochs=1, batch_size=8, verbose=0)
    np.testing.assert_array_equal(loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0))
