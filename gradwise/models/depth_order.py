"""The order in which a functional model lists its layers, calls and weights: Keras's.

Keras sorts a graph's layers by depth, the longest path from the layer's call to an output
(the deepest first, so an Input whose path is longest comes first), and layers of one depth
by the order a depth-first walk back from the outputs first meets them. Ported code relies on
it: ``model.layers[3]``, and ``model.set_weights(keras_model.get_weights())`` (same shapes in
another order would load silently wrong). For a chain this is the order of the calls; with
branches it is not (``Add()([short, long])`` lists the long branch's first layers before the
short branch's layer).

The execution order (``graph.py``) is unchanged: sorting by depth is a topological order too,
but the graph keeps its own.
"""


def keras_order(calls, inputs, outputs):
    """(`calls` sorted by their depth, the listed items) of a graph.

    calls : [(item, input tensors, output tensors)], topological (``nesting.top_level_calls``)
    inputs, outputs : the model's symbolic Input and output tensors
    Returns the calls, deepest first (a topological order), and each Input's InputLayer,
    layer and nested model once, deepest first, ties in the walk's order.
    """
    producer = {}  # id(tensor) -> the node making it: a call's index, or ("input", position)
    for index, (_, _, made) in enumerate(calls):
        for tensor in made:
            producer[id(tensor)] = index
    for position, tensor in enumerate(inputs):
        producer[id(tensor)] = ("input", position)

    def item_of(node):
        return inputs[node[1]].source if isinstance(node, tuple) else calls[node][0]

    def parents(node):
        return [] if isinstance(node, tuple) else [producer[id(tensor)] for tensor in calls[node][1]]

    first_met, finished = {}, []  # id(item) -> walk order; nodes once every parent is finished
    done = set()
    for output in outputs:
        start = producer[id(output)]
        if start in done:
            continue
        stack = [(start, iter(()), True)]
        while stack:
            node, pending, entering = stack.pop()
            if entering:
                first_met.setdefault(id(item_of(node)), len(first_met))
                pending = iter(parents(node))
            parent = next((p for p in pending if p not in done), None)  # acyclic: never on the path
            if parent is None:
                done.add(node)
                finished.append(node)
                continue
            stack.append((node, pending, False))
            stack.append((parent, None, True))

    node_depth, item_depth = {}, {}
    for node in reversed(finished):  # every node after the nodes reading its outputs
        depth = max(node_depth.setdefault(node, 0), item_depth.get(id(item_of(node)), 0))
        item_depth[id(item_of(node))] = node_depth[node] = depth
        for parent in parents(node):
            node_depth[parent] = max(node_depth.get(parent, 0), depth + 1)

    def rank(node):
        return -node_depth[node], first_met[id(item_of(node))]

    ordered_calls = [calls[node] for node in sorted(range(len(calls)), key=lambda node: (*rank(node), node))]
    items, seen = [], set()
    for node in sorted(finished, key=lambda node: (-item_depth[id(item_of(node))], first_met[id(item_of(node))])):
        item = item_of(node)
        if id(item) not in seen:
            seen.add(id(item))
            items.append(item)
    return ordered_calls, items

