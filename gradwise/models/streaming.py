"""fit, evaluate and predict on generators, iterators and PyDatasets (see ``gradwise.feeds``).

Each batch a stream yields goes through the checks and conversions arrays get
(``TrainingMixin._prepare``), with the batch named in any error; class weights apply
per batch. The epoch loop itself is the arrays' (``TrainingMixin._fit_epochs``).
"""

import warnings

import numpy as np

from .. import feeds
from . import data


def _shown(value):
    return f"an array of shape {np.shape(value)}" if np.ndim(value) else repr(value)


class StreamingMixin:
    """The stream side of the training API; mixed into TrainingMixin."""

    def _no_steps_for_arrays(self, steps, validation_steps, validation_data, owner="fit"):
        name = "steps_per_epoch" if owner == "fit" else "steps"
        if steps is not None:
            raise ValueError(
                f"{owner}: `{name}` counts the batches of a generator or PyDataset; with arrays every call covers "
                f"all samples in batches of `batch_size`. Expected None, got {steps!r}.")
        if validation_steps is not None and not feeds.is_stream(validation_data):
            raise ValueError(
                "fit: `validation_steps` counts the batches of a validation generator or PyDataset; with "
                f"validation arrays it must be None, got {validation_steps!r}.")

    def _lengths_vary(self):
        """Whether an Input has a None axis: its batches' lengths may differ (Input(shape=(None,)))."""
        return self.built and any(d is None for shape in self._input_shapes for d in shape)

    def _stream_feed(self, *args, **kwargs):
        feed = feeds.stream_feed(*args, **kwargs)
        feed.lengths_vary = self._lengths_vary()
        return feed

    def _stream_prepare(self, class_weight=None):
        """What each stream batch goes through: the model's checks (naming the batch) and class weights."""
        def prepare(x, y, sample_weight, where):
            if y is None:
                return self._prepare_inputs(x, f"x {where}"), None, None
            x, targets, weights = self._prepare(x, y, sample_weight, f"x {where}", f"y {where}", f"sample_weight {where}")
            return x, targets, self._class_weighted(weights, targets, class_weight)
        return prepare

    def _fit_streams(self, x, y, batch_size, sample_weight, class_weight, validation_split, validation_data,
                     steps_per_epoch, validation_steps):
        """The training feed and the validation data (prepared arrays, a feed, or None) of a fit on a stream."""
        kind = feeds.streams.kind_of(x)
        for name, value in (("y", y), ("sample_weight", sample_weight), ("batch_size", batch_size)):
            if value is not None:
                raise ValueError(
                    f"fit: `{name}` must be None when `x` is {kind}: it yields (x, y) or (x, y, sample_weight) "
                    f"batches of its own size. Got {name}={_shown(value)}.")
        if validation_split:
            raise ValueError(
                f"fit: `validation_split` needs arrays to cut; `x` is {kind}. Pass validation_data=(x_val, y_val) "
                f"or a validation generator/PyDataset instead (got validation_split={validation_split!r}).")
        stream = self._stream_feed(x, steps_per_epoch)
        if not self.built:  # built from the first batch's shape, before the parameters are packed
            self._prepare_inputs(stream.first_x(), f"x {stream.where(1)}")
            stream.lengths_vary = self._lengths_vary()
        feed = feeds.Prepared(stream, self._stream_prepare(class_weight))
        return feed, self._validation_of(validation_data, validation_steps)

    def _validation_of(self, validation_data, validation_steps, finite=True):
        if validation_data is None:
            if validation_steps is not None:
                raise ValueError(f"fit: `validation_steps` needs `validation_data`; got validation_steps="
                                 f"{validation_steps!r} and no validation_data.")
            return None
        if feeds.is_stream(validation_data):
            feed = self._stream_feed(validation_data, validation_steps, "fit", "validation_data", "validation_steps")
            return feeds.Prepared(feed, self._stream_prepare())
        self._no_steps_for_arrays(None, validation_steps, validation_data)
        x_val, y_val, w_val = data.unpack_validation_data(validation_data)
        return self._prepare(x_val, y_val, w_val, "validation_data[0]", "validation_data[1]", "validation_data[2]",
                             keep_mapped=True, finite=finite)

    def _validate(self, validation, batch_size, epoch):
        """The validation logs of `epoch` (validation arrays, or the batches of a validation stream)."""
        if not getattr(validation, "stream", False):
            return self._evaluate_arrays(*validation, batch_size)
        return self._evaluate_batches(
            validation.batches(), None,
            f"fit: `validation_data` ({validation.kind}) yielded no batch for the validation after epoch "
            f"{epoch + 1}: a generator used for validation needs validation_steps batches for every "
            "validation run (validation_steps * epochs in all).")

    def _stop_ran_out(self, epoch, epochs, seen, feed):
        """A generator ended before `steps_per_epoch` batches: stop as Keras does, saying so. Returns whether
        the epoch is left unrecorded (it had no batch at all)."""
        message = (
            f"fit: `x` ({feed.kind}) ran out of batches at epoch {epoch + 1}/{epochs} after {seen} sample(s) of "
            f"that epoch; training stopped. A generator must yield steps_per_epoch * epochs = "
            f"{feed.steps} * {epochs} batches (loop over the data forever inside it), or give a PyDataset.")
        self.stop_training = True
        self.stop_reason = message
        warnings.warn(message, UserWarning, stacklevel=4)
        return seen == 0

    def _evaluate_stream(self, x, y, batch_size, sample_weight, steps):
        kind = feeds.streams.kind_of(x)
        for name, value in (("y", y), ("sample_weight", sample_weight), ("batch_size", batch_size)):
            if value is not None:
                raise ValueError(f"evaluate: `{name}` must be None when `x` is {kind} (it yields the batches); "
                                 f"got {name}={_shown(value)}.")
        feed = self._stream_feed(x, steps, "evaluate", "x", "steps", require_steps=False)
        return self._evaluate_batches(feeds.Prepared(feed, self._stream_prepare()).batches(), None,
                                      f"evaluate: `x` ({kind}) yielded no batch.")

    def _predict_stream(self, x, batch_size, steps):
        kind = feeds.streams.kind_of(x)
        if batch_size is not None:
            raise ValueError(f"predict: `batch_size` must be None when `x` is {kind} (it yields the batches); "
                             f"got batch_size={batch_size!r}.")
        feed = self._stream_feed(x, steps, "predict", "x", "steps", with_targets=False, require_steps=False)
        parts = []
        for inputs, _, _ in feeds.Prepared(feed, self._stream_prepare()).batches():
            parts.append(self._predict_lists(inputs, inputs[0].shape[0]))
        if not parts:
            raise ValueError(f"predict: `x` ({kind}) yielded no batch.")
        return [np.concatenate(outputs) for outputs in zip(*parts)]
