"""gradwise: Keras-style neural networks on NumPy, with explicit, verified backpropagation."""

import time as _time

_IMPORT_STARTED = _time.time()  # the `gradwise tune` command's time budget counts from here (tabular/tune.py)

from . import (activations, backend, callbacks, constraints, initializers, layers, losses, metrics, models, ops, optimizers,
               regularizers)
from .backend import floatx, set_floatx, set_random_seed
from .layers import Dense, Input, Layer
from .layers import (ELU, Activation, BatchNormalization, Dropout, Flatten, LeakyReLU, ReLU, Rescaling, Reshape,
                     Softmax, SpatialDropout1D, SpatialDropout2D)
from .layers import (AveragePooling1D, AveragePooling2D, Conv1D, Conv2D, GlobalAveragePooling1D,
                     GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPooling1D, MaxPooling2D)
from .layers import Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract
from .layers import GRU, LSTM, Bidirectional, Embedding, Masking, SimpleRNN, TimeDistributed
from .models import Model, Sequential
from .initializers import Initializer
from .losses import Loss
from .metrics import Metric
from .optimizers import Optimizer
from .regularizers import Regularizer
from . import saving
from .saving import load_model
from .tabular import modelfile as _tabular_modelfile  # noqa: E402,F401  (registers the 'tabular_model' file kind)

__version__ = "0.1.0"

__all__ = [
    "activations", "backend", "callbacks", "constraints", "initializers", "layers", "losses", "metrics", "models",
    "ops", "optimizers", "regularizers", "Sequential", "Input", "Dense", "floatx", "set_floatx", "set_random_seed",
]
__all__ += ["Conv1D", "Conv2D", "MaxPooling1D", "AveragePooling1D", "MaxPooling2D", "AveragePooling2D",
            "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D"]
__all__ += ["Activation", "ReLU", "LeakyReLU", "ELU", "Softmax", "BatchNormalization", "Dropout",
            "SpatialDropout1D", "SpatialDropout2D", "Rescaling", "Flatten", "Reshape"]
__all__ += ["saving", "load_model", "Model", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
            "Concatenate"]
from . import plot  # noqa: E402  (matplotlib is imported only when a plot is drawn)
__all__ += ["Initializer", "Loss", "Metric", "Optimizer", "Regularizer"]
__all__ += ["Layer", "plot", "Embedding", "Masking", "SimpleRNN", "LSTM", "GRU", "Bidirectional",
            "TimeDistributed"]

_LAZY_SUBMODULES = ("doctor", "tuning", "validation", "wrappers", "tabular", "cli", "utils", "datasets", "testing")


def __getattr__(name):
    """Import the heavier tool modules on first use, so `import gradwise` stays quick."""
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gradwise' has no attribute {name!r}")
