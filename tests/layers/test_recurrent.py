"""SimpleRNN, LSTM and GRU: finite differences (masks, dropout, go_backwards, return_state), PyTorch
with identical weights (Keras's gate order mapped onto PyTorch's), masks as Keras applies them."""

import numpy as np
import pytest
import torch

from gradwise.layers import GRU, LSTM, SimpleRNN

from .gradient_check import built
from .recurrent_check import check_masked_gradients

MASK = np.array([[1, 1, 1, 0, 0], [0, 0, 1, 1, 1], [1, 0, 1, 0, 1], [0, 0, 0, 0, 0]], dtype=bool)

FACTORIES = {
    "simple_rnn": lambda **kwargs: SimpleRNN(3, bias_initializer="random_normal", **kwargs),
    "lstm": lambda **kwargs: LSTM(3, bias_initializer="random_normal", **kwargs),
    "gru": lambda **kwargs: GRU(3, bias_initializer="random_normal", **kwargs),
    "gru_reset_before": lambda **kwargs: GRU(3, reset_after=False, bias_initializer="random_normal", **kwargs),
    "lstm_relu_hard_sigmoid_no_bias": lambda **kwargs: LSTM(2, activation="elu", recurrent_activation="softplus",
                                                             use_bias=False, **kwargs),
}
OPTIONS = {
    "last": {},
    "sequences": {"return_sequences": True},
    "backwards": {"return_sequences": True, "go_backwards": True},
    "state": {"return_state": True, "go_backwards": True},
    "zero_output": {"return_sequences": True, "zero_output_for_mask": True, "return_state": True},
}


@pytest.mark.parametrize("cell", sorted(FACTORIES))
@pytest.mark.parametrize("option", sorted(OPTIONS))
@pytest.mark.parametrize("masked", [False, True])
def test_gradients_match_finite_differences(cell, option, masked, rng):
    layer = built(FACTORIES[cell](**OPTIONS[option]), (5, 2))
    check_masked_gradients(layer, rng.normal(size=(4, 5, 2)), MASK if masked else None, rng)


@pytest.mark.parametrize("cell", sorted(FACTORIES))
def test_dropout_gradients_with_fixed_masks(cell, rng):
    layer = built(FACTORIES[cell](dropout=0.3, recurrent_dropout=0.4, return_sequences=True, seed=1), (5, 2))
    keeps = layer._dropout_keeps(4, 2, np.float64, True)
    assert all(keep is not None and set(np.unique(keep)) <= {0.0, 1 / 0.7, 1 / 0.6} for keep in keeps)
    layer._dropout_keeps = lambda *arguments: keeps  # the same masks in every central difference
    check_masked_gradients(layer, rng.normal(size=(4, 5, 2)), MASK, rng, training=True)


def test_dropout_acts_in_training_only(rng):
    inputs = rng.normal(size=(8, 6, 3))
    plain = built(LSTM(4), (6, 3), seed=2)
    dropped = built(LSTM(4, dropout=0.5, recurrent_dropout=0.5, seed=3), (6, 3), seed=2)
    np.testing.assert_array_equal(dropped.forward(inputs)[0], plain.forward(inputs)[0])
    first, second = dropped.forward(inputs, training=True)[0], dropped.forward(inputs, training=True)[0]
    assert not np.allclose(first, plain.forward(inputs)[0]) and not np.allclose(first, second)


# ----- PyTorch with identical weights -------------------------------------------------------------
def _keras_blocks_to_torch(array, order):
    """Reorder blocks of `units` along the last axis: Keras z, r, h -> PyTorch r, z, n for a GRU."""
    blocks = np.split(array, 3, axis=-1)
    return np.concatenate([blocks[i] for i in order], axis=-1)


