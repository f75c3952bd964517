"""The classic Keras MNIST convnet, trained briefly on a slice of MNIST: it must learn."""

import numpy as np
from threadpoolctl import threadpool_limits

import gradwise as gw
from gradwise.layers import Conv2D, Dense, Dropout, Flatten, Input, MaxPooling2D

from ..conftest import SHARED_DATASETS


def mnist_slice(train, test):
    data = np.load(SHARED_DATASETS / "mnist" / "mnist.npz")
    x_train = data["x_train"][:train, :, :, None].astype("float32") / 255
    x_test = data["x_test"][:test, :, :, None].astype("float32") / 255
    return x_train, data["y_train"][:train], x_test, data["y_test"][:test]


def mnist_convnet(seed):
    return gw.Sequential([
        Input((28, 28, 1)),
        Conv2D(32, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Conv2D(64, kernel_size=(3, 3), activation="relu"),
        MaxPooling2D(pool_size=(2, 2)),
        Flatten(),
        Dropout(0.5),
        Dense(10, activation="softmax"),
    ], seed=seed)


def test_mnist_convnet_learns_from_2000_images_in_two_epochs(monkeypatch):
    # one thread each: pytest-xdist workers already share the cores, and oversubscribed BLAS threads crawl
    monkeypatch.setenv("GRADWISE_NUM_THREADS", "1")
    x_train, y_train, x_test, y_test = mnist_slice(2000, 500)
    model = mnist_convnet(seed=0)
    assert model.count_params() == 320 + 18_496 + 16_010  # as Keras' summary of this model
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    with threadpool_limits(1):
        model.fit(x_train, y_train, batch_size=128, epochs=2, verbose=0)
        loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy > 0.7, f"test accuracy {accuracy:.3f} after two epochs on 2000 images"
    assert loss < 1.0
