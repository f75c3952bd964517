"""The base of every model: the training API, parameter ownership, and registration.

A model class registers itself (``gradwise.registry``, kind "model") by subclassing,
so a saved model names its class and loading finds it without importing models.
"""

import numpy as np

from .. import registry
from ..layers.recorded import recorder_of
from ..saving import load_weights, model_to_json, save_model, save_weights
from .ownership import OwnershipMixin
from .training import TrainingMixin


class BaseModel(TrainingMixin, OwnershipMixin):
    """compile/fit/evaluate/predict (``training.py``) over ``self._graph``, and the flat
    parameter buffer (``ownership.py``), weights and saving over ``self.layers``; subclasses
    hold the structure."""

    def __init_subclass__(cls, register=True, **kwargs):
        super().__init_subclass__(**kwargs)
        if register:
            registry.register("model", cls)

    def _require_built(self, what):
        """Raise when the model has no structure to act on yet (subclasses say how)."""

    @property
    def _called_layers(self):
        """The layers and nested models the model calls, each once in the order of its first call: ``layers``
        without a graph's InputLayers (what summary, config and the layer roles read)."""
        return self.layers

    def __call__(self, x, training=None):
        """The outputs for `x`; inside a subclassed model's ``call``, the call is recorded by that pass."""
        recorder = recorder_of(x)
        if recorder is not None:
            return recorder.call(self, x, training)
        return super().__call__(x, training=training)

    # ----- used as a layer (see nesting.py) ---------------------------------------------------
    @property
    def trainable(self):
        return getattr(self, "_trainable", True)

    @trainable.setter
    def trainable(self, value):
        """Set `trainable` on every layer of the model (Keras's rule); it takes effect at the next
        compile of the model that trains them."""
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__} '{self.name}': `trainable` must be a bool, got {value!r}.")
        self._trainable = bool(value)
        for layer in self._all_layers():
            layer.trainable = bool(value)

    def _weight_layers(self):
        """The layers in the order of the weights' lists (get_weights, set_weights, weight_names);
        a functional model lists them as Keras does, which may differ from its execution order."""
        return self._all_layers()

    def weight_names(self):
        return [name for layer in self._weight_layers() for name in layer.weight_names()]

    # ----- weights: every layer's params then state, in layer order ---------------------------
    @property
    def weights(self):
        return self.get_weights()

    def get_weights(self):
        """Copies of every layer's weights (params then state), in layer order (a nested model's
        layers in its place)."""
        return [weight for layer in self._weight_layers() for weight in layer.get_weights()]

    @property
    def trainable_weights(self):
        """Copies of the params of the trainable layers, in layer order (what the next compile trains)."""
        return [layer.params[key].copy() for layer in self._weight_layers() if layer.trainable for key in layer.params]

    @property
    def non_trainable_weights(self):
        """Copies of the frozen layers' params, then every layer's state (BatchNormalization's statistics)."""
        layers = self._weight_layers()
        frozen = [layer.params[key].copy() for layer in layers if not layer.trainable for key in layer.params]
        return frozen + [value.copy() for layer in layers for value in layer.state.values()]

    # Keras 3's names for the same lists
    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def set_weights(self, weights):
        self._require_built("set_weights")
        weights = list(weights)
        layers = self._weight_layers()
        expected = sum(len(layer.weight_names()) for layer in layers)
        if len(weights) != expected:
            raise ValueError(f"set_weights expected {expected} arrays, got {len(weights)}.")
        start = 0
        for layer in layers:
            count = len(layer.weight_names())
            layer.set_weights(weights[start:start + count])
            start += count

    def reset_states(self):
        """Start every stateful recurrent layer's next call from zero states (Keras's
        ``model.reset_states()``, e.g. between independent sequences)."""
        for layer in self._all_layers():
            reset = getattr(layer, "reset_states", None)
            if callable(reset):
                reset()

    def count_params(self):
        self._require_built("count_params")
        return sum(layer.count_params() for layer in self._all_layers())

    # ----- saving (see gradwise.saving) ---------------------------------------------------------
    def save(self, filepath, overwrite=True):
        """Save the whole model (architecture, compile settings, weights, optimizer and random
        states) to one file, atomically; reload it with ``gradwise.models.load_model``."""
        save_model(self, filepath, overwrite=overwrite)

    def to_json(self, **kwargs):
        """The architecture (no weights) as a JSON string, for ``gradwise.models.model_from_json``."""
        return model_to_json(self, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Save every layer's weights (params and state) to one file, atomically."""
        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath):
        """Load weights written by ``save_weights`` or ``save``; layers are matched by position."""
        load_weights(self, filepath)
