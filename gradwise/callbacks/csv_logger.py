"""CSVLogger: one row per epoch in a CSV file."""

import csv
import os

from ._paths import check_writable_file
from .base import Callback


class CSVLogger(Callback):
    """Write each epoch's logs as a row of a CSV file: ``epoch`` then the keys in sorted order.

    The file is created (and its folder, if missing) in ``on_train_begin``, so a path
    that cannot be written fails before the first epoch. Each row is written and the
    file closed at the end of its epoch, so the file is complete after a crash.

    Parameters
    ----------
    filename : str or path-like
    separator : str, default ','
    append : bool, default False
        Append to an existing file (its header is kept, and must name the same keys)
        instead of overwriting it.

    Examples
    --------
    >>> model.fit(x, y, epochs=10, callbacks=[CSVLogger("training.csv")])  # doctest: +SKIP
    """

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"CSVLogger: `filename` must be a str or path, got {type(filename).__name__}.")
        if not isinstance(separator, str) or len(separator) != 1:
            raise ValueError(f"CSVLogger: `separator` must be a single character, got {separator!r}.")
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = bool(append)
        self.keys = None

    def on_train_begin(self, logs=None):
        check_writable_file("CSVLogger", "filename", self.filename)
        self.keys = None
        self._existing_header = None
        try:
            if self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0:
                with open(self.filename, newline="") as handle:
                    self._existing_header = next(csv.reader(handle, delimiter=self.sep), None)
            open(self.filename, "a" if self.append else "w").close()
        except OSError as error:
            raise ValueError(f"CSVLogger: cannot write filename={self.filename!r}: {error.strerror or error}.") from error

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        write_header = False
        if self.keys is None:
            self.keys = sorted(logs)
            header = ["epoch", *self.keys]
            if self._existing_header is None:
                write_header = True
            elif self._existing_header != header:
                raise ValueError(
                    f"CSVLogger: cannot append to {self.filename!r}: its columns are {self._existing_header} "
                    f"but this training logs {header}. Use another file or append=False."
                )
        with open(self.filename, "a", newline="") as handle:
            writer = csv.writer(handle, delimiter=self.sep)
            if write_header:
                writer.writerow(["epoch", *self.keys])
            writer.writerow([epoch, *(_cell(logs.get(key, "NA")) for key in self.keys)])


def _cell(value):
    return repr(float(value)) if isinstance(value, float) else value
