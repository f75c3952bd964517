"""TimeDistributed: one layer applied to every time step, y[:, t] = layer(x[:, t])."""

from .base import Layer
from ._wrapper import Wrapper


class TimeDistributed(Wrapper):
    """Apply `layer` to each step of (batch, steps, ...) inputs, with one set of weights.

    The steps are folded into the batch, so the inner layer runs once on
    (batch * steps, ...): one matrix product for a Dense, not one per step. A mask
    passes through unchanged. The weights are the inner layer's, under its keys.

    Parameters
    ----------
    layer : Layer

    Examples
    --------
    >>> TimeDistributed(Dense(8))
    <TimeDistributed name='time_distributed'>
    """

    supports_masking = True

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise TypeError(f"TimeDistributed: `layer` must be a gradwise Layer, got {layer!r}.")
        if getattr(layer, "multi_input", False):
            raise ValueError(f"TimeDistributed: `layer` must take one input, got {type(layer).__name__}.")
        self.layer = layer
        self._wrap([("", layer)])

    def compute_output_shape(self, input_shape):
        if len(input_shape) < 2:
            raise ValueError(f"TimeDistributed '{self.name}' expected inputs of shape (batch, steps, ...), got "
                             f"per-sample shape {tuple(input_shape)}.")
        inner = self.layer.compute_output_shape(tuple(input_shape[1:]))
        return (input_shape[0], *inner)

    def build(self, input_shape, rng):
        self._build_inner(self.layer, tuple(input_shape[1:]), rng, "layer")

    def forward(self, inputs, training=False):
        batch, steps = inputs.shape[:2]
        outputs, cache = self.layer.forward(inputs.reshape(batch * steps, *inputs.shape[2:]), training)
        return outputs.reshape(batch, steps, *outputs.shape[1:]), (cache, inputs.shape)

    # y[:, t] = f(x[:, t]) for every t with one f  =>  the inner backward on the steps folded into the batch
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        inner_cache, input_shape = cache
        batch, steps = grad_outputs.shape[:2]
        grad_inputs = self.layer.backward(grad_outputs.reshape(batch * steps, *grad_outputs.shape[2:]), inner_cache,
                                          input_grad, accumulate)
        return None if grad_inputs is None else grad_inputs.reshape(input_shape)

    def get_config(self):
        from . import serialize

        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config):
        from . import deserialize

        config = dict(config)
        config["layer"] = deserialize(config["layer"])
        return cls(**config)
