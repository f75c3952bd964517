"""What a search optimizes: one or several logged keys, each with a direction.

A trial's value is the value of its best epoch, as in KerasTuner: with objective
'val_accuracy' a trial that peaks at epoch 12 and then overfits scores its epoch-12
accuracy, and ``BestEpoch`` restores that epoch's weights before the model is saved.
'params' (the model's parameter count, minimized) is a built-in objective for
accuracy/size trade-offs: ``objective=['val_accuracy', 'params']``.
"""

import math

from ..callbacks import Callback
from ..callbacks.monitor import check_monitor_key, infer_mode

PARAMS = "params"
_DIRECTIONS = {"min": "minimize", "minimize": "minimize", "max": "maximize", "maximize": "maximize"}


class Objective:
    """A logged key and whether to minimize or maximize it (KerasTuner's ``Objective``).

    Parameters
    ----------
    name : str
        A key of the epoch logs ('val_loss', 'val_accuracy', 'val_auc', ...) or 'params'.
    direction : {'min', 'max', 'minimize', 'maximize'}
    """

    def __init__(self, name, direction):
        if not isinstance(name, str) or not name:
            raise TypeError(f"Objective: `name` must be a non-empty str, got {name!r}.")
        if direction not in _DIRECTIONS:
            raise ValueError(f"Objective {name!r}: `direction` must be 'min' or 'max', got {direction!r}.")
        self.name = name
        self.direction = _DIRECTIONS[direction]

    def better(self, value, reference):
        """True when `value` beats `reference` (None) in this direction; NaN never does."""
        if math.isnan(value):
            return False
        if reference is None:
            return True
        return value < reference if self.direction == "minimize" else value > reference

    def __eq__(self, other):
        return isinstance(other, Objective) and (self.name, self.direction) == (other.name, other.direction)

    def __repr__(self):
        return f"Objective({self.name!r}, {self.direction!r})"


def resolve(objective):
    """A list of Objective from a name, an Objective, or a list of either; directions inferred."""
    specs = list(objective) if isinstance(objective, (list, tuple)) else [objective]
    if not specs:
        raise ValueError("Tuner: `objective` must name at least one key, got an empty list.")
    resolved = []
    for spec in specs:
        if isinstance(spec, Objective):
            resolved.append(spec)
        elif isinstance(spec, str):
            resolved.append(Objective(spec, "min" if spec == PARAMS else _infer(spec)))
        else:
            raise TypeError(f"Tuner: `objective` must be a str, an Objective or a list of them, got {spec!r}.")
    names = [spec.name for spec in resolved]
    if len(set(names)) != len(names):
        raise ValueError(f"Tuner: `objective` names a key twice: {names}.")
    if resolved[0].name == PARAMS:
        raise ValueError("Tuner: 'params' cannot be the first objective; put a logged key such as 'val_loss' first.")
    return resolved


def _infer(name):
    try:
        return infer_mode("Tuner", name)
    except ValueError:
        raise ValueError(
            f"Tuner: cannot tell whether objective {name!r} should be minimized or maximized. Pass "
            f"gradwise.tuning.Objective({name!r}, direction='max') (or 'min')."
        ) from None


class BestEpoch(Callback):
    """Tracks the best epoch of the first objective; restores its weights when training ends.

    Attributes
    ----------
    logs : dict or None
        The logs of the best epoch.
    best_epoch : int or None
        How many epochs had run at the best one (1 for the first epoch).
    epochs : int
        Epochs that ran.
    """

    def __init__(self, objective):
        super().__init__()
        self.objective = objective
        self._reset()

    def _reset(self):
        self.best, self.logs, self.epochs, self._weights, self._best_is_last = None, None, 0, None, True
        self.best_epoch = None

    def on_train_begin(self, logs=None):
        self._reset()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.epochs == 0:
            check_monitor_key(f"Tuner objective {self.objective.name!r}", self.objective.name, logs)
        self.epochs += 1
        value = float(logs[self.objective.name])
        self._best_is_last = False
        if self.objective.better(value, self.best):
            self.best, self.logs, self._best_is_last, self.best_epoch = value, dict(logs), True, self.epochs
            self._weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self._weights is not None and not self._best_is_last:
            self.model.set_weights(self._weights)
        self._weights = None


def trial_values(objectives, best_logs, model):
    """The values of `objectives` at the best epoch (``best_logs``); 'params' counts the model's weights."""
    values = []
    for objective in objectives:
        if objective.name == PARAMS:
            values.append(float(model.count_params()))
        elif best_logs is None:
            values.append(float("nan"))  # every epoch was NaN: Optuna marks the trial failed
        else:
            check_monitor_key(f"Tuner objective {objective.name!r}", objective.name, best_logs)
            values.append(float(best_logs[objective.name]))
    return values
