"""compile, fit, evaluate, predict and train_on_batch for models that run on a Graph.

One training step: forward through the graph (``graph.py``), each output's loss and its
gradient (``outputs.py``; fused with a sigmoid/softmax output layer when the loss can
take its logits, which it reads in that layer's cache), backward through the graph into
the zeroed flat gradient buffer, regularizer gradients, one optimizer step. The step's
values live in its Tape, never on the layers or the model, so predict and evaluate may
run in several threads on one model.

Data is held as lists, one array per model input and one per output (``structures.py``
turns the user's arrays, lists and dicts into them), and cut into batches alike.

A step whose loss is NaN or Inf is never applied: ``_train_step`` checks the loss
before the backward pass, and fit then stops with a ``NonFiniteLossWarning`` naming the
epoch and batch (the message is kept on ``model.stop_reason``). The per-batch cost of
this is one scalar check; batch logs are built only when a callback observes batches.
"""

import contextlib
import math
import warnings

import numpy as np

from .. import feeds, optimizers
from ..callbacks import CallbackList, History, NonFiniteLossWarning, as_list
from ..callbacks.progress import progress_callback
from ..layers.base import ActivatedLayer
from ..layers.symbolic import several_output_shapes
from ..ops import model_threads
from . import data, loss_masks, nesting, structures
from .outputs import compile_outputs
from . import nonfinite
from .chain_step import ChainStep
from .step_data import StepSource
from .streaming import StreamingMixin

# evaluate/predict cut their batches so that one layer's outputs for a slice hold at most
# this many elements (16 MB in float32); see TrainingMixin._inference_slices.
INFERENCE_ELEMENTS = 1 << 22


def _take(arrays, index):
    """The rows `index` (a slice or an index array) of each array (None stays None)."""
    return [None if array is None else array[index] for array in arrays]


class TrainingMixin(StreamingMixin):
    """The training API; mixed into Sequential and Model.

    A model provides ``_graph``, ``input_names``, ``_input_keys`` (what a dict of input
    arrays is keyed by), ``output_names``, ``_input_shapes`` and ``_output_shapes`` (lists,
    one entry per input or output) and ``_output_form`` (how predict gives its outputs
    back: 'single', 'list' or 'dict').
    """

    stop_reason = None  # why the last fit stopped before its last epoch, or None
    _output_form = "single"

    # ----- compile ----------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None):
        """Choose the optimizer, the loss and the metrics (Keras' defaults and names).

        With several outputs, `loss` is one loss for every output, a list with one per
        output or a dict keyed by output name (an output left out trains through the
        others only); `loss_weights` (a list or dict) weighs each output's loss in the
        total; `metrics` is a list with one entry (a metric or a list) per output or a
        dict keyed by output name.
        """
        self.optimizer = optimizers.get(optimizer)
        self._outputs = compile_outputs(loss, loss_weights, metrics, self.output_names)
        if isinstance(loss, (list, tuple, dict)):
            self.loss = structures.pack([output.loss for output in self._outputs], self.output_names,
                                        "dict" if isinstance(loss, dict) else "list")
            if len(self._outputs) == 1:
                self.loss = self._outputs[0].loss
        else:
            self.loss = self._outputs[0].loss
        self._loss_weights = loss_weights
        self._metric_specs = [spec for output in self._outputs for spec in output.metric_specs]
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
        """The compiled metric objects of every output (resolved once the output shapes are known)."""
        return [metric for output, shape in zip(self._outputs, self._output_shapes)
                for metric in output.resolve_metrics(shape)]

    @property
    def metrics_names(self):
        return list(self._logs(0.0, [0.0] * len(self._outputs)))

    def _logs(self, loss, output_losses):
        """Keras's names: 'loss' (the total), '<output>_loss' with several outputs, the metrics."""
        logs = {"loss": loss}
        if len(self._outputs) > 1:
            for output, value in zip(self._outputs, output_losses):
                if output.loss is not None:
                    logs[f"{output.name}_loss"] = value
        for output, shape in zip(self._outputs, self._output_shapes):
            for metric in output.resolve_metrics(shape):
                logs[output.prefix + metric.name] = metric.result()
        return logs

    def _reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def _update_metrics(self, targets, tape, weights):
        tensors = self._graph.outputs
        self._update_output_metrics(targets, [tape.values[t] for t in tensors], [_mask(tape, t) for t in tensors],
                                    weights)

    def _fused_output(self):
        """The indices of the output nodes whose logits their loss reads (stable, and no softmax
        backward): an output layer with the loss's activation and no activity regularizer, whose
        outputs nothing else reads. Sets each Output's ``fused``."""
        graph = self._graph
        made_by = {node.output: index for index, node in enumerate(graph.nodes)}
        read = {tensor for node in graph.nodes for tensor in node.inputs}
        fused = []
        for output, tensor, shape in zip(self._outputs, graph.outputs, self._output_shapes):
            output.fused = None
            node_index = made_by.get(tensor)
            if node_index is None or output.loss is None or tensor in read or graph.outputs.count(tensor) > 1:
                continue
            last = graph.nodes[node_index].layer
            activation = getattr(last, "activation", None)
            loss = output.loss
            if (loss.fused_activation is not None and not loss.from_logits
                    and getattr(activation, "name", None) == loss.fused_activation
                    and isinstance(last, ActivatedLayer) and last.activity_regularizer is None
                    # a softmax over another axis than the classes' is not what the loss's logits form assumes
                    and getattr(activation, "axis", -1) in (-1, len(shape))):
                output.fused = node_index
                fused.append(node_index)
        return tuple(fused)

    # ----- the step ---------------------------------------------------------------------
    def _output_logits(self, tape, output):
        """The pre-activation of `output`'s fused node, from its cache (None when not fused)."""
        if output.fused is None:
            return None
        return self._graph.nodes[output.fused].layer.logits(tape.caches[output.fused])

    def _logits(self, tape, fused):
        """The first output's logits (fused) or None."""
        return self._output_logits(tape, self._outputs[0]) if fused else None

    def _losses_and_gradients(self, targets, tape, weights):
        """(total weighted loss, each output's loss, each output's gradient) of one pass."""
        values = tape.values
        total, output_losses, grads = 0.0, [], []
        for output, tensor, y, w in zip(self._outputs, self._graph.outputs, targets, weights):
            if output.loss is None:
                output_losses.append(None)
                grads.append(None)
                continue
            value, grad = output.value_and_gradient(y, values[tensor], w, self._output_logits(tape, output),
                                                    _mask(tape, tensor))
            total += output.weight * value
            output_losses.append(value)
            grads.append(grad)
        return total, output_losses, grads

    def _penalties(self, tape, batch):
        graph = self._graph
        total = graph.activity_penalty(tape, batch) if graph.activity_nodes else 0.0
        for layer in graph.regularized:
            total += layer.regularization_penalty()
        return total

    def _backward(self, tape, grads, fused, batch, parameter_set):
        self._graph.backward(tape, grads, fused, batch)  # writes every trained gradient
        self._add_penalty_gradients()

    def _add_penalty_gradients(self):
        for layer in self._graph.regularized:
            if id(layer) in self._trained_ids:
                layer.add_regularization_gradients()

    def _train_step(self, inputs, targets, sample_weight, fused, parameter_set, previous=None):
        """Forward, loss, backward, update; returns (loss, each output's loss, tape). A non-finite
        loss skips the update. `previous`: the last step's tape, released as this one is made
        (see Graph.forward)."""
        tape = self._graph.forward(inputs, training=True, recycle=previous)
        value, output_losses, grads = self._losses_and_gradients(targets, tape, sample_weight)
        batch = inputs[0].shape[0]
        value += self._penalties(tape, batch)
        if not math.isfinite(value):
            return value, output_losses, tape
        self._backward(tape, grads, fused, batch, parameter_set)
        self._update(parameter_set)
        return value, output_losses, tape

    def _update(self, parameter_set):
        self.optimizer.step(parameter_set)
        for layer in self._graph.constrained:  # Keras's kernel_constraint: after the update
            if id(layer) in self._trained_ids:
                layer.apply_constraints()

    def _chain_train_step(self, chain, inputs, targets, sample_weight, parameter_set):
        """`_train_step` with the forward, loss and backward in one compiled call (``chain_step.py``);
        returns (loss with the weights' penalties, [the output's loss], outputs)."""
        loss, outputs = chain.run(inputs, targets, sample_weight)
        value = loss + self._penalties(None, inputs[0].shape[0]) if self._graph.regularized else loss
        if math.isfinite(value):
            self._add_penalty_gradients()  # as _backward adds them after the graph's backward
            self._update(parameter_set)
        return value, [loss], outputs

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
        tape = self._graph.forward(x, training=training)
        value, _, grads = self._losses_and_gradients(targets, tape, weights)
        batch = x[0].shape[0]
        value += self._penalties(tape, batch)
        self._backward(tape, grads, fused, batch, parameter_set)
        return value, {name: view.copy() for name, view in parameter_set.grad_views.items()}

    # ----- the arrays -------------------------------------------------------------------
    def _prepare_inputs(self, x, name_x="x", keep_mapped=False, finite=True):
        """One checked array per input, in the order of ``model.inputs``; builds an unbuilt model.
        NaN/Inf are refused unless the model imputes its inputs or `finite` is False."""
        names = self._input_keys
        arrays = structures.flatten(x, names, name_x, "input")
        shapes = self._input_shapes if self.built else [None] * len(names)
        kinds = getattr(self, "_input_dtypes", None) or [None] * len(names)  # "string" where an Input takes text
        several = len(names) > 1
        finite = finite and not self._imputes_inputs()
        arrays = [data.as_features(array, f"{name_x}[{name!r}]" if several else name_x, self.dtype, shape,
                                   keep_mapped, strings=kind == "string", finite=finite)
                  for array, name, shape, kind in zip(arrays, names, shapes, kinds)]
        if several:
            structures.sample_count(arrays, name_x, names)
        if not self.built:
            self.build(arrays[0].shape[1:])
        return arrays

    def _imputes_inputs(self):
        """True for a one-input model whose first layer puts values in place of NaN/Inf (``Layer.imputes``)."""
        if len(self._input_keys) != 1 or not self.built:
            return False
        layers = self._called_layers
        return bool(layers) and getattr(layers[0], "imputes", False)  # a nested model has no roles

    def _refuse_text_outputs(self):
        """Targets are asked only to train or evaluate: an output of strings (a last
        StringLookup(invert=True)) has no loss and no gradient, so say so, as Keras fails there too."""
        producer = getattr(self._graph, "producer", None)  # a subclassed model's call graph names no producers
        if producer is None:
            return
        for name, tensor in zip(self.output_names, self._graph.outputs):
            node = producer(tensor)
            layer = None if node is None else node.layer
            if getattr(layer, "gives_strings", False):
                raise TypeError(
                    f"output {name!r} is text: {type(layer).__name__} '{layer.name}' (invert=True) turns indices into "
                    "strings, which have no loss or gradient, so the model cannot be trained or evaluated through "
                    "it; predict returns its strings. Train a model that ends before it (on the indices) and "
                    "put the inverse lookup after the trained model for prediction.")

    def _prepare(self, x, y, sample_weight, name_x="x", name_y="y", name_w="sample_weight", keep_mapped=False,
                 finite=True):
        """(inputs, targets, sample weights): lists with one array per input, per output, per
        output (None for an output without a loss, or without weights). With `finite` False,
        NaN/Inf inputs and targets pass (fit with a callback that treats them)."""
        inputs = self._prepare_inputs(x, name_x, keep_mapped, finite)
        self._refuse_text_outputs()
        samples = inputs[0].shape[0]
        names = self.output_names
        several = len(names) > 1
        untrained = [output.name for output in self._outputs if output.loss is None and not output.metric_specs]
        targets = []
        for output, shape, y_k in zip(self._outputs, self._output_shapes,
                                      structures.flatten(y, names, name_y, "output", untrained)):
            if y_k is None and output.name in untrained:
                targets.append(None)
                continue
            y_k = data.as_targets(y_k, f"{name_y}[{output.name!r}]" if several else name_y, samples, finite)
            shape = data.with_lengths(shape, y_k)  # a None axis (sequences of any length) takes y's length
            prepared = y_k.astype(self.dtype) if output.loss is None else output.loss.prepare_targets(y_k, shape)
            if np.issubdtype(prepared.dtype, np.floating) and prepared.dtype != self.dtype:
                prepared = prepared.astype(self.dtype)
            targets.append(prepared)
        if several and isinstance(sample_weight, (list, tuple, dict)):
            weights = [data.as_sample_weight(w, f"{name_w}[{name!r}]", samples) for w, name in
                       zip(structures.flatten(sample_weight, names, name_w, "output", names), names)]
        else:
            weights = [data.as_sample_weight(sample_weight, name_w, samples)] * len(names)
        return inputs, targets, weights

    def _class_weighted(self, weights, targets, class_weight):
        if class_weight is None:
            return weights
        if len(self._outputs) > 1:
            raise ValueError("`class_weight` is supported only for a model with one output; with several, give "
                             "`sample_weight` per output (a list or a dict keyed by output name).")
        class_w = data.class_weights_for(class_weight, targets[0], self._outputs[0].loss.name)
        return [class_w if weights[0] is None else weights[0] * class_w]

    # ----- fit --------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, stratify_split=False, steps_per_epoch=None,
            validation_steps=None, validation_freq=1):
        """Train for `epochs` epochs; returns a History whose ``.history`` maps each key to a list.

        Keras' arguments, plus:

        stratify_split : bool, default False
            With `validation_split`, hold out a stratified random fraction of each class
            (scikit-learn's ``train_test_split(stratify=...)``, seeded by the model)
            instead of Keras' last fraction. Without it, a validation fraction whose
            labels hold a single class (class-sorted data) gives a UserWarning.

        A model with several inputs takes `x` as a list (in the order of ``model.inputs``)
        or a dict keyed by input name; with several outputs, `y` and `sample_weight` as a
        list or a dict keyed by output name (one `sample_weight` array weighs every
        output).

        `x` (and `validation_data`) may also be a generator or iterator of ``(x, y)`` or
        ``(x, y, sample_weight)`` batches, an iterable of them, or a
        ``gradwise.utils.PyDataset`` (see ``gradwise.feeds``); `steps_per_epoch` and
        `validation_steps` count their batches (required for a generator). Arrays opened
        with ``np.load(..., mmap_mode="r")`` train batch by batch, never copied whole.
        `validation_freq`: validate every N epochs, or after the 1-based epochs listed.

        The logs of every epoch hold the loss, the metrics, their ``val_`` versions and
        the learning rate in effect ('learning_rate'). A NaN or Inf batch loss stops
        training before that batch's update, with a ``NonFiniteLossWarning`` naming the
        epoch and batch; the message is kept on ``model.stop_reason`` (None when training
        ran to the end; callbacks that stop training set it too).
        """
        self._require_compiled("fit")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"fit: `epochs` must be a non-negative int, got {epochs!r}.")
        if verbose not in ("auto", 0, 1, 2):
            raise ValueError(f"fit: `verbose` must be 'auto', 0, 1 or 2, got {verbose!r}.")
        validation_freq = feeds.Validation.check_freq(validation_freq)
        callback_list = as_list(callbacks, "fit")
        treated = any(callback.treats_non_finite_data for callback in callback_list)
        if feeds.is_stream(x):
            feed, validation = self._fit_streams(x, y, batch_size, sample_weight, class_weight, validation_split,
                                                 validation_data, steps_per_epoch, validation_steps)
            batch_size = None
        else:
            batch_size = data.check_batch_size(batch_size)
            self._no_steps_for_arrays(steps_per_epoch, validation_steps, validation_data)
            x, targets, weights, validation = self._fit_arrays(x, y, sample_weight, class_weight, validation_split,
                                                               validation_data, stratify_split, validation_steps,
                                                               finite=not treated)
            if treated:  # NaN/Inf in the data go to the callbacks that treat them, before training
                x, targets, weights, validation = nonfinite.offer(callback_list, x, targets, weights, validation)
            feed = feeds.ArrayFeed(x, targets, weights, batch_size, self.dtype, data.check_finite)
        validation = None if validation is None else feeds.Validation(validation, validation_freq)
        history = History()
        verbose = 1 if verbose == "auto" else int(verbose)
        progress = progress_callback(verbose)
        if progress is not None:
            callback_list.append(progress)
        hooks = CallbackList([history] + callback_list, self,
                             {"epochs": epochs, "steps": feed.steps, "verbose": verbose, "batch_size": batch_size})
        self.history = history
        self.stop_training = False
        self.stop_reason = None
        self._warn_trainable_changed()
        fused = self._fused_output()
        parameter_set = self.parameter_set  # pack before the first step
        self.metrics  # resolve the metrics for the output shapes
        try:
            hooks.call("on_train_begin", {})
            # a callback that restored an interrupted run (BackupAndRestore) says where it resumes
            initial_epoch = max(initial_epoch, self.__dict__.pop("_resume_epoch", initial_epoch))
            # BLAS threads for the model's size (gradwise.ops.model_threads): one for a small model
            with model_threads.for_layers(self._all_layers(), batch_size or 32):
                self._fit_epochs(hooks, feed, validation, batch_size, epochs, initial_epoch, shuffle, fused,
                                 parameter_set)
        except BaseException:
            hooks.end_after_error()  # on_train_end runs even when fit raises (or is interrupted)
            raise
        hooks.call("on_train_end", {})
        return history

    def _fit_epochs(self, hooks, feed, validation, batch_size, epochs, initial_epoch, shuffle, fused, parameter_set):
        steps = feed.steps
        several = len(self._outputs) > 1
        global_step = 0
        snapshots = []
        tape = None
        step_source = StepSource(self) if hooks.wants_train_step else None
        validation_parts = self._validation_parts(validation, batch_size)
        chain = ChainStep.plan(self, parameter_set, hooks, batch_size)
        for epoch in range(initial_epoch, epochs):
            hooks.call("on_epoch_begin", epoch, {})
            if self._parameter_set is not parameter_set:  # a callback changed the layers between epochs
                parameter_set, fused, tape, snapshots = self.parameter_set, self._fused_output(), None, []
                validation_parts = self._validation_parts(validation, batch_size)
                chain = ChainStep.plan(self, parameter_set, hooks, batch_size)
            elif chain is not None and chain.stale():  # a callback edited a layer in place (a live repair)
                fused = self._fused_output()
                chain = ChainStep.plan(self, parameter_set, hooks, batch_size)
            # This epoch's start, and the previous one (kept until this one gives a finite batch loss):
            # where a non-finite batch rolls back to if the weights it leaves predict NaN/Inf.
            snapshots = snapshots[-1:] + [(epoch, self._snapshot())]
            self._reset_metrics()
            loss_sum = 0.0
            output_sums = [0.0] * len(self._outputs)
            seen = 0
            failed = False
            batches = feed.batches(self._shuffle_rng if shuffle else None)
            with _generators_lent(chain):
                for step, (xb, yb, wb) in enumerate(batches):
                    size = xb[0].shape[0]
                    if hooks.wants_batch_begin:
                        with _generators_back(chain):
                            hooks.call("on_train_batch_begin", step, {})
                    # the compiled step keeps no layer's outputs: the layers' step where an observer wants them
                    compiled = chain is not None and not (hooks.wants_train_step
                                                          and hooks.step_data_wanted(global_step))
                    if compiled:
                        value, output_losses, outputs = self._chain_train_step(chain, xb, yb, wb, parameter_set)
                        if hooks.wants_train_step and not math.isfinite(value):
                            # nothing was updated: the batch again, layer by layer and with the same dropout
                            # draws, so that its observers see it whole
                            compiled = False
                            chain.rewind_generators()
                    if not compiled:
                        if chain is None:
                            value, output_losses, tape = self._train_step(xb, yb, wb, fused, parameter_set, tape)
                        else:  # a compiled chain's observed batch: the layers draw from their own dropout generators
                            with _generators_back(chain):
                                value, output_losses, tape = self._train_step(xb, yb, wb, fused, parameter_set, tape)
                    if hooks.wants_train_step:
                        hooks.call_train_step(global_step, value, step_source, epoch, step, xb, yb, wb,
                                              None if compiled else tape, outputs if compiled else None)
                    global_step += 1
                    if not math.isfinite(value):
                        self._stop_on_non_finite(value, epoch, epochs, step, steps, snapshots, xb)
                        failed = True
                        break
                    if step == 0:
                        del snapshots[:-1]
                    loss_sum += value * size
                    if several:
                        output_sums = [total if v is None else total + v * size
                                       for total, v in zip(output_sums, output_losses)]
                    seen += size
                    if compiled:
                        self._update_output_metrics(yb, [outputs], [None], wb)
                    else:
                        self._update_metrics(yb, tape, wb)
                    if hooks.wants_batch_end:
                        with _generators_back(chain):
                            hooks.call("on_train_batch_end", step,
                                       self._logs(loss_sum / seen, [s / seen for s in output_sums]))
                    if self.stop_training:
                        break
            batches.close()  # a PyDataset's pass ends (on_epoch_end) even when training stopped mid-epoch
            if feed.ran_out and not failed and self._stop_ran_out(epoch, epochs, seen, feed):
                break
            if failed:  # recorded by History with its NaN/Inf loss, as Keras records it
                hooks.call("on_epoch_failed", epoch,
                           self._failed_epoch_logs(epoch, value, output_losses, seen, validation))
            else:
                self._end_epoch(hooks, epoch, loss_sum, output_sums, seen, validation, batch_size, validation_parts)
            if self.stop_training:
                break

    def _fit_arrays(self, x, y, sample_weight, class_weight, validation_split, validation_data, stratify_split,
                    validation_steps=None, finite=True):
        """Checked training arrays and the validation arrays (or None) for fit (NaN/Inf inputs and
        targets pass when not `finite`)."""
        if validation_split and validation_data is not None:
            raise ValueError("fit: give either `validation_split` or `validation_data`, not both.")
        if stratify_split and not validation_split:
            raise ValueError(f"fit: `stratify_split=True` needs a `validation_split` in (0, 1), got {validation_split!r}.")
        x, targets, weights = self._prepare(x, y, sample_weight, keep_mapped=True, finite=finite)
        weights = self._class_weighted(weights, targets, class_weight)
        validation = None
        if validation_data is not None:
            validation = self._validation_of(validation_data, validation_steps, finite)
        elif validation_split:
            first = next(k for k, output in enumerate(self._outputs) if output.loss is not None)
            labels = data.class_labels(targets[first], self._outputs[first].loss)
            seed = None
            if stratify_split:
                seed = self.seed if self.seed is not None else int(self._shuffle_rng.integers(2**31))
            # split every input, target and weight array alike (data.split_validation cuts a tuple)
            arrays = (*x, *targets, *weights)
            train, held = data.split_validation(arrays, validation_split, labels, bool(stratify_split), seed)
            inputs, outputs = len(x), len(targets)
            x, targets, weights = list(train[:inputs]), list(train[inputs:inputs + outputs]), list(train[inputs + outputs:])
            validation = (list(held[:inputs]), list(held[inputs:inputs + outputs]), list(held[inputs + outputs:]))
        return x, targets, weights, validation

    def _end_epoch(self, hooks, epoch, loss_sum, output_sums, seen, validation, batch_size, validation_parts=None):
        seen = max(seen, 1)
        logs = self._logs(loss_sum / seen, [total / seen for total in output_sums])
        if validation is not None and validation.due(epoch):
            if validation_parts is None:
                val_logs = self._validate(validation.data, batch_size, epoch)
            else:  # in-memory arrays, cut once for the fit: only the passes (fit already set the fused outputs)
                val_logs = self._evaluate_cut(validation_parts)
            logs.update({f"val_{key}": value for key, value in val_logs.items()})
        logs["learning_rate"] = float(self.optimizer.learning_rate)
        hooks.call("on_epoch_end", epoch, logs)

    def _failed_epoch_logs(self, epoch, loss, output_losses, seen, validation):
        """The logs of an epoch stopped by a non-finite `loss`: that loss, the metrics of the batches
        before it (NaN if none), and NaN for the validation values, which were not computed."""
        logs = self._logs(loss, [math.nan if v is None else v for v in output_losses])
        if not seen:
            logs.update({output.prefix + metric.name: math.nan for output in self._outputs for metric in output.metrics})
        if validation is not None and validation.due(epoch):
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
            tape = self._graph.forward(inputs, training=False)
            return bool(np.isfinite(self.parameter_set.values).all()
                        and all(np.isfinite(tape.values[tensor]).all() for tensor in self._graph.outputs))

    def _stop_on_non_finite(self, value, epoch, epochs, step, steps, snapshots, inputs):
        """Stop fit after a NaN/Inf batch loss, keeping the last weights whose predictions are finite.

        Candidates, latest first: the weights before the failed batch (its update was not
        applied), the start of this epoch, the start of the previous one. The first whose
        predictions on the failed batch are finite is kept (a batch with NaN/Inf inputs
        proves nothing about the weights: the current ones are kept).
        """
        kept = "the weights from before that batch (its update was not applied)"
        if all(np.isfinite(array).all() for array in inputs) and not self._predicts_finite(inputs):
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
            f"fit: the loss became {kind} at epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps or '?'}; training "
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
        weights = self._class_weighted(weights, targets, class_weight)
        self._warn_trainable_changed()
        value, output_losses, tape = self._train_step(x, targets, weights, self._fused_output(), self.parameter_set)
        return self._batch_result(value, output_losses, targets, tape, weights, return_dict)

    def test_on_batch(self, x, y, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        x, targets, weights = self._prepare(x, y, sample_weight)
        logs = self._evaluate_arrays(x, targets, weights, x[0].shape[0])
        return logs if return_dict else self._as_list(logs)

    def _batch_result(self, value, output_losses, targets, tape, weights, return_dict):
        self._reset_metrics()
        self._update_metrics(targets, tape, weights)
        logs = self._logs(value, output_losses)
        return logs if return_dict else self._as_list(logs)

    @staticmethod
    def _as_list(logs):
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    # ----- evaluate and predict ---------------------------------------------------------
    def _inference_slices(self, samples, batch_size, inputs=()):
        """(start, stop) slices covering range(samples): batches of `batch_size`, each cut so
        that no layer's output for one slice exceeds INFERENCE_ELEMENTS.

        Inference treats every sample on its own (dropout is off, batch normalization uses
        its moving statistics), so slicing changes no result; it bounds the memory of
        evaluate/predict whatever `batch_size` the caller picks: a convnet evaluated with
        batch_size=1024 would otherwise hold every layer's outputs (and its im2col matrix)
        for 1024 images at once.
        """
        step = min(batch_size, self._inference_step(samples, inputs))
        for batch_start in range(0, samples, batch_size):
            batch_stop = min(batch_start + batch_size, samples)
            for start in range(batch_start, batch_stop, step):
                yield start, min(start + step, batch_stop)

    def _inference_step(self, samples, inputs=()):
        """The most rows of `inputs` one inference pass takes: no layer's outputs above INFERENCE_ELEMENTS."""
        longest = max((max(array.shape[1:], default=1) for array in inputs), default=1)  # for None axes
        widest = max((sum(math.prod(longest if d is None else d for d in shape)
                          for shape in several_output_shapes(layer) or [layer.output_shape])
                      for layer in self._graph.layers), default=1)
        return max(1, min(max(samples, 1), INFERENCE_ELEMENTS // max(widest, 1)))

    def _evaluate_arrays(self, x, targets, weights, batch_size):
        return self._evaluate_batches([(x, targets, weights)], batch_size)

    def _evaluate_batches(self, batches, batch_size, empty="`x` holds no samples."):
        """Loss and metrics over prepared (inputs, targets, weights) batches (lists, one array per input
        or output), each cut into inference slices; memory-mapped inputs are read slice by slice."""
        self._fused_output()
        self._reset_metrics()
        totals = [0.0, [0.0] * len(self._outputs)]  # the loss and each output's
        samples = 0
        tape = None
        for x, targets, weights in batches:
            rows = [feeds.MappedRows(array, self.dtype, "x", data.check_finite) for array in x]
            samples += x[0].shape[0]
            tape = self._evaluate_slices(rows, targets, weights, batch_size or x[0].shape[0], totals, tape)
        if samples == 0:
            raise ValueError(empty)
        return self._logs(totals[0] / samples, [total / samples for total in totals[1]])

    def _evaluate_cut(self, parts):
        """evaluate's logs over `parts` (``_validation_parts``): the same sums as ``_evaluate_batches``."""
        self._reset_metrics()
        totals = [0.0, [0.0] * len(self._outputs)]
        self._evaluate_parts(parts, totals, None)
        samples = sum(part[3] for part in parts)
        return self._logs(totals[0] / samples, [total / samples for total in totals[1]])

    def _evaluate_slices(self, rows, targets, weights, batch_size, totals, tape):
        parts = ((slice(start, stop), stop - start) for start, stop in
                 self._inference_slices(rows[0].array.shape[0], batch_size, [r.array for r in rows]))
        tape = self._evaluate_parts((([r.take(rows_) for r in rows], _take(targets, rows_), _take(weights, rows_), count,
                                      None) for rows_, count in parts), totals, tape)
        for r in rows:
            r.release()
        return tape

    def _validation_parts(self, validation, batch_size):
        """fit's validation of in-memory arrays, cut once for the whole fit, or None for a stream or
        memory-mapped arrays (read slice by slice, as evaluate reads them).

        Each part is (inputs, targets, weights, rows, batches): consecutive inference slices of
        `batch_size` rows joined into one pass of at most INFERENCE_ELEMENTS per layer (inference
        treats every sample on its own, see ``_inference_slices``), and the (start, stop) of each
        slice in it, over which the losses are summed and the metrics updated as evaluate does: the
        same values, bit for bit, with one pass where evaluate makes several (Pima's validation
        rows and batch 32: one pass for four).
        """
        if validation is None or getattr(validation.data, "stream", False):
            return None
        x, targets, weights = validation.data
        if any(feeds.is_mapped(array) for array in x):
            return None
        samples = x[0].shape[0]
        # an activity penalty is a mean over its pass: one pass per slice keeps evaluate's sums
        most = 1 if self._graph.activity_nodes else self._inference_step(samples, x)
        parts, group = [], []
        for start, stop in list(self._inference_slices(samples, batch_size or samples, x)) + [(samples, samples)]:
            if group and (stop - group[0][0] > most or start == samples):
                first, last = group[0][0], group[-1][1]
                rows = slice(first, last)
                batches = None if len(group) == 1 else [(a - first, b - first) for a, b in group]
                parts.append(([array[rows] for array in x], _take(targets, rows), _take(weights, rows), last - first,
                              batches))
                group = []
            group.append((start, stop))
        return parts or None

    def _evaluate_parts(self, parts, totals, tape):
        """Add the loss of each (inputs, targets, weights, rows, batches) part to `totals` and update
        the metrics: over each (start, stop) of `batches`, or over the whole part when it is None."""
        graph = self._graph
        penalized = bool(graph.activity_nodes or graph.regularized)
        for xb, yb, wb, count, batches in parts:
            tape = graph.forward(xb, training=False, recycle=tape)
            if batches is None:
                self._add_losses(yb, wb, [tape.values[tensor] for tensor in graph.outputs],
                                 [self._output_logits(tape, output) for output in self._outputs],
                                 [_mask(tape, tensor) for tensor in graph.outputs], totals)
                if penalized:
                    totals[0] += self._penalties(tape, count) * count
                self._update_metrics(yb, tape, wb)
                continue
            outputs = [tape.values[tensor] for tensor in graph.outputs]
            logits = [self._output_logits(tape, output) for output in self._outputs]
            masks = [_mask(tape, tensor) for tensor in graph.outputs]
            for start, stop in batches:
                rows = slice(start, stop)
                y_rows, w_rows, out_rows, mask_rows = _take(yb, rows), _take(wb, rows), _take(outputs, rows), \
                    _take(masks, rows)
                self._add_losses(y_rows, w_rows, out_rows, _take(logits, rows), mask_rows, totals)
                if penalized:  # the weights' penalties only (no activity penalty: see _validation_parts)
                    totals[0] += self._penalties(tape, stop - start) * (stop - start)
                self._update_output_metrics(y_rows, out_rows, mask_rows, w_rows)
        return tape

    def _add_losses(self, targets, weights, outputs, logits, masks, totals):
        """Add each output's summed (weighted) per-sample losses of one inference slice to `totals`."""
        output_sums = totals[1]
        for k, output in enumerate(self._outputs):
            if output.loss is None:
                continue
            losses_ = output.per_sample(targets[k], outputs[k], logits[k], masks[k])
            value = float(losses_.sum() if weights[k] is None else np.dot(losses_, weights[k]))
            output_sums[k] += value
            totals[0] += output.weight * value

    def _update_output_metrics(self, targets, outputs, masks, weights):
        """``_update_metrics`` from the outputs and masks of rows of a pass."""
        for output, y, values, mask, w in zip(self._outputs, targets, outputs, masks, weights):
            if not output.metrics:
                continue
            if loss_masks.applies(mask, values):  # Keras's metrics skip masked steps too: one row per real step
                y, values, w = loss_masks.by_step(y, mask), loss_masks.by_step(values, mask), \
                    loss_masks.metric_weights(mask, w)
            for metric in output.metrics:
                metric.update_state(y, values, w)

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None, return_dict=False,
                 steps=None):
        """Loss and metrics on (x, y): a float, a list [loss, *metrics], or a dict.

        `x` may be a generator, an iterable of batches or a PyDataset (see ``fit``);
        `steps` then caps the batches read (a generator is read until it ends without it).
        """
        self._require_compiled("evaluate")
        if feeds.is_stream(x):
            logs = self._evaluate_stream(x, y, batch_size, sample_weight, steps)
        else:
            batch_size = data.check_batch_size(batch_size)
            self._no_steps_for_arrays(steps, None, None, "evaluate")
            x, targets, weights = self._prepare(x, y, sample_weight, keep_mapped=True)
            with model_threads.for_layers(self._all_layers(), batch_size or 32, passes=1):
                logs = self._evaluate_arrays(x, targets, weights, batch_size)
        return logs if return_dict else self._as_list(logs)

    def predict(self, x, batch_size=None, verbose="auto", steps=None):
        """Outputs for `x`, computed in batches (inference mode: no dropout, moving BN statistics):
        one array, or a list (a dict) for a model whose outputs were given as a list (a dict).

        `x` may be a generator, an iterable of batches or a PyDataset yielding ``x`` or
        ``(x, ...)`` (see ``fit``); `steps` then caps the batches read.
        """
        if feeds.is_stream(x):
            return structures.pack(self._predict_stream(x, batch_size, steps), self.output_names,
                                   self._output_form)
        batch_size = data.check_batch_size(batch_size)
        self._no_steps_for_arrays(steps, None, None, "predict")
        inputs = self._prepare_inputs(x, keep_mapped=True)
        with model_threads.for_layers(self._all_layers(), batch_size or 32, passes=1):
            return self._predict_arrays(inputs, batch_size)

    def _predict_arrays(self, x, batch_size):
        return structures.pack(self._predict_lists(x, batch_size), self.output_names, self._output_form)

    def _predict_lists(self, x, batch_size):
        """One array of outputs per model output; memory-mapped inputs are read slice by slice."""
        samples = x[0].shape[0]
        results = [None] * len(self._output_shapes)  # made from the first slice: a None axis has its length then
        rows = [feeds.MappedRows(array, self.dtype, "x", data.check_finite) for array in x]
        text_kinds = [None] * len(results)  # an output of strings (StringLookup(invert=True)): its kind, U or S
        tape = None
        # OpenBLAS can leave the invalid-operation flag set after a product of finite inputs (numpy #24067,
        # OpenBLAS #1924), which NumPy reports as "invalid value encountered in matmul"; a NaN made here is
        # still in the outputs
        with np.errstate(invalid="ignore"):
            for start, stop in self._inference_slices(samples, batch_size, x):
                tape = self._graph.forward([r.take(slice(start, stop)) for r in rows], training=False, recycle=tape)
                for k, tensor in enumerate(self._graph.outputs):
                    value = tape.values[tensor]
                    if results[k] is None:
                        text_kinds[k] = value.dtype.kind if value.dtype.kind in "US" else None
                        # strings are gathered as objects: a later batch's may be longer than the first's
                        results[k] = np.empty((samples, *value.shape[1:]),
                                              dtype=object if text_kinds[k] else self.dtype)
                    results[k][start:stop] = value
        for r in rows:
            r.release()
        return [result if kind is None else result.astype(kind) for result, kind in zip(results, text_kinds)]

    def _forward(self, inputs, training):
        """The outputs of one pass (its caches are dropped: nothing of it is kept)."""
        values = self._graph.forward(inputs, training=training).values
        return [values[tensor] for tensor in self._graph.outputs]

    def predict_on_batch(self, x):
        x = self._prepare_inputs(x)
        return self._predict_arrays(x, x[0].shape[0])

    def __call__(self, x, training=None):
        """The outputs for arrays `x`; on symbolic tensors, the model used as a layer (``nesting.py``)."""
        if nesting.is_symbolic_call(x):
            return nesting.call_symbolic(self, x, training)
        outputs = self._forward(self._prepare_inputs(x), training=bool(training))
        return structures.pack([output.copy() for output in outputs], self.output_names, self._output_form)


@contextlib.contextmanager
def _generators_lent(chain):
    """The Dropout generators' state lent to `chain`'s kernel for a block (an epoch's batches),
    written back however the block ends. No chain: nothing to do."""
    if chain is None:
        yield
        return
    chain.take_generators()
    try:
        yield
    finally:
        chain.give_back_generators()


@contextlib.contextmanager
def _generators_back(chain):
    """Inside `_generators_lent`: the generators as the layers see them for a block (a batch
    callback may draw from them), lent to the kernel again after it."""
    if chain is None:
        yield
        return
    chain.give_back_generators()
    try:
        yield
    finally:
        chain.take_generators()


def _mask(tape, tensor):
    """The Keras mask of graph tensor `tensor` in a pass, or None (loss masking: ``loss_masks.py``)."""
    return None if tape.masks is None else tape.masks[tensor]
