"""One input, two heads: a regression head and a classification head, with a loss and metrics per output
given as dicts, evaluated into Keras's per-output names.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

inputs = keras.Input(shape=(10,), name="measurements")
x = layers.Dense(32, activation="relu")(inputs)
x = layers.Dense(32, activation="relu")(x)
age = layers.Dense(1, name="age")(x)
kind = layers.Dense(3, activation="softmax", name="kind")(x)
model = keras.Model(inputs=inputs, outputs=[age, kind])

model.compile(
    optimizer="adam",
    loss={"age": "mse", "kind": "sparse_categorical_crossentropy"},
    loss_weights={"age": 0.5, "kind": 1.0},
    metrics={"age": ["mae"], "kind": ["accuracy"]},
)

rng = np.random.default_rng(0)  # corpus: synthetic measurements
x_data = rng.normal(size=(400, 10)).astype("float32")  # corpus:
age_data = x_data[:, :2].sum(axis=1, keepdims=True)  # corpus:
kind_data = np.argmax(x_data[:, 2:5], axis=1)  # corpus:

history = model.fit(x_data, {"age": age_data, "kind": kind_data}, epochs=15, batch_size=32, verbose=0)  # corpus:
scores = model.evaluate(x_data, {"age": age_data, "kind": kind_data}, return_dict=True)
age_pred, kind_pred = model.predict(x_data[:5])
