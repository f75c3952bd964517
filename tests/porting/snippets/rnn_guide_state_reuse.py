"""Working with RNNs (the Keras guide): cross-batch statefulness (a stateful LSTM reading a long
sequence in three paragraphs, then reset_states) and RNN state reuse (another LSTM started from
the first one's states with initial_state=); the corpus then trains a stateful model on
consecutive windows and predicts.

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

paragraph1 = np.random.random((20, 10, 50)).astype(np.float32)
paragraph2 = np.random.random((20, 10, 50)).astype(np.float32)
paragraph3 = np.random.random((20, 10, 50)).astype(np.float32)

lstm_layer = layers.LSTM(64, stateful=True)
output = lstm_layer(paragraph1)
output = lstm_layer(paragraph2)
output = lstm_layer(paragraph3)

# reset_states() will reset the cached state to the original initial_state.
# If no initial_state was provided, zero-states will be used by default.
lstm_layer.reset_states()

paragraph1 = np.random.random((20, 10, 50)).astype(np.float32)
paragraph2 = np.random.random((20, 10, 50)).astype(np.float32)
paragraph3 = np.random.random((20, 10, 50)).astype(np.float32)

lstm_layer = layers.LSTM(64, stateful=True)
output = lstm_layer(paragraph1)
output = lstm_layer(paragraph2)

existing_state = lstm_layer.states

new_lstm_layer = layers.LSTM(64)
new_output = new_lstm_layer(paragraph3, initial_state=existing_state)

# corpus: a stateful model trained on consecutive windows of one long series, then predicting
series = np.sin(np.arange(0, 64 * 8 + 1) * 0.3).astype(np.float32)  # corpus:
windows = series[:-1].reshape(64, 8, 1)  # corpus:
targets = series[8::8].reshape(64, 1)  # corpus: the value after each window
model = keras.Sequential([keras.Input((8, 1)), layers.LSTM(16, stateful=True), layers.Dense(1)])  # corpus:
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")  # corpus:
history = model.fit(windows, targets, batch_size=16, epochs=20, shuffle=False, verbose=0)  # corpus:
model.layers[0].reset_states()  # corpus:
predictions = model.predict(windows[:16], batch_size=16, verbose=0)  # corpus:
