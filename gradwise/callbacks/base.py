"""Callback, the list that dispatches to callbacks, and History.

A callback is an observer of fit: the model calls its hooks after each batch and
epoch. An epoch cut short by a NaN/Inf loss gets ``on_epoch_failed`` instead of
``on_epoch_end`` (History records it there, as Keras' History records that epoch). Batch hooks cost nothing unless a callback actually provides one: fit builds
the batch logs only when some callback overrides ``on_train_batch_begin/end`` in its
class or sets it on the instance (as ``LambdaCallback`` does). The same holds for
``on_train_step(step, data)``, gradwise's hook for observers that need the batch
itself (the doctor): `step` counts the batches of the fit, `data` is a dict (gathered
lazily, ``models/step_data.py``: read it during the call) with the
batch's ``inputs``, ``targets``, ``sample_weight``, ``outputs``, ``logits`` (None
unless the loss reads the output layer's logits), ``loss``, ``layer_outputs`` (layer
name -> that layer's outputs), ``epoch``, ``batch`` and ``updated`` (False when a
non-finite loss skipped the update). It is called after the optimizer step, so the
gradient buffer holds this batch's gradients. An observer that needs the data of only some
batches also provides ``on_train_loss(step, loss)``: it is called after every batch with
its loss (a float) and returns True when it wants this batch's ``on_train_step``; other
batches cost it one call and no ``data`` dict (the doctor samples a few batches this way).
Such an observer may also say *before* each batch whether it will ask for it:
``wants_step_data(step)`` returns True when its ``on_train_loss`` will return True for
this batch, given a finite loss. A model that trains in one compiled call
(``models/chain_step.py``), which keeps no layer's outputs, then runs that call on the
batches no observer wants and the layer-by-layer step on the others; a batch whose
compiled step ends in a non-finite loss (nothing was updated) is run again layer by layer,
so its observers see it whole. Without ``wants_step_data``, an observer of the step keeps
the layer-by-layer step for the whole fit. A step that ran compiled and was asked for
anyway has no ``logits`` or ``layer_outputs`` (reading them raises a RuntimeError that says why).

``on_train_end`` also runs when fit raises or is interrupted, so an observer can
always clean up.
"""

import warnings


class Callback:
    """Base class: override any of the hooks. ``self.model`` is set before training.

    ``treats_non_finite_data``: a callback that sets it True (the doctor) gets NaN/Inf found
    in fit's training or validation arrays through ``on_non_finite_data(data)`` before
    training, instead of fit refusing them (``gradwise.models.nonfinite``).
    """

    treats_non_finite_data = False

    def __init__(self):
        self.model = None
        self.params = {}

    def set_model(self, model):
        self.model = model

    def set_params(self, params):
        self.params = params

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch, logs=None): ...
    def on_epoch_end(self, epoch, logs=None): ...
    def on_epoch_failed(self, epoch, logs=None): ...
    def on_train_batch_begin(self, batch, logs=None): ...
    def on_train_batch_end(self, batch, logs=None): ...
    def on_train_step(self, step, data): ...
    def on_train_loss(self, step, loss): ...
    def wants_step_data(self, step): ...
    def on_non_finite_data(self, data): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...


def _overrides(callback, hook):
    """True when `callback` provides its own `hook` (in its class or on the instance)."""
    method = getattr(callback, hook, None)
    return getattr(method, "__func__", method) is not getattr(Callback, hook)


def as_list(callbacks, owner="fit"):
    """`callbacks` as a list of Callback: None, one Callback (as Keras accepts), or an iterable of them.

    Raises
    ------
    TypeError
        Anything else, naming `owner`'s argument and the offending item.
    """
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, (str, bytes, dict)) or not hasattr(callbacks, "__iter__"):
        raise TypeError(
            f"{owner}: `callbacks` must be a Callback or a list of them, got {callbacks!r} of type "
            f"{type(callbacks).__name__}."
        )
    items = list(callbacks)
    for index, item in enumerate(items):
        if not isinstance(item, Callback):
            raise TypeError(
                f"{owner}: `callbacks[{index}]` must be a gradwise Callback (subclass "
                f"gradwise.callbacks.Callback), got {item!r} of type {type(item).__name__}."
            )
    return items


class CallbackList:
    """Calls each hook on every callback, in order."""

    def __init__(self, callbacks, model, params):
        self.callbacks = list(callbacks)
        for callback in self.callbacks:
            callback.set_model(model)
            callback.set_params(params)
        self.wants_batch_begin = any(_overrides(c, "on_train_batch_begin") for c in self.callbacks)
        self.wants_batch_end = any(_overrides(c, "on_train_batch_end") for c in self.callbacks)
        self.wants_train_step = any(_overrides(c, "on_train_step") for c in self.callbacks)
        # (callback, gated): a gated observer's on_train_loss says which steps it wants the data of
        self._step_observers = [(c, _overrides(c, "on_train_loss")) for c in self.callbacks
                                if _overrides(c, "on_train_step")]
        # the observers' own forecasts of the steps they will ask for (all of them, or none is used)
        forecasters = [c for c, gated in self._step_observers if gated and _overrides(c, "wants_step_data")]
        self._forecasters = forecasters if len(forecasters) == len(self._step_observers) else None

    @property
    def needs_every_step(self):
        """True when some observer of the step cannot say beforehand which steps it wants (then a
        compiled step, which keeps no layer's outputs, cannot run)."""
        return self.wants_train_step and self._forecasters is None

    def step_data_wanted(self, step):
        """Whether some observer will ask for this step's data (``wants_step_data``); True where
        one cannot say."""
        if self._forecasters is None:
            return self.wants_train_step
        for callback in self._forecasters:  # (looked up each time: an observer may rebind its hook)
            if callback.wants_step_data(step):
                return True
        return False

    def __iter__(self):
        return iter(self.callbacks)

    def call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def call_train_step(self, step, loss, source, epoch, batch, inputs, targets, sample_weight, tape, outputs=None):
        """``on_train_step`` on the callbacks that provide it (it runs after every batch), each gated by
        its ``on_train_loss`` when it has one; the ``StepData`` is built (by `source`) only when some
        callback takes it, and closed afterwards: the next step recycles its arrays. `tape` is None
        after a compiled step, whose `outputs` are then given."""
        data = None
        for callback, gated in self._step_observers:
            if gated and not callback.on_train_loss(step, loss):
                continue
            if data is None:
                data = source.data(epoch, batch, inputs, targets, sample_weight, loss, tape, outputs)
            callback.on_train_step(step, data)
        if data is not None:
            data.close()

    def end_after_error(self):
        """on_train_end for every callback after fit raised; their own errors become warnings,
        so the one that stopped fit is the one the caller sees."""
        for callback in self.callbacks:
            try:
                callback.on_train_end({})
            except Exception as error:  # noqa: BLE001 - reported, the original error wins
                warnings.warn(f"{type(callback).__name__}.on_train_end failed after fit raised: {error!r}",
                              RuntimeWarning, stacklevel=2)


class History(Callback):
    """Records every epoch's logs: ``history.history['loss']`` is a list, one value an epoch.

    An epoch stopped by a NaN/Inf loss is recorded too, with that loss, as Keras records
    it (so ``pd.DataFrame(history.history)`` keeps one row per epoch run).
    """

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.history = {}
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)

    def on_epoch_failed(self, epoch, logs=None):
        self.on_epoch_end(epoch, logs)
