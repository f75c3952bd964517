"""model.save / load_model: everything needed to resume training exactly."""

import pickle

import numpy as np
import pytest

import gradwise
from gradwise import Dense, Input, Sequential, layers
from gradwise.optimizers import Adam, schedules
from gradwise.saving import ModelFileError, load_model

from .builders import assert_same_weights, blobs, classifier


def _fit(model, x, y, epochs):
    return model.fit(x, y, epochs=epochs, batch_size=16, shuffle=True, verbose=0).history


def test_resume_after_save_ends_bit_for_bit_where_uninterrupted_training_ends(tmp_path):
    x, y = blobs()
    uninterrupted = classifier()
    full_history = _fit(uninterrupted, x, y, 10)

    first_half = classifier()
    _fit(first_half, x, y, 5)
    first_half.save(tmp_path / "half.gw")
    resumed = load_model(tmp_path / "half.gw")
    second_history = _fit(resumed, x, y, 5)

    assert_same_weights(resumed, uninterrupted)
    assert second_history["loss"] == full_history["loss"][5:]
    assert resumed.optimizer.iterations == uninterrupted.optimizer.iterations == 60
    state, reference = resumed.optimizer.get_state(), uninterrupted.optimizer.get_state()
    # Layer names differ (automatic names), so compare the slots in order.
    assert len(state) == len(reference) > 1
    assert all(np.array_equal(a, b) for a, b in zip(state.values(), reference.values()))


@pytest.mark.parametrize("generator", ["model _shuffle_rng", "dropout _rng"])
def test_each_saved_generator_state_matters_for_the_resume(tmp_path, generator):
    # The bit-for-bit test above is only meaningful if losing one generator state breaks it.
    x, y = blobs()
    uninterrupted = classifier()
    _fit(uninterrupted, x, y, 10)
    first_half = classifier()
    _fit(first_half, x, y, 5)
    first_half.save(tmp_path / "half.gw")
    resumed = load_model(tmp_path / "half.gw")
    owner_name, attribute = generator.split()
    owner = resumed if owner_name == "model" else resumed.get_layer(index=2)
    setattr(owner, attribute, np.random.default_rng(12345))
    _fit(resumed, x, y, 5)
    assert not np.array_equal(resumed.get_weights()[0], uninterrupted.get_weights()[0])


def test_loaded_model_has_the_architecture_compile_settings_and_weights(tmp_path):
    x, y = blobs()
    model = classifier()
    _fit(model, x, y, 2)
    model.save(str(tmp_path / "model.gw"))
    loaded = gradwise.models.load_model(str(tmp_path / "model.gw"))
    assert loaded.get_config() == model.get_config()
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert loaded.loss.get_config() == model.loss.get_config()
    assert gradwise.optimizers.serialize(loaded.optimizer) == gradwise.optimizers.serialize(model.optimizer)
    assert loaded.metrics_names == model.metrics_names == ["loss", "accuracy"]
    assert_same_weights(loaded, model)
    moving_mean = loaded.get_layer(index=1).state["moving_mean"]
    assert not np.allclose(moving_mean, 0.0)  # trained statistics, not the initial zeros
    assert np.array_equal(loaded.predict(x), model.predict(x))
    assert loaded.evaluate(x, y, verbose=0) == model.evaluate(x, y, verbose=0)


def test_optimizer_with_schedule_and_clipping_resumes_its_state(tmp_path):
    x, y = blobs()
    schedule = schedules.ExponentialDecay(0.01, decay_steps=4, decay_rate=0.5)
    model = classifier(optimizer=Adam(learning_rate=schedule, clipnorm=1.0, amsgrad=True))
    _fit(model, x, y, 1)
    model.save(tmp_path / "model.gw")
    loaded = load_model(tmp_path / "model.gw")
    assert isinstance(loaded.optimizer, Adam) and loaded.optimizer.amsgrad and loaded.optimizer.clipnorm == 1.0
    assert isinstance(loaded.optimizer.schedule, schedules.ExponentialDecay)
    assert loaded.optimizer.iterations == 6
    assert loaded.optimizer.learning_rate == model.optimizer.learning_rate
    state = loaded.optimizer.get_state()
    assert any(key.endswith("velocity_hat") for key in state)
    assert all(np.array_equal(value, model.optimizer.get_state()[key]) for key, value in state.items())


def test_uncompiled_model_loads_uncompiled_with_its_weights(tmp_path, float64):
    model = Sequential([Input((3,)), Dense(4, activation="tanh")], seed=0)
    model.save(tmp_path / "model.gw")
    loaded = load_model(tmp_path / "model.gw")
    assert not loaded.compiled
    assert loaded.dtype == np.float64
    assert_same_weights(loaded, model)


def test_unbuilt_model_round_trips_and_builds_as_the_original_would(tmp_path):
    x, y = blobs()
    model = Sequential([Dense(6, activation="relu"), Dense(3, activation="softmax")], seed=5)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.save(tmp_path / "model.gw")
    loaded = load_model(tmp_path / "model.gw")
    assert not loaded.built and loaded.compiled
    _fit(model, x, y, 1)
    _fit(loaded, x, y, 1)
    assert_same_weights(loaded, model)


def test_load_model_reads_no_pickle(tmp_path, monkeypatch):
    model = classifier()
    model.save(tmp_path / "model.gw")

    def refuse(*args, **kwargs):
        raise AssertionError("pickle was used while loading")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "Unpickler", refuse)
    loaded = load_model(tmp_path / "model.gw")
    assert_same_weights(loaded, model)
    with np.load(tmp_path / "model.gw", allow_pickle=False) as archive:
        assert all(archive[name].dtype.kind in "biuf" for name in archive.files)


def test_load_model_on_a_weights_file_says_to_use_load_weights(tmp_path):
    model = classifier()
    model.save_weights(tmp_path / "weights.gw")
    with pytest.raises(ModelFileError, match=r"weights\.gw.*only weights.*load_weights"):
        load_model(tmp_path / "weights.gw")


def test_save_with_overwrite_false_keeps_the_existing_file(tmp_path):
    path = tmp_path / "model.gw"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError, match="overwrite=False"):
        classifier().save(path, overwrite=False)
    assert path.read_bytes() == b"precious"


def test_a_layer_class_shadowed_by_another_of_its_name_is_refused_before_the_file_is_touched(tmp_path):
    class Doubler(layers.Layer):  # registers itself by subclassing Layer ...
        def forward(self, inputs, training=False):
            return 2 * inputs, None

    model = Sequential([Input((2,)), Doubler()])

    class Doubler(layers.Layer):  # noqa: F811 - ... until another class takes its name
        pass

    path = tmp_path / "model.gw"
    path.write_bytes(b"precious")
    with pytest.raises(ValueError, match=r"the class registered as Doubler is another one.*unique name"):
        model.save(path)
    assert path.read_bytes() == b"precious"


def test_a_layer_subclass_saves_and_loads_by_registering_itself(tmp_path):
    class Tripler(layers.Layer):
        def forward(self, inputs, training=False):
            return 3 * inputs, None

        # y = 3x  =>  dx = 3 dy
        def backward(self, grad_outputs, cache, input_grad=True, accumulate=False):
            return 3 * grad_outputs if input_grad else None

    model = Sequential([Input((2,)), Tripler(name="triple")])
    model.save(tmp_path / "model.gw")
    loaded = load_model(tmp_path / "model.gw")
    assert type(loaded.layers[0]) is Tripler
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 2)), verbose=0), [[3.0, 3.0]])
