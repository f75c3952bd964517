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
import struct
import zipfile
import zlib

import numpy as np

from .atomic import remove_stale_temporaries
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
    remove_stale_temporaries(path)  # left by saves to this path that were killed
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


# Sane limits for untrusted files, checked before anything is inflated or allocated.
MAX_MEMBERS = 50_000
MAX_META_BYTES = 64 * 2**20
# gradwise writes members uncompressed; a re-zipped file may deflate them, but the arrays
# it declares may not take more than this many times the file's own size (plus 1 MiB).
MAX_INFLATION = 8
_NPY_HEADER_LIMIT = 10_000


def _declared_member_count(content):
    """The member count the zip's end record declares (read before the central directory is parsed), or None."""
    position = content.rfind(b"PK\x05\x06", max(0, len(content) - 2**16 - 22))
    if position < 0 or position + 22 > len(content):
        return None
    count = struct.unpack_from("<H", content, position + 10)[0]
    locator = position - 20
    if count == 0xFFFF and locator >= 0 and content[locator:locator + 4] == b"PK\x06\x07":
        record = struct.unpack_from("<Q", content, locator + 8)[0]
        if record + 40 <= len(content) and content[record:record + 4] == b"PK\x06\x06":
            count = struct.unpack_from("<Q", content, record + 32)[0]
    return count


def _check_members(infos, file_size, label):
    """Refuse archives whose declared members are malformed or would inflate beyond the limits."""
    if len(infos) > MAX_MEMBERS:
        raise ModelFileError(label, f"it declares {len(infos)} archive members (limit {MAX_MEMBERS}): refused.")
    names, declared = set(), 0
    for info in infos:
        name = info.filename
        if not name.endswith(".npy") or name in names or info.is_dir():
            raise ModelFileError(label, f"archive member {name!r} is not a uniquely named .npy array.")
        names.add(name)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ModelFileError(label, f"archive member {name!r} uses an unsupported compression method.")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise ModelFileError(label, f"archive member {name!r} declares inconsistent sizes: the file is corrupt.")
        declared += info.file_size
    limit = MAX_INFLATION * file_size + 2**20
    if declared > limit:
        raise ModelFileError(
            label, f"its members declare {declared} bytes once inflated, more than {MAX_INFLATION} times the "
            f"file's {file_size} bytes: refused (a decompression bomb or a corrupt file).")


def _read_member(archive, info, label):
    """The array in one member, after checking its .npy header against the member's declared size."""
    try:
        with archive.open(info) as member:
            return _read_npy(member, info, label)
    except (zipfile.BadZipFile, EOFError, zlib.error):  # reading to the end checks the CRC-32
        raise ModelFileError(
            label, f"member {info.filename!r} is damaged (CRC or header check failed): the file is corrupt.") from None


def _read_npy(member, info, label):
    name = info.filename[:-len(".npy")]
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(member, max_header_size=_NPY_HEADER_LIMIT)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(member, max_header_size=_NPY_HEADER_LIMIT)
    else:
        raise ModelFileError(label, f"array '{name}' has an unsupported .npy version {version}.")
    if dtype.kind not in "biuf" or dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFileError(label, f"array '{name}' has dtype {dtype}; expected numbers.")
    count = 1
    for dimension in shape:
        count *= dimension
    size, held = count * dtype.itemsize, info.file_size - member.tell()
    if size != held:
        raise ModelFileError(
            label, f"array '{name}' declares shape {shape} ({size} bytes) but its member holds {held} bytes: "
            "the file is corrupt.")
    if name == META_KEY and size > MAX_META_BYTES:
        raise ModelFileError(label, f"its metadata declares {size} bytes (limit {MAX_META_BYTES}): refused.")
    data = bytearray(size)
    if member.readinto(data) != size or member.read(1):
        raise ModelFileError(label, f"member {info.filename!r} is truncated: the file is corrupt.")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


def read_archive(source):
    """Read a gradwise archive from a path or bytes.

    Sizes are checked before anything is allocated: the archive's member count, the
    inflated size every member declares (against the file's size), and each ``.npy``
    header's shape against the bytes its member holds. Every member's CRC-32 is checked,
    so a flipped byte is an error, never a silently different model.

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
    content = handle.getvalue()
    _sniff(content[:8], label)
    declared = _declared_member_count(content)
    if declared is not None and declared > MAX_MEMBERS:
        raise ModelFileError(label, f"it declares {declared} archive members (limit {MAX_MEMBERS}): refused.")
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
            if META_KEY + ".npy" not in {info.filename for info in infos[:MAX_MEMBERS]}:
                raise ModelFileError(label, "it is a zip/npz archive, but not a gradwise file (no gradwise metadata).")
            _check_members(infos, len(content), label)
            arrays = {info.filename[:-len(".npy")]: _read_member(archive, info, label) for info in infos}
        meta = _decode_meta(arrays.pop(META_KEY), label)
    except ModelFileError:
        raise
    except Exception as error:  # noqa: BLE001 - untrusted bytes: every parser failure is one error
        raise ModelFileError(label, f"the file is truncated or corrupt ({type(error).__name__}: {error}).") from None
    return label, meta, arrays
