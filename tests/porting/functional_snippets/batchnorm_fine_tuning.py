"""The transfer-learning guide's rule for BatchNormalization: a base model called with training=False
keeps its BatchNormalization layers in inference mode, even after it is unfrozen for fine-tuning, so
their moving statistics are not updated by fit.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

rng = np.random.default_rng(0)  # corpus: a small base model instead of Xception on ImageNet
x_train = rng.normal(loc=2.0, size=(256, 12)).astype("float32")  # corpus:
y_train = (x_train[:, 0] > 2.0).astype("float32")  # corpus:
base_model = keras.Sequential([keras.Input(shape=(12,)), layers.Dense(16, activation="relu"),  # corpus:
                               layers.BatchNormalization(name="base_norm")], name="base")  # corpus:
moving_mean_before = base_model.get_layer("base_norm").get_weights()[2].copy()  # corpus: checked by the test

base_model.trainable = False
inputs = keras.Input(shape=(12,))
x = base_model(inputs, training=False)
x = layers.Dropout(0.2)(x)
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy()])
model.fit(x_train, y_train, epochs=3, verbose=0)  # corpus: train_ds, epochs=20

base_model.trainable = True
model.compile(optimizer=keras.optimizers.Adam(1e-5), loss=keras.losses.BinaryCrossentropy(from_logits=True),
              metrics=[keras.metrics.BinaryAccuracy()])
history = model.fit(x_train, y_train, epochs=2, verbose=0)  # corpus: train_ds, epochs=10
moving_mean_after = base_model.get_layer("base_norm").get_weights()[2].copy()  # corpus:
