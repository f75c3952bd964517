"""Working with RNNs (the Keras guide), "RNN layers and RNN cells" and its MNIST example: each
image read as a sequence of 28 rows of any length (input_shape=(None, input_dim)), by an LSTM
or the same LSTM written as RNN(LSTMCell(units)), then BatchNormalization and Dense; the guide
trains one epoch on all of MNIST, the corpus on a slice and a few more epochs.

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

batch_size = 64
# Each MNIST image batch is a tensor of shape (batch_size, 28, 28).
# Each input sequence will be of size (28, 28) (height is treated like time).
input_dim = 28

units = 64
output_size = 10  # labels are from 0 to 9


# Build the RNN model
def build_model(allow_cudnn_kernel=True):
    # CuDNN is only available at the layer level, and not at the cell level.
    # This means `LSTM(units)` will use the CuDNN kernel,
    # while RNN(LSTMCell(units)) will run on non-CuDNN kernel.
    if allow_cudnn_kernel:
        # The LSTM layer with default options uses CuDNN.
        lstm_layer = keras.layers.LSTM(units, input_shape=(None, input_dim))
    else:
        # Wrapping a LSTMCell in a RNN layer will not use CuDNN.
        lstm_layer = keras.layers.RNN(
            keras.layers.LSTMCell(units), input_shape=(None, input_dim)
        )
    model = keras.models.Sequential(
        [
            lstm_layer,
            keras.layers.BatchNormalization(),
            keras.layers.Dense(output_size),
        ]
    )
    return model


mnist = keras.datasets.mnist

(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train, x_test = x_train / 255.0, x_test / 255.0
sample, sample_label = x_train[0], y_train[0]
x_train, y_train, x_test, y_test = x_train[:1000], y_train[:1000], x_test[:200], y_test[:200]  # corpus: smaller run

model = build_model(allow_cudnn_kernel=True)

model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer="sgd",
    metrics=["accuracy"],
)

model.fit(
    x_train, y_train, validation_data=(x_test, y_test), batch_size=batch_size, epochs=1, verbose=0  # corpus: quiet
)

noncudnn_model = build_model(allow_cudnn_kernel=False)
noncudnn_model.set_weights(model.get_weights())
same = np.array_equal(noncudnn_model.predict(x_test[:5], verbose=0), model.predict(x_test[:5], verbose=0))  # corpus:
noncudnn_model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer="sgd",
    metrics=["accuracy"],
)
history = noncudnn_model.fit(  # corpus: the history kept
    x_train, y_train, validation_data=(x_test, y_test), batch_size=batch_size, epochs=3, verbose=0  # corpus: 3 epochs, quiet
)

result = np.argmax(model.predict(np.expand_dims(sample, 0)), axis=1)  # corpus: NumPy's argmax for tf.argmax
print(
    "Predicted result is: %s, target result is: %s" % (result[0], sample_label)
)
