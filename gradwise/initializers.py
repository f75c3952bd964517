"""Weight initializers with Keras' names, defaults and exact formulas.

Every initializer is called as ``init(shape, dtype, rng)`` (dtype None means
``backend.floatx()``, as in Keras); one built with a ``seed``
ignores `rng` and draws from its own generator, so it gives the same tensor every call.
Fans follow Keras: for a kernel of shape (..., inputs, outputs) the receptive field
(product of the leading dims) multiplies both fans.
"""

import contextlib
import contextvars
import math
import re

import numpy as np

from . import _checks, backend, registry

# Standard deviation of a unit normal truncated to [-2, 2]; dividing by it makes a
# truncated normal keep the requested variance (as Keras' VarianceScaling does).
_TRUNCATED_STD = 0.87962566103423978


def compute_fans(shape):
    """(fan_in, fan_out) of a weight tensor of `shape`."""
    shape = tuple(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class AllocationLimitError(ValueError):
    """A weight would take more values than the surrounding ``allocation_limit`` allows."""


# Values every initializer call in this context may still create (None: no limit). A
# context variable, so a limit set by one thread's loader never applies to another thread.
_remaining_values = contextvars.ContextVar("gradwise_remaining_values", default=None)


@contextlib.contextmanager
def allocation_limit(values):
    """Refuse, before allocating, any weight that would take the total past `values` values.

    The loader builds a model from an untrusted file's config under the number of values
    the file actually holds, so a config declaring ``units=10**9`` costs nothing.
    """
    token = _remaining_values.set([int(values)])
    try:
        yield
    finally:
        _remaining_values.reset(token)


def refund(values):
    """Give back `values` to the surrounding ``allocation_limit`` (none: nothing to do): a
    weight drawn again in place of one already charged must not be paid for twice."""
    remaining = _remaining_values.get()
    if remaining is not None:
        remaining[0] += int(values)


def _charge(shape):
    remaining = _remaining_values.get()
    if remaining is None:
        return
    count = math.prod(shape)
    if count > remaining[0]:
        raise AllocationLimitError(
            f"a weight of shape {shape} ({count} values) is larger than the {remaining[0]} values left to allocate"
        )
    remaining[0] -= count


class Initializer:
    """Base class. Subclasses implement ``_sample(shape, rng)`` returning float64, and register
    themselves (``gradwise.registry``) under their class name and its snake case
    (``GlorotUniform`` and ``"glorot_uniform"``)."""

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.__name__).lower()
            registry.register("initializer", cls, cls.__name__, snake, *cls.__dict__.get("aliases", ()))

    def __init__(self, seed=None):
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"{type(self).__name__}: `seed` must be a non-negative int or None, got {seed!r}.")
        self.seed = seed

    def __call__(self, shape, dtype=None, rng=None):
        dtype = backend.resolve_dtype(dtype)
        shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)
        _charge(shape)
        if self.seed is not None:
            rng = np.random.default_rng(self.seed)
        elif rng is None:
            rng = np.random.default_rng()
        return self._sample(shape, rng).astype(dtype, copy=False)

    def _sample(self, shape, rng):
        raise NotImplementedError

    def get_config(self):
        return {"seed": self.seed}


class Constant(Initializer):
    def __init__(self, value=0.0):
        super().__init__()
        self.value = float(value)

    def _sample(self, shape, rng):
        return np.full(shape, self.value)

    def get_config(self):
        return {"value": self.value}


class Zeros(Constant):
    aliases = ("zero",)  # Keras' short alias, still common in ported code

    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    aliases = ("one",)  # Keras' short alias, still common in ported code

    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class RandomNormal(Initializer):
    aliases = ("normal",)  # Keras' short alias, still common in ported code

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        super().__init__(seed)
        self.mean = float(mean)
        self.stddev = _checks.non_negative_float(type(self).__name__, "stddev", stddev)

    def _sample(self, shape, rng):
        return rng.normal(self.mean, self.stddev, size=shape)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, "seed": self.seed}


class RandomUniform(Initializer):
    aliases = ("uniform",)  # Keras' short alias, still common in ported code

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(seed)
        if not maxval >= minval:
            raise ValueError(f"RandomUniform: `maxval` must be >= `minval`, got minval={minval!r}, maxval={maxval!r}.")
        self.minval, self.maxval = float(minval), float(maxval)

    def _sample(self, shape, rng):
        return rng.uniform(self.minval, self.maxval, size=shape)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, "seed": self.seed}


def _truncated_normal(shape, stddev, rng, mean=0.0):
    """Normal samples redrawn until all lie within two standard deviations."""
    samples = rng.standard_normal(size=shape)
    outside = np.abs(samples) > 2
    while outside.any():
        samples[outside] = rng.standard_normal(size=int(outside.sum()))
        outside = np.abs(samples) > 2
    return mean + stddev * samples


class TruncatedNormal(RandomNormal):
    def _sample(self, shape, rng):
        return _truncated_normal(shape, self.stddev, rng, self.mean)


