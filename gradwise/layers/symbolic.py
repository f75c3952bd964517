"""Symbolic tensors: what calling a layer on ``Input(...)`` gives, for the Functional API.

A symbolic tensor holds a per-sample shape and its history: the layer call that made
it (``layer`` and the symbolic ``inputs`` of that call), or the ``Input`` it stands
for. ``gradwise.Model(inputs, outputs)`` walks these histories back from the outputs
to build its graph; no array is computed until the model runs.
"""


class SymbolicTensor:
    """A placeholder for a layer's outputs (no batch axis in `shape`)."""

    def __init__(self, shape, dtype, layer=None, inputs=(), source=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.layer = layer  # the layer whose call made this tensor (None for an input)
        self.inputs = tuple(inputs)  # the symbolic inputs of that call
        self.source = source  # the Input layer, for an input
        self.call = None  # the nested model call that made it, if any (gradwise.models.nesting)
        self.siblings = None  # all the outputs of its call, for a layer with several (return_state)
        self.training = None  # the mode fixed for the call that made it (`layer(x, training=False)`), if any

    @property
    def name(self):
        return (self.source or self.layer).name

    def __repr__(self):
        return f"<SymbolicTensor shape={(None, *self.shape)} from {self.name!r}>"

    def __array__(self, *args, **kwargs):
        raise TypeError(
            f"A symbolic tensor (from {self.name!r}) has no values: NumPy operations cannot run on it while a model "
            "is being built. Do the operation inside a layer: a Layer subclass whose forward computes it and whose "
            "backward gives its derivative (gradwise computes no derivative by itself).")


def several_output_shapes(layer_or_shape):
    """The per-output shapes of a layer with several outputs (LSTM(return_state=True)), else None; or
    of such an output shape itself (a list of shapes)."""
    shape = layer_or_shape if isinstance(layer_or_shape, (list, tuple)) else getattr(layer_or_shape, "output_shape",
                                                                                       None)
    if isinstance(shape, (list, tuple)) and shape and all(isinstance(item, (list, tuple)) for item in shape):
        return [tuple(item) for item in shape]
    return None


def as_symbolic(value):
    """`value` as a SymbolicTensor when it is one or an Input layer; else None."""
    if isinstance(value, SymbolicTensor):
        return value
    return getattr(value, "symbolic_output", None)


def is_symbolic(value):
    if isinstance(value, (list, tuple)):
        return bool(value) and any(as_symbolic(item) is not None for item in value)
    return as_symbolic(value) is not None
