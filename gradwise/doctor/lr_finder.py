"""find_learning_rate: the learning-rate range test (Smith 2017), on a copy of the model.

The test trains a copy of the model for at most `steps` batches while the learning rate
grows exponentially from `start_lr` to `end_lr`, one step per batch, and records the
loss of every batch. What it reads from that curve follows the two libraries that ship
it:

- the loss is smoothed with an exponential moving average of factor ``SMOOTHING`` = 0.98,
  bias-corrected (fastai's ``LRFinder`` and Lightning's ``lr_find`` both use 0.98);
- the sweep stops once the smoothed loss exceeds ``DIVERGENCE`` = 4 times its lowest
  value so far, or becomes NaN/Inf (fastai and Lightning's ``early_stop_threshold=4``);
- the suggestion (`rule`):
  ``'steepest'``, the rate where the smoothed loss falls fastest: the minimum
  of its gradient against log(rate), skipping the first ``SKIP_START`` = 10 points and
  the last one (Lightning's ``_LRFinder.suggestion``, skip_begin=10, skip_end=1);
  ``'minimum'`` (default), one tenth of the rate at the lowest smoothed loss over the same points
  (fastai's ``lr_min``; Smith's advice to take a rate an order of magnitude below where
  the loss is lowest). The doctor sizes its learning-rate remedies with this rule: on the
  fault suite's set-ups the steepest point lies close to divergence (SGD 3.9 on a
  tanh network whose loss diverges at 5), the minimum rule one order of magnitude lower.

The copy is rebuilt from the model's config and current weights (never pickled), so the
model itself is untouched. Returns an ``LRFinderResult`` holding the suggestion, the
curve (rates, raw and smoothed losses) and a ``figure()``.
"""

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np

SMOOTHING = 0.98
DIVERGENCE = 4.0
SKIP_START = 10
RULES = ("steepest", "minimum")