class VarianceScaling(Initializer):
    """Samples with variance ``scale / n``, n = fan_in, fan_out or their mean."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        super().__init__(seed)
        self.scale = _checks.positive_float("VarianceScaling", "scale", scale)
        self.mode = _checks.choice("VarianceScaling", "mode", mode, {"fan_in", "fan_out", "fan_avg"})
        self.distribution = _checks.choice(
            "VarianceScaling", "distribution", distribution, {"truncated_normal", "untruncated_normal", "uniform"}
        )

    def _sample(self, shape, rng):
        fan_in, fan_out = compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0 * variance)
            return rng.uniform(-limit, limit, size=shape)
        if self.distribution == "untruncated_normal":
            return rng.normal(0.0, math.sqrt(variance), size=shape)
        return _truncated_normal(shape, math.sqrt(variance) / _TRUNCATED_STD, rng)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution, "seed": self.seed}


def _variance_scaling_preset(class_name, scale, mode, distribution, doc):
    def __init__(self, seed=None):
        VarianceScaling.__init__(self, scale, mode, distribution, seed)

    def get_config(self):
        return {"seed": self.seed}

    return type(class_name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config, "__doc__": doc})


GlorotUniform = _variance_scaling_preset("GlorotUniform", 1.0, "fan_avg", "uniform",
                                         "U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)).")
GlorotNormal = _variance_scaling_preset("GlorotNormal", 1.0, "fan_avg", "truncated_normal",
                                        "Truncated normal, stddev = sqrt(2 / (fan_in + fan_out)).")
HeUniform = _variance_scaling_preset("HeUniform", 2.0, "fan_in", "uniform",
                                     "U(-limit, limit), limit = sqrt(6 / fan_in).")
HeNormal = _variance_scaling_preset("HeNormal", 2.0, "fan_in", "truncated_normal",
                                    "Truncated normal, stddev = sqrt(2 / fan_in).")
LecunUniform = _variance_scaling_preset("LecunUniform", 1.0, "fan_in", "uniform",
                                        "U(-limit, limit), limit = sqrt(3 / fan_in).")
LecunNormal = _variance_scaling_preset("LecunNormal", 1.0, "fan_in", "truncated_normal",
                                       "Truncated normal, stddev = sqrt(1 / fan_in).")


class Orthogonal(Initializer):
    """A (semi-)orthogonal matrix times `gain`, from the QR decomposition of a normal matrix."""

    def __init__(self, gain=1.0, seed=None):
        super().__init__(seed)
        self.gain = float(gain)

    def _sample(self, shape, rng):
        if len(shape) < 2:
            raise ValueError(f"Orthogonal: needs a shape of rank >= 2, got {shape}.")
        rows, cols = math.prod(shape[:-1]), shape[-1]
        matrix = rng.standard_normal(size=(max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(matrix)
        q *= np.sign(np.diag(r))  # makes the decomposition unique, hence uniformly distributed
        if rows < cols:
            q = q.T
        return self.gain * q.reshape(shape)

    def get_config(self):
        return {"gain": self.gain, "seed": self.seed}


class Identity(Initializer):
    """`gain` times the identity matrix (``numpy.eye`` for a non-square shape): Keras's
    ``Identity``, used to start a recurrent kernel as the identity (Le et al. 2015's IRNN)."""

    aliases = ("IdentityInitializer",)

    def __init__(self, gain=1.0):
        super().__init__()
        if isinstance(gain, bool) or not isinstance(gain, (int, float, np.integer, np.floating)) or not math.isfinite(
                gain):
            raise ValueError(f"Identity: `gain` must be a finite number, got {gain!r}.")
        self.gain = float(gain)

    def _sample(self, shape, rng):
        if len(shape) != 2:
            raise ValueError(f"Identity: makes 2-D matrices only, got shape {shape}.")
        return self.gain * np.eye(*shape)

    def get_config(self):
        return {"gain": self.gain}


# Keras's lower-case names for the same classes: initializers.he_normal(seed=1)
constant, zeros, ones, identity, orthogonal = Constant, Zeros, Ones, Identity, Orthogonal
random_normal, random_uniform, truncated_normal, variance_scaling = (RandomNormal, RandomUniform, TruncatedNormal,
                                                                     VarianceScaling)
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, HeUniform
lecun_normal, lecun_uniform = LecunNormal, LecunUniform
IdentityInitializer, OrthogonalInitializer = Identity, Orthogonal


def get(identifier):
    """Resolve an initializer from a name, a serialized dict or an Initializer."""
    if isinstance(identifier, Initializer):
        return identifier
    if isinstance(identifier, str):
        return registry.lookup("initializer", identifier)()  # Keras also accepts class names: "HeNormal"
    if isinstance(identifier, dict) and "class_name" in identifier:
        return deserialize(identifier)
    raise TypeError(
        f"initializer must be a name such as 'glorot_uniform' or a gradwise Initializer, "
        f"got {identifier!r} of type {type(identifier).__name__}."
    )


def serialize(initializer):
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config):
    cls = registry.lookup("initializer", config["class_name"], names=_class_names())
    return cls(**config.get("config", {}))


_REGISTRY = registry.View(  # gradwise's own initializers, by snake-case name
    "initializer", lambda cls: re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", cls.__name__).lower())


def _class_names():
    return {cls.__name__ for cls in registry.classes("initializer")}
