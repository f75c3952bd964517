"""Which fused kernel runs a built-in optimizer's step, and with which scalars.

Each function reads an optimizer's hyperparameters and rounds every scalar to the
parameters' dtype exactly where its NumPy ``_step`` lets NumPy do it, so the kernel in
``_numba.optimizers`` computes the same bits. An optimizer subclass that overrides the
update (``_step``, ``_update`` or ``_begin_step``), or whose method was replaced, is not
fused: its own NumPy code runs.
"""

import functools

import numpy as np

from .. import optimizers

_EMPTY = {}


@functools.lru_cache(maxsize=256)
def _rounded(cast, *values):
    """`values` rounded to the scalar type `cast`: hyperparameters stay the same over a fit,
    so each step looks their rounding up instead of redoing it (a tiny model's step is
    mostly such per-call costs)."""
    return tuple(cast(value) for value in values)


def _no_slot(dtype):
    empty = _EMPTY.get(dtype)  # keyed by what callers pass (the scalar type): no np.dtype() a step
    if empty is None:
        empty = _EMPTY[dtype] = np.empty(0, dtype=dtype)
    return empty


def _adam(optimizer, kernels, cast, slots, learning_rate):
    empty = _no_slot(cast)
    return kernels.adam, (slots["momentum"], slots["velocity"], slots.get("velocity_hat", empty), optimizer.amsgrad,
                          *_rounded(cast, 1 - optimizer.beta_1, 1 - optimizer.beta_2, optimizer.epsilon),
                          cast(optimizer._alpha))


def _sgd(optimizer, kernels, cast, slots, learning_rate):
    return kernels.sgd, (slots.get("momentum", _no_slot(cast)), cast(learning_rate), cast(optimizer.momentum),
                         optimizer.nesterov)


def _rmsprop(optimizer, kernels, cast, slots, learning_rate):
    empty = _no_slot(cast)
    return kernels.rmsprop, (slots["velocity"], slots.get("average_gradient", empty), slots.get("momentum", empty),
                             cast(optimizer.rho), cast(1 - optimizer.rho), cast(optimizer.epsilon), cast(learning_rate),
                             cast(optimizer.momentum))


def _adagrad(optimizer, kernels, cast, slots, learning_rate):
    return kernels.adagrad, (slots["accumulator"], cast(optimizer.epsilon), cast(learning_rate))


def _adadelta(optimizer, kernels, cast, slots, learning_rate):
    return kernels.adadelta, (slots["accumulated_grad"], slots["accumulated_delta_var"], cast(optimizer.rho),
                              cast(1 - optimizer.rho), cast(optimizer.epsilon), cast(learning_rate))


def _adamax(optimizer, kernels, cast, slots, learning_rate):
    t = optimizer.iterations + 1
    return kernels.adamax, (slots["momentum"], slots["norm"], cast(1 - optimizer.beta_1), cast(optimizer.beta_2),
                            cast(optimizer.epsilon), cast(learning_rate / (1 - optimizer.beta_1**t)))


def _nadam(optimizer, kernels, cast, slots, learning_rate):
    t = optimizer.iterations + 1
    u_t, u_next = optimizer._momentum_cache(t), optimizer._momentum_cache(t + 1)
    u_product = float(slots["u_product"])
    return kernels.nadam, (slots["momentum"], slots["velocity"], cast(1 - optimizer.beta_1),
                           cast(1 - optimizer.beta_2), cast(u_next / (1 - u_product * u_next)),
                           cast((1 - u_t) / (1 - u_product)), cast(1 / (1 - optimizer.beta_2**t)),
                           cast(optimizer.epsilon), cast(learning_rate))


# Adam's alpha is computed by its _begin_step; the others take the learning rate.
_ARGUMENTS = {
    optimizers.Adam: _adam,
    optimizers.SGD: _sgd,
    optimizers.RMSprop: _rmsprop,
    optimizers.Adagrad: _adagrad,
    optimizers.Adadelta: _adadelta,
    optimizers.Adamax: _adamax,
    optimizers.Nadam: _nadam,
}


# The NumPy code each kernel reproduces: a class whose update methods are not these
# (a subclass's override, a patched method) runs its own code instead.
_UPDATE_METHODS = ("_step", "_update", "_begin_step")
_REPRODUCED = {cls: tuple(getattr(cls, name) for name in _UPDATE_METHODS) for cls in _ARGUMENTS}
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# What _fused_class found, by the class and its update methods as they are now (a method
# patched later is another key): the MRO walk runs once per class, not once per step.
_FOUND = {}


def _fused_class(optimizer):
    """The built-in class whose kernel computes `optimizer`'s update, or None."""
    kind = type(optimizer)
    key = (kind, kind._step, kind._update, kind._begin_step)
    found = _FOUND.get(key, False)
    if found is False:
        found = None
        for base in kind.__mro__:
            if base in _ARGUMENTS:
                found = base if key[1:] == _REPRODUCED[base] else None
                break
        _FOUND[key] = found
    return found


def fused_step(optimizer, values, grads, learning_rate, kernels):
    """(kernel, arguments) such that ``kernel(values, grads, *arguments)`` applies `optimizer`'s
    step (slot arrays may be sliced along with values and grads), or None when no kernel
    computes it (a custom optimizer, mixed dtypes, non-contiguous arrays)."""
    base = _fused_class(optimizer)
    dtype = values.dtype
    if base is None or dtype not in _FLOATS or grads.dtype != dtype or not (
            values.flags.c_contiguous and grads.flags.c_contiguous):
        return None
    slots = optimizer.slots
    for slot in slots.values():  # arrays, or 0-d state such as Nadam's product
        if isinstance(slot, np.ndarray) and slot.ndim and not (slot.flags.c_contiguous and slot.dtype == dtype):
            return None
    cast = dtype.type
    kernel, arguments = _ARGUMENTS[base](optimizer, kernels, cast, slots, learning_rate)
    decay = cast(1.0 - learning_rate * optimizer.weight_decay) if optimizer.weight_decay else _rounded(cast, 1)[0]
    return kernel, (*arguments, decay)
