"""Re-zipped gradwise files: valid zip structure and CRCs around hostile or malformed content."""

import io
import json
import zipfile

import numpy as np

META_MEMBER = "gradwise_meta.npy"


def members(data):
    """name -> raw member bytes of a zip."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def meta_of(data):
    raw = members(data)[META_MEMBER]
    return json.loads(np.load(io.BytesIO(raw), allow_pickle=False).tobytes().decode())


def meta_bytes(meta):
    return npy_bytes(np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))


def rezip(entries, compression=zipfile.ZIP_STORED):
    """A zip holding `entries` (name -> bytes, or (bytes, compression)); CRCs are computed afresh."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            content, method = content if isinstance(content, tuple) else (content, compression)
            archive.writestr(zipfile.ZipInfo(name), content, compress_type=method)
    return buffer.getvalue()


def with_meta(data, meta):
    entries = members(data)
    entries[META_MEMBER] = meta_bytes(meta)
    return rezip(entries)
