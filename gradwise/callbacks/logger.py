"""LoggingCallback: report training through Python's ``logging`` every N epochs."""

import logging
import numbers

from .base import Callback
from .progress import format_logs


class LoggingCallback(Callback):
    """Log one line every `every` epochs, and one when training ends.

    Parameters
    ----------
    every : int >= 1, default 1
        Log after epochs ``every``, ``2 * every``, ... (1-based), and after the last
        epoch that ran, whatever its number.
    logger : logging.Logger or str, optional
        A logger or a logger name; defaults to ``logging.getLogger('gradwise')``.
    level : int, default logging.INFO

    Examples
    --------
    >>> logging.basicConfig(level=logging.INFO)
    >>> model.fit(x, y, epochs=100, verbose=0, callbacks=[LoggingCallback(every=10)])  # doctest: +SKIP
    """

    def __init__(self, every=1, logger=None, level=logging.INFO):
        super().__init__()
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"LoggingCallback: `every` must be a positive int, got {every!r}.")
        if logger is None or isinstance(logger, str):
            logger = logging.getLogger(logger or "gradwise")
        elif not isinstance(logger, (logging.Logger, logging.LoggerAdapter)):
            raise TypeError(f"LoggingCallback: `logger` must be a logging.Logger, a logger name or None, got {logger!r}.")
        self.every = int(every)
        self.logger = logger
        self.level = level

    def on_train_begin(self, logs=None):
        self._last = None
        self._logged = None

    def on_epoch_end(self, epoch, logs=None):
        self._last = (epoch, dict(logs or {}))
        if (epoch + 1) % self.every == 0:
            self._log(epoch, logs or {})

    def on_train_end(self, logs=None):
        if self._last is not None and self._logged != self._last[0]:
            self._log(*self._last)
        reason = getattr(self.model, "stop_reason", None)
        if reason:
            self.logger.log(self.level, "Training stopped: %s", reason)

    def _log(self, epoch, logs):
        total = self.params.get("epochs", "?")
        self.logger.log(self.level, "Epoch %d/%s - %s", epoch + 1, total, format_logs(logs))
        self._logged = epoch
