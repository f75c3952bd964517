"""Learning-rate schedules: callables of the step number, with Keras 3's formulas and names.

An optimizer evaluates its schedule at ``optimizer.iterations`` (0 on the first step).
Schedules accept an int or an array of steps; a scalar step gives a float.
"""

import math
import numbers

import numpy as np

from .. import _checks


class LearningRateSchedule:
    """Base class: ``schedule(step) -> learning rate``; subclasses define `_rate` and `get_config`."""

    def __call__(self, step):
        rate = self._rate(np.asarray(step, dtype=np.float64))
        return float(rate) if np.ndim(rate) == 0 else rate

    def _rate(self, step):
        raise NotImplementedError(f"{type(self).__name__} must define `_rate(step)`.")

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__} must define `get_config()` to be serializable.")

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{key}={value!r}" for key, value in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _positive_steps(owner, value):
    _checks.positive_float(owner, "decay_steps", value)
    return value  # kept as given (int or float) so that configs round-trip unchanged


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with `staircase`
    the exponent is floored, so the rate drops every `decay_steps` steps.

    Examples
    --------
    >>> ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)(25)
    0.025
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        owner = "ExponentialDecay"
        self.initial_learning_rate = _checks.non_negative_float(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive_steps(owner, decay_steps)
        self.decay_rate = _checks.positive_float(owner, "decay_rate", decay_rate)
        self.staircase, self.name = bool(staircase), name

    def _rate(self, step):
        exponent = step / self.decay_steps
        if self.staircase:
            exponent = np.floor(exponent)
        return self.initial_learning_rate * self.decay_rate**exponent

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; with `staircase`
    ``step / decay_steps`` is floored.

    Examples
    --------
    >>> InverseTimeDecay(0.1, decay_steps=1, decay_rate=0.5)(2)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        owner = "InverseTimeDecay"
        self.initial_learning_rate = _checks.non_negative_float(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive_steps(owner, decay_steps)
        self.decay_rate = _checks.non_negative_float(owner, "decay_rate", decay_rate)
        self.staircase, self.name = bool(staircase), name

    def _rate(self, step):
        fraction = step / self.decay_steps
        if self.staircase:
            fraction = np.floor(fraction)
        return self.initial_learning_rate / (1 + self.decay_rate * fraction)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[i]`` while
    ``boundaries[i-1] < step <= boundaries[i]``, and ``values[-1]`` after the last boundary.

    Examples
    --------
    >>> PiecewiseConstantDecay([100, 200], [1.0, 0.5, 0.1])(100)
    1.0
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        owner = "PiecewiseConstantDecay"
        if not isinstance(boundaries, (list, tuple)) or not isinstance(values, (list, tuple)):
            raise TypeError(f"{owner}: `boundaries` and `values` must be lists, got "
                            f"{type(boundaries).__name__} and {type(values).__name__}.")
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"{owner}: `values` must have one more element than `boundaries`, got "
                             f"{len(boundaries)} boundaries and {len(values)} values.")
        if not all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in boundaries) or any(
                low >= high for low, high in zip(boundaries[:-1], boundaries[1:])):
            raise ValueError(f"{owner}: `boundaries` must be strictly increasing numbers, got {list(boundaries)!r}.")
        self.boundaries = list(boundaries)
        self.values = [_checks.non_negative_float(owner, "values", v) for v in values]
        self.name = name

    def _rate(self, step):
        # side="left": a step equal to a boundary still gets the value before it.
        return np.asarray(self.values)[np.searchsorted(self.boundaries, step, side="left")]

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, with the step capped at
    `decay_steps`; with `cycle`, `decay_steps` is instead stretched to the first multiple
    of itself that is >= step (1 x at step 0).

    Examples
    --------
    >>> PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0)(5)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        owner = "PolynomialDecay"
        self.initial_learning_rate = _checks.non_negative_float(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive_steps(owner, decay_steps)
        self.end_learning_rate = _checks.non_negative_float(owner, "end_learning_rate", end_learning_rate)
        self.power = _checks.positive_float(owner, "power", power)
        self.cycle, self.name = bool(cycle), name

    def _rate(self, step):
        if self.cycle:
            decay_steps = self.decay_steps * np.maximum(np.ceil(step / self.decay_steps), 1.0)
        else:
            decay_steps, step = self.decay_steps, np.minimum(step, self.decay_steps)
        remaining = 1 - step / decay_steps
        return (self.initial_learning_rate - self.end_learning_rate) * remaining**self.power + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay (Loshchilov & Hutter, "SGDR", ICLR 2017) after an optional linear
    warm-up (Goyal et al., "Accurate, Large Minibatch SGD", 2017), as in Keras 3.

    Without `warmup_target`: ``initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decay_steps)) + alpha)``
    with ``s = min(step, decay_steps)``. With it: a line from `initial_learning_rate` to
    `warmup_target` over `warmup_steps` steps, then the same decay from `warmup_target`
    over the next `decay_steps` steps, then ``alpha * warmup_target``.

    Examples
    --------
    >>> CosineDecay(0.0, decay_steps=100, warmup_target=0.1, warmup_steps=10)(5)
    0.05
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        owner = "CosineDecay"
        self.initial_learning_rate = _checks.non_negative_float(owner, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive_steps(owner, decay_steps)
        self.alpha = _checks.fraction(owner, "alpha", alpha, closed_right=True)
        self.warmup_target = None if warmup_target is None else _checks.non_negative_float(
            owner, "warmup_target", warmup_target)
        if isinstance(warmup_steps, bool) or not isinstance(warmup_steps, (int, np.integer)) or warmup_steps < 0:
            raise ValueError(f"{owner}: `warmup_steps` must be a non-negative int, got {warmup_steps!r}.")
        if warmup_steps > 0 and warmup_target is None:
            raise ValueError(f"{owner}: `warmup_steps`={warmup_steps} needs `warmup_target`, the rate to warm up "
                             "to; got warmup_target=None. Set it, or set warmup_steps=0.")
        self.warmup_steps, self.name = int(warmup_steps), name

    def _decayed(self, step, start):
        cosine = 0.5 * (1.0 + np.cos(math.pi * np.minimum(step, self.decay_steps) / self.decay_steps))
        return start * ((1 - self.alpha) * cosine + self.alpha)

    def _rate(self, step):
        if self.warmup_target is None:
            return self._decayed(step, self.initial_learning_rate)
        warmup = self.initial_learning_rate + (self.warmup_target - self.initial_learning_rate) * (
            step / max(self.warmup_steps, 1))
        return np.where(step < self.warmup_steps, warmup, self._decayed(step - self.warmup_steps, self.warmup_target))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (Loshchilov & Hutter, "SGDR", ICLR 2017), as in Keras 3.

    The first period lasts `first_decay_steps`; each next one `t_mul` times longer and starts
    from `m_mul` times the previous start. Within period ``i`` at fraction ``f`` of it:
    ``initial * ((1 - alpha) * m_mul**i * 0.5 * (1 + cos(pi * f)) + alpha)``.

    Examples
    --------
    >>> round(CosineDecayRestarts(0.1, first_decay_steps=10)(10), 6)  # the first restart
    0.1
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        owner = "CosineDecayRestarts"
        self.initial_learning_rate = _checks.non_negative_float(owner, "initial_learning_rate", initial_learning_rate)
        _checks.positive_float(owner, "first_decay_steps", first_decay_steps)
        self.first_decay_steps = first_decay_steps
        self.t_mul = _checks.positive_float(owner, "t_mul", t_mul)
        self.m_mul = _checks.non_negative_float(owner, "m_mul", m_mul)
        self.alpha = _checks.fraction(owner, "alpha", alpha, closed_right=True)
        self.name = name

    def _rate(self, step):
        fraction = step / self.first_decay_steps
        if self.t_mul == 1.0:
            restart = np.floor(fraction)
            fraction = fraction - restart
        else:  # periods of geometric length: which one `step` falls in, and how far into it
            # (+1e-9: a step exactly on a restart, 30 of 10 + 20, is the new period's first, not the last's end)
            restart = np.floor(np.log1p(-fraction * (1.0 - self.t_mul)) / np.log(self.t_mul) + 1e-9)
            elapsed = (1.0 - self.t_mul ** restart) / (1.0 - self.t_mul)
            fraction = (fraction - elapsed) / self.t_mul ** restart
        cosine = 0.5 * self.m_mul ** restart * (1.0 + np.cos(math.pi * fraction))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cosine + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_REGISTRY = {cls.__name__: cls for cls in (
    ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay, PolynomialDecay, CosineDecay, CosineDecayRestarts)}


def serialize(schedule):
    """A JSON-ready dict: ``{"class_name": "ExponentialDecay", "config": {...}}``."""
    if not isinstance(schedule, LearningRateSchedule):
        raise TypeError(f"Only a LearningRateSchedule can be serialized, got {schedule!r} of type "
                        f"{type(schedule).__name__}; subclass LearningRateSchedule and define get_config().")
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    """Rebuild a schedule from what `serialize` returned."""
    cls = _REGISTRY.get(config.get("class_name"))
    if cls is None:
        raise ValueError(f"Unknown learning-rate schedule {config.get('class_name')!r}. "
                         f"Valid names: {', '.join(sorted(_REGISTRY))}.")
    return cls.from_config(config.get("config", {}))
