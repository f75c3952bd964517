"""Hostile files are refused with ModelFileError, in milliseconds and without big allocations.

Each case is a small file whose zip structure and CRCs are valid; what is hostile is
what it declares (a huge layer, a decompression bomb, an .npy header that lies, a flood
of members). Memory is measured with tracemalloc (NumPy reports its allocations there).
"""

import copy
import io
import re
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

from gradwise import Dense, Input, Sequential
from gradwise.saving import ModelFileError, load_model, save_model_to_bytes

from .mutants import members, meta_of, rezip, with_meta

# Generous on a loaded 2-core machine: the faults cost 10 s and 3.5 GB before the fix.
TIME_LIMIT_S = 1.0
MEMORY_LIMIT_BYTES = 32 * 2**20


def _valid():
    model = Sequential([Input((8,)), Dense(4, activation="relu"), Dense(2, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return save_model_to_bytes(model)


VALID = _valid()


def _units(units):
    meta = copy.deepcopy(meta_of(VALID))
    meta["config"]["layers"][0]["config"]["units"] = units
    return with_meta(VALID, meta)


def _class_name_list():
    meta = copy.deepcopy(meta_of(VALID))
    meta["class_name"] = ["Sequential"]
    return with_meta(VALID, meta)


def _bomb():
    """About 1 MB on disk, one member that inflates to 1 GiB of zeros (written in 16 MiB pieces)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, np.lib.format.header_data_from_array_1_0(np.zeros(0, np.uint8)))
    header = header.getvalue().replace(b"(0,)", b"(1073741824,)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members(VALID).items():
            archive.writestr(name, content)
        with archive.open("array_9.npy", "w", force_zip64=True) as member:
            member.write(header)
            zeros = bytes(2**24)
            for _ in range(64):
                member.write(zeros)
    return buffer.getvalue()


def _lying_npy_header():
    """An .npy header declaring 10**12 float64 values over a few bytes of data."""
    entries = members(VALID)
    raw = entries["array_0.npy"]
    entries["array_0.npy"] = raw.replace(b"'shape': (8, 4)", b"'shape': (1000000, 1000000)")
    assert entries["array_0.npy"] != raw
    return rezip(entries)


def _empty_members(count=100_000):
    entries = members(VALID)
    entries.update({f"empty_{index}.npy": b"" for index in range(count)})
    return rezip(entries)


def _bytes_member():
    """A member that is not an .npy array at all (np.load would hand back raw bytes)."""
    entries = members(VALID)
    entries["array_1"] = b"\x00" * 16
    return rezip(entries)


# Built when a test runs, not when the module is collected (in every pytest-xdist worker).
HOSTILE = {
    "units=1e8": (lambda: _units(10**8), "more weights than the file holds"),
    "units=1e9": (lambda: _units(10**9), "more weights than the file holds"),
    "units=1e30": (lambda: _units(10**30), "more weights than the file holds"),
    "class name is a list": (_class_name_list, "unknown model class"),
    "lying npy header": (_lying_npy_header, r"declares shape \(1000000, 1000000\)"),
    "member not an array": (_bytes_member, "is not a uniquely named .npy array"),
    "100,000 empty members": (_empty_members, r"declares 100006 archive members \(limit 50000\): refused"),
}


def _measured_load(path):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ModelFileError) as caught:
            load_model(path)
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return caught.value, elapsed, peak


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_files_are_refused_fast_and_small(tmp_path, case):
    build, problem = HOSTILE[case]
    content = build()
    path = tmp_path / "hostile.gw"
    path.write_bytes(content)
    error, elapsed, peak = _measured_load(path)
    assert "hostile.gw" in str(error)
    assert re.search(problem, str(error)), str(error)
    assert elapsed < TIME_LIMIT_S, f"{case}: refused after {elapsed:.2f} s"
    assert peak < MEMORY_LIMIT_BYTES + 2 * len(content), f"{case}: peak {peak / 2**20:.1f} MiB"


def test_a_decompression_bomb_is_refused_before_inflating(tmp_path):
    content = _bomb()
    assert len(content) < 2 * 2**20  # about 1 MB on disk, 1 GiB inflated
    path = tmp_path / "bomb.gw"
    path.write_bytes(content)
    error, elapsed, peak = _measured_load(path)
    assert "bomb.gw" in str(error) and "decompression bomb" in str(error)
    assert elapsed < TIME_LIMIT_S and peak < MEMORY_LIMIT_BYTES + 2 * len(content)


def test_the_limits_leave_real_models_loadable(tmp_path):
    model = Sequential([Input((300,)), Dense(500), Dense(10)], seed=0)
    model.save(tmp_path / "real.gw")
    restored = load_model(tmp_path / "real.gw")
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), restored.get_weights()))


class _Payload:
    """Unpickling this runs code: it would create the file at `path`."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_pickled_array_member_is_refused_without_running_it(tmp_path):
    witness = tmp_path / "code-ran"
    entries = members(VALID)
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload(str(witness))
    buffer = io.BytesIO()
    np.save(buffer, payload, allow_pickle=True)
    entries["array_0.npy"] = buffer.getvalue()
    path = tmp_path / "pickled.gw"
    path.write_bytes(rezip(entries))
    with pytest.raises(ModelFileError, match=r"pickled\.gw.*array 'array_0' has dtype object; expected numbers"):
        load_model(path)
    assert not witness.exists()
