"""Atomic file replacement: a crash or a kill mid-save never damages the previous file.

The bytes go to a temporary file in the target's folder (same file system, so the
rename is atomic), are flushed and fsynced, and only then ``os.replace`` puts them at
the target path. Until that rename the previous file is untouched; after it the new
file is complete.
"""

import os
import secrets


def check_writable(filepath, overwrite=True):
    """Raise a clear error now if `filepath` cannot be saved to.

    Parameters
    ----------
    filepath : str or os.PathLike
    overwrite : bool
        When False, an existing file is an error.

    Returns
    -------
    str
        The path as a string.

    Raises
    ------
    TypeError
        `filepath` is not a path.
    ValueError
        The path is a folder, its folder does not exist or is not writable.
    FileExistsError
        The file exists and `overwrite` is False.
    """
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"`filepath` must be a str or os.PathLike, got {filepath!r} of type {type(filepath).__name__}.")
    path = os.fspath(filepath)
    if not path or path.endswith(os.sep):
        raise ValueError(f"`filepath` must name a file, got {path!r}.")
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ValueError(f"Cannot save to '{path}': it is a folder; give a file name inside it.")
    if not os.path.isdir(folder):
        raise ValueError(f"Cannot save to '{path}': the folder '{folder}' does not exist (or is not a folder).")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"Cannot save to '{path}': the folder '{folder}' is not writable.")
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"Cannot save to '{path}': the file exists and overwrite=False.")
    return path


def _fsync_folder(folder):
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:  # some platforms (Windows) cannot open folders; the rename is still atomic
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def atomic_write(path, write):
    """Call ``write(file)`` on a temporary file, then atomically move it to `path`.

    Parameters
    ----------
    path : str
        The target; its folder must exist.
    write : callable
        Receives a binary file object open for writing.

    Notes
    -----
    If `write` raises, the temporary file is removed and `path` is left as it was.
    """
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never follow or reuse an existing name; mode 0o666 lets the umask decide.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise
    _fsync_folder(folder)
