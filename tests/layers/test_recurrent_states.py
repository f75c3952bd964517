"""Keras's initial_state= and stateful=True on SimpleRNN, LSTM and GRU: finite differences w.r.t. the
initial states (masks, go_backwards, dropout held fixed), PyTorch's h0/c0 with identical weights, the
Functional API (states from other layers, saved and loaded), calls on arrays, and stateful calls
equal to one call over the whole sequence."""

import numpy as np
import pytest
import torch

import gradwise
from gradwise import layers
from gradwise.layers import GRU, LSTM, SimpleRNN

from .gradient_check import TOLERANCE, numeric_gradient, relative_error
from .test_recurrent import MASK, _torch_module

CELLS = {"simple_rnn": SimpleRNN, "lstm": LSTM, "gru": GRU}


def _with_states(cls, **options):
    """A layer that takes [sequence, *initial states] (as a functional call with initial_state makes)."""
    layer = cls(3, bias_initializer="random_normal", state_inputs=True, **options)
    layer.build_for([(5, 2)] + [(3,)] * layer.state_count, np.random.default_rng(0), np.float64)
    return layer


@pytest.mark.parametrize("name", sorted(CELLS))
@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "go_backwards": True},
                                     {"return_state": True}], ids=["last", "backwards", "state"])
@pytest.mark.parametrize("masked", [False, True])
def test_gradients_wrt_initial_states_match_finite_differences(name, options, masked, rng):
    layer = _with_states(CELLS[name], **options)
    arrays = [rng.normal(size=(4, 5, 2))] + [rng.normal(size=(4, 3)) for _ in range(layer.state_count)]
    call = {"mask": [MASK] + [None] * layer.state_count} if masked else {}

    def outputs():
        result = layer.forward(arrays, **call)[0]
        return result if isinstance(result, list) else [result]

    upstream = [rng.normal(size=output.shape) for output in outputs()]
    _, cache = layer.forward(arrays, **call)
    grads = layer.backward(upstream if len(upstream) > 1 else upstream[0], cache)
    assert isinstance(grads, list) and len(grads) == 1 + layer.state_count

    def scalar():
        return float(sum(np.sum(output * grad) for output, grad in zip(outputs(), upstream)))

    for number, (array, grad) in enumerate(zip(arrays, grads)):
        error = relative_error(grad, numeric_gradient(scalar, array))
        assert error < TOLERANCE, f"input {number}: relative error {error:.2e}"
    analytic = {key: grad.copy() for key, grad in layer.grads.items()}
    for key, value in layer.params.items():
        assert relative_error(analytic[key], numeric_gradient(scalar, value)) < TOLERANCE, key


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_initial_states_are_pytorchs_h0_and_c0(cls, rng):
    layer = _with_states(cls, return_sequences=True)
    x = rng.normal(size=(4, 5, 2))
    states = [rng.normal(size=(4, 3)) for _ in range(layer.state_count)]
    outputs, cache = layer.forward([x, *states])
    upstream = rng.normal(size=outputs.shape)
    grads = layer.backward(upstream, cache)
    module, _ = _torch_module(layer)
    tensors = [torch.from_numpy(array.copy()).requires_grad_(True) for array in [x, *states]]
    given = tuple(state[None] for state in tensors[1:])
    sequence, _ = module(tensors[0], given if len(given) > 1 else given[0])
    (sequence * torch.from_numpy(upstream)).sum().backward()
    np.testing.assert_allclose(outputs, sequence.detach().numpy(), rtol=1e-12, atol=1e-13)
    for mine, tensor in zip(grads, tensors):
        np.testing.assert_allclose(mine, tensor.grad.numpy(), rtol=1e-11, atol=1e-12)


