"""save_weights / load_weights: matching by position, clear mismatch errors, all or nothing."""

import numpy as np
import pytest

from gradwise import Dense, Dropout, Input, Sequential
from gradwise.saving import ModelFileError

from .builders import assert_same_weights, blobs, classifier


def test_weights_round_trip_into_a_rebuilt_model_with_other_layer_names(tmp_path):
    x, y = blobs()
    model = classifier(seed=1)
    model.fit(x, y, epochs=2, verbose=0)
    model.save_weights(tmp_path / "weights.gw")
    rebuilt = classifier(seed=2)
    assert [layer.name for layer in rebuilt.layers] != [layer.name for layer in model.layers]
    rebuilt.load_weights(tmp_path / "weights.gw")
    assert_same_weights(rebuilt, model)
    assert np.array_equal(rebuilt.predict(x), model.predict(x))


def test_load_weights_builds_an_unbuilt_model_for_the_saved_input_shape(tmp_path):
    model = Sequential([Input((4,)), Dense(3)], seed=0)
    model.save_weights(tmp_path / "weights.gw")
    fresh = Sequential([Dense(3)], seed=1)
    fresh.load_weights(tmp_path / "weights.gw")
    assert fresh.built and fresh.input_shape == (4,)
    assert_same_weights(fresh, model)


def test_load_weights_accepts_a_whole_model_file(tmp_path):
    model = classifier(seed=1)
    model.save(tmp_path / "model.gw")
    other = classifier(seed=2)
    other.load_weights(tmp_path / "model.gw")
    assert_same_weights(other, model)


def test_shape_mismatch_names_layer_and_weight_and_changes_nothing(tmp_path):
    Sequential([Input((4,)), Dense(3), Dense(2)], seed=0).save_weights(tmp_path / "weights.gw")
    target = Sequential([Input((4,)), Dense(3), Dense(5)], seed=1)
    before = target.get_weights()
    with pytest.raises(ValueError, match=r"weights\.gw.*layer 1 '\w+' \(Dense\): weight 'kernel' has shape "
                                         r"\(3, 2\) in the file but \(3, 5\) in the model"):
        target.load_weights(tmp_path / "weights.gw")
    # The first layer fits, yet nothing was copied: loading is all or nothing.
    assert all(np.array_equal(a, b) for a, b in zip(before, target.get_weights()))


@pytest.mark.parametrize("other_layers, message", [
    ([Dense(3)], r"file holds 2 layers .* model has 1"),
    ([Dropout(0.1), Dense(2)], r"layer 0 '\w+' \(Dropout\): the file has a Dense there"),
    ([Dense(3, use_bias=False), Dense(2)], r"file has weights \['kernel', 'bias'\], the layer has \['kernel'\]"),
])
def test_structure_mismatch_is_a_clear_error(tmp_path, other_layers, message):
    Sequential([Input((4,)), Dense(3), Dense(2)], seed=0).save_weights(tmp_path / "weights.gw")
    with pytest.raises(ValueError, match=message):
        Sequential([Input((4,)), *other_layers]).load_weights(tmp_path / "weights.gw")


def test_saving_weights_of_an_unbuilt_model_fails_before_touching_the_file(tmp_path):
    path = tmp_path / "weights.gw"
    Sequential([Input((4,)), Dense(3)], seed=0).save_weights(path)
    good = path.read_bytes()
    with pytest.raises(ValueError, match="save_weights: the model is not built"):
        Sequential([Dense(3)]).save_weights(path)
    assert path.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["weights.gw"]


def test_load_weights_from_a_damaged_file_is_a_model_file_error(tmp_path):
    path = tmp_path / "weights.gw"
    Sequential([Input((4,)), Dense(3)], seed=0).save_weights(path)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ModelFileError, match=r"weights\.gw.*truncated or corrupt"):
        Sequential([Input((4,)), Dense(3)]).load_weights(path)
