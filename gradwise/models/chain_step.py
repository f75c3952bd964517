"""A small Dense/Dropout chain's training step as one compiled call (where the seam has one).

A tabular MLP's step is a few tens of thousands of multiply-adds spread over some fifty
Python-level calls (each layer's forward and backward, the activation kernels, dropout,
the loss, its reduction); those calls, not the arithmetic, are most of its time. When a
model is exactly such a chain, ``ChainStep.plan`` describes it once per fit to the seam's
whole-step kernel (``Ops.dense_chain_step``; numba's is ``ops/_numba/dense_chain.py``) and
fit calls that instead of the layers. Everything the kernel does not describe keeps the
layer-by-layer step: another layer or activation (the kernel computes linear, ReLU, sigmoid,
tanh, softmax, ELU and GELU), an activity penalty, a frozen layer, loss
options, a mask, several outputs, layers too wide for the kernel to pay, or a seam without
the kernel (NumPy's, or numba's without SciPy). A callback that reads the step
(``on_train_step``) gets the layers' step on the batches it asks for, when it says which
beforehand (``Callback.wants_step_data``: the doctor does), else on all of them.

The weights' penalties (``kernel_regularizer``, ``bias_regularizer``: any regularizer), the
optimizer's update, the constraints and the metrics run as in the layer-by-layer step, by the
layers' and the optimizer's own code: the kernel computes the loss's gradient, the layers add
their penalties' gradients to it.
Dropout draws the same bits from the layer's own generator: the kernel advances a copy of its
state, written back to the generator whenever anything else could look at it (a batch
callback, the end of an epoch, an error).
"""

import numpy as np

from .. import activations, losses
from ..layers.dense import Dense
from ..layers.dropout import Dropout
from ..ops import chain_codes as codes, get_ops
from ..ops.numba_ops import _halves
from ..ops.numpy_ops import keep_threshold
from . import chain_compile

# Most multiply-adds of one layer's product over a batch (batch x fan-in x units) that the kernel
# takes: above about this the layers' step wins (its products are NumPy's BLAS, the kernel's SciPy's,
# which runs these shapes slower; one thread, bench.chain_crossover, a 3-layer ReLU MLP's step against
# the layers' own: at batch 32, 1.08x as fast at 256 units, 2**21, and 0.93x at 384; at batch 128,
# 1.28x at 128 units, 2**21, 1.11x at 192 and 0.97x at 384).
LARGEST_PRODUCT = 2**22

_ACTIVATIONS = {activations.Linear: codes.LINEAR, activations.ReLU: codes.RELU, activations.Sigmoid: codes.SIGMOID,
                activations.Tanh: codes.TANH, activations.Softmax: codes.SOFTMAX, activations.ELU: codes.ELU,
                activations.GELU: codes.GELU}
_LOSSES = {losses.BinaryCrossentropy: codes.BINARY_CROSSENTROPY,
           losses.SparseCategoricalCrossentropy: codes.SPARSE_CROSSENTROPY,
           losses.MeanSquaredError: codes.MEAN_SQUARED_ERROR}


def _activation_code(activation):
    code = _ACTIVATIONS.get(type(activation))
    if code == codes.RELU and not activation._plain:  # ReLU with a slope, a ceiling or a threshold
        return None
    if code == codes.SOFTMAX and activation.axis != -1:
        return None
    if code == codes.GELU and activation.approximate:
        return codes.GELU_TANH
    return code


def _loss_code(output, last_code):
    loss = output.loss
    code = _LOSSES.get(type(loss))
    if code is None or output.weight != 1.0 or loss.from_logits or loss._defines_call():
        return None
    fused = output.fused is not None
    if code == codes.BINARY_CROSSENTROPY:  # from the sigmoid's logits, as the fused output reads it
        return code if last_code == codes.SIGMOID and not loss.label_smoothing and fused else None
    if code == codes.SPARSE_CROSSENTROPY:
        return code if last_code == codes.SOFTMAX and fused else None
    return code if last_code != codes.SOFTMAX else None  # MSE through a softmax: its backward is not in the kernel


def _offset(array, values):
    """Where the C-contiguous `array` starts in the flat buffer `values` (None: not in it)."""
    if not array.flags.c_contiguous or array.dtype != values.dtype:
        return None
    start = array.__array_interface__["data"][0] - values.__array_interface__["data"][0]
    itemsize = values.itemsize
    if start < 0 or start % itemsize or start // itemsize + array.size > values.size:
        return None
    return start // itemsize


