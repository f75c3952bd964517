"""Residual blocks written as a function of a tensor, as the guide's toy ResNet builds them, for a
regression MLP.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


def residual_block(x, units):
    y = layers.Dense(units, activation="relu")(x)
    y = layers.Dense(units)(y)
    return layers.add([x, y])


inputs = keras.Input(shape=(12,), name="features")
x = layers.Dense(32, activation="relu")(inputs)
for _ in range(3):
    x = residual_block(x, 32)
outputs = layers.Dense(1, name="target")(x)
model = keras.Model(inputs, outputs, name="residual_mlp")
model.summary()

rng = np.random.default_rng(0)  # corpus: a synthetic smooth target
x_train = rng.normal(size=(512, 12)).astype("float32")  # corpus:
y_train = np.sin(x_train[:, :1]) + 0.5 * x_train[:, 1:2] ** 2  # corpus:

model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse", metrics=["mae"])
history = model.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.2, verbose=0)  # corpus:
predictions = model.predict(x_train[:6])  # corpus:
