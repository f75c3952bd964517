"""RNN(cell) with cells of one's own (Keras's cell contract plus a one-step backward): finite differences
through time (gradwise.testing.check_gradients, masks, several states of different shapes), PyTorch
autograd on the same unrolled math, the built-in SimpleRNN as the reference for masks, go_backwards,
Bidirectional and stacking, training, saving, and the errors that name what to write."""

import numpy as np
import pytest
import torch

import gradwise
from gradwise import layers
from gradwise.testing import check_gradients

from .cells import CachingElmanCell, ElmanCell, ForwardOnlyCell, ShiftMemoryCell
from .gradient_check import built
from .recurrent_check import check_masked_gradients

MASK = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1], [1, 1, 1, 1, 1]], dtype=bool)


def _call(mask):
    return {} if mask is None else {"mask": mask}


@pytest.mark.parametrize("cell_class", [ElmanCell, CachingElmanCell])
@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"return_sequences": True, "go_backwards": True}])
def test_finite_differences_through_time(cell_class, options):
    result = check_gradients(layers.RNN(cell_class(3), **options), input_shape=(5, 2))
    assert set(result.errors) == {"inputs", "cell/kernel", "cell/recurrent_kernel", "cell/bias"}


@pytest.mark.parametrize("options", [{"return_state": True}, {"return_sequences": True, "go_backwards": True},
                                     {"return_sequences": True, "zero_output_for_mask": True}])
@pytest.mark.parametrize("masked", [False, True])
def test_finite_differences_with_masks_and_states_of_several_shapes(options, masked, rng):
    layer = built(layers.RNN(ShiftMemoryCell(3), **options), (5, 2))
    check_masked_gradients(layer, rng.normal(size=(3, 5, 2)), MASK if masked else None, rng)
    if options.get("return_state"):
        outputs, _ = layer.forward(rng.normal(size=(3, 5, 2)))
        assert [output.shape for output in outputs] == [(3, 3), (3, 3), (3, 2, 3)]
        assert layer.compute_output_shape((5, 2)) == [(3,), (3,), (2, 3)]


def _simple_rnn_twin(layer, **options):
    """A SimpleRNN with the custom Elman layer's weights (the same math, Keras-checked)."""
    twin = built(layers.SimpleRNN(layer.cell.units, **options), layer.input_shape)
    twin.set_weights(layer.get_weights())
    return twin


@pytest.mark.parametrize("options", [{}, {"return_sequences": True}, {"return_sequences": True, "go_backwards": True},
                                     {"return_state": True, "go_backwards": True},
                                     {"return_sequences": True, "zero_output_for_mask": True}])
@pytest.mark.parametrize("masked", [False, True])
def test_an_elman_cell_computes_what_simple_rnn_does(options, masked, rng):
    layer = built(layers.RNN(ElmanCell(4), **options), (5, 2))
    twin = _simple_rnn_twin(layer, **options)
    inputs, mask = rng.normal(size=(3, 5, 2)), MASK if masked else None
    outputs, cache = layer.forward(inputs, **_call(mask))
    expected, twin_cache = twin.forward(inputs, **_call(mask))
    for output, want in zip(outputs if isinstance(outputs, list) else [outputs],
                            expected if isinstance(expected, list) else [expected]):
        np.testing.assert_allclose(output, want, rtol=1e-12, atol=1e-12)
    upstream = [rng.normal(size=np.shape(output)) for output in (outputs if isinstance(outputs, list) else [outputs])]
    upstream = upstream if len(upstream) > 1 else upstream[0]
    np.testing.assert_allclose(layer.backward(upstream, cache), twin.backward(upstream, twin_cache), atol=1e-12)
    for key in ("kernel", "recurrent_kernel", "bias"):
        np.testing.assert_allclose(layer.grads[f"cell/{key}"], twin.grads[key], atol=1e-12)


