"""Strings straight into a model, as the Keras preprocessing-layers guide's "inference on raw
strings" pattern writes it: Input(shape=(1,), dtype="string") -> StringLookup -> Embedding,
trained and used for prediction on NumPy string and object arrays (the toy data and the
training lines are the corpus's, marked # corpus:).

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

colors = np.array([["red"], ["green"], ["blue"], ["green"], ["red"], ["yellow"]] * 20)  # corpus:
warm = np.array([1, 0, 0, 0, 1, 1] * 20)  # corpus: red and yellow are warm

lookup = layers.StringLookup()
lookup.adapt(colors)

inputs = keras.Input(shape=(1,), dtype="string")
x = lookup(inputs)
x = layers.Embedding(input_dim=lookup.vocabulary_size(), output_dim=4)(x)
x = layers.Flatten()(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(colors, warm, epochs=20, verbose=0)  # corpus:

# New data as Python objects, with a color never seen (the OOV index)
new_colors = np.array([["red"], ["blue"], ["purple"]], dtype=object)  # corpus:
predictions = model.predict(new_colors, verbose=0)
print(predictions)
