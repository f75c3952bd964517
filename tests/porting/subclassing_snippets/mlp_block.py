"""The subclassing guide's MLPBlock: a layer whose call composes other layers, called on ones to
build it, then the first block of a model trained on synthetic data.

Keras imports, replaced below:
    import keras
    from keras import layers
    from keras import ops
"""
import numpy as np
import gradwise as keras
from gradwise import layers
import numpy as ops


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = layers.Dense(32)
        self.linear_2 = layers.Dense(32)
        self.linear_3 = layers.Dense(1)
        self.relu_1 = layers.ReLU()
        self.relu_2 = layers.ReLU()

    def call(self, inputs):
        x = self.linear_1(inputs)
        x = self.relu_1(x)
        x = self.linear_2(x)
        x = self.relu_2(x)
        return self.linear_3(x)


mlp = MLPBlock()
y = mlp(ops.ones(shape=(3, 64)))  # The first call to the `mlp` will create the weights

rng = np.random.default_rng(0)  # corpus: synthetic regression data
x_train = rng.normal(size=(512, 64)).astype("float32")  # corpus:
y_train = x_train[:, :4].sum(axis=1, keepdims=True)  # corpus:


class BlockModel(keras.Model):  # corpus: the block inside a subclassed model
    def __init__(self):  # corpus:
        super().__init__()  # corpus:
        self.block = MLPBlock()  # corpus:

    def call(self, inputs):  # corpus:
        return self.block(inputs)  # corpus:


block_model = BlockModel()  # corpus:
block_model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")  # corpus:
history = block_model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)  # corpus:
predictions = block_model.predict(x_train[:5])  # corpus:
