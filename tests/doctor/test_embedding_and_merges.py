"""The doctor on functional models with Embedding and merge layers: their outputs are read by role
(no activation of their own), so healthy training draws no dead-unit or saturation alarm from them."""

import warnings

import numpy as np
import pytest

import gradwise as gw
from gradwise import layers as L
from gradwise.doctor import Doctor
from gradwise.doctor.setup import describe_model


def _data(rows=600, seed=0):
    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, 12, size=(rows, 3))
    numbers = rng.normal(size=(rows, 4))
    # the class follows the first token's group, shifted by one where a numeric feature is large
    y = (tokens[:, 0] % 3 + (numbers[:, 0] > 1.5)) % 3
    return tokens, numbers, y


def _two_inputs(seed=0):
    tokens = gw.Input((3,), name="tokens")
    numbers = gw.Input((4,), name="numbers")
    embedded = L.Flatten()(L.Embedding(12, 6, name="embedding")(tokens))
    dense = L.Dense(16, activation="relu", name="numeric")(numbers)
    joined = L.Concatenate(name="concatenate")([embedded, dense])
    left = L.Dense(16, activation="relu", name="left")(joined)
    right = L.Dense(16, activation="relu", name="right")(joined)
    merged = L.Add(name="add")([left, right])
    return gw.Model([tokens, numbers], L.Dense(3, activation="softmax", name="out")(merged), seed=seed)


def _token_model(seed=0):
    tokens = gw.Input((3,))
    embedded = L.Embedding(12, 8, name="embedding")(tokens)
    pooled = L.Flatten()(embedded)
    left = L.Dense(16, activation="relu", name="left")(pooled)
    merged = L.Concatenate(name="concatenate")([pooled, left])
    return gw.Model(tokens, L.Dense(3, activation="softmax", name="out")(merged), seed=seed)


def test_embedding_and_merges_have_no_activation_rules():
    model = _two_inputs()
    model.compile("adam", "sparse_categorical_crossentropy")
    layers = {info["name"]: info for info in describe_model(model)["layers"]}
    for name in ("embedding", "concatenate", "add"):
        assert layers[name]["activation"] is None


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("make, inputs", [(_two_inputs, "both"), (_token_model, "tokens")], ids=["two_inputs", "tokens"])
def test_healthy_training_with_embedding_and_merges_draws_no_alarm(make, inputs, seed):
    tokens, numbers, y = _data()
    x = [tokens, numbers] if inputs == "both" else tokens
    if inputs == "tokens":  # it sees the tokens only
        y = tokens[:, 0] % 3
    model = make(seed)
    model.compile(gw.optimizers.Adam(learning_rate=0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    doctor = Doctor(verbose=0, sample_every=1)  # every batch sampled: the rules see all they can
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        history = model.fit(x, y, epochs=12, batch_size=32, verbose=0, validation_split=0.25, callbacks=[doctor])
    assert history.history["val_accuracy"][-1] > 0.9  # healthy: it learns the rule
    assert doctor.report.codes("warning") == set(), [finding.title for finding in doctor.report.findings]
    for record in doctor.trace.epochs:  # dead units are counted for the ReLU layers only
        for name in ("embedding", "concatenate", "add"):
            assert "dead_fraction" not in record["layers"].get(name, {})
            assert "saturated_fraction" not in record["layers"].get(name, {})
    assert any("dead_fraction" in record["layers"].get("left", {}) for record in doctor.trace.epochs)
    # token indices are not features: the input summary holds the numeric input only (or nothing)
    summary = doctor.trace.setup["inputs"]
    if inputs == "tokens":
        assert summary is None and doctor.trace.setup["baseline"] is None
        assert doctor.trace.setup["labels"]["classes"] == 3
    else:
        assert summary["features"] == 4 and summary["max_abs_mean"] < 0.5


def test_large_token_indices_draw_no_unnormalized_input_alarm():
    rng = np.random.default_rng(0)
    tokens = rng.integers(0, 5000, size=(400, 2))
    y = (tokens[:, 0] % 2).astype(int)
    inputs = gw.Input((2,))
    outputs = L.Dense(2, activation="softmax")(L.Flatten()(L.Embedding(5000, 4)(inputs)))
    model = gw.Model(inputs, outputs, seed=0)
    model.compile("adam", "sparse_categorical_crossentropy")
    doctor = Doctor(verbose=0)
    model.fit(tokens, y, epochs=2, batch_size=32, verbose=0, callbacks=[doctor])
    assert "UNNORMALIZED_INPUT" not in {finding.code for finding in doctor.report.findings}


def test_an_add_of_relu_branches_with_dead_units_blames_the_branch_not_the_merge():
    tokens, numbers, y = _data()
    model = _two_inputs()
    model.compile(gw.optimizers.Adam(learning_rate=0.01), "sparse_categorical_crossentropy")
    right = model.get_layer("right")
    kernel, bias = right.get_weights()
    right.set_weights([kernel, np.full_like(bias, -50.0)])  # every unit of one branch dead from the start
    doctor = Doctor(verbose=0, sample_every=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit([tokens, numbers], y, epochs=4, batch_size=32, verbose=0, callbacks=[doctor])
    dying = [finding for finding in doctor.report.findings if finding.code == "DYING_RELU"]
    assert dying and {finding.layer for finding in dying} <= {"right", "left", "numeric"}
    assert "right" in {finding.layer for finding in dying} or "right" in str(dying[0].evidence)
