"""Understanding masking & padding (the Keras guide): pad_sequences, an Embedding with
mask_zero=True feeding an LSTM; the guide stops at the model, the corpus trains and predicts.

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

raw_inputs = [
    [711, 632, 71],
    [73, 8, 3215, 55, 927],
    [83, 91, 1, 645, 1253, 927],
]

# By default, this will pad using 0s; it is configurable via the
# "value" parameter.
# Note that you could use "pre" padding (at the beginning) or
# "post" padding (at the end).
# We recommend using "post" padding when working with RNN layers
# (in order to be able to use the
# CuDNN implementation of the layers).
padded_inputs = keras.utils.pad_sequences(raw_inputs, padding="post")
print(padded_inputs)

model = keras.Sequential(
    [
        layers.Embedding(input_dim=5000, output_dim=16, mask_zero=True),
        layers.LSTM(32),
    ]
)

labels = np.random.default_rng(0).normal(size=(3, 32))  # corpus: random targets for the 32 outputs
model.compile(optimizer="adam", loss="mse")  # corpus
history = model.fit(padded_inputs, labels, epochs=20, verbose=0)  # corpus
outputs = model.predict(padded_inputs)  # corpus