class ChainStep:
    """One compiled training step for `model`'s chain of layers (see the module docstring);
    made by ``plan``."""

    def __init__(self, model, kernel, parameter_set, rows, dropouts, thresholds, scales, loss_code):
        self.model = model
        self.kernel = kernel
        self.parameter_set = parameter_set
        self.rows = np.array(rows, dtype=np.int64)  # the kernel's plan: one row per layer
        self.dropouts = dropouts  # the Dropout layers, by their row in `states`
        self.thresholds = np.array(thresholds, dtype=np.int64)
        self.scales = np.array(scales, dtype=parameter_set.values.dtype)
        self.states = np.zeros((len(dropouts), 4), dtype=np.uint64)
        self.states_before = None  # the states before the last step, kept while a callback reads steps
        self.planned_on = _what_plan_reads(model)  # (stale)
        self.loss_code = loss_code
        self.dtype = parameter_set.values.dtype
        self.units = int(self.rows[-1, 2])
        self.tiny = self.dtype.type(losses._TINY[self.dtype.type])  # as the layers' sparse cross-entropy
        self._empty_targets = np.empty((0, 0), dtype=self.dtype)
        self._empty_labels = np.empty(0, dtype=np.int64)
        self._empty_weights = np.empty(0, dtype=self.dtype)

    @classmethod
    def plan(cls, model, parameter_set, hooks, batch_size=None):
        """The ChainStep of `model` for a fit of `batch_size` rows a batch (None: unknown, taken as 32),
        or None when the layer-by-layer step must run."""
        kernel = get_ops().dense_chain_step()
        if kernel is None or hooks.needs_every_step:
            return None
        description = describe(model, parameter_set, batch_size)
        if description is None or chain_compile.defers_plan(kernel):
            return None  # (deferred: a helper process compiles the kernel meanwhile, see chain_compile)
        step = cls(model, kernel, parameter_set, *description)
        if hooks.wants_train_step and step.dropouts:  # a batch may be run again (rewind_generators)
            step.states_before = step.states.copy()
        return step

    def stale(self):
        """Whether a layer of the chain was edited in place since the plan (another activation or rate:
        the doctor's live repairs do that between epochs), so that fit must plan again."""
        return _what_plan_reads(self.model) != self.planned_on

    # ----- the dropout generators' state --------------------------------------------------
    def take_generators(self):
        """Copy each Dropout generator's state into the kernel's `states`."""
        for row, layer in enumerate(self.dropouts):
            pcg = layer._rng.bit_generator.state["state"]
            self.states[row] = (*_halves(pcg["state"]), *_halves(pcg["inc"]))

    def give_back_generators(self):
        """Write the kernel's advanced states back to the Dropout generators."""
        for row, layer in enumerate(self.dropouts):
            generator = layer._rng.bit_generator
            with generator.lock:
                state = generator.state
                state["state"]["state"] = (int(self.states[row, 0]) << 64) | int(self.states[row, 1])
                generator.state = state

    def rewind_generators(self):
        """The kernel's states as they were before the last step, whose batch is to be run again
        with the same dropout draws (kept only where the plan's hooks read steps; no dropout: nothing to do)."""
        if self.states_before is not None:
            np.copyto(self.states, self.states_before)

    # ----- the step ---------------------------------------------------------------------
    def run(self, inputs, targets, sample_weight):
        """Forward, loss and backward of one batch; returns (loss, the chain's outputs). A
        non-finite loss writes no gradient (the caller skips the update)."""
        arguments = self.arguments(inputs, targets, sample_weight)
        if self.states_before is not None:
            np.copyto(self.states_before, self.states)
        return self.kernel(*arguments), arguments[-1]

    def arguments(self, inputs, targets, sample_weight):
        """The kernel's arguments for one batch, the last one the outputs it writes (their
        types are the kernel's signature: ``chain_compile`` asks numba's cache for it)."""
        dtype = self.dtype
        x = np.ascontiguousarray(inputs[0], dtype=dtype)
        y = targets[0]
        batch = x.shape[0]
        if self.loss_code == codes.SPARSE_CROSSENTROPY:
            labels, float_targets = np.ascontiguousarray(y.reshape(-1), dtype=np.int64), self._empty_targets
        else:
            labels, float_targets = self._empty_labels, np.ascontiguousarray(y, dtype=dtype).reshape(batch, self.units)
        weights = sample_weight[0]
        weights = self._empty_weights if weights is None else np.ascontiguousarray(weights, dtype=dtype).reshape(-1)
        outputs = np.empty((batch, self.units), dtype=dtype)
        parameter_set = self.parameter_set
        return (x, float_targets, labels, weights, self.tiny, parameter_set.values, parameter_set.grads, self.rows,
                self.thresholds, self.scales, self.states, self.loss_code, outputs)


def describes(model, batch_size=None):
    """Whether a fit of the compiled `model` would train in the compiled chain step where the seam
    has one (the tuner's probe models: ``tuning.kernels``); asks nothing of the seam."""
    try:
        model._fused_output()
        return describe(model, model.parameter_set, batch_size) is not None
    except Exception:  # noqa: BLE001 - a model this cannot read (not compiled, not built) is not a chain
        return False


def describe(model, parameter_set, batch_size=None):
    """(plan rows, dropout layers, thresholds, scales, loss code) of `model`'s chain, or None when
    the kernel does not describe the model (see the module docstring)."""
    from .subclassed import SubclassedModel  # here: it imports the module that imports this one

    # a subclassed model's graph is a trace of its `call`, which its own pass checks as it runs
    if len(model._outputs) != 1 or isinstance(model, SubclassedModel):
        return None
    graph = model._graph
    if graph.activity_nodes or len(graph.inputs) != 1 or len(graph.outputs) != 1:
        return None
    values = parameter_set.values
    if values.dtype.type not in losses._TINY:  # float32 and float64
        return None
    rows, dropouts, thresholds, scales = [], [], [], []
    previous = graph.inputs[0]
    for node in graph.nodes:
        layer = node.layer
        if tuple(node.inputs) != (previous,) or node.outputs is not None or node.training is not None or \
                node.only is not None:
            return None  # not a plain chain
        previous = node.output
        kind = type(layer)
        if "forward" in vars(layer) or "backward" in vars(layer):
            return None  # a pass replaced on the instance: it must run
        if kind is Dense:
            row = _dense_row(model, layer, values, batch_size or 32)
            if row is None:
                return None
        elif kind is Dropout:
            if layer.rate == 0.0:
                continue
            if (layer.noise_shape is not None or layer._fixed_keep is not None or layer._rng is None or
                    type(layer._rng.bit_generator) is not np.random.PCG64 or len(layer.input_shape) != 1):
                return None
            width = layer.input_shape[0]
            row = (codes.DROPOUT, width, width, 0, 0, len(dropouts))
            dropouts.append(layer)
        else:
            return None
        rows.append(row)
        thresholds.append(int(keep_threshold(layer.rate)) if kind is Dropout else 0)
        # a Dropout row's kept units' value; a Dense row's ELU alpha (unused by its other activations)
        scales.append(1.0 / (1.0 - layer.rate) if kind is Dropout else float(getattr(layer.activation, "alpha", 1.0)))
    if not rows or rows[-1][0] != codes.DENSE:
        return None
    loss_code = _loss_code(model._outputs[0], rows[-1][5])
    if loss_code is None:
        return None
    return rows, dropouts, thresholds, scales, loss_code


def _what_plan_reads(model):
    """What of the chain's layers a plan depends on and a callback may change in place: each layer's
    activation, rate and activity penalty (by identity: a new object is a change)."""
    return [(id(getattr(layer, "activation", None)), getattr(layer, "rate", None),
             id(getattr(layer, "activity_regularizer", None))) for layer in (node.layer for node in model._graph.nodes)]


def _dense_row(model, layer, values, batch_size):
    if (id(layer) not in model._trained_ids or len(layer.input_shape) != 1 or layer.activity_regularizer is not None
            or layer.dtype != values.dtype):
        return None
    code = _activation_code(layer.activation)
    fan_in, units = layer.params["kernel"].shape
    kernel_at = _offset(layer.params["kernel"], values)
    bias_at = _offset(layer.params["bias"], values) if layer.use_bias else -1
    if code is None or kernel_at is None or bias_at is None or batch_size * fan_in * units > LARGEST_PRODUCT:
        return None
    return (codes.DENSE, fan_in, units, kernel_at, bias_at, code)
