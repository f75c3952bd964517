"""A model subclass whose call passes `training` to Dropout, as the guides' "privileged training
argument" section explains; it checkpoints its weights and reloads them into a new instance.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


class CustomDropoutModel(keras.Model):
    def __init__(self, rate=0.5, **kwargs):
        super().__init__(**kwargs)
        self.dense = layers.Dense(64, activation="relu")
        self.dropout = layers.Dropout(rate)
        self.out = layers.Dense(1, activation="sigmoid")

    def call(self, inputs, training=None):
        x = self.dense(inputs)
        x = self.dropout(x, training=training)
        return self.out(x)


rng = np.random.default_rng(2)  # corpus: synthetic binary labels
x_train = rng.normal(size=(512, 20)).astype("float32")  # corpus:
y_train = (x_train[:, 0] * x_train[:, 1] + x_train[:, 2] > 0).astype("float32")  # corpus:

model = CustomDropoutModel(rate=0.3)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=20, batch_size=32, validation_split=0.2, verbose=0)
model.save_weights("custom_dropout.weights.gw")  # corpus: .weights.h5

reloaded = CustomDropoutModel(rate=0.3)
reloaded.load_weights("custom_dropout.weights.gw")  # corpus: .weights.h5
inference = model(x_train[:8], training=False)
training_mode = model(x_train[:8], training=True)
predictions = reloaded.predict(x_train[:8])
