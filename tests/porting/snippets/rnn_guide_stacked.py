"""Working with RNNs (the Keras guide): a GRU returning sequences stacked under a SimpleRNN, and
stacked Bidirectional LSTMs; the guide builds and summarizes them, the corpus trains and predicts.

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

model = keras.Sequential()
model.add(layers.Embedding(input_dim=1000, output_dim=64))

# The output of GRU will be a 3D tensor of shape (batch_size, timesteps, 256)
model.add(layers.GRU(256, return_sequences=True))

# The output of SimpleRNN will be a 2D tensor of shape (batch_size, 128)
model.add(layers.SimpleRNN(128))

model.add(layers.Dense(10))

model.summary()

model = keras.Sequential()

model.add(
    layers.Bidirectional(layers.LSTM(64, return_sequences=True), input_shape=(5, 10))
)
model.add(layers.Bidirectional(layers.LSTM(32)))
model.add(layers.Dense(10))

model.summary()

rng = np.random.default_rng(0)  # corpus: random data to train the two models on
gru_model = keras.Sequential([layers.Embedding(input_dim=1000, output_dim=64), layers.GRU(256, return_sequences=True), layers.SimpleRNN(128), layers.Dense(10)])  # corpus: the first model again
tokens = rng.integers(1, 1000, size=(96, 12))  # corpus: random token sequences
token_labels = tokens[:, -1] % 10  # corpus: the class is the last token's last digit
gru_model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")  # corpus
gru_history = gru_model.fit(tokens, token_labels, batch_size=32, epochs=3, verbose=0)  # corpus
gru_predictions = gru_model.predict(tokens[:8])  # corpus
vectors = rng.normal(size=(96, 5, 10))  # corpus: random sequences of 5 vectors
vector_labels = (vectors[:, 0, 0] > 0).astype(int)  # corpus: the class is the first value's sign
model.compile(loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam")  # corpus
history = model.fit(vectors, vector_labels, batch_size=32, epochs=10, verbose=0)  # corpus
predictions = model.predict(vectors[:8])  # corpus
