"""Preprocessing layers: Normalization (adapt, axis, invert, gradients), StringLookup and IntegerLookup
(Keras's index layout, OOV, mask, output modes, invert), CategoryEncoding, Discretization, Hashing
(a stable hash), their input-only backward, and their adapted state saved with the model."""

import subprocess
import sys

import numpy as np
import pytest

import gradwise as gw
from gradwise import layers, registry
from gradwise.layers.preprocessing.hashing import stable_hash

from .gradient_check import check_layer_gradients

# The input-only layers take tokens, not the contract suite's random floats: their cases live here.
INPUT_ONLY_CASES = {
    "string_lookup": lambda: layers.StringLookup(vocabulary=["a", "b"]),
    "integer_lookup": lambda: layers.IntegerLookup(vocabulary=[3, 7]),
    "category_encoding": lambda: layers.CategoryEncoding(num_tokens=3),
    "discretization": lambda: layers.Discretization(bin_boundaries=[0.0]),
    "hashing": lambda: layers.Hashing(num_bins=4),
}


def test_every_preprocessing_layer_is_registered_by_name():
    for name in ("Normalization", "StringLookup", "IntegerLookup", "CategoryEncoding", "Discretization", "Hashing"):
        assert registry.lookup("layer", name) is getattr(layers, name)


