"""Cells of one's own, written as a user would (Keras's cell contract plus the step's backward), for the tests of RNN(cell)."""

import numpy as np

import gradwise


class ElmanCell(gradwise.layers.Layer):
    """h = tanh(x W + h_prev U + b), its weights in SimpleRNN's layout."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="orthogonal",
                                                name="recurrent_kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="random_normal", name="bias")

    def call(self, inputs, states):
        output = np.tanh(inputs @ self.kernel + states[0] @ self.recurrent_kernel + self.bias)
        return output, [output]

    # h = tanh(z), z = x W + h_prev U + b  =>  dz = (1 - h^2) (dh_out + dh_state), dx = dz W^T, dh_prev = dz U^T
    def backward(self, grad_output, grad_new_states, cache):
        grad_z = (1.0 - cache.output**2) * (grad_output + grad_new_states[0])
        self.grads["kernel"] += cache.inputs.T @ grad_z
        self.grads["recurrent_kernel"] += cache.states[0].T @ grad_z
        self.grads["bias"] += grad_z.sum(axis=0)
        return grad_z @ self.kernel.T, [grad_z @ self.recurrent_kernel.T]


class CachingElmanCell(ElmanCell):
    """The same step written with forward and a cache of its own (the pre-activation's derivative)."""

    def forward(self, inputs, states, training=False):
        output = np.tanh(inputs @ self.kernel + states[0] @ self.recurrent_kernel + self.bias)
        return (output, [output]), (inputs, states[0], 1.0 - output**2)

    def backward(self, grad_output, grad_new_states, cache):
        inputs, previous, slope = cache
        grad_z = slope * (grad_output + grad_new_states[0])
        self.grads["kernel"] += inputs.T @ grad_z
        self.grads["recurrent_kernel"] += previous.T @ grad_z
        self.grads["bias"] += grad_z.sum(axis=0)
        return grad_z @ self.kernel.T, [grad_z @ self.recurrent_kernel.T]


class ShiftMemoryCell(gradwise.layers.Layer):
    """Two states of different shapes: h (units,) and a memory (2, units) of the last two h.

    h = tanh(x W + m[0] V),  m' = [h, m[0]],  output = h + m[1] (output_size = units)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = [units, (2, units)]
        self.output_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.memory_kernel = self.add_weight(shape=(self.units, self.units), initializer="orthogonal",
                                             name="memory_kernel")

    def call(self, inputs, states):
        _, memory = states
        hidden = np.tanh(inputs @ self.kernel + memory[:, 0] @ self.memory_kernel)
        return hidden + memory[:, 1], [hidden, np.stack([hidden, memory[:, 0]], axis=1)]

    # dh = dout + dh_state + dm'[0];  dz = (1 - h^2) dh;  dm[0] = dz V^T + dm'[1];  dm[1] = dout
    def backward(self, grad_output, grad_new_states, cache):
        grad_hidden_state, grad_memory_new = grad_new_states
        hidden = cache.new_states[0]
        grad_z = (1.0 - hidden**2) * (grad_output + grad_hidden_state + grad_memory_new[:, 0])
        memory = cache.states[1]
        self.grads["kernel"] += cache.inputs.T @ grad_z
        self.grads["memory_kernel"] += memory[:, 0].T @ grad_z
        grad_memory = np.stack([grad_z @ self.memory_kernel.T + grad_memory_new[:, 1], grad_output], axis=1)
        return grad_z @ self.kernel.T, [np.zeros_like(hidden), grad_memory]


class ForwardOnlyCell(gradwise.layers.Layer):
    """A cell without backward: it predicts, and training it is refused by name."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0]
        return output, [output]
