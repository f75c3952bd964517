"""LambdaCallback: a callback made of plain functions."""

from .base import Callback

_HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end", "on_train_batch_begin",
          "on_train_batch_end")


class LambdaCallback(Callback):
    """Build a callback from functions, as in Keras.

    Parameters
    ----------
    on_epoch_begin, on_epoch_end : callable (epoch, logs), optional
    on_train_begin, on_train_end : callable (logs), optional
    on_train_batch_begin, on_train_batch_end : callable (batch, logs), optional
        Only a batch hook that is given makes fit build per-batch logs.

    Examples
    --------
    >>> losses = []
    >>> keep = LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None):
        super().__init__()
        given = dict(zip(_HOOKS, (on_epoch_begin, on_epoch_end, on_train_begin, on_train_end,
                                  on_train_batch_begin, on_train_batch_end)))
        for hook, function in given.items():
            if function is None:
                continue
            if not callable(function):
                raise TypeError(f"LambdaCallback: `{hook}` must be callable or None, got {function!r}.")
            setattr(self, hook, function)  # an instance attribute: CallbackList sees it as provided
