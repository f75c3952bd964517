"""Keras's symbolic structure: a built Sequential's inputs/outputs/input/output, and layer.input /
layer.output, so feature extractors are built as Keras users write them."""

import numpy as np
import pytest

import gradwise as gw
from gradwise.layers import Concatenate, Dense, Dropout, Input


def test_a_built_sequential_has_symbolic_inputs_and_outputs_for_feature_extraction(rng):
    model = gw.Sequential([Input((4,)), Dense(8, activation="relu", name="hidden"), Dropout(0.2),
                           Dense(3, activation="softmax", name="probs")], seed=0)
    assert model.inputs[0].shape == (4,) and model.input is model.inputs[0]
    assert model.outputs == [model.output] and model.output.shape == (3,) and model.output.layer.name == "probs"
    x = rng.normal(size=(5, 4))
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.arange(5) % 3, epochs=1, verbose=0)
    features = gw.Model(inputs=model.inputs, outputs=model.get_layer("hidden").output)
    assert np.allclose(features.predict(x, verbose=0), model.get_layer("hidden")(x), atol=1e-6)
    every = gw.Model(model.input, [layer.output for layer in model.layers])
    assert [out.shape for out in every.predict(x, verbose=0)] == [(5, 8), (5, 8), (5, 3)]
    assert model.get_layer("probs").input is model.layers[1].output


def test_the_structure_follows_add_and_a_stack_built_by_fit(rng):
    model = gw.Sequential([Dense(6, name="first")], seed=0)
    with pytest.raises(AttributeError, match=r"Sequential 'sequential' has no symbolic `inputs`: it is not built yet"):
        model.inputs
    model.add(Dense(2, name="second"))
    model.compile("sgd", "mse")
    model.fit(rng.normal(size=(8, 3)), rng.normal(size=(8, 2)), epochs=1, verbose=0)
    assert model.input.shape == (3,) and model.output.layer.name == "second"
    model.add(Dense(1, name="third"))
    assert model.output.layer.name == "third"
    assert model.get_layer("second").output.shape == (2,)  # traced once more, not twice


def test_layer_input_in_a_functional_model():
    left, right = gw.Input((2,), name="left"), gw.Input((3,), name="right")
    join = Concatenate(name="join")
    head = Dense(1, name="head")
    joined = join([left, right])
    head(joined)
    assert join.input == [left.symbolic_output, right.symbolic_output]
    assert head.input is joined and head.output.layer is head
    twice = Dense(2, name="twice")
    twice(left)
    twice(left)
    with pytest.raises(AttributeError, match=r"Dense 'twice' was called 2 times, so its `input` is not defined"):
        twice.input


def test_pop_makes_the_new_last_layer_the_output_and_the_popped_layer_lets_go_of_its_tensor(rng):
    model = gw.Sequential([Input((4,)), Dense(3, name="kept"), Dense(2, name="popped")], seed=0)
    popped = model.pop()
    assert model.output.layer.name == "kept" and model.output.shape == (3,)
    assert popped.__dict__.get("_symbolic_outputs", []) == []  # the trace it was in is gone
    model.add(Dense(5, name="added"))  # traced from the kept layer's tensor, not the popped one's
    assert model.output.layer.name == "added" and model.get_layer("added").input is model.get_layer("kept").output
    x = rng.normal(size=(2, 4))
    head = gw.Model(model.inputs, model.get_layer("kept").output)
    assert np.allclose(head.predict(x, verbose=0), model.get_layer("kept")(x), atol=1e-6)
    model.pop()
    model.pop()
    with pytest.raises(AttributeError, match="has no symbolic `output`"):
        model.output
