"""Hyperparameter and architecture search on Optuna: KerasTuner's API, Optuna's machinery.

``build_model(hp)`` defines the space with ``hp.Int/Float/Choice/Boolean/Fixed``;
``Tuner`` (or ``RandomSearch``, ``BayesianOptimization``, ``Hyperband``) searches it with
Optuna's samplers and pruners, in one process or many, on one machine or many (through a
database storage), and resumes a stored study. A plain Optuna ``objective(trial)`` that
trains a gradwise model uses ``PruningCallback`` and ``trial_seed`` directly.

Optuna is imported only when this package is: ``import gradwise`` does not import it.
"""

from .aliases import BayesianOptimization, Hyperband, RandomSearch
from .hyperparameters import HyperParameters
from .objective import Objective
from .pruning import PruningCallback
from .study import SearchSpaceChangedError, trial_seed
from .tuner import Tuner
from .workers import WorkerError

__all__ = [
    "HyperParameters", "Objective", "Tuner", "RandomSearch", "BayesianOptimization", "Hyperband",
    "PruningCallback", "SearchSpaceChangedError", "WorkerError", "trial_seed",
]