@dataclass
class LRFinderResult:
    """The range test's outcome.

    Attributes
    ----------
    suggestion : float or None
        The suggested learning rate (None when the curve is too short to read one).
    rule : str
    learning_rates, losses, smoothed : ndarray
        The rate of each batch, its loss and the smoothed loss.
    diverged : bool
        True when the sweep stopped because the loss diverged.
    optimizer : str
        The optimizer class the sweep used (the model's own).
    """

    suggestion: float
    rule: str
    learning_rates: np.ndarray
    losses: np.ndarray
    smoothed: np.ndarray
    diverged: bool
    optimizer: str

    def figure(self, figsize=(6, 4)):
        """Smoothed loss against the learning rate (log scale), the suggestion marked."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg  # optional dependency (extra 'tools')
        from matplotlib.figure import Figure

        figure = Figure(figsize=figsize, layout="constrained")
        FigureCanvasAgg(figure)
        axis = figure.subplots()
        axis.plot(self.learning_rates, self.losses, color="0.75", linewidth=0.8, label="batch loss")
        axis.plot(self.learning_rates, self.smoothed, label="smoothed loss")
        if self.suggestion is not None:
            axis.axvline(self.suggestion, color="C3", linestyle="--",
                         label=f"suggestion ({self.rule}): {self.suggestion:.3g}")
        axis.set_xscale("log")
        axis.set_xlabel(f"learning rate ({self.optimizer})")
        axis.set_ylabel("loss")
        finite = self.smoothed[np.isfinite(self.smoothed)]
        if finite.size:
            axis.set_ylim(top=min(float(finite.max()), DIVERGENCE * float(finite.min())) * 1.05)
        axis.legend()
        figure.suptitle("gradwise learning-rate range test")
        return figure

    def to_dict(self):
        return {"suggestion": self.suggestion, "rule": self.rule, "diverged": self.diverged,
                "optimizer": self.optimizer, "learning_rates": self.learning_rates.tolist(),
                "losses": [value if math.isfinite(value) else None for value in self.losses.tolist()],
                "smoothed": [value if math.isfinite(value) else None for value in self.smoothed.tolist()]}


def _check(start_lr, end_lr, steps, batch_size, rule):
    for name, value in (("start_lr", start_lr), ("end_lr", end_lr)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
            raise ValueError(f"find_learning_rate: `{name}` must be a positive float, got {value!r}.")
    if not end_lr > start_lr:
        raise ValueError(f"find_learning_rate: `end_lr` must be larger than `start_lr`, got {end_lr!r} <= {start_lr!r}.")
    for name, value in (("steps", steps), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"find_learning_rate: `{name}` must be a positive int, got {value!r}.")
    if steps < SKIP_START + 5:
        raise ValueError(f"find_learning_rate: `steps` must be at least {SKIP_START + 5}, got {steps!r}.")
    if rule not in RULES:
        raise ValueError(f"find_learning_rate: `rule` must be one of {RULES}, got {rule!r}.")


def smooth(losses, beta=SMOOTHING):
    """Bias-corrected exponential moving average of `losses`."""
    average, result = 0.0, []
    for index, value in enumerate(losses, start=1):
        average = beta * average + (1 - beta) * value
        result.append(average / (1 - beta ** index))
    return np.asarray(result, dtype=np.float64)


def suggest(learning_rates, smoothed, rule="minimum"):
    """The suggested rate read from a range-test curve (see the module docstring), or None."""
    learning_rates, smoothed = np.asarray(learning_rates, dtype=np.float64), np.asarray(smoothed, dtype=np.float64)
    finite = np.isfinite(smoothed)
    if finite.sum() < 3:
        return None
    rates, values = learning_rates[finite], smoothed[finite]
    window = slice(SKIP_START, len(values) - 1) if len(values) > SKIP_START + 3 else slice(0, len(values))
    rates, values = rates[window], values[window]
    if rule == "minimum":
        return float(rates[int(np.argmin(values))] / 10.0)
    slope = np.gradient(values, np.log(rates))
    return float(rates[int(np.argmin(slope))])


def find_learning_rate(model, x, y, *, start_lr=1e-7, end_lr=10.0, steps=100, batch_size=32, rule="minimum",
                       seed=0):
    """Run the learning-rate range test on a copy of `model` (see the module docstring).

    Parameters
    ----------
    model : Sequential
        A compiled model with a float learning rate; it is not changed.
    x, y : ndarray
        Training data; batches are drawn from a shuffled pass over them (several passes
        when `steps` batches need more rows).
    start_lr, end_lr : float
        The sweep's range; the rate of batch i is ``start_lr * (end_lr / start_lr) ** (i / (steps - 1))``.
    steps : int
        Batches in the sweep (at least 15).
    batch_size : int
    rule : {'minimum', 'steepest'}
    seed : int
        Of the batch order.

    Returns
    -------
    LRFinderResult

    Raises
    ------
    ValueError
        If the model is not compiled or an argument is invalid.

    Examples
    --------
    >>> result = find_learning_rate(model, x, y)  # doctest: +SKIP
    >>> result.suggestion, result.figure().savefig("lr.png")  # doctest: +SKIP
    """
    from .spec import Spec

    _check(start_lr, end_lr, steps, batch_size, rule)
    spec = Spec.from_model(model)
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"find_learning_rate: `x` and `y` must have the same number of samples, got {len(x)} "
                         f"and {len(y)}.")
    copy = spec.build(input_shape=x.shape[1:])
    return sweep(copy, x, y, start_lr=start_lr, end_lr=end_lr, steps=steps, batch_size=batch_size, rule=rule,
                 seed=seed)


def sweep(model, x, y, *, start_lr=1e-7, end_lr=10.0, steps=100, batch_size=32, rule="minimum", seed=0):
    """The range test on `model` itself (it is trained: pass a copy)."""
    _check(start_lr, end_lr, steps, batch_size, rule)
    rates = start_lr * (end_lr / start_lr) ** (np.arange(steps) / (steps - 1))
    rng = np.random.default_rng(seed)
    order, position = rng.permutation(len(x)), 0
    batch_size = min(batch_size, len(x))
    losses, best, diverged = [], math.inf, False
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        for rate in rates:
            if position + batch_size > len(x):
                order, position = rng.permutation(len(x)), 0
            index = order[position:position + batch_size]
            position += batch_size
            model.optimizer.learning_rate = float(rate)
            loss = float(np.atleast_1d(model.train_on_batch(x[index], y[index]))[0])
            losses.append(loss)
            if not math.isfinite(loss):
                diverged = True
                break
            smoothed = smooth(losses)[-1]
            best = min(best, smoothed)
            if smoothed > DIVERGENCE * best:
                diverged = True
                break
    losses = np.asarray(losses, dtype=np.float64)
    smoothed = smooth(np.where(np.isfinite(losses), losses, np.nan))
    rates = rates[:len(losses)]
    return LRFinderResult(suggest(rates, smoothed, rule), rule, rates, losses, smoothed, diverged,
                          type(model.optimizer).__name__)


__all__ = ["find_learning_rate", "LRFinderResult", "suggest", "smooth", "sweep"]
