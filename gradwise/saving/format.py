"""The gradwise file format: one NumPy ``.npz`` archive, no pickle.

Layout (format version 1):

- member ``gradwise_meta.npy``: a uint8 array holding UTF-8 JSON with ``format``
  ("gradwise"), ``format_version``, ``kind`` ("model" or "weights") and, for each array
  member, what it is (see ``payload.py``);
- members ``array_0.npy``, ``array_1.npy``, ...: plain numeric arrays.

Writing uses ``np.savez`` with ``allow_pickle=False``; reading uses
``np.load(allow_pickle=False)``, so loading a file can never run code. Every member is
CRC-checked before it is used, so a flipped byte is an error, never a silently
different model. Whatever goes wrong while reading becomes one ``ModelFileError``.
"""

import io
import json
import os

import numpy as np

from .errors import ModelFileError

FORMAT_NAME = "gradwise"
FORMAT_VERSION = 1
META_KEY = "gradwise_meta"

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_FOREIGN_MAGIC = (
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (such as a Keras .h5 model); gradwise cannot read Keras files"),
    (b"\x93NUMPY", "a single NumPy .npy array, not a gradwise archive"),
    (b"\x1f\x8b", "a gzip file, not a gradwise archive"),
)


def _json_default(value):
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (tuple, set)):
        return list(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{value!r} of type {type(value).__name__} cannot be written as JSON")


def encode_meta(meta):
    """The JSON bytes of `meta`, with the format name and version added.

    Raises
    ------
    ValueError
        Something in `meta` (a config value) cannot be written as JSON.
    """
    meta = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **meta}
    try:
        text = json.dumps(meta, default=_json_default, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"The model's configuration cannot be saved as JSON: {error}. Configs must hold only "
            "numbers, strings, booleans, None, lists and dicts."
        ) from None
    return text.encode("utf-8")


def write_archive(handle, meta, arrays):
    """Write `meta` (a JSON-ready dict) and `arrays` (name -> ndarray) to a binary file."""
    members = {META_KEY: np.frombuffer(encode_meta(meta), dtype=np.uint8)}
    for name, array in arrays.items():
        array = np.asarray(array)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"Array '{name}' has dtype {array.dtype}; only numeric arrays can be saved.")
        members[name] = array
    np.savez(handle, allow_pickle=False, **members)


def _sniff(head, label):
    if not head:
        raise ModelFileError(label, "the file is empty.")
    for magic, what in _FOREIGN_MAGIC:
        if head.startswith(magic):
            raise ModelFileError(label, f"it is {what}.")
    if head[:1] == b"\x80":
        raise ModelFileError(label, "it looks like a Python pickle; gradwise never loads pickles (they can run code).")
    if not head.startswith(_ZIP_MAGIC):
        raise ModelFileError(label, f"it is not a gradwise file (unrecognised content starting with {head[:8]!r}).")


def _open_source(source):
    """(label, file object) for a path or bytes; raises ModelFileError for missing files and folders."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "the given bytes", io.BytesIO(bytes(source))
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"`filepath` must be a str or os.PathLike, got {source!r} of type {type(source).__name__}.")
    path = os.fspath(source)
    label = f"'{path}'"
    if os.path.isdir(path):
        raise ModelFileError(label, "it is a folder, not a gradwise file.")
    if not os.path.exists(path):
        raise ModelFileError(label, "no such file.")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise ModelFileError(label, f"the file cannot be read ({error.strerror or error}).") from None
    return label, io.BytesIO(data)


def _decode_meta(array, label):
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ModelFileError(label, "its metadata is malformed (expected a byte string).")
    try:
        meta = json.loads(array.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ModelFileError(label, "its metadata is not valid JSON: the file is corrupt.") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_NAME:
        raise ModelFileError(label, "it is an archive, but not a gradwise file (unknown 'format').")
    version = meta.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ModelFileError(label, f"its format version {version!r} is not valid: the file is corrupt.")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            label,
            f"it was written by a newer gradwise (file format version {version}); this gradwise reads "
            f"format versions up to {FORMAT_VERSION}. Upgrade gradwise to load it.",
        )
    return meta


def read_archive(source):
    """Read a gradwise archive from a path or bytes.

    Returns
    -------
    label : str
        How to name the source in messages, e.g. ``"'model.gw'"``.
    meta : dict
    arrays : dict of str -> ndarray

    Raises
    ------
    ModelFileError
        For anything that is not an intact gradwise archive of a supported version.
    """
    label, handle = _open_source(source)
    _sniff(handle.getvalue()[:8], label)
    try:
        with np.load(handle, allow_pickle=False) as archive:
            damaged = archive.zip.testzip()  # reads every member and checks its CRC-32
            if damaged is not None:
                raise ModelFileError(
                    label, f"member {damaged!r} is damaged (CRC or header check failed): the file is corrupt."
                )
            if META_KEY not in archive.files:
                raise ModelFileError(label, "it is a zip/npz archive, but not a gradwise file (no gradwise metadata).")
            meta = _decode_meta(archive[META_KEY], label)
            arrays = {name: archive[name] for name in archive.files if name != META_KEY}
    except ModelFileError:
        raise
    except Exception as error:  # noqa: BLE001 - untrusted bytes: every parser failure is one error
        raise ModelFileError(label, f"the file is truncated or corrupt ({type(error).__name__}: {error}).") from None
    for name, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise ModelFileError(label, f"array '{name}' has dtype {array.dtype}; expected numbers.")
    return label, meta, arrays