def test_pytorch_autograd_on_the_unrolled_elman_cell_agrees(rng):
    layer = built(layers.RNN(ElmanCell(4), return_sequences=True, return_state=True, go_backwards=True), (6, 3))
    inputs = rng.normal(size=(2, 6, 3))
    (sequence, state), cache = layer.forward(inputs)
    upstream_sequence, upstream_state = rng.normal(size=sequence.shape), rng.normal(size=state.shape)
    grad_inputs = layer.backward([upstream_sequence, upstream_state], cache)

    kernel, recurrent, bias = (torch.tensor(array, requires_grad=True) for array in layer.get_weights())
    torch_inputs = torch.tensor(inputs, requires_grad=True)
    hidden, outputs = torch.zeros(2, 4, dtype=torch.float64), []
    for step in range(5, -1, -1):  # go_backwards: last step first, outputs in that order
        hidden = torch.tanh(torch_inputs[:, step] @ kernel + hidden @ recurrent + bias)
        outputs.append(hidden)
    torch_sequence = torch.stack(outputs, dim=1)
    (torch_sequence * torch.from_numpy(upstream_sequence) + 0).sum().add(
        (hidden * torch.from_numpy(upstream_state)).sum()).backward()
    np.testing.assert_allclose(sequence, torch_sequence.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(state, hidden.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(grad_inputs, torch_inputs.grad.numpy(), atol=1e-12)
    for key, tensor in (("kernel", kernel), ("recurrent_kernel", recurrent), ("bias", bias)):
        np.testing.assert_allclose(layer.grads[f"cell/{key}"], tensor.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize("merge_mode", ["concat", "sum"])
def test_bidirectional_over_a_cell_is_bidirectional_simple_rnn(merge_mode, rng):
    layer = built(layers.Bidirectional(layers.RNN(ElmanCell(3), return_sequences=True), merge_mode=merge_mode), (5, 2))
    twin = built(layers.Bidirectional(layers.SimpleRNN(3, return_sequences=True), merge_mode=merge_mode), (5, 2))
    twin.set_weights(layer.get_weights())
    inputs = rng.normal(size=(3, 5, 2))
    outputs, cache = layer.forward(inputs, mask=MASK)
    expected, twin_cache = twin.forward(inputs, mask=MASK)
    np.testing.assert_allclose(outputs, expected, atol=1e-12)
    upstream = rng.normal(size=outputs.shape)
    np.testing.assert_allclose(layer.backward(upstream, cache), twin.backward(upstream, twin_cache), atol=1e-12)
    check_masked_gradients(layer, inputs, MASK, rng)


def test_stacked_cells_of_ones_own_and_built_in_ones_mix(rng):
    layer = built(layers.RNN(layers.StackedRNNCells([ElmanCell(4), layers.SimpleRNNCell(3)]), return_sequences=True,
                             go_backwards=True), (5, 2))
    twin = built(layers.RNN([layers.SimpleRNNCell(4), layers.SimpleRNNCell(3)], return_sequences=True,
                            go_backwards=True), (5, 2))
    twin.set_weights(layer.get_weights())
    inputs = rng.normal(size=(3, 5, 2))
    np.testing.assert_allclose(layer.forward(inputs, mask=MASK)[0], twin.forward(inputs, mask=MASK)[0], atol=1e-12)
    check_masked_gradients(built(layers.RNN([ShiftMemoryCell(3), ElmanCell(2)], return_state=True), (5, 2)),
                           inputs, MASK, rng)


def _model(cell, seed=0):
    return gradwise.Sequential([gradwise.Input((6, 2)), layers.RNN(cell), layers.Dense(1)], seed=seed)


def test_a_cell_trains_in_a_model_and_its_attributes_follow_the_weights(rng):
    model = _model(ElmanCell(8))
    model.compile(optimizer="adam", loss="mse")
    inputs = rng.normal(size=(64, 6, 2))
    targets = inputs[:, :, 0].sum(axis=1, keepdims=True) / 3
    history = model.fit(inputs, targets, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    cell = model.layers[0].cell
    assert cell.kernel is cell.params["kernel"]  # the attribute build assigned reads the trained weights
    np.testing.assert_array_equal(cell.kernel, model.get_weights()[0])


def test_saving_keeps_the_cell_and_its_weights(tmp_path, rng):
    source = gradwise.Input((6, 2))
    hidden = layers.Bidirectional(layers.RNN(ShiftMemoryCell(3), return_sequences=True))(source)
    model = gradwise.Model(source, layers.Dense(1)(layers.RNN([ElmanCell(4), CachingElmanCell(2)])(hidden)))
    model.compile(optimizer="adam", loss="mse")
    inputs = rng.normal(size=(16, 6, 2))
    model.fit(inputs, rng.normal(size=(16, 1)), epochs=1, verbose=0)
    model.save(tmp_path / "cells.keras")
    loaded = gradwise.models.load_model(tmp_path / "cells.keras")
    np.testing.assert_array_equal(loaded.predict(inputs, verbose=0), model.predict(inputs, verbose=0))
    restored = layers.deserialize(layers.serialize(layers.RNN(ElmanCell(5, name="mine"), go_backwards=True)))
    assert type(restored.cell) is ElmanCell and restored.cell.units == 5 and restored.cell.name == "mine"
    assert restored.go_backwards


def test_stateful_carries_the_states_of_the_previous_call(rng):
    layer = built(layers.RNN(ElmanCell(3), stateful=True), (4, 2))
    whole = built(layers.RNN(ElmanCell(3)), (8, 2))
    whole.set_weights(layer.get_weights())
    inputs = rng.normal(size=(2, 8, 2))
    layer.forward(inputs[:, :4])
    np.testing.assert_allclose(layer.forward(inputs[:, 4:])[0], whole.forward(inputs)[0], atol=1e-12)
    layer.reset_states()
    assert layer.states is None
    np.testing.assert_allclose(layer.forward(inputs[:, :4])[0], whole.forward(inputs[:, :4])[0], atol=1e-12)


class _StartsAtOnesCell(ElmanCell):
    def get_initial_state(self, batch_size):
        return [np.ones((batch_size, self.units))]


def test_a_cell_chooses_its_initial_state(rng):
    layer = built(layers.RNN(_StartsAtOnesCell(3), return_sequences=True), (5, 2))
    inputs = rng.normal(size=(2, 5, 2))
    kernel, recurrent, bias = layer.get_weights()
    first = np.tanh(inputs[:, 0] @ kernel + np.ones((2, 3)) @ recurrent + bias)
    np.testing.assert_allclose(layer.forward(inputs)[0][:, 0], first, atol=1e-12)
    check_gradients(layer, inputs)


def test_a_cell_without_backward_predicts_and_training_it_names_what_to_write(rng):
    model = _model(ForwardOnlyCell(3))
    model.compile(optimizer="sgd", loss="mse")
    assert model.predict(rng.normal(size=(4, 6, 2)), verbose=0).shape == (4, 1)
    with pytest.raises(TypeError, match=r"the cell ForwardOnlyCell has no backward, so it cannot be trained .*"
                                        r"define backward\(self, grad_output, grad_new_states, cache\) returning "
                                        r"\(grad_inputs, grad_states\)"):
        model.fit(rng.normal(size=(4, 6, 2)), rng.normal(size=(4, 1)), epochs=1, verbose=0)


class _HiddenArgumentCell(ElmanCell):
    def __init__(self, width, **kwargs):
        super().__init__(width, **kwargs)  # `width` is kept as `units`: no attribute of its name


class _WrongOutputCell(ElmanCell):
    def call(self, inputs, states):
        output, new_states = super().call(inputs, states)
        return output[:, :1], new_states


def test_wrong_cells_are_named(rng):
    with pytest.raises(TypeError, match=r"its __init__ argument `width` is not kept .* define "
                                        r"_HiddenArgumentCell.get_config\(\) returning \{'width'"):
        layers.serialize(layers.RNN(_HiddenArgumentCell(3)))
    with pytest.raises(ValueError, match=r"the cell _WrongOutputCell's output must have shape\(s\) \(3, 4\) \(its "
                                         r"output_size, else its first state_size\), got \(3, 1\)"):
        layers.RNN(_WrongOutputCell(4))(rng.normal(size=(3, 5, 2)))
    bad = ElmanCell(3)
    bad.state_size = [3, 0]
    with pytest.raises(ValueError, match=r"ElmanCell's `state_size` must be a positive int or a list of positive "
                                         r"ints per state, got 0"):
        layers.RNN(bad)
    stepless = gradwise.layers.Layer()
    stepless.state_size = 3
    with pytest.raises(TypeError, match=r"the cell Layer has no step: define call\(self, inputs, states\) returning "
                                        r"\(output, new_states\), or forward"):
        layers.RNN(stepless)
    with pytest.raises(TypeError, match=r"`cell` must be a SimpleRNNCell, LSTMCell or GRUCell, a cell of one's own"):
        layers.RNN(layers.Dense(3))
    with pytest.raises(ValueError, match=r"`mask` must have shape \(batch, steps\) = \(3, 5\)"):
        layers.RNN(ElmanCell(3))(rng.normal(size=(3, 5, 2)), mask=np.ones((3, 4), dtype=bool))
