"""The Sequential guide's feature extraction: once a Sequential model is built, its inputs and
each layer's output are defined, so a Model between them extracts intermediate features.

Keras imports, replaced below:
    import keras
    from keras import layers
    from keras import ops
"""
import numpy as np
import gradwise as keras
from gradwise import layers

initial_model = keras.Sequential(
    [
        keras.Input(shape=(50, 50, 3)),  # corpus: shape=(250, 250, 3)
        layers.Conv2D(32, 5, strides=2, activation="relu"),
        layers.Conv2D(32, 3, activation="relu", name="my_intermediate_layer"),
        layers.Conv2D(32, 3, activation="relu"),
    ]
)
feature_extractor = keras.Model(
    inputs=initial_model.inputs,
    outputs=[layer.output for layer in initial_model.layers],
)

# Call feature extractor on test input.
x = np.ones((1, 50, 50, 3))  # corpus: ops.ones((1, 250, 250, 3))
features = feature_extractor(x)

only_intermediate = keras.Model(
    inputs=initial_model.inputs,
    outputs=initial_model.get_layer(name="my_intermediate_layer").output,
)
intermediate = only_intermediate(x)
