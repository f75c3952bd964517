"""Bidirectional: a recurrent layer run forwards and a copy run backwards, their outputs merged."""

import numpy as np

from .base import Layer
from ._wrapper import Wrapper

MERGE_MODES = ("concat", "sum", "ave", "mul", None)


def _renamed(layer, name, **changes):
    from . import deserialize, serialize

    config = serialize(layer)
    config["config"].update(name=name, **changes)
    return deserialize(config)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


class Bidirectional(Wrapper):
    """Keras's Bidirectional: `layer` reads the sequence first to last, a copy with the opposite
    ``go_backwards`` reads it last to first, and their outputs are merged.

    The backward layer's sequence is flipped back before merging, so step t of the
    output sees the whole sequence. With `return_sequences`, masked steps output zeros
    (Keras sets ``zero_output_for_mask``). With `return_state` the outputs are
    ``[merged, *forward states, *backward states]``. Weights: the forward layer's,
    then the backward layer's, keyed 'forward/kernel', ..., 'backward/kernel', ...

    Parameters
    ----------
    layer : SimpleRNN, LSTM or GRU
        Its config is copied into ``forward_layer`` ('forward_<name>') and, with
        `go_backwards` flipped, into ``backward_layer`` ('backward_<name>').
    merge_mode : {'concat', 'sum', 'ave', 'mul', None}, default 'concat'
        None returns the two outputs as a list (on arrays; not in a model).
    backward_layer : recurrent layer, optional
        Used instead of the copy; its `go_backwards` must differ from `layer`'s.

    Examples
    --------
    >>> Bidirectional(LSTM(16, return_sequences=True))
    <Bidirectional name='bidirectional'>
    """

    takes_mask = True
    products_per_time_step = True  # those of its two recurrent layers (see ops.model_threads)

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("layer", layer), ("backward_layer", backward_layer)):
            if value is not None and (not isinstance(value, Layer) or not hasattr(value, "go_backwards")):
                raise TypeError(f"Bidirectional: `{argument}` must be a recurrent layer (SimpleRNN, LSTM, GRU), "
                                f"got {value!r}.")
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Bidirectional: `merge_mode` must be one of {list(MERGE_MODES)}, got {merge_mode!r}.")
        self.merge_mode = merge_mode
        self.forward_layer = _renamed(layer, "forward_" + _strip(layer.name, "forward_"))
        if backward_layer is None:
            backward_layer = _renamed(layer, "backward_" + _strip(layer.name, "backward_"),
                                      go_backwards=not layer.go_backwards)
        if backward_layer.go_backwards == self.forward_layer.go_backwards:
            raise ValueError("Bidirectional: `backward_layer` must have the opposite `go_backwards` of `layer`, "
                             f"got go_backwards={backward_layer.go_backwards} for both.")
        for attribute in ("return_sequences", "return_state"):
            if getattr(backward_layer, attribute) != getattr(layer, attribute):
                raise ValueError(f"Bidirectional: `layer` and `backward_layer` must agree on `{attribute}`, got "
                                 f"{getattr(layer, attribute)} and {getattr(backward_layer, attribute)}.")
        self.backward_layer = backward_layer
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        for inner in (self.forward_layer, self.backward_layer):
            inner.zero_output_for_mask = self.return_sequences  # as Keras forces it
        self._wrap([("forward/", self.forward_layer), ("backward/", self.backward_layer)])

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(input_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = (*shape[:-1], 2 * shape[-1])
        outputs = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state or self.merge_mode is None:
            return outputs + states + states
        return shape

    def compute_mask(self, inputs, mask):
        output_mask = mask if self.return_sequences else None
        masks = [output_mask] * (2 if self.merge_mode is None else 1)
        if self.return_state:
            masks += [None] * (2 * self.forward_layer.state_count)
        return masks if len(masks) > 1 else masks[0]

    def build(self, input_shape, rng):
        self._build_inner(self.forward_layer, input_shape, rng, "forward")
        self._build_inner(self.backward_layer, input_shape, rng, "backward")

    def forward(self, inputs, training=False, mask=None):
        call = {} if mask is None else {"mask": mask}
        forward_outputs, forward_cache = self.forward_layer.forward(inputs, training, **call)
        backward_outputs, backward_cache = self.backward_layer.forward(inputs, training, **call)
        states = []
        if self.return_state:
            states = forward_outputs[1:] + backward_outputs[1:]
            forward_outputs, backward_outputs = forward_outputs[0], backward_outputs[0]
        if self.return_sequences:
            backward_outputs = backward_outputs[:, ::-1]
        if self.merge_mode == "concat":
            merged = [np.concatenate([forward_outputs, backward_outputs], axis=-1)]
        elif self.merge_mode == "sum":
            merged = [forward_outputs + backward_outputs]
        elif self.merge_mode == "ave":
            merged = [(forward_outputs + backward_outputs) / 2]
        elif self.merge_mode == "mul":
            merged = [forward_outputs * backward_outputs]
        else:
            merged = [forward_outputs, np.ascontiguousarray(backward_outputs)]
        outputs = merged + states
        cache = (forward_cache, backward_cache, forward_outputs, backward_outputs)
        return (outputs if len(outputs) > 1 else outputs[0]), cache

    # concat: the two halves of dy;  sum: dy to each;  ave: dy / 2 to each;  mul: dy * the other output;
    # then each inner layer's own backward (the backward one's sequence flipped back first)
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        forward_cache, backward_cache, forward_outputs, backward_outputs = cache
        grads = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
        merged_count = 2 if self.merge_mode is None else 1
        merged, states = grads[:merged_count], grads[merged_count:]
        grad = merged[0]
        if self.merge_mode == "concat":
            units = forward_outputs.shape[-1]
            grad_forward, grad_backward = grad[..., :units], grad[..., units:]
        elif self.merge_mode == "sum":
            grad_forward = grad_backward = grad
        elif self.merge_mode == "ave":
            grad_forward = grad_backward = grad / 2
        elif self.merge_mode == "mul":
            grad_forward, grad_backward = grad * backward_outputs, grad * forward_outputs
        else:
            grad_forward, grad_backward = merged
        if self.return_sequences:
            grad_backward = grad_backward[:, ::-1]
        if self.return_state:
            half = len(states) // 2
            grad_forward, grad_backward = [grad_forward, *states[:half]], [grad_backward, *states[half:]]
        from_forward = self.forward_layer.backward(grad_forward, forward_cache, input_grad, accumulate)
        from_backward = self.backward_layer.backward(grad_backward, backward_cache, input_grad, accumulate)
        return from_forward + from_backward if input_grad else None

    def get_config(self):
        from . import serialize

        return {**super().get_config(), "layer": serialize(self.forward_layer), "merge_mode": self.merge_mode,
                "backward_layer": serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config):
        from . import deserialize

        config = dict(config)
        config["layer"] = deserialize(config["layer"])
        if config.get("backward_layer") is not None:
            config["backward_layer"] = deserialize(config["backward_layer"])
        return cls(**config)
