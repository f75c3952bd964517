"""Loader fuzz on re-zipped mutants: the zip and its CRCs are valid, the content is not.

Byte flips in a stored file are caught by the CRC check (``test_bad_files``); these
mutants get past it, because each is re-zipped with fresh checksums after editing a
JSON value, an ``.npy`` header, or the set of members. Every one must load (if the
edit was harmless) or raise ``ModelFileError`` naming the file — never another
exception — within a bounded time and memory.
"""

import copy
import io
import json
import time
import tracemalloc

import numpy as np
import pytest

from gradwise import Sequential
from gradwise.saving import ModelFileError, load_model, load_weights

from .builders import blobs, classifier
from .mutants import META_MEMBER, members, meta_bytes, meta_of, npy_bytes, rezip

MUTANTS = 400
TIME_LIMIT_S = 1.0
MEMORY_LIMIT_BYTES = 32 * 2**20

ODD_VALUES = [None, -1, 0, 1, 10**9, 10**30, -(10**12), 1e308, float("nan"), 2.5, True, "x", "", "Dense",
              "Sequential", "array_0", [], [1, 2], ["Sequential"], [[1]], {}, {"class_name": "Dense"}, "a" * 1000]
ODD_SHAPES = ["()", "(0,)", "(1000000000,)", "(-1,)", "(3, 2, 1)", "(10000000, 10000000)", "(1,)", "(2, 'a')"]
ODD_DESCRS = ["'<i8'", "'|b1'", "'<c16'", "'|O'", "'<U4'", "'>f4'", "'|V8'", "'<f2'", "[('a', '<f8')]", "'<M8[s]'"]


def _trained_file(tmp_path):
    model = classifier()
    x, y = blobs(32)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    path = tmp_path / "model.gw"
    model.save(path)
    return path.read_bytes()


def _paths(node, prefix=()):
    """Every (path to a value) in a JSON tree."""
    yield prefix
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _paths(child, prefix + (key,))


def _edit_json(entries, rng, delete=False):
    meta = json.loads(np.load(io.BytesIO(entries[META_MEMBER])).tobytes().decode())
    paths = [path for path in _paths(meta) if path]
    path = paths[rng.integers(len(paths))]
    parent = meta
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = copy.deepcopy(ODD_VALUES[rng.integers(len(ODD_VALUES))])
    entries[META_MEMBER] = meta_bytes(meta)


def _edit_header(entries, rng):
    name = sorted(entries)[rng.integers(len(entries))]
    raw = entries[name]
    end = raw.index(b"\n") + 1
    header = raw[:end].decode("latin1")
    if rng.random() < 0.5:
        start = header.index("'shape': ") + len("'shape': ")
        header = header[:start] + ODD_SHAPES[rng.integers(len(ODD_SHAPES))] + header[header.index(")", start) + 1:]
    elif rng.random() < 0.8:
        start = header.index("'descr': ") + len("'descr': ")
        header = header[:start] + ODD_DESCRS[rng.integers(len(ODD_DESCRS))] + header[header.index(",", start):]
    else:
        header = header.replace("False", "True") if "False" in header else header.replace("True", "False")
    body = header.rstrip("\n ")
    entries[name] = body.encode("latin1") + b" " * max(0, end - len(body) - 1) + b"\n" + raw[end:]


def _mutant(valid_entries, rng):
    entries = dict(valid_entries)
    operation = rng.integers(7)
    if operation <= 1:
        _edit_json(entries, rng, delete=operation == 1)
    elif operation == 2:
        _edit_header(entries, rng)
    elif operation == 3:  # an extra member
        extra = [npy_bytes(np.ones(3)), b"junk", b"", npy_bytes(np.zeros((2, 2), dtype=np.uint8))]
        name = ["array_99.npy", "array_0", "extra.npy", "../escape.npy"][rng.integers(4)]
        entries[name] = extra[rng.integers(len(extra))]
    elif operation == 4:  # a missing member
        del entries[sorted(entries)[rng.integers(len(entries))]]
    elif operation == 5:  # two members swapped
        first, second = rng.choice(sorted(entries), size=2, replace=False)
        entries[first], entries[second] = entries[second], entries[first]
    else:  # a flipped byte inside a member, checksums recomputed
        name = sorted(entries)[rng.integers(len(entries))]
        content = bytearray(entries[name])
        if content:
            content[rng.integers(len(content))] ^= int(rng.integers(1, 256))
        entries[name] = bytes(content)
    return rezip(entries)


def test_rezipped_mutants_load_or_raise_model_file_error_quickly_and_small(tmp_path):
    valid_entries = members(_trained_file(tmp_path))
    rng = np.random.default_rng(20261204)
    path = tmp_path / "mutant.gw"
    outcomes = {"loaded": 0, "refused": 0}
    slowest, largest = 0.0, 0
    tracemalloc.start()
    try:
        for index in range(MUTANTS):
            path.write_bytes(_mutant(valid_entries, rng))
            tracemalloc.reset_peak()
            started = time.perf_counter()
            try:
                load_model(path)
                outcomes["loaded"] += 1
            except ModelFileError as error:
                assert "mutant.gw" in str(error), str(error)
                outcomes["refused"] += 1
            except Exception as error:  # noqa: BLE001 - the failure this test exists to catch
                pytest.fail(f"mutant {index}: {type(error).__name__}: {error}")
            elapsed = time.perf_counter() - started
            slowest, largest = max(slowest, elapsed), max(largest, tracemalloc.get_traced_memory()[1])
            target = Sequential.from_config(classifier().get_config())
            try:
                load_weights(target, path)
            except ValueError as error:  # ModelFileError, or a weight that does not fit the model
                assert "mutant.gw" in str(error), str(error)
            except Exception as error:  # noqa: BLE001
                pytest.fail(f"mutant {index} (load_weights): {type(error).__name__}: {error}")
    finally:
        tracemalloc.stop()
    assert outcomes["refused"] > MUTANTS // 2, outcomes  # the mutants are mostly harmful, as meant
    assert slowest < TIME_LIMIT_S, f"slowest mutant took {slowest:.2f} s"
    assert largest < MEMORY_LIMIT_BYTES, f"a mutant took {largest / 2**20:.1f} MiB"


def test_an_unmutated_rezip_loads(tmp_path):
    """The mutants differ from a loadable file only by their mutation."""
    data = _trained_file(tmp_path)
    entries = members(data)
    entries[META_MEMBER] = meta_bytes(meta_of(data))
    path = tmp_path / "copy.gw"
    path.write_bytes(rezip(entries))
    assert load_model(path).count_params() > 0
