"""HyperParameters: the ``hp`` that ``build_model(hp)`` receives, with KerasTuner's methods.

Inside a search every ``hp.Int/Float/Choice/Boolean`` call is one Optuna suggestion, so
the space is define-by-run: a parameter defined only inside ``if layers > 3:`` exists
only in the trials that take that branch (a conditional parameter). Outside a search,
``HyperParameters(values)`` replays fixed values (falling back to each parameter's
default), which is how a best trial's model is rebuilt.
"""

import contextlib
import math
import numbers

import numpy as np

from . import distributions as dist

_SAMPLINGS = ("linear", "log")


class HyperParameters:
    """Hyperparameter values for one model build.

    Parameters
    ----------
    values : dict, optional
        Fixed values to replay (e.g. ``tuner.get_best_hyperparameters()[0].values``).
        Parameters not in `values` take their default.

    Attributes
    ----------
    values : dict
        The value of every parameter defined in this build (``Fixed`` ones included,
        inactive conditional ones excluded), in order of definition.
    space : dict of str -> optuna distribution
        The distribution of every tunable parameter defined in this build.

    Examples
    --------
    >>> def build_model(hp):
    ...     model = Sequential([Input((8,))])
    ...     for i in range(hp.Int("layers", 1, 5)):
    ...         model.add(Dense(hp.Int(f"units_{i}", 8, 256, sampling="log"), activation="relu"))
    ...     model.add(Dense(1, activation="sigmoid"))
    ...     model.compile(optimizer=hp.Choice("optimizer", ["adam", "sgd"]), loss="binary_crossentropy")
    ...     return model
    """

    def __init__(self, values=None):
        if values is not None and not isinstance(values, dict):
            raise TypeError(f"HyperParameters: `values` must be a dict or None, got {type(values).__name__}.")
        self._replay = dict(values or {})
        self._trial = None
        self._probe = None
        self._inactive = 0
        self.values = {}
        self.space = {}

    @classmethod
    def for_trial(cls, trial):
        """An ``hp`` whose suggestions come from an Optuna trial (used by the Tuner)."""
        hp = cls()
        hp._trial = trial
        return hp

    @classmethod
    def for_probe(cls, draw, rng):
        """An ``hp`` that draws values itself (see ``distributions.probe_value``), to discover the space."""
        hp = cls()
        hp._probe = (draw, rng)
        return hp

    # ----- KerasTuner's methods ---------------------------------------------------------
    def Int(self, name, min_value, max_value, step=1, sampling="linear", default=None,
            parent_name=None, parent_values=None):
        """An int in [min_value, max_value] on a grid of `step`; ``sampling='log'`` for scale-free ranges."""
        low, high = _check_int(name, "min_value", min_value), _check_int(name, "max_value", max_value)
        step = 1 if step is None else _check_int(name, "step", step)
        distribution = dist.int_distribution(name, low, high, step, _check_sampling(name, sampling))
        return self._define(name, distribution, default, parent_name, parent_values)

    def Float(self, name, min_value, max_value, step=None, sampling="linear", default=None,
              parent_name=None, parent_values=None):
        """A float in [min_value, max_value]; ``sampling='log'`` for learning rates and penalties."""
        low, high = _check_float(name, "min_value", min_value), _check_float(name, "max_value", max_value)
        step = None if step is None else _check_float(name, "step", step)
        distribution = dist.float_distribution(name, low, high, step, _check_sampling(name, sampling))
        return self._define(name, distribution, default, parent_name, parent_values)

    def Choice(self, name, values, ordered=None, default=None, parent_name=None, parent_values=None):
        """One of `values` (numbers, strings, booleans or None)."""
        distribution = dist.choice_distribution(name, values)
        return self._define(name, distribution, default, parent_name, parent_values)

    def Boolean(self, name, default=False, parent_name=None, parent_values=None):
        """True or False."""
        return self._define(name, dist.choice_distribution(name, [False, True]), default, parent_name, parent_values)

    def Fixed(self, name, value, parent_name=None, parent_values=None):
        """A constant recorded with the trial's values but never tuned."""
        _check_name(name)
        if not self._active(parent_name, parent_values):
            return value
        self.values[name] = value
        return value

    @contextlib.contextmanager
    def conditional_scope(self, parent_name, parent_values):
        """Parameters defined inside are active only when `parent_name` takes one of `parent_values`."""
        active = self._active(parent_name, parent_values)
        self._inactive += 0 if active else 1
        try:
            yield active
        finally:
            self._inactive -= 0 if active else 1

    def get(self, name):
        """The value of a parameter already defined in this build."""
        if name not in self.values:
            raise KeyError(f"HyperParameters.get: {name!r} is not defined (yet); defined: {sorted(self.values)}.")
        return self.values[name]

    def __getitem__(self, name):
        return self.get(name)

    def __contains__(self, name):
        return name in self.values

    def __repr__(self):
        return f"HyperParameters({self.values!r})"

    # ----- internals --------------------------------------------------------------------
    def _active(self, parent_name, parent_values):
        if self._inactive:
            return False
        if parent_name is None:
            return True
        if parent_name not in self.values:
            raise ValueError(f"HyperParameters: parent_name={parent_name!r} must be defined before its children.")
        wanted = parent_values if isinstance(parent_values, (list, tuple, set)) else [parent_values]
        return self.values[parent_name] in wanted

    def _define(self, name, distribution, default, parent_name, parent_values):
        _check_name(name)
        if default is not None and not dist.contains(distribution, default):
            raise ValueError(f"HyperParameters: default {default!r} of {name!r} is outside its range {distribution}.")
        if not self._active(parent_name, parent_values):
            return dist.default_value(distribution, default)
        if name in self.space:
            if self.space[name] != distribution:
                raise ValueError(
                    f"HyperParameters: {name!r} is defined twice with different ranges in one build: "
                    f"{self.space[name]} and {distribution}. Give each parameter its own name."
                )
            return self.values[name]
        value = self._value(name, distribution, default)
        self.space[name] = distribution
        self.values[name] = value
        return value

    def _value(self, name, distribution, default):
        if self._trial is not None:
            return dist.suggest(self._trial, name, distribution)
        if self._probe is not None:
            draw, rng = self._probe
            return dist.probe_value(distribution, draw, rng)
        if name in self._replay:
            return self._replay[name]
        return dist.default_value(distribution, default)


def _check_name(name):
    if not isinstance(name, str) or not name:
        raise TypeError(f"HyperParameters: a parameter name must be a non-empty str, got {name!r}.")


def _check_sampling(name, sampling):
    if sampling not in _SAMPLINGS:
        raise ValueError(
            f"HyperParameters: `sampling` of {name!r} must be 'linear' or 'log', got {sampling!r} "
            "(Optuna's samplers have no 'reverse_log')."
        )
    return sampling


def _check_int(name, argument, value):
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"HyperParameters.Int {name!r}: `{argument}` must be an int, got {value!r}.")
    return int(value)


def _check_float(name, argument, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise TypeError(f"HyperParameters.Float {name!r}: `{argument}` must be a finite number, got {value!r}.")
    return float(value)