# ----- Normalization --------------------------------------------------------------------------------
def test_normalization_adapts_mean_and_variance_per_feature_and_in_batches(rng):
    data = rng.normal(3.0, 2.0, size=(200, 4))
    whole = layers.Normalization()
    whole.adapt(data)
    np.testing.assert_allclose(whole.mean, data.mean(axis=0, keepdims=True)[0], rtol=1e-6)
    np.testing.assert_allclose(whole.variance, data.var(axis=0, keepdims=True)[0], rtol=1e-5)
    batched = layers.Normalization()
    batched.adapt((data[start:start + 33] for start in range(0, 200, 33)))
    np.testing.assert_allclose(batched.mean, whole.mean, rtol=1e-6)
    np.testing.assert_allclose(batched.variance, whole.variance, rtol=1e-5)
    outputs = whole(data)
    np.testing.assert_allclose(outputs.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(outputs.std(axis=0), 1, atol=1e-4)


def test_normalization_axis_none_and_tuple_and_invert(rng):
    images = rng.normal(2.0, 3.0, size=(10, 4, 5, 3))
    per_channel = layers.Normalization(axis=-1)
    per_channel.adapt(images)
    assert per_channel.mean.shape == (1, 1, 3)
    np.testing.assert_allclose(per_channel.mean.reshape(-1), images.mean(axis=(0, 1, 2)), rtol=1e-5)
    overall = layers.Normalization(axis=None)
    overall.adapt(images)
    assert overall.mean.shape == (1, 1, 1)
    np.testing.assert_allclose(overall.mean.item(), images.mean(), rtol=1e-5)
    rows_and_channels = layers.Normalization(axis=(1, 3))
    rows_and_channels.adapt(images)
    assert rows_and_channels.mean.shape == (4, 1, 3)
    inverse = layers.Normalization(axis=-1, mean=per_channel.mean, variance=per_channel.variance, invert=True)
    np.testing.assert_allclose(inverse(per_channel(images)), images, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("invert", [False, True])
def test_normalization_gradients_match_finite_differences(rng, invert):
    layer = layers.Normalization(mean=[1.0, -2.0, 0.5], variance=[4.0, 0.25, 1e-16], invert=invert)
    layer.build_for((3,), rng, np.float64)
    check_layer_gradients(layer, rng.normal(size=(5, 3)), rng)


def test_normalization_without_statistics_and_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"has no statistics: call layer.adapt\(data\)"):
        gw.Sequential([layers.Normalization(input_shape=(2,))]).predict(np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"give both `mean` and `variance` or neither"):
        layers.Normalization(mean=1.0)
    with pytest.raises(ValueError, match=r"`axis` may not include the batch axis 0"):
        layers.Normalization(axis=0)
    with pytest.raises(ValueError, match=r"`variance` must be non-negative"):
        layers.Normalization(mean=0.0, variance=-1.0)
    with pytest.raises(ValueError, match=r"`data` is empty"):
        layers.Normalization().adapt(np.zeros((0, 3)))


def test_an_adapted_normalization_travels_in_the_model_file(tmp_path, rng):
    x = rng.normal(50.0, 10.0, size=(64, 3))
    y = (x[:, 0] > 50).astype(np.float32)
    normalizer = layers.Normalization()
    normalizer.adapt(x)
    model = gw.Sequential([gw.Input((3,)), normalizer, layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "model.gw")
    loaded = gw.load_model(tmp_path / "model.gw")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    np.testing.assert_allclose(loaded.layers[0].mean, normalizer.mean)


# ----- lookups ---------------------------------------------------------------------------------------
def test_string_lookup_as_the_keras_documentation():
    vocabulary = ["a", "b", "c", "d"]
    data = [["a", "c", "d"], ["d", "z", "b"]]
    assert layers.StringLookup(vocabulary=vocabulary)(data).tolist() == [[1, 3, 4], [4, 0, 2]]
    masked = layers.StringLookup(vocabulary=vocabulary, mask_token="")
    assert masked([["a", "c", ""], ["", "z", "b"]]).tolist() == [[2, 4, 0], [0, 1, 3]]
    assert masked.get_vocabulary() == ["", "[UNK]", "a", "b", "c", "d"]
    two_oov = layers.StringLookup(vocabulary=vocabulary, num_oov_indices=2)
    oov = two_oov([["z", "y", "z"], ["x", "a", "y"]])
    assert oov[0, 0] == oov[0, 2] and set(oov[:, :].reshape(-1).tolist()) <= {0, 1, 2, 3, 4, 5}
    assert oov[1, 1] == 2  # 'a' after two OOV indices
    inverse = layers.StringLookup(vocabulary=vocabulary, invert=True)
    assert inverse([[1, 3, 4], [4, 0, 2]]).tolist() == [["a", "c", "d"], ["d", "[UNK]", "b"]]


def test_string_lookup_adapts_by_frequency_and_encodes():
    data = np.array([["a"], ["b"], ["c"], ["b"], ["c"], ["c"]])
    layer = layers.StringLookup(output_mode="one_hot")
    layer.adapt(data)
    assert layer.get_vocabulary() == ["[UNK]", "c", "b", "a"]
    assert layer(np.array([["a"], ["z"]])).tolist() == [[0, 0, 0, 1], [1, 0, 0, 0]]
    capped = layers.StringLookup(max_tokens=3)
    capped.adapt(data)
    assert capped.get_vocabulary() == ["[UNK]", "c", "b"] and capped.vocabulary_size() == 3
    multi = layers.StringLookup(vocabulary=["a", "b", "c"], output_mode="multi_hot", mask_token="")
    assert multi([["a", "a", "c"], ["", "z", "b"]]).tolist() == [[0, 1, 0, 1], [1, 0, 1, 0]]
    count = layers.StringLookup(vocabulary=["a", "b", "c"], output_mode="count")
    assert count([["a", "a", "c"], ["b", "z", "z"]]).tolist() == [[0, 2, 0, 1], [2, 0, 1, 0]]


def test_integer_lookup_as_the_keras_documentation():
    vocabulary = [12, 36, 1138, 42]
    data = np.array([[12, 1138, 42], [42, 1000, 36]])
    assert layers.IntegerLookup(vocabulary=vocabulary)(data).tolist() == [[1, 3, 4], [4, 0, 2]]
    assert layers.IntegerLookup(vocabulary=vocabulary)(data.astype(np.float32)).tolist() == [[1, 3, 4], [4, 0, 2]]
    masked = layers.IntegerLookup(vocabulary=vocabulary, mask_token=0)
    assert masked([[12, 1138, 0], [0, 1000, 36]]).tolist() == [[2, 4, 0], [0, 1, 3]]
    adapted = layers.IntegerLookup()
    adapted.adapt(np.array([[12, 1138, 42], [42, 1000, 36], [36, 36, 42]]))
    assert adapted.get_vocabulary() == [-1, 42, 36, 1138, 1000, 12]  # by count, ties by falling value (Keras)
    assert layers.IntegerLookup(vocabulary=vocabulary, invert=True)([[1, 0]]).tolist() == [[12, -1]]


def test_lookup_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match=r"1 token\(s\) not in the vocabulary, such as \['z'\], and num_oov_indices=0"):
        layers.StringLookup(vocabulary=["a"], num_oov_indices=0)([["a", "z"]])
    with pytest.raises(ValueError, match=r"`vocabulary` holds repeated tokens \['a'\]"):
        layers.StringLookup(vocabulary=["a", "b", "a"])
    with pytest.raises(ValueError, match=r"has no vocabulary: give vocabulary=\[...\] or call layer.adapt"):
        layers.StringLookup()([["a"]])
    with pytest.raises(TypeError, match=r"expected strings, got an array of dtype float64. Use IntegerLookup"):
        layers.StringLookup(vocabulary=["a"])(np.ones((2, 1)))
    with pytest.raises(ValueError, match=r"`invert=True` maps indices back to tokens and needs output_mode='int'"):
        layers.StringLookup(invert=True, output_mode="one_hot")
    with pytest.raises(ValueError, match=r"`output_mode` must be one of .*got 'tf_idf'"):
        layers.IntegerLookup(output_mode="tf_idf")
    with pytest.raises(ValueError, match=r"expected integer tokens, got non-integer values"):
        layers.IntegerLookup(vocabulary=[1])(np.array([[1.5]]))


def test_a_lookup_model_saves_its_vocabulary(tmp_path, rng):
    codes = rng.choice([3, 7, 11, 19], size=(80, 1)).astype(np.float32)
    y = np.isin(codes[:, 0], [7, 19]).astype(np.float32)
    lookup = layers.IntegerLookup(output_mode="one_hot")
    lookup.adapt(codes)
    model = gw.Sequential([gw.Input((1,)), lookup, layers.Dense(1, activation="sigmoid")], seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(codes, y, epochs=30, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    model.save(tmp_path / "lookup.gw")
    loaded = gw.load_model(tmp_path / "lookup.gw")
    assert loaded.layers[0].get_vocabulary() == lookup.get_vocabulary()
    unseen = np.array([[3.0], [7.0], [5.0]], dtype=np.float32)
    np.testing.assert_array_equal(loaded.predict(unseen, verbose=0), model.predict(unseen, verbose=0))


# ----- CategoryEncoding, Discretization, Hashing -------------------------------------------------
def test_category_encoding_modes_and_range():
    assert layers.CategoryEncoding(4, output_mode="one_hot")([3, 2, 0, 1]).tolist() == np.eye(4)[[3, 2, 0, 1]].tolist()
    multi = layers.CategoryEncoding(4, output_mode="multi_hot")([[0, 1], [0, 0], [1, 2], [3, 1]])
    assert multi.tolist() == [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]
    count = layers.CategoryEncoding(4, output_mode="count")([[0, 1], [0, 0], [1, 2], [3, 1]])
    assert count.tolist() == [[1, 1, 0, 0], [2, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]
    with pytest.raises(ValueError, match=r"expected integers in \[0, 4\), got 4"):
        layers.CategoryEncoding(4)([[0, 4]])
    with pytest.raises(ValueError, match=r"`num_tokens` is required"):
        layers.CategoryEncoding()


def test_discretization_boundaries_and_adapted_quantiles(rng):
    layer = layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    assert layer([[-1.5, 1.0, 3.4, 0.5]]).tolist() == [[0, 2, 3, 1]]
    values = rng.uniform(0, 100, size=(1000, 1))
    adapted = layers.Discretization(num_bins=4, output_mode="one_hot")
    adapted.adapt(values)
    np.testing.assert_allclose(adapted.bin_boundaries, np.quantile(values, [0.25, 0.5, 0.75]))
    assert adapted(values).sum(axis=0).tolist() == [250, 250, 250, 250]
    with pytest.raises(ValueError, match=r"give exactly one of `bin_boundaries` and `num_bins`"):
        layers.Discretization()
    with pytest.raises(ValueError, match=r"has no bin boundaries: call layer.adapt"):
        layers.Discretization(num_bins=3)([[1.0]])
    with pytest.raises(ValueError, match=r"must be finite and sorted"):
        layers.Discretization(bin_boundaries=[2.0, 1.0])


def _reference_hash(text):
    """FNV-1a 64 and MurmurHash3's finalizer, byte by byte in plain Python."""
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) & (2**64 - 1)
    for multiplier in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
        value = ((value ^ (value >> 33)) * multiplier) & (2**64 - 1)
    return value ^ (value >> 33)


def test_hashing_is_a_stable_hash_of_the_text():
    words = np.array([["cat"], ["dog"], ["é"], [""], ["a much longer token than the rest"]])
    assert stable_hash(words).reshape(-1).tolist() == [_reference_hash(str(w)) for w in words.reshape(-1)]
    assert stable_hash(np.array([12, -3])).tolist() == [_reference_hash("12"), _reference_hash("-3")]
    script = ("import numpy as np; from gradwise.layers import Hashing; "
              "print(Hashing(num_bins=1000)(np.array([['cat'], ['dog']]))[:, 0].tolist())")
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PYTHONPATH": "."}).stdout for seed in ("1", "2")}
    expected = [_reference_hash("cat") % 1000, _reference_hash("dog") % 1000]
    assert runs == {f"{expected}\n"}  # the same bins whatever Python's own hash seed


def test_hashing_mask_salt_modes_and_spread():
    layer = layers.Hashing(num_bins=3, mask_value="")
    bins = layer(np.array([["a"], [""], ["b"], ["c"]]))[:, 0]
    assert bins[1] == 0 and all(1 <= b < 3 for b in bins[[0, 2, 3]])
    tokens = np.arange(5000).reshape(-1, 1)
    spread = np.bincount(layers.Hashing(num_bins=8)(tokens)[:, 0], minlength=8)
    assert spread.min() > 500  # 625 expected per bin
    salted = layers.Hashing(num_bins=1000, salt=7)(tokens)[:, 0]
    assert (salted != layers.Hashing(num_bins=1000)(tokens)[:, 0]).mean() > 0.9
    assert layers.Hashing(num_bins=4, output_mode="multi_hot")([["a", "a"]]).sum() == 1
    with pytest.raises(ValueError, match=r"expected strings or integers, got non-integer floats"):
        layers.Hashing(num_bins=3)(np.array([[0.5]]))


# ----- the input-only backward -----------------------------------------------------------------------
@pytest.mark.parametrize("case", sorted(INPUT_ONLY_CASES))
def test_input_only_layers_have_no_gradient_and_say_where_they_belong(case):
    layer = INPUT_ONLY_CASES[case]()
    assert not layer.params and layer.input_only
    assert layer.backward(np.ones((2, 1)), None, input_grad=False) is None
    with pytest.raises(ValueError, match=r"has no gradient, yet a trained layer comes before it. Put preprocessing"):
        layer.backward(np.ones((2, 1)), None)


def test_a_discretization_after_a_dense_layer_fails_at_fit_with_the_reason():
    model = gw.Sequential([layers.Dense(2, input_shape=(3,)), layers.Discretization(bin_boundaries=[0.0],
                                                                                    output_mode="one_hot"),
                           layers.Flatten(), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=r"Discretization 'discretization.*' maps values to indices"):
        model.fit(np.ones((4, 3)), np.ones(4), verbose=0)


@pytest.mark.parametrize("case", sorted(INPUT_ONLY_CASES))
def test_input_only_config_round_trip(case):
    import json

    layer = INPUT_ONLY_CASES[case]()
    rebuilt = layers.deserialize(json.loads(json.dumps(layers.serialize(layer))))
    assert rebuilt.get_config() == layer.get_config()


def test_binary_output_mode_is_kerass_older_name_of_multi_hot():
    from gradwise import layers

    for make in (lambda mode: layers.IntegerLookup(vocabulary=[1, 2, 3], output_mode=mode),
                 lambda mode: layers.CategoryEncoding(num_tokens=4, output_mode=mode)):
        binary, multi_hot = make("binary"), make("multi_hot")
        assert binary.output_mode == "multi_hot"
        np.testing.assert_array_equal(binary(np.array([[1, 3]])), multi_hot(np.array([[1, 3]])))


# ----- PiecewiseLinearEncoding -------------------------------------------------------------------------
def test_piecewise_linear_encoding_is_each_bins_clipped_fraction_and_passes_other_columns(rng):
    layer = layers.PiecewiseLinearEncoding(bin_edges=[[0.0, 1.0, 3.0], [-1.0, 1.0]], columns=[2, 0])
    x = np.array([[5.0, 7.0, -1.0], [-3.0, 8.0, 0.5], [0.0, 9.0, 2.0], [2.0, 1.0, 9.0]])
    # column 2 in bins [0, 1) and [1, 3), then column 0 in one bin [-1, 1), then column 1 as it was
    assert layer(x).tolist() == [[0.0, 0.0, 1.0, 7.0], [0.5, 0.0, 0.0, 8.0], [1.0, 0.5, 0.5, 9.0],
                                 [1.0, 1.0, 1.0, 1.0]]
    # inside its edges a number is b_0 + sum_t e_t (b_t - b_{t-1}): nothing is lost
    inside = rng.uniform(0.0, 3.0, size=(20, 1))
    encoded = layers.PiecewiseLinearEncoding(bin_edges=[[0.0, 1.0, 3.0]])(inside)
    np.testing.assert_allclose(encoded @ np.array([1.0, 2.0]), inside[:, 0], rtol=1e-6)


def test_piecewise_linear_encoding_adapts_quantile_edges_and_merges_repeats(rng):
    data = np.column_stack([rng.uniform(0, 100, size=1001), rng.integers(0, 3, size=1001), np.ones(1001)])
    layer = layers.PiecewiseLinearEncoding(num_bins=4, columns=[0, 1])
    layer.adapt(data)
    np.testing.assert_allclose(layer.bin_edges[0], np.quantile(data[:, 0], [0, 0.25, 0.5, 0.75, 1]))
    assert layer.bin_edges[1] == [0.0, 1.0, 2.0]  # three values: two bins, not four
    encoded = layer(data)
    assert encoded.shape == (1001, 4 + 2 + 1)
    # a quarter of the rows in each bin: bin t is full on the rows of the bins above it, half full on its own
    np.testing.assert_allclose(encoded[:, :4].mean(axis=0), [0.875, 0.625, 0.375, 0.125], atol=0.01)
    np.testing.assert_array_equal(encoded[:, -1], 1.0)  # the constant column passed through
    with pytest.raises(ValueError, match=r"column 2 of `data` holds one value \(1.0\); a constant has no bins"):
        layers.PiecewiseLinearEncoding(columns=[2]).adapt(data)


@pytest.mark.parametrize("columns", [None, [1, 3]])
def test_piecewise_linear_encoding_gradients_match_finite_differences(rng, columns):
    edges = [[-1.0, -0.2, 0.4, 1.5], [-0.5, 0.3]] if columns else [[-1.0, 0.0, 1.0]] * 4
    layer = layers.PiecewiseLinearEncoding(bin_edges=edges, columns=columns)
    layer.build_for((4,), rng, np.float64)
    check_layer_gradients(layer, rng.normal(size=(6, 4)), rng)


def test_piecewise_linear_encoding_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"`bin_edges\[0\]` must hold at least two finite, strictly increasing"):
        layers.PiecewiseLinearEncoding(bin_edges=[[1.0, 1.0]])
    with pytest.raises(ValueError, match=r"`bin_edges` holds 1 lists of edges for 2 `columns`"):
        layers.PiecewiseLinearEncoding(bin_edges=[[0.0, 1.0]], columns=[0, 1])
    with pytest.raises(ValueError, match=r"`num_bins` must be a positive int, got 0"):
        layers.PiecewiseLinearEncoding(num_bins=0)
    with pytest.raises(ValueError, match=r"`columns` names a column twice"):
        layers.PiecewiseLinearEncoding(columns=[1, 1])
    with pytest.raises(ValueError, match=r"`columns` names column 5, but the inputs have 3 columns"):
        layers.PiecewiseLinearEncoding(bin_edges=[[0.0, 1.0]], columns=[5])(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"has no bin edges: call layer.adapt"):
        layers.PiecewiseLinearEncoding()(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"`data` holds NaN or Inf"):
        layers.PiecewiseLinearEncoding().adapt(np.array([[1.0], [np.nan]]))


def test_an_adapted_piecewise_encoding_travels_in_the_model_file_and_trains(tmp_path, rng):
    x = rng.uniform(-3, 3, size=(256, 2))
    y = np.abs(x[:, :1])  # a kink a line cannot fit, a piecewise-linear encoding can
    encoding = layers.PiecewiseLinearEncoding(num_bins=8, columns=[0])
    encoding.adapt(x)
    model = gw.Sequential([gw.Input((2,)), encoding, layers.Dense(1)], seed=0)
    model.compile(optimizer=gw.optimizers.Adam(0.05), loss="mse")
    model.fit(x, y, epochs=60, batch_size=32, verbose=0)
    assert model.evaluate(x, y, verbose=0) < 0.05 * np.var(y)
    model.save(tmp_path / "model.gw")
    loaded = gw.load_model(tmp_path / "model.gw")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.layers[0].bin_edges == encoding.bin_edges
