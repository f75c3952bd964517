"""LayerNormalization as the Keras documentation shows it, then in the MNIST MLP example
(Dense layers each followed by LayerNormalization).

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

# The LayerNormalization documentation: each sample normalized over axis 1
data = np.arange(10).reshape(5, 2) * 10
layer = layers.LayerNormalization(axis=1)
output = layer(data)
print(output)

num_classes = 10
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:1000], y_test[:1000]  # corpus: smaller run
x_train = x_train.reshape(-1, 784).astype("float32") / 255
x_test = x_test.reshape(-1, 784).astype("float32") / 255
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(256, activation="relu"),
        layers.LayerNormalization(epsilon=1e-6),
        layers.Dense(256, activation="relu"),
        layers.LayerNormalization(epsilon=1e-6),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()

model.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=128, epochs=3, validation_split=0.1, verbose=0)  # corpus: 3 epochs
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
predicted_digits = np.argmax(model.predict(x_test[:20], verbose=0), axis=1)
