"""Who owns a layer's params: the flat parameter buffer of the model that trains it.

A model packs the params of its trained layers into one ``ParameterSet`` (one flat
buffer, one optimizer step) and points each layer's ``params``/``grads`` at views of
it. A layer called several times in one graph is packed once. Which layers are trained
is read at ``compile`` (Keras's rule), so compile repacks.

One layer object in two models: the layer's params live in one buffer at a time, that
of the model that packed it last (``layer._storage``). A model checks before each fit,
``train_on_batch`` and ``compute_gradients`` that it still holds all its layers and
otherwise packs again, taking them back with their current values. So both models train
the shared layer, one after the other, and neither trains a detached copy. An
optimizer keeps its slots across such a repack (same tensors, same layout).
"""

from .. import initializers
from ..parameters import ParameterSet


def redraw_pending(layers, rng):
    """Draw again from `rng` the weights of those `layers` drawn unseeded that nothing has trained or
    given weights yet (marked ``_seed_pending``); they are then the seeded model's."""
    for layer in layers:
        if layer.__dict__.pop("_seed_pending", False) and layer.built:
            initializers.refund(layer.count_params())  # loading a file: new weights in place of as many old ones
            layer.build_for(layer.input_shape, rng, layer.dtype)


def note_drawn(layer, seed):
    """`layer` was just built by a model with `seed`: unseeded, a seeded model may draw it again."""
    if seed is None:
        layer._seed_pending = True


class OwnershipMixin:
    """`parameter_set` and the lists the training step needs; mixed into models."""

    @property
    def parameter_set(self):
        """Every trained tensor packed in one buffer (packed on first use, after compile, and when
        another model has taken over a shared layer since)."""
        packed = self._parameter_set
        if packed is None or any(layer._storage is not packed for layer in self._trained_layers):
            packed = self._pack()
        return packed

    def _pack(self):
        self._require_built("parameter_set")
        graph = self._graph
        compiled = self._compiled_trainable
        trained = [layer for layer in graph.layers
                   if layer.params and compiled.get(id(layer), layer.trainable)]
        tensors = {f"{layer.name}/{key}": value for layer in trained for key, value in layer.params.items()}
        if len(tensors) != sum(len(layer.params) for layer in trained):
            names = [layer.name for layer in trained]
            duplicates = sorted({name for name in names if names.count(name) > 1})
            raise ValueError(f"{self.name}: two different layers are named {duplicates}; layer names must be unique "
                             "within a model. Give them distinct `name=` arguments.")
        previous = self._parameter_set
        packed = ParameterSet(tensors, self.dtype)
        for layer in graph.layers:  # trained from now on: no seed draws them again
            layer.__dict__.pop("_seed_pending", None)
        for layer in trained:
            for key in layer.params:
                layer.params[key] = packed.value_views[f"{layer.name}/{key}"]
                layer.grads[key] = packed.grad_views[f"{layer.name}/{key}"]
            layer._storage = packed
            layer.sync_weight_attributes()
        loose = [layer for layer in graph.layers if layer.params and layer not in trained]
        for layer in loose:
            if previous is not None and getattr(layer, "_storage", None) is previous:
                # frozen since the last pack: its params leave our old buffer for arrays of their own
                for key in layer.params:
                    layer.params[key] = layer.params[key].copy()
                    layer.grads[key] = layer.grads[key].copy()
                layer._storage = None
                layer.sync_weight_attributes()
        self._parameter_set = packed
        self._trained_layers = trained
        self._trained_ids = {id(layer) for layer in trained}
        graph.plan_gradients(self._trained_ids)
        return packed
