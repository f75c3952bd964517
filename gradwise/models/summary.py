"""The text table printed by ``model.summary()``.

For a graph (``gradwise.Model``) the table starts with its Inputs and gains Keras's
"Connected to" column: each tensor a layer's calls read, written ``name[call][0]`` (the
layer that made it, and which of that layer's calls: a shared layer's second call is
``[1]``).
"""


def _format_shape(shape):
    return str((None, *shape))


def _connections(model):
    """{layer id: 'producer[call][0], ...'} over every call of each layer, from the model's graph."""
    graph = model._graph
    made_by = {number: f"{tensor.source.name}[0][0]" for number, tensor in zip(graph.inputs, model.inputs)}
    calls, connected = {}, {}
    for node in graph.nodes:
        key = id(node.layer)
        connected.setdefault(key, []).extend(made_by[number] for number in node.inputs)
        made_by[node.output] = f"{node.layer.name}[{calls.get(key, 0)}][0]"
        calls[key] = calls.get(key, 0) + 1
    return {key: ", ".join(names) for key, names in connected.items()}


def summary_table(model, connected=False):
    """The table; with `connected` (graphs), Input rows and the "Connected to" column."""
    rows = [(f"{layer.name} ({type(layer).__name__})", _format_shape(layer.output_shape), f"{layer.count_params():,}")
            for layer in model.layers]
    header = ("Layer (type)", "Output Shape", "Param #")
    if connected:
        links = _connections(model)
        rows = [(f"{tensor.source.name} (InputLayer)", _format_shape(tensor.shape), "0", "-")
                for tensor in model.inputs] + [row + (links[id(layer)],) for row, layer in zip(rows, model.layers)]
        header += ("Connected to",)
    widths = [max(len(row[i]) for row in rows + [header]) + 2 for i in range(len(header))]
    rule = "-" * sum(widths)
    lines = [f'Model: "{model.name}"', rule, "".join(h.ljust(w) for h, w in zip(header, widths)), rule.replace("-", "=")]
    lines += ["".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    trainable = sum(v.size for layer in model.layers if layer.trainable for v in layer.params.values())
    total = model.count_params()
    lines += [
        rule.replace("-", "="),
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        rule,
    ]
    return "\n".join(lines)
