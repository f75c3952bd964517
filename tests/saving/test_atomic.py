"""Saving is atomic: a killed or failing save never damages the previous file."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from gradwise import Dense, Input, Sequential
from gradwise.saving import ModelFileError, atomic_write, check_writable, load_model, model_io

from .builders import assert_same_weights

REPOSITORY = Path(__file__).resolve().parents[2]

# Saves a big model (about 16 MB of weights) over the target, again and again, until killed.
SAVE_FOREVER = textwrap.dedent("""
    import sys
    import numpy as np
    from gradwise import Dense, Input, Sequential
    model = Sequential([Input((2000,)), Dense(2000)], seed=0)
    step = 0
    while True:
        step += 1
        model.set_weights([np.full_like(w, step) for w in model.get_weights()])
        model.save(sys.argv[1])
""")


def _temporaries(folder):
    return [name for name in os.listdir(folder) if name.endswith(".tmp")]


def test_a_process_killed_mid_save_leaves_the_previous_file_intact(tmp_path):
    path = tmp_path / "model.gw"
    previous = Sequential([Input((3,)), Dense(2)], seed=1)
    previous.save(path)
    child = subprocess.Popen([sys.executable, "-c", SAVE_FOREVER, str(path)], cwd=REPOSITORY,
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    try:
        while not _temporaries(tmp_path):  # wait until a save is under way
            assert child.poll() is None, child.stderr.read().decode()
            assert time.monotonic() < deadline, "the child never started saving"
            time.sleep(0.0005)
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert _temporaries(tmp_path), "the kill should have interrupted a save"
    loaded = load_model(path)
    if loaded.input_shape == (3,):  # killed during the first save: the previous file
        assert_same_weights(loaded, previous)
    else:  # a later save had completed: a whole, consistent file of that save
        weights = loaded.get_weights()
        assert loaded.input_shape == (2000,)
        assert len({float(w.flat[0]) for w in weights}) == 1
        assert all(np.all(w == w.flat[0]) for w in weights)


def test_a_save_that_fails_mid_write_keeps_the_previous_file_and_cleans_up(tmp_path, monkeypatch):
    path = tmp_path / "model.gw"
    model = Sequential([Input((3,)), Dense(2)], seed=1)
    model.save(path)
    good = path.read_bytes()

    def half_written(handle, meta, arrays):
        handle.write(b"PK\x03\x04 partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(model_io, "write_archive", half_written)
    with pytest.raises(OSError, match="No space left"):
        model.save(path)
    assert path.read_bytes() == good
    assert os.listdir(tmp_path) == ["model.gw"]


def test_atomic_write_replaces_the_file_only_when_complete(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(b"old")
    seen = []

    def write(handle):
        handle.write(b"new")
        seen.append(path.read_bytes())  # during the write the target still holds the old bytes

    atomic_write(str(path), write)
    assert seen == [b"old"] and path.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["data.bin"]


@pytest.mark.parametrize("target, message", [
    (".", "is a folder; give a file name inside it"),
    ("missing/model.gw", "folder '.*missing' does not exist"),
    ("afile/model.gw", "folder '.*afile' does not exist \\(or is not a folder\\)"),
])
def test_unwritable_targets_fail_before_any_work(tmp_path, target, message):
    (tmp_path / "afile").write_bytes(b"")
    with pytest.raises(ValueError, match=message):
        Sequential([Input((3,)), Dense(2)]).save(tmp_path / target)
    with pytest.raises(ValueError, match=message):
        check_writable(tmp_path / target)


def test_filepath_must_be_a_path():
    with pytest.raises(TypeError, match="`filepath` must be a str or os.PathLike, got 3"):
        check_writable(3)
    with pytest.raises(TypeError, match="`filepath` must be a str or os.PathLike"):
        load_model(3)


def test_a_file_replaced_by_a_folder_is_a_model_file_error(tmp_path):
    (tmp_path / "model.gw").mkdir()
    with pytest.raises(ModelFileError, match="it is a folder"):
        load_model(tmp_path / "model.gw")
