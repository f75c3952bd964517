"""A subclassed model with two inputs and two outputs (the functional guide's ticket model written as a
subclass): call takes a dict of inputs and returns a dict of outputs, trained with a loss per output.

Keras imports, replaced below:
    import keras
    from keras import layers
"""
import numpy as np
import gradwise as keras
from gradwise import layers


class TicketModel(keras.Model):
    def __init__(self, num_departments=4, **kwargs):
        super().__init__(**kwargs)
        self.title_features = layers.Dense(16, activation="relu")
        self.body_features = layers.Dense(16, activation="relu")
        self.concat = layers.Concatenate()
        self.priority = layers.Dense(1, activation="sigmoid")
        self.department = layers.Dense(num_departments, activation="softmax")

    def call(self, inputs):
        x = self.concat([self.title_features(inputs["title"]), self.body_features(inputs["body"])])
        return {"priority": self.priority(x), "department": self.department(x)}


model = TicketModel()
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={"priority": keras.losses.BinaryCrossentropy(), "department": keras.losses.CategoricalCrossentropy()},
    loss_weights={"priority": 1.0, "department": 0.2},
)

rng = np.random.default_rng(0)  # corpus: dummy data, as the guide's
title_data = rng.random(size=(256, 10))  # corpus: vectorized titles
body_data = rng.random(size=(256, 20))  # corpus: vectorized bodies
priority_targets = (title_data[:, 0] > 0.5).astype("float32").reshape(-1, 1)  # corpus: learnable
department_targets = np.eye(4)[(body_data[:, 0] * 4).astype(int)]  # corpus: learnable

history = model.fit(
    {"title": title_data, "body": body_data},
    {"priority": priority_targets, "department": department_targets},
    epochs=5,  # corpus: 2
    batch_size=32,
    verbose=0,  # corpus:
)
predictions = model.predict({"title": title_data[:5], "body": body_data[:5]})
