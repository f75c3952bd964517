"""A model whose output is text (a last StringLookup(invert=True)): predict returns the strings,
as Keras does; fit and evaluate, which need a loss through that output, say why they cannot."""

import numpy as np
import pytest

import gradwise as gw

VOCABULARY = ["a", "bb", "a much longer token"]
INDICES = np.array([[1, 2, 0], [3, 3, 1], [0, 0, 0]])
TOKENS = np.array([["a", "bb", "[UNK]"], ["a much longer token", "a much longer token", "a"],
                   ["[UNK]", "[UNK]", "[UNK]"]])


def _model():
    return gw.Sequential([gw.Input((3,)), gw.layers.StringLookup(vocabulary=VOCABULARY, invert=True)])


@pytest.mark.parametrize("batch_size", [1, 2, None])
def test_predict_returns_the_strings_whole_whatever_the_batches(batch_size):
    """The first batch's strings are short; a later batch's longer ones are not cut to their width."""
    predicted = _model().predict(INDICES, batch_size=batch_size, verbose=0)
    assert predicted.dtype.kind == "U"
    np.testing.assert_array_equal(predicted, TOKENS)


def test_predict_on_a_generator_returns_the_strings():
    batches = (INDICES[start:start + 2] for start in range(0, 3, 2))
    np.testing.assert_array_equal(_model().predict(batches, verbose=0), TOKENS)


def test_a_functional_model_gives_numbers_and_text_side_by_side():
    inputs = gw.Input((3,))
    numbers = gw.layers.Rescaling(2.0)(inputs)
    text = gw.layers.StringLookup(vocabulary=VOCABULARY, invert=True)(inputs)
    numbers_out, text_out = gw.Model(inputs, [numbers, text]).predict(INDICES, batch_size=2, verbose=0)
    assert numbers_out.dtype.kind == "f"
    np.testing.assert_array_equal(numbers_out, INDICES * 2.0)
    np.testing.assert_array_equal(text_out, TOKENS)


@pytest.mark.parametrize("call", ["fit", "evaluate"])
def test_fit_and_evaluate_name_the_text_output_and_what_to_do(call):
    model = _model()
    model.compile(loss="mse")
    with pytest.raises(TypeError, match=r"output 'string_lookup.*' is text: StringLookup .*invert=True.*predict"):
        getattr(model, call)(INDICES, np.zeros((3, 3)), verbose=0)
    np.testing.assert_array_equal(model.predict(INDICES, verbose=0), TOKENS)  # the model is left usable
