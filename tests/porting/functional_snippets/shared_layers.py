"""Shared layers, as the functional-API guide describes them: one Dense encoder applied to two
halves of the input, the two codes compared by a cosine Dot and concatenated for the classifier.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

inputs = keras.Input(shape=(16,), name="pair")
encoder = layers.Dense(8, activation="tanh", name="shared_encoder")  # one layer, called twice
code_a = encoder(layers.Dense(8, name="view_a")(inputs))
code_b = encoder(layers.Dense(8, name="view_b")(inputs))
similarity = layers.Dot(axes=1, normalize=True)([code_a, code_b])
merged = layers.Concatenate()([code_a, code_b, similarity])
outputs = layers.Dense(1, activation="sigmoid")(merged)
model = keras.Model(inputs=inputs, outputs=outputs)
model.summary()

rng = np.random.default_rng(1)  # corpus: synthetic pairs, labelled by whether the halves agree in sign
x = rng.normal(size=(512, 16)).astype("float32")  # corpus:
y = (np.sign(x[:, :8]).sum(axis=1) * np.sign(x[:, 8:]).sum(axis=1) > 0).astype("float32")  # corpus:

model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, epochs=20, batch_size=32, verbose=0)
predictions = model.predict(x[:10])  # corpus:
