"""Keras' small image datasets, read from local files (gradwise never downloads).

``mnist.load_data(path=...)`` and ``fashion_mnist.load_data(path=...)`` return
``(x_train, y_train), (x_test, y_test)`` as Keras does, from a Keras-format ``.npz``
(arrays ``x_train``, ``y_train``, ``x_test``, ``y_test``) or, for Fashion-MNIST, from the
folder of IDX ``.gz`` files that Keras keeps in ``~/.keras/datasets/fashion-mnist``.
"""

from . import fashion_mnist, mnist

__all__ = ["mnist", "fashion_mnist"]
