"""Checks that a callback can write where it was told to, made before the first epoch."""

import os
import tempfile


def check_writable_file(owner, argument, path):
    """Create the parent folder if needed and prove it writable; raise a clear ValueError otherwise.

    `path` may hold ``{...}`` format fields (ModelCheckpoint): the folder checked is the
    longest leading part of the path without one.
    """
    path = os.fspath(path)
    if "{" in path:
        folder = os.path.dirname(path[:path.index("{")] + "x")
    else:
        if os.path.isdir(path):
            raise ValueError(f"{owner}: `{argument}` {path!r} is an existing directory; give a file path inside it.")
        folder = os.path.dirname(path)
    folder = folder or "."
    try:
        existing = _nearest_existing(folder)
        if os.path.isdir(existing) and not os.stat(existing).st_mode & 0o222:
            # marked read-only: refuse even where root could write
            raise PermissionError(13, f"{existing!r} is read-only")
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".gradwise-write-test-"):
            pass
    except OSError as error:
        raise ValueError(
            f"{owner}: cannot write {argument}={path!r}: the folder {folder!r} cannot be created or written "
            f"({type(error).__name__}: {error.strerror or error}). Choose a writable location."
        ) from error
    return folder


def _nearest_existing(folder):
    folder = os.path.abspath(folder)
    while not os.path.exists(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    return folder
