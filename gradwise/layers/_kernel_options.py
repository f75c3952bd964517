"""The options shared by layers with a kernel, a bias and an activation (Dense, Conv)."""

from .. import activations, constraints, initializers, regularizers


def set_kernel_options(layer, activation, use_bias, kernel_initializer, bias_initializer,
                       kernel_regularizer, bias_regularizer, activity_regularizer, kernel_constraint=None,
                       bias_constraint=None):
    """Resolve and store the options, and register the weight regularizers and constraints."""
    layer.activation = activations.get(activation)
    layer.use_bias = bool(use_bias)
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.activity_regularizer = regularizers.get(activity_regularizer)
    if layer.kernel_regularizer is not None:
        layer.regularizers["kernel"] = layer.kernel_regularizer
    if layer.bias_regularizer is not None and layer.use_bias:
        layer.regularizers["bias"] = layer.bias_regularizer
    layer.kernel_constraint = constraints.attach(layer, "kernel", kernel_constraint)
    layer.bias_constraint = constraints.attach(layer, "bias", bias_constraint, applies=layer.use_bias)


def kernel_options_config(layer):
    """The options as a JSON-ready dict, for get_config."""
    return {
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        "kernel_initializer": initializers.serialize(layer.kernel_initializer),
        "bias_initializer": initializers.serialize(layer.bias_initializer),
        "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        "activity_regularizer": regularizers.serialize(layer.activity_regularizer),
        "kernel_constraint": constraints.serialize(layer.kernel_constraint),
        "bias_constraint": constraints.serialize(layer.bias_constraint),
    }
