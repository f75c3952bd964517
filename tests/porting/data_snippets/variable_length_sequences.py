"""Sequences of any length, as the Keras guides write a text classifier: an Input of shape
(None,) into an Embedding with mask_zero=True and an LSTM, trained on padded batches of one
length and asked to predict batches of other lengths (the toy data and training lines are the
corpus's, marked # corpus:).

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

rng = np.random.default_rng(0)  # corpus:
raw = [list(rng.integers(1, 50, size=rng.integers(3, 12))) for _ in range(400)]  # corpus:
labels = np.array([int(sequence[-1] > 25) for sequence in raw])  # corpus: the last token decides
padded = keras.utils.pad_sequences(raw, padding="post")

max_features = 50
inputs = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(max_features, 16, mask_zero=True)(inputs)
x = layers.LSTM(16)(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])
history = model.fit(padded, labels, batch_size=32, epochs=15, verbose=0)  # corpus:

short = keras.utils.pad_sequences([[3, 7, 40], [30, 9, 2]], padding="post")
long = keras.utils.pad_sequences([[3] * 20 + [40], [30] * 20 + [2]], padding="post")
predictions_short = model.predict(short, verbose=0)
predictions_long = model.predict(long, verbose=0)
print(predictions_short, predictions_long)
