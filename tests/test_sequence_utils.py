"""gradwise.utils.pad_sequences against keras.utils.pad_sequences's documented behaviour."""

import numpy as np
import pytest

from gradwise.utils import pad_sequences


def test_padding_and_truncating_before_or_after():
    sequences = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10]]
    np.testing.assert_array_equal(pad_sequences(sequences), [[0, 0, 1, 2, 3], [0, 0, 0, 4, 5], [6, 7, 8, 9, 10]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=3, padding="post", truncating="post"),
                                  [[1, 2, 3], [4, 5, 0], [6, 7, 8]])
    np.testing.assert_array_equal(pad_sequences(sequences, maxlen=3), [[1, 2, 3], [0, 4, 5], [8, 9, 10]])
    padded = pad_sequences([[0.5], []], maxlen=2, dtype="float32", value=-1.0)
    assert padded.dtype == np.float32
    np.testing.assert_array_equal(padded, [[-1.0, 0.5], [-1.0, -1.0]])
    assert pad_sequences(sequences).dtype == np.int32
    vectors = pad_sequences([np.ones((2, 3)), np.ones((1, 3))], padding="post")
    assert vectors.shape == (2, 2, 3) and not vectors[1, 1].any()


@pytest.mark.parametrize("arguments, error, message", [
    ({"sequences": [[1]], "padding": "middle"}, ValueError, r"pad_sequences: `padding` must be one of"),
    ({"sequences": [[1]], "truncating": "both"}, ValueError, r"`truncating` must be one of"),
    ({"sequences": [[1]], "maxlen": -2}, ValueError, r"`maxlen` must be a non-negative int or None, got -2"),
    ({"sequences": [1, 2]}, ValueError, r"every item of `sequences` must be a sequence"),
    ({"sequences": 5}, TypeError, r"`sequences` must be an iterable of sequences, got 5"),
])
def test_bad_arguments_are_named(arguments, error, message):
    with pytest.raises(error, match=message):
        pad_sequences(**arguments)
