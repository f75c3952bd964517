"""Progress output for verbose=1 and verbose=2 (one line per epoch)."""

import sys
import time

from .base import Callback


def format_logs(logs):
    return " - ".join(f"{key}: {value:.4f}" if isinstance(value, float) else f"{key}: {value}" for key, value in logs.items())


class ProgressLogger(Callback):
    """Prints one line per epoch: number, duration and every logged value."""

    def __init__(self, verbose=2, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        total = self.params.get("epochs", "?")
        print(f"Epoch {epoch + 1}/{total} - {seconds:.2f}s - {format_logs(logs or {})}", file=self.stream, flush=True)