def test_an_encoder_state_conditions_a_decoder_in_a_functional_model(rng, tmp_path):
    """The states come from other layers (here a Dense of a second input), train, and are saved."""
    sequence = gradwise.Input((6, 2), name="sequence")
    context = gradwise.Input((4,), name="context")
    state_h = layers.Dense(5, activation="tanh")(context)
    state_c = layers.Dense(5)(context)
    hidden = layers.LSTM(5)(sequence, initial_state=[state_h, state_c])
    model = gradwise.Model([sequence, context], layers.Dense(1)(hidden), seed=0)
    model.compile(optimizer=gradwise.optimizers.Adam(0.02), loss="mse")
    x, c = rng.normal(size=(64, 6, 2)), rng.normal(size=(64, 4))
    y = c[:, :1] * 2  # only the context explains y: it has to flow through the initial states
    history = model.fit([x, c], y, epochs=30, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.2 * history.history["loss"][0]
    predictions = model.predict([x, c], verbose=0)
    model.save(tmp_path / "conditioned.gw")
    again = gradwise.load_model(tmp_path / "conditioned.gw")
    np.testing.assert_array_equal(again.predict([x, c], verbose=0), predictions)


def test_initial_state_on_arrays(rng):
    layer = GRU(3, return_sequences=True)
    x = rng.normal(size=(2, 4, 2))
    zero = layer(x)
    np.testing.assert_array_equal(layer(x, initial_state=[np.zeros((2, 3))]), zero)
    start = rng.normal(size=(2, 3))
    from_start = layer(x, initial_state=start)
    assert not np.allclose(from_start, zero)
    with pytest.raises(ValueError, match=r"`initial_state\[0\]` must have shape \(batch, units\) = \(2, 3\), got "
                                         r"shape \(2, 4\)"):
        layer(x, initial_state=[np.zeros((2, 4))])
    with pytest.raises(ValueError, match=r"`initial_state` must be a list of 2 state\(s\) of shape \(batch, 3\), "
                                         r"got 1"):
        LSTM(3)(x, initial_state=[start])


@pytest.mark.parametrize("cls", [SimpleRNN, LSTM, GRU])
def test_stateful_calls_continue_one_sequence_until_reset(cls, rng):
    whole = cls(3, return_sequences=True, seed=0)
    x = rng.normal(size=(2, 8, 2))
    expected = whole(x)
    stateful = cls(3, return_sequences=True, stateful=True)
    stateful.build_for((4, 2), np.random.default_rng(0), np.float64)
    stateful.set_weights(whole.get_weights())
    halves = np.concatenate([stateful(x[:, :4]), stateful(x[:, 4:])], axis=1)
    np.testing.assert_allclose(halves, expected, rtol=1e-12, atol=1e-14)
    stateful.reset_states()
    np.testing.assert_allclose(stateful(x[:, :4]), expected[:, :4], rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match=r"is stateful: every batch must have the size of the first \(2\), got a "
                                         r"batch of 3"):
        stateful(rng.normal(size=(3, 4, 2)))


def test_a_stateful_model_trains_on_consecutive_windows(rng):
    model = gradwise.Sequential([gradwise.Input((5, 1)), layers.LSTM(4, stateful=True), layers.Dense(1)], seed=0)
    model.compile(optimizer="adam", loss="mse")
    x, y = rng.normal(size=(32, 5, 1)), rng.normal(size=(32, 1))
    history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.layers[0].get_config()["stateful"] is True
    model.layers[0].reset_states()
    first = model.predict(x[:8], batch_size=8, verbose=0)
    model.layers[0].reset_states()
    np.testing.assert_array_equal(model.predict(x[:8], batch_size=8, verbose=0), first)


def test_model_reset_states_resets_every_stateful_layer(rng):
    # Keras's model.reset_states(): both stateful layers, the nested one included, start again from zeros
    inner = gradwise.Sequential([gradwise.Input((4, 3)), layers.GRU(3, stateful=True, return_sequences=True)])
    model = gradwise.Sequential([gradwise.Input((4, 1)), layers.LSTM(3, stateful=True, return_sequences=True), inner,
                                 layers.Dense(1)], seed=0)
    x = rng.normal(size=(2, 4, 1))
    first = model.predict(x, batch_size=2, verbose=0)
    assert not np.allclose(model.predict(x, batch_size=2, verbose=0), first)  # carried on from the first call
    model.reset_states()
    assert model.layers[0].states is None and inner.layers[0].states is None
    np.testing.assert_array_equal(model.predict(x, batch_size=2, verbose=0), first)
