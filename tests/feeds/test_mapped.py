"""Arrays opened with np.load(mmap_mode="r") train, evaluate and predict batch by batch: the same results
as in memory, never a whole copy (traced allocations stay a small fraction of the array), per-batch
casts and NaN checks."""

import tracemalloc

import numpy as np
import pytest

import gradwise as gw
from gradwise.feeds import MappedRows, is_mapped
from gradwise.layers import Dense


def _model(dtype="float32"):
    model = gw.Sequential([Dense(16, activation="relu", input_shape=(256,)), Dense(1, activation="sigmoid")],
                          seed=0, dtype=dtype)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


@pytest.fixture
def mapped(tmp_path):
    """A 16 MB float32 training set on disk, opened memory-mapped, and its labels in memory."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16384, 256)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    return np.load(tmp_path / "x.npy", mmap_mode="r"), (x[:, 0] > 0).astype(np.float32), x


def test_training_on_a_memory_map_allocates_a_few_batches_not_the_array(mapped):
    x_mapped, y, _ = mapped
    model = _model()
    model.fit(x_mapped[:64], y[:64], epochs=1, verbose=0)  # warm up: every lazy allocation made once
    tracemalloc.start()
    try:
        model.fit(x_mapped, y, batch_size=64, epochs=1, shuffle=True, validation_split=0.1, verbose=0)
        model.evaluate(x_mapped, y, batch_size=256, verbose=0)
        model.predict(x_mapped, batch_size=256, verbose=0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < x_mapped.nbytes / 8, f"peak traced allocation {peak} bytes for a {x_mapped.nbytes}-byte array"


def test_a_memory_map_trains_exactly_as_the_same_array_in_memory(mapped):
    x_mapped, y, x = mapped
    in_memory, on_disk = _model(), _model()
    expected = in_memory.fit(x[:2048], y[:2048], batch_size=64, epochs=2, validation_split=0.25, verbose=0)
    got = on_disk.fit(x_mapped[:2048], y[:2048], batch_size=64, epochs=2, validation_split=0.25, verbose=0)
    # the same weights after every step; the validation of a map reads it slice by slice (evaluate's
    # batches) where in-memory rows make one pass, and BLAS may round a 32-row product and a
    # 512-row one apart in the last bit
    np.testing.assert_allclose(got.history.pop("val_loss"), expected.history.pop("val_loss"), rtol=1e-6)
    assert got.history == expected.history
    np.testing.assert_array_equal(on_disk.predict(x_mapped[:300], verbose=0), in_memory.predict(x[:300], verbose=0))


def test_a_float64_map_feeds_a_float32_model_batch_by_batch(tmp_path, mapped):
    _, y, x = mapped
    np.save(tmp_path / "x64.npy", x[:1024].astype(np.float64))
    x64 = np.load(tmp_path / "x64.npy", mmap_mode="r")
    on_disk, in_memory = _model(), _model()
    got = on_disk.fit(x64, y[:1024], batch_size=128, epochs=1, verbose=0).history
    expected = in_memory.fit(x[:1024], y[:1024], batch_size=128, epochs=1, verbose=0).history
    assert got == expected
    assert on_disk.predict(x64, verbose=0).dtype == np.float32


def test_nan_in_a_mapped_batch_is_named(tmp_path, mapped):
    _, y, x = mapped
    bad = x[:256].copy()
    bad[200, 3] = np.nan
    np.save(tmp_path / "bad.npy", bad)
    with pytest.raises(ValueError, match=r"`x \(a batch of the memory-mapped array\)` contains 1 non-finite value"):
        _model().fit(np.load(tmp_path / "bad.npy", mmap_mode="r"), y[:256], batch_size=64, shuffle=False, verbose=0)


def test_mapped_rows_read_the_file_or_release_the_pages_they_read(mapped, monkeypatch, tmp_path):
    x_mapped, _, x = mapped
    import gradwise.feeds.arrays as arrays

    direct = MappedRows(x_mapped[100:], np.float32)  # a view: its rows start 100 rows into the file
    assert direct._file is not None
    np.testing.assert_array_equal(direct.take(slice(0, 300)), x[100:400])
    np.testing.assert_array_equal(direct.take(np.array([5, 0, 4000, 7])), x[100 + np.array([5, 0, 4000, 7])])
    np.testing.assert_array_equal(direct.take(slice(10, 30, 3)), x[110:130:3])

    copy_on_write = np.load(tmp_path / "x.npy", mmap_mode="c")  # may hold private changes: read via the map
    copy_on_write[0, 0] = 123.0
    assert MappedRows(copy_on_write, np.float32)._file is None
    assert MappedRows(copy_on_write, np.float32).take(slice(0, 1))[0, 0] == 123.0
    columns = MappedRows(x_mapped[:, ::2], np.float32)  # rows not contiguous in the file
    assert columns._file is None

    released = []
    monkeypatch.setattr(arrays, "RELEASE_BYTES", 1 << 19)
    monkeypatch.setattr(columns, "release", lambda: released.append(columns._unreleased) or
                        setattr(columns, "_unreleased", 0))
    for start in range(0, 4096, 256):
        np.testing.assert_array_equal(columns.take(slice(start, start + 256)), x[start:start + 256, ::2])
    assert len(released) == 4  # 2 MB gathered, released every 0.5 MB
    assert is_mapped(x_mapped[10:]) and is_mapped(np.asarray(x_mapped)) and not is_mapped(x)
    assert MappedRows(x, np.float32).take(slice(0, 2)).base is x  # in memory: a view, as before
