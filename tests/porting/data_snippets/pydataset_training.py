"""A keras.utils.PyDataset feeding fit, as the Keras 3 API documentation writes it (its CIFAR-10
example reads image files by name; here the batches are MNIST arrays, the lines marked # corpus:).

Keras imports, replaced below:
    import math
    import numpy as np
    import keras
    from keras import layers
"""
import math

import numpy as np
import gradwise as keras
from gradwise import layers


class MNISTPyDataset(keras.utils.PyDataset):

    def __init__(self, x_set, y_set, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x, self.y = x_set, y_set
        self.batch_size = batch_size

    def __len__(self):
        # Return number of batches.
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, idx):
        # Return x, y for batch idx.
        low = idx * self.batch_size
        # Cap upper bound at array length; the last batch may be smaller
        # if the total number of items is not a multiple of batch size.
        high = min(low + self.batch_size, len(self.x))
        batch_x = self.x[low:high].reshape(-1, 784).astype("float32") / 255  # corpus: arrays, not image files
        batch_y = self.y[low:high]
        return batch_x, batch_y


(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, y_train, x_test, y_test = x_train[:3000], y_train[:3000], x_test[:500], y_test[:500]  # corpus: smaller run

train_dataset = MNISTPyDataset(x_train, y_train, batch_size=64, workers=2, max_queue_size=8)
test_dataset = MNISTPyDataset(x_test, y_test, batch_size=64)

model = keras.Sequential(
    [
        keras.Input(shape=(784,)),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train_dataset, epochs=3, validation_data=test_dataset)  # corpus: 3 epochs
test_loss, test_acc = model.evaluate(test_dataset, verbose=0)
predictions = model.predict(test_dataset, verbose=0)
