"""A Sequential model used as a layer of a functional model (the guide's "mix-and-match" of the APIs), and a
functional model inside a Sequential one.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

units = 32
timesteps = 10
input_dim = 5

encoder = keras.Sequential([layers.Dense(units, activation="relu"), layers.Dense(units // 2, activation="relu")],
                           name="encoder")  # corpus: the guide's CustomRNN layer is a subclassed layer

inputs = keras.Input(shape=(timesteps, input_dim))  # corpus: (None, ...) of variable length
x = layers.Flatten()(inputs)  # corpus:
x = encoder(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.summary()

head_input = keras.Input(shape=(1,))  # corpus: and the other way round: a functional model in a Sequential
head = keras.Model(head_input, layers.Dense(1, activation="sigmoid")(head_input), name="head")  # corpus:
classifier = keras.Sequential([model, head])  # corpus:

rng = np.random.default_rng(0)  # corpus: synthetic sequences
x_data = rng.normal(size=(128, timesteps, input_dim)).astype("float32")  # corpus:
y_data = (x_data[:, :, 0].mean(axis=1) > 0).astype("float32")  # corpus:
classifier.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])  # corpus:
history = classifier.fit(x_data, y_data, epochs=10, batch_size=32, verbose=0)  # corpus:
predictions = classifier.predict(x_data[:4])  # corpus:
