"""The guide's ticket model compiled with a loss per output given as lists, and fed lists of arrays in the order
of the inputs and outputs.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

num_tags = 12
num_words = 100  # corpus: 10000, bag-of-words vocabulary
num_departments = 4

title_input = keras.Input(shape=(num_words,), name="title")  # corpus: bag of words instead of word ids
body_input = keras.Input(shape=(num_words,), name="body")  # corpus: bag of words instead of word ids
tags_input = keras.Input(shape=(num_tags,), name="tags")
title_features = layers.Dense(16, activation="relu")(title_input)  # corpus: Embedding + LSTM
body_features = layers.Dense(16, activation="relu")(body_input)  # corpus: Embedding + LSTM
x = layers.concatenate([title_features, body_features, tags_input])
priority_pred = layers.Dense(1, name="priority")(x)
department_pred = layers.Dense(num_departments, name="department")(x)
model = keras.Model(inputs=[title_input, body_input, tags_input], outputs=[priority_pred, department_pred])

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.BinaryCrossentropy(from_logits=True),
        keras.losses.CategoricalCrossentropy(from_logits=True),
    ],
    loss_weights=[1.0, 0.2],
)

title_data = np.random.randint(2, size=(96, num_words)).astype("float32")  # corpus: 1280 samples
body_data = np.random.randint(2, size=(96, num_words)).astype("float32")  # corpus:
tags_data = np.random.randint(2, size=(96, num_tags)).astype("float32")  # corpus:
priority_targets = np.random.random(size=(96, 1))  # corpus:
dept_targets = np.eye(num_departments)[np.random.randint(num_departments, size=96)]  # corpus: one-hot rows

history = model.fit([title_data, body_data, tags_data], [priority_targets, dept_targets], epochs=2, batch_size=32)
priority, department = model.predict([title_data[:4], body_data[:4], tags_data[:4]])  # corpus:
