"""Fashion-MNIST (Zalando's clothing images) from local files."""

from . import _files

FILENAME = "fashion_mnist.npz"
# Where Keras keeps the four IDX files it downloads for this dataset.
KERAS_FOLDER = "fashion-mnist"


def load_data(path=FILENAME):
    """Load Fashion-MNIST as ``keras.datasets.fashion_mnist.load_data`` returns it, from local files.

    Parameters
    ----------
    path : str or Path, default 'fashion_mnist.npz'
        A Keras-format ``.npz`` (arrays ``x_train`` (60000, 28, 28) uint8, ``y_train``,
        ``x_test``, ``y_test``), a folder holding ``fashion_mnist.npz``, or a folder of the
        four IDX files ``train-images-idx3-ubyte.gz``, ... that Keras caches in
        ``~/.keras/datasets/fashion-mnist`` (looked at too when nothing else is found).
        Labels: 0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt,
        7 Sneaker, 8 Bag, 9 Ankle boot.

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
    given = _files.Path(path).expanduser()
    if _files.has_idx_files(given):
        return _files.read_idx_folder(given, "fashion_mnist")
    looked = _files.candidates(path, FILENAME)
    for file in looked:
        if file.is_file():
            return _files.read_npz(file, "fashion_mnist")
    keras_folder = _files.KERAS_CACHE.expanduser() / KERAS_FOLDER
    if _files.has_idx_files(keras_folder):
        return _files.read_idx_folder(keras_folder, "fashion_mnist")
    raise _files.missing_file_error("fashion_mnist", FILENAME, looked + [keras_folder],
                                    "https://github.com/zalandoresearch/fashion-mnist (converted to .npz)")
