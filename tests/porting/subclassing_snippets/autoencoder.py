"""The subclassing guide's end-to-end example, without its sampling and KL loss: an Encoder and a
Decoder layer class composed by a Model subclass, trained to reconstruct its inputs; then the
trained encoder reused as a layer inside a classifier model.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


class Encoder(layers.Layer):
    """Maps MNIST digits to a code."""

    def __init__(self, latent_dim=32, intermediate_dim=64, name="encoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_code = layers.Dense(latent_dim)

    def call(self, inputs):
        x = self.dense_proj(inputs)
        return self.dense_code(x)


class Decoder(layers.Layer):
    """Converts a code back into a readable digit."""

    def __init__(self, original_dim, intermediate_dim=64, name="decoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        x = self.dense_proj(inputs)
        return self.dense_output(x)


class AutoEncoder(keras.Model):
    """Combines the encoder and decoder into an end-to-end model for training."""

    def __init__(self, original_dim, intermediate_dim=64, latent_dim=32, name="autoencoder", **kwargs):
        super().__init__(name=name, **kwargs)
        self.original_dim = original_dim
        self.encoder = Encoder(latent_dim=latent_dim, intermediate_dim=intermediate_dim)
        self.decoder = Decoder(original_dim, intermediate_dim=intermediate_dim)

    def call(self, inputs):
        code = self.encoder(inputs)
        return self.decoder(code)


class CodeClassifier(keras.Model):  # corpus: the trained encoder reused as a layer
    def __init__(self, encoder, num_classes=10):  # corpus:
        super().__init__()  # corpus:
        self.encoder = encoder  # corpus:
        self.classifier = layers.Dense(num_classes, activation="softmax")  # corpus:

    def call(self, inputs):  # corpus:
        return self.classifier(self.encoder(inputs))  # corpus:


rng = np.random.default_rng(3)  # corpus: synthetic "digits": 10 prototypes with noise, in [0, 1]
prototypes = rng.random(size=(10, 784))  # corpus:
labels = rng.integers(0, 10, size=400)  # corpus:
x_train = np.clip(prototypes[labels] + rng.normal(scale=0.1, size=(400, 784)), 0, 1).astype("float32")  # corpus:

original_dim = 784
ae = AutoEncoder(original_dim, 64, 32)

optimizer = keras.optimizers.Adam(learning_rate=1e-3)
ae.compile(optimizer, loss=keras.losses.MeanSquaredError())

history = ae.fit(x_train, x_train, epochs=2, batch_size=64)
reconstructions = ae.predict(x_train[:16])  # corpus:

classifier = CodeClassifier(ae.encoder)  # corpus:
classifier.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])  # corpus:
class_history = classifier.fit(x_train, labels, epochs=5, batch_size=32, verbose=0)  # corpus:
class_predictions = classifier.predict(x_train[:16])  # corpus:
