"""The optimizer base class: clipping, weight decay, learning-rate schedules, state.

A subclass declares its slots and computes one step on flat arrays::

    class RMSprop(Optimizer):
        def _new_slots(self, param):
            return {"mean_square": np.zeros_like(param)}

        def _step(self, grad, slots, learning_rate):
            ...  # update slots in place, return the increment to subtract from the params

The base class hands ``_step`` the *whole model* at once: every trainable tensor is a
view into one flat buffer (``gradwise.parameters.ParameterSet``), so one step is a
handful of vectorized NumPy calls whatever the number of tensors; the array seam
(``gradwise.ops``) decides how the update runs (NumPy's in cache-sized blocks over
threads, a compiled implementation as one fused loop). Slots are flat arrays
too; ``get_state`` names them per tensor ("dense_1/kernel/momentum") so they are readable
and serializable.

Order of one step, as in Keras 3: clip the gradients (one rule only, in Keras' order of
precedence: clipnorm per tensor, else global_clipnorm, else clipvalue), apply decoupled
weight decay ``w -= lr * weight_decay * w``, then the update; ``iterations`` counts the
steps and the schedule is evaluated at it.
"""

import numbers

import numpy as np

from .. import _checks, registry
from ..ops import get_ops
from ..parameters import ParameterSet


class LearningRate(float):
    """The learning rate an optimizer reads out: a float, with Keras's variable methods so
    ``optimizer.learning_rate.assign(0.01)`` (in a callback) sets the optimizer's rate."""

    def __new__(cls, value, optimizer):
        rate = super().__new__(cls, value)
        rate._optimizer = optimizer
        return rate

    def assign(self, value):
        self._optimizer.learning_rate = float(value)
        return self._optimizer.learning_rate

    def numpy(self):
        return float(self)


class Optimizer:
    """Base class of all optimizers.

    Parameters
    ----------
    learning_rate : float or LearningRateSchedule
    weight_decay : float, optional
        Decoupled weight decay applied before each update.
    clipnorm : float, optional
        Rescale each tensor's gradient so its L2 norm is at most `clipnorm`.
    global_clipnorm : float, optional
        Rescale all gradients together so their joint L2 norm is at most this.
    clipvalue : float, optional
        Clip each gradient element to [-clipvalue, clipvalue]. As in Keras 3, ignored when
        `clipnorm` or `global_clipnorm` is set.

    Notes
    -----
    A subclass registers itself (``gradwise.registry``) under its lower-case class name.
    """

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("optimizer", cls, cls.__name__.lower())

    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, name=None):
        owner = type(self).__name__
        self.name = name or owner.lower()
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError(f"{owner}: set at most one of `clipnorm` and `global_clipnorm`, got both.")
        self.weight_decay = None if weight_decay is None else _checks.non_negative_float(owner, "weight_decay", weight_decay)
        self.clipnorm = None if clipnorm is None else _checks.positive_float(owner, "clipnorm", clipnorm)
        self.global_clipnorm = None if global_clipnorm is None else _checks.positive_float(owner, "global_clipnorm", global_clipnorm)
        self.clipvalue = None if clipvalue is None else _checks.positive_float(owner, "clipvalue", clipvalue)
        self.learning_rate = learning_rate
        self.iterations = 0
        self.slots = None
        self._parameter_set = None

    # ----- learning rate ------------------------------------------------------------
    @property
    def learning_rate(self):
        """The learning rate in effect for the next step (a schedule is evaluated here); a fixed
        rate comes with Keras's ``assign``."""
        if self._schedule is not None:
            return self._rate()
        return LearningRate(self._learning_rate, self)

    def _rate(self):
        """The learning rate of the next step as a plain float (what the update kernels take)."""
        if self._schedule is not None:
            return float(self._schedule(self.iterations))
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if callable(value) and not isinstance(value, numbers.Real):
            self._schedule, self._learning_rate = value, None
            return
        self._schedule = None
        self._learning_rate = _checks.positive_float(type(self).__name__, "learning_rate", value)

    @property
    def schedule(self):
        return self._schedule

    # ----- the step -------------------------------------------------------------------
    def _new_slots(self, param):
        return {}

    def _step(self, grad, slots, learning_rate):
        raise NotImplementedError

    def build(self, parameter_set):
        """Create the slots for `parameter_set` (called once, on the first step)."""
        self._parameter_set = parameter_set
        self.slots = self._new_slots(parameter_set.values)

    def step(self, parameter_set):
        """Apply ``parameter_set.grads`` to ``parameter_set.values`` in place."""
        if self._parameter_set is not parameter_set:
            if self.slots is not None and self._parameter_set is not None and parameter_set.size != self._parameter_set.size:
                raise ValueError(
                    f"{type(self).__name__}: this optimizer already holds state for {self._parameter_set.size} "
                    f"parameters and was given {parameter_set.size}; use a new optimizer for a new model."
                )
            slots = self.slots
            self.build(parameter_set)
            if slots is not None:  # same shape, e.g. state restored before the first step
                self.slots = slots
        grads = self._clipped(parameter_set)
        learning_rate = self._rate()
        self._begin_step(learning_rate)
        get_ops().update_parameters(self, parameter_set.values, grads, learning_rate)
        self.iterations += 1

    def _begin_step(self, learning_rate):
        """Once-per-step scalar work (e.g. Nadam's momentum product), before the elementwise update."""

    def _scratch(self, like):
        """An uninitialized array shaped and typed like `like`, private to the calling thread.

        `_step` computes its increment in it instead of in fresh temporaries: the update
        then allocates nothing. The array is reused by the thread's next call, so the
        increment must be consumed before that (``_update`` subtracts it at once).
        """
        return get_ops().scratch(like)

    def _update(self, values, grads, slots, learning_rate):
        """The NumPy update of `values` (the whole model or a block of it) with its slots."""
        if self.weight_decay:
            values *= 1.0 - learning_rate * self.weight_decay  # in place: no temporary
        values -= self._step(grads, slots, learning_rate)

    def _clipped(self, parameter_set):
        grads = parameter_set.grads
        if self.clipnorm is not None:
            norms = np.sqrt(parameter_set.segment_sums(grads * grads))
            scale = self.clipnorm / np.maximum(norms, self.clipnorm)
            return grads * parameter_set.expand(scale.astype(grads.dtype))
        if self.global_clipnorm is not None:
            norm = float(np.sqrt(np.dot(grads, grads)))
            return grads * (self.global_clipnorm / norm) if norm > self.global_clipnorm else grads
        if self.clipvalue is not None:
            return np.clip(grads, -self.clipvalue, self.clipvalue)
        return grads

    def apply_gradients(self, grads_and_vars):
        """Keras-style update of standalone arrays: ``[(grad, variable), ...]``, in place.

        Slots are kept between calls as long as the same variables come in the same order.
        """
        pairs = list(grads_and_vars)
        variables = [v for _, v in pairs]
        if self._parameter_set is None or getattr(self, "_variables", None) is None or any(
            a is not b for a, b in zip(self._variables, variables)
        ) or len(self._variables) != len(variables):
            dtype = np.result_type(*[np.asarray(v).dtype for v in variables])
            self._variables = variables
            self._standalone = ParameterSet({f"var_{i}": v for i, v in enumerate(variables)}, dtype)
        ps = self._standalone
        for i, (grad, var) in enumerate(pairs):
            ps.value_views[f"var_{i}"][...] = var
            ps.grad_views[f"var_{i}"][...] = grad
        self.step(ps)
        for i, var in enumerate(variables):
            var[...] = ps.value_views[f"var_{i}"]

    # ----- state and config -------------------------------------------------------------
    def get_state(self):
        """Plain dict of arrays: iterations and each slot split per tensor."""
        state = {"iterations": np.array(self.iterations, dtype=np.int64)}
        if self.slots is None or self._parameter_set is None:
            return state
        ps = self._parameter_set
        for slot_name, flat in self.slots.items():
            if np.ndim(flat) == 0:
                state[slot_name] = np.array(flat)
                continue
            for name, start, size, shape in zip(ps.names, ps.offsets, ps.sizes, ps.shapes):
                state[f"{name}/{slot_name}"] = flat[start:start + size].reshape(shape).copy()
        return state

    def set_state(self, state, parameter_set):
        """Restore what get_state returned, for the model whose params are `parameter_set`."""
        self.build(parameter_set)
        self.iterations = int(state["iterations"])
        ps = parameter_set
        for slot_name, flat in self.slots.items():
            if np.ndim(flat) == 0:
                if slot_name not in state:
                    raise ValueError(f"{type(self).__name__}.set_state: missing slot '{slot_name}'.")
                self.slots[slot_name] = np.array(state[slot_name], dtype=np.asarray(flat).dtype)
                continue
            for name, start, size in zip(ps.names, ps.offsets, ps.sizes):
                key = f"{name}/{slot_name}"
                if key not in state:
                    raise ValueError(f"{type(self).__name__}.set_state: missing slot '{key}'.")
                flat[start:start + size] = np.asarray(state[key]).reshape(-1)

    def get_config(self):
        from . import schedules  # local: schedules imports nothing from here

        lr = schedules.serialize(self._schedule) if self._schedule is not None else self._learning_rate
        return {
            "name": self.name,
            "learning_rate": lr,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
        }

    @classmethod
    def from_config(cls, config):
        from . import schedules

        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)
