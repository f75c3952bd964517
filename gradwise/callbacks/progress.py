"""Progress output of fit: verbose=1 (a live bar in a terminal, else plain lines), verbose=2.

- verbose=1 with stdout a terminal: a tqdm bar per epoch with the step count, ETA and
  the running loss and metrics. tqdm is an optional dependency (extra 'tools'),
  imported here only when a bar is shown; without it, plain lines.
- verbose=1 otherwise (a file, a pipe, a notebook's captured output, CI logs): one
  plain line per epoch with the step count, time per step and every logged value; no
  carriage returns or control characters.
- verbose=2: one line per epoch with the duration and every logged value.

Only the bar observes batches; the plain-line loggers cost nothing per batch.
"""

import importlib.util
import sys
import time

from .base import Callback


def _format_value(value):
    if isinstance(value, float):
        return f"{value:.3e}" if value and abs(value) < 1e-3 else f"{value:.4f}"
    return str(value)


def format_logs(logs):
    """``'loss: 0.6931 - accuracy: 0.5000'`` from a dict of logs."""
    return " - ".join(f"{key}: {_format_value(value)}" for key, value in logs.items())


class ProgressLogger(Callback):
    """Prints one plain line per epoch (verbose=2; verbose=1 adds steps and time per step)."""

    def __init__(self, verbose=2, stream=None):
        super().__init__()
        self.verbose = verbose
        self.stream = stream or sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        total = self.params.get("epochs", "?")
        parts = [f"Epoch {epoch + 1}/{total}"]
        if self.verbose == 1:
            steps = self.params.get("steps") or 1
            parts.append(f"{steps}/{steps} steps - {seconds:.2f}s {1000 * seconds / steps:.0f}ms/step")
        else:
            parts.append(f"{seconds:.2f}s")
        if logs:
            parts.append(format_logs(logs))
        print(" - ".join(parts), file=self.stream, flush=True)


class ProgressBar(Callback):
    """A tqdm bar per epoch: steps done, ETA, and the running loss and metrics.

    Parameters
    ----------
    stream : file-like, optional
        Defaults to ``sys.stdout`` at the start of training.
    refresh_seconds : float
        The shown metrics are updated at most this often (the bar itself follows
        tqdm's own refresh rate).
    """

    def __init__(self, stream=None, refresh_seconds=0.1):
        super().__init__()
        self.stream = stream
        self.refresh_seconds = refresh_seconds
        self._bar = None

    def on_train_begin(self, logs=None):
        from tqdm import tqdm  # optional dependency: imported only when a bar is shown

        self._tqdm = tqdm
        self._stream = self.stream or sys.stdout

    def on_epoch_begin(self, epoch, logs=None):
        self._close()
        total = self.params.get("epochs", "?")
        self._bar = self._tqdm(total=self.params.get("steps"), desc=f"Epoch {epoch + 1}/{total}", unit="step",
                               file=self._stream, leave=True, dynamic_ncols=True)
        self._shown = 0.0

    def on_train_batch_end(self, batch, logs=None):
        self._bar.update(1)
        now = time.perf_counter()
        if logs and now - self._shown >= self.refresh_seconds:
            self._bar.set_postfix_str(format_logs(logs), refresh=False)
            self._shown = now

    def on_epoch_end(self, epoch, logs=None):
        if self._bar is not None:
            self._bar.set_postfix_str(format_logs(logs or {}), refresh=False)
            self._close()

    def on_train_end(self, logs=None):
        self._close()

    def _close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _is_terminal(stream):
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def progress_callback(verbose, stream=None):
    """The progress callback fit attaches for `verbose` (1 or 2), or None for 0."""
    if not verbose:
        return None
    stream = stream or sys.stdout
    if verbose == 1 and _is_terminal(stream) and importlib.util.find_spec("tqdm") is not None:
        return ProgressBar(stream)
    return ProgressLogger(verbose, stream)
