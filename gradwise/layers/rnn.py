"""Keras's ``RNN(cell)`` with ``SimpleRNNCell``, ``LSTMCell`` and ``GRUCell``.

Keras splits a recurrent layer into a cell (one step's weights and math) and ``RNN``, which
loops it over the steps. In gradwise each recurrent layer holds its cell's math and loop
together (``simple_rnn.py``, ``lstm.py``, ``gru.py``, with the fused step of
``gradwise.ops``), so a cell here is the step's arguments and ``RNN(cell, ...)`` makes the
layer with those arguments and the loop's: ``RNN(LSTMCell(64), return_sequences=True)``
is ``LSTM(64, return_sequences=True)``, with the same weights, saving and speed. Stacked
cells (a list, ``StackedRNNCells``) make a ``StackedRNN`` (``stacked_rnn.py``). A cell of
one's own (a Layer subclass with ``state_size``, ``call`` and, to train, ``backward``) makes a
``CellRNN`` (``cell_rnn.py``), which loops it step by step.
"""

from .cell_rnn import CellRNN, is_cell
from .gru import GRU
from .lstm import LSTM
from .simple_rnn import SimpleRNN
from .stacked_rnn import StackedRNN, StackedRNNCells

# What RNN itself takes (the loop's arguments); the rest belongs to the cell.
_LOOP_ARGUMENTS = ("return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask",
                   "name", "trainable", "input_shape", "input_dim")


class _Cell:
    """The arguments of one recurrent step, for ``RNN``."""

    layer_class = None

    def __init__(self, units, **kwargs):
        for name in _LOOP_ARGUMENTS:
            if name in kwargs:
                raise TypeError(f"{type(self).__name__}: `{name}` belongs to RNN(...), not to the cell; "
                                f"write RNN({type(self).__name__}({units}), {name}=...).")
        self.layer_class(units, **kwargs)  # checks the arguments now, naming the cell's
        self.units, self.arguments = units, kwargs

    @property
    def state_size(self):
        return [self.units] * self.layer_class.state_count if self.layer_class.state_count > 1 else self.units

    def get_config(self):
        return {"units": self.units, **self.arguments}

    def __repr__(self):
        return f"<{type(self).__name__} units={self.units}>"


class SimpleRNNCell(_Cell):
    """The step of SimpleRNN: ``h = activation(x W + h_prev U + b)`` (its arguments, as Keras's)."""

    layer_class = SimpleRNN


class LSTMCell(_Cell):
    """The step of LSTM, Keras's gates i, f, c, o (its arguments, as Keras's)."""

    layer_class = LSTM


class GRUCell(_Cell):
    """The step of GRU, Keras's gates z, r, h and ``reset_after`` (its arguments, as Keras's)."""

    layer_class = GRU


def RNN(cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False, unroll=False,
        zero_output_for_mask=False, **kwargs):
    """The recurrent layer that loops `cell` over the steps (Keras's ``keras.layers.RNN``).

    Examples
    --------
    >>> RNN(LSTMCell(8), return_sequences=True)
    <LSTM name='lstm'>
    """
    if isinstance(cell, (list, tuple)):
        cell = StackedRNNCells(cell)
    if isinstance(cell, StackedRNNCells):
        layers = [CellRNN(inner) if is_cell(inner) else inner.layer_class(inner.units, **inner.arguments)
                  for inner in cell.cells]
        if zero_output_for_mask:
            layers[-1].zero_output_for_mask = True
        return StackedRNN(layers, return_sequences=return_sequences, return_state=return_state,
                          go_backwards=go_backwards, stateful=stateful, **kwargs)
    if is_cell(cell):
        return CellRNN(cell, return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                       stateful=stateful, unroll=unroll, zero_output_for_mask=zero_output_for_mask, **kwargs)
    if not isinstance(cell, _Cell):
        raise TypeError(f"RNN: `cell` must be a SimpleRNNCell, LSTMCell or GRUCell, a cell of one's own (a "
                        f"gradwise.layers.Layer subclass with `state_size` and `call`), or a list of them (a "
                        f"StackedRNNCells), got {cell!r} of type {type(cell).__name__}.")
    return cell.layer_class(cell.units, return_sequences=return_sequences, return_state=return_state,
                            go_backwards=go_backwards, stateful=stateful, unroll=unroll, **cell.arguments,
                            **({"zero_output_for_mask": True} if zero_output_for_mask else {}), **kwargs)
