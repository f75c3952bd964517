"""The compile settings of a model as JSON: optimizer, loss and metrics (per output, by output name, for a
model with several outputs or a loss weight)."""

from .. import losses, metrics as metrics_module, optimizers, registry
from .errors import ModelFileError


def _metric_entry(spec):
    if isinstance(spec, str):
        return spec
    if isinstance(spec, metrics_module.Metric):
        return {"class_name": type(spec).__name__, "config": spec.get_config()}
    if callable(spec):  # a plain function: gradwise saves no code, so it cannot rebuild it
        name = getattr(spec, "__name__", repr(spec))
        raise TypeError(
            f"The metric function {name!r} cannot be saved: a model file holds no code. Make it a registered "
            f"Metric (a gradwise.metrics.MeanMetric subclass whose values(y_true, y_pred) calls {name}, passed to "
            "gradwise.metrics.register), or save the weights alone with model.save_weights."
        )
    raise TypeError(f"metric {spec!r} of type {type(spec).__name__} cannot be saved.")


def _metric_from_entry(entry):
    if isinstance(entry, str):
        return entry
    class_names = {cls.__name__ for cls in registry.classes("metric")}
    cls = registry.lookup("metric", entry.get("class_name"), names=class_names)
    return cls(**entry.get("config", {}))


def compile_section(model):
    """JSON-ready compile settings, or None for a model that was not compiled.

    Raises
    ------
    ValueError
        A loss, optimizer or metric that gradwise could not rebuild from its config
        (a custom class that is not registered): caught at save time, not at load time.
    """
    if not model.compiled:
        return None
    outputs = model._outputs
    section = {"optimizer": optimizers.serialize(model.optimizer)}
    if len(outputs) == 1 and outputs[0].weight == 1.0:
        section.update({"loss": outputs[0].loss.get_config(), "metrics": [_metric_entry(spec) for spec in model._metric_specs]})
    else:  # per output, by output name
        section["outputs"] = [{"name": output.name, "loss": None if output.loss is None else output.loss.get_config(),
                               "loss_weight": output.weight,
                               "metrics": [_metric_entry(spec) for spec in output.metric_specs]} for output in outputs]
    try:
        settings_from_section(section)
    except (ValueError, TypeError, KeyError) as error:
        raise ValueError(
            f"The model's compile settings cannot be saved: {error}. Register custom losses, optimizers "
            "and metrics so gradwise can rebuild them from their config."
        ) from None
    return section


def settings_from_section(section):
    """The keyword arguments of ``model.compile`` described by `section`."""
    if "outputs" in section:
        outputs = section["outputs"]
        return {
            "optimizer": optimizers.deserialize(section["optimizer"]),
            "loss": {entry["name"]: None if entry["loss"] is None else losses.get(dict(entry["loss"]))
                     for entry in outputs},
            "loss_weights": {entry["name"]: float(entry["loss_weight"]) for entry in outputs},
            "metrics": {entry["name"]: [_metric_from_entry(item) for item in entry["metrics"]] for entry in outputs},
        }
    return {
        "optimizer": optimizers.deserialize(section["optimizer"]),
        "loss": losses.get(dict(section["loss"])),
        "metrics": [_metric_from_entry(entry) for entry in section["metrics"]],
    }


def restore_compile(model, section, label):
    """Compile `model` as described by `section` (read from the file `label`)."""
    try:
        settings = settings_from_section(section)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        problem = f"its compile settings cannot be rebuilt ({type(error).__name__}: {error})."
        raise ModelFileError(label, problem) from None
    model.compile(**settings)
