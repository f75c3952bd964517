"""The RNN guide's encoder states: an LSTM with return_state=True called in a functional model gives its
output and its two states as three tensors, here read by a classifier on the final states.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

encoder_vocab = 1000
encoder_input = layers.Input(shape=(12,))  # corpus: shape=(None,)
encoder_embedded = layers.Embedding(input_dim=encoder_vocab, output_dim=16)(encoder_input)  # corpus: 64

# Return states in addition to output
output, state_h, state_c = layers.LSTM(16, return_state=True, name="encoder")(encoder_embedded)  # corpus: 64
encoder_state = [state_h, state_c]

joined = layers.Concatenate()(encoder_state)  # corpus: a classifier on the states instead of a decoder
outputs = layers.Dense(2, activation="softmax")(joined)  # corpus:
model = keras.Model(encoder_input, outputs)  # corpus:
model.summary()

rng = np.random.default_rng(0)  # corpus: synthetic sequences whose class is whether token 7 appears
x = rng.integers(8, encoder_vocab, size=(256, 12))  # corpus:
y = rng.integers(0, 2, size=256)  # corpus:
x[y == 1, rng.integers(0, 12, size=int(y.sum()))] = 7  # corpus:
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # corpus:
history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)  # corpus:
predictions = model.predict(x[:5])  # corpus:
