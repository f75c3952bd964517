"""plot_model: a picture of a model's graph of layers, as ``keras.utils.plot_model`` draws it.

Drawn with matplotlib (extra 'tools') on its Agg canvas, without pyplot, so it needs no
display and no Graphviz. Each layer is a box placed by its depth in the graph (the
longest path from an input); arrows follow the tensors, so branches and merges of a
graph show as they run.
"""

import os

_RANKDIRS = ("TB", "LR")


def _graph_of(model):
    graph = getattr(model, "_graph", None)
    if graph is None or not hasattr(graph, "nodes"):
        raise TypeError(f"plot_model: `model` must be a gradwise model, got {model!r} of type {type(model).__name__}.")
    return graph


def _shape_text(shape):
    if isinstance(shape, list):  # a merge layer's inputs
        return "[" + ", ".join(_shape_text(part) for part in shape) + "]"
    return "?" if shape is None else str((None, *shape))


def _box_text(layer, input_shape, options):
    """The lines of one layer's box, as Keras' options choose them."""
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if options["show_layer_names"] else kind]
    config = layer.get_config() if options["show_layer_activations"] else {}
    if "activation" in config:
        activation = config["activation"]
        lines.append(f"activation: {activation.get('name', activation) if isinstance(activation, dict) else activation}")
    if options["show_shapes"]:
        output_shape = getattr(layer, "output_shape", None) if getattr(layer, "built", False) else None
        lines.append(f"in: {_shape_text(input_shape)}   out: {_shape_text(output_shape)}")
    if options["show_dtype"]:
        lines.append(f"dtype: {getattr(layer, 'dtype', None) or '?'}")
    if options["show_trainable"]:
        lines.append(f"trainable: {layer.trainable}")
    return "\n".join(lines)


def _layout(graph, model, options):
    """Boxes as (text, rank, tensor) and arrows as (tensor from, tensor to), tensors numbering the boxes."""
    rank = {tensor: 0 for tensor in graph.inputs}
    shapes = {}
    if len(graph.inputs) == 1:
        shapes[graph.inputs[0]] = getattr(model, "input_shape", None)
    boxes = [(f"input ({'InputLayer'})" if options["show_layer_names"] else "InputLayer", 0, tensor)
             for tensor in graph.inputs]
    if options["show_shapes"]:
        boxes = [(f"{text}\nout: {_shape_text(shapes.get(tensor))}", r, tensor) for text, r, tensor in boxes]
    arrows = []
    for node in graph.nodes:
        rank[node.output] = 1 + max(rank[tensor] for tensor in node.inputs)
        input_shape = shapes.get(node.inputs[0]) if len(node.inputs) == 1 else [shapes.get(t) for t in node.inputs]
        shapes[node.output] = node.layer.output_shape if getattr(node.layer, "built", False) else None
        boxes.append((_box_text(node.layer, input_shape, options), rank[node.output], node.output))
        arrows += [(tensor, node.output) for tensor in node.inputs]
    return boxes, arrows


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=False, rankdir="TB",
               expand_nested=False, dpi=200, show_layer_activations=False, show_trainable=False):
    """Draw `model`'s layers and the tensors between them, and save the picture to `to_file`.

    Parameters
    ----------
    model : Sequential (or any gradwise model with a graph)
    to_file : str or path-like, default 'model.png'
        The file to write; its extension picks the format (png, pdf, svg, ...). None
        writes nothing.
    show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable : bool
        What each box shows besides the layer's class, as in Keras.
    rankdir : {'TB', 'LR'}
        Top to bottom, or left to right.
    expand_nested : bool
        Accepted for Keras compatibility (gradwise models do not nest models yet).
    dpi : int, default 200

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # optional dependency (extra 'tools')
    from matplotlib.figure import Figure

    graph = _graph_of(model)
    if rankdir not in _RANKDIRS:
        raise ValueError(f"plot_model: `rankdir` must be one of {list(_RANKDIRS)}, got {rankdir!r}.")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or dpi < 1:
        raise ValueError(f"plot_model: `dpi` must be a positive int, got {dpi!r}.")
    options = {"show_shapes": bool(show_shapes), "show_dtype": bool(show_dtype),
               "show_layer_names": bool(show_layer_names), "show_layer_activations": bool(show_layer_activations),
               "show_trainable": bool(show_trainable)}
    boxes, arrows = _layout(graph, model, options)
    ranks = max(r for _, r, _ in boxes) + 1
    columns = {}
    position = {}
    for _, r, tensor in boxes:
        columns.setdefault(r, []).append(tensor)
    widest = max(len(tensors) for tensors in columns.values())
    for r, tensors in columns.items():
        for index, tensor in enumerate(tensors):
            across = index - (len(tensors) - 1) / 2
            position[tensor] = (across * 3.0, -r * 1.2) if rankdir == "TB" else (r * 3.6, -across * 1.2)
    lines = max(text.count("\n") + 1 for text, _, _ in boxes)
    size = (3.2 * widest + 1, (0.35 * lines + 0.6) * ranks + 0.5) if rankdir == "TB" else (
        3.6 * ranks + 1, (0.35 * lines + 0.6) * widest + 0.5)
    figure = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_axis_off()
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    axes.set_xlim(min(xs) - 1.6, max(xs) + 1.6)
    axes.set_ylim(min(ys) - 0.6, max(ys) + 0.6)
    patches = {}
    for text, _, tensor in boxes:
        artist = axes.text(*position[tensor], text, ha="center", va="center", fontsize=8, gid=f"tensor{tensor}",
                           bbox={"boxstyle": "round,pad=0.4", "facecolor": "#eef3fb", "edgecolor": "#4a6fa5"})
        patches[tensor] = artist.get_bbox_patch()
    # From the middle of a box's far side to the middle of the next box's near side.
    leave, enter = ((0.5, 0.0), (0.5, 1.0)) if rankdir == "TB" else ((1.0, 0.5), (0.0, 0.5))
    for start, end in arrows:
        axes.annotate("", xy=enter, xycoords=patches[end], xytext=leave, textcoords=patches[start],
                      arrowprops={"arrowstyle": "->", "color": "#4a6fa5", "shrinkA": 0, "shrinkB": 0})
    if to_file is not None:
        figure.savefig(os.fspath(to_file), dpi=dpi, bbox_inches="tight")
    return figure
