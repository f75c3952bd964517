"""The main job for now: train 64 -> Dense(64, relu) -> Dense(10, softmax) on scikit-learn's
digits and print the held-out test accuracy."""

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import gradwise as gw
from gradwise.layers import Dense, Input


def main():
    digits = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.2, stratify=digits.target, random_state=0
    )
    model = gw.Sequential([Input((64,)), Dense(64, activation="relu"), Dense(10, activation="softmax")], seed=1)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.summary()
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=32, epochs=50, verbose=0)
    seconds = time.perf_counter() - start
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"trained 50 epochs in {seconds:.2f} s ({seconds / 50 * 1000:.1f} ms per epoch)")
    print(f"digits test accuracy: {accuracy:.4f} (test loss {loss:.4f})")


if __name__ == "__main__":
    main()
