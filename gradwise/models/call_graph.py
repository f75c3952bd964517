"""The graph of a subclassed model: what training calls ``model._graph`` (``graph.Graph``'s interface).

Its forward is one recorded pass of the model's ``call`` (``recording.py``), its
backward replays that pass's record. Which layers the model has built, trains and
regularizes is kept here, refreshed when a pass reaches a layer for the first time.
"""

from .graph import Node
from .recording import Recorder


class CallGraph:
    """A subclassed model's graph, with ``graph.Graph``'s interface to training: each forward is a
    recorded pass of ``call`` (its CallTape), backward replays that pass's record.

    `layers` are the model's layers built so far (in tracking order); `nodes` holds the
    node that made the output in the model's first pass, so a loss can fuse with its
    activation as it does for other models (each backward checks the pass agrees).
    """

    inputs = [0]  # one per input of `call` (set by the model's build)
    outputs = [-1]  # a CallTape's values end with its outputs: [-k, ..., -1]

    def __init__(self, model):
        self.model = model
        self.layers, self.nodes, self.regularized, self.activity_nodes = [], [], [], []
        self.constrained = []
        self._node_outputs = []
        self._trained = None
        self._trained_layers = []
        self._known = frozenset()  # ids of `layers`

    def refresh(self):
        """Take in the layers built since (after a pass that reached new ones)."""
        self.layers = [layer for layer in self.model._all_layers() if layer.built]
        self._known = frozenset(id(layer) for layer in self.layers)
        self.regularized = [layer for layer in self.layers if layer.regularizers]
        self.constrained = [layer for layer in self.layers if layer.constraints]
        self.activity_nodes = [layer for layer in self.layers if layer.activity_regularizer is not None]
        self.plan_gradients(self._trained)

    def note_output(self, tape):
        """Remember how many inputs and outputs the pass of `tape` (the build pass) had and which
        layer made each output, for the fused loss."""
        count = len(tape.outputs)
        self.outputs = list(range(-count, 0))
        self.nodes, self._node_outputs = [], []  # node k made output _node_outputs[k]
        for position, index in enumerate(tape.output_nodes):
            if index is not None:
                self.nodes.append(Node(tape.nodes[index].layer, (0,), self.outputs[position]))
                self._node_outputs.append(position)

    def plan_gradients(self, trained=None):
        """Which layers are trained (ids, or None: every layer with params); each backward plans its
        record's input gradients from it."""
        self._trained = trained
        self._replays = {}  # the Graphs of records replayed since, by structure (see CallTape.replay)
        self._trained_layers = [layer for layer in self.layers
                                if (bool(layer.params) if trained is None else id(layer) in trained)]

    def forward(self, inputs, training=False, recycle=None):
        recorder = Recorder(self.model, training)
        tape = recorder.run(inputs, self.model._call_structure)
        known = self._known
        if any(id(node.layer) not in known for node in tape.nodes):  # built by this pass, or before it elsewhere
            reached = {id(node.layer): node.layer for node in tape.nodes if id(node.layer) not in known}
            self.model._layers_reached(list(reached.values()), training)
        return tape

    def backward(self, tape, output_grads, fused=(), batch=1):
        replayed = []
        for index in fused:  # the node of self.nodes whose activation the loss of its output was fused with
            made_by = tape.output_nodes[self._node_outputs[index]]
            if made_by is None or tape.nodes[made_by].layer is not self.nodes[index].layer:
                raise ValueError(
                    f"{type(self.model).__name__}.call returned the output of another layer than in its first call "
                    f"('{self.nodes[index].layer.name}'), whose activation the loss was fused with; return the output "
                    "of the same layer in every pass, or compile again.")
            replayed.append(made_by)
        graph, record = tape.replay(self._trained, self._replays, len(self.inputs))
        graph.backward(record, output_grads, tuple(replayed), batch)
        if not hasattr(graph, "unreached"):  # once per Graph of the cache (emptied when the trained layers change)
            reached = {id(layer) for layer in graph.layers}
            graph.unreached = [layer for layer in self._trained_layers if id(layer) not in reached]
        for layer in graph.unreached:  # not called in this pass: no gradient
            layer.zero_grads()

    def activity_penalty(self, tape, batch):
        total = 0.0
        for node in tape.nodes:
            if node.activity:
                total += node.layer.activity_regularizer(tape.values[node.output]) / batch
        return total

    def layer_outputs(self, tape):
        """Each layer's outputs in the pass by layer name (the last call's, for a layer called twice)."""
        return {node.layer.name: tape.values[node.output] for node in tape.nodes}
