"""The Keras FAQ's "How can I obtain the output of an intermediate layer?": a model from the inputs to one
named layer's output, built with ``get_layer``; it shares the trained layers of the original model.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

inputs = keras.Input(shape=(8,))  # corpus: the original model, a small classifier
hidden = layers.Dense(32, activation="relu", name="my_layer")(inputs)  # corpus:
model = keras.Model(inputs, layers.Dense(3, activation="softmax")(hidden))  # corpus:
rng = np.random.default_rng(0)  # corpus: synthetic data
data = rng.normal(size=(192, 8)).astype("float32")  # corpus:
labels = np.argmax(data[:, :3], axis=1)  # corpus:
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # corpus:
history = model.fit(data, labels, epochs=10, batch_size=32, verbose=0)  # corpus:

layer_name = 'my_layer'
intermediate_layer_model = keras.Model(inputs=model.input,
                                       outputs=model.get_layer(layer_name).output)
intermediate_output = intermediate_layer_model(data)
