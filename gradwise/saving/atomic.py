"""Atomic file replacement: a crash or a kill mid-save never damages the previous file.

The bytes go to a temporary file in the target's folder (same file system, so the
rename is atomic), are flushed and fsynced, and only then ``os.replace`` puts them at
the target path. Until that rename the previous file is untouched; after it the new
file is complete.

A killed save leaves its temporary file behind. The writer holds an exclusive
``flock`` on its temporary file from creation to rename, and the OS drops that lock
when the process dies, so a later save or load of the same path can prove a leftover
abandoned and remove it: it must carry this module's name pattern for that path, be a
regular file owned by this user, be unlocked and be older than ``STALE_AFTER_S``
(which covers the instant between creating a file and locking it).
"""

import os
import re
import secrets
import stat
import time

try:
    import fcntl
except ImportError:  # Windows: no flock, so leftovers are never proven abandoned (and kept)
    fcntl = None

STALE_AFTER_S = 5.0


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


def _temporary_name(path):
    return f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp"


def _temporary_pattern(path):
    return re.compile(rf"\.{re.escape(os.path.basename(path))}\.[0-9a-f]{{12}}\.tmp")


def remove_stale_temporaries(path):
    """Remove the temporary files killed saves to `path` left behind; returns their names.

    Only files proven abandoned are removed (see the module docstring); anything else,
    including the temporary file of a save in progress in another process, is kept.
    Never raises for a file it cannot inspect or remove.
    """
    if fcntl is None:
        return []
    folder = os.path.dirname(os.path.abspath(path))
    pattern = _temporary_pattern(path)
    removed = []
    try:
        names = [name for name in os.listdir(folder) if pattern.fullmatch(name)]
    except OSError:
        return removed
    for name in names:
        candidate = os.path.join(folder, name)
        try:
            info = os.lstat(candidate)
            if (not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid()
                    or time.time() - info.st_mtime < STALE_AFTER_S):
                continue
            descriptor = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its writer lives
            opened = os.fstat(descriptor)
            if (opened.st_dev, opened.st_ino) == (info.st_dev, info.st_ino):
                os.remove(candidate)
                removed.append(name)
        except OSError:
            pass
        finally:
            os.close(descriptor)
    return removed


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
    If `write` raises, the temporary file is removed and `path` is left as it was. An
    ``OSError`` (a full disk, a file size limit) is raised again with a message naming
    `path` and saying that the previous file is intact. Temporary files of earlier
    saves to `path` that were killed are removed first (``remove_stale_temporaries``).
    """
    remove_stale_temporaries(path)
    folder = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(folder, _temporary_name(path))
    try:
        # O_EXCL: never follow or reuse an existing name; mode 0o666 lets the umask decide.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as error:
        raise _naming(error, path) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # proves the file in use until the rename
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            if fcntl is not None:
                os.replace(temporary, path)  # still locked: never seen unlocked under its temporary name
        if fcntl is None:
            os.replace(temporary, path)  # Windows cannot rename an open file
    except BaseException as error:
        try:
            os.remove(temporary)
        except OSError:
            pass
        if isinstance(error, OSError) and not isinstance(error, _NamedSaveError):
            raise _naming(error, path) from error
        raise
    _fsync_folder(folder)


class _NamedSaveError(OSError):
    """An OSError while saving, whose message names the file."""


def _naming(error, path):
    """`error` again, as an OSError of the same errno whose message names `path`."""
    reason = error.strerror or str(error)
    return _NamedSaveError(
        error.errno, f"Cannot save '{path}': {reason}. The previous file at that path, if any, is unchanged.")
