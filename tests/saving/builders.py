"""Small models and data shared by the saving tests."""

import numpy as np

from gradwise import BatchNormalization, Dense, Dropout, Input, Sequential


def classifier(seed=3, optimizer="adam", dtype=None):
    """Dense -> BatchNormalization -> Dropout -> softmax: params, state and a layer generator."""
    model = Sequential(
        [Input((5,)), Dense(12, activation="relu"), BatchNormalization(), Dropout(0.3),
         Dense(3, activation="softmax")],
        seed=seed, dtype=dtype,
    )
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def blobs(samples=96, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, size=samples)
    centers = np.array([[2.0, 0, 0, 0, 0], [0, 2.0, 0, 0, 0], [0, 0, 2.0, 0, 0]])
    return centers[labels] + rng.normal(size=(samples, 5)), labels


def assert_same_weights(first, second):
    a, b = first.get_weights(), second.get_weights()
    assert len(a) == len(b)
    for left, right in zip(a, b):
        assert left.dtype == right.dtype and np.array_equal(left, right)
