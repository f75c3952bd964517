"""The registry: classes register by subclassing, one error for unknown names, saving resolves through it."""

import pytest

import gradwise as gw
from gradwise import registry


@pytest.mark.parametrize("kind, base", [
    ("layer", gw.layers.Layer), ("optimizer", gw.optimizers.Optimizer), ("loss", gw.losses.Loss),
    ("metric", gw.metrics.Metric), ("initializer", gw.initializers.Initializer),
    ("regularizer", gw.regularizers.Regularizer), ("activation", gw.activations.ActivationFunction),
])
def test_a_subclass_registers_itself_and_an_abstract_one_does_not(kind, base):
    concrete = type("Registered" + base.__name__, (base,), {"name": "registered_" + kind})
    abstract = type("Abstract" + base.__name__, (base,), {"name": "abstract_" + kind}, register=False)
    names = registry.names(kind, of=concrete)
    assert names and all(registry.lookup(kind, name) is concrete for name in names)
    assert registry.names(kind, of=abstract) == []


@pytest.mark.parametrize("kind, name, listed", [
    ("layer", "Dnse", "Dense"), ("optimizer", "adamm", "adam"), ("loss", "msee", "mse"),
    ("metric", "f7", "auc"), ("initializer", "he_unifrom", "he_uniform"), ("regularizer", "l3", "l2"),
    ("activation", "relux", "relu"), ("model", "Sequentail", "Sequential"),
])
def test_unknown_names_get_one_error_listing_the_valid_ones(kind, name, listed):
    with pytest.raises(ValueError, match=rf"^Unknown {kind} '{name}'\. Valid names: .*\b{listed}\b"):
        registry.lookup(kind, name)


def test_models_register_and_saving_imports_no_model_module():
    import ast
    import inspect

    from gradwise.saving import model_io

    assert registry.lookup("model", "Sequential") is gw.Sequential
    imports = [node for node in ast.walk(ast.parse(inspect.getsource(model_io)))
               if isinstance(node, ast.ImportFrom) and node.module and "models" in node.module]
    assert imports == []  # no import circle between models and saving
