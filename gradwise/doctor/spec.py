"""Spec: a training set-up as data (architecture, compile settings, data preparation,
callbacks), so the doctor can copy a model, change one thing and train it again.

The user's model is never modified: ``Spec.from_model`` reads its config, its compile
settings and its current weights; ``build`` makes a new model from them.
"""

import copy

import numpy as np

from .. import callbacks as callbacks_module, optimizers
from ..saving.compile_settings import compile_section, settings_from_section


class Spec:
    """Everything needed to rebuild and retrain a model.

    Attributes
    ----------
    config : dict
        ``Sequential.get_config()``.
    compile : dict
        Optimizer, loss and metrics as in a saved model.
    weights : list of ndarray or None
        Initial weights (the user's current ones); None means fresh initialization.
    standardize_inputs, standardize_targets, impute, drop_nonfinite_targets : bool
    callbacks : list of (class name, kwargs)
    epoch_factor : int
        Multiplies the probe's epochs (the 'train longer' remedy).
    """

    def __init__(self, model_class, config, compile, weights=None):
        self.model_class = model_class
        self.config = config
        self.compile = compile
        self.weights = weights
        self.standardize_inputs = False
        self.standardize_targets = False
        self.impute = False
        self.drop_nonfinite_targets = False
        self.callbacks = []
        self.epoch_factor = 1

    @classmethod
    def from_model(cls, model):
        if not getattr(model, "compiled", False):
            raise ValueError("diagnose: `model` must be compiled first: call model.compile(optimizer, loss, metrics).")
        weights = model.get_weights() if model.built else None
        return cls(type(model), copy.deepcopy(model.get_config()), copy.deepcopy(_compile_settings(model)), weights)

    def copy(self):
        """A deep copy with fresh initialization (a changed model starts from its initializers)."""
        other = copy.deepcopy(self)
        other.weights = None
        return other

    @property
    def layers(self):
        return self.config["layers"]

    def layer(self, name):
        for index, entry in enumerate(self.layers):
            if entry["config"].get("name") == name:
                return index, entry
        raise KeyError(name)

    @property
    def optimizer_config(self):
        return self.compile["optimizer"]["config"]

    def build(self, input_shape=None):
        """A new compiled model (with ``weights`` when given)."""
        config = copy.deepcopy(self.config)
        subclassed = getattr(self.model_class, "_define_by_run", False)  # its config is __init__'s arguments
        if config.get("input_shape") is None and input_shape is not None and not subclassed:
            config["input_shape"] = list(input_shape)
        model = self.model_class.from_config(config)
        if subclassed and not model.built and input_shape is not None:
            model.build(tuple(input_shape))
        model.compile(**settings_from_section(copy.deepcopy(self.compile)))
        if self.weights is not None:
            model.set_weights(self.weights)
        return model

    def make_callbacks(self):
        return [getattr(callbacks_module, name)(**kwargs) for name, kwargs in self.callbacks]


def _compile_settings(model):
    """The compile section of `model`; metrics that cannot be rebuilt from a config (plain
    functions) are left out of the copy: the doctor measures its own accuracy."""
    try:
        return compile_section(model)
    except (TypeError, ValueError):
        section = {"optimizer": optimizers.serialize(model.optimizer), "loss": model.loss.get_config(),
                   "metrics": [spec for spec in model._metric_specs if isinstance(spec, str)]}
        try:
            settings_from_section(copy.deepcopy(section))
        except (TypeError, ValueError, KeyError) as error:
            raise ValueError(f"diagnose: the model's loss or optimizer cannot be copied for the probe ({error}); "
                             "register custom losses and optimizers so gradwise can rebuild them.") from None
        return section


class Preparation:
    """The data transforms of a spec, fitted on the training rows."""

    def __init__(self, spec, x_train, y_train):
        self.x_mean = self.x_std = self.x_fill = None
        self.y_mean = self.y_std = None
        x = np.asarray(x_train, dtype=np.float64)
        if spec.impute:
            with np.errstate(all="ignore"):
                self.x_fill = np.nanmean(np.where(np.isfinite(x), x, np.nan), axis=0)
            self.x_fill = np.where(np.isfinite(self.x_fill), self.x_fill, 0.0)
            x = self._impute(x)
        if spec.standardize_inputs:
            self.x_mean = x.mean(axis=0)
            std = x.std(axis=0)
            self.x_std = np.where(std > 1e-12, std, 1.0)
        if spec.standardize_targets:
            y = np.asarray(y_train, dtype=np.float64)
            self.y_mean = y.mean(axis=0)
            self.y_std = np.where(y.std(axis=0) > 1e-12, y.std(axis=0), 1.0)

    def _impute(self, x):
        return np.where(np.isfinite(x), x, self.x_fill)

    def inputs(self, x):
        x = np.asarray(x, dtype=np.float64) if (self.x_mean is not None or self.x_fill is not None) else x
        if self.x_fill is not None:
            x = self._impute(x)
        if self.x_mean is not None:
            x = (x - self.x_mean) / self.x_std
        return x

    def targets(self, y):
        if self.y_mean is None:
            return y
        return (np.asarray(y, dtype=np.float64) - self.y_mean) / self.y_std

    def predictions(self, outputs):
        """Undo the target standardization on model outputs."""
        if self.y_mean is None:
            return outputs
        return outputs * self.y_std + self.y_mean
