"""Transfer learning with subclassed models: a feature extractor model is trained, frozen with
`trainable = False` and reused as a layer by a second model (beside a Sequential head), which is
then trained on top of it.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


class FeatureExtractor(keras.Model):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.hidden = layers.Dense(units, activation="relu")
        self.features = layers.Dense(units, activation="relu")
        self.out = layers.Dense(1)

    def call(self, inputs, training=False):
        return self.out(self.features(self.hidden(inputs)))

    def extract(self, inputs):
        return self.features(self.hidden(inputs))


class Classifier(keras.Model):
    def __init__(self, extractor, num_classes=4, **kwargs):
        super().__init__(**kwargs)
        self.extractor = extractor
        self.head = keras.Sequential([layers.Dense(16, activation="relu"), layers.Dense(num_classes,
                                                                                         activation="softmax")])

    def call(self, inputs, training=False):
        return self.head(self.extractor.extract(inputs))


rng = np.random.default_rng(4)  # corpus: synthetic data: a regression target and 4 classes from the same inputs
x_train = rng.normal(size=(800, 10)).astype("float32")  # corpus:
y_value = x_train[:, :1] + 2 * x_train[:, 1:2]  # corpus:
y_class = np.digitize(y_value[:, 0], [-1.5, 0.0, 1.5])  # corpus:

extractor = FeatureExtractor()
extractor.compile(optimizer="adam", loss="mse")
extractor.fit(x_train, y_value, epochs=10, batch_size=32, verbose=0)
frozen_weights = [w.copy() for w in extractor.get_weights()]

extractor.trainable = False
model = Classifier(extractor)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_class, epochs=10, batch_size=32, verbose=0)
unchanged = all(np.array_equal(a, b) for a, b in zip(frozen_weights, extractor.get_weights()))
predictions = model.predict(x_train[:10])  # corpus:
