"""The text table printed by ``model.summary()``."""


def _format_shape(shape):
    return str((None, *shape))


def summary_table(model):
    rows = [(f"{layer.name} ({type(layer).__name__})", _format_shape(layer.output_shape), f"{layer.count_params():,}")
            for layer in model.layers]
    header = ("Layer (type)", "Output Shape", "Param #")
    widths = [max(len(row[i]) for row in rows + [header]) + 2 for i in range(3)]
    rule = "-" * sum(widths)
    lines = [f'Model: "{model.name}"', rule, "".join(h.ljust(w) for h, w in zip(header, widths)), rule.replace("-", "=")]
    lines += ["".join(cell.ljust(w) for cell, w in zip(row, widths)) for row in rows]
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
