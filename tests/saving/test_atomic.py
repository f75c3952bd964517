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
from gradwise.saving import ModelFileError, atomic, atomic_write, check_writable, load_model, model_io

from ..limits import run_limited

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


# ----- a full disk ----------------------------------------------------------------------
CHECKPOINT_ON_A_FULL_DISK = """
    import numpy as np
    from gradwise import Dense, Input, Sequential
    from gradwise.callbacks import ModelCheckpoint
    model = Sequential([Input((300,)), Dense(300), Dense(1)], seed=0)
    model.compile(optimizer="sgd", loss="mse")
    try:
        model.fit(np.ones((4, 300)), np.ones(4), epochs=1, verbose=0, callbacks=[ModelCheckpoint(sys.argv[1])])
    except OSError as error:
        print("OSError:", error)
"""


def test_a_full_disk_during_model_checkpoint_names_the_path_and_keeps_the_previous_file(tmp_path):
    path = tmp_path / "checkpoint.gw"
    Sequential([Input((3,)), Dense(2)], seed=1).save(path)
    previous = path.read_bytes()
    result = run_limited(CHECKPOINT_ON_A_FULL_DISK, 100_000, path)  # the model file needs about 730 kB
    assert result.returncode == 0, result.stderr
    assert f"Cannot save '{path}': File too large" in result.stdout
    assert "previous file at that path, if any, is unchanged" in result.stdout
    assert path.read_bytes() == previous and os.listdir(tmp_path) == ["checkpoint.gw"]


# ----- temporary files of killed saves ------------------------------------------------------
def _kill_mid_save(path, times):
    """Kill SAVE_FOREVER `times` times while it writes a temporary file next to `path`."""
    for _ in range(times):
        before = set(_temporaries(path.parent))
        child = subprocess.Popen([sys.executable, "-c", SAVE_FOREVER, str(path)], cwd=REPOSITORY,
                                 stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        try:
            while not set(_temporaries(path.parent)) - before:
                assert child.poll() is None and time.monotonic() < deadline
                time.sleep(0.0005)
        finally:
            child.kill()
            child.wait()


def test_temporaries_of_killed_saves_are_removed_by_the_next_save_or_load(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "STALE_AFTER_S", 0.0)
    path = tmp_path / "model.gw"
    _kill_mid_save(path, 3)
    left = _temporaries(tmp_path)
    assert len(left) >= 3, left
    # Files that are not provably this path's own temporaries stay.
    unrelated = [".other.gw.0123456789ab.tmp", ".model.gw.tmp", "model.gw.0123456789ab.tmp"]
    for name in unrelated:
        (tmp_path / name).write_bytes(b"keep")
    os.symlink(tmp_path / ".other.gw.0123456789ab.tmp", tmp_path / ".model.gw.aaaaaaaaaaaa.tmp")
    Sequential([Input((3,)), Dense(2)], seed=1).save(path)
    assert sorted(_temporaries(tmp_path)) == sorted(unrelated + [".model.gw.aaaaaaaaaaaa.tmp"])
    _kill_mid_save(path, 2)
    load_model(path)  # a load cleans up too
    assert sorted(_temporaries(tmp_path)) == sorted(unrelated + [".model.gw.aaaaaaaaaaaa.tmp"])


HOLD_A_SAVE_OPEN = """
    import time
    from gradwise.saving import atomic_write
    def write(handle):
        handle.write(b"partial")
        handle.flush()
        print("writing", flush=True)
        time.sleep(60)
    atomic_write(sys.argv[1], write)
"""


def test_the_temporary_of_a_save_in_progress_is_never_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "STALE_AFTER_S", 0.0)
    path = tmp_path / "model.gw"
    child = subprocess.Popen([sys.executable, "-c", "import sys\n" + textwrap.dedent(HOLD_A_SAVE_OPEN), str(path)],
                             cwd=REPOSITORY, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "writing\n"
        live = _temporaries(tmp_path)
        assert len(live) == 1
        Sequential([Input((3,)), Dense(2)], seed=1).save(path)
        load_model(path)
        assert _temporaries(tmp_path) == live  # its writer holds the lock: kept
    finally:
        child.kill()
        child.wait()
        child.stdout.close()
    load_model(path)  # now its writer is dead
    assert _temporaries(tmp_path) == []


def test_a_fresh_unlocked_temporary_is_kept_until_it_is_old(tmp_path):
    path = tmp_path / "model.gw"
    fresh = tmp_path / ".model.gw.0123456789ab.tmp"
    fresh.write_bytes(b"PK")  # as if its writer had just created it and not yet locked it
    Sequential([Input((3,)), Dense(2)], seed=1).save(path)
    assert fresh.exists()
    old = time.time() - 2 * atomic.STALE_AFTER_S
    os.utime(fresh, (old, old))
    load_model(path)
    assert not fresh.exists()
