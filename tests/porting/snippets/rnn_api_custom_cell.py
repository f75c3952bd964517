"""The Keras RNN layer's documentation (keras.layers.RNN): a MinimalRNNCell written as a Layer
subclass, used in RNN(cell) and stacked as RNN([cell, cell]); the documentation builds them on
symbolic inputs, the corpus also trains and predicts. gradwise differentiates nothing
automatically, so the cell gains the derivative of its step (`backward`, marked `# corpus:`).

Keras imports, replaced below:
    import keras
    from keras.layers import RNN
    from keras import ops
"""
import numpy as np
import gradwise as keras
from gradwise.layers import RNN
import numpy as ops


# First, let's define a RNN Cell, as a layer subclass.
class MinimalRNNCell(keras.Layer):

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer='uniform',
                                      name='kernel')
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units),
            initializer='uniform',
            name='recurrent_kernel')
        self.built = True

    def call(self, inputs, states):
        prev_output = states[0]
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]

    # corpus: y = x W + y_prev U (the output is the state)  =>  dW += x^T dy, dU += y_prev^T dy
    def backward(self, grad_output, grad_new_states, cache):  # corpus:
        grad = grad_output + grad_new_states[0]  # corpus:
        self.grads["kernel"] += ops.matmul(cache.inputs.T, grad)  # corpus:
        self.grads["recurrent_kernel"] += ops.matmul(cache.states[0].T, grad)  # corpus:
        return ops.matmul(grad, self.kernel.T), [ops.matmul(grad, self.recurrent_kernel.T)]  # corpus:

# Let's use this cell in a RNN layer:

cell = MinimalRNNCell(32)
x = keras.Input((None, 5))
layer = RNN(cell)
y = layer(x)

# Here's how to use the cell to build a stacked RNN:

cells = [MinimalRNNCell(32), MinimalRNNCell(64)]
x = keras.Input((None, 5))
layer = RNN(cells)
y = layer(x)

keras.utils.set_random_seed(0)  # corpus: train the stacked cells on a running mean, seeded
rng = np.random.default_rng(0)  # corpus:
series = rng.normal(size=(256, 10, 5)).astype("float32")  # corpus:
totals = series[:, :, 0].mean(axis=1, keepdims=True)  # corpus:
model = keras.Model(x, keras.layers.Dense(1)(y))  # corpus:
model.compile(optimizer=keras.optimizers.Adam(0.002), loss="mse")  # corpus:
history = model.fit(series, totals, epochs=8, batch_size=32, verbose=0)  # corpus:
predictions = model.predict(series[:8], verbose=0)  # corpus:
