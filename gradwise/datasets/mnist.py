"""MNIST handwritten digits from a local Keras-format ``mnist.npz``."""

from . import _files

FILENAME = "mnist.npz"


def load_data(path=FILENAME):
    """Load MNIST as ``keras.datasets.mnist.load_data`` returns it, from a local file.

    Parameters
    ----------
    path : str or Path, default 'mnist.npz'
        The ``.npz`` file (arrays ``x_train`` (60000, 28, 28) uint8, ``y_train`` (60000,),
        ``x_test``, ``y_test``), or a folder holding ``mnist.npz``. A relative path that
        does not exist is also looked up in Keras' cache, ``~/.keras/datasets``, where
        Keras saved it if it ever downloaded it.

    Returns
    -------
    (x_train, y_train), (x_test, y_test) : ndarrays of uint8

    Raises
    ------
    FileNotFoundError
        No such file: the message names the file expected and where it was looked for.
    ValueError
        A file that is not a Keras-format .npz.
    """
    looked = _files.candidates(path, FILENAME)
    for file in looked:
        if file.is_file():
            return _files.read_npz(file, "mnist")
    raise _files.missing_file_error("mnist", FILENAME, looked,
                                    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz")
