"""The graph engine: nodes run in topological order, gradients add up where a tensor fans out.

A graph numbers its tensors ``0 .. tensor_count - 1``. Each node calls one layer on one
or more tensors and makes one new tensor; the graph's inputs and outputs are tensor
numbers. A forward pass returns a ``Tape`` (every tensor's value and every node's
cache); backward walks the nodes in reverse, hands each layer the cache of its own
call and sums the gradients of a tensor read by several nodes. Nothing of a pass is
kept on the layers or on the graph, so passes may overlap (threads calling predict).

A layer that several nodes call is one layer: its params are packed once; the first
of its calls that backward reaches writes its gradient, the later ones add to it.

When a layer makes a Keras mask (``Embedding(mask_zero=True)``, ``Masking``), forward
carries one mask per tensor beside the values (``layers/masking.py``); the masks
live in that pass only, and each layer that uses one keeps it in its cache.
"""

import numpy as np

from ..layers.masking import call_with_mask



class Node:
    """One call of `layer` on the tensors numbered `inputs`, making tensor `output`.

    `multi` layers (the merge layers) take and give back lists; the others one array. A layer
    with several outputs gives a list, one array per tensor of `outputs`, and takes the list of
    their gradients (zeros for an output nothing read).
    `input_grad` says whether backward must compute the gradient w.r.t. the inputs: not
    when no input depends on a param (a model's first layer). `training`: None runs the
    layer in the pass's mode; True or False fixes this call's mode (Keras's
    ``base_model(x, training=False)``: a frozen base keeps dropout off and its
    BatchNormalization on moving statistics, even in fit).
    `only`: None runs the node in every pass; True or False only in passes of that mode (the
    pass's, whatever `training` fixes): a branch of a subclassed model's ``if training:``
    (``modes.py``).
    """

    __slots__ = ("layer", "inputs", "output", "outputs", "multi", "input_grad", "activity", "training", "only")

    def __init__(self, layer, inputs, output, training=None, outputs=None, only=None):
        self.layer = layer
        self.inputs = tuple(inputs)
        # a layer with several outputs (LSTM(return_state=True)) makes the tensors `outputs`; `output` is
        # the first (what an activity regularizer and a layer's outputs by name read); else None
        self.outputs = None if outputs is None else tuple(outputs)
        self.output = output if outputs is None else self.outputs[0]
        self.multi = bool(getattr(layer, "multi_input", False))
        self.input_grad = True
        self.activity = layer.activity_regularizer is not None
        self.training = None if training is None else bool(training)
        self.only = None if only is None else bool(only)

    def __repr__(self):
        return f"<Node {self.layer.name}: {self.inputs} -> {self.output}>"


class Tape:
    """What one forward pass leaves for its backward: each tensor's value and each node's cache."""

    __slots__ = ("values", "caches", "masks")

    def __init__(self, values, caches, masks=None):
        self.values = values
        self.caches = caches
        self.masks = masks  # each tensor's Keras mask (None where none), when a layer makes masks


