"""Keras's ``RNN(StackedRNNCells([...]))`` (or ``RNN([cell, cell])``): cells run one after the other at
every step, the first cell's output the second's input.

Running each cell over the whole sequence in turn gives the same numbers (a step of cell k
needs only cell k's previous state and cell k-1's output at that step), so the stack is
the cells' recurrent layers in a row, each but the last returning its whole sequence, each
with its fused loop. ``go_backwards`` reads the input last to first once: the first layer
reverses it and the rest read its output in that order (their mask flipped to match), so
the output sequence is in reversed order, as Keras's. With ``return_state`` the outputs
are ``[output, *states of the first cell, *states of the second, ...]``; the weights are
the first cell's kernel, recurrent kernel and bias, then the second's, ... as Keras's.
"""

from ._wrapper import Wrapper


class StackedRNNCells:
    """Cells to run in a stack at every step (Keras's ``StackedRNNCells``), for ``RNN``."""

    def __init__(self, cells):
        from .cell_rnn import is_cell
        from .rnn import _Cell

        cells = list(cells) if isinstance(cells, (list, tuple)) else cells
        if not isinstance(cells, list) or not cells or not all(isinstance(cell, _Cell) or is_cell(cell)
                                                               for cell in cells):
            raise TypeError("StackedRNNCells: `cells` must be a non-empty list of SimpleRNNCell, LSTMCell, GRUCell "
                            f"or cells of one's own (Layer subclasses with `state_size`), got {cells!r}.")
        self.cells = cells

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    def __repr__(self):
        return f"<StackedRNNCells cells={self.cells!r}>"


class StackedRNN(Wrapper):
    """The layer ``RNN(StackedRNNCells(cells), ...)`` makes: `layers`, one recurrent layer per cell,
    each built from the cell's arguments (see the module's docstring)."""

    takes_mask = True

    def __init__(self, layers, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 **kwargs):
        super().__init__(**kwargs)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), bool(stateful)
        from . import deserialize, serialize

        self.layers = [deserialize(serialize(layer)) for layer in layers]  # its own, unbuilt: `layers` are templates
        last = len(self.layers) - 1
        for number, layer in enumerate(self.layers):
            layer.return_sequences = number < last or self.return_sequences
            layer.return_state = self.return_state
            layer.go_backwards = self.go_backwards and number == 0
            layer.stateful = self.stateful
        self._wrap([(f"cell_{number}/", layer) for number, layer in enumerate(self.layers)])

    def compute_output_shape(self, input_shape):
        states = []
        for layer in self.layers:
            shape = layer.compute_output_shape(input_shape)
            if self.return_state:
                shape, layer_states = shape[0], list(shape[1:])
                states += layer_states
            input_shape = shape
        return [shape] + states if self.return_state else shape

    def compute_mask(self, inputs, mask):
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * sum(layer.state_count for layer in self.layers)
        return output_mask

    def build(self, input_shape, rng):
        for number, layer in enumerate(self.layers):
            self._build_inner(layer, input_shape, rng, f"cell_{number}")
            input_shape = layer.compute_output_shape(input_shape)
            if self.return_state:
                input_shape = input_shape[0]

    def reset_states(self):
        for layer in self.layers:
            layer.reset_states()

    def forward(self, inputs, training=False, mask=None):
        caches, states = [], []
        for number, layer in enumerate(self.layers):
            outputs, cache = layer.forward(inputs, training, **({} if mask is None else {"mask": mask}))
            if self.return_state:
                outputs, layer_states = outputs[0], outputs[1:]
                states += layer_states
            caches.append(cache)
            if number == 0 and self.go_backwards and mask is not None:
                mask = mask[:, ::-1]  # the next cells read the first one's output, last step first
            inputs = outputs
        return ([outputs] + states if self.return_state else outputs), caches

    # each cell's layer's own backward, last to first: a layer's input gradient is the output gradient
    # of the layer before it; with return_state, each layer also takes its final states' gradients
    def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
        grad, state_grads = grad_outputs, []
        if self.return_state:
            grad, state_grads = grad_outputs[0], list(grad_outputs[1:])
        ends = []
        for layer in self.layers:
            start = ends[-1] if ends else 0
            ends.append(start + layer.state_count)
        for number in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[number]
            if self.return_state:
                start = ends[number] - layer.state_count
                layer_grads = [grad, *state_grads[start:ends[number]]]
            else:
                layer_grads = grad
            grad = layer.backward(layer_grads, cache[number], input_grad or number > 0, accumulate)
        return grad if input_grad else None

    def get_config(self):
        from . import serialize

        return {**super().get_config(), "layers": [serialize(layer) for layer in self.layers],
                "return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful}

    @classmethod
    def from_config(cls, config):
        from . import deserialize

        config = dict(config)
        config["layers"] = [deserialize(layer) for layer in config["layers"]]
        return cls(**config)
