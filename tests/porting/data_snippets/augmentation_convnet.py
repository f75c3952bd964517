"""Image augmentation layers inside a Sequential convnet, as the Keras data augmentation guide
puts them first in the model (the guide's flowers photos replaced by an MNIST slice).

Keras imports, replaced below:
    import numpy as np
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, y_train, x_test, y_test = x_train[:1000], y_train[:1000], x_test[:300], y_test[:300]  # corpus: smaller run
x_train = np.expand_dims(x_train, -1).astype("float32")
x_test = np.expand_dims(x_test, -1).astype("float32")

num_classes = 10
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Rescaling(1.0 / 255),
    layers.RandomRotation(0.05),
    layers.RandomZoom(0.1),
    layers.RandomContrast(0.2, value_range=(0, 1)),
    layers.Conv2D(8, 3, activation="relu"),
    layers.MaxPooling2D(),
    layers.Flatten(),
    layers.Dense(32, activation="relu"),
    layers.Dense(num_classes, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()
history = model.fit(x_train, y_train, batch_size=64, epochs=3, validation_split=0.1, verbose=0)  # corpus: 3 epochs
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
predictions = model.predict(x_test[:10], verbose=0)
# inference is the identity: the same images give the same predictions every time
predictions_again = model.predict(x_test[:10], verbose=0)