def _torch_module(layer):
    features = layer.params["kernel"].shape[0]
    units = layer.units
    if isinstance(layer, LSTM):
        module, order = torch.nn.LSTM(features, units, batch_first=True), None
    elif isinstance(layer, GRU):
        module, order = torch.nn.GRU(features, units, batch_first=True), (1, 0, 2)
    else:
        module, order = torch.nn.RNN(features, units, batch_first=True), None
    module = module.double()
    kernel, recurrent = layer.params["kernel"], layer.params["recurrent_kernel"]
    bias = layer.params["bias"]
    input_bias, recurrent_bias = (bias[0], bias[1]) if bias.ndim == 2 else (bias, np.zeros_like(bias))
    if order is not None:
        kernel, recurrent, input_bias, recurrent_bias = (
            _keras_blocks_to_torch(array, order) for array in (kernel, recurrent, input_bias, recurrent_bias))
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(kernel.T.copy()))
        module.weight_hh_l0.copy_(torch.from_numpy(recurrent.T.copy()))
        module.bias_ih_l0.copy_(torch.from_numpy(input_bias.copy()))
        module.bias_hh_l0.copy_(torch.from_numpy(recurrent_bias.copy()))
    return module, order


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
@pytest.mark.parametrize("go_backwards", [False, True])
def test_forward_and_gradients_match_torch(cls, go_backwards, rng):
    layer = built(cls(4, bias_initializer="random_normal", return_sequences=True, return_state=True,
                      go_backwards=go_backwards), (7, 3))
    inputs = rng.normal(size=(5, 7, 3))
    outputs, cache = layer.forward(inputs)
    upstream = [rng.normal(size=output.shape) for output in outputs]
    grad_inputs = layer.backward(upstream, cache)
    module, order = _torch_module(layer)
    x = torch.from_numpy(inputs.copy()).requires_grad_(True)
    sequence, state = module(torch.flip(x, (1,)) if go_backwards else x)
    states = state if isinstance(state, tuple) else (state,)
    np.testing.assert_allclose(outputs[0], sequence.detach().numpy(), rtol=1e-12, atol=1e-13)
    for mine, theirs in zip(outputs[1:], states):
        np.testing.assert_allclose(mine, theirs[0].detach().numpy(), rtol=1e-12, atol=1e-13)
    loss = (sequence * torch.from_numpy(upstream[0])).sum()
    loss = loss + sum((theirs[0] * torch.from_numpy(grad)).sum() for theirs, grad in zip(states, upstream[1:]))
    loss.backward()
    np.testing.assert_allclose(grad_inputs, x.grad.numpy(), rtol=1e-11, atol=1e-12)
    kernel_grad, recurrent_grad = module.weight_ih_l0.grad.numpy().T, module.weight_hh_l0.grad.numpy().T
    input_bias_grad, recurrent_bias_grad = module.bias_ih_l0.grad.numpy(), module.bias_hh_l0.grad.numpy()
    if order is not None:  # back from PyTorch's r, z, n to Keras's z, r, h
        kernel_grad, recurrent_grad, input_bias_grad, recurrent_bias_grad = (
            _keras_blocks_to_torch(array, order) for array in (kernel_grad, recurrent_grad, input_bias_grad,
                                                                recurrent_bias_grad))
        bias_grad = np.stack([input_bias_grad, recurrent_bias_grad])
    else:  # one Keras bias: the sum of PyTorch's two, whose gradients are equal
        bias_grad = input_bias_grad
    np.testing.assert_allclose(layer.grads["kernel"], kernel_grad, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(layer.grads["recurrent_kernel"], recurrent_grad, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(layer.grads["bias"], bias_grad, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_masked_steps_are_skipped_as_pytorch_runs_the_real_steps_alone(cls, rng):
    """Keras's masking carries the state over a masked step, so the final state is PyTorch's on the
    real steps only, and each returned step repeats the output of the last real step (zeros before)."""
    layer = built(cls(3, bias_initializer="random_normal", return_sequences=True, return_state=True), (5, 2))
    inputs = rng.normal(size=(4, 5, 2))
    outputs = layer.forward(inputs, mask=MASK)[0]
    module, _ = _torch_module(layer)
    for row, real in enumerate(MASK):
        expected_sequence = np.zeros((5, 3))
        if real.any():
            sequence, _ = module(torch.from_numpy(inputs[row:row + 1, real]))
            expected_sequence[real] = sequence[0].detach().numpy()
        for step in range(1, 5):  # a masked step repeats the previous output
            if not real[step]:
                expected_sequence[step] = expected_sequence[step - 1]
        np.testing.assert_allclose(outputs[0][row], expected_sequence, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(outputs[1][row], expected_sequence[-1], rtol=1e-12, atol=1e-13)


def test_gru_reset_before_matches_the_keras_formula_by_hand(rng):
    layer = built(GRU(2, reset_after=False, bias_initializer="random_normal"), (3, 2))
    inputs = rng.normal(size=(2, 3, 2))
    kernel, recurrent, bias = (layer.params[key] for key in ("kernel", "recurrent_kernel", "bias"))

    def sigmoid(value):
        return 1 / (1 + np.exp(-value))

    state = np.zeros((2, 2))
    for step in range(3):
        x = inputs[:, step] @ kernel + bias
        update = sigmoid(x[:, :2] + state @ recurrent[:, :2])
        reset = sigmoid(x[:, 2:4] + state @ recurrent[:, 2:4])
        candidate = np.tanh(x[:, 4:] + (reset * state) @ recurrent[:, 4:])
        state = update * state + (1 - update) * candidate
    np.testing.assert_allclose(layer.forward(inputs)[0], state, rtol=1e-13)


# ----- Keras's weights, defaults and bad input ------------------------------------------------------
def test_weights_have_keras_shapes_and_the_forget_bias_starts_at_one():
    lstm = built(LSTM(5), (7, 3))
    assert [w.shape for w in lstm.get_weights()] == [(3, 20), (5, 20), (20,)]
    np.testing.assert_array_equal(lstm.params["bias"], np.r_[np.zeros(5), np.ones(5), np.zeros(10)])
    assert not built(LSTM(5, unit_forget_bias=False), (7, 3)).params["bias"].any()
    assert [w.shape for w in built(GRU(5), (7, 3)).get_weights()] == [(3, 15), (5, 15), (2, 15)]
    assert [w.shape for w in built(GRU(5, reset_after=False), (7, 3)).get_weights()] == [(3, 15), (5, 15), (15,)]
    assert [w.shape for w in built(SimpleRNN(5, use_bias=False), (7, 3)).get_weights()] == [(3, 5), (5, 5)]
    recurrent = built(SimpleRNN(6), (2, 6)).params["recurrent_kernel"]
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(6), atol=1e-12)  # 'orthogonal', Keras's default


def test_output_shapes_and_state_outputs(rng):
    inputs = rng.normal(size=(2, 6, 3))
    lstm = built(LSTM(4, return_sequences=True, return_state=True), (6, 3))
    assert lstm.output_shape == ((6, 4), (4,), (4,))
    sequence, hidden, cell = lstm.forward(inputs)[0]
    assert sequence.shape == (2, 6, 4) and cell.shape == (2, 4)
    np.testing.assert_array_equal(sequence[:, -1], hidden)
    gru = built(GRU(4, return_state=True), (6, 3))
    assert gru.output_shape == ((4,), (4,))
    last, state = gru.forward(inputs)[0]
    np.testing.assert_array_equal(last, state)


def test_mask_of_the_wrong_shape_is_named(rng):
    layer = built(LSTM(2, name="encoder"), (5, 3))
    with pytest.raises(ValueError, match=r"LSTM 'encoder': `mask` must have shape \(batch, steps\) = \(4, 5\) to match "
                                         r"inputs of shape \(4, 5, 3\), got shape \(4, 6\)"):
        layer.forward(rng.normal(size=(4, 5, 3)), mask=np.ones((4, 6), bool))
    with pytest.raises(ValueError, match=r"`mask` must hold booleans \(or 0/1\), got values such as 2"):
        layer.forward(rng.normal(size=(4, 5, 3)), mask=np.full((4, 5), 2))
    with pytest.raises(ValueError, match=r"LSTM 'encoder' expected inputs of shape \(batch, steps, 3\), got shape \(4, 5\)"):
        layer.forward(rng.normal(size=(4, 5)))


@pytest.mark.parametrize("arguments, message", [
    ({"units": 0}, r"`units` must be a positive int, got 0"),
    ({"units": 2, "dropout": 1.0}, r"`dropout` must be a float in \[0, 1\), got 1.0"),
    ({"units": 2, "recurrent_dropout": -0.1}, r"`recurrent_dropout` must be a float in \[0, 1\)"),
    ({"units": 2, "activation": "nope"}, r"Unknown activation 'nope'"),
])
def test_bad_arguments_are_named(arguments, message):
    with pytest.raises(ValueError, match=message):
        LSTM(**arguments)


def test_a_mask_given_to_a_call_on_arrays_reaches_the_layer(rng):
    layer = LSTM(3, return_sequences=True)
    inputs = rng.normal(size=(4, 5, 2))
    masked = layer(inputs, mask=MASK)
    np.testing.assert_array_equal(masked, layer.forward(inputs, mask=MASK)[0])
    assert not np.allclose(masked, layer(inputs))
