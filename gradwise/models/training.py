"""compile, fit, evaluate, predict and train_on_batch for models that run on a Graph.

One training step: forward through the graph (``graph.py``), the loss and its gradient
(fused with a sigmoid/softmax output layer when the loss can take its logits, which
it reads in that layer's cache), backward through the graph into the zeroed flat
gradient buffer, regularizer gradients, one optimizer step. The step's values live in
its Tape, never on the layers or the model, so predict and evaluate may run in several
threads on one model.

A step whose loss is NaN or Inf is never applied: ``_train_step`` checks the loss
before the backward pass, and fit then stops with a ``NonFiniteLossWarning`` naming the
epoch and batch (the message is kept on ``model.stop_reason``). The per-batch cost of
this is one scalar check; batch logs are built only when a callback observes batches.
"""

import math
import warnings

import numpy as np

from .. import losses, metrics as metrics_module, optimizers
from ..callbacks import CallbackList, History, NonFiniteLossWarning, as_list
from ..callbacks.progress import progress_callback
from ..layers.base import ActivatedLayer
from . import data

# evaluate/predict cut their batches so that one layer's outputs for a slice hold at most
# this many elements (16 MB in float32); see TrainingMixin._inference_slices.
INFERENCE_ELEMENTS = 1 << 22


class TrainingMixin:
    """The training API; mixed into Sequential."""

    stop_reason = None  # why the last fit stopped before its last epoch, or None

    # ----- compile ----------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        """Choose the optimizer, the loss and the metrics (Keras' defaults and names)."""
        if loss is None:
            raise ValueError("compile: `loss` is required, e.g. loss='binary_crossentropy'.")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"compile: `metrics` must be a list such as ['accuracy'], got {type(metrics).__name__}.")
        self._metric_specs = list(metrics or [])
        self._metrics = None
        self.compiled = True
        # Keras's rule: `trainable` is read here; the next use of the parameters repacks them
        self._compiled_trainable = {id(layer): layer.trainable for layer in self._all_layers()}
        self._parameter_set = None

    def _warn_trainable_changed(self):
        """fit after a `trainable` change without compile: the change waits for compile (Keras's rule)."""
        changed = [layer.name for layer in self._all_layers()
                   if self._compiled_trainable.get(id(layer), layer.trainable) != layer.trainable]
        if changed:
            warnings.warn(
                f"fit: `trainable` of layer(s) {changed} changed since compile; it takes effect at the next "
                "model.compile(...), so this fit trains as compiled. Call compile again to apply it.",
                UserWarning, stacklevel=3)

    def _require_compiled(self, what):
        if not self.compiled:
            raise ValueError(f"{what}: the model must be compiled first: call model.compile(optimizer, loss, metrics).")

    @property
    def metrics(self):
        """The compiled metric objects (resolved once the output shape is known)."""
        if self._metrics is None:
            self._metrics = [metrics_module.get(spec, self.loss, self.output_shape) for spec in self._metric_specs]
        return self._metrics

    @property
    def metrics_names(self):
        return ["loss"] + [m.name for m in self.metrics]

    def _fused_output(self):
        """The indices of the output nodes whose logits the loss reads (stable, and no softmax
        backward): an output layer with the loss's activation and no activity regularizer."""
        graph = self._graph
        node_index = next(index for index, node in enumerate(graph.nodes) if node.output == graph.outputs[0])
        last = graph.nodes[node_index].layer
        activation = getattr(last, "activation", None)
        fusable = (
            self.loss.fused_activation is not None
            and not self.loss.from_logits
            and getattr(activation, "name", None) == self.loss.fused_activation
            and isinstance(last, ActivatedLayer)
            and last.activity_regularizer is None
            # a softmax over another axis than the classes' is not what the loss's logits form assumes
            and getattr(activation, "axis", -1) in (-1, len(self.output_shape))
        )
        return (node_index,) if fusable else ()

    # ----- the step ---------------------------------------------------------------------
    def _logits(self, tape, fused):
        """The pre-activation of the fused output node, from its cache."""
        return self._graph.nodes[fused[0]].layer.logits(tape.caches[fused[0]])

    def _loss_and_gradient(self, targets, tape, sample_weight, fused):
        outputs = tape.values[self._graph.outputs[0]]
        if fused:
            return self.loss.fused_value_and_gradient(targets, self._logits(tape, fused), outputs, sample_weight)
        return self.loss.value_and_gradient(targets, outputs, sample_weight, logits=self.loss.from_logits)

    def _penalties(self, tape, batch):
        graph = self._graph
        total = graph.activity_penalty(tape, batch) if graph.activity_nodes else 0.0
        for layer in graph.regularized:
            total += layer.regularization_penalty()
        return total

    def _backward(self, tape, grad, fused, batch, parameter_set):
        self._graph.backward(tape, [grad], fused, batch)  # writes every trained gradient
        for layer in self._graph.regularized:
            if id(layer) in self._trained_ids:
                layer.add_regularization_gradients()

    def _train_step(self, inputs, targets, sample_weight, fused, parameter_set, previous=None):
        """Forward, loss, backward, update; returns (loss, tape). A non-finite loss skips the update.
        `previous`: the last step's tape, released as this one is made (see Graph.forward)."""
        tape = self._graph.forward([inputs], training=True, recycle=previous)
        value, grad = self._loss_and_gradient(targets, tape, sample_weight, fused)
        batch = inputs.shape[0]
        value += self._penalties(tape, batch)
        if not math.isfinite(value):
            return value, tape
        self._backward(tape, grad, fused, batch, parameter_set)
        self.optimizer.step(parameter_set)
        return value, tape

    def compute_gradients(self, x, y, sample_weight=None, training=True):
        """Loss (penalties included) and the gradient of every trainable tensor, without a step.

        Returns
        -------
        loss : float
        grads : dict of str -> ndarray
            Copies, keyed like ``"dense_1/kernel"``.
        """
        self._require_compiled("compute_gradients")
        x, targets, weights = self._prepare(x, y, sample_weight)
        parameter_set = self.parameter_set
        fused = self._fused_output()
        tape = self._graph.forward([x], training=training)
        value, grad = self._loss_and_gradient(targets, tape, weights, fused)
        value += self._penalties(tape, x.shape[0])
        self._backward(tape, grad, fused, x.shape[0], parameter_set)
        return value, {name: view.copy() for name, view in parameter_set.grad_views.items()}

    # ----- fit --------------------------------------------------------------------------
    def _prepare(self, x, y, sample_weight, name_x="x", name_y="y", name_w="sample_weight"):
        x = data.as_features(x, name_x, self.dtype, self._input_shape if self.built else None)
        if not self.built:
            self.build(x.shape[1:])
        y = data.as_targets(y, name_y, x.shape[0])
        targets = self.loss.prepare_targets(y, self.output_shape)
        if np.issubdtype(targets.dtype, np.floating) and targets.dtype != self.dtype:
            targets = targets.astype(self.dtype)
        weights = data.as_sample_weight(sample_weight, name_w, x.shape[0])
        return x, targets, weights

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, stratify_split=False):
        """Train for `epochs` epochs; returns a History whose ``.history`` maps each key to a list.

        Keras' arguments, plus:

        stratify_split : bool, default False
            With `validation_split`, hold out a stratified random fraction of each class
            (scikit-learn's ``train_test_split(stratify=...)``, seeded by the model)
            instead of Keras' last fraction. Without it, a validation fraction whose
            labels hold a single class (class-sorted data) gives a UserWarning.

        The logs of every epoch hold the loss, the metrics, their ``val_`` versions and
        the learning rate in effect ('learning_rate'). A NaN or Inf batch loss stops
        training before that batch's update, with a ``NonFiniteLossWarning`` naming the
        epoch and batch; the message is kept on ``model.stop_reason`` (None when training
        ran to the end; callbacks that stop training set it too).
        """
        self._require_compiled("fit")
        batch_size = data.check_batch_size(batch_size)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: `epochs` must be a non-negative int, got {epochs!r}.")
        if verbose not in ("auto", 0, 1, 2):
            raise ValueError(f"fit: `verbose` must be 'auto', 0, 1 or 2, got {verbose!r}.")
        x, targets, weights, validation = self._fit_arrays(x, y, sample_weight, class_weight, validation_split,
                                                           validation_data, stratify_split)
        history = History()
        callback_list = as_list(callbacks, "fit")
        verbose = 1 if verbose == "auto" else int(verbose)
        progress = progress_callback(verbose)
        if progress is not None:
            callback_list.append(progress)
        samples = x.shape[0]
        steps = math.ceil(samples / batch_size)
        hooks = CallbackList([history] + callback_list, self,
                             {"epochs": epochs, "steps": steps, "verbose": verbose, "batch_size": batch_size})
        self.history = history
        self.stop_training = False
        self.stop_reason = None
        self._warn_trainable_changed()
        fused = self._fused_output()
        parameter_set = self.parameter_set  # pack before the first step
        metrics = self.metrics
        try:
            hooks.call("on_train_begin", {})
            self._fit_epochs(hooks, x, targets, weights, validation, batch_size, epochs, initial_epoch, shuffle,
                             fused, parameter_set, metrics)
        except BaseException:
            hooks.end_after_error()  # on_train_end runs even when fit raises (or is interrupted)
            raise
        hooks.call("on_train_end", {})
        return history

    def _fit_epochs(self, hooks, x, targets, weights, validation, batch_size, epochs, initial_epoch, shuffle,
                    fused, parameter_set, metrics):
        samples = x.shape[0]
        steps = math.ceil(samples / batch_size)
        global_step = 0
        snapshots = []
        tape = None
        for epoch in range(initial_epoch, epochs):
            hooks.call("on_epoch_begin", epoch, {})
            if self._parameter_set is not parameter_set:  # a callback changed the layers between epochs
                parameter_set, fused, tape, snapshots = self.parameter_set, self._fused_output(), None, []
            # This epoch's start, and the previous one (kept until this one gives a finite batch loss):
            # where a non-finite batch rolls back to if the weights it leaves predict NaN/Inf.
            snapshots = snapshots[-1:] + [(epoch, self._snapshot())]
            for metric in metrics:
                metric.reset_state()
            order = self._shuffle_rng.permutation(samples) if shuffle else None
            loss_sum = 0.0
            seen = 0
            failed = False
            for step in range(steps):
                start, stop = step * batch_size, min((step + 1) * batch_size, samples)
                if order is None:
                    xb, yb = x[start:stop], targets[start:stop]
                    wb = None if weights is None else weights[start:stop]
                else:
                    index = order[start:stop]
                    xb, yb = x[index], targets[index]
                    wb = None if weights is None else weights[index]
                if hooks.wants_batch_begin:
                    hooks.call("on_train_batch_begin", step, {})
                value, tape = self._train_step(xb, yb, wb, fused, parameter_set, tape)
                outputs = tape.values[self._graph.outputs[0]]
                if hooks.wants_train_step:
                    hooks.call("on_train_step", global_step, self._step_data(
                        epoch, step, xb, yb, wb, value, tape, fused))
                global_step += 1
                if not math.isfinite(value):
                    self._stop_on_non_finite(value, epoch, epochs, step, steps, snapshots, xb)
                    failed = True
                    break
                if step == 0:
                    del snapshots[:-1]
                loss_sum += value * (stop - start)
                seen += stop - start
                for metric in metrics:
                    metric.update_state(yb, outputs, wb)
                if hooks.wants_batch_end:
                    logs = {"loss": loss_sum / seen, **{m.name: m.result() for m in metrics}}
                    hooks.call("on_train_batch_end", step, logs)
                if self.stop_training:
                    break
            if failed:  # recorded by History with its NaN/Inf loss, as Keras records it
                hooks.call("on_epoch_failed", epoch, self._failed_epoch_logs(value, seen, metrics, validation))
            else:
                self._end_epoch(hooks, epoch, loss_sum, seen, metrics, validation, batch_size)
            if self.stop_training:
                break

    def _step_data(self, epoch, batch, inputs, targets, sample_weight, loss, tape, fused):
        """What ``Callback.on_train_step`` gets: the batch, its outputs, logits, loss and each
        layer's outputs; `updated` is False for a batch whose non-finite loss skipped the update."""
        return {
            "epoch": epoch, "batch": batch, "inputs": inputs, "targets": targets, "sample_weight": sample_weight,
            "outputs": tape.values[self._graph.outputs[0]], "logits": self._logits(tape, fused) if fused else None,
            "loss": loss, "updated": math.isfinite(loss), "layer_outputs": self._graph.layer_outputs(tape),
        }

    def _fit_arrays(self, x, y, sample_weight, class_weight, validation_split, validation_data, stratify_split):
        """Checked training arrays and the validation arrays (or None) for fit."""
        if validation_split and validation_data is not None:
            raise ValueError("fit: give either `validation_split` or `validation_data`, not both.")
        if stratify_split and not validation_split:
            raise ValueError(f"fit: `stratify_split=True` needs a `validation_split` in (0, 1), got {validation_split!r}.")
        x, targets, weights = self._prepare(x, y, sample_weight)
        class_w = data.class_weights_for(class_weight, targets, self.loss.name)
        if class_w is not None:
            weights = class_w if weights is None else weights * class_w
        validation = None
        if validation_data is not None:
            x_val, y_val, w_val = data.unpack_validation_data(validation_data)
            validation = self._prepare(x_val, y_val, w_val, "validation_data[0]", "validation_data[1]", "validation_data[2]")
        elif validation_split:
            labels = data.class_labels(targets, self.loss)
            seed = None
            if stratify_split:
                seed = self.seed if self.seed is not None else int(self._shuffle_rng.integers(2**31))
            (x, targets, weights), validation = data.split_validation(
                (x, targets, weights), validation_split, labels, bool(stratify_split), seed)
        return x, targets, weights, validation

    def _end_epoch(self, hooks, epoch, loss_sum, seen, metrics, validation, batch_size):
        logs = {"loss": loss_sum / max(seen, 1), **{m.name: m.result() for m in metrics}}
        if validation is not None:
            val_logs = self._evaluate_arrays(*validation, batch_size)
            logs.update({f"val_{key}": value for key, value in val_logs.items()})
        logs["learning_rate"] = float(self.optimizer.learning_rate)
        hooks.call("on_epoch_end", epoch, logs)

    def _failed_epoch_logs(self, loss, seen, metrics, validation):
        """The logs of an epoch stopped by a non-finite `loss`: that loss, the metrics of the batches
        before it (NaN if none), and NaN for the validation values, which were not computed."""
        logs = {"loss": loss, **{m.name: m.result() if seen else math.nan for m in metrics}}
        if validation is not None:
            logs.update({f"val_{key}": math.nan for key in self.metrics_names})
        logs["learning_rate"] = float(self.optimizer.learning_rate)
        return logs

    def _snapshot(self):
        """Copies of the flat weights and of every layer's non-trainable state."""
        states = [(layer.state, {key: value.copy() for key, value in layer.state.items()})
                  for layer in self._graph.layers if layer.state]
        return self.parameter_set.values.copy(), states

    def _restore(self, snapshot):
        values, states = snapshot
        self.parameter_set.values[...] = values
        for state, saved in states:  # e.g. BatchNormalization statistics of the failed batch
            for key, array in saved.items():
                state[key][...] = array

    def _predicts_finite(self, inputs):
        with np.errstate(all="ignore"):
            return bool(np.isfinite(self.parameter_set.values).all()
                        and np.isfinite(self.predict(inputs, batch_size=len(inputs), verbose=0)).all())

    def _stop_on_non_finite(self, value, epoch, epochs, step, steps, snapshots, inputs):
        """Stop fit after a NaN/Inf batch loss, keeping the last weights whose predictions are finite.

        Candidates, latest first: the weights before the failed batch (its update was not
        applied), the start of this epoch, the start of the previous one. The first whose
        predictions on the failed batch are finite is kept (a batch with NaN/Inf inputs
        proves nothing about the weights: the current ones are kept).
        """
        kept = "the weights from before that batch (its update was not applied)"
        if np.isfinite(inputs).all() and not self._predicts_finite(inputs):
            kept = None
            for start, snapshot in reversed(snapshots):
                self._restore(snapshot)
                if self._predicts_finite(inputs):
                    kept = f"the weights restored to the start of epoch {start + 1}, the last whose predictions are finite"
                    break
            if kept is None:
                kept = (f"the weights of the start of epoch {snapshots[0][0] + 1}, though even their predictions "
                        "are not finite: do not use this model; rebuild it")
        kind = "NaN" if math.isnan(value) else "Inf"
        message = (
            f"fit: the loss became {kind} at epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps}; training "
            f"stopped with {kept}. Try a lower learning rate, gradient clipping (e.g. clipnorm=1.0) or "
            "scaled inputs."
        )
        self.stop_training = True
        self.stop_reason = message
        warnings.warn(message, NonFiniteLossWarning, stacklevel=4)

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None, return_dict=False):
        """One optimizer step on one batch; returns the loss (and metrics) of that batch."""
        self._require_compiled("train_on_batch")
        x, targets, weights = self._prepare(x, y, sample_weight)
        class_w = data.class_weights_for(class_weight, targets, self.loss.name)
        if class_w is not None:
            weights = class_w if weights is None else weights * class_w
        self._warn_trainable_changed()
        value, tape = self._train_step(x, targets, weights, self._fused_output(), self.parameter_set)
        return self._batch_result(value, targets, tape.values[self._graph.outputs[0]], weights, return_dict)

    def test_on_batch(self, x, y, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        x, targets, weights = self._prepare(x, y, sample_weight)
        logs = self._evaluate_arrays(x, targets, weights, x.shape[0])
        return logs if return_dict else self._as_list(logs)

    def _batch_result(self, value, targets, outputs, weights, return_dict):
        logs = {"loss": value}
        for metric in self.metrics:
            metric.reset_state()
            metric.update_state(targets, outputs, weights)
            logs[metric.name] = metric.result()
        return logs if return_dict else self._as_list(logs)

    @staticmethod
    def _as_list(logs):
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ----- evaluate and predict ---------------------------------------------------------
    def _inference_slices(self, samples, batch_size):
        """(start, stop) slices covering range(samples): batches of `batch_size`, each cut so
        that no layer's output for one slice exceeds INFERENCE_ELEMENTS.

        Inference treats every sample on its own (dropout is off, batch normalization uses
        its moving statistics), so slicing changes no result; it bounds the memory of
        evaluate/predict whatever `batch_size` the caller picks: a convnet evaluated with
        batch_size=1024 would otherwise hold every layer's outputs (and its im2col matrix)
        for 1024 images at once.
        """
        widest = max((math.prod(layer.output_shape) for layer in self._graph.layers), default=1)
        step = max(1, min(batch_size, INFERENCE_ELEMENTS // max(widest, 1)))
        for batch_start in range(0, samples, batch_size):
            batch_stop = min(batch_start + batch_size, samples)
            for start in range(batch_start, batch_stop, step):
                yield start, min(start + step, batch_stop)

    def _evaluate_arrays(self, x, targets, weights, batch_size):
        fused = self._fused_output()
        for metric in self.metrics:
            metric.reset_state()
        loss_sum = 0.0
        samples = x.shape[0]
        tape = None
        for start, stop in self._inference_slices(samples, batch_size):
            wb = None if weights is None else weights[start:stop]
            tape = self._graph.forward([x[start:stop]], training=False, recycle=tape)
            outputs = tape.values[self._graph.outputs[0]]
            if fused:
                losses_ = self.loss.per_sample_from_logits(targets[start:stop], self._logits(tape, fused))
            elif self.loss.from_logits:
                losses_ = self.loss.per_sample_from_logits(targets[start:stop], outputs)
            else:
                losses_ = self.loss.per_sample(targets[start:stop], outputs)
            loss_sum += float(losses_.sum() if wb is None else np.dot(losses_, wb))
            loss_sum += self._penalties(tape, stop - start) * (stop - start)
            for metric in self.metrics:
                metric.update_state(targets[start:stop], outputs, wb)
        return {"loss": loss_sum / samples, **{m.name: m.result() for m in self.metrics}}

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, return_dict=False):
        """Loss and metrics on (x, y): a float, a list [loss, *metrics], or a dict."""
        self._require_compiled("evaluate")
        batch_size = data.check_batch_size(batch_size)
        x, targets, weights = self._prepare(x, y, sample_weight)
        logs = self._evaluate_arrays(x, targets, weights, batch_size)
        return logs if return_dict else self._as_list(logs)

    def predict(self, x, batch_size=None, verbose="auto"):
        """Outputs for `x`, computed in batches (inference mode: no dropout, moving BN statistics)."""
        batch_size = data.check_batch_size(batch_size)
        x = data.as_features(x, "x", self.dtype, self._input_shape if self.built else None)
        if not self.built:
            self.build(x.shape[1:])
        result = np.empty((x.shape[0], *self.output_shape), dtype=self.dtype)
        tape = None
        for start, stop in self._inference_slices(x.shape[0], batch_size):
            tape = self._graph.forward([x[start:stop]], training=False, recycle=tape)
            result[start:stop] = tape.values[self._graph.outputs[0]]
        return result

    def _forward(self, inputs, training):
        """The outputs of one pass (its caches are dropped: nothing of it is kept)."""
        return self._graph.forward([inputs], training=training).values[self._graph.outputs[0]]

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(1, len(x)))

    def __call__(self, x, training=False):
        x = data.as_features(x, "x", self.dtype, self._input_shape if self.built else None)
        if not self.built:
            self.build(x.shape[1:])
        return self._forward(x, training=training).copy()
