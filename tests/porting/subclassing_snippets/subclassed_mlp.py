"""A model subclass as the Keras guides write one: layers created in __init__, the forward pass
in call, then compile, fit, evaluate and predict.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


class MLP(keras.Model):
    def __init__(self, num_classes=10, **kwargs):
        super().__init__(**kwargs)
        self.dense_1 = layers.Dense(64, activation="relu")
        self.dense_2 = layers.Dense(64, activation="relu")
        self.classifier = layers.Dense(num_classes)

    def call(self, inputs):
        x = self.dense_1(inputs)
        x = self.dense_2(x)
        return self.classifier(x)


rng = np.random.default_rng(0)  # corpus: a small synthetic stand-in for MNIST (the class is the argmax of 10 pixels)
x_train = rng.normal(size=(600, 784)).astype("float32")  # corpus:
y_train = x_train[:, :10].argmax(axis=1)  # corpus:
x_test, y_test = x_train[:100], y_train[:100]  # corpus:

model = MLP(name="mlp")
model.compile(
    optimizer=keras.optimizers.RMSprop(),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=3, validation_split=0.2)  # corpus: epochs=2
model.summary()
test_scores = model.evaluate(x_test, y_test, verbose=2)
predictions = model.predict(x_test)
