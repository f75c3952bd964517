"""Finding and reading a dataset's local files: Keras-format .npz, or IDX .gz files."""

import gzip
import zipfile
from pathlib import Path

import numpy as np

KEYS = ("x_train", "y_train", "x_test", "y_test")
# Where Keras caches what it downloads: a Keras user's files are found there too.
KERAS_CACHE = Path("~/.keras/datasets")


def candidates(path, filename):
    """Where to look for `path`: as given (a folder means `filename` inside it), then in Keras' cache."""
    given = Path(path).expanduser()
    places = [given]
    if not given.is_absolute():
        places.append(KERAS_CACHE.expanduser() / given)
    return [place / filename if place.is_dir() else place for place in places]


def missing_file_error(dataset, filename, looked, source):
    tried = ", ".join(str(place) for place in looked)
    return FileNotFoundError(
        f"{dataset}.load_data: no dataset file found (looked at {tried}). gradwise never downloads: "
        f"save the Keras-format file {filename!r} (a NumPy .npz with arrays {', '.join(KEYS)}) locally, "
        f"e.g. from {source}, and pass its path: {dataset}.load_data(path='/data/{filename}')."
    )


def read_npz(file, dataset):
    """((x_train, y_train), (x_test, y_test)) from a Keras-format .npz, checked."""
    try:
        archive = np.load(file, allow_pickle=False)
        if not isinstance(archive, np.lib.npyio.NpzFile):
            raise ValueError("it holds one array, as a .npy file does")
        with archive:
            arrays = {key: archive[key] for key in KEYS if key in archive.files}
            found = sorted(archive.files)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise ValueError(f"{dataset}.load_data: {str(file)!r} is not a readable .npz archive ({error}).") from None
    missing = [key for key in KEYS if key not in arrays]
    if missing:
        raise ValueError(
            f"{dataset}.load_data: {str(file)!r} must hold the arrays {list(KEYS)}, but it lacks {missing} "
            f"(it holds {found})."
        )
    return _checked(arrays, file, dataset)


_IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz",
}


def has_idx_files(folder):
    return folder.is_dir() and all((folder / name).is_file() for name in _IDX_FILES.values())


def read_idx_folder(folder, dataset):
    """The four gzipped IDX files of MNIST-style data (as Keras caches Fashion-MNIST)."""
    arrays = {}
    for key, name in _IDX_FILES.items():
        with gzip.open(folder / name, "rb") as handle:
            data = handle.read()
        header = 16 if key.startswith("x") else 8  # magic, count (and rows, columns)
        array = np.frombuffer(data, dtype=np.uint8, offset=header)
        count = int.from_bytes(data[4:8], "big")
        arrays[key] = array.reshape(count, 28, 28) if key.startswith("x") else array
    return _checked(arrays, folder, dataset)


def _checked(arrays, source, dataset):
    for part in ("train", "test"):
        x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
        if x.shape[:1] != y.shape[:1]:
            raise ValueError(
                f"{dataset}.load_data: {str(source)!r} holds {x.shape[0]} x_{part} images but {y.shape[0]} "
                f"y_{part} labels; they must match."
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
