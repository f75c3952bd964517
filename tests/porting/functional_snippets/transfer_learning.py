"""The transfer-learning guide's workflow: a frozen base model called as a layer under a new head, trained,
then unfrozen and fine-tuned with a low learning rate after compiling again.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

rng = np.random.default_rng(0)  # corpus: a small base model pretrained here instead of Xception on ImageNet
base_input = keras.Input(shape=(20,))  # corpus:
base_output = layers.Dense(16, activation="relu", name="base_dense")(base_input)  # corpus:
base_model = keras.Model(base_input, base_output, name="base")  # corpus:
x_train = rng.normal(size=(256, 20)).astype("float32")  # corpus:
y_train = (x_train[:, 0] + x_train[:, 1] > 0).astype("float32")  # corpus:

base_model.trainable = False

inputs = keras.Input(shape=(20,))  # corpus: shape=(150, 150, 3)
x = base_model(inputs, training=False)
x = layers.Dropout(0.2)(x)  # Regularize with dropout
outputs = layers.Dense(1)(x)
model = keras.Model(inputs, outputs)

model.summary(show_trainable=True)
frozen_before = base_model.get_weights()[0].copy()  # corpus: checked by the test

model.compile(
    optimizer=keras.optimizers.Adam(),
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy()],
)
epochs = 5  # corpus: 20
model.fit(x_train, y_train, epochs=epochs, validation_split=0.2, verbose=0)  # corpus: train_ds, validation_data
frozen_after = base_model.get_weights()[0].copy()  # corpus:

# Unfreeze the base_model. Note that it keeps running in inference mode
# since we passed `training=False` when calling it.
base_model.trainable = True
model.summary(show_trainable=True)

model.compile(
    optimizer=keras.optimizers.Adam(1e-5),  # Low learning rate
    loss=keras.losses.BinaryCrossentropy(from_logits=True),
    metrics=[keras.metrics.BinaryAccuracy()],
)

epochs = 2  # corpus: 1
history = model.fit(x_train, y_train, epochs=epochs, validation_split=0.2, verbose=0)  # corpus:
predictions = model.predict(x_train[:6])  # corpus:
