"""What ``compile`` sets for each model output: its loss, its weight in the total loss and its
metrics (Keras's ``loss``, ``loss_weights`` and ``metrics`` given once, as a list or as a dict
keyed by output name).

The total loss is ``sum_k loss_weight_k * loss_k`` plus the regularization penalties; its
gradient w.r.t. output k is ``loss_weight_k * dloss_k/doutput_k``. An output without a loss
gets no gradient (its branch trains only through the other outputs). Logs are named as
Keras's: ``loss`` (the total), ``<output>_loss`` and ``<output>_<metric>`` when the model
has several outputs; ``loss`` and ``<metric>`` with one.
"""

import numbers

from .. import losses, metrics as metrics_module
from . import loss_masks
from .structures import per_output


class Output:
    """One output under training: `name`, its graph tensor `tensor`, `loss` (None: untrained),
    `weight` and its metric specs (resolved for its shape by ``resolve_metrics``).

    `fused` is the index of the node whose logits the loss reads (see ``TrainingMixin``),
    or None.
    """

    __slots__ = ("name", "loss", "weight", "metric_specs", "metrics", "prefix", "fused")

    def __init__(self, name, loss, weight, metric_specs, prefix):
        self.name = name
        self.loss = loss
        self.weight = weight
        self.metric_specs = metric_specs
        self.metrics = None
        self.prefix = prefix  # "" with one output, "<name>_" with several
        self.fused = None

    def resolve_metrics(self, shape):
        if self.metrics is None:
            self.metrics = [metrics_module.get(spec, self.loss, shape) for spec in self.metric_specs]
        return self.metrics

    def value_and_gradient(self, targets, outputs, sample_weight, logits, mask=None):
        """This output's unweighted loss and the gradient of its weighted loss; `logits` (the
        fused layer's pre-activation) or None; `mask` the output's Keras mask, if any (its
        masked steps do not count: ``loss_masks.py``)."""
        loss = self.loss
        shape = outputs.shape
        if loss_masks.applies(mask, outputs):
            targets, outputs, logits = (loss_masks.by_step(array, mask) for array in (targets, outputs, logits))
            sample_weight = loss_masks.step_weights(mask, sample_weight)
        if logits is not None:
            value, grad = loss.fused_value_and_gradient(targets, logits, outputs, sample_weight)
        else:
            value, grad = loss.value_and_gradient(targets, outputs, sample_weight, logits=loss.from_logits)
        grad = grad.reshape(shape)
        if self.weight != 1.0:
            grad *= grad.dtype.type(self.weight)
        return value, grad

    def per_sample(self, targets, outputs, logits, mask=None):
        if loss_masks.applies(mask, outputs):
            step_losses = self.per_sample(*(loss_masks.by_step(array, mask) for array in (targets, outputs, logits)))
            return loss_masks.per_sample(step_losses, mask)
        loss = self.loss
        if logits is not None:
            return loss.per_sample_from_logits(targets, logits)
        if loss.from_logits:
            return loss.per_sample_from_logits(targets, outputs)
        return loss.per_sample(targets, outputs)


def _metric_list(entry, name):
    if entry is None:
        return []
    if isinstance(entry, (list, tuple)):
        return list(entry)
    if isinstance(entry, dict):
        raise TypeError(f"compile: the metrics of output {name!r} must be a metric or a list of metrics, got a dict.")
    return [entry]


def _weight(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
        raise ValueError(f"compile: `loss_weights` of output {name!r} must be a non-negative number, got {value!r}.")
    return float(value)


def compile_outputs(loss, loss_weights, metrics, names):
    """The Output of every name, from compile's arguments (each one value, a list or a dict)."""
    if loss is None:
        raise ValueError("compile: `loss` is required, e.g. loss='binary_crossentropy'.")
    losses_ = [None if entry is None else losses.get(entry) for entry in per_output(loss, names, "loss")]
    if all(entry is None for entry in losses_):
        raise ValueError(f"compile: `loss` gives no output a loss; the outputs are {names}.")
    weights = [_weight(value, name) for value, name in
               zip(per_output(1.0 if loss_weights is None else loss_weights, names, "loss_weights", 1.0), names)]
    if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
        raise TypeError(f"compile: `metrics` must be a list such as ['accuracy'] (or, with several outputs, a list "
                        f"per output or a dict keyed by output name), got {type(metrics).__name__}.")
    if len(names) == 1:
        specs = [_metric_list(metrics[names[0]] if isinstance(metrics, dict) and names[0] in metrics else
                              (None if isinstance(metrics, dict) else metrics), names[0])]
        if isinstance(metrics, dict) and any(key != names[0] for key in metrics):
            per_output(metrics, names, "metrics")  # raises, naming the unknown keys
    else:
        specs = [_metric_list(entry, name) for entry, name in zip(per_output(metrics, names, "metrics"), names)] \
            if metrics is not None else [[] for _ in names]
    prefix = len(names) > 1
    return [Output(name, loss_, weight, spec, f"{name}_" if prefix else "")
            for name, loss_, weight, spec in zip(names, losses_, weights, specs)]
