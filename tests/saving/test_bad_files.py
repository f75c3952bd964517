"""Every unreadable file is one ModelFileError naming the file and the problem."""

import io
import os
import pickle
import tempfile
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from gradwise import Dense, Input, Sequential
from gradwise.saving import (
    FORMAT_VERSION, ModelFileError, format as file_format, load_model, load_model_from_bytes, save_model_to_bytes,
)

from .builders import assert_same_weights, classifier


def _zip_of_text():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a model")
    return buffer.getvalue()


def _npz_without_metadata():
    buffer = io.BytesIO()
    np.savez(buffer, kernel=np.ones((2, 2)))
    return buffer.getvalue()


def _npy():
    buffer = io.BytesIO()
    np.save(buffer, np.ones(3))
    return buffer.getvalue()


FOREIGN = {
    "empty": (b"", "the file is empty"),
    "keras h5": (b"\x89HDF\r\n\x1a\n" + bytes(504), "HDF5 file .*Keras"),
    "pickle": (pickle.dumps({"weights": [1.0, 2.0]}), "pickle.*never loads pickles"),
    "zip of text": (_zip_of_text(), "zip/npz archive, but not a gradwise file"),
    "npz of arrays": (_npz_without_metadata(), "zip/npz archive, but not a gradwise file"),
    "npy": (_npy(), "single NumPy .npy array"),
    "text": (b"hello, world\n", "not a gradwise file .*unrecognised content"),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_foreign_files_give_one_clear_error(tmp_path, kind):
    content, problem = FOREIGN[kind]
    path = tmp_path / "model.gw"
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=rf"Cannot load '.*model\.gw': .*{problem}"):
        load_model(path)


def test_a_folder_and_a_missing_file_give_the_same_error_class(tmp_path):
    with pytest.raises(ModelFileError, match=r"'.*': it is a folder"):
        load_model(tmp_path)
    with pytest.raises(ModelFileError, match=r"'.*nothing\.gw': no such file"):
        load_model(tmp_path / "nothing.gw")


def test_model_file_error_is_a_value_error():
    assert issubclass(ModelFileError, ValueError)


def _archive(meta, arrays=None):
    buffer = io.BytesIO()
    file_format.write_archive(buffer, meta, arrays or {})
    return buffer.getvalue()


def test_a_newer_format_version_asks_to_upgrade(tmp_path):
    path = tmp_path / "future.gw"
    path.write_bytes(_archive({"format_version": FORMAT_VERSION + 1, "kind": "model"}))
    with pytest.raises(ModelFileError, match=rf"future\.gw.*newer gradwise \(file format version "
                                             rf"{FORMAT_VERSION + 1}\).*up to {FORMAT_VERSION}. Upgrade"):
        load_model(path)


@pytest.mark.parametrize("meta, problem", [
    ({"format": "keras"}, "not a gradwise file"),
    ({"format_version": "one"}, "format version 'one' is not valid"),
    ({"kind": "model", "class_name": "Functional", "config": {}}, "unknown model class 'Functional'"),
    ({"kind": "model", "class_name": "Sequential", "config": {"layers": [{"class_name": "Nope"}]}, "built": False},
     "architecture cannot be rebuilt .*Unknown layer 'Nope'"),
    ({"kind": "model", "class_name": "Sequential", "config": {"layers": []}, "built": False, "weights": "x"},
     "weights list is malformed"),
])
def test_well_formed_archives_with_wrong_content_give_the_error(meta, problem):
    with pytest.raises(ModelFileError, match=problem):
        load_model_from_bytes(_archive(meta))


def _valid_model_bytes():
    model = Sequential([Input((3,)), Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(np.eye(3), np.arange(3) % 2, epochs=1, verbose=0)
    return model, save_model_to_bytes(model)


REFERENCE_MODEL, VALID = _valid_model_bytes()


def test_a_flipped_byte_in_the_weights_fails_the_crc_check():
    kernel = REFERENCE_MODEL.get_weights()[0].tobytes()
    position = VALID.index(kernel) + 5
    damaged = bytearray(VALID)
    damaged[position] ^= 0x10
    with pytest.raises(ModelFileError, match=r"member 'array_0\.npy' is damaged \(CRC"):
        load_model_from_bytes(bytes(damaged))


def _loads_identically_or_raises_model_file_error(data):
    try:
        model = load_model_from_bytes(data)
    except ModelFileError:
        return
    # A flip in bytes the reader ignores (a timestamp) is harmless: the model must be intact.
    assert_same_weights(model, REFERENCE_MODEL)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(VALID) - 1))
def test_fuzz_truncations(length):
    with pytest.raises(ModelFileError):
        load_model_from_bytes(VALID[:length])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(1, 255)), min_size=1, max_size=4))
def test_fuzz_byte_flips(flips):
    damaged = bytearray(VALID)
    for position, mask in flips:
        damaged[position] ^= mask
    _loads_identically_or_raises_model_file_error(bytes(damaged))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, len(VALID) - 1), st.integers(1, 255))
def test_fuzz_load_weights_byte_flips(position, mask):
    damaged = bytearray(VALID)
    damaged[position] ^= mask
    target = Sequential([Input((3,)), Dense(2, activation="softmax")])
    before = target.get_weights()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "weights.gw")
        with open(path, "wb") as handle:
            handle.write(damaged)
        try:
            target.load_weights(path)
        except ModelFileError:
            assert all(np.array_equal(a, b) for a, b in zip(before, target.get_weights()))
            return
    assert_same_weights(target, REFERENCE_MODEL)


def test_whole_classifier_file_truncated_anywhere_is_the_error(tmp_path):
    path = tmp_path / "model.gw"
    classifier().save(path)
    data = path.read_bytes()
    for fraction in (0.0, 0.1, 0.5, 0.9, 0.999):
        path.write_bytes(data[: int(len(data) * fraction)])
        with pytest.raises(ModelFileError, match=r"model\.gw"):
            load_model(path)