class Graph:
    """Nodes in topological order between input tensors and output tensors.

    Parameters
    ----------
    inputs, outputs : list of int
        Tensor numbers.
    nodes : list of Node
        In an order where every node comes after the nodes making its inputs.
    tensor_count : int
    """

    def __init__(self, inputs, outputs, nodes, tensor_count):
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.nodes = list(nodes)
        self.tensor_count = tensor_count
        self.layers = []  # each layer once, in the order of its first call
        seen = set()
        for node in self.nodes:
            if id(node.layer) not in seen:
                seen.add(id(node.layer))
                self.layers.append(node.layer)
        self.regularized = [layer for layer in self.layers if layer.regularizers]
        self.constrained = [layer for layer in self.layers if layer.constraints]
        self.activity_nodes = [node for node in self.nodes if node.activity]
        self._masked = any(layer.produces_mask for layer in self.layers)
        # a chain (tensor i -> node i -> tensor i + 1) runs a shorter loop: the small models' case
        self._chain = self.inputs == [0] and self.outputs == [len(self.nodes)] and len(self.layers) == len(
            self.nodes) and all(
            not node.multi and node.outputs is None and node.training is None and node.only is None and node.inputs == (index,) and node.output == index + 1
            for index, node in enumerate(self.nodes))
        self.plan_gradients()

    @classmethod
    def chain(cls, layers):
        """The linear graph of a Sequential model: tensor i feeds layer i, which makes tensor i + 1."""
        nodes = [Node(layer, (index,), index + 1) for index, layer in enumerate(layers)]
        return cls([0], [len(layers)], nodes, len(layers) + 1)

    def plan_gradients(self, trained=None):
        """Decide which nodes compute input gradients: those with an input that depends on a
        param of a trained layer (`trained`: ids of the trained layers; default every layer
        with params)."""
        depends = [False] * self.tensor_count
        for node in self.nodes:
            node.input_grad = any(depends[tensor] for tensor in node.inputs)
            has_params = bool(node.layer.params) if trained is None else id(node.layer) in trained
            for tensor in (node.output,) if node.outputs is None else node.outputs:
                depends[tensor] = node.input_grad or has_params
        self._depends = depends
        self._trained_layers = [layer for layer in self.layers
                                if (bool(layer.params) if trained is None else id(layer) in trained)]

    def producer(self, tensor):
        """The node making `tensor`, or None for an input."""
        for node in self.nodes:
            if node.output == tensor or node.outputs is not None and tensor in node.outputs:
                return node
        return None

    # ----- passes -------------------------------------------------------------------------
    def forward(self, inputs, training=False, recycle=None):
        """Run every node on `inputs` (one array per graph input); returns the Tape.

        `recycle`: the Tape of the previous pass, which nobody needs any more. Its
        values and caches are let go node by node, each once the new one is made, so
        the memory allocator hands their blocks to the next arrays of the same sizes
        instead of giving a whole pass's memory back to the system at once and
        faulting it in again (on the W4 convnet, twice the page faults and 10-20% more
        time per epoch without it).
        """
        if self._masked:
            return self._forward_masked(inputs, training)
        old_values, old_caches = (None, None) if recycle is None else (recycle.values, recycle.caches)
        if self._chain:
            outputs = inputs[0]
            values, caches = [outputs], []
            for index, node in enumerate(self.nodes):
                outputs, cache = node.layer.forward(outputs, training=training)
                values.append(outputs)
                caches.append(cache)
                if old_values is not None:
                    old_values[index + 1] = old_caches[index] = None
            return Tape(values, caches)
        values = [None] * self.tensor_count
        for tensor, array in zip(self.inputs, inputs):
            values[tensor] = array
        caches = [None] * len(self.nodes)
        for index, node in enumerate(self.nodes):
            if node.multi:
                arguments = [values[tensor] for tensor in node.inputs]
            else:
                arguments = values[node.inputs[0]]
            if node.only is not None and node.only != training:  # the other mode's branch
                continue
            mode = training if node.training is None else node.training
            if node.outputs is None:
                values[node.output], caches[index] = node.layer.forward(arguments, training=mode)
            else:
                made, caches[index] = node.layer.forward(arguments, training=mode)
                for tensor, value in zip(node.outputs, made):
                    values[tensor] = value
            if old_values is not None:
                old_values[node.output] = old_caches[index] = None
        return Tape(values, caches)

    def _forward_masked(self, inputs, training):
        """forward with a mask beside each tensor (None where there is none); the Tape is laid out
        as forward's, so backward is the same."""
        values = [None] * self.tensor_count
        masks = [None] * self.tensor_count
        for tensor, array in zip(self.inputs, inputs):
            values[tensor] = array
        caches = [None] * len(self.nodes)
        for index, node in enumerate(self.nodes):
            if node.only is not None and node.only != training:  # the other mode's branch
                continue
            mode = training if node.training is None else node.training
            if node.multi:
                arguments = [values[tensor] for tensor in node.inputs]
                mask = [masks[tensor] for tensor in node.inputs]
            else:
                arguments, mask = values[node.inputs[0]], masks[node.inputs[0]]
            made, caches[index], made_mask = call_with_mask(node.layer, arguments, mask, mode)
            if node.outputs is None:
                values[node.output], masks[node.output] = made, made_mask
                continue
            made_mask = made_mask if isinstance(made_mask, (list, tuple)) else [made_mask] * len(made)
            for tensor, value, tensor_mask in zip(node.outputs, made, made_mask):
                values[tensor], masks[tensor] = value, tensor_mask
        return Tape(values, caches, masks)

    def backward(self, tape, output_grads, fused=(), batch=1):
        """Gradients of the loss from `output_grads` (one per graph output, None for an output
        without loss) back through every node, into the layers' ``grads``.

        `fused` holds the indices of nodes whose output gradient is w.r.t. their
        pre-activation (a loss fused with their sigmoid/softmax). `batch` scales activity
        regularizer gradients (their penalty is a mean over the batch).
        """
        if self._chain:
            self._backward_chain(tape, output_grads[0], fused, batch)
            return
        grads = [None] * self.tensor_count
        for tensor, grad in zip(self.outputs, output_grads):
            if grad is not None:
                grads[tensor] = grad if grads[tensor] is None else grads[tensor] + grad
        values, caches = tape.values, tape.caches
        depends = self._depends
        written = set()  # layers whose gradient a call wrote: their later calls add to it
        for index in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[index]
            if node.outputs is not None:
                grad = self._several_grads(node, grads, values)
            else:
                grad = grads[node.output]
            if grad is None or not depends[node.output]:
                continue
            layer = node.layer
            accumulate = id(layer) in written
            written.add(id(layer))
            if index in fused:
                grad_inputs = layer.backward_preactivation(grad, caches[index], node.input_grad, accumulate)
            else:
                if node.activity:
                    penalty = layer.activity_regularizer.gradient(values[node.output]) / batch
                    if node.outputs is None:
                        grad = grad + penalty
                    else:
                        grad[0] = grad[0] + penalty
                grad_inputs = layer.backward(grad, caches[index], node.input_grad, accumulate)
            if not node.input_grad:
                continue
            if not node.multi:
                grad_inputs = (grad_inputs,)
            for tensor, grad_input in zip(node.inputs, grad_inputs):
                if grad_input is None or not depends[tensor]:
                    continue
                # out of place: a layer may hand back the array it was given (identity, dropout at rest)
                grads[tensor] = grad_input if grads[tensor] is None else grads[tensor] + grad_input
        for layer in self._trained_layers:
            if id(layer) not in written:  # no loss reached it: its gradient is zero
                layer.zero_grads()

    @staticmethod
    def _several_grads(node, grads, values):
        """The gradients of a several-output node's tensors, zeros for those nothing read (None when
        none was read)."""
        if all(grads[tensor] is None for tensor in node.outputs):
            return None
        return [np.zeros_like(values[tensor]) if grads[tensor] is None else grads[tensor] for tensor in node.outputs]

    def _backward_chain(self, tape, grad, fused, batch):
        """backward for a chain: one gradient flows from the last node to the first that needs it.
        Each layer is called once and every trained layer is reached, so each writes its gradient."""
        values, caches, depends = tape.values, tape.caches, self._depends
        for index in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[index]
            if grad is None or not depends[node.output]:
                return
            if index in fused:
                grad = node.layer.backward_preactivation(grad, caches[index], node.input_grad)
                continue
            if node.activity:
                grad = grad + node.layer.activity_regularizer.gradient(values[node.output]) / batch
            grad = node.layer.backward(grad, caches[index], node.input_grad)

    def activity_penalty(self, tape, batch):
        """The activity regularizers' penalty of one forward pass (a mean over the batch)."""
        total = 0.0
        for node in self.activity_nodes:
            if tape.values[node.output] is not None:  # None: a node of the other mode's branch
                total += node.layer.activity_regularizer(tape.values[node.output]) / batch
        return total

    def layer_outputs(self, tape):
        """Each layer's outputs in `tape` by layer name (the last call's, for a shared layer)."""
        return {node.layer.name: tape.values[node.output] for node in self.nodes
                if tape.values[node.output] is not None}
