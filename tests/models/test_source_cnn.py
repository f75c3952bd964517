"""The CNN of the source documents runs as written, with only the imports changed."""

import numpy as np

from gradwise import Sequential
from gradwise.layers import (Activation, BatchNormalization, Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D,
                             Rescaling)


def test_source_document_cnn_builds_summarizes_and_trains_a_step():
    num_classes = 5
    model = Sequential([
        Input(shape=(128, 128, 3)),
        Rescaling(1.0 / 255),
        Conv2D(128, kernel_size=3, kernel_initializer="he_uniform", padding="same"),
        BatchNormalization(),
        Activation("relu"),
        MaxPooling2D(3, padding="same"),
        Conv2D(128, kernel_size=3, kernel_initializer="he_uniform", padding="same"),
        BatchNormalization(),
        Activation("relu"),
        MaxPooling2D(3, padding="same"),
        Flatten(),
        Dropout(0.3),
        Dense(num_classes, activation="softmax"),
    ], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    shapes = [layer.output_shape for layer in model.layers]
    assert shapes[1] == (128, 128, 128) and shapes[4] == (43, 43, 128) and shapes[8] == (15, 15, 128)
    assert model.count_params() == 3 * 3 * 3 * 128 + 128 + 4 * 128 + 3 * 3 * 128 * 128 + 128 + 4 * 128 + 28800 * 5 + 5
    images = np.random.default_rng(0).integers(0, 256, size=(2, 128, 128, 3)).astype("float32")
    before = model.get_weights()[0].copy()
    history = model.fit(images, np.array([0, 3]), batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert not np.array_equal(before, model.get_weights()[0])
    assert model.predict(images).shape == (2, num_classes)
