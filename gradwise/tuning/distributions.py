"""Optuna distributions for the ``hp`` methods: checked construction, suggestion, defaults, probing.

The distributions are Optuna's own (``IntDistribution``, ``FloatDistribution``,
``CategoricalDistribution``), so a gradwise search space is an Optuna search space: any
sampler, the dashboard and ``study.trials_dataframe()`` understand it.
"""

import math

import numpy as np
from optuna.distributions import (CategoricalDistribution, FloatDistribution, IntDistribution,
                                  distribution_to_json)

_CHOICE_TYPES = (type(None), bool, int, float, str)


def int_distribution(name, low, high, step, sampling):
    if low > high:
        raise ValueError(f"HyperParameters.Int {name!r}: min_value {low} is larger than max_value {high}.")
    if step < 1:
        raise ValueError(f"HyperParameters.Int {name!r}: `step` must be a positive int, got {step}.")
    if sampling == "log":
        if low < 1:
            raise ValueError(f"HyperParameters.Int {name!r}: sampling='log' needs min_value >= 1, got {low}.")
        if step != 1:
            raise ValueError(f"HyperParameters.Int {name!r}: sampling='log' cannot be combined with step={step}.")
    return IntDistribution(low, high, log=sampling == "log", step=step)


def float_distribution(name, low, high, step, sampling):
    if low > high:
        raise ValueError(f"HyperParameters.Float {name!r}: min_value {low} is larger than max_value {high}.")
    if sampling == "log":
        if low <= 0:
            raise ValueError(f"HyperParameters.Float {name!r}: sampling='log' needs min_value > 0, got {low}.")
        if step is not None:
            raise ValueError(f"HyperParameters.Float {name!r}: sampling='log' cannot be combined with step={step}.")
    if step is not None and step <= 0:
        raise ValueError(f"HyperParameters.Float {name!r}: `step` must be positive, got {step}.")
    return FloatDistribution(low, high, log=sampling == "log", step=step)


def choice_distribution(name, values):
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"HyperParameters.Choice {name!r}: `values` must be a list, got {values!r}.")
    values = list(values)
    if not values:
        raise ValueError(f"HyperParameters.Choice {name!r}: `values` must not be empty.")
    for value in values:
        if not isinstance(value, _CHOICE_TYPES):
            raise TypeError(
                f"HyperParameters.Choice {name!r}: values must be numbers, strings, booleans or None, got "
                f"{value!r} of type {type(value).__name__}."
            )
    if len({(type(v), v) for v in values}) != len(values):
        raise ValueError(f"HyperParameters.Choice {name!r}: `values` has duplicates: {values!r}.")
    return CategoricalDistribution(values)


def contains(distribution, value):
    """True when `value` is one that `distribution` can produce."""
    if isinstance(distribution, CategoricalDistribution):
        return any(type(value) is type(choice) and value == choice for choice in distribution.choices)
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    if not distribution.low <= value <= distribution.high:
        return False
    step = distribution.step
    if step is None:
        return True
    offset = (value - distribution.low) / step
    return math.isclose(offset, round(offset), abs_tol=1e-8)


def default_value(distribution, default):
    """`default`, else KerasTuner's default: the minimum of a range, the first choice."""
    if default is not None:
        return default
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[0]
    return distribution.low


def suggest(trial, name, distribution):
    """Ask an Optuna trial (``Trial`` or ``FixedTrial``) for a value of `distribution`."""
    if isinstance(distribution, CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    if isinstance(distribution, IntDistribution):
        return trial.suggest_int(name, distribution.low, distribution.high, step=distribution.step,
                                 log=distribution.log)
    return trial.suggest_float(name, distribution.low, distribution.high, step=distribution.step,
                               log=distribution.log)


def probe_value(distribution, draw, rng):
    """A value for draw number `draw` of a space probe.

    Draw 0 takes every range's maximum (so loops over a layer count define all their
    per-layer parameters) and draw 1 every minimum; later draws are random. Choices
    cycle, so every branch of a ``Choice`` is visited once the draws outnumber its values.
    """
    if isinstance(distribution, CategoricalDistribution):
        return distribution.choices[draw % len(distribution.choices)]
    low, high = distribution.low, distribution.high
    if draw < 2:
        value = high if draw == 0 else low
    elif distribution.log:
        value = math.exp(rng.uniform(math.log(low), math.log(high)))
    else:
        value = rng.uniform(low, high)
    if distribution.step is not None:
        value = low + round((value - low) / distribution.step) * distribution.step
        value = min(max(value, low), high)
    return int(round(value)) if isinstance(distribution, IntDistribution) else float(value)


def to_json(distribution):
    return distribution_to_json(distribution)


def describe(distribution):
    """A short human description: 'int 8..256 log', "choice ['adam', 'sgd']"."""
    if isinstance(distribution, CategoricalDistribution):
        return f"choice {list(distribution.choices)!r}"
    kind = "int" if isinstance(distribution, IntDistribution) else "float"
    text = f"{kind} {distribution.low:g}..{distribution.high:g}"
    if distribution.log:
        text += " log"
    if distribution.step not in (None, 1):
        text += f" step {distribution.step:g}"
    return text
