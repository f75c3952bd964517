"""Parallel convolution branches concatenated along the channels (an Inception-style block, as the guide's
"models with multiple branches" describe them), with a 1x1 bottleneck.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


def inception_block(x, filters):
    branch_1 = layers.Conv2D(filters, 1, activation="relu", padding="same")(x)
    branch_3 = layers.Conv2D(filters, 1, activation="relu", padding="same")(x)
    branch_3 = layers.Conv2D(filters, 3, activation="relu", padding="same")(branch_3)
    branch_5 = layers.Conv2D(filters, 5, activation="relu", padding="same")(x)
    return layers.concatenate([branch_1, branch_3, branch_5], axis=-1)


inputs = keras.Input(shape=(12, 12, 3))
x = inception_block(inputs, 4)
x = layers.MaxPooling2D(2)(x)
x = inception_block(x, 8)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs, outputs, name="mini_inception")
model.summary()

rng = np.random.default_rng(0)  # corpus: synthetic images, the class is which half is brighter
images = rng.uniform(size=(64, 12, 12, 3)).astype("float32")  # corpus:
labels = (images[:, :6].mean(axis=(1, 2, 3)) > images[:, 6:].mean(axis=(1, 2, 3))).astype(int)  # corpus:
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(images, labels, epochs=2, batch_size=16, verbose=0)  # corpus:
predictions = model.predict(images[:4])  # corpus:
