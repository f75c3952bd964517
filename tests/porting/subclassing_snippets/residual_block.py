"""A residual block class (a Layer subclass composing Dense, BatchNormalization and Add), used
twice by a model subclass: the guides' ResNet-style blocks, in Dense form.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


class ResidualBlock(layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = layers.Dense(units, activation="relu")
        self.dense_2 = layers.Dense(units)
        self.norm = layers.BatchNormalization()
        self.add = layers.Add()
        self.relu = layers.ReLU()

    def call(self, inputs, training=False):
        x = self.dense_1(inputs)
        x = self.norm(self.dense_2(x), training=training)
        return self.relu(self.add([inputs, x]))


class ResidualClassifier(keras.Model):
    def __init__(self, units=32, num_classes=3, **kwargs):
        super().__init__(**kwargs)
        self.stem = layers.Dense(units, activation="relu")
        self.blocks = [ResidualBlock(units), ResidualBlock(units)]
        self.head = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = self.stem(inputs)
        for block in self.blocks:
            x = block(x, training=training)
        return self.head(x)


rng = np.random.default_rng(1)  # corpus: synthetic blobs, three classes
centers = rng.normal(scale=3.0, size=(3, 8))  # corpus:
y_train = rng.integers(0, 3, size=600)  # corpus:
x_train = (centers[y_train] + rng.normal(size=(600, 8))).astype("float32")  # corpus:

model = ResidualClassifier()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=5, batch_size=32, verbose=0)
model.summary()
predictions = model.predict(x_train[:10])  # corpus:
