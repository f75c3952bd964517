"""The text table printed by ``model.summary()``.

For a graph (``gradwise.Model``) the table starts with its Inputs and gains Keras's
"Connected to" column: each tensor a layer's calls read, written ``name[call][k]`` (the
layer that made it, which of that layer's calls: a shared layer's second call is ``[1]``,
and which of its outputs: a nested model's second output is ``[1]``).
"""


def _format_shape(shape):
    if shape is None:
        return "?"  # not built yet (Keras 3 prints the same for a Sequential without an input shape)
    if isinstance(shape, list):  # a nested model with several outputs
        return "[" + ", ".join(_format_shape(item) for item in shape) + "]"
    if shape and isinstance(shape[0], tuple):  # a layer's several outputs (return_state)
        return ", ".join(str((None, *item)) for item in shape)
    return str((None, *shape))


def _params(layer):
    return f"{layer.count_params():,}" if getattr(layer, "built", True) else "0 (unbuilt)"


def _connections(model):
    """{layer id: 'producer[call][0], ...'} over every call of each layer (or nested model)."""
    made_by = {id(tensor): f"{tensor.source.name}[0][0]" for tensor in model.inputs}
    calls, connected = {}, {}
    for item, inputs, outputs in model._calls:
        key = id(item)
        connected.setdefault(key, []).extend(made_by.get(id(tensor), "?") for tensor in inputs)
        for position, tensor in enumerate(outputs):
            made_by[id(tensor)] = f"{item.name}[{calls.get(key, 0)}][{position}]"
        calls[key] = calls.get(key, 0) + 1
    return {key: ", ".join(names) for key, names in connected.items()}


def _type_name(item):
    return "Functional" if type(item).__name__ == "Model" else type(item).__name__


def _trainable_mark(item):
    """Keras's 'Trainable' column: Y, N, or for a nested model with both kinds of layers, '-'."""
    layers = item._all_layers() if hasattr(item, "_all_layers") else [item]
    flags = {layer.trainable for layer in layers if layer.params} or {item.trainable}
    return "-" if len(flags) > 1 else "Y" if flags.pop() else "N"


def summary_table(model, connected=False, show_trainable=False):
    """The table; with `connected` (graphs), Input rows and the "Connected to" column; with
    `show_trainable`, a "Trainable" column. A nested model is one row (its parameters counted
    there)."""
    called = model._called_layers  # the Input rows of a graph are written apart
    rows = [(f"{item.name} ({_type_name(item)})", _format_shape(item.output_shape), _params(item))
            for item in called]
    header = ("Layer (type)", "Output Shape", "Param #")
    if connected:
        links = _connections(model)
        rows = [(f"{tensor.source.name} (InputLayer)", _format_shape(tensor.shape), "0", "-")
                for tensor in model.inputs] + [row + (links[id(layer)],) for row, layer in zip(rows, called)]
        header += ("Connected to",)
    if show_trainable:
        rows = [row + (("-",) if index < len(rows) - len(called) else (_trainable_mark(
            called[index - (len(rows) - len(called))]),)) for index, row in enumerate(rows)]
        header += ("Trainable",)
    widths = [max(len(row[i]) for row in rows + [header]) + 2 for i in range(len(header))]
    rule = "-" * sum(widths)
    lines = [f'Model: "{model.name}"', rule, "".join(h.ljust(w) for h, w in zip(header, widths)), rule.replace("-", "=")]
    lines += ["".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    trainable = sum(v.size for layer in model._all_layers() if layer.trainable for v in layer.params.values())
    total = model.count_params() if model.built else 0
    lines += [
        rule.replace("-", "="),
        f"Total params: {total:,}",
        f"Trainable params: {trainable:,}",
        f"Non-trainable params: {total - trainable:,}",
        rule,
    ]
    return "\n".join(lines)
