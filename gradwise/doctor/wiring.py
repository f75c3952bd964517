"""Where a layer sits in a spec's architecture, and how to put new layers after it.

The remedies that add layers (batch normalization, dropout, a standardizing first layer, a
hidden layer more) edit a ``Spec``'s config. A Sequential's config is a list of layers, each
reading the one before; a functional model's lists each layer once and its calls as *nodes*
(the layer, the numbered tensors it reads, the tensor it makes). The same edit is written
once against this module:

- ``producer(spec, entry)``: the layer whose output `entry` reads (None at an input, or when
  it reads several tensors);
- ``follower(spec, entry)``: the only layer reading `entry`'s output (None when several do,
  or it is a model output);
- ``insert_after(spec, entry, block)``: the layers of `block` in a row after `entry`: what
  read `entry`'s output reads the block's;
- ``insert_first(spec, block)``: the same after the model's input (one input only);
- ``output_owners(spec)``: the layers holding the kernels of the model's outputs.

A layer called more than once (a shared layer), a nested model's inner layers and a model
with several inputs (for ``insert_first``) are not rewired: the helpers raise ValueError,
which the edits' callers treat as "does not apply" (the remedy is then proposed).
"""


def is_graph(spec):
    """True for a functional model's config (layers and nodes)."""
    return "nodes" in spec.config


def _index(spec, entry):
    for index, item in enumerate(spec.layers):
        if item is entry:
            return index
    raise ValueError(f"layer {entry['config'].get('name')!r} is not in the spec")


def _node(spec, entry):
    """The only node calling `entry`, which makes one tensor."""
    index = _index(spec, entry)
    nodes = [node for node in spec.config["nodes"] if node["layer"] == index]
    if len(nodes) != 1 or "output" not in nodes[0]:
        raise ValueError(f"layer {entry['config'].get('name')!r} is called {len(nodes)} times or makes several "
                         "tensors; the doctor does not rewire it")
    return nodes[0]


def producer(spec, entry):
    if not is_graph(spec):
        index = _index(spec, entry)
        return spec.layers[index - 1] if index > 0 else None
    node = _node(spec, entry)
    if len(node["inputs"]) != 1:
        return None
    made = [item for item in spec.config["nodes"] if item.get("output") == node["inputs"][0]]
    return spec.layers[made[0]["layer"]] if made else None


def follower(spec, entry):
    if not is_graph(spec):
        index = _index(spec, entry)
        return spec.layers[index + 1] if index + 1 < len(spec.layers) else None
    tensor = _node(spec, entry)["output"]
    if tensor in spec.config["output_tensors"]:
        return None
    readers = [node for node in spec.config["nodes"] if tensor in node["inputs"]]
    return spec.layers[readers[0]["layer"]] if len(readers) == 1 else None


def _chain(spec, tensor, block, position):
    """Append `block`'s layers and nodes reading `tensor` in a row (nodes at `position`); point every
    other reader of `tensor`, and the outputs, at the last new tensor."""
    config = spec.config
    new_nodes = []
    for entry in block:
        config["layers"].append(entry)
        new_nodes.append({"layer": len(config["layers"]) - 1, "inputs": [tensor], "output": config["tensor_count"]})
        tensor = config["tensor_count"]
        config["tensor_count"] += 1
    first = new_nodes[0]["inputs"][0]
    for node in config["nodes"]:
        node["inputs"] = [tensor if value == first else value for value in node["inputs"]]
    config["output_tensors"] = [tensor if value == first else value for value in config["output_tensors"]]
    config["nodes"][position:position] = new_nodes


def insert_after(spec, entry, block):
    if not block:
        return
    if not is_graph(spec):
        index = _index(spec, entry)
        spec.layers[index + 1:index + 1] = block
        return
    node = _node(spec, entry)
    _chain(spec, node["output"], block, spec.config["nodes"].index(node) + 1)


def insert_first(spec, block):
    if not block:
        return
    if not is_graph(spec):
        spec.layers[0:0] = block
        return
    if len(spec.config["input_tensors"]) != 1:
        raise ValueError("a model with several inputs: the doctor does not put a layer before them")
    _chain(spec, spec.config["input_tensors"][0], block, 0)


def output_owners(spec, has_kernel):
    """The entries holding the kernels of the outputs (`has_kernel(entry)` says which hold one)."""
    if not is_graph(spec):
        kernels = [entry for entry in spec.layers if has_kernel(entry)]
        return kernels[-1:]
    owners = []
    for tensor in spec.config["output_tensors"]:
        made = [node for node in spec.config["nodes"] if node.get("output") == tensor]
        entry = spec.layers[made[0]["layer"]] if made else None
        while entry is not None and not has_kernel(entry):
            try:
                entry = producer(spec, entry)
            except ValueError:
                entry = None
        if entry is not None:
            owners.append(entry)
    return owners


def first(spec):
    """The layer reading the model's (only) input, or None."""
    if not is_graph(spec):
        return spec.layers[0] if spec.layers else None
    if len(spec.config["input_tensors"]) != 1:
        return None
    readers = [node for node in spec.config["nodes"] if spec.config["input_tensors"][0] in node["inputs"]]
    return spec.layers[readers[0]["layer"]] if len(readers) == 1 else None
