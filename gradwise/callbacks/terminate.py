"""TerminateOnNaN, and the warning fit gives when the loss stops being finite."""

import math
import numbers

from .base import Callback


class NonFiniteLossWarning(UserWarning):
    """Training stopped because a loss or a logged value became NaN or Inf.

    A UserWarning (not a RuntimeWarning): it reports a decision fit made, and the same
    message is kept on ``model.stop_reason``.
    """


class TerminateOnNaN(Callback):
    """Stop training when an epoch logs a NaN or Inf value (the validation loss, a metric).

    fit itself already stops at the first batch whose loss is NaN or Inf, before that
    batch's update is applied, so this callback has no per-batch work to do: it checks
    every value logged at the end of each epoch, which catches a validation loss that
    overflows while the training loss is still finite.

    Examples
    --------
    >>> model.fit(x, y, validation_split=0.2, callbacks=[TerminateOnNaN()])  # doctest: +SKIP
    """

    def on_epoch_end(self, epoch, logs=None):
        for key, value in (logs or {}).items():
            if isinstance(value, numbers.Real) and not math.isfinite(value):
                message = f"TerminateOnNaN: {key} is {value} at epoch {epoch + 1}; training stopped."
                print(message)
                self.model.stop_training = True
                self.model.stop_reason = message
                return
