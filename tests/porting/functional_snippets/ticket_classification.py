"""The functional-API guide's multi-input, multi-output model: issue tickets ranked by priority and routed to a
department, from their title, body and tags; losses, loss weights and data given as dicts keyed by name.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers

num_tags = 12  # Number of unique issue tags
num_words = 200  # corpus: 10000, size of the bag-of-words vocabulary
num_departments = 4  # Number of departments for predictions

title_input = keras.Input(shape=(num_words,), name="title")  # corpus: bag of words, shape=(None,) of word ids
body_input = keras.Input(shape=(num_words,), name="body")  # corpus: bag of words, shape=(None,) of word ids
tags_input = keras.Input(shape=(num_tags,), name="tags")  # Binary vectors of size `num_tags`

title_features = layers.Dense(64, activation="relu")(title_input)  # corpus: Embedding(num_words, 64)
body_features = layers.Dense(64, activation="relu")(body_input)  # corpus: Embedding(num_words, 64)
title_features = layers.Dense(128, activation="relu")(title_features)  # corpus: LSTM(128)
body_features = layers.Dense(32, activation="relu")(body_features)  # corpus: LSTM(32)

# Merge all available features into a single large vector via concatenation
x = layers.concatenate([title_features, body_features, tags_input])

# Stick a logistic regression for priority prediction on top of the features
priority_pred = layers.Dense(1, name="priority")(x)
# Stick a department classifier on top of the features
department_pred = layers.Dense(num_departments, name="department")(x)

# Instantiate an end-to-end model predicting both priority and department
model = keras.Model(
    inputs=[title_input, body_input, tags_input],
    outputs={"priority": priority_pred, "department": department_pred},
)
model.summary()

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "priority": keras.losses.BinaryCrossentropy(from_logits=True),
        "department": keras.losses.CategoricalCrossentropy(from_logits=True),
    },
    loss_weights={"priority": 1.0, "department": 0.2},
)

# Dummy input data
title_data = np.random.randint(2, size=(128, num_words)).astype("float32")  # corpus: (1280, 10) word ids
body_data = np.random.randint(2, size=(128, num_words)).astype("float32")  # corpus: (1280, 100) word ids
tags_data = np.random.randint(2, size=(128, num_tags)).astype("float32")

# Dummy target data
priority_targets = np.random.random(size=(128, 1))  # corpus: 1280 samples
dept_targets = np.random.randint(2, size=(128, num_departments))  # corpus: 1280 samples

history = model.fit(
    {"title": title_data, "body": body_data, "tags": tags_data},
    {"priority": priority_targets, "department": dept_targets},
    epochs=2,
    batch_size=32,
)
predictions = model.predict({"title": title_data[:5], "body": body_data[:5], "tags": tags_data[:5]})  # corpus:
