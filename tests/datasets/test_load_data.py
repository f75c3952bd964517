"""mnist and fashion_mnist load_data from local Keras-format files; clear errors otherwise."""

import gzip
import hashlib

import numpy as np
import pytest

from gradwise.datasets import _files, fashion_mnist, mnist

from ..conftest import SHARED_DATASETS

# sha256 of arr.tobytes(), from the shared datasets' README.
MNIST_X_TRAIN = "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"
FASHION_Y_TEST = "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9"


@pytest.fixture(autouse=True)
def no_keras_cache(tmp_path, monkeypatch):
    """A Keras cache folder of this test's own, so the user's real cache cannot be found."""
    monkeypatch.setattr(_files, "KERAS_CACHE", tmp_path / "keras-cache")


def test_mnist_loads_as_keras_returns_it():
    (x_train, y_train), (x_test, y_test) = mnist.load_data(path=SHARED_DATASETS / "mnist" / "mnist.npz")
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert hashlib.sha256(x_train.tobytes()).hexdigest() == MNIST_X_TRAIN
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_a_folder_or_the_keras_cache_is_searched(tmp_path, monkeypatch):
    (tmp_path / "keras-cache").mkdir()
    small = {"x_train": np.zeros((3, 28, 28), np.uint8), "y_train": np.arange(3, dtype=np.uint8),
             "x_test": np.ones((2, 28, 28), np.uint8), "y_test": np.arange(2, dtype=np.uint8)}
    np.savez(tmp_path / "keras-cache" / "mnist.npz", **small)
    monkeypatch.chdir(tmp_path)
    (_, y_train), (x_test, _) = mnist.load_data()  # not in the working directory: Keras' cache
    assert y_train.tolist() == [0, 1, 2] and x_test.shape == (2, 28, 28)
    (_, y_train), _ = mnist.load_data(path=tmp_path / "keras-cache")  # a folder holding mnist.npz
    assert y_train.tolist() == [0, 1, 2]


def test_missing_file_names_the_expected_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"mnist.load_data: no dataset file found \(looked at .*nowhere.npz.*"
                                                r"the Keras-format file 'mnist.npz' \(a NumPy .npz with arrays x_train"):
        mnist.load_data(path=tmp_path / "nowhere.npz")
    with pytest.raises(FileNotFoundError, match=r"fashion_mnist.load_data: .*'fashion_mnist.npz'"):
        fashion_mnist.load_data(path=tmp_path)


def test_wrong_files_raise_value_errors(tmp_path):
    np.savez(tmp_path / "partial.npz", x_train=np.zeros((2, 28, 28)), y_train=np.zeros(2))
    with pytest.raises(ValueError, match=r"must hold the arrays \['x_train', 'y_train', 'x_test', 'y_test'\], but it "
                                         r"lacks \['x_test', 'y_test'\] \(it holds \['x_train', 'y_train'\]\)"):
        mnist.load_data(path=tmp_path / "partial.npz")
    (tmp_path / "text.npz").write_text("not an archive")
    with pytest.raises(ValueError, match=r"is not a readable .npz archive"):
        mnist.load_data(path=tmp_path / "text.npz")
    np.savez(tmp_path / "uneven.npz", x_train=np.zeros((2, 28, 28)), y_train=np.zeros(3), x_test=np.zeros((1, 28, 28)),
             y_test=np.zeros(1))
    with pytest.raises(ValueError, match=r"holds 2 x_train images but 3 y_train labels"):
        mnist.load_data(path=tmp_path / "uneven.npz")


def _write_idx(folder, arrays):
    """The four gzipped IDX files Keras keeps for Fashion-MNIST."""
    folder.mkdir(parents=True)
    for key, name in _files._IDX_FILES.items():
        array = arrays[key]
        magic = (2051 if array.ndim == 3 else 2049).to_bytes(4, "big")
        header = magic + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
        with gzip.open(folder / name, "wb") as handle:
            handle.write(header + array.tobytes())


def test_fashion_mnist_from_npz_and_from_keras_idx_cache(tmp_path):
    path = SHARED_DATASETS / "fashion_mnist" / "fashion_mnist.npz"
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(path=path)
    assert x_train.shape == (60000, 28, 28) and np.bincount(y_train).tolist() == [6000] * 10
    assert hashlib.sha256(y_test.tobytes()).hexdigest() == FASHION_Y_TEST
    subset = {"x_train": x_train[:50], "y_train": y_train[:50], "x_test": x_test[:20], "y_test": y_test[:20]}
    _write_idx(tmp_path / "keras-cache" / "fashion-mnist", subset)
    (x_idx, y_idx), (x_idx_test, y_idx_test) = fashion_mnist.load_data(path=tmp_path / "absent.npz")
    for loaded, key in ((x_idx, "x_train"), (y_idx, "y_train"), (x_idx_test, "x_test"), (y_idx_test, "y_test")):
        np.testing.assert_array_equal(loaded, subset[key])
