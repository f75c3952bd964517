"""RNN(cell) with nested steps, as the Keras guide's NestedCell: two input sequences of different
shapes, two outputs, two states of different shapes (the guide's TensorFlow calls written in NumPy).
Finite differences through time w.r.t. both inputs and both weights, a functional model trained on
lists of inputs and targets, saving."""

import numpy as np
import pytest

import gradwise
from gradwise import layers

from .gradient_check import TOLERANCE, built, numeric_gradient, relative_error


class NestedCell(gradwise.Layer):
    def __init__(self, unit_1, unit_2, unit_3, **kwargs):
        self.unit_1 = unit_1
        self.unit_2 = unit_2
        self.unit_3 = unit_3
        self.state_size = [unit_1, [unit_2, unit_3]]
        self.output_size = [unit_1, [unit_2, unit_3]]
        super().__init__(**kwargs)

    def build(self, input_shapes):
        # expect input_shape to contain 2 items, [(batch, i1), (batch, i2, i3)]
        i1 = input_shapes[0][1]
        i2 = input_shapes[1][1]
        i3 = input_shapes[1][2]
        self.kernel_1 = self.add_weight(shape=(i1, self.unit_1), initializer="uniform", name="kernel_1")
        self.kernel_2_3 = self.add_weight(shape=(i2, i3, self.unit_2, self.unit_3), initializer="uniform",
                                          name="kernel_2_3")

    def call(self, inputs, states):
        input_1, input_2 = inputs
        s1, s2 = states
        output_1 = np.matmul(input_1, self.kernel_1)
        output_2_3 = np.einsum("bij,ijkl->bkl", input_2, self.kernel_2_3)
        state_1 = s1 + output_1
        state_2_3 = s2 + output_2_3
        return (output_1, output_2_3), (state_1, state_2_3)

    # o1 = x1 K1, o23 = x2 . K23, s' = s + o  =>  do = d output + d s' (each part), ds = ds'
    def backward(self, grad_output, grad_new_states, cache):
        input_1, input_2 = cache.inputs
        grad_1 = grad_output[0] + grad_new_states[0]
        grad_2_3 = grad_output[1] + grad_new_states[1]
        self.grads["kernel_1"] += input_1.T @ grad_1
        self.grads["kernel_2_3"] += np.einsum("bij,bkl->ijkl", input_2, grad_2_3)
        grad_inputs = [grad_1 @ self.kernel_1.T, np.einsum("bkl,ijkl->bij", grad_2_3, self.kernel_2_3)]
        return grad_inputs, list(grad_new_states)


MASK = np.array([[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 1]], dtype=bool)


@pytest.mark.parametrize("options", [{}, {"return_sequences": True, "go_backwards": True}, {"return_state": True}])
@pytest.mark.parametrize("masked", [False, True])
def test_finite_differences_through_nested_steps(options, masked, rng):
    layer = layers.RNN(NestedCell(2, 3, 2), **options)
    layer.multi_input = True
    built(layer, [(4, 3), (4, 2, 2)])
    inputs = [rng.normal(size=(3, 4, 3)), rng.normal(size=(3, 4, 2, 2))]
    call = {"mask": MASK} if masked else {}
    outputs, cache = layer.forward(inputs, **call)
    assert [output.shape for output in outputs][:2] == ([(3, 4, 2), (3, 4, 3, 2)] if options.get("return_sequences")
                                                        else [(3, 2), (3, 3, 2)])
    upstream = [rng.normal(size=output.shape) for output in outputs]

    def scalar():
        return float(sum(np.sum(output * grad) for output, grad in zip(layer.forward(inputs, **call)[0], upstream)))

    for grad in layer.grads.values():
        grad[...] = np.nan
    grad_inputs = layer.backward(upstream, cache)
    for grad, sequence in zip(grad_inputs, inputs):
        assert relative_error(grad, numeric_gradient(scalar, sequence)) < TOLERANCE
    for key in ("cell/kernel_1", "cell/kernel_2_3"):
        assert relative_error(layer.grads[key].copy(), numeric_gradient(scalar, layer.params[key])) < TOLERANCE


def test_the_guides_nested_model_trains_predicts_and_saves(tmp_path, rng):
    unit_1, unit_2, unit_3, i1, i2, i3 = 4, 3, 2, 5, 3, 2
    cell = NestedCell(unit_1, unit_2, unit_3)
    rnn = layers.RNN(cell)
    input_1 = gradwise.Input((None, i1))
    input_2 = gradwise.Input((None, i2, i3))
    outputs = rnn((input_1, input_2))
    # the guide's list of outputs, keyed: gradwise names a model's outputs after their layer, both 'rnn'
    model = gradwise.Model([input_1, input_2], {"output_1": outputs[0], "output_2_3": outputs[1]}, seed=0)
    model.compile(optimizer="adam", loss="mse")
    input_data = [rng.random((64, 6, i1)), rng.random((64, 6, i2, i3))]
    target_data = {"output_1": rng.random((64, unit_1)), "output_2_3": rng.random((64, unit_2, unit_3))}
    history = model.fit(input_data, target_data, batch_size=16, epochs=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    predicted = model.predict(input_data, verbose=0)
    predicted = [predicted[name] for name in ("output_1", "output_2_3")] if isinstance(predicted, dict) else predicted
    assert [array.shape for array in predicted] == [(64, unit_1), (64, unit_2, unit_3)]
    model.save(tmp_path / "nested.gw")
    loaded = gradwise.models.load_model(tmp_path / "nested.gw")
    again = loaded.predict(input_data, verbose=0)
    again = [again[name] for name in ("output_1", "output_2_3")] if isinstance(again, dict) else again
    for again, first in zip(again, predicted):
        np.testing.assert_array_equal(again, first)
    eager = layers.RNN(NestedCell(2, 2, 2))([np.ones((2, 3, 1)), np.ones((2, 3, 1, 1))])
    assert [array.shape for array in eager] == [(2, 2), (2, 2, 2)]
