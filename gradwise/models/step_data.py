"""StepData: what ``Callback.on_train_step`` gets, built lazily.

The hook runs after every batch, and an observer like the doctor reads the loss on most
batches and the outputs only on a few it samples. So the cheap entries (the batch, its
loss) are filled when the step ends, and the ones that cost Python work to gather
(``outputs``, ``logits``, ``layer_outputs``) on first read. It is a dict: every key is
listed, ``data[key]``, ``data.get``, ``items()`` and ``dict(data)`` behave as on a
dict that held them all from the start.

The arrays belong to the step's Tape, which the next step recycles: read them during
the hook call (copy what you keep). A lazy entry first read after the call (fit calls
``close``) raises a RuntimeError instead of handing back a later step's memory.

A step that ran as one compiled call (``models/chain_step.py``: on the batches an observer
said beforehand it would not ask for, ``Callback.wants_step_data``) has no Tape: its
``outputs`` are the kernel's, and ``logits`` and ``layer_outputs`` raise a RuntimeError
that says so.
"""

import math

LAZY_KEYS = ("outputs", "logits", "layer_outputs")


class StepSource:
    """What fit's steps have in common for their ``StepData`` (made once per fit): the model
    whose Tape holds the arrays, and whether it has one output (then the entries are arrays,
    else lists; likewise the inputs)."""

    __slots__ = ("model", "one_output")

    def __init__(self, model):
        self.model = model
        self.one_output = len(model._outputs) == 1

    def data(self, epoch, batch, inputs, targets, sample_weight, loss, tape, outputs=None):
        """One step's StepData; its lazy entries come from `tape`, or, after a compiled step (`tape`
        None), only its `outputs` are there. Built by dict's own constructor, with no Python
        ``__init__``: it runs after every batch."""
        one_output = self.one_output
        data = StepData(epoch=epoch, batch=batch, inputs=inputs[0] if len(inputs) == 1 else inputs,
                        targets=targets[0] if one_output else targets,
                        sample_weight=sample_weight[0] if one_output else sample_weight,
                        loss=loss, updated=math.isfinite(loss))
        data._source, data._tape, data._compiled = self, tape, tape is None
        if tape is None:
            data["outputs"] = outputs  # a compiled chain has one output
        return data

    def make(self, key, tape):
        model = self.model
        if key == "layer_outputs":
            return model._graph.layer_outputs(tape)
        if key == "outputs":
            outputs = [tape.values[tensor] for tensor in model._graph.outputs]
        else:
            outputs = [model._output_logits(tape, output) for output in model._outputs]
        return outputs[0] if self.one_output else outputs


class StepData(dict):
    """A dict of one training step's data whose entries in ``LAZY_KEYS`` are made on first read
    (made by ``StepSource.data``)."""

    __slots__ = ("_source", "_tape", "_compiled")

    def close(self):
        """The step is over (its tape may be recycled): entries not read yet can no longer be made."""
        self._tape = None

    def __missing__(self, key):
        if key not in LAZY_KEYS:
            raise KeyError(key)
        if self._compiled:
            raise RuntimeError(f"on_train_step: data[{key!r}] does not exist for this step: it ran as one compiled "
                               "call, which keeps no layer's outputs, because the callback's wants_step_data said "
                               "beforehand that it would not ask for it. Return True from wants_step_data for "
                               "the steps whose layers you read.")
        if self._tape is None:
            raise RuntimeError(f"on_train_step: data[{key!r}] was read after the hook call returned; the step's "
                               "arrays are recycled by the next step. Read (and copy) them inside on_train_step.")
        value = self._source.make(key, self._tape)
        self[key] = value
        return value

    def _fill(self):
        if not self._compiled:  # (a compiled step's entries are all there)
            for key in LAZY_KEYS:
                if not dict.__contains__(self, key):
                    self[key]  # noqa: B018 - made on read
        return self

    def get(self, key, default=None):
        if key in LAZY_KEYS and not self._compiled:
            return self[key]
        return dict.get(self, key, default)

    def __contains__(self, key):
        return (key in LAZY_KEYS and not self._compiled) or dict.__contains__(self, key)

    def __iter__(self):
        return iter(self._fill().keys())

    def __len__(self):
        return dict.__len__(self._fill())

    def keys(self):
        return dict.keys(self._fill())

    def values(self):
        return dict.values(self._fill())

    def items(self):
        return dict.items(self._fill())

    def copy(self):
        return dict(self.items())

    def __repr__(self):
        return f"StepData({dict(self.items())!r})"

    def __reduce__(self):
        return dict, (dict(self.items()),)
